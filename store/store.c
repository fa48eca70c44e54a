/*
 * Opening, migrating and transactions.  The schema lives in
 * store/schema.c as an ordered list of migrations.
 */
#include "store/store-private.h"
#include "store/schema.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* PRAGMA application_id: "DUNM", so a foreign SQLite file is recognised. */
#define STORE_APPLICATION_ID 0x44554e4d

static void
statement_finalize(gpointer stmt)
{
	sqlite3_finalize(stmt);
}

void
store_set_sql_error(store *db, GError **error, const char *context)
{
	int code = sqlite3_extended_errcode(db->sql);
	int primary = code & 0xff;
	DmErrorCode kind = DM_ERROR_DATABASE;

	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
		kind = DM_ERROR_TEMPORARY;
	else if (primary == SQLITE_CONSTRAINT)
		kind = DM_ERROR_CONFLICT;
	else if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN ||
		 primary == SQLITE_READONLY || primary == SQLITE_PERM)
		kind = DM_ERROR_IO;
	g_set_error(error, DM_ERROR, kind, "%s: %s: %s", db->path, context,
		    sqlite3_errmsg(db->sql));
}

sqlite3_stmt *
store_statement(store *db, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = g_hash_table_lookup(db->statements, sql);

	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
	    SQLITE_OK) {
		store_set_sql_error(db, error, "preparing a statement");
		sqlite3_finalize(stmt);
		return NULL;
	}
	/* The key is the caller's string literal, which lives for the process. */
	g_hash_table_insert(db->statements, (gpointer)sql, stmt);
	return stmt;
}

bool
store_step_done(store *db, sqlite3_stmt *stmt, GError **error, const char *context)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(stmt);
		return true;
	}
	store_set_sql_error(db, error, context);
	sqlite3_reset(stmt);
	return false;
}

GPtrArray *
store_query_records(store *db, const char *sql, const char *text, int64_t number,
		    store_row_reader read, GDestroyNotify free_record, const char *context,
		    GError **error)
{
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	GPtrArray *records;
	int rc;

	if (stmt == NULL)
		return NULL;
	if (text != NULL)
		store_bind_text(stmt, 1, text);
	else if (number != 0)
		sqlite3_bind_int64(stmt, 1, number);
	records = g_ptr_array_new_with_free_func(free_record);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(records, read(stmt));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_set_sql_error(db, error, context);
		g_ptr_array_unref(records);
		return NULL;
	}
	return records;
}

char *
store_column_text(sqlite3_stmt *stmt, int column)
{
	const unsigned char *text = sqlite3_column_text(stmt, column);
	return text != NULL ? g_strdup((const char *)text) : NULL;
}

dm_date
store_column_date(sqlite3_stmt *stmt, int column)
{
	const char *text = (const char *)sqlite3_column_text(stmt, column);
	dm_date date;

	if (text == NULL || !dm_date_parse_iso(text, &date, NULL))
		return DM_DATE_NONE;
	return date;
}

void
store_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(stmt, index);
	else
		sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
}

void
store_bind_date(sqlite3_stmt *stmt, int index, dm_date date)
{
	char iso[DM_DATE_ISO_SIZE];

	if (date == DM_DATE_NONE)
		sqlite3_bind_null(stmt, index);
	else
		sqlite3_bind_text(stmt, index, dm_date_format_iso(date, iso), -1,
				  SQLITE_TRANSIENT);
}

/*
 * localtime_r rather than GDateTime: g_date_time_new_now_local built a
 * time zone each call, which was 4% of a scan that stamps every event.
 */
char *
store_timestamp(void)
{
	char iso[DM_DATE_ISO_SIZE];
	char clock[16];
	time_t now = time(NULL);
	struct tm local;

	if (localtime_r(&now, &local) == NULL || strftime(clock, sizeof clock, "%H:%M:%S", &local) == 0)
		g_strlcpy(clock, "00:00:00", sizeof clock);
	return g_strdup_printf("%s %s", dm_date_format_iso(dm_date_today(), iso), clock);
}

static bool
exec_sql(store *db, const char *sql, GError **error, const char *context)
{
	char *message = NULL;

	if (sqlite3_exec(db->sql, sql, NULL, NULL, &message) != SQLITE_OK) {
		store_set_sql_error(db, error, context);
		sqlite3_free(message);
		return false;
	}
	return true;
}

