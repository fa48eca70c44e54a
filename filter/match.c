#include "filter/match.h"
#include "common/util.h"
#include "filter/numbers.h"
#include "filter/thread.h"

#include <string.h>

void
match_result_clear(match_result *match)
{
	g_free(match->client_name);
	if (match->invoice_ids != NULL)
		g_array_unref(match->invoice_ids);
	if (match->numbers != NULL)
		g_ptr_array_unref(match->numbers);
	memset(match, 0, sizeof *match);
}

/*
 * The numbers of every invoice in the store, indexed once and kept while
 * the store's invoice generation stays: listing and squeezing two thousand
 * invoices for each message of a scan cost more than the rest of matching.
 */
typedef struct {
	int64_t id;
	int64_t client_id;
	char *number;
} match_invoice;

static struct {
	GMutex lock;
	uint64_t generation; /* 0: nothing cached */
	GArray *invoices;    /* match_invoice */
	number_index *index;
} match_cache;

static void
match_invoice_clear(gpointer data)
{
	g_free(((match_invoice *)data)->number);
}

/* Fills the cache for the store's current invoices; called with the lock held. */
static bool
match_cache_refresh(store *db, GError **error)
{
	uint64_t generation = store_invoice_generation(db);
	store_invoice_filter all = {0};
	GPtrArray *invoices, *numbers;

	if (match_cache.generation == generation && match_cache.index != NULL)
		return true;
	if ((invoices = store_invoice_list(db, &all, error)) == NULL)
		return false;
	if (match_cache.invoices != NULL)
		g_array_unref(match_cache.invoices);
	number_index_free(match_cache.index);
	match_cache.invoices = g_array_sized_new(FALSE, FALSE, sizeof(match_invoice), invoices->len);
	g_array_set_clear_func(match_cache.invoices, match_invoice_clear);
	numbers = g_ptr_array_sized_new(invoices->len);
	for (guint i = 0; i < invoices->len; i++) {
		const store_invoice *invoice = g_ptr_array_index(invoices, i);
		match_invoice entry = {invoice->id, invoice->client_id, g_strdup(invoice->number)};
		g_array_append_val(match_cache.invoices, entry);
		g_ptr_array_add(numbers, entry.number);
	}
	match_cache.index = number_index_new((const char *const *)numbers->pdata, numbers->len);
	match_cache.generation = generation;
	g_ptr_array_free(numbers, TRUE);
	g_ptr_array_unref(invoices);
	return true;
}

static void
add_invoice_id(match_result *match, int64_t id, const char *number)
{
	for (guint i = 0; i < match->invoice_ids->len; i++)
		if (g_array_index(match->invoice_ids, int64_t, i) == id)
			return;
	g_array_append_val(match->invoice_ids, id);
	g_ptr_array_add(match->numbers, g_strdup(number));
}

static void
add_invoice(match_result *match, const store_invoice *invoice)
{
	add_invoice_id(match, invoice->id, invoice->number);
}

static void
adopt_client(match_result *match, const store_client *client)
{
	match->client_id = client->id;
	g_free(match->client_name);
	match->client_name = g_strdup(client->name);
}

static bool
set_client(store *db, match_result *match, int64_t client_id, GError **error)
{
	store_client *client;

	if (client_id == 0 || match->client_id == client_id)
		return true;
	if ((client = store_client_get(db, client_id, error)) == NULL)
		return false;
	adopt_client(match, client);
	store_client_free(client);
	return true;
}

/* The client of the counterpart: the sender of incoming mail, a recipient of outgoing. */
static bool
find_client_by_address(store *db, const classify_result *message, match_result *match,
		       GError **error)
{
	GPtrArray *addresses = g_ptr_array_new();
	bool ok = true;

	if (!message->outgoing) {
		if (mail_from_address(message->mail) != NULL)
			g_ptr_array_add(addresses, (gpointer)mail_from_address(message->mail));
	} else {
		const char *const *to = mail_to_addresses(message->mail);
		const char *const *cc = mail_cc_addresses(message->mail);
		for (; to != NULL && *to != NULL; to++)
			g_ptr_array_add(addresses, (gpointer)*to);
		for (; cc != NULL && *cc != NULL; cc++)
			g_ptr_array_add(addresses, (gpointer)*cc);
	}
	for (guint i = 0; i < addresses->len && match->client_id == 0 && ok; i++) {
		GError *local = NULL;
		store_client *client =
		    store_client_find_by_address(db, g_ptr_array_index(addresses, i), &local);
		if (local != NULL) {
			g_propagate_error(error, local);
			ok = false;
		} else if (client != NULL) {
			/* Already read whole: no second look-up by id. */
			adopt_client(match, client);
			store_client_free(client);
		}
	}
	g_ptr_array_free(addresses, TRUE);
	return ok;
}

