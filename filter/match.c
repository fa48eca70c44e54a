#include "filter/match.h"
#include "common/util.h"
#include "filter/thread.h"

#include <string.h>

/* How much text is searched for invoice numbers. */
#define MATCH_TEXT_LIMIT (64 * 1024)

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
 * Lower-cases ASCII and normalises white space: dropped next to
 * punctuation, one space between words.  So "FV / 2026 / 031" finds
 * "fv/2026/031" while "invoice 12345" keeps the boundary before the number.
 */
static char *
squeeze(const char *text, size_t limit)
{
	GString *out = g_string_sized_new(64);
	size_t i = 0;

	while (i < limit && text[i] != '\0') {
		unsigned char c = (unsigned char)text[i];
		if (g_ascii_isspace(c)) {
			size_t j = i;
			while (j < limit && text[j] != '\0' && g_ascii_isspace(text[j]))
				j++;
			if (out->len > 0 && g_ascii_isalnum(out->str[out->len - 1]) &&
			    j < limit && g_ascii_isalnum(text[j]))
				g_string_append_c(out, ' ');
			i = j;
			continue;
		}
		g_string_append_c(out, (char)g_ascii_tolower(c));
		i++;
	}
	return g_string_free(out, FALSE);
}

static bool
is_word_byte(char c)
{
	return g_ascii_isalnum(c);
}

GArray *
match_find_numbers(const char *text, GPtrArray *candidates)
{
	GArray *found = g_array_new(FALSE, FALSE, sizeof(guint));
	char *haystack = text != NULL ? squeeze(text, MATCH_TEXT_LIMIT) : g_strdup("");

	for (guint i = 0; i < candidates->len; i++) {
		char *needle = squeeze(g_ptr_array_index(candidates, i), 256);
		size_t length = strlen(needle);
		bool digits_only = strspn(needle, "0123456789") == length;
		const char *at = haystack;

		/* Short bare numbers ("17") are too common in mail to mean an invoice. */
		if (length == 0 || (digits_only && length < 4)) {
			g_free(needle);
			continue;
		}
		while ((at = strstr(at, needle)) != NULL) {
			bool start_ok = at == haystack || !is_word_byte(at[-1]) ||
					!is_word_byte(needle[0]);
			bool end_ok = !is_word_byte(at[length]) || !is_word_byte(needle[length - 1]);
			if (start_ok && end_ok) {
				g_array_append_val(found, i);
				break;
			}
			at++;
		}
		g_free(needle);
	}
	g_free(haystack);
	return found;
}

static void
add_invoice(match_result *match, const store_invoice *invoice)
{
	for (guint i = 0; i < match->invoice_ids->len; i++)
		if (g_array_index(match->invoice_ids, int64_t, i) == invoice->id)
			return;
	g_array_append_val(match->invoice_ids, invoice->id);
	g_ptr_array_add(match->numbers, g_strdup(invoice->number));
}

static bool
set_client(store *db, match_result *match, int64_t client_id, GError **error)
{
	store_client *client;

	if (client_id == 0 || match->client_id == client_id)
		return true;
	if ((client = store_client_get(db, client_id, error)) == NULL)
		return false;
	match->client_id = client->id;
	g_free(match->client_name);
	match->client_name = g_strdup(client->name);
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
			ok = set_client(db, match, client->id, error);
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
	store_invoice_filter filter = {.client_id = match->client_id};
	GPtrArray *invoices = store_invoice_list(db, &filter, error);
	GPtrArray *numbers;
	char *text;
	GArray *found;

	if (invoices == NULL)
		return false;
	numbers = g_ptr_array_new();
	for (guint i = 0; i < invoices->len; i++)
		g_ptr_array_add(numbers, ((store_invoice *)g_ptr_array_index(invoices, i))->number);
	text = g_strdup_printf("%s\n%s", mail_subject(message->mail),
			       message->reply_text != NULL ? message->reply_text : "");
	found = match_find_numbers(text, numbers);
	for (guint i = 0; i < found->len; i++) {
		const store_invoice *invoice =
		    g_ptr_array_index(invoices, g_array_index(found, guint, i));
		/* Numbers of another client's invoices do not move a known client's mail. */
		if (match->client_id != 0 && invoice->client_id != match->client_id)
			continue;
		add_invoice(match, invoice);
		if (match->client_id == 0 && !set_client(db, match, invoice->client_id, error))
			break;
	}
	if (match->invoice_ids->len > 0)
		match->how = "number";
	g_array_unref(found);
	g_free(text);
	g_ptr_array_free(numbers, TRUE);
	g_ptr_array_unref(invoices);
	return error == NULL || *error == NULL;
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
