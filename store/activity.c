/* What a client's mail says about when (and whether) to contact them. */
#include "store/store-private.h"

#include <string.h>

void
store_client_activity_clear(store_client_activity *activity)
{
	g_free(activity->reply_owed_class);
	if (activity->unread_replies != NULL)
		g_ptr_array_unref(activity->unread_replies);
	memset(activity, 0, sizeof *activity);
}

/* One row of dates/texts for a client from a query with ?1 = client id. */
static bool
one_row(store *db, const char *sql, int64_t client_id, sqlite3_stmt **out, GError **error)
{
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	int rc;

	*out = NULL;
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, client_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*out = stmt;
		return true;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "reading a client's mail");
		return false;
	}
	return true;
}

bool
store_client_activity_get(store *db, int64_t client_id, store_client_activity *activity,
			  GError **error)
{
	sqlite3_stmt *stmt;
	int64_t last_out_at = 0, last_in_at = 0;

	memset(activity, 0, sizeof *activity);
	activity->last_outgoing = activity->last_incoming = activity->away_until = DM_DATE_NONE;
	/* Mail the user wrote to the client (or a draft of ours that was sent). */
	if (!one_row(db,
		     "SELECT max(date), max(sent_at) FROM messages WHERE client_id = ?1 AND"
		     " direction = 'out' AND date IS NOT NULL",
		     client_id, &stmt, error))
		return false;
	if (stmt != NULL) {
		activity->last_outgoing = store_column_date(stmt, 0);
		last_out_at = sqlite3_column_int64(stmt, 1);
		sqlite3_reset(stmt);
	}
	/* The client's newest message that is not an automatic one. */
	if (!one_row(db,
		     "SELECT date, sent_at, class FROM messages WHERE client_id = ?1 AND"
		     " direction = 'in' AND class NOT IN ('autoreply', 'bounce') AND date IS NOT"
		     " NULL ORDER BY sent_at DESC, id DESC LIMIT 1",
		     client_id, &stmt, error))
		return false;
	if (stmt != NULL) {
		const char *klass = (const char *)sqlite3_column_text(stmt, 2);
		activity->last_incoming = store_column_date(stmt, 0);
		last_in_at = sqlite3_column_int64(stmt, 1);
		if (klass != NULL && (strcmp(klass, "question") == 0 ||
				      strcmp(klass, "copy_requested") == 0 ||
				      strcmp(klass, "plan_requested") == 0) &&
		    last_in_at > last_out_at) {
			activity->reply_owed = true;
			activity->reply_owed_class = g_strdup(klass);
		}
		sqlite3_reset(stmt);
	}
	if (!one_row(db,
		     "SELECT max(class_date) FROM messages WHERE client_id = ?1 AND"
		     " class = 'autoreply' AND class_date IS NOT NULL",
		     client_id, &stmt, error))
		return false;
	if (stmt != NULL) {
		activity->away_until = store_column_date(stmt, 0);
		sqlite3_reset(stmt);
	}
	if (!one_row(db,
		     "SELECT sum(p.state = 'kept'), sum(p.state = 'broken'), sum(p.state = 'open')"
		     " FROM promises p JOIN invoices i ON i.id = p.invoice_id WHERE i.client_id = ?1",
		     client_id, &stmt, error))
		return false;
	if (stmt != NULL) {
		activity->promises_kept = sqlite3_column_int(stmt, 0);
		activity->promises_broken = sqlite3_column_int(stmt, 1);
		activity->promises_open = sqlite3_column_int(stmt, 2);
		sqlite3_reset(stmt);
	}
	/* A reply nobody read holds the reminders even when the client wrote
	 * again since (a promise read by a rule may answer a different
	 * question than the unread one asked). */
	{
		store_message_filter unread = {.client_id = client_id, .unread_only = true};
		activity->unread_replies = store_message_list(db, &unread, error);
		if (activity->unread_replies == NULL) {
			store_client_activity_clear(activity);
			return false;
		}
	}
	return true;
}

char *
store_invoice_last_message_id(store *db, int64_t invoice_id, GPtrArray *references,
			      GError **error)
{
	static const char sql[] =
	    "SELECT m.message_id FROM messages m JOIN message_invoices mi ON mi.message_row = m.id"
	    " WHERE mi.invoice_id = ?1 ORDER BY m.sent_at, m.id";
	static const char sent_sql[] = "SELECT sent_message_id FROM invoices WHERE id = ?1 AND"
				       " sent_message_id IS NOT NULL";
	sqlite3_stmt *stmt;
	char *last = NULL;
	int rc;

	/* The e-mail that sent the invoice starts the conversation. */
	if ((stmt = store_statement(db, sent_sql, error)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, invoice_id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		last = store_column_text(stmt, 0);
		if (references != NULL)
			g_ptr_array_add(references, g_strdup(last));
	}
	sqlite3_reset(stmt);
	if ((stmt = store_statement(db, sql, error)) == NULL) {
		g_free(last);
		return NULL;
	}
	sqlite3_bind_int64(stmt, 1, invoice_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		char *id = store_column_text(stmt, 0);
		if (g_strcmp0(id, last) == 0) {
			g_free(id);
			continue;
		}
		g_free(last);
		last = id;
		if (references != NULL)
			g_ptr_array_add(references, g_strdup(id));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "reading a conversation");
		g_free(last);
		return NULL;
	}
	return last;
}

bool
store_client_payments_get(store *db, int64_t client_id, dm_date today,
			  store_client_payments *payments, GError **error)
{
	static const char paid_sql[] =
	    "SELECT i.due, i.paid_on, i.status, i.balance"
	    " FROM invoices i WHERE i.client_id = ?1 AND i.id NOT IN"
	    " (SELECT invoice_id FROM plans)";
	static const char currency_sql[] =
	    "SELECT currency, count(*) AS n FROM invoices WHERE client_id = ?1 GROUP BY currency"
	    " ORDER BY n DESC, currency LIMIT 1";
	static const char sums_sql[] =
	    "SELECT coalesce(sum(CASE WHEN issued >= ?3 AND parent_id IS NULL THEN amount END), 0),"
	    " coalesce(sum(CASE WHEN status <> 'written_off' THEN balance END), 0)"
	    " FROM invoices WHERE client_id = ?1 AND currency = ?2";
	sqlite3_stmt *stmt;
	int rc;

	memset(payments, 0, sizeof *payments);
	if ((stmt = store_statement(db, paid_sql, error)) == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, client_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		dm_date due = store_column_date(stmt, 0);
		dm_date paid_on = store_column_date(stmt, 1);
		payments->invoices++;
		if (g_strcmp0((const char *)sqlite3_column_text(stmt, 2), "paid") == 0 &&
		    sqlite3_column_int64(stmt, 3) == 0 && paid_on != DM_DATE_NONE) {
			payments->paid++;
			if (paid_on <= due)
				payments->paid_on_time++;
			else
				payments->days_late_sum += paid_on - due;
		}
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "reading payments");
		return false;
	}
	if ((stmt = store_statement(db, currency_sql, error)) == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, client_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		g_strlcpy(payments->currency, (const char *)sqlite3_column_text(stmt, 0),
			  sizeof payments->currency);
	sqlite3_reset(stmt);
	if (payments->currency[0] == '\0')
		return true;
	if ((stmt = store_statement(db, sums_sql, error)) == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, client_id);
	store_bind_text(stmt, 2, payments->currency);
	store_bind_date(stmt, 3, today - 365);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		payments->invoiced_year = sqlite3_column_int64(stmt, 0);
		payments->open_balance = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	return true;
}
