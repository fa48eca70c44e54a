#include "filter/apply.h"
#include "common/util.h"
#include "filter/thread.h"

#include <string.h>

/* What the client said, for the event: the words the rule matched, on one line. */
static char *
evidence(const classify_result *message)
{
	char *text;

	if (message->evidence == NULL)
		return NULL;
	text = g_strndup(message->evidence, 200);
	for (char *p = text; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return g_strstrip(text);
}

static store_message *
message_row(const classify_result *message, const match_result *match, const char *folder)
{
	store_message *row = store_message_new();
	const char *const *references = mail_references(message->mail);

	row->message_id = g_strdup(message->message_id);
	row->direction = message->outgoing ? MESSAGE_OUT : MESSAGE_IN;
	row->folder = g_strdup(folder);
	row->sent_at = message->sent_at;
	row->date = message->date;
	row->from_address = g_strdup(mail_from_address(message->mail));
	row->subject = g_strdup(mail_subject(message->mail));
	row->in_reply_to = g_strdup(mail_in_reply_to(message->mail));
	if (mail_thread_index(message->mail) != NULL)
		row->thread_index = thread_index_normalise(mail_thread_index(message->mail), NULL);
	row->subject_key = thread_subject_key(mail_subject(message->mail));
	row->client_id = match->client_id;
	row->class_name = g_strdup(rules_class_name(message->klass));
	row->class_date = message->class_date;
	row->rule_id = g_strdup(message->rule_id);
	row->language = g_strdup(message->language);
	row->draft_message_id = g_strdup(message->draft_id);
	for (size_t i = 0; references != NULL && references[i] != NULL; i++)
		g_ptr_array_add(row->references, g_strdup(references[i]));
	return row;
}

/*
 * What a message says, as applied to an invoice: from a rule's reading
 * (apply_message) or the user's (apply_reading).
 */
typedef struct {
	const char *message_id; /* for the log */
	rules_class klass;
	dm_date class_date;   /* a promise's date, a return date, DM_DATE_NONE */
	dm_date date;         /* the message's day */
	const char *evidence; /* the client's words for a dispute note, or NULL */
	bool by_user;         /* a refused change is told to the user, not only logged */
} reading;

/*
 * One invoice's change.  A change the invoice's state does not allow (a
 * promise on a disputed invoice, anything on a paid one) is not an error
 * of the message: it is skipped, and the message row still says what the
 * client wrote.
 */
static bool
apply_to_invoice(store *db, const reading *what, int64_t invoice_id, const store_source *source,
		 int *changes, GError **error)
{
	store_invoice *invoice = store_invoice_get(db, invoice_id, error);
	GError *local = NULL;
	char iso[DM_DATE_ISO_SIZE];
	char *detail = NULL;
	bool ok = true;

	if (invoice == NULL)
		return false;
	if (!invoice_status_is_open(invoice->status) && invoice->status != INVOICE_PAID) {
		store_invoice_free(invoice);
		return true;
	}
	switch (what->klass) {
	case RULES_CLASS_PROMISED: {
		dm_date by = what->class_date != DM_DATE_NONE
				 ? what->class_date
				 : what->date + APPLY_UNDATED_PROMISE_DAYS;
		ok = store_invoice_promise(db, invoice_id, by, what->date, source, &local);
		break;
	}
	case RULES_CLASS_DISPUTED:
		ok = store_invoice_dispute(db, invoice_id, what->evidence, 0, source, &local);
		break;
	case RULES_CLASS_PAID:
		ok = store_invoice_claim_paid(db, invoice_id, source, &local);
		break;
	case RULES_CLASS_AUTOREPLY:
		detail = what->class_date != DM_DATE_NONE
			     ? g_strdup_printf("out of office until %s",
					       dm_date_format_iso(what->class_date, iso))
			     : g_strdup("out of office");
		ok = store_invoice_add_note(db, invoice_id, detail, source, &local);
		break;
	case RULES_CLASS_COPY_REQUESTED:
	case RULES_CLASS_PLAN_REQUESTED:
	case RULES_CLASS_QUESTION:
		detail = g_strdup_printf("client asks (%s): reply owed",
					 rules_class_name(what->klass));
		ok = store_invoice_add_note(db, invoice_id, detail, source, &local);
		break;
	case RULES_CLASS_UNRECOGNISED:
		ok = store_invoice_add_note(db, invoice_id,
					    "the client wrote and no rule read the reply: read it",
					    source, &local);
		break;
	case RULES_CLASS_BOUNCE:
	case RULES_CLASS_NONE:
		break;
	}
	if (ok && what->klass != RULES_CLASS_NONE && what->klass != RULES_CLASS_BOUNCE)
		(*changes)++;
	if (!ok && g_error_matches(local, DM_ERROR, DM_ERROR_CONFLICT)) {
		if (what->by_user)
			dm_log_warning("%s: left as it was", local->message);
		else
			dm_log_info("message <%s>: invoice %s: %s", what->message_id,
				    invoice->number, local->message);
		g_clear_error(&local);
		ok = true;
	} else if (!ok) {
		g_propagate_error(error, local);
	}
	g_free(detail);
	store_invoice_free(invoice);
	return ok;
}

/* A rule's reading, applied to every invoice the message was matched to. */
static bool
apply_to_matched(store *db, const classify_result *message, const match_result *match,
		 const store_source *source, int *changes, GError **error)
{
	char *words = message->klass == RULES_CLASS_DISPUTED ? evidence(message) : NULL;
	reading what = {message->message_id, message->klass, message->class_date, message->date,
			words, false};
	bool ok = true;

	for (guint i = 0; i < match->invoice_ids->len && ok; i++)
		ok = apply_to_invoice(db, &what, g_array_index(match->invoice_ids, int64_t, i), source,
				      changes, error);
	g_free(words);
	return ok;
}

bool
apply_message(store *db, const classify_result *message, const match_result *match,
	      const char *folder, apply_summary *summary, GError **error)
{
	store_message *row = message_row(message, match, folder);
	store_source source = {0};
	bool inserted = false;

	memset(summary, 0, sizeof *summary);
	if (!store_begin(db, error))
		goto fail_nolock;
	if (!store_message_add(db, row, &inserted, error))
		goto fail;
	if (!inserted) {
		summary->duplicate = true;
		store_message_free(row);
		return store_commit(db, error);
	}
	source.message_row = row->id;
	source.rule_id = message->rule_id;
	for (guint i = 0; i < match->invoice_ids->len; i++)
		if (!store_message_link_invoice(db, row->id,
						g_array_index(match->invoice_ids, int64_t, i),
						match->how, error))
			goto fail;
	if (message->outgoing) {
		/* The sent copy of one of our drafts: its level is reached. Mail
		 * clients keep the draft's Message-ID or at least our header. */
		if (!store_draft_mark_sent(db, message->draft_id != NULL ? message->draft_id
									 : message->message_id,
					   &source, error))
			goto fail;
	} else {
		/* The language the client writes in becomes theirs when unknown. */
		if (match->client_id != 0 && message->language != NULL) {
			store_client *client = store_client_get(db, match->client_id, error);
			bool ok = client != NULL &&
				  (client->language != NULL ||
				   store_client_set_language(db, client->id, message->language,
							     &source, error));
			store_client_free(client);
			if (!ok)
				goto fail;
		}
		if (!apply_to_matched(db, message, match, &source, &summary->changes, error))
			goto fail;
		if (message->klass == RULES_CLASS_BOUNCE && message->failed_recipients != NULL) {
			for (guint i = 0; i < message->failed_recipients->len; i++) {
				bool flagged = false;
				if (!store_client_flag_bounced(
					db, g_ptr_array_index(message->failed_recipients, i),
					message->date, &source, &flagged, error))
					goto fail;
				summary->changes += flagged;
			}
		}
	}
	if (!store_commit(db, error))
		goto fail;
	store_message_free(row);
	return true;
fail:
	store_rollback(db);
fail_nolock:
	store_message_free(row);
	return false;
}

bool
apply_reading(store *db, const store_message *message, rules_class klass, dm_date class_date,
	      const store_source *source, apply_summary *summary, GError **error)
{
	reading what = {message->message_id, klass, class_date, message->date, NULL, true};
	GArray *invoices = NULL;
	bool ok = false;

	memset(summary, 0, sizeof *summary);
	if (message->direction != MESSAGE_IN) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "message <%s> is your own (outgoing): only a client's message has a"
			    " class",
			    message->message_id);
		return false;
	}
	/* Only the pipeline may say that nobody read a message. */
	if (klass == RULES_CLASS_UNRECOGNISED) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "message <%s>: \"unrecognised\" cannot be set by hand: say what the"
			    " message means",
			    message->message_id);
		return false;
	}
	/* A date only means something for a promise (to pay by) and an
	 * auto-reply (back on). */
	if (class_date != DM_DATE_NONE && klass != RULES_CLASS_PROMISED &&
	    klass != RULES_CLASS_AUTOREPLY) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "message <%s>: a date goes with promised (the day to pay by) or"
			    " autoreply (the day back), not with %s",
			    message->message_id, rules_class_name(klass));
		return false;
	}
	if (klass == RULES_CLASS_PROMISED && class_date != DM_DATE_NONE &&
	    message->date != DM_DATE_NONE && class_date < message->date) {
		char made[DM_DATE_ISO_SIZE], by[DM_DATE_ISO_SIZE];
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "message <%s>: a promise made on %s cannot be to pay by %s, before it",
			    message->message_id, dm_date_format_iso(message->date, made),
			    dm_date_format_iso(class_date, by));
		return false;
	}
	if (!store_begin(db, error))
		return false;
	if (!store_message_set_class(db, message->id, rules_class_name(klass), class_date,
				     dm_date_today(), source, error) ||
	    (invoices = store_message_invoices(db, message->id, error)) == NULL)
		goto out;
	summary->changes = (int)invoices->len;
	for (guint i = 0; i < invoices->len; i++) {
		int changes = 0;
		if (!apply_to_invoice(db, &what, g_array_index(invoices, int64_t, i), source,
				      &changes, error))
			goto out;
	}
	ok = true;
out:
	if (invoices != NULL)
		g_array_unref(invoices);
	if (ok)
		return store_commit(db, error);
	store_rollback(db);
	return false;
}
