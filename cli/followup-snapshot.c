#include "cli/followup-snapshot.h"

#include <string.h>

struct followup_snapshot {
	GPtrArray *clients;        /* store_client* */
	GPtrArray *invoices;       /* store_invoice* */
	GArray *plan_clients;      /* plan_client */
	GPtrArray *plan_invoices;  /* plan_invoice[] per client (g_free) */
	GPtrArray *strings;        /* char *: thread ids and the like, owned here */
	GPtrArray *vectors;        /* char **: address lists (g_free, borrowed strings) */
	GPtrArray *unread;         /* GPtrArray of store_message*: each client's unread replies */
	GPtrArray *plan_replies;   /* plan_reply[] per client (g_free) */
	GPtrArray *reply_invoices; /* GArray of int64_t: the invoices of each unread reply */
	GHashTable *invoice_by_id; /* int64 id -> store_invoice* */
	GHashTable *client_by_id;
};

void
followup_snapshot_free(followup_snapshot *s)
{
	if (s == NULL)
		return;
	if (s->clients != NULL)
		g_ptr_array_unref(s->clients);
	if (s->invoices != NULL)
		g_ptr_array_unref(s->invoices);
	g_array_unref(s->plan_clients);
	g_ptr_array_unref(s->plan_invoices);
	g_ptr_array_unref(s->strings);
	g_ptr_array_unref(s->vectors);
	g_ptr_array_unref(s->unread);
	g_ptr_array_unref(s->plan_replies);
	g_ptr_array_unref(s->reply_invoices);
	g_hash_table_destroy(s->invoice_by_id);
	g_hash_table_destroy(s->client_by_id);
	g_free(s);
}

/* A NULL-terminated view of a GPtrArray of strings; the snapshot keeps it. */
static const char *const *
vector_of(followup_snapshot *s, GPtrArray *list, GPtrArray *skip)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < list->len; i++) {
		const char *item = g_ptr_array_index(list, i);
		bool skipped = false;
		for (guint j = 0; skip != NULL && j < skip->len && !skipped; j++)
			skipped = strcmp(item, g_ptr_array_index(skip, j)) == 0;
		if (!skipped)
			g_ptr_array_add(out, (gpointer)item);
	}
	g_ptr_array_add(out, NULL);
	g_ptr_array_add(s->vectors, out->pdata);
	return (const char *const *)g_ptr_array_free(out, FALSE);
}

/* What the drafts of a client say about one invoice. */
static void
draft_facts(GPtrArray *drafts, const store_invoice *invoice, plan_invoice *p)
{
	for (guint i = 0; i < drafts->len; i++) {
		const store_draft *d = g_ptr_array_index(drafts, i);
		bool linked = false;
		for (guint j = 0; j < d->invoice_ids->len && !linked; j++)
			linked = g_array_index(d->invoice_ids, int64_t, j) == invoice->id;
		if (!linked)
			continue;
		if (g_strcmp0(d->kind, "dispute-ack") == 0 && d->state != DRAFT_DISCARDED &&
		    d->state != DRAFT_REPLACED)
			p->dispute_acknowledged = true;
		if (d->level <= 0)
			continue;
		if ((d->state == DRAFT_WRITTEN || d->state == DRAFT_INTENDED) &&
		    d->level > p->drafted_level)
			p->drafted_level = d->level;
		/* A level the user threw away unsent is not drafted again: the
		 * planner sees it as the next level (level_discarded) and waits
		 * for the one after, which comes when it is due. */
		if (d->state == DRAFT_DISCARDED && d->level - 1 >= p->level) {
			p->level = d->level - 1;
			p->level_discarded = true;
		}
	}
}

/* The day of the client's newest contact planned (draft, call, letter) that was not thrown away. */
static dm_date
last_planned(GPtrArray *drafts)
{
	dm_date newest = DM_DATE_NONE;

	for (guint i = 0; i < drafts->len; i++) {
		const store_draft *d = g_ptr_array_index(drafts, i);
		if (d->state != DRAFT_DISCARDED && d->state != DRAFT_REPLACED &&
		    d->planned_on != DM_DATE_NONE && d->planned_on > newest)
			newest = d->planned_on;
	}
	return newest;
}

/*
 * The client's unread replies as the planner sees them, with the invoices
 * each is linked to; the snapshot keeps the messages their strings live in.
 */
static bool
unread_replies(followup_snapshot *s, store *db, GPtrArray *messages, plan_client *pc,
               GError **error)
{
	plan_reply *replies = g_new0(plan_reply, messages->len + 1);

	g_ptr_array_add(s->plan_replies, replies);
	g_ptr_array_add(s->unread, g_ptr_array_ref(messages));
	for (guint i = 0; i < messages->len; i++) {
		const store_message *m = g_ptr_array_index(messages, i);
		GArray *invoices = store_message_invoices(db, m->id, error);
		if (invoices == NULL)
			return false;
		g_ptr_array_add(s->reply_invoices, invoices);
		replies[i].message_id = m->message_id;
		replies[i].date = m->date;
		replies[i].from = m->from_address;
		replies[i].subject = m->subject;
		replies[i].invoice_ids = (const int64_t *)(const void *)invoices->data;
		replies[i].n_invoice_ids = invoices->len;
	}
	pc->unread_replies = replies;
	pc->n_unread_replies = messages->len;
	return true;
}

