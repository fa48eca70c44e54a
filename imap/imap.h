/*
 * The IMAP client: one authenticated connection to one account.
 *
 * Built on libetpan for the protocol, with the transport (socket, timeouts,
 * TLS and certificate checks) done here with GnuTLS, because libetpan does
 * not verify certificates.  A session is opened with imap_connect(), which
 * connects, sets up TLS (implicit or STARTTLS), verifies the server's
 * certificate chain and host name, and only then sends LOGIN.  Commands
 * that work on "the selected folder" need imap_select() first.
 *
 * Errors (domain DM_ERROR), so a caller can tell "retry later" from "fix
 * something":
 *   DM_ERROR_TEMPORARY  connection refused, dropped or timed out, the server
 *                       said BYE; the session is unusable afterwards (every
 *                       later call fails the same way), reconnect later.
 *   DM_ERROR_SECURITY   the certificate did not verify (unknown issuer,
 *                       expired, host name mismatch, ...), or STARTTLS was
 *                       not offered / was tampered with.  Nothing was sent
 *                       after the failure; credentials were never sent.
 *   DM_ERROR_CONFIG     bad settings (no host, tls = none to a host that is
 *                       not loopback, unreadable ca_file) and LOGIN refused
 *                       by the server (wrong user or password).
 *   DM_ERROR_PROTOCOL   the server answered NO/BAD or something unusable
 *                       (no such folder, no UIDPLUS where it is required).
 *   DM_ERROR_NOT_FOUND  imap_find_special_folder found nothing and had no
 *                       fallback.
 * Messages start with the place: "imap://user@host:port: what", and quote
 * the server's own words when it gave any.  The password never appears in
 * messages or logs.
 *
 * Folder names are UTF-8 everywhere in this API; the module converts them to
 * and from IMAP's modified UTF-7 on the wire (RFC 3501 5.1.3).
 *
 * Memory: every returned pointer belongs to the caller (g_free for strings,
 * g_array_unref for arrays).  Pointers passed in are only borrowed for the
 * duration of the call; the session copies what it keeps.
 *
 * Threads: a session is used by one thread at a time.
 */
#ifndef DUNMAIL_IMAP_IMAP_H
#define DUNMAIL_IMAP_IMAP_H

#include <glib.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	IMAP_TLS_IMPLICIT, /* TLS from the first byte (port 993) */
	IMAP_TLS_STARTTLS, /* plain connect, then STARTTLS before anything else (port 143) */
	IMAP_TLS_NONE,     /* no encryption: refused unless the host is loopback */
} imap_tls;

typedef struct {
	char *host; /* name or address; also the name checked in the certificate */
	int port;   /* 0: 993 for IMAP_TLS_IMPLICIT, 143 otherwise */
	imap_tls tls;
	char *user;
	char *password;      /* resolved by the caller (password_command); never logged */
	char *ca_file;       /* PEM file of trusted CAs; NULL: the system trust store */
	int timeout_seconds; /* connect and every read/write; 0: 60 seconds */
} imap_settings;

typedef struct imap_session imap_session;

/*
 * Connects, sets up TLS, verifies the certificate and logs in.  The settings
 * are copied.  Returns NULL with an error on any failure (see above).
 */
imap_session *imap_connect(const imap_settings *settings, GError **error);

/* Sends LOGOUT when the connection is still alive, then frees everything.  NULL is fine. */
void imap_close(imap_session *session);

/*
 * Whether the server announced a capability ("UIDPLUS", "IDLE",
 * "SPECIAL-USE", "AUTH=PLAIN"), case-insensitively, as of after login.
 */
bool imap_has_capability(imap_session *session, const char *name);

/*
 * The folder carrying a SPECIAL-USE attribute (RFC 6154), use being
 * "\\Drafts", "\\Sent", "\\Junk", ...  Looks at the attributes of a plain
 * LIST, which servers with SPECIAL-USE include.  Without a match, returns a
 * copy of fallback when it names an existing folder; else NULL with
 * DM_ERROR_NOT_FOUND.  Returns a UTF-8 name; g_free it.
 */
char *imap_find_special_folder(imap_session *session, const char *use, const char *fallback,
                               GError **error);

/*
 * SELECT (or EXAMINE when readonly, which never changes flags) a folder.
 * Any of the out parameters may be NULL.  uidvalidity changes when the
 * folder was deleted and recreated: remembered UIDs are void then.
 */
bool imap_select(imap_session *session, const char *folder, bool readonly, uint32_t *uidvalidity,
                 uint32_t *uidnext, uint32_t *exists, GError **error);

/* Creates a folder (for tests and first-time setup). */
bool imap_create_folder(imap_session *session, const char *folder, GError **error);

/* Deletes a folder; it must not be the selected one. */
bool imap_delete_folder(imap_session *session, const char *folder, GError **error);

