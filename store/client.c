/* Clients and their addresses. */
#include "store/store-private.h"

#include <stddef.h>
#include <string.h>

store_client *
store_client_new(const char *name)
{
	store_client *client = g_new0(store_client, 1);

	client->name = g_strdup(name);
	client->paused_until = DM_DATE_NONE;
	client->emails = g_ptr_array_new_with_free_func(g_free);
	client->domains = g_ptr_array_new_with_free_func(g_free);
	client->cc = g_ptr_array_new_with_free_func(g_free);
	client->bounced = g_ptr_array_new_with_free_func(g_free);
	return client;
}

void
store_client_free(store_client *client)
{
	if (client == NULL)
		return;
	g_free(client->name);
	g_free(client->language);
	g_free(client->currency);
	g_free(client->notes);
	g_free(client->policy);
	g_free(client->postal_address);
	g_ptr_array_unref(client->emails);
	g_ptr_array_unref(client->domains);
	g_ptr_array_unref(client->cc);
	g_ptr_array_unref(client->bounced);
	g_free(client);
}

/* An empty postal address is no address: stored as NULL, so "unknown" has one spelling. */
static const char *
empty_as_null(const char *text)
{
	return text != NULL && *text != '\0' ? text : NULL;
}

static bool
insert_addresses(store *db, int64_t client_id, const char *kind, GPtrArray *list,
		 GError **error)
{
	static const char sql[] = "INSERT INTO client_addresses (client_id, kind, address, position)"
				  " VALUES (?, ?, ?, ?)";

	for (guint i = 0; i < list->len; i++) {
		sqlite3_stmt *stmt = store_statement(db, sql, error);
		const char *address = g_ptr_array_index(list, i);
		if (stmt == NULL)
			return false;
		sqlite3_bind_int64(stmt, 1, client_id);
		store_bind_text(stmt, 2, kind);
		store_bind_text(stmt, 3, address);
		sqlite3_bind_int(stmt, 4, (int)i);
		if (sqlite3_step(stmt) != SQLITE_DONE) {
			int code = sqlite3_errcode(db->sql);
			sqlite3_reset(stmt);
			if (code == SQLITE_CONSTRAINT)
				g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
					    "%s %s already belongs to another client (or is repeated)",
					    strcmp(kind, "domain") == 0 ? "domain" : "address",
					    address);
			else
				store_set_sql_error(db, error, "adding a client address");
			return false;
		}
		sqlite3_reset(stmt);
	}
	return true;
}

bool
store_client_add(store *db, store_client *client, GError **error)
{
	static const char sql[] =
	    "INSERT INTO clients (name, language, currency, payment_terms, credit_limit, notes,"
	    " policy, paused_until, never_chase, postal_address, created)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *stmt;
	char *now = store_timestamp();
	store_source source = {.command = "client add"};
	char *detail;

	if (!store_begin(db, error))
		goto fail_nolock;
	if ((stmt = store_statement(db, sql, error)) == NULL)
		goto fail;
	store_bind_text(stmt, 1, client->name);
	store_bind_text(stmt, 2, client->language);
	store_bind_text(stmt, 3, client->currency);
	sqlite3_bind_int(stmt, 4, client->payment_terms);
	if (client->has_credit_limit)
		sqlite3_bind_int64(stmt, 5, client->credit_limit);
	store_bind_text(stmt, 6, client->notes);
	store_bind_text(stmt, 7, client->policy);
	store_bind_date(stmt, 8, client->paused_until);
	sqlite3_bind_int(stmt, 9, client->never_chase ? 1 : 0);
	store_bind_text(stmt, 10, empty_as_null(client->postal_address));
	store_bind_text(stmt, 11, now);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		int code = sqlite3_errcode(db->sql);
		sqlite3_reset(stmt);
		if (code == SQLITE_CONSTRAINT)
			g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
				    "client \"%s\" already exists", client->name);
		else
			store_set_sql_error(db, error, "adding a client");
		goto fail;
	}
	sqlite3_reset(stmt);
	client->id = sqlite3_last_insert_rowid(db->sql);
	if (!insert_addresses(db, client->id, "email", client->emails, error) ||
	    !insert_addresses(db, client->id, "domain", client->domains, error) ||
	    !insert_addresses(db, client->id, "cc", client->cc, error))
		goto fail;
	detail = g_strdup_printf("client %s", client->name);
	if (!store_event_write(db, 0, client->id, "created", NULL, NULL, detail, &source, error)) {
		g_free(detail);
		goto fail;
	}
	g_free(detail);
	if (!store_commit(db, error))
		goto fail;
	g_free(now);
	return true;
