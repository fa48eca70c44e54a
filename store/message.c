/* Messages, their references and threads, and their links to invoices. */
#include "store/store-private.h"

#include <string.h>

store_message *
store_message_new(void)
{
	store_message *message = g_new0(store_message, 1);

	message->date = DM_DATE_NONE;
	message->class_date = DM_DATE_NONE;
	message->read_on = DM_DATE_NONE;
	message->references = g_ptr_array_new_with_free_func(g_free);
	return message;
}

void
store_message_free(store_message *message)
{
	if (message == NULL)
		return;
	g_free(message->message_id);
	g_free(message->folder);
	g_free(message->from_address);
	g_free(message->subject);
	g_free(message->subject_key);
	g_free(message->in_reply_to);
	g_free(message->thread_index);
	g_free(message->class_name);
	g_free(message->rule_id);
	g_free(message->language);
	g_free(message->draft_message_id);
	g_free(message->client_name);
	g_ptr_array_unref(message->references);
	g_free(message);
}

/* The thread of the nearest stored message among the references, or 0. */
static bool
thread_of_references(store *db, const store_message *message, int64_t *thread_id,
		     GError **error)
{
	static const char sql[] =
	    "SELECT thread_id FROM messages WHERE message_id = ? AND thread_id IS NOT NULL";
	GPtrArray *ids = g_ptr_array_new();
	bool ok = true;

	*thread_id = 0;
	if (message->in_reply_to != NULL)
		g_ptr_array_add(ids, message->in_reply_to);
	for (guint i = message->references->len; i > 0; i--)
		g_ptr_array_add(ids, g_ptr_array_index(message->references, i - 1));
	for (guint i = 0; i < ids->len && *thread_id == 0; i++) {
		sqlite3_stmt *stmt = store_statement(db, sql, error);
		int rc;
		if (stmt == NULL) {
			ok = false;
			break;
		}
		store_bind_text(stmt, 1, g_ptr_array_index(ids, i));
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW)
			*thread_id = sqlite3_column_int64(stmt, 0);
		sqlite3_reset(stmt);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			store_set_sql_error(db, error, "looking up a thread");
			ok = false;
		}
	}
	g_ptr_array_free(ids, TRUE);
	return ok;
}

static bool
new_thread(store *db, const store_message *message, int64_t *thread_id, GError **error)
{
	static const char sql[] = "INSERT INTO threads (client_id, subject, created) VALUES (?,?,?)";
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	char *now;
	bool ok;

	if (stmt == NULL)
		return false;
	now = store_timestamp();
	if (message->client_id != 0)
		sqlite3_bind_int64(stmt, 1, message->client_id);
	store_bind_text(stmt, 2, message->subject);
	store_bind_text(stmt, 3, now);
	ok = store_step_done(db, stmt, error, "starting a thread");
	g_free(now);
	*thread_id = sqlite3_last_insert_rowid(db->sql);
	return ok;
}

bool
store_message_add(store *db, store_message *message, bool *inserted, GError **error)
{
	static const char sql[] =
	    "INSERT INTO messages (message_id, direction, folder, sent_at, date, from_address,"
	    " subject, in_reply_to, thread_index, thread_id, client_id, class, class_date, rule_id,"
	    " language, draft_message_id, processed, subject_key)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	    " ON CONFLICT (message_id) DO NOTHING";
	static const char reference_sql[] =
	    "INSERT INTO message_references (message_row, position, reference) VALUES (?,?,?)";
	sqlite3_stmt *stmt;
	store_message *existing;
	char *now = NULL;

	*inserted = false;
	if (!store_begin(db, error))
		return false;
	existing = store_message_find(db, message->message_id, error);
	if (existing != NULL) {
		message->id = existing->id;
		message->thread_id = existing->thread_id;
		store_message_free(existing);
		return store_commit(db, error);
	}
	if (!thread_of_references(db, message, &message->thread_id, error))
		goto fail;
	if (message->thread_id == 0 && !new_thread(db, message, &message->thread_id, error))
		goto fail;
	if ((stmt = store_statement(db, sql, error)) == NULL)
		goto fail;
	now = store_timestamp();
	store_bind_text(stmt, 1, message->message_id);
	store_bind_text(stmt, 2, message->direction == MESSAGE_OUT ? "out" : "in");
	store_bind_text(stmt, 3, message->folder);
	if (message->sent_at != 0)
		sqlite3_bind_int64(stmt, 4, message->sent_at);
	store_bind_date(stmt, 5, message->date);
	store_bind_text(stmt, 6, message->from_address);
	store_bind_text(stmt, 7, message->subject);
	store_bind_text(stmt, 8, message->in_reply_to);
	store_bind_text(stmt, 9, message->thread_index);
	sqlite3_bind_int64(stmt, 10, message->thread_id);
	if (message->client_id != 0)
		sqlite3_bind_int64(stmt, 11, message->client_id);
	store_bind_text(stmt, 12, message->class_name != NULL ? message->class_name : "none");
	store_bind_date(stmt, 13, message->class_date);
	store_bind_text(stmt, 14, message->rule_id);
	store_bind_text(stmt, 15, message->language);
	store_bind_text(stmt, 16, message->draft_message_id);
	store_bind_text(stmt, 17, now);
	store_bind_text(stmt, 18, message->subject_key);
	if (!store_step_done(db, stmt, error, "storing a message"))
		goto fail;
	message->id = sqlite3_last_insert_rowid(db->sql);
	/* Bound the references kept: a hostile header may list thousands. */
	for (guint i = 0; i < message->references->len && i < 200; i++) {
		if ((stmt = store_statement(db, reference_sql, error)) == NULL)
			goto fail;
		sqlite3_bind_int64(stmt, 1, message->id);
		sqlite3_bind_int(stmt, 2, (int)i);
		store_bind_text(stmt, 3, g_ptr_array_index(message->references, i));
		if (!store_step_done(db, stmt, error, "storing references"))
			goto fail;
	}
	if (!store_commit(db, error))
		goto fail;
	g_free(now);
	*inserted = true;
	return true;
fail:
	g_free(now);
	store_rollback(db);
	return false;
}