static bool
pragma_int(store *db, const char *sql, int *value, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	bool ok = false;

	if (sqlite3_prepare_v2(db->sql, sql, -1, &stmt, NULL) != SQLITE_OK) {
		store_set_sql_error(db, error, "reading the database header");
		goto out;
	}
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		store_set_sql_error(db, error, "reading the database header");
		goto out;
	}
	*value = sqlite3_column_int(stmt, 0);
	ok = true;
out:
	sqlite3_finalize(stmt);
	return ok;
}

uint64_t
store_next_generation(void)
{
	static _Atomic uint64_t counter;

	return atomic_fetch_add(&counter, 1) + 1;
}

uint64_t
store_invoice_generation(store *db)
{
	sqlite3_stmt *stmt = store_statement(db, "PRAGMA data_version", NULL);
	int64_t version = -1;

	if (stmt != NULL) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			version = sqlite3_column_int64(stmt, 0);
		sqlite3_reset(stmt);
	}
	/* Another process committed: it may have added invoices.  When the
	 * question cannot be asked (-1), assume it did. */
	if (version < 0 || version != db->data_version) {
		db->data_version = version;
		db->invoice_generation = store_next_generation();
	}
	return db->invoice_generation;
}

/*
 * Transactions nest: the outermost store_begin is BEGIN IMMEDIATE, the
 * inner ones are savepoints.  An inner failure (a promise refused on a
 * disputed invoice, say) then undoes only its own part and leaves the
 * caller's transaction, which may hold a whole scan batch, standing; it
 * used to roll the lot back and let the rest run outside any transaction.
 * The savepoint statements are prepared once (their text is a literal per
 * level, the statement cache's key).
 */
static const char *const savepoint_sql[] = {
    "SAVEPOINT dm1", "SAVEPOINT dm2", "SAVEPOINT dm3", "SAVEPOINT dm4",
    "SAVEPOINT dm5", "SAVEPOINT dm6", "SAVEPOINT dm7", "SAVEPOINT dm8"};
static const char *const release_sql[] = {
    "RELEASE dm1", "RELEASE dm2", "RELEASE dm3", "RELEASE dm4",
    "RELEASE dm5", "RELEASE dm6", "RELEASE dm7", "RELEASE dm8"};
static const char *const rollback_to_sql[] = {
    "ROLLBACK TO dm1", "ROLLBACK TO dm2", "ROLLBACK TO dm3", "ROLLBACK TO dm4",
    "ROLLBACK TO dm5", "ROLLBACK TO dm6", "ROLLBACK TO dm7", "ROLLBACK TO dm8"};
#define STORE_MAX_NESTING ((int)G_N_ELEMENTS(savepoint_sql))

static bool
run_cached(store *db, const char *sql, GError **error, const char *context)
{
	sqlite3_stmt *stmt = store_statement(db, sql, error);

	return stmt != NULL && store_step_done(db, stmt, error, context);
}

/*
 * SQLite ends a transaction by itself after some failures (a full disk,
 * an I/O error); then there is nothing left to commit or roll back.
 */
static void
notice_lost_transaction(store *db)
{
	if (db->transaction_depth > 0 && sqlite3_get_autocommit(db->sql))
		db->transaction_depth = 0;
}

bool
store_begin(store *db, GError **error)
{
	notice_lost_transaction(db);
	if (db->transaction_depth == 0) {
		if (!exec_sql(db, "BEGIN IMMEDIATE", error, "starting a transaction"))
			return false;
	} else if (db->transaction_depth > STORE_MAX_NESTING) {
		g_set_error(error, DM_ERROR, DM_ERROR_DATABASE,
			    "transactions nested deeper than %d (a bug)", STORE_MAX_NESTING);
		return false;
	} else if (!run_cached(db, savepoint_sql[db->transaction_depth - 1], error,
			       "starting a savepoint")) {
		return false;
	}
	db->transaction_depth++;
	return true;
}

bool
store_commit(store *db, GError **error)
{
	notice_lost_transaction(db);
	if (db->transaction_depth == 0)
		return true;
	if (db->transaction_depth > 1) {
		if (!run_cached(db, release_sql[db->transaction_depth - 2], error,
				"releasing a savepoint")) {
			store_rollback(db);
			return false;
		}
		db->transaction_depth--;
		return true;
	}
	if (!exec_sql(db, "COMMIT", error, "committing")) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		db->transaction_depth = 0;
		return false;
	}
	db->transaction_depth = 0;
	return true;
}

