/* Drafts: recorded before they are written, followed until sent or discarded. */
#include "store/store-private.h"

#include <string.h>

static const char *const state_names[] = {
    [DRAFT_INTENDED] = "intended", [DRAFT_WRITTEN] = "written", [DRAFT_SENT] = "sent",
    [DRAFT_DISCARDED] = "discarded", [DRAFT_REPLACED] = "replaced"};

const char *
draft_state_name(draft_state state)
{
	return (size_t)state < G_N_ELEMENTS(state_names) ? state_names[state] : "intended";
}

static draft_state
state_from_name(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(state_names); i++)
		if (g_strcmp0(name, state_names[i]) == 0)
			return (draft_state)i;
	return DRAFT_INTENDED;
}

store_draft *
store_draft_new(void)
{
	store_draft *draft = g_new0(store_draft, 1);

	draft->planned_on = DM_DATE_NONE;
	draft->invoice_ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	return draft;
}

void
store_draft_free(store_draft *draft)
{
	if (draft == NULL)
		return;
	g_free(draft->kind);
	g_free(draft->message_id);
	g_free(draft->location);
	g_free(draft->subject);
	g_array_unref(draft->invoice_ids);
	g_free(draft);
}

bool
store_draft_add(store *db, store_draft *draft, GError **error)
{
	static const char sql[] =
	    "INSERT INTO drafts (client_id, kind, level, message_id, planned_on, state, location,"
	    " subject, created) VALUES (?,?,?,?,?,?,?,?,?)";
	static const char link_sql[] = "INSERT INTO draft_invoices (draft_id, invoice_id) VALUES (?,?)";
	sqlite3_stmt *stmt;
	char *now = store_timestamp();

	if (!store_begin(db, error))
		goto fail_nolock;
	if ((stmt = store_statement(db, sql, error)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, draft->client_id);
	store_bind_text(stmt, 2, draft->kind);
	sqlite3_bind_int(stmt, 3, draft->level);
	store_bind_text(stmt, 4, draft->message_id);
	store_bind_date(stmt, 5, draft->planned_on);
	store_bind_text(stmt, 6, draft_state_name(draft->state));
	store_bind_text(stmt, 7, draft->location);
	store_bind_text(stmt, 8, draft->subject);
	store_bind_text(stmt, 9, now);
	if (!store_step_done(db, stmt, error, "recording a draft"))
		goto fail;
	draft->id = sqlite3_last_insert_rowid(db->sql);
	for (guint i = 0; i < draft->invoice_ids->len; i++) {
		if ((stmt = store_statement(db, link_sql, error)) == NULL)
			goto fail;
		sqlite3_bind_int64(stmt, 1, draft->id);
		sqlite3_bind_int64(stmt, 2, g_array_index(draft->invoice_ids, int64_t, i));
		if (!store_step_done(db, stmt, error, "linking a draft"))
			goto fail;
	}
	if (!store_commit(db, error))
		goto fail;
	g_free(now);
	return true;
fail:
	store_rollback(db);
fail_nolock:
	g_free(now);
	return false;
}

bool
store_draft_set_state(store *db, int64_t draft_id, draft_state state, const char *location,
		      GError **error)
{
	static const char sql[] =
	    "UPDATE drafts SET state = ?, location = coalesce(?, location) WHERE id = ?";
	sqlite3_stmt *stmt = store_statement(db, sql, error);

	if (stmt == NULL)
		return false;
	store_bind_text(stmt, 1, draft_state_name(state));
	store_bind_text(stmt, 2, location);
	sqlite3_bind_int64(stmt, 3, draft_id);
	return store_step_done(db, stmt, error, "updating a draft");
}

bool
store_draft_set_imap(store *db, int64_t draft_id, uint32_t uidvalidity, uint32_t uid,
		     GError **error)
{
	static const char sql[] = "UPDATE drafts SET uidvalidity = ?, uid = ? WHERE id = ?";
	sqlite3_stmt *stmt = store_statement(db, sql, error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, uidvalidity);
	sqlite3_bind_int64(stmt, 2, uid);
	sqlite3_bind_int64(stmt, 3, draft_id);
	return store_step_done(db, stmt, error, "recording a draft's UID");
}

#define DRAFT_COLUMNS                                                                              \
	"id, client_id, kind, level, message_id, planned_on, state, location, uidvalidity, uid,"   \
	" subject"

static store_draft *
draft_from_row(sqlite3_stmt *stmt)
{
	store_draft *d = store_draft_new();

	d->id = sqlite3_column_int64(stmt, 0);
	d->client_id = sqlite3_column_int64(stmt, 1);
	d->kind = store_column_text(stmt, 2);
	d->level = sqlite3_column_int(stmt, 3);
	d->message_id = store_column_text(stmt, 4);
	d->planned_on = store_column_date(stmt, 5);
	d->state = state_from_name((const char *)sqlite3_column_text(stmt, 6));
	d->location = store_column_text(stmt, 7);
	d->uidvalidity = (uint32_t)sqlite3_column_int64(stmt, 8);
	d->uid = (uint32_t)sqlite3_column_int64(stmt, 9);
	d->subject = store_column_text(stmt, 10);
	return d;
}

static GPtrArray *
query_drafts(store *db, const char *sql, const char *text, int64_t number, GError **error)
{
	static const char links[] = "SELECT invoice_id FROM draft_invoices WHERE draft_id = ?"
				    " ORDER BY invoice_id";
	GPtrArray *list = store_query_records(db, sql, text, number, (store_row_reader)draft_from_row,
					      (GDestroyNotify)store_draft_free, "reading drafts",
					      error);

	for (guint i = 0; list != NULL && i < list->len; i++) {
		store_draft *d = g_ptr_array_index(list, i);
		sqlite3_stmt *stmt = store_statement(db, links, error);
		if (stmt == NULL) {
			g_ptr_array_unref(list);
			return NULL;
		}
		sqlite3_bind_int64(stmt, 1, d->id);
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(stmt, 0);
			g_array_append_val(d->invoice_ids, id);
		}
		sqlite3_reset(stmt);
	}
	return list;
}

