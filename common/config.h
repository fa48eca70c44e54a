/*
 * dunmail's configuration: a GKeyFile ("INI") file, by default
 * $XDG_CONFIG_HOME/dunmail/config.  Every group and key is known here with
 * its type; an unknown key, a malformed line or a wrong value is an error
 * naming "file:line", and config_load reports all of them at once.
 *
 * Strings returned by the accessors belong to the config object.
 */
#ifndef DUNMAIL_COMMON_CONFIG_H
#define DUNMAIL_COMMON_CONFIG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct dm_config dm_config;

/* The built-in defaults, as if an empty file was read. */
dm_config *config_new_default(void);

/*
 * Reads a file.  On errors returns NULL and one GError (DM_ERROR_CONFIG)
 * whose message holds every problem, one "file:line: message" per line.
 */
dm_config *config_load(const char *path, GError **error);
void config_free(dm_config *config);

/*
 * The values as read, for modules that own a section ([policy] and
 * [policy:NAME] belong to policy/): never NULL (empty for the defaults);
 * it belongs to the config.  config_key_line gives the line of a key for
 * error messages, 0 when the key is not in the file.
 */
GKeyFile *config_keyfile(const dm_config *config);
int config_key_line(const dm_config *config, const char *group, const char *key);

/* The file the config came from, or NULL for the defaults. */
const char *config_path(const dm_config *config);

/*
 * "~" or "~/..." made absolute with the home directory; path is taken and
 * the result returned (other paths, and NULL, come back as they are).
 */
char *config_expand_home(char *path);

/* Default locations under the XDG base directories (caller frees). */
char *config_default_path(void);
char *config_default_database_path(void);

/* [identity]: who the user is.  name may be NULL; addresses never NULL. */
const char *config_identity_name(const dm_config *config);
const char *const *config_identity_addresses(const dm_config *config);
bool config_is_own_address(const dm_config *config, const char *address);
const char *config_identity_signature(const dm_config *config);
const char *config_identity_payment_details(const dm_config *config);
/* For letters: the company name and the postal address ("\n" between lines); may be NULL. */
const char *config_identity_company(const dm_config *config);
const char *config_identity_postal_address(const dm_config *config);

/* [store] path, or NULL for the default; busy timeout in milliseconds (default 5000,
 * below the 10 s Dovecot gives a Sieve program). */
const char *config_store_path(const dm_config *config);
int config_store_busy_timeout(const dm_config *config);

/*
 * [rules]: directories searched for rule packs, word files and templates,
 * the shipped one first, then the user's; and the languages to load.
 */
const char *const *config_rules_directories(const dm_config *config);
const char *const *config_rules_languages(const dm_config *config);

/* [filter] max_size in bytes (default 25 MB). */
int64_t config_filter_max_size(const dm_config *config);

/* The directory of the rule packs that ship with dunmail. */
const char *config_shipped_rules_directory(void);

/* A template of a commented config file, for "dunmail init". */
const char *config_template(void);

#endif