fail:
	store_rollback(db);
fail_nolock:
	g_free(now);
	client->id = 0;
	return false;
}

static bool
load_addresses(store *db, store_client *client, GError **error)
{
	static const char sql[] = "SELECT kind, address, bounced FROM client_addresses"
				  " WHERE client_id = ? ORDER BY kind, position, id";
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, client->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(stmt, 0);
		char *address = store_column_text(stmt, 1);
		if (strcmp(kind, "email") == 0) {
			if (sqlite3_column_type(stmt, 2) != SQLITE_NULL)
				g_ptr_array_add(client->bounced, g_strdup(address));
			g_ptr_array_add(client->emails, address);
		} else if (strcmp(kind, "domain") == 0) {
			g_ptr_array_add(client->domains, address);
		} else {
			g_ptr_array_add(client->cc, address);
		}
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "reading client addresses");
		return false;
	}
	return true;
}

#define CLIENT_COLUMNS                                                                             \
	"id, name, language, currency, payment_terms, credit_limit, notes, policy,"                \
	" paused_until, never_chase, postal_address"

static store_client *
client_from_row(sqlite3_stmt *stmt)
{
	store_client *client = store_client_new((const char *)sqlite3_column_text(stmt, 1));

	client->id = sqlite3_column_int64(stmt, 0);
	client->language = store_column_text(stmt, 2);
	client->currency = store_column_text(stmt, 3);
	client->payment_terms = sqlite3_column_int(stmt, 4);
	client->has_credit_limit = sqlite3_column_type(stmt, 5) != SQLITE_NULL;
	client->credit_limit = sqlite3_column_int64(stmt, 5);
	client->notes = store_column_text(stmt, 6);
	client->policy = store_column_text(stmt, 7);
	client->paused_until = store_column_date(stmt, 8);
	client->never_chase = sqlite3_column_int(stmt, 9) != 0;
	client->postal_address = store_column_text(stmt, 10);
	return client;
}

/* Runs a query that yields client rows, then loads their addresses. */
static GPtrArray *
query_clients(store *db, const char *sql, const char *text, int64_t number, GError **error)
{
	GPtrArray *clients =
	    store_query_records(db, sql, text, number, (store_row_reader)client_from_row,
				(GDestroyNotify)store_client_free, "reading clients", error);

	for (guint i = 0; clients != NULL && i < clients->len; i++) {
		if (!load_addresses(db, g_ptr_array_index(clients, i), error)) {
			g_ptr_array_unref(clients);
			return NULL;
		}
	}
	return clients;
}

static store_client *
first_client(GPtrArray *clients)
{
	store_client *client = NULL;

	if (clients == NULL)
		return NULL;
	if (clients->len > 0)
		client = g_ptr_array_steal_index(clients, 0);
	g_ptr_array_unref(clients);
	return client;
}

store_client *
store_client_find(store *db, const char *name, GError **error)
{
	GError *local = NULL;
	store_client *client = first_client(query_clients(
	    db, "SELECT " CLIENT_COLUMNS " FROM clients WHERE name = ? COLLATE NOCASE", name, 0,
	    &local));

	if (local != NULL)
		g_propagate_error(error, local);
	else if (client == NULL)
		g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND, "no client named \"%s\"", name);
	return client;
}

store_client *
store_client_get(store *db, int64_t id, GError **error)
{
	GError *local = NULL;
	store_client *client = first_client(query_clients(
	    db, "SELECT " CLIENT_COLUMNS " FROM clients WHERE id = ?", NULL, id, &local));

	if (local != NULL)
		g_propagate_error(error, local);
	else if (client == NULL)
		g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND, "no client with id %lld",
			    (long long)id);
	return client;
}

store_client *
store_client_find_by_address(store *db, const char *address, GError **error)
{
	GError *local = NULL;
	char *normal = dm_address_normalise(address);
	char *domain = dm_address_domain(normal);
	store_client *client;

	client = first_client(query_clients(
	    db,
	    "SELECT " CLIENT_COLUMNS " FROM clients WHERE id = (SELECT client_id FROM"
	    " client_addresses WHERE kind = 'email' AND address = ?)",
	    normal, 0, &local));
	if (client == NULL && local == NULL && domain != NULL)
		client = first_client(query_clients(
		    db,
		    "SELECT " CLIENT_COLUMNS " FROM clients WHERE id = (SELECT client_id FROM"
		    " client_addresses WHERE kind = 'domain' AND address = ?)",
		    domain, 0, &local));
	if (local != NULL)
		g_propagate_error(error, local);
	g_free(normal);
	g_free(domain);
	return client;
}

