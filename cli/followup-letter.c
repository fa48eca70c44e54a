/* Paper letters of the ladder (see followup-letter.h). */
#include "cli/followup-letter.h"
#include "common/util.h"

#include <errno.h>
#include <string.h>

char *
followup_letters_directory(cli_context *ctx, const dm_config *config, const char *option,
                           GError **error)
{
	char *dir = g_strdup(option);

	if (dir == NULL)
		dir = g_key_file_get_string(config_keyfile(config), "followup", "letters", NULL);
	if (dir != NULL) {
		g_strstrip(dir);
		if (*dir == '\0') {
			g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
			            "%s:%d: [followup] letters is empty: name a directory or leave"
			            " the key out",
			            config_path(config) != NULL ? config_path(config) : "configuration",
			            config_key_line(config, "followup", "letters"));
			g_free(dir);
			return NULL;
		}
		return config_expand_home(dir);
	}
	/* Beside the database: the user's dunmail data stays in one place. */
	char *database = cli_database_path(ctx, error);
	char *parent;

	if (database == NULL)
		return NULL;
	parent = g_path_get_dirname(database);
	dir = g_build_filename(parent, "letters", NULL);
	g_free(parent);
	g_free(database);
	return dir;
}

bool
followup_letter_values(template_values *values, const dm_config *config,
                       const store_client *client, dm_date day, GError **error)
{
	const char *sender = config_identity_postal_address(config);
	const char *company = config_identity_company(config);

	if (client->postal_address == NULL || *client->postal_address == '\0') {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "%s has no postal address: dunmail client set \"%s\" --address LINE ...",
		            client->name, client->name);
		return false;
	}
	if (sender == NULL || *sender == '\0') {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
		            "a letter needs your own postal address: set [identity] postal_address"
		            " (\\n between lines)");
		return false;
	}
	template_values_set_text(values, "client_address", client->postal_address);
	template_values_set_text(values, "sender_address", sender);
	if (company != NULL && *company != '\0')
		template_values_set_text(values, "sender_company", company);
	template_values_set_date(values, "letter_date", day);
	return true;
}

/* Letters, digits and single dashes: a file name that works everywhere. */
static void
append_reduced(GString *name, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (g_ascii_isalnum(*p))
			g_string_append_c(name, g_ascii_tolower(*p));
		else if (name->len > 0 && name->str[name->len - 1] != '-')
			g_string_append_c(name, '-');
	}
	while (name->len > 0 && name->str[name->len - 1] == '-')
		g_string_truncate(name, name->len - 1);
}

char *
followup_letter_write(const char *dir, dm_date day, const char *client_name, const char *numbers,
                      const char *text, GError **error)
{
	char iso[DM_DATE_ISO_SIZE];
	GString *name = g_string_new(dm_date_format_iso(day, iso));
	GString *part = g_string_new(NULL);
	char *path;

	append_reduced(part, client_name);
	g_string_append_printf(name, "-%s", part->len > 0 ? part->str : "client");
	g_string_truncate(part, 0);
	append_reduced(part, numbers);
	if (part->len > 0)
		g_string_append_printf(name, "-%s", part->str);
	g_string_append(name, ".txt");
	g_string_free(part, TRUE);
	path = g_build_filename(dir, name->str, NULL);
	g_string_free(name, TRUE);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		int saved = errno;
		g_set_error(error, DM_ERROR, DM_ERROR_IO, "letters: cannot create %s: %s", dir,
		            g_strerror(saved));
		g_free(path);
		return NULL;
	}
	if (!g_file_set_contents(path, text, -1, error)) {
		g_prefix_error(error, "letters: ");
		g_free(path);
		return NULL;
	}
	return path;
}
