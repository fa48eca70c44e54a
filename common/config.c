/*
 * The configuration file.  GKeyFile reads the values; a line scan of our
 * own comes first because GKeyFile neither tells the line of a key nor
 * rejects keys it does not know, and users deserve "file:line" for both.
 */
#include "common/config.h"
#include "common/util.h"

#include <string.h>
#include <unistd.h>

typedef enum {
	VALUE_STRING,
	VALUE_ADDRESS_LIST,
	VALUE_STRING_LIST,
	VALUE_LANGUAGE_LIST,
	VALUE_INTEGER,
	VALUE_SIZE,
} value_type;

typedef struct {
	const char *group;
	const char *key;
	value_type type;
} known_key;

/* Every key dunmail reads.  A key users may write must be listed here. */
static const known_key known_keys[] = {
    {"identity", "name", VALUE_STRING},
    {"identity", "addresses", VALUE_ADDRESS_LIST},
    {"identity", "signature", VALUE_STRING},
    {"identity", "payment_details", VALUE_STRING},
    {"identity", "company", VALUE_STRING},
    {"identity", "postal_address", VALUE_STRING},
    {"followup", "drafts", VALUE_STRING},
    {"followup", "letters", VALUE_STRING},
    {"store", "path", VALUE_STRING},
    {"store", "busy_timeout", VALUE_INTEGER},
    {"rules", "directories", VALUE_STRING_LIST},
    {"rules", "languages", VALUE_LANGUAGE_LIST},
    {"filter", "max_size", VALUE_SIZE},
    /* [policy] and [policy:NAME]: the policy module checks the values. */
    {"policy", "levels", VALUE_STRING},
    {"policy", "min_interval_days", VALUE_INTEGER},
    {"policy", "skip_weekends", VALUE_STRING},
    {"policy", "holidays", VALUE_STRING_LIST},
    {"policy", "threshold", VALUE_STRING},
    {"policy", "promise_grace_days", VALUE_INTEGER},
    {"policy", "late_fee", VALUE_STRING},
    {"policy", "interest", VALUE_STRING},
    {"policy", "interest_rate", VALUE_STRING},
    {"policy", "interest_margin", VALUE_STRING},
    {"policy", "reference_rates", VALUE_STRING_LIST},
    {"policy", "compensation", VALUE_STRING},
    {"policy", "compensation_equivalent_*", VALUE_STRING},
    {"policy", "plan_offer", VALUE_STRING},
    /* [imap]: cli/imap-config.c checks the values and resolves the password. */
    {"imap", "host", VALUE_STRING},
    {"imap", "port", VALUE_INTEGER},
    {"imap", "tls", VALUE_STRING},
    {"imap", "user", VALUE_STRING},
    {"imap", "password_command", VALUE_STRING},
    {"imap", "password", VALUE_STRING},
    {"imap", "ca_file", VALUE_STRING},
    {"imap", "timeout", VALUE_INTEGER},
    {"imap", "folders", VALUE_STRING_LIST},
    {"imap", "sent_folder", VALUE_STRING},
    {"imap", "drafts_folder", VALUE_STRING},
    {"imap", "drafts", VALUE_STRING}, /* yes: followup drafts go to IMAP (cli/followup-imap.c) */
    {"imap", "batch", VALUE_INTEGER},
    {"imap", "idle_restart", VALUE_INTEGER},
};

struct dm_config {
	char *path;
	GKeyFile *file;         /* the values as read, for modules with their own sections */
	GHashTable *key_lines;  /* "group\x1fkey" -> line number */
	char *identity_name;
	char **identity_addresses;
	char *identity_signature;
	char *identity_payment_details;
	char *identity_company;
	char *identity_postal_address;
	char *store_path;
	int busy_timeout;
	char **rules_directories;
	char **rules_languages;
	int64_t filter_max_size;
};

static const char *const default_languages[] = {"en", "pl", "bg", "nl", "ro", "es",
						"de", "fr", NULL};