GPtrArray *
store_client_list(store *db, GError **error)
{
	return query_clients(db, "SELECT " CLIENT_COLUMNS " FROM clients ORDER BY name", NULL, 0,
			     error);
}

/*
 * One text field of a client changes, with its event (kind, before,
 * after); setting the value it has changes nothing and logs nothing.
 * field is the offsetof() of the char * in store_client that sql updates.
 */
static bool
set_client_text(store *db, int64_t client_id, const char *sql, size_t field, const char *kind,
		const char *what, const char *value, const store_source *source, GError **error)
{
	sqlite3_stmt *stmt;
	store_client *client;
	const char *before;
	bool ok = false;

	if (!store_begin(db, error))
		return false;
	if ((client = store_client_get(db, client_id, error)) == NULL)
		goto out;
	before = *(char **)(void *)((char *)client + field);
	if (g_strcmp0(before, value) == 0) {
		ok = true;
		goto out;
	}
	if ((stmt = store_statement(db, sql, error)) == NULL)
		goto out;
	store_bind_text(stmt, 1, value);
	sqlite3_bind_int64(stmt, 2, client_id);
	if (!store_step_done(db, stmt, error, what))
		goto out;
	ok = store_event_write(db, 0, client_id, kind, before, value, NULL, source, error);
out:
	store_client_free(client);
	if (ok)
		return store_commit(db, error);
	store_rollback(db);
	return false;
}

bool
store_client_set_language(store *db, int64_t client_id, const char *language,
			  const store_source *source, GError **error)
{
	return set_client_text(db, client_id, "UPDATE clients SET language = ? WHERE id = ?",
			       offsetof(store_client, language), "language",
			       "setting the client's language", language, source, error);
}

bool
store_client_set_postal_address(store *db, int64_t client_id, const char *address,
				const store_source *source, GError **error)
{
	return set_client_text(db, client_id, "UPDATE clients SET postal_address = ? WHERE id = ?",
			       offsetof(store_client, postal_address), "postal_address",
			       "setting the client's postal address", empty_as_null(address),
			       source, error);
}

bool
store_client_set_chasing(store *db, int64_t client_id, const char *policy, dm_date paused_until,
			 bool never_chase, const store_source *source, GError **error)
{
	static const char sql[] =
	    "UPDATE clients SET policy = ?, paused_until = ?, never_chase = ? WHERE id = ?";
	store_client *client;
	sqlite3_stmt *stmt;
	char iso[DM_DATE_ISO_SIZE];
	char *before = NULL, *after = NULL;
	bool ok = false;

	if (!store_begin(db, error))
		return false;
	if ((client = store_client_get(db, client_id, error)) == NULL)
		goto out;
	if ((stmt = store_statement(db, sql, error)) == NULL)
		goto out;
	store_bind_text(stmt, 1, policy);
	store_bind_date(stmt, 2, paused_until);
	sqlite3_bind_int(stmt, 3, never_chase ? 1 : 0);
	sqlite3_bind_int64(stmt, 4, client_id);
	if (!store_step_done(db, stmt, error, "setting chasing overrides"))
		goto out;
	before = g_strdup_printf("policy %s, paused until %s, %s",
				 client->policy ? client->policy : "default",
				 client->paused_until != DM_DATE_NONE
				     ? dm_date_format_iso(client->paused_until, iso)
				     : "-",
				 client->never_chase ? "never chase" : "chase");
	after = g_strdup_printf("policy %s, paused until %s, %s", policy ? policy : "default",
				paused_until != DM_DATE_NONE ? dm_date_format_iso(paused_until, iso)
							     : "-",
				never_chase ? "never chase" : "chase");
	/* Only a change is an event: "client set X --lang pl" leaves chasing as it was. */
	ok = strcmp(before, after) == 0 ||
	     store_event_write(db, 0, client_id, "chasing", before, after, NULL, source, error);
out:
	g_free(before);
	g_free(after);
	store_client_free(client);
	if (ok)
		return store_commit(db, error);
	store_rollback(db);
	return false;
}
