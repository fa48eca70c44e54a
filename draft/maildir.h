/*
 * Drafts in a Maildir (the user's Drafts folder, read by mutt, Thunderbird,
 * Dovecot...).
 *
 * A draft is written the Maildir way: into tmp/<unique>, flushed to disk,
 * then linked into cur/<unique>:2,D (flag D marks a draft; cur/ because the
 * message carries flags and is not "new" mail) and removed from tmp/, so a
 * reader never sees a half-written file.  The unique part is
 * <seconds>.M<microseconds>P<pid>R<random>Q<count>.<host> ("/" and ":" in
 * the host name written as \057 and \072, as the Maildir convention asks).
 *
 * A name given to maildir_draft_exists/remove is what maildir_draft_write
 * returned ("<unique>:2,D"), or only its unique part: mail clients rename
 * the file when they change its flags (":2,DS" once read), and may move it
 * between new/ and cur/, so the draft is found by its unique part in both.
 * A name containing "/" or starting with "." is refused (DM_ERROR_INPUT).
 *
 * Errors name the path: DM_ERROR_IO ("<path>: Permission denied"), or
 * DM_ERROR_TEMPORARY when the disk or quota is full.
 */
#ifndef DUNMAIL_DRAFT_MAILDIR_H
#define DUNMAIL_DRAFT_MAILDIR_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Writes data as a draft into the Maildir dir, creating dir and its tmp/,
 * new/ and cur/ (mode 0700) when missing.  The file is mode 0600: a draft
 * is private mail.  Returns the new file's name inside cur/
 * ("<unique>:2,D"), to g_free, or NULL on failure (nothing is left behind).
 */
char *maildir_draft_write(const char *dir, const char *data, size_t length, GError **error);

/*
 * Looks for the draft in dir's cur/ and new/, with any flags.  Returns true
 * when found, and then sets *path (may be NULL; g_free) to its current full
 * path.  Returns false when it is absent (error stays unset) or when the
 * folders cannot be read (error set): test *error to tell them apart.
 */
bool maildir_draft_exists(const char *dir, const char *name, char **path, GError **error);

/*
 * Removes the draft found as maildir_draft_exists finds it, to replace an
 * unsent older draft with a new one.  Fails with DM_ERROR_NOT_FOUND when it
 * is gone (sent or deleted by the user), and with DM_ERROR_CONFLICT when
 * the file no longer carries the D flag: it is then not a draft any more,
 * and dunmail does not delete the user's mail.
 */
bool maildir_draft_remove(const char *dir, const char *name, GError **error);

#endif