const char *
config_shipped_rules_directory(void)
{
	static char *shipped;
	const char *env;
	char *exe;

	if (shipped != NULL)
		return shipped;
	/* DUNMAIL_RULES_DIR wins; then, for a binary run from the source
	 * tree's build/ (tests, the demo), the tree's rules/; then the
	 * installed copy. */
	if ((env = g_getenv("DUNMAIL_RULES_DIR")) != NULL && *env != '\0') {
		shipped = g_strdup(env);
		return shipped;
	}
	exe = g_file_read_link("/proc/self/exe", NULL);
	if (exe != NULL) {
		char *dir = g_path_get_dirname(exe);
		char *top = g_path_get_dirname(dir);
		char *makefile = g_build_filename(top, "Makefile", NULL);
		char *rules = g_build_filename(top, "rules", NULL);
		if (g_file_test(makefile, G_FILE_TEST_EXISTS) &&
		    g_file_test(rules, G_FILE_TEST_IS_DIR))
			shipped = g_steal_pointer(&rules);
		g_free(rules);
		g_free(makefile);
		g_free(top);
		g_free(dir);
		g_free(exe);
		if (shipped != NULL)
			return shipped;
	}
	shipped = g_strdup(DUNMAIL_DATADIR);
	return shipped;
}

static void
apply_defaults(dm_config *config)
{
	config->identity_addresses = g_new0(char *, 1);
	config->busy_timeout = 5000;
	config->rules_directories = g_new0(char *, 2);
	config->rules_directories[0] = g_strdup(config_shipped_rules_directory());
	config->rules_languages = g_strdupv((char **)default_languages);
	config->filter_max_size = (int64_t)25 * 1024 * 1024;
	config->file = g_key_file_new();
	config->key_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

dm_config *
config_new_default(void)
{
	dm_config *config = g_new0(dm_config, 1);

	apply_defaults(config);
	return config;
}

void
config_free(dm_config *config)
{
	if (config == NULL)
		return;
	g_free(config->path);
	g_key_file_unref(config->file);
	g_hash_table_unref(config->key_lines);
	g_free(config->identity_name);
	g_strfreev(config->identity_addresses);
	g_free(config->identity_signature);
	g_free(config->identity_payment_details);
	g_free(config->identity_company);
	g_free(config->identity_postal_address);
	g_free(config->store_path);
	g_strfreev(config->rules_directories);
	g_strfreev(config->rules_languages);
	g_free(config);
}

/* Named policies "[policy:NAME]" take the keys of [policy]. */
static const char *
group_family(const char *group)
{
	return g_str_has_prefix(group, "policy:") && group[7] != '\0' ? "policy" : group;
}

static bool
key_matches(const char *pattern, const char *key)
{
	size_t length = strlen(pattern);

	if (length > 0 && pattern[length - 1] == '*')
		return strncmp(pattern, key, length - 1) == 0 && key[length - 1] != '\0';
	return strcmp(pattern, key) == 0;
}

static const known_key *
find_key(const char *group, const char *key)
{
	group = group_family(group);
	for (size_t i = 0; i < G_N_ELEMENTS(known_keys); i++)
		if (strcmp(known_keys[i].group, group) == 0 && key_matches(known_keys[i].key, key))
			return &known_keys[i];
	return NULL;
}

static bool
group_known(const char *group)
{
	group = group_family(group);
	for (size_t i = 0; i < G_N_ELEMENTS(known_keys); i++)
		if (strcmp(known_keys[i].group, group) == 0)
			return true;
	return false;
}

/* Parses "25M", "512K", "1G", "1000" into bytes. */
static bool
parse_size(const char *text, int64_t *bytes)
{
	char *end;
	gint64 value;

	if (!g_ascii_isdigit(*text))
		return false;
	value = g_ascii_strtoll(text, &end, 10);
	if (*end == 'K' || *end == 'k')
		value *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		value *= (gint64)1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		value *= (gint64)1024 * 1024 * 1024, end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || value <= 0)
		return false;
	*bytes = value;
	return true;
}

