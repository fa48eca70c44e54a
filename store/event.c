/* The event log: one row per change, read back as an invoice's timeline. */
#include "store/store-private.h"

bool
store_event_write(store *db, int64_t invoice_id, int64_t client_id, const char *kind,
		  const char *before, const char *after, const char *detail,
		  const store_source *source, GError **error)
{
	static const char sql[] =
	    "INSERT INTO events (at, invoice_id, client_id, kind, command, message_row, rule_id,"
	    " before, after, detail) VALUES (?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	char *now;
	bool ok;

	if (stmt == NULL)
		return false;
	if (source == NULL || (source->command == NULL && source->message_row == 0)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INTERNAL,
			    "an event needs a source (a command or a message)");
		return false;
	}
	now = store_timestamp();
	store_bind_text(stmt, 1, now);
	if (invoice_id != 0)
		sqlite3_bind_int64(stmt, 2, invoice_id);
	if (client_id != 0)
		sqlite3_bind_int64(stmt, 3, client_id);
	store_bind_text(stmt, 4, kind);
	store_bind_text(stmt, 5, source->command);
	if (source->message_row != 0)
		sqlite3_bind_int64(stmt, 6, source->message_row);
	store_bind_text(stmt, 7, source->rule_id);
	store_bind_text(stmt, 8, before);
	store_bind_text(stmt, 9, after);
	store_bind_text(stmt, 10, detail);
	ok = store_step_done(db, stmt, error, "writing an event");
	g_free(now);
	return ok;
}

void
store_event_free(store_event *event)
{
	if (event == NULL)
		return;
	g_free(event->at);
	g_free(event->kind);
	g_free(event->command);
	g_free(event->message_id);
	g_free(event->rule_id);
	g_free(event->before);
	g_free(event->after);
	g_free(event->detail);
	g_free(event);
}

static store_event *
event_from_row(sqlite3_stmt *stmt)
{
	store_event *event = g_new0(store_event, 1);

	event->id = sqlite3_column_int64(stmt, 0);
	event->at = store_column_text(stmt, 1);
	event->kind = store_column_text(stmt, 2);
	event->command = store_column_text(stmt, 3);
	event->message_id = store_column_text(stmt, 4);
	event->rule_id = store_column_text(stmt, 5);
	event->before = store_column_text(stmt, 6);
	event->after = store_column_text(stmt, 7);
	event->detail = store_column_text(stmt, 8);
	return event;
}

GPtrArray *
store_event_list_for_invoice(store *db, int64_t invoice_id, GError **error)
{
	static const char sql[] =
	    "SELECT e.id, e.at, e.kind, e.command, m.message_id, e.rule_id, e.before, e.after,"
	    " e.detail FROM events e LEFT JOIN messages m ON m.id = e.message_row"
	    " WHERE e.invoice_id = ? ORDER BY e.id";
	return store_query_records(db, sql, NULL, invoice_id, (store_row_reader)event_from_row,
				   (GDestroyNotify)store_event_free, "reading events", error);
}

int64_t
store_event_count(store *db, GError **error)
{
	sqlite3_stmt *stmt = store_statement(db, "SELECT count(*) FROM events", error);
	int64_t count = -1;

	if (stmt == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		count = sqlite3_column_int64(stmt, 0);
	else
		store_set_sql_error(db, error, "counting events");
	sqlite3_reset(stmt);
	return count;
}
