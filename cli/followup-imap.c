/*
 * Follow-up drafts in the IMAP Drafts folder: the connection, the APPEND,
 * the deletion of a replaced draft, and the reconcile that makes a run
 * killed anywhere leave exactly one draft (see cli/followup-imap.h).
 */
#include "cli/followup-imap.h"
#include "cli/imap-config.h"
#include "common/util.h"
#include "imap/imap.h"

#include <string.h>

#define LOCATION_PREFIX "imap:"

struct followup_imap {
	imap_config *config;
	imap_session *session;
	char *where;              /* "imap://user@host:port" for messages */
	char *drafts;             /* the Drafts folder */
	char *sent;               /* the Sent folder, NULL when the server has none */
	GError *sent_error;       /* why sent is NULL, for the warning when it matters */
	uint32_t drafts_validity; /* UIDVALIDITY of drafts as of opening */
};

/* One IMAP draft of the reconcile and the state it has reached. */
typedef struct {
	const store_draft *draft;
	draft_state state;
} reconcile_entry;

bool
followup_imap_configured(const dm_config *config, bool *wanted, GError **error)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	char *value = g_key_file_get_string(config_keyfile(config), "imap", "drafts", NULL);
	bool ok = true;

	*wanted = false;
	if (value == NULL)
		return true;
	g_strstrip(value);
	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++)
		if (g_ascii_strcasecmp(value, yes[i]) == 0)
			*wanted = true;
	if (!*wanted) {
		ok = false;
		for (size_t i = 0; i < G_N_ELEMENTS(no); i++)
			if (g_ascii_strcasecmp(value, no[i]) == 0)
				ok = true;
	}
	if (!ok)
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
		            "%s:%d: imap.drafts: \"%s\" is neither yes nor no",
		            config_path(config) != NULL ? config_path(config) : "configuration",
		            config_key_line(config, "imap", "drafts"), value);
	g_free(value);
	return ok;
}

followup_imap *
followup_imap_open(const dm_config *config, GError **error)
{
	followup_imap *imap = g_new0(followup_imap, 1);
	GError *local = NULL;

	if ((imap->config = imap_config_read(config, error)) == NULL)
		goto fail;
	imap->where = imap_config_describe(imap->config);
	dm_log_info("followup: connecting to %s", imap->where);
	if ((imap->session = imap_connect(&imap->config->settings, error)) == NULL)
		goto fail;
	imap->drafts = imap_find_special_folder(imap->session, "\\Drafts",
	                                        imap->config->drafts_folder, &local);
	if (imap->drafts == NULL) {
		/* Without a Drafts folder the settings need a name: a
		 * configuration problem, not a missing input file. */
		if (local->domain == DM_ERROR && local->code == DM_ERROR_NOT_FOUND) {
			local->code = DM_ERROR_CONFIG;
			g_prefix_error(&local, "set [imap] drafts_folder to an existing folder: ");
		}
		g_propagate_error(error, local);
		goto fail;
	}
	imap->sent =
	    imap_find_special_folder(imap->session, "\\Sent", imap->config->sent_folder, &local);
	if (imap->sent == NULL) {
		/* Only a draft that vanished needs Sent; say so then, not now. */
		if (local->domain != DM_ERROR || local->code != DM_ERROR_NOT_FOUND) {
			g_propagate_error(error, local);
			goto fail;
		}
		imap->sent_error = local;
		local = NULL;
	}
	if (!imap_select(imap->session, imap->drafts, true, &imap->drafts_validity, NULL, NULL,
	                 error))
		goto fail;
	return imap;
fail:
	followup_imap_close(imap);
	return NULL;
}

void
followup_imap_close(followup_imap *imap)
{
	if (imap == NULL)
		return;
	imap_close(imap->session);
	imap_config_free(imap->config);
	g_clear_error(&imap->sent_error);
	g_free(imap->where);
	g_free(imap->drafts);
	g_free(imap->sent);
	g_free(imap);
}

const char *
followup_imap_drafts_folder(const followup_imap *imap)
{
	return imap->drafts;
}

char *
followup_imap_location(const followup_imap *imap)
{
	return g_strconcat(LOCATION_PREFIX, imap->drafts, NULL);
}

/* Adds the UIDs of array to set (a GArray of uint32_t kept sorted and unique). */
static void
uid_set_merge(GArray *set, GArray *array)
{
	for (guint i = 0; i < array->len; i++) {
		uint32_t uid = g_array_index(array, uint32_t, i);
		guint at = 0;
		while (at < set->len && g_array_index(set, uint32_t, at) < uid)
			at++;
		if (at < set->len && g_array_index(set, uint32_t, at) == uid)
			continue;
		g_array_insert_val(set, at, uid);
	}
}

/*
 * The UIDs in the selected folder whose Message-ID or X-Dunmail-Draft
 * header holds message_id.  Both, because a mail client that saves an
 * edited draft or sends it may make a new Message-ID but keeps the other
 * headers, and one that rewrites unknown headers keeps the Message-ID.
 * The server matches a substring: ids are long random strings, so a
 * substring match is a match.
 */