/* Checks one value against its type; appends "file:line: ..." to errors. */
static void
check_value(const char *path, int line, const known_key *known, const char *value,
	    GString *errors)
{
	char **items;
	int64_t number;

	switch (known->type) {
	case VALUE_STRING:
	case VALUE_STRING_LIST:
		break;
	case VALUE_INTEGER: {
		char *end;
		gint64 whole = g_ascii_strtoll(value, &end, 10);
		if (*value == '\0' || *end != '\0' || whole < 0 || whole > G_MAXINT)
			g_string_append_printf(errors,
					       "%s:%d: %s.%s: \"%s\" is not a whole number >= 0\n",
					       path, line, known->group, known->key, value);
		break;
	}
	case VALUE_SIZE:
		if (!parse_size(value, &number))
			g_string_append_printf(errors,
					       "%s:%d: %s.%s: \"%s\" is not a size (e.g. 25M)\n",
					       path, line, known->group, known->key, value);
		break;
	case VALUE_ADDRESS_LIST:
		items = g_strsplit(value, ";", -1);
		for (char **item = items; *item != NULL; item++) {
			char *address = g_strstrip(g_strdup(*item));
			const char *at = strchr(address, '@');
			if (*address != '\0' &&
			    (at == NULL || at == address || at[1] == '\0' ||
			     strpbrk(address, " <>,;\"()") != NULL))
				g_string_append_printf(errors,
						       "%s:%d: %s.%s: \"%s\" is not an e-mail address\n",
						       path, line, known->group, known->key, address);
			g_free(address);
		}
		g_strfreev(items);
		break;
	case VALUE_LANGUAGE_LIST:
		items = g_strsplit(value, ";", -1);
		for (char **item = items; *item != NULL; item++) {
			char *code = g_strstrip(g_strdup(*item));
			size_t length = strlen(code);
			bool ok = length == 2 || length == 3;
			for (size_t i = 0; ok && i < length; i++)
				ok = g_ascii_islower(code[i]);
			if (*code != '\0' && !ok)
				g_string_append_printf(
				    errors,
				    "%s:%d: %s.%s: \"%s\" is not a language code (e.g. pl)\n", path,
				    line, known->group, known->key, code);
			g_free(code);
		}
		g_strfreev(items);
		break;
	}
}

/* The line scan: syntax, unknown groups and keys, duplicates, value types. */
static void
scan_lines(const char *path, const char *data, GString *errors, GHashTable *key_lines)
{
	char **lines = g_strsplit(data, "\n", -1);
	char *group = NULL;
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (int i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);
		int number = i + 1;
		char *eq, *key, *value;
		const known_key *known;

		if (*line == '\0' || *line == '#')
			continue;
		if (*line == '[') {
			char *end = strchr(line, ']');
			if (end == NULL || end[1] != '\0') {
				g_string_append_printf(errors, "%s:%d: malformed group header \"%s\"\n",
						       path, number, line);
				continue;
			}
			g_free(group);
			group = g_strndup(line + 1, (gsize)(end - line - 1));
			if (!group_known(group))
				g_string_append_printf(errors, "%s:%d: unknown section [%s]\n", path,
						       number, group);
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL) {
			g_string_append_printf(errors, "%s:%d: expected \"key = value\", found \"%s\"\n",
					       path, number, line);
			continue;
		}
		if (group == NULL) {
			g_string_append_printf(errors, "%s:%d: key outside any [section]\n", path,
					       number);
			continue;
		}
		key = g_strstrip(g_strndup(line, (gsize)(eq - line)));
		value = g_strstrip(g_strdup(eq + 1));
		if (!group_known(group)) {
			/* already reported at the group header */
		} else if ((known = find_key(group, key)) == NULL) {
			g_string_append_printf(errors, "%s:%d: unknown key \"%s\" in [%s]\n", path,
					       number, key, group);
		} else {
			char *id = g_strdup_printf("%s.%s", group, key);
			if (g_hash_table_contains(seen, id)) {
				g_string_append_printf(errors, "%s:%d: %s is set twice\n", path,
						       number, id);
				g_free(id);
			} else {
				g_hash_table_add(seen, id);
			}
			g_hash_table_insert(key_lines, g_strdup_printf("%s\x1f%s", group, key),
					    GINT_TO_POINTER(number));
			check_value(path, number, known, value, errors);
		}
		g_free(key);
		g_free(value);
	}
	g_free(group);
	g_hash_table_destroy(seen);
	g_strfreev(lines);
}

