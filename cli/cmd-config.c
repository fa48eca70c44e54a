/* dunmail config check: parses the configuration and reports every error. */
#include "cli/cli.h"
#include "cli/imap-config.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static int
config_check(cli_context *ctx, int argc, char **argv)
{
	GError *error = NULL;
	GString *errors;
	dm_config *config;
	size_t rules = 0;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "",
			       "Parses the configuration, compiles the rule packs, date words and templates it\n"
			       "names, and reports every error as file:line.",
			       NULL, &code))
		return code;
	if ((config = cli_config(ctx, &error)) == NULL)
		return cli_fail(error);
	/* The rule packs, date words and templates are configuration too. */
	errors = g_string_new(NULL);
	/* Both checks run, so that one report lists every error. */
	bool imap_ok = imap_config_check(config, errors);
	bool rules_ok =
	    cli_check_rule_files(config, config_rules_directories(config), true, &rules, errors);
	if (!imap_ok || !rules_ok) {
		fputs(errors->str, stderr);
		g_string_free(errors, TRUE);
		return EX_CONFIG;
	}
	g_string_free(errors, TRUE);
	printf("%s: ok, %zu rules compiled\n",
	       config_path(config) != NULL ? config_path(config) : "no configuration file, defaults",
	       rules);
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