GPtrArray *
store_draft_list(store *db, int64_t client_id, GError **error)
{
	return query_drafts(db,
			    "SELECT " DRAFT_COLUMNS " FROM drafts WHERE client_id = ?"
			    " ORDER BY id DESC",
			    NULL, client_id, error);
}

GPtrArray *
store_draft_list_pending(store *db, GError **error)
{
	return query_drafts(db,
			    "SELECT " DRAFT_COLUMNS " FROM drafts WHERE state IN ('intended',"
			    " 'written') ORDER BY id",
			    NULL, 0, error);
}

store_draft *
store_draft_find(store *db, const char *message_id, GError **error)
{
	GPtrArray *list = query_drafts(
	    db, "SELECT " DRAFT_COLUMNS " FROM drafts WHERE message_id = ?", message_id, 0, error);
	store_draft *draft = NULL;

	if (list == NULL)
		return NULL;
	if (list->len > 0)
		draft = g_ptr_array_steal_index(list, 0);
	g_ptr_array_unref(list);
	return draft;
}

bool
store_draft_mark_sent(store *db, const char *message_id, const store_source *source,
		      GError **error)
{
	store_draft *draft;
	bool ok = false;

	if (!store_begin(db, error))
		return false;
	if ((draft = store_draft_find(db, message_id, error)) == NULL) {
		if (error != NULL && *error != NULL)
			goto out;
		ok = true; /* not one of ours (or from another database): nothing to do */
		goto out;
	}
	if (draft->state == DRAFT_SENT) {
		ok = true;
		goto out;
	}
	if (!store_draft_set_state(db, draft->id, DRAFT_SENT, NULL, error))
		goto out;
	ok = true;
	for (guint i = 0; ok && i < draft->invoice_ids->len && draft->level > 0; i++)
		ok = store_invoice_set_level(db, g_array_index(draft->invoice_ids, int64_t, i),
					     draft->level, source, error);
out:
	store_draft_free(draft);
	if (ok)
		return store_commit(db, error);
	store_rollback(db);
	return false;
}
