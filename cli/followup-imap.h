/*
 * Follow-up drafts in the IMAP Drafts folder (cli/followup-imap.c), for
 * `dunmail followup --drafts imap`.
 *
 * One connection per followup run, made with the [imap] settings.  Drafts
 * is the folder with the \Drafts SPECIAL-USE attribute ([imap]
 * drafts_folder when the server has none), Sent the one with \Sent
 * ([imap] sent_folder).  A draft is APPENDed as CRLF bytes with the \Draft
 * flag; the store keeps its UIDVALIDITY and UID and the location
 * "imap:FOLDER".
 *
 * Crash safety is the caller's order of work plus followup_imap_reconcile:
 * the caller records a draft as intended (with the Message-ID it chose and
 * the location from followup_imap_location) before followup_imap_append,
 * and written after it.  At the start of every run the reconcile looks at
 * each IMAP draft still intended or written:
 *   intended, its Message-ID in Drafts       -> written with that UID
 *                                               (it was appended, the run
 *                                               died before recording it)
 *   intended, not in Drafts                  -> replaced (never appended;
 *                                               the planner drafts it again)
 *   written, still in Drafts (by Message-ID  -> stays written; the UID is
 *     or X-Dunmail-Draft)                       updated when it changed
 *   written, gone, its Message-ID or         -> sent (the invoices' level
 *     X-Dunmail-Draft in Sent                   rises)
 *   written, gone, not in Sent               -> discarded (the user deleted
 *                                               it; that level is not
 *                                               drafted again)
 *   written, an older draft of the same      -> its message deleted (that
 *     invoices next to a newer one              UID only), replaced
 * A message flagged \Deleted but not yet expunged still counts as there
 * (until the client expunges it).  A run without a usable Sent folder
 * leaves vanished drafts written (with a warning) rather than guess
 * between sent and discarded.
 *
 * Errors (domain DM_ERROR) are those of imap/imap.h and store/store.h:
 * DM_ERROR_TEMPORARY for a server that is down or went away (exit 75, try
 * again later; what was recorded as intended is reconciled next time),
 * DM_ERROR_CONFIG for missing or refused settings, DM_ERROR_PROTOCOL when
 * the server refuses a command.  Messages start with "imap://user@host:port"
 * and never contain the password.
 *
 * Memory: followup_imap_open returns a session the caller ends with
 * followup_imap_close; followup_imap_location returns a new string
 * (g_free); followup_imap_drafts_folder returns a string owned by the
 * session, valid until followup_imap_close.
 */
#ifndef DUNMAIL_CLI_FOLLOWUP_IMAP_H
#define DUNMAIL_CLI_FOLLOWUP_IMAP_H

#include "common/config.h"
#include "store/store.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct followup_imap followup_imap;

/* What followup_imap_reconcile did, for the log and the tests. */
typedef struct {
	unsigned recovered;  /* intended drafts found in Drafts, now written */
	unsigned lost;       /* intended drafts never appended, now replaced */
	unsigned sent;       /* written drafts whose copy is in Sent */
	unsigned discarded;  /* written drafts the user deleted unsent */
	unsigned superseded; /* older drafts deleted next to a newer one */
} followup_imap_counts;

/*
 * Whether [imap] drafts asks for drafts over IMAP: *wanted is true for
 * "yes", "true", "on" or "1", false for "no", "false", "off", "0" or an
 * absent key.  Any other value fails with DM_ERROR_CONFIG naming file:line.
 */
bool followup_imap_configured(const dm_config *config, bool *wanted, GError **error);

/*
 * Reads [imap] (password included), connects, logs in and finds Drafts
 * (SPECIAL-USE, else [imap] drafts_folder) and Sent (SPECIAL-USE, else
 * [imap] sent_folder; a missing Sent is not an error here).
 */
followup_imap *followup_imap_open(const dm_config *config, GError **error);

/* Logs out and frees everything, the password wiped; NULL is fine. */
void followup_imap_close(followup_imap *imap);

/* The Drafts folder's UTF-8 name; owned by the session. */
const char *followup_imap_drafts_folder(const followup_imap *imap);

/* "imap:FOLDER", the store location of drafts in this session's Drafts; g_free it. */
char *followup_imap_location(const followup_imap *imap);

/*
 * Brings the store's IMAP drafts (location "imap:...") in line with the
 * server, as the table above says.  counts may be NULL.  Stops at the
 * first failure of the session or the store; what was done before stays.
 */
bool followup_imap_reconcile(followup_imap *imap, store *db, followup_imap_counts *counts,
                             GError **error);

/*
 * APPENDs message (CRLF bytes, borrowed) to Drafts with the \Draft flag.
 * message_id (without <>) finds the new UID on servers without UIDPLUS.
 * On success *uidvalidity and *uid say where it is.
 */
bool followup_imap_append(followup_imap *imap, GBytes *message, const char *message_id,
                          uint32_t *uidvalidity, uint32_t *uid, GError **error);

/*
 * Deletes the message of an older IMAP draft from its folder: exactly its
 * UID when its UIDVALIDITY still holds, else the messages whose Message-ID
 * is the draft's (the UID is void then).  A message already gone is not an
 * error.  Does not change the store.
 */
bool followup_imap_delete(followup_imap *imap, const store_draft *draft, GError **error);

#endif