bool
store_in_transaction(const store *db)
{
	return db->transaction_depth > 0 && !sqlite3_get_autocommit(db->sql);
}

void
store_rollback(store *db)
{
	notice_lost_transaction(db);
	if (db->transaction_depth == 0)
		return;
	if (db->transaction_depth > 1) {
		int level = db->transaction_depth - 2;
		/* ROLLBACK TO keeps the savepoint open: release it as well. */
		if (run_cached(db, rollback_to_sql[level], NULL, "rolling back a savepoint") &&
		    run_cached(db, release_sql[level], NULL, "releasing a savepoint")) {
			db->transaction_depth--;
			return;
		}
		/* The savepoint could not be undone: the whole transaction goes. */
	}
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	db->transaction_depth = 0;
}

/* Creates the file with mode 0600 (and its directory 0700) before SQLite opens it. */
static bool
create_private_file(const char *path, GError **error)
{
	char *dir = g_path_get_dirname(path);
	int fd;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_IO, "%s: cannot create directory: %s", dir,
			    g_strerror(errno));
		g_free(dir);
		return false;
	}
	g_free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_IO, "%s: cannot create: %s", path,
			    g_strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static bool
migrate(store *db, GError **error)
{
	int version = 0, application_id = 0, tables = 0;

	if (!store_begin(db, error))
		return false;
	/* Re-read under the write lock: another process may have migrated meanwhile. */
	if (!pragma_int(db, "PRAGMA user_version", &version, error) ||
	    !pragma_int(db, "PRAGMA application_id", &application_id, error) ||
	    !pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables, error))
		goto fail;
	if (application_id == 0 && version == 0 && tables > 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_DATABASE,
			    "%s: not a dunmail database (it holds other tables)", db->path);
		goto fail;
	}
	for (size_t i = (size_t)version; i < store_migration_count; i++) {
		char *sql;
		if (!exec_sql(db, store_migrations[i], error, "migrating the schema"))
			goto fail;
		sql = g_strdup_printf("PRAGMA user_version = %zu", i + 1);
		if (!exec_sql(db, sql, error, "migrating the schema")) {
			g_free(sql);
			goto fail;
		}
		g_free(sql);
	}
	if (application_id == 0) {
		char *sql = g_strdup_printf("PRAGMA application_id = %d", STORE_APPLICATION_ID);
		bool ok = exec_sql(db, sql, error, "marking the database");
		g_free(sql);
		if (!ok)
			goto fail;
	}
	return store_commit(db, error);
fail:
	store_rollback(db);
	return false;
}

/*
 * A database of an older dunmail, opened by a command that only reads: the
 * schema is upgraded once, as the first writing command would do, so that
 * a report after an upgrade of dunmail just works.  Only a file that cannot
 * be written stays an error.
 */
static store *
upgrade_then_open_readonly(store *db, int version, GError **error)
{
	char *path = g_strdup(db->path);
	GError *local = NULL;
	store *writer, *reader = NULL;

	store_close(db);
	writer = store_open(path, STORE_OPEN_EXISTING, &local);
	if (writer == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_DATABASE,
			    "%s: written by an older dunmail (schema %d, this one uses %d) and it"
			    " cannot be upgraded: %s",
			    path, version, STORE_SCHEMA_VERSION, local->message);
		g_error_free(local);
	} else {
		store_close(writer);
		reader = store_open(path, STORE_OPEN_READONLY, error);
	}
	g_free(path);
	return reader;
}

