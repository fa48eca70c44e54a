/*
 * The [imap] section of the configuration: checking its values (for
 * "dunmail config check" and before every connection) and turning it into
 * imap_settings with the password resolved.
 *
 * The password comes from password_command (a shell command whose first
 * output line is the password, as mbsync's PassCmd) or from a literal
 * password, which is accepted only when the configuration file is not
 * readable by group or others.  The password never appears in an error
 * message or a log line.
 *
 * Memory: imap_config_read returns an imap_config the caller frees with
 * imap_config_free (which also wipes the password); every string and
 * array inside it belongs to it and lives as long as it does.
 */
#ifndef DUNMAIL_CLI_IMAP_CONFIG_H
#define DUNMAIL_CLI_IMAP_CONFIG_H

#include "common/config.h"
#include "imap/imap.h"

#include <glib.h>
#include <stdbool.h>

/* Defaults of the keys that have one. */
#define IMAP_CONFIG_DEFAULT_BATCH 200
#define IMAP_CONFIG_DEFAULT_IDLE_RESTART 25     /* minutes */
#define IMAP_CONFIG_PASSWORD_COMMAND_TIMEOUT 60 /* seconds; a GnuPG pinentry needs a while */

typedef struct {
	imap_settings settings;   /* host, port, tls, user, password, ca_file, timeout */
	char **folders;           /* [imap] folders: NULL-terminated, never NULL, maybe empty */
	char *sent_folder;        /* fallback name of Sent without SPECIAL-USE ("Sent") */
	char *drafts_folder;      /* fallback name of Drafts without SPECIAL-USE ("Drafts") */
	int batch;                /* messages per UID FETCH */
	int idle_restart_minutes; /* IDLE is restarted after this long */
} imap_config;

/*
 * Checks the [imap] section, appending one "file:line: message" line per
 * problem to errors.  A configuration without [imap] is fine (IMAP is
 * optional).  The password command is not run here.  True when nothing was
 * appended.
 */
bool imap_config_check(const dm_config *config, GString *errors);

/*
 * Checks the section (every problem in one DM_ERROR_CONFIG error, or
 * DM_ERROR_SECURITY for a literal password in a file others may read), then
 * resolves the password, running password_command when set.  Fails with
 * DM_ERROR_CONFIG when there is no [imap] host.
 */
imap_config *imap_config_read(const dm_config *config, GError **error);

/* Wipes the password and frees everything; NULL is fine. */
void imap_config_free(imap_config *imap);

/* "imap://user@host:port" for messages (never with the password); g_free it. */
char *imap_config_describe(const imap_config *imap);

#endif
