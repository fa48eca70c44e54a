/*
 * Internals shared by the store's files.  Nothing outside store/ includes
 * this header.
 */
#ifndef DUNMAIL_STORE_PRIVATE_H
#define DUNMAIL_STORE_PRIVATE_H

#include "store/store.h"
#include "common/util.h"

#include <sqlite3.h>

struct store {
	sqlite3 *sql;
	char *path;
	bool readonly;
	int transaction_depth;
	GHashTable *statements; /* SQL text -> sqlite3_stmt*, prepared once per connection */
	uint64_t invoice_generation; /* see store_invoice_generation */
	int64_t data_version;        /* PRAGMA data_version when it was last looked at */
};

/* A new invoice generation, never handed out before in this process. */
uint64_t store_next_generation(void);

/*
 * Returns the cached, reset statement for sql (prepared on first use).
 * The statement belongs to the store; callers bind, step and leave it.
 */
sqlite3_stmt *store_statement(store *db, const char *sql, GError **error);

/* Sets error from the connection's last failure, with context ("adding invoice"). */
void store_set_sql_error(store *db, GError **error, const char *context);

/* Runs one statement to completion (SQLITE_DONE); false with an error otherwise. */
bool store_step_done(store *db, sqlite3_stmt *stmt, GError **error, const char *context);

/*
 * Runs a query that yields records: binds one text parameter (or, when
 * text is NULL and number is not 0, one integer) to ?1, turns each row into
 * a record with read, and returns them in an array that frees them with
 * free_record.  NULL with an error naming context on failure.
 */
typedef gpointer (*store_row_reader)(sqlite3_stmt *stmt);
GPtrArray *store_query_records(store *db, const char *sql, const char *text, int64_t number,
			       store_row_reader read, GDestroyNotify free_record,
			       const char *context, GError **error);

/* Text column helpers: a copy (NULL for SQL NULL). */
char *store_column_text(sqlite3_stmt *stmt, int column);
dm_date store_column_date(sqlite3_stmt *stmt, int column);
void store_bind_text(sqlite3_stmt *stmt, int index, const char *text);
void store_bind_date(sqlite3_stmt *stmt, int index, dm_date date);

/* Now as "YYYY-MM-DD HH:MM:SS": the --now date when pinned, the wall-clock time of day. */
char *store_timestamp(void);

/* Writes one event row. Any of the strings may be NULL. */
bool store_event_write(store *db, int64_t invoice_id, int64_t client_id, const char *kind,
		       const char *before, const char *after, const char *detail,
		       const store_source *source, GError **error);

#endif