static GArray *
uids_with_id(followup_imap *imap, const char *message_id, GError **error)
{
	static const char *const headers[] = {"Message-ID", "X-Dunmail-Draft"};
	GArray *set = g_array_new(FALSE, FALSE, sizeof(uint32_t));

	for (size_t i = 0; i < G_N_ELEMENTS(headers); i++) {
		GArray *found = imap_search_header(imap->session, headers[i], message_id, error);
		if (found == NULL) {
			g_array_unref(set);
			return NULL;
		}
		uid_set_merge(set, found);
		g_array_unref(found);
	}
	return set;
}

/*
 * The highest UID in folder holding the draft, 0 when there is none.
 * Selects folder read-only; *validity gets its UIDVALIDITY.  A message
 * flagged \Deleted but not expunged yet still counts: flags are not asked
 * for, because imap_uid_flags crashes on a message without any flag (see
 * the report of this change); the next run after the expunge sees it gone.
 */
static bool
find_live_draft(followup_imap *imap, const char *folder, const char *message_id, uint32_t *validity,
                uint32_t *uid, GError **error)
{
	GArray *uids;

	*uid = 0;
	if (!imap_select(imap->session, folder, true, validity, NULL, NULL, error))
		return false;
	if ((uids = uids_with_id(imap, message_id, error)) == NULL)
		return false;
	if (uids->len > 0)
		*uid = g_array_index(uids, uint32_t, uids->len - 1);
	g_array_unref(uids);
	return true;
}

/* Whether the sent copy of a draft is in Sent (any flags: it went out). */
static bool
find_sent_copy(followup_imap *imap, const char *message_id, bool *found, GError **error)
{
	GArray *uids;

	*found = false;
	if (!imap_select(imap->session, imap->sent, true, NULL, NULL, NULL, error))
		return false;
	if ((uids = uids_with_id(imap, message_id, error)) == NULL)
		return false;
	*found = uids->len > 0;
	g_array_unref(uids);
	return true;
}

static bool
drafts_overlap(const store_draft *a, const store_draft *b)
{
	for (guint i = 0; i < a->invoice_ids->len; i++)
		for (guint j = 0; j < b->invoice_ids->len; j++)
			if (g_array_index(a->invoice_ids, int64_t, i) ==
			    g_array_index(b->invoice_ids, int64_t, j))
				return true;
	return false;
}

/* An intended draft: appended before the crash (written) or never (replaced). */
static bool
reconcile_intended(followup_imap *imap, store *db, reconcile_entry *entry,
                   followup_imap_counts *counts, GError **error)
{
	const store_draft *d = entry->draft;
	const char *folder = d->location + strlen(LOCATION_PREFIX);
	uint32_t validity = 0, uid = 0;

	if (!find_live_draft(imap, folder, d->message_id, &validity, &uid, error))
		return false;
	if (uid != 0) {
		if (!store_begin(db, error))
			return false;
		if (!store_draft_set_imap(db, d->id, validity, uid, error) ||
		    !store_draft_set_state(db, d->id, DRAFT_WRITTEN, NULL, error) ||
		    !store_commit(db, error)) {
			store_rollback(db);
			return false;
		}
		dm_log_info("followup: draft %s was appended before a crash: UID %u in %s",
		            d->message_id, uid, folder);
		entry->state = DRAFT_WRITTEN;
		counts->recovered++;
		return true;
	}
	/* Never appended: "replaced" takes it out of the planner's way, so the
	 * same reminder is planned and appended afresh in this run. */
	if (!store_draft_set_state(db, d->id, DRAFT_REPLACED, NULL, error))
		return false;
	dm_log_info("followup: draft %s was never appended: drafting it again", d->message_id);
	entry->state = DRAFT_REPLACED;
	counts->lost++;
	return true;
}

/* A written draft: still waiting, sent, or deleted by the user. */
static bool
reconcile_written(followup_imap *imap, store *db, reconcile_entry *entry,
                  followup_imap_counts *counts, GError **error)
{
	const store_draft *d = entry->draft;
	const char *folder = d->location + strlen(LOCATION_PREFIX);
	store_source source = {.command = "followup"};
	uint32_t validity = 0, uid = 0;
	bool sent = false;

	if (!find_live_draft(imap, folder, d->message_id, &validity, &uid, error))
		return false;
	if (uid != 0) {
		/* Still there; a client that saved an edit gave it a new UID. */
		if ((uid != d->uid || validity != d->uidvalidity) &&
		    !store_draft_set_imap(db, d->id, validity, uid, error))
			return false;
		return true;
	}
	if (imap->sent == NULL) {
		dm_log_warning("followup: draft %s (%s) left %s, but without a Sent folder dunmail"
		               " cannot tell sent from deleted (%s); set [imap] sent_folder",
		               d->message_id, d->subject != NULL ? d->subject : d->kind, folder,
		               imap->sent_error->message);
		return true;
	}
	if (!find_sent_copy(imap, d->message_id, &sent, error))
		return false;
	if (sent) {
		if (!store_draft_mark_sent(db, d->message_id, &source, error))
			return false;
		entry->state = DRAFT_SENT;
		counts->sent++;
		return true;
	}
	if (!store_draft_set_state(db, d->id, DRAFT_DISCARDED, NULL, error))
		return false;
	entry->state = DRAFT_DISCARDED;
	counts->discarded++;
	return true;
}

