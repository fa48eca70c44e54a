/* dunmail init: writes a commented configuration and creates the database. */
#include "cli/cli.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

static char *
config_with_identity(const char *name, char **addresses)
{
	GString *text = g_string_new(config_template());

	if (name != NULL) {
		char *line = g_strdup_printf("name = %s\n", name);
		char *at = strstr(text->str, "#name = ");
		g_string_insert(text, at - text->str, line);
		g_free(line);
	}
	if (addresses != NULL && addresses[0] != NULL) {
		char *joined = g_strjoinv(";", addresses);
		char *line = g_strdup_printf("addresses = %s\n", joined);
		char *at = strstr(text->str, "#addresses = ");
		g_string_insert(text, at - text->str, line);
		g_free(line);
		g_free(joined);
	}
	return g_string_free(text, FALSE);
}

/* Writes the file only if it does not exist, readable by the user alone. */
static bool
write_new_file(const char *path, const char *content, bool *created, GError **error)
{
	char *dir = g_path_get_dirname(path);
	int fd;
	size_t length = strlen(content);

	*created = false;
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_IO, "%s: cannot create directory: %s", dir,
			    g_strerror(errno));
		g_free(dir);
		return false;
	}
	g_free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return true;
	if (fd < 0 || write(fd, content, length) != (ssize_t)length) {
		g_set_error(error, DM_ERROR, DM_ERROR_IO, "%s: cannot write: %s", path,
			    g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	*created = true;
	return true;
}

int
cmd_init(cli_context *ctx, int argc, char **argv)
{
	char *name = NULL, **addresses = NULL, *config_path = NULL, *content = NULL;
	GOptionEntry entries[] = {
	    {"name", 0, 0, G_OPTION_ARG_STRING, &name, "your name, for [identity]", "NAME"},
	    {"address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &addresses,
	     "one of your own e-mail addresses (repeat for more)", "ADDR"},
	    {NULL}};
	GError *error = NULL;
	bool created = false;
	int code = EX_OK;
	store *db;

	if (!cli_parse_options(&argc, &argv, "",
			       "Creates the configuration file (unless it exists) and the database.",
			       entries, &code))
		goto out;
	if (argc > 1) {
		code = cli_usage("init takes no arguments");
		goto out;
	}
	config_path = ctx->config_file != NULL ? g_strdup(ctx->config_file) : config_default_path();
	content = config_with_identity(name, addresses);
	if (!write_new_file(config_path, content, &created, &error)) {
		code = cli_fail(error);
		goto out;
	}
	printf("%s %s\n", created ? "created" : "kept existing", config_path);
	g_free(ctx->config_file);
	ctx->config_file = g_strdup(config_path);
	if ((db = cli_store(ctx, STORE_OPEN_CREATE, &error)) == NULL) {
		code = cli_fail(error);
		goto out;
	}
	printf("database %s (schema %d)\n", store_path(db), store_schema_version(db));
out:
	g_free(name);
	g_strfreev(addresses);
	g_free(config_path);
	g_free(content);
	return code;
}
