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
 * One invoice's change.  A change the invoice's state does not allow (a
 * promise on a disputed invoice, anything on a paid one) is not an error
 * of the message: it is skipped, and the message row still says what the
 * client wrote.
 */
static bool
apply_to_invoice(store *db, const classify_result *message, int64_t invoice_id,
		 const store_source *source, int *changes, GError **error)
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
	switch (message->klass) {
	case RULES_CLASS_PROMISED: {
		dm_date by = message->class_date != DM_DATE_NONE
				 ? message->class_date
				 : message->date + APPLY_UNDATED_PROMISE_DAYS;
		ok = store_invoice_promise(db, invoice_id, by, message->date, source, &local);
		break;
	}
	case RULES_CLASS_DISPUTED:
		detail = evidence(message);
		ok = store_invoice_dispute(db, invoice_id, detail, 0, source, &local);
		break;
	case RULES_CLASS_PAID:
		ok = store_invoice_claim_paid(db, invoice_id, source, &local);
		break;
	case RULES_CLASS_AUTOREPLY:
		detail = message->class_date != DM_DATE_NONE
			     ? g_strdup_printf("out of office until %s",
					       dm_date_format_iso(message->class_date, iso))
			     : g_strdup("out of office");
		ok = store_invoice_add_note(db, invoice_id, detail, source, &local);
		break;
	case RULES_CLASS_COPY_REQUESTED:
	case RULES_CLASS_PLAN_REQUESTED:
	case RULES_CLASS_QUESTION:
		detail = g_strdup_printf("client asks (%s): reply owed",
					 rules_class_name(message->klass));
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
	if (ok && message->klass != RULES_CLASS_NONE && message->klass != RULES_CLASS_BOUNCE)
		(*changes)++;
	if (!ok && g_error_matches(local, DM_ERROR, DM_ERROR_CONFLICT)) {
		dm_log_info("message <%s>: invoice %s: %s", message->message_id, invoice->number,
			    local->message);
		g_clear_error(&local);
		ok = true;
	} else if (!ok) {
		g_propagate_error(error, local);
	}
	g_free(detail);
	store_invoice_free(invoice);
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
		for (guint i = 0; i < match->invoice_ids->len; i++)
			if (!apply_to_invoice(db, message, g_array_index(match->invoice_ids, int64_t, i),
					      &source, &summary->changes, error))
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