#define MESSAGE_COLUMNS                                                                            \
	"m.id, m.message_id, m.direction, m.folder, m.sent_at, m.date, m.from_address,"            \
	" m.subject, m.in_reply_to, m.thread_index, m.thread_id, m.client_id, m.class,"            \
	" m.class_date, m.rule_id, m.language, m.draft_message_id, m.read_on, c.name"

static store_message *
message_from_row(sqlite3_stmt *stmt)
{
	store_message *message = store_message_new();

	message->id = sqlite3_column_int64(stmt, 0);
	message->message_id = store_column_text(stmt, 1);
	message->direction = g_strcmp0((const char *)sqlite3_column_text(stmt, 2), "out") == 0
				 ? MESSAGE_OUT
				 : MESSAGE_IN;
	message->folder = store_column_text(stmt, 3);
	message->sent_at = sqlite3_column_int64(stmt, 4);
	message->date = store_column_date(stmt, 5);
	message->from_address = store_column_text(stmt, 6);
	message->subject = store_column_text(stmt, 7);
	message->in_reply_to = store_column_text(stmt, 8);
	message->thread_index = store_column_text(stmt, 9);
	message->thread_id = sqlite3_column_int64(stmt, 10);
	message->client_id = sqlite3_column_int64(stmt, 11);
	message->class_name = store_column_text(stmt, 12);
	message->class_date = store_column_date(stmt, 13);
	message->rule_id = store_column_text(stmt, 14);
	message->language = store_column_text(stmt, 15);
	message->draft_message_id = store_column_text(stmt, 16);
	message->read_on = store_column_date(stmt, 17);
	message->client_name = store_column_text(stmt, 18);
	return message;
}

store_message *
store_message_find(store *db, const char *message_id, GError **error)
{
	static const char sql[] = "SELECT " MESSAGE_COLUMNS " FROM messages m LEFT JOIN clients c"
				  " ON c.id = m.client_id WHERE m.message_id = ?";
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	store_message *message = NULL;
	int rc;

	if (stmt == NULL)
		return NULL;
	store_bind_text(stmt, 1, message_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		message = message_from_row(stmt);
	else if (rc != SQLITE_DONE)
		store_set_sql_error(db, error, "reading a message");
	sqlite3_reset(stmt);
	return message;
}

bool
store_message_is_unread(const store_message *message)
{
	return message->direction == MESSAGE_IN && message->read_on == DM_DATE_NONE &&
	       g_strcmp0(message->class_name, "unrecognised") == 0;
}

GPtrArray *
store_message_list(store *db, const store_message_filter *filter, GError **error)
{
	/* The unread condition is the messages_unread index's. */
	static const char sql[] =
	    "SELECT " MESSAGE_COLUMNS " FROM messages m LEFT JOIN clients c ON c.id = m.client_id"
	    " WHERE (?1 = 0 OR m.client_id = ?1) AND (?2 = 0 OR (m.class = 'unrecognised' AND"
	    " m.read_on IS NULL AND m.direction = 'in'))"
	    " ORDER BY coalesce(m.sent_at, 0), m.id";
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	GPtrArray *messages;
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, filter != NULL ? filter->client_id : 0);
	sqlite3_bind_int(stmt, 2, filter != NULL && filter->unread_only ? 1 : 0);
	messages = g_ptr_array_new_with_free_func((GDestroyNotify)store_message_free);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(messages, message_from_row(stmt));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "listing messages");
		g_ptr_array_unref(messages);
		return NULL;
	}
	return messages;
}