static bool
match_by_thread(store *db, const classify_result *message, match_result *match, GError **error)
{
	GPtrArray *ids = g_ptr_array_new();
	const char *const *references = mail_references(message->mail);
	const char *in_reply_to = mail_in_reply_to(message->mail);
	int64_t client_id = 0;
	size_t n = 0;
	GArray *found;
	bool ok = true;

	/* Nearest first: In-Reply-To, then References from the newest. A bounce
	 * reports on the message it returns. */
	if (message->bounced_message_id != NULL)
		g_ptr_array_add(ids, message->bounced_message_id);
	if (in_reply_to != NULL)
		g_ptr_array_add(ids, (gpointer)in_reply_to);
	while (references != NULL && references[n] != NULL)
		n++;
	for (size_t i = n; i > 0 && ids->len < 100; i--)
		g_ptr_array_add(ids, (gpointer)references[i - 1]);
	g_ptr_array_add(ids, NULL);
	found = store_invoices_for_references(db, (const char *const *)ids->pdata, &client_id,
					      error);
	g_ptr_array_free(ids, TRUE);
	if (found == NULL)
		return false;
	for (guint i = 0; i < found->len && ok; i++) {
		store_invoice *invoice =
		    store_invoice_get(db, g_array_index(found, int64_t, i), error);
		if (invoice == NULL) {
			ok = false;
			break;
		}
		add_invoice(match, invoice);
		if (client_id == 0)
			client_id = invoice->client_id;
		store_invoice_free(invoice);
	}
	g_array_unref(found);
	if (ok && match->invoice_ids->len > 0) {
		match->how = "thread";
		ok = set_client(db, match, client_id, error);
	}
	return ok;
}

static bool
match_by_number(store *db, const classify_result *message, match_result *match, GError **error)
{
	char *text = g_strdup_printf("%s\n%s", mail_subject(message->mail),
				     message->reply_text != NULL ? message->reply_text : "");
	GArray *found = NULL;
	bool ok = true;

	g_mutex_lock(&match_cache.lock);
	if (!match_cache_refresh(db, error)) {
		ok = false;
		goto out;
	}
	found = number_index_find(match_cache.index, text);
	for (guint i = 0; i < found->len && ok; i++) {
		const match_invoice *invoice =
		    &g_array_index(match_cache.invoices, match_invoice, g_array_index(found, guint, i));
		/* Numbers of another client's invoices do not move a known client's mail. */
		if (match->client_id != 0 && invoice->client_id != match->client_id)
			continue;
		add_invoice_id(match, invoice->id, invoice->number);
		if (match->client_id == 0)
			ok = set_client(db, match, invoice->client_id, error);
	}
	if (match->invoice_ids->len > 0)
		match->how = "number";
out:
	g_mutex_unlock(&match_cache.lock);
	if (found != NULL)
		g_array_unref(found);
	g_free(text);
	return ok;
}

static bool
match_by_sender(store *db, match_result *match, GError **error)
{
	store_invoice_filter filter = {.client_id = match->client_id, .open_only = true};
	GPtrArray *open;

	if (match->client_id == 0)
		return true;
	if ((open = store_invoice_list(db, &filter, error)) == NULL)
		return false;
	if (open->len == 1) {
		add_invoice(match, g_ptr_array_index(open, 0));
		match->how = "sender";
	}
	g_ptr_array_unref(open);
	return true;
}

/* Links the invoices of one stored message found by a threading fallback. */
static bool
link_conversation_of(store *db, char *message_id, const char *how, match_result *match,
		     GError **error)
{
	const char *ids[] = {message_id, NULL};
	int64_t client_id = 0;
	GArray *found;
	bool ok = true;

	if (message_id == NULL)
		return error == NULL || *error == NULL;
	found = store_invoices_for_references(db, ids, &client_id, error);
	g_free(message_id);
	if (found == NULL)
		return false;
	for (guint i = 0; i < found->len && ok; i++) {
		store_invoice *invoice =
		    store_invoice_get(db, g_array_index(found, int64_t, i), error);
		if (invoice == NULL) {
			ok = false;
			break;
		}
		/* A fallback never moves mail to another client. */
		if (match->client_id == 0 || invoice->client_id == match->client_id) {
			add_invoice(match, invoice);
			ok = set_client(db, match, invoice->client_id, error);
		}
		store_invoice_free(invoice);
	}
	g_array_unref(found);
	if (ok && match->invoice_ids->len > 0)
		match->how = how;
	return ok;
}

/* Outlook's Thread-Index, for mail whose references were stripped. */
static bool
match_by_thread_index(store *db, const classify_result *message, match_result *match,
		      GError **error)
{
	const char *raw = mail_thread_index(message->mail);
	char *key;
	bool ok;

	if (raw == NULL || (key = thread_index_normalise(raw, NULL)) == NULL)
		return true;
	ok = link_conversation_of(db, store_message_find_by_thread_index(db, key, error),
				  "thread", match, error);
	g_free(key);
	return ok;
}

/* The last resort: the same subject, only within the client's own mail. */
static bool
match_by_subject(store *db, const classify_result *message, match_result *match,
		 GError **error)
{
	char *key;
	bool ok;

	if (match->client_id == 0)
		return true;
	key = thread_subject_key(mail_subject(message->mail));
	ok = *key == '\0' ||
	     link_conversation_of(db, store_message_find_by_subject(db, match->client_id, key, error),
				  "thread", match, error);
	g_free(key);
	return ok;
}

bool
match_message(store *db, const classify_result *message, match_result *match, GError **error)
{
	memset(match, 0, sizeof *match);
	match->invoice_ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	match->numbers = g_ptr_array_new_with_free_func(g_free);
	if (!match_by_thread(db, message, match, error))
		return false;
	if (match->invoice_ids->len == 0 && !match_by_thread_index(db, message, match, error))
		return false;
	if (match->invoice_ids->len > 0)
		return true;
	if (!find_client_by_address(db, message, match, error))
		return false;
	if (!match_by_number(db, message, match, error))
		return false;
	if (match->invoice_ids->len == 0 && !match_by_subject(db, message, match, error))
		return false;
	if (match->invoice_ids->len > 0)
		return true;
	return match_by_sender(db, match, error);
}
