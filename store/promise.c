/* Promises to pay: made by replies, kept by payments, broken by the calendar. */
#include "store/store-private.h"

void
store_promise_free(store_promise *promise)
{
	if (promise == NULL)
		return;
	g_free(promise->invoice_number);
	g_free(promise->client_name);
	g_free(promise->state);
	g_free(promise);
}

static store_promise *
promise_from_row(sqlite3_stmt *stmt)
{
	store_promise *p = g_new0(store_promise, 1);

	p->id = sqlite3_column_int64(stmt, 0);
	p->invoice_id = sqlite3_column_int64(stmt, 1);
	p->invoice_number = store_column_text(stmt, 2);
	p->client_name = store_column_text(stmt, 3);
	p->made_on = store_column_date(stmt, 4);
	p->promised_date = store_column_date(stmt, 5);
	p->state = store_column_text(stmt, 6);
	p->settled_on = store_column_date(stmt, 7);
	return p;
}

GPtrArray *
store_promise_list(store *db, GError **error)
{
	static const char sql[] =
	    "SELECT p.id, p.invoice_id, i.number, c.name, p.made_on, p.promised_date, p.state,"
	    " p.settled_on FROM promises p JOIN invoices i ON i.id = p.invoice_id JOIN clients c"
	    " ON c.id = i.client_id ORDER BY p.promised_date DESC, p.id DESC";
	return store_query_records(db, sql, NULL, 0, (store_row_reader)promise_from_row,
				   (GDestroyNotify)store_promise_free, "listing promises", error);
}

bool
store_promise_break_overdue(store *db, dm_date today, int grace_working_days, int *broken,
			    GError **error)
{
	static const char open_sql[] =
	    "SELECT p.id, p.invoice_id, p.promised_date, i.client_id, i.status FROM promises p"
	    " JOIN invoices i ON i.id = p.invoice_id WHERE p.state = 'open' AND i.balance > 0";
	static const char break_sql[] = "UPDATE promises SET state = 'broken', settled_on = ?"
					" WHERE id = ?";
	static const char status_sql[] = "UPDATE invoices SET status = 'open' WHERE id = ? AND"
					 " status = 'promised'";
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t) * 4);
	sqlite3_stmt *stmt;
	int rc;
	bool ok = false;

	*broken = 0;
	if (!store_begin(db, error)) {
		g_array_unref(ids);
		return false;
	}
	if ((stmt = store_statement(db, open_sql, error)) == NULL)
		goto out;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		dm_date promised = store_column_date(stmt, 2);
		/* Broken once the promised day and the grace period have passed. */
		if (promised != DM_DATE_NONE &&
		    dm_date_add_working_days(promised, grace_working_days, NULL, 0) < today) {
			int64_t row[4] = {sqlite3_column_int64(stmt, 0),
					  sqlite3_column_int64(stmt, 1), promised,
					  sqlite3_column_int64(stmt, 3)};
			g_array_append_vals(ids, row, 1);
		}
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "reading promises");
		goto out;
	}
	for (guint i = 0; i < ids->len; i++) {
		const int64_t *row = (const int64_t *)ids->data + (size_t)4 * i;
		store_source source = {.command = "followup"};
		char iso[DM_DATE_ISO_SIZE];
		char *detail;
		bool written;
		if ((stmt = store_statement(db, break_sql, error)) == NULL)
			goto out;
		store_bind_date(stmt, 1, today);
		sqlite3_bind_int64(stmt, 2, row[0]);
		if (!store_step_done(db, stmt, error, "breaking a promise"))
			goto out;
		if ((stmt = store_statement(db, status_sql, error)) == NULL)
			goto out;
		sqlite3_bind_int64(stmt, 1, row[1]);
		if (!store_step_done(db, stmt, error, "reopening an invoice"))
			goto out;
		detail = g_strdup_printf("promise to pay by %s broken",
					 dm_date_format_iso((dm_date)row[2], iso));
		written = store_event_write(db, row[1], row[3], "promise", "promised", "open",
					    detail, &source, error);
		g_free(detail);
		if (!written)
			goto out;
		(*broken)++;
	}
	ok = true;
out:
	g_array_unref(ids);
	if (ok)
		return store_commit(db, error);
	store_rollback(db);
	return false;
}

dm_date
store_invoice_broken_promise(store *db, int64_t invoice_id, GError **error)
{
	static const char sql[] = "SELECT max(promised_date) FROM promises WHERE invoice_id = ?"
				  " AND state = 'broken'";
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	dm_date date = DM_DATE_NONE;

	if (stmt == NULL)
		return DM_DATE_NONE;
	sqlite3_bind_int64(stmt, 1, invoice_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		date = store_column_date(stmt, 0);
	sqlite3_reset(stmt);
	return date;
}

bool
store_invoice_clear_promised_date(store *db, int64_t invoice_id, GError **error)
{
	static const char sql[] = "UPDATE invoices SET promised_date = NULL WHERE id = ? AND"
				  " status <> 'promised'";
	sqlite3_stmt *stmt = store_statement(db, sql, error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, invoice_id);
	return store_step_done(db, stmt, error, "clearing a broken promise");
}