bool
store_message_set_class(store *db, int64_t message_row, const char *class_name,
			dm_date class_date, dm_date read_on, const store_source *source,
			GError **error)
{
	static const char find_sql[] =
	    "SELECT " MESSAGE_COLUMNS " FROM messages m LEFT JOIN clients c ON c.id = m.client_id"
	    " WHERE m.id = ?";
	static const char update_sql[] =
	    "UPDATE messages SET class = ?1, class_date = ?2, rule_id = NULL,"
	    " read_on = coalesce(read_on, ?3) WHERE id = ?4";
	static const char invoices_sql[] =
	    "SELECT mi.invoice_id, i.client_id FROM message_invoices mi JOIN invoices i"
	    " ON i.id = mi.invoice_id WHERE mi.message_row = ? ORDER BY mi.invoice_id";
	store_message *message = NULL;
	sqlite3_stmt *stmt;
	char iso[DM_DATE_ISO_SIZE], when[DM_DATE_ISO_SIZE];
	char *detail = NULL;
	int linked = 0, rc;
	bool ok = false;

	if (!store_begin(db, error))
		return false;
	if ((stmt = store_statement(db, find_sql, error)) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, message_row);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		message = message_from_row(stmt);
	sqlite3_reset(stmt);
	if (message == NULL) {
		if (rc == SQLITE_DONE)
			g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND, "no message with id %lld",
				    (long long)message_row);
		else
			store_set_sql_error(db, error, "reading a message");
		goto out;
	}
	if ((stmt = store_statement(db, update_sql, error)) == NULL)
		goto out;
	store_bind_text(stmt, 1, class_name);
	store_bind_date(stmt, 2, class_date);
	store_bind_date(stmt, 3, read_on);
	sqlite3_bind_int64(stmt, 4, message_row);
	if (!store_step_done(db, stmt, error, "setting a message's class"))
		goto out;
	detail = g_strdup_printf("message <%s> of %s read as %s%s%s", message->message_id,
				 message->date != DM_DATE_NONE
				     ? dm_date_format_iso(message->date, when)
				     : "an unknown day",
				 class_name, class_date != DM_DATE_NONE ? " " : "",
				 class_date != DM_DATE_NONE ? dm_date_format_iso(class_date, iso)
							    : "");
	/* The event goes where the message's effects show: on each invoice it
	 * is about, else on its client. */
	if ((stmt = store_statement(db, invoices_sql, error)) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, message_row);
	{
		GArray *rows = g_array_new(FALSE, FALSE, sizeof(int64_t) * 2);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			int64_t row[2] = {sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1)};
			g_array_append_vals(rows, row, 1);
		}
		sqlite3_reset(stmt);
		if (rc != SQLITE_DONE) {
			store_set_sql_error(db, error, "reading a message's invoices");
			g_array_unref(rows);
			goto out;
		}
		for (guint i = 0; i < rows->len; i++) {
			const int64_t *row = (const int64_t *)rows->data + (size_t)2 * i;
			if (!store_event_write(db, row[0], row[1], "class", message->class_name,
					       class_name, detail, source, error)) {
				g_array_unref(rows);
				goto out;
			}
			linked++;
		}
		g_array_unref(rows);
	}
	if (linked == 0 && !store_event_write(db, 0, message->client_id, "class",
					       message->class_name, class_name, detail, source,
					       error))
		goto out;
	ok = true;
out:
	store_message_free(message);
	g_free(detail);
	if (ok)
		return store_commit(db, error);
	store_rollback(db);
	return false;
}

