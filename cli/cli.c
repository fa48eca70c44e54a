/* Helpers shared by the commands. */
#include "cli/cli.h"
#include "common/util.h"
#include "draft/template.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

int
cli_fail(GError *error)
{
	int code = dm_error_exit_code(error);

	fprintf(stderr, "dunmail: %s\n", error != NULL ? error->message : "unknown error");
	g_clear_error(&error);
	return code;
}

int
cli_usage(const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "dunmail: %s\n", text);
	g_free(text);
	return EX_USAGE;
}

dm_config *
cli_config(cli_context *ctx, GError **error)
{
	char *path;

	if (ctx->config != NULL)
		return ctx->config;
	if (ctx->config_file != NULL) {
		ctx->config = config_load(ctx->config_file, error);
		return ctx->config;
	}
	path = config_default_path();
	if (g_file_test(path, G_FILE_TEST_EXISTS))
		ctx->config = config_load(path, error);
	else
		ctx->config = config_new_default();
	g_free(path);
	return ctx->config;
}

char *
cli_database_path(cli_context *ctx, GError **error)
{
	dm_config *config;

	if (ctx->database_option != NULL)
		return g_strdup(ctx->database_option);
	if ((config = cli_config(ctx, error)) == NULL)
		return NULL;
	if (config_store_path(config) != NULL)
		return g_strdup(config_store_path(config));
	return config_default_database_path();
}

store *
cli_store(cli_context *ctx, store_open_mode mode, GError **error)
{
	char *path;
	dm_config *config;

	if (ctx->db != NULL)
		return ctx->db;
	if ((config = cli_config(ctx, error)) == NULL)
		return NULL;
	if ((path = cli_database_path(ctx, error)) == NULL)
		return NULL;
	ctx->db = store_open(path, mode, error);
	if (ctx->db != NULL)
		store_set_busy_timeout(ctx->db, config_store_busy_timeout(config));
	g_free(path);
	return ctx->db;
}

bool
cli_parse_options(int *argc, char ***argv, const char *usage, const char *description,
		  const GOptionEntry *entries, int *exit_code)
{
	GOptionContext *context = g_option_context_new(usage);
	GError *error = NULL;
	bool ok;

	g_option_context_set_help_enabled(context, TRUE);
	if (description != NULL)
		g_option_context_set_summary(context, description);
	if (entries != NULL)
		g_option_context_add_main_entries(context, entries, NULL);
	ok = g_option_context_parse(context, argc, argv, &error);
	/* "--" ended the options; it is not an argument itself. */
	for (int i = 1; ok && i < *argc; i++) {
		if (strcmp((*argv)[i], "--") == 0) {
			memmove(&(*argv)[i], &(*argv)[i + 1], sizeof(char *) * (size_t)(*argc - i));
			(*argc)--;
			break;
		}
	}
	if (!ok) {
		*exit_code = cli_usage("%s (see --help)", error->message);
		g_error_free(error);
	}
	g_option_context_free(context);
	return ok;
}

bool
cli_output_format(const char *name, printer_format *format, GError **error)
{
	if (name == NULL) {
		*format = PRINTER_TABLE;
		return true;
	}
	return printer_format_parse(name, format, error);
}

int
cli_dispatch(cli_context *ctx, const char *group, const cli_command *commands, int argc,
	     char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *out = argc < 2 ? stderr : stdout;
		fprintf(out, "usage: dunmail %s COMMAND ...\n\ncommands:\n", group);
		for (const cli_command *c = commands; c->name != NULL; c++)
			fprintf(out, "  %-10s %s\n", c->name, c->summary);
		return argc < 2 ? EX_USAGE : EX_OK;
	}
	for (const cli_command *c = commands; c->name != NULL; c++) {
		if (strcmp(c->name, argv[1]) == 0) {
			char *name = g_strdup_printf("%s %s", group, c->name);
			char *saved = argv[1];
			int code;
			argv[1] = name;
			code = c->run(ctx, argc - 1, argv + 1);
			argv[1] = saved;
			g_free(name);
			return code;
		}
	}
	return cli_usage("unknown command \"%s %s\" (see dunmail %s --help)", group, argv[1],
			 group);
}

template_set *
template_set_load_from_rules(const char *const *rules_dirs, const char *const *languages,
			     GError **error)
{
	GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
	template_set *set;

	for (const char *const *d = rules_dirs; d != NULL && *d != NULL; d++)
		g_ptr_array_add(dirs, g_build_filename(*d, "templates", NULL));
	g_ptr_array_add(dirs, NULL);
	set = template_set_load((const char *const *)dirs->pdata, languages, error);
	g_ptr_array_unref(dirs);
	return set;
}

bool
cli_check_name(const char *what, const char *text, bool identifier, GError **error)
{
	bool ok = text != NULL && *text != '\0' && g_utf8_validate(text, -1, NULL);

	for (const char *p = text; ok && *p != '\0'; p++)
		ok = (unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f;
	if (ok && identifier)
		ok = strstr(text, "=?") == NULL && strchr(text, ',') == NULL;
	if (!ok)
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "%s: empty, not UTF-8, or holds control characters%s", what,
			    identifier ? ", \"=?\" or \",\"" : "");
	return ok;
}