/*
 * APPENDs a message (raw RFC 5322 bytes, CRLF or LF line ends) to a folder
 * with flags (e.g. "\\Draft \\Seen", NULL or "" for none).  Reports the
 * folder's UIDVALIDITY and the new message's UID: from APPENDUID (UIDPLUS),
 * or, when the server lacks UIDPLUS, by selecting the folder and searching
 * for message_id (its Message-ID header, with or without <>); without
 * UIDPLUS and without message_id, fails with DM_ERROR_PROTOCOL after the
 * APPEND.  uidvalidity and uid may be NULL.  Leaves the previously selected
 * folder selected only when the UIDPLUS path was taken.
 */
bool imap_append(imap_session *session, const char *folder, const char *message, size_t length,
                 const char *flags, const char *message_id, uint32_t *uidvalidity, uint32_t *uid,
                 GError **error);

/*
 * Deletes exactly one message: selects folder read-write, UID STORE
 * +FLAGS.SILENT (\Deleted), then UID EXPUNGE of that UID only (UIDPLUS).
 * Without UIDPLUS it refuses (DM_ERROR_PROTOCOL) before touching anything,
 * because a plain EXPUNGE would also remove messages the user marked
 * deleted.  A UID that no longer exists is not an error.  Leaves folder
 * selected read-write.
 */
bool imap_delete_uid(imap_session *session, const char *folder, uint32_t uid, GError **error);

/*
 * UID SEARCH HEADER name value in the selected folder (the server matches
 * value as a substring, case-insensitively).  Returns a sorted GArray of
 * uint32_t UIDs (possibly empty); g_array_unref it.
 */
GArray *imap_search_header(imap_session *session, const char *name, const char *value,
                           GError **error);

/*
 * The UIDs in the selected folder from first_uid on (UID SEARCH UID n:*),
 * and only messages whose internal date is on or after since_date
 * ("22-Nov-2026", IMAP's date format) when that is not NULL.  Note that
 * "n:*" always matches the highest UID even when it is below n (RFC 3501);
 * such a UID is dropped here.  Sorted GArray of uint32_t; g_array_unref it.
 */
GArray *imap_list_uids(imap_session *session, uint32_t first_uid, const char *since_date,
                       GError **error);

/* One fetched message; its bytes are borrowed (valid during the callback only). */
typedef struct {
	uint32_t uid;
	const char *data;
	size_t length; /* the bytes fetched: all of the message, or its first limit bytes */
	size_t size;   /* the whole message's size (RFC822.SIZE), as the server counts it */
} imap_fetched;

/* Called once per fetched message.  Return false to stop fetching. */
typedef bool (*imap_fetch_callback)(const imap_fetched *message, void *user);

/*
 * Fetches messages of the selected folder by UID, batch UIDs per UID FETCH
 * (0: 50), with BODY.PEEK[] so \Seen is never set, and calls each in the
 * order of uids.  limit > 0 fetches only a message's first limit bytes
 * (BODY.PEEK[]<0.limit>): what a person wrote comes before the attachments,
 * and a batch of large messages must not be held in memory whole.  UIDs
 * that no longer exist are skipped.  Returns true when all were fetched or
 * the callback stopped early.
 */
bool imap_fetch(imap_session *session, const uint32_t *uids, size_t n, size_t batch,
                size_t limit, imap_fetch_callback each, void *user, GError **error);

/*
 * The flags of a message in the selected folder, space-separated as IMAP
 * writes them ("\\Seen \\Draft $Forwarded"), "" for none.  Fails with
 * DM_ERROR_NOT_FOUND when the UID does not exist.  g_free *flags.
 */
bool imap_uid_flags(imap_session *session, uint32_t uid, char **flags, GError **error);

typedef enum {
	IMAP_IDLE_ERROR = -1,   /* error is set */
	IMAP_IDLE_NEW_MAIL = 0, /* EXISTS grew: new messages in the selected folder */
	IMAP_IDLE_TIMEOUT = 1,  /* timeout_seconds passed without new mail */
	IMAP_IDLE_STOPPED = 2,  /* *stop became non-zero */
} imap_idle_result;

/*
 * Waits in IDLE on the selected folder until new mail arrives, until
 * timeout_seconds pass, or until *stop becomes non-zero (checked at least
 * four times a second; stop may be NULL).  Other events (flag changes,
 * expunges) do not end the wait; an expunge and an arrival within the same
 * wake-up that leave the count unchanged are not seen as new mail (compare
 * UIDNEXT after a timeout if that matters).  Servers drop IDLE after 30 minutes: keep
 * timeout_seconds below 29 minutes and loop.  Without the IDLE capability
 * it polls with NOOP every few seconds instead.
 */
imap_idle_result imap_idle(imap_session *session, int timeout_seconds, volatile sig_atomic_t *stop,
                           GError **error);

/*
 * Folder name conversion between UTF-8 and IMAP's modified UTF-7.  Both
 * return a new string (g_free) or NULL for input that is not valid UTF-8 /
 * not valid modified UTF-7.
 */
char *imap_folder_name_encode(const char *utf8);
char *imap_folder_name_decode(const char *mutf7);

#endif