bool
store_client_mark_replies_read(store *db, int64_t client_id, dm_date on,
			       const store_source *source, int *marked, GError **error)
{
	static const char sql[] =
	    "UPDATE messages SET read_on = ?1 WHERE client_id = ?2 AND direction = 'in' AND"
	    " class = 'unrecognised' AND read_on IS NULL";
	sqlite3_stmt *stmt;
	char *detail;
	int changed;
	bool ok;

	*marked = 0;
	if (!store_begin(db, error))
		return false;
	if ((stmt = store_statement(db, sql, error)) == NULL)
		goto fail;
	store_bind_date(stmt, 1, on);
	sqlite3_bind_int64(stmt, 2, client_id);
	if (!store_step_done(db, stmt, error, "marking replies read"))
		goto fail;
	changed = sqlite3_changes(db->sql);
	if (changed > 0) {
		detail = g_strdup_printf("%d unread repl%s marked read", changed,
					 changed == 1 ? "y" : "ies");
		ok = store_event_write(db, 0, client_id, "read", NULL, NULL, detail, source, error);
		g_free(detail);
		if (!ok)
			goto fail;
	}
	if (!store_commit(db, error))
		return false;
	*marked = changed;
	return true;
fail:
	store_rollback(db);
	return false;
}

/* Runs a query yielding one Message-ID; NULL when no row. */
static char *
query_message_id(store *db, const char *sql, int64_t number, const char *text, GError **error)
{
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	char *id = NULL;
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, number);
	store_bind_text(stmt, 2, text);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		id = store_column_text(stmt, 0);
	else if (rc != SQLITE_DONE)
		store_set_sql_error(db, error, "looking up a thread");
	sqlite3_reset(stmt);
	return id;
}

char *
store_message_find_by_thread_index(store *db, const char *key, GError **error)
{
	/* Keys are hex; a reply's key extends its original's. ?1 is unused. */
	return query_message_id(db,
				"SELECT message_id FROM messages WHERE ?1 = ?1 AND thread_index"
				" IS NOT NULL AND length(thread_index) < length(?2) AND"
				" substr(?2, 1, length(thread_index)) = thread_index"
				" ORDER BY length(thread_index) DESC, id DESC LIMIT 1",
				0, key, error);
}

char *
store_message_find_by_subject(store *db, int64_t client_id, const char *subject_key,
			      GError **error)
{
	return query_message_id(db,
				"SELECT message_id FROM messages WHERE client_id = ?1 AND"
				" subject_key = ?2 AND subject_key <> '' ORDER BY id DESC LIMIT 1",
				client_id, subject_key, error);
}

int64_t
store_message_count(store *db, GError **error)
{
	sqlite3_stmt *stmt = store_statement(db, "SELECT count(*) FROM messages", error);
	int64_t count = -1;

	if (stmt == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		count = sqlite3_column_int64(stmt, 0);
	else
		store_set_sql_error(db, error, "counting messages");
	sqlite3_reset(stmt);
	return count;
}

bool
store_message_link_invoice(store *db, int64_t message_row, int64_t invoice_id, const char *how,
			   GError **error)
{
	static const char sql[] = "INSERT OR IGNORE INTO message_invoices (message_row, invoice_id,"
				  " how) VALUES (?, ?, ?)";
	sqlite3_stmt *stmt = store_statement(db, sql, error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, message_row);
	sqlite3_bind_int64(stmt, 2, invoice_id);
	store_bind_text(stmt, 3, how);
	return store_step_done(db, stmt, error, "linking a message to an invoice");
}

/* Adds id to ids (int64_t) unless it is there already. */
static void
append_unique_id(GArray *ids, int64_t id)
{
	for (guint i = 0; i < ids->len; i++)
		if (g_array_index(ids, int64_t, i) == id)
			return;
	g_array_append_val(ids, id);
}

/* Runs a query with one bound number that yields invoice ids, adding new ones to ids. */
static bool
collect_ids(store *db, const char *sql, int64_t number, GArray *ids, GError **error)
{
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, number);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		append_unique_id(ids, sqlite3_column_int64(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "reading invoice links");
		return false;
	}
	return true;
}

GArray *
store_message_invoices(store *db, int64_t message_row, GError **error)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));

	if (!collect_ids(db, "SELECT invoice_id FROM message_invoices WHERE message_row = ?"
			     " ORDER BY invoice_id",
			 message_row, ids, error)) {
		g_array_unref(ids);
		return NULL;
	}
	return ids;
}

/* Message-IDs as a JSON array, for one query over all of them (json_each). */
static char *
json_string_array(const char *const *values)
{
	GString *json = g_string_new("[");

	for (const char *const *v = values; v != NULL && *v != NULL; v++) {
		if (v != values)
			g_string_append_c(json, ',');
		g_string_append_c(json, '"');
		for (const unsigned char *c = (const unsigned char *)*v; *c != '\0'; c++) {
			if (*c == '"' || *c == '\\')
				g_string_append_printf(json, "\\%c", *c);
			else if (*c < 0x20)
				g_string_append_printf(json, "\\u%04x", *c);
			else
				g_string_append_c(json, (char)*c);
		}
		g_string_append_c(json, '"');
	}
	g_string_append_c(json, ']');
	return g_string_free(json, FALSE);
}

