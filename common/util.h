/*
 * Shared conventions for every dunmail module.
 *
 * Errors: a function that can fail returns bool (or a pointer, NULL on
 * failure) and fills a GError in the DM_ERROR domain.  The message is the
 * human cause, phrased so the caller can print it as is ("file:line: what").
 * The code tells the caller what kind of failure it was, so that a mail
 * filter can tell "retry later" from "give up", and the command line can
 * pick a sysexits.h exit code.
 *
 * Memory: allocation goes through GLib (g_new, g_strdup, ...), which aborts
 * instead of returning NULL, so callers do not check.  Unless a header says
 * otherwise, a returned pointer belongs to the caller.
 */
#ifndef DUNMAIL_COMMON_UTIL_H
#define DUNMAIL_COMMON_UTIL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define DM_ERROR (dm_error_quark())
GQuark dm_error_quark(void);

typedef enum {
	DM_ERROR_USAGE,     /* wrong command-line use */
	DM_ERROR_INPUT,     /* bad user data: amount, date, CSV line, message */
	DM_ERROR_NOT_FOUND, /* an unknown client, invoice, file */
	DM_ERROR_CONFLICT,  /* a duplicate, or a state change that is not allowed */
	DM_ERROR_CONFIG,    /* configuration or rule pack error */
	DM_ERROR_TEMPORARY, /* database busy, server down: try again later */
	DM_ERROR_DATABASE,  /* not a dunmail database, corrupt, newer schema */
	DM_ERROR_IO,        /* read/write failure */
	DM_ERROR_PROTOCOL,  /* a server answered something we cannot use */
	DM_ERROR_SECURITY,  /* refused for safety: TLS check, file permissions */
	DM_ERROR_INTERNAL,  /* a bug: should not happen */
} DmErrorCode;

/* The sysexits.h code that matches an error (EX_SOFTWARE for NULL). */
int dm_error_exit_code(const GError *error);

/*
 * Logging.  Messages go to stderr and, once dm_log_use_syslog() was called
 * (the filter does), to syslog as well.  Never pass secrets or message
 * bodies: callers log causes, not content.
 */
void dm_log_use_syslog(const char *ident);
void dm_log_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void dm_log_warning(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void dm_log_info(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void dm_log_set_verbose(bool verbose);

/* Lower-cases an e-mail address and strips surrounding <> and spaces. */
char *dm_address_normalise(const char *address);

/* The domain part of an address ("example.com"), or NULL. */
char *dm_address_domain(const char *address);

#endif
