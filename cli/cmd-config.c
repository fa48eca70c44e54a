/* dunmail config check: parses the configuration and reports every error. */
#include "cli/cli.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static int
config_check(cli_context *ctx, int argc, char **argv)
{
	GError *error = NULL;
	dm_config *config;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "",
			       "Parses the configuration and reports every error as file:line.",
			       NULL, &code))
		return code;
	if ((config = cli_config(ctx, &error)) == NULL)
		return cli_fail(error);
	printf("%s: ok\n", config_path(config) != NULL ? config_path(config)
						       : "no configuration file, defaults");
	return EX_OK;
}

static const cli_command config_commands[] = {
    {"check", config_check, "parse the configuration, report every error"},
    {NULL, NULL, NULL},
};

int
cmd_config(cli_context *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "config", config_commands, argc, argv);
}