static gint
compare_ids(gconstpointer a, gconstpointer b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * One query for all the Message-IDs of a reply (a thread of fifty used to
 * cost a hundred): each row is a Message-ID's position in the list, an
 * invoice it leads to and the client it belongs to, either may be NULL.
 */
GArray *
store_invoices_for_references(store *db, const char *const *message_ids, int64_t *client_id,
			      GError **error)
{
	static const char sql[] =
	    "WITH refs(pos, mid) AS (SELECT key, value FROM json_each(?1))"
	    " SELECT r.pos, i.id, NULL FROM refs r JOIN invoices i ON i.sent_message_id = r.mid"
	    " UNION ALL SELECT r.pos, mi.invoice_id, m.client_id FROM refs r"
	    "   JOIN messages m ON m.message_id = r.mid"
	    "   LEFT JOIN message_invoices mi ON mi.message_row = m.id"
	    " UNION ALL SELECT r.pos, di.invoice_id, d.client_id FROM refs r"
	    "   JOIN drafts d ON d.message_id = r.mid"
	    "   LEFT JOIN draft_invoices di ON di.draft_id = d.id"
	    " ORDER BY 1";
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	sqlite3_stmt *stmt;
	int64_t found_at = -1;
	char *json;
	int rc;

	*client_id = 0;
	if (message_ids == NULL || message_ids[0] == NULL)
		return ids;
	if ((stmt = store_statement(db, sql, error)) == NULL) {
		g_array_unref(ids);
		return NULL;
	}
	json = json_string_array(message_ids);
	sqlite3_bind_text(stmt, 1, json, -1, g_free);
	/* The nearest Message-ID that leads to invoices wins; the client is the
	 * first one known up to there (or anywhere, when none leads to one). */
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t pos = sqlite3_column_int64(stmt, 0);
		if (found_at >= 0 && pos > found_at)
			break;
		if (*client_id == 0 && sqlite3_column_type(stmt, 2) != SQLITE_NULL)
			*client_id = sqlite3_column_int64(stmt, 2);
		if (sqlite3_column_type(stmt, 1) != SQLITE_NULL) {
			append_unique_id(ids, sqlite3_column_int64(stmt, 1));
			found_at = pos;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_set_sql_error(db, error, "reading invoice links");
		sqlite3_reset(stmt);
		g_array_unref(ids);
		return NULL;
	}
	sqlite3_reset(stmt);
	g_array_sort(ids, compare_ids);
	if (ids->len > 0 && *client_id == 0) {
		store_invoice *invoice = store_invoice_get(db, g_array_index(ids, int64_t, 0), NULL);
		if (invoice != NULL)
			*client_id = invoice->client_id;
		store_invoice_free(invoice);
	}
	return ids;
}

bool
store_client_flag_bounced(store *db, const char *address, dm_date on, const store_source *source,
			  bool *flagged, GError **error)
{
	static const char find[] = "SELECT client_id FROM client_addresses WHERE kind IN"
				   " ('email', 'cc') AND address = ? AND bounced IS NULL";
	static const char update[] = "UPDATE client_addresses SET bounced = ? WHERE address = ?"
				     " AND kind IN ('email', 'cc')";
	char *normal = dm_address_normalise(address);
	sqlite3_stmt *stmt;
	int64_t client_id = 0;
	bool ok = false;
	int rc;

	*flagged = false;
	if (!store_begin(db, error))
		goto out;
	if ((stmt = store_statement(db, find, error)) == NULL)
		goto fail;
	store_bind_text(stmt, 1, normal);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		client_id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "looking up a bounced address");
		goto fail;
	}
	if (client_id == 0) {
		ok = store_commit(db, error);
		goto out;
	}
	if ((stmt = store_statement(db, update, error)) == NULL)
		goto fail;
	store_bind_date(stmt, 1, on);
	store_bind_text(stmt, 2, normal);
	if (!store_step_done(db, stmt, error, "flagging a bounced address") ||
	    !store_event_write(db, 0, client_id, "bounce", NULL, normal, "address bounced", source,
			       error))
		goto fail;
	*flagged = true;
	ok = store_commit(db, error);
	goto out;
fail:
	store_rollback(db);
out:
	g_free(normal);
	return ok;
}