static char **
read_list(GKeyFile *file, const char *group, const char *key)
{
	char **raw = g_key_file_get_string_list(file, group, key, NULL, NULL);
	GPtrArray *list = g_ptr_array_new();

	for (char **item = raw; item != NULL && *item != NULL; item++) {
		char *value = g_strstrip(g_strdup(*item));
		if (*value != '\0')
			g_ptr_array_add(list, value);
		else
			g_free(value);
	}
	g_strfreev(raw);
	g_ptr_array_add(list, NULL);
	return (char **)g_ptr_array_free(list, FALSE);
}

char *
config_expand_home(char *path)
{
	char *expanded;

	if (path == NULL || path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
		return path;
	expanded = g_build_filename(g_get_home_dir(), path + 1, NULL);
	g_free(path);
	return expanded;
}

dm_config *
config_load(const char *path, GError **error)
{
	char *data = NULL;
	GError *local = NULL;
	GString *errors = g_string_new(NULL);
	GKeyFile *file = g_key_file_new();
	GHashTable *key_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	dm_config *config = NULL;

	if (!g_file_get_contents(path, &data, NULL, &local)) {
		g_set_error(error, DM_ERROR,
			    g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
				? DM_ERROR_NOT_FOUND
				: DM_ERROR_CONFIG,
			    "%s: cannot read the configuration: %s", path, local->message);
		g_error_free(local);
		goto out;
	}
	if (!g_utf8_validate(data, -1, NULL)) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG, "%s: not UTF-8 text", path);
		goto out;
	}
	scan_lines(path, data, errors, key_lines);
	if (errors->len == 0 &&
	    !g_key_file_load_from_data(file, data, (gsize)-1, G_KEY_FILE_NONE, &local)) {
		g_string_append_printf(errors, "%s: %s\n", path, local->message);
		g_error_free(local);
	}
	if (errors->len > 0) {
		g_string_truncate(errors, errors->len - 1);
		g_set_error_literal(error, DM_ERROR, DM_ERROR_CONFIG, errors->str);
		goto out;
	}
	config = config_new_default();
	config->path = g_strdup(path);
	g_key_file_unref(config->file);
	config->file = g_key_file_ref(file);
	g_hash_table_unref(config->key_lines);
	config->key_lines = g_hash_table_ref(key_lines);
	config->identity_name = g_key_file_get_string(file, "identity", "name", NULL);
	if (g_key_file_has_key(file, "identity", "addresses", NULL)) {
		char **addresses = read_list(file, "identity", "addresses");
		g_strfreev(config->identity_addresses);
		config->identity_addresses = addresses;
		for (char **a = addresses; *a != NULL; a++) {
			char *normal = dm_address_normalise(*a);
			g_free(*a);
			*a = normal;
		}
	}
	config->identity_signature = g_key_file_get_string(file, "identity", "signature", NULL);
	config->identity_payment_details =
	    g_key_file_get_string(file, "identity", "payment_details", NULL);
	config->identity_company = g_key_file_get_string(file, "identity", "company", NULL);
	config->identity_postal_address =
	    g_key_file_get_string(file, "identity", "postal_address", NULL);
	config->store_path =
	    config_expand_home(g_key_file_get_string(file, "store", "path", NULL));
	if (g_key_file_has_key(file, "store", "busy_timeout", NULL))
		config->busy_timeout =
		    (int)g_key_file_get_int64(file, "store", "busy_timeout", NULL);
	if (g_key_file_has_key(file, "rules", "directories", NULL)) {
		/* The shipped packs always come first; users add and override. */
		char **user = read_list(file, "rules", "directories");
		guint n = g_strv_length(user);
		char **all = g_new0(char *, n + 2);
		all[0] = g_strdup(config_shipped_rules_directory());
		for (guint i = 0; i < n; i++)
			all[i + 1] = config_expand_home(g_strdup(user[i]));
		g_strfreev(user);
		g_strfreev(config->rules_directories);
		config->rules_directories = all;
	}
	if (g_key_file_has_key(file, "rules", "languages", NULL)) {
		g_strfreev(config->rules_languages);
		config->rules_languages = read_list(file, "rules", "languages");
	}
	if (g_key_file_has_key(file, "filter", "max_size", NULL)) {
		char *size = g_key_file_get_string(file, "filter", "max_size", NULL);
		parse_size(g_strstrip(size), &config->filter_max_size);
		g_free(size);
	}
