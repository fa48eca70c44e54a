/* Per-folder IMAP state for incremental scans. */
#include "store/store-private.h"

bool
store_folder_get(store *db, const char *folder, bool *known, uint32_t *uidvalidity,
		 uint32_t *last_uid, GError **error)
{
	static const char sql[] = "SELECT uidvalidity, last_uid FROM imap_folders WHERE name = ?";
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	int rc;

	*known = false;
	*uidvalidity = *last_uid = 0;
	if (stmt == NULL)
		return false;
	store_bind_text(stmt, 1, folder);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*known = true;
		*uidvalidity = (uint32_t)sqlite3_column_int64(stmt, 0);
		*last_uid = (uint32_t)sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "reading folder state");
		return false;
	}
	return true;
}

bool
store_folder_set(store *db, const char *folder, uint32_t uidvalidity, uint32_t last_uid,
		 GError **error)
{
	static const char sql[] =
	    "INSERT INTO imap_folders (name, uidvalidity, last_uid, updated) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (name) DO UPDATE SET uidvalidity = ?2, last_uid = ?3, updated = ?4";
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	char *now;
	bool ok;

	if (stmt == NULL)
		return false;
	now = store_timestamp();
	store_bind_text(stmt, 1, folder);
	sqlite3_bind_int64(stmt, 2, uidvalidity);
	sqlite3_bind_int64(stmt, 3, last_uid);
	store_bind_text(stmt, 4, now);
	ok = store_step_done(db, stmt, error, "saving folder state");
	g_free(now);
	return ok;
}