/*
 * A run that died between appending a new draft and deleting the one it
 * replaces leaves both waiting: the older one goes now.  Newer means a
 * later record of the same client about one of the same invoices; calls
 * and letters ("task:") replace nothing.
 */
static bool
reconcile_superseded(followup_imap *imap, store *db, GPtrArray *pending, reconcile_entry *entries,
                     guint n, followup_imap_counts *counts, GError **error)
{
	for (guint i = 0; i < n; i++) {
		const store_draft *old = entries[i].draft;
		bool newer = false;
		if (entries[i].state != DRAFT_WRITTEN)
			continue;
		for (guint j = 0; j < pending->len && !newer; j++) {
			const store_draft *d = g_ptr_array_index(pending, j);
			bool live = d->state == DRAFT_WRITTEN;
			for (guint k = 0; k < n; k++)
				if (entries[k].draft == d)
					live = entries[k].state == DRAFT_WRITTEN;
			newer = live && d->id > old->id && d->client_id == old->client_id &&
			        (d->location == NULL || !g_str_has_prefix(d->location, "task:")) &&
			        drafts_overlap(d, old);
		}
		if (!newer)
			continue;
		if (!followup_imap_delete(imap, old, error) ||
		    !store_draft_set_state(db, old->id, DRAFT_REPLACED, NULL, error))
			return false;
		entries[i].state = DRAFT_REPLACED;
		counts->superseded++;
	}
	return true;
}

bool
followup_imap_reconcile(followup_imap *imap, store *db, followup_imap_counts *counts,
                        GError **error)
{
	followup_imap_counts ignored;
	GPtrArray *pending = store_draft_list_pending(db, error);
	reconcile_entry *entries;
	guint n = 0;
	bool ok = true;

	if (counts == NULL)
		counts = &ignored;
	memset(counts, 0, sizeof *counts);
	if (pending == NULL)
		return false;
	entries = g_new0(reconcile_entry, pending->len + 1);
	for (guint i = 0; i < pending->len; i++) {
		const store_draft *d = g_ptr_array_index(pending, i);
		if (d->location == NULL || !g_str_has_prefix(d->location, LOCATION_PREFIX) ||
		    d->location[strlen(LOCATION_PREFIX)] == '\0' || d->message_id == NULL)
			continue;
		entries[n].draft = d;
		entries[n].state = d->state;
		n++;
	}
	for (guint i = 0; i < n && ok; i++)
		ok = entries[i].state == DRAFT_INTENDED
		         ? reconcile_intended(imap, db, &entries[i], counts, error)
		         : reconcile_written(imap, db, &entries[i], counts, error);
	if (ok)
		ok = reconcile_superseded(imap, db, pending, entries, n, counts, error);
	if (n > 0)
		dm_log_info("followup: %s: %u drafts checked: %u recovered, %u never appended,"
		            " %u sent, %u deleted unsent, %u superseded",
		            imap->where, n, counts->recovered, counts->lost, counts->sent,
		            counts->discarded, counts->superseded);
	g_free(entries);
	g_ptr_array_unref(pending);
	return ok;
}

bool
followup_imap_append(followup_imap *imap, GBytes *message, const char *message_id,
                     uint32_t *uidvalidity, uint32_t *uid, GError **error)
{
	gsize length;
	const char *data = g_bytes_get_data(message, &length);

	return imap_append(imap->session, imap->drafts, data, length, "\\Draft", message_id,
	                   uidvalidity, uid, error);
}

bool
followup_imap_delete(followup_imap *imap, const store_draft *draft, GError **error)
{
	const char *folder;
	uint32_t validity = 0;
	GArray *uids;
	bool ok = true;

	if (draft->location == NULL || !g_str_has_prefix(draft->location, LOCATION_PREFIX)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INTERNAL,
		            "%s:%d: draft %s is not in an IMAP folder (%s)", __FILE__, __LINE__,
		            draft->message_id,
		            draft->location != NULL ? draft->location : "nowhere");
		return false;
	}
	folder = draft->location + strlen(LOCATION_PREFIX);
	if (!imap_select(imap->session, folder, true, &validity, NULL, NULL, error))
		return false;
	if (draft->uid != 0 && draft->uidvalidity == validity)
		return imap_delete_uid(imap->session, folder, draft->uid, error);
	/* The folder was renumbered (or the UID never recorded): the UID means
	 * nothing now, the draft's own Message-ID still finds it. */
	if ((uids = uids_with_id(imap, draft->message_id, error)) == NULL)
		return false;
	for (guint i = 0; i < uids->len && ok; i++)
		ok =
		    imap_delete_uid(imap->session, folder, g_array_index(uids, uint32_t, i), error);
	g_array_unref(uids);
	return ok;
}