store *
store_open(const char *path, store_open_mode mode, GError **error)
{
	store *db = g_new0(store, 1);
	int flags, version = 0, application_id = 0;

	db->path = g_strdup(path);
	db->invoice_generation = store_next_generation();
	db->data_version = -1;
	db->readonly = mode == STORE_OPEN_READONLY;
	db->statements = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, statement_finalize);
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		if (mode != STORE_OPEN_CREATE) {
			g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND,
				    "%s: no such database (run \"dunmail init\" first)", path);
			goto fail;
		}
		if (!create_private_file(path, error))
			goto fail;
	}
	flags = (db->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
		SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &db->sql, flags, NULL) != SQLITE_OK) {
		g_set_error(error, DM_ERROR, DM_ERROR_IO, "%s: cannot open: %s", path,
			    db->sql != NULL ? sqlite3_errmsg(db->sql) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, 10000);
	if (!pragma_int(db, "PRAGMA application_id", &application_id, error)) {
		if (sqlite3_errcode(db->sql) == SQLITE_NOTADB) {
			g_clear_error(error);
			g_set_error(error, DM_ERROR, DM_ERROR_DATABASE,
				    "%s: not a dunmail database (not an SQLite file, or corrupt)",
				    path);
		}
		goto fail;
	}
	if (application_id != 0 && application_id != STORE_APPLICATION_ID) {
		g_set_error(error, DM_ERROR, DM_ERROR_DATABASE,
			    "%s: not a dunmail database (application id %#x)", path,
			    (unsigned)application_id);
		goto fail;
	}
	if (!pragma_int(db, "PRAGMA user_version", &version, error))
		goto fail;
	if (version > STORE_SCHEMA_VERSION) {
		g_set_error(error, DM_ERROR, DM_ERROR_DATABASE,
			    "%s: written by a newer dunmail (schema %d, this one knows %d)", path,
			    version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (!exec_sql(db, "PRAGMA foreign_keys = ON", error, "enabling foreign keys"))
		goto fail;
	if (db->readonly) {
		int tables = 0;
		if (application_id == 0 &&
		    pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables, NULL) &&
		    tables > 0) {
			g_set_error(error, DM_ERROR, DM_ERROR_DATABASE,
				    "%s: not a dunmail database (it holds other tables)", path);
			goto fail;
		}
		if (application_id == 0) {
			g_set_error(error, DM_ERROR, DM_ERROR_DATABASE,
				    "%s: an empty dunmail database (run \"dunmail init\")", path);
			goto fail;
		}
		if (version < STORE_SCHEMA_VERSION)
			return upgrade_then_open_readonly(db, version, error);
		return db;
	}
	/* WAL lets readers (reports, classify) run while a filter writes.
	 * Switching is a one-time change stored in the file; a busy answer
	 * just means another process is doing it. */
	sqlite3_exec(db->sql, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	sqlite3_exec(db->sql, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	/*
	 * The whole database of a user stays in the page cache (it used to be
	 * 2 MB, smaller than a year of mail, and pages were read again per
	 * message), and statement journals and sorts stay in memory instead of
	 * temporary files: each INSERT in a nested transaction wrote one.
	 */
	sqlite3_exec(db->sql, "PRAGMA cache_size = -32768", NULL, NULL, NULL);
	sqlite3_exec(db->sql, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	if ((version < STORE_SCHEMA_VERSION || application_id == 0) && !migrate(db, error))
		goto fail;
	return db;
fail:
	store_close(db);
	return NULL;
}

void
store_close(store *db)
{
	if (db == NULL)
		return;
	store_rollback(db);
	g_hash_table_destroy(db->statements);
	if (db->sql != NULL)
		sqlite3_close_v2(db->sql);
	g_free(db->path);
	g_free(db);
}

const char *
store_path(const store *db)
{
	return db->path;
}

int
store_schema_version(store *db)
{
	int version = 0;

	pragma_int(db, "PRAGMA user_version", &version, NULL);
	return version;
}

void
store_set_busy_timeout(store *db, int milliseconds)
{
	sqlite3_busy_timeout(db->sql, milliseconds);
}

bool
store_check_integrity(store *db, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	bool ok = false;

	if (sqlite3_prepare_v2(db->sql, "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW) {
		store_set_sql_error(db, error, "checking integrity");
		goto out;
	}
	if (g_strcmp0((const char *)sqlite3_column_text(stmt, 0), "ok") != 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_DATABASE, "%s: integrity check: %s",
			    db->path, sqlite3_column_text(stmt, 0));
		goto out;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (sqlite3_prepare_v2(db->sql, "PRAGMA foreign_key_check", -1, &stmt, NULL) !=
	    SQLITE_OK) {
		store_set_sql_error(db, error, "checking foreign keys");
		goto out;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		g_set_error(error, DM_ERROR, DM_ERROR_DATABASE,
			    "%s: foreign key check: table %s row %lld", db->path,
			    sqlite3_column_text(stmt, 0), (long long)sqlite3_column_int64(stmt, 1));
		goto out;
	}
	ok = true;
out:
	sqlite3_finalize(stmt);
	return ok;
}