followup_snapshot *
followup_snapshot_load(store *db, GError **error)
{
	followup_snapshot *s = g_new0(followup_snapshot, 1);
	store_invoice_filter all = {0};

	s->plan_clients = g_array_new(FALSE, TRUE, sizeof(plan_client));
	s->plan_invoices = g_ptr_array_new_with_free_func(g_free);
	s->strings = g_ptr_array_new_with_free_func(g_free);
	s->vectors = g_ptr_array_new_with_free_func(g_free);
	s->unread = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	s->plan_replies = g_ptr_array_new_with_free_func(g_free);
	s->reply_invoices = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	s->invoice_by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
	s->client_by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
	if ((s->clients = store_client_list(db, error)) == NULL ||
	    (s->invoices = store_invoice_list(db, &all, error)) == NULL)
		goto fail;
	for (guint c = 0; c < s->clients->len; c++) {
		store_client *client = g_ptr_array_index(s->clients, c);
		store_client_activity activity;
		GPtrArray *drafts;
		plan_client pc = {0};
		plan_invoice *invoices = g_new0(plan_invoice, s->invoices->len + 1);
		size_t n = 0;

		g_hash_table_insert(s->client_by_id, &client->id, client);
		g_ptr_array_add(s->plan_invoices, invoices);
		if (!store_client_activity_get(db, client->id, &activity, error))
			goto fail;
		if ((drafts = store_draft_list(db, client->id, error)) == NULL) {
			store_client_activity_clear(&activity);
			goto fail;
		}
		for (guint i = 0; i < s->invoices->len; i++) {
			store_invoice *invoice = g_ptr_array_index(s->invoices, i);
			plan_invoice *p = &invoices[n];
			char *thread;
			if (invoice->client_id != client->id)
				continue;
			g_hash_table_insert(s->invoice_by_id, &invoice->id, invoice);
			/* Closed invoices and planned ones (their instalments carry
			 * the balance) are not chased. */
			if (invoice->status == INVOICE_WRITTEN_OFF || invoice->balance == 0)
				continue;
			p->id = invoice->id;
			p->number = invoice->number;
			p->amount = invoice->amount;
			p->balance = invoice->balance;
			p->currency = invoice->currency;
			p->issued = invoice->issued;
			p->due = invoice->due;
			p->status = invoice->status;
			p->promised_date = invoice->promised_date;
			p->level = invoice->level;
			p->payment_claimed = invoice->status == INVOICE_PAID;
			p->discount_bp = invoice->discount_bp;
			p->discount_days = invoice->discount_days;
			thread = store_invoice_last_message_id(db, invoice->id, NULL, error);
			if (error != NULL && *error != NULL) {
				g_ptr_array_unref(drafts);
				store_client_activity_clear(&activity);
				goto fail;
			}
			if (thread != NULL)
				g_ptr_array_add(s->strings, thread);
			p->thread_message_id = thread;
			draft_facts(drafts, invoice, p);
			n++;
		}
		pc.last_planned = last_planned(drafts);
		g_ptr_array_unref(drafts);
		if (!unread_replies(s, db, activity.unread_replies, &pc, error)) {
			store_client_activity_clear(&activity);
			goto fail;
		}
		pc.id = client->id;
		pc.name = client->name;
		pc.language = client->language;
		pc.emails = vector_of(s, client->emails, client->bounced);
		pc.bounced = vector_of(s, client->bounced, NULL);
		pc.cc = vector_of(s, client->cc, NULL);
		pc.policy = client->policy;
		pc.paused_until = client->paused_until;
		pc.never_chase = client->never_chase;
		pc.last_outgoing = activity.last_outgoing;
		pc.last_incoming = activity.last_incoming;
		pc.reply_owed = activity.reply_owed;
		pc.away_until = activity.away_until;
		pc.promises_kept = activity.promises_kept;
		pc.promises_broken = activity.promises_broken;
		pc.invoices = invoices;
		pc.n_invoices = n;
		store_client_activity_clear(&activity);
		g_array_append_val(s->plan_clients, pc);
	}
	return s;
fail:
	followup_snapshot_free(s);
	return NULL;
}

const plan_client *
followup_snapshot_clients(const followup_snapshot *s, size_t *n)
{
	*n = s->plan_clients->len;
	return (const plan_client *)s->plan_clients->data;
}

const store_invoice *
followup_snapshot_invoice(const followup_snapshot *s, int64_t id)
{
	return g_hash_table_lookup(s->invoice_by_id, &id);
}

const store_client *
followup_snapshot_client(const followup_snapshot *s, int64_t id)
{
	return g_hash_table_lookup(s->client_by_id, &id);
}