out:
	g_string_free(errors, TRUE);
	g_key_file_unref(file);
	g_hash_table_unref(key_lines);
	g_free(data);
	return config;
}

GKeyFile *
config_keyfile(const dm_config *config)
{
	return config->file;
}

int
config_key_line(const dm_config *config, const char *group, const char *key)
{
	char *id = g_strdup_printf("%s\x1f%s", group, key);
	int line = GPOINTER_TO_INT(g_hash_table_lookup(config->key_lines, id));

	g_free(id);
	return line;
}

const char *
config_path(const dm_config *config)
{
	return config->path;
}

char *
config_default_path(void)
{
	return g_build_filename(g_get_user_config_dir(), "dunmail", "config", NULL);
}

char *
config_default_database_path(void)
{
	return g_build_filename(g_get_user_data_dir(), "dunmail", "dunmail.db", NULL);
}

const char *
config_identity_name(const dm_config *config)
{
	return config->identity_name;
}

const char *const *
config_identity_addresses(const dm_config *config)
{
	return (const char *const *)config->identity_addresses;
}

bool
config_is_own_address(const dm_config *config, const char *address)
{
	char *normal;
	bool own = false;

	if (address == NULL)
		return false;
	normal = dm_address_normalise(address);
	for (char **a = config->identity_addresses; *a != NULL && !own; a++)
		own = strcmp(*a, normal) == 0;
	g_free(normal);
	return own;
}

const char *
config_identity_signature(const dm_config *config)
{
	return config->identity_signature;
}

const char *
config_identity_payment_details(const dm_config *config)
{
	return config->identity_payment_details;
}

const char *
config_identity_company(const dm_config *config)
{
	return config->identity_company;
}

const char *
config_identity_postal_address(const dm_config *config)
{
	return config->identity_postal_address;
}

const char *
config_store_path(const dm_config *config)
{
	return config->store_path;
}

int
config_store_busy_timeout(const dm_config *config)
{
	return config->busy_timeout;
}

const char *const *
config_rules_directories(const dm_config *config)
{
	return (const char *const *)config->rules_directories;
}

const char *const *
config_rules_languages(const dm_config *config)
{
	return (const char *const *)config->rules_languages;
}

int64_t
config_filter_max_size(const dm_config *config)
{
	return config->filter_max_size;
}

const char *
config_template(void)
{
	return "# dunmail configuration (see dunmail.conf(5)).\n"
	       "\n"
	       "[identity]\n"
	       "# Your name as it appears in reminders, and every address you send\n"
	       "# invoices from: mail from these addresses is outgoing.\n"
	       "#name = Anna Kowalska\n"
	       "#addresses = anna@example.com;billing@example.com\n"
	       "#signature = Anna Kowalska\\nStudio Kowalska\n"
	       "#payment_details = IBAN PL61 1090 1014 0000 0712 1981 2874\n"
	       "# For paper letters: the sender block (lines separated by \\n).\n"
	       "#company = Studio Kowalska\n"
	       "#postal_address = ul. Krótka 1\\n30-001 Kraków\n"
	       "\n"
	       "[store]\n"
	       "# The database; the default lives under $XDG_DATA_HOME/dunmail.\n"
	       "#path = ~/.local/share/dunmail/dunmail.db\n"
	       "#busy_timeout = 5000\n"
	       "\n"
	       "[rules]\n"
	       "# Your own rule packs, loaded after the shipped ones (same id overrides).\n"
	       "#directories = ~/.config/dunmail/rules\n"
	       "#languages = en;pl;bg;nl;ro;es;de;fr\n"
	       "\n"
	       "[filter]\n"
	       "# Larger messages pass through the filter unprocessed.\n"
	       "#max_size = 25M\n";
}
