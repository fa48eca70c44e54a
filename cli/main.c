/*
 * dunmail [--config FILE] [--db FILE] [--now YYYY-MM-DD] [--verbose] COMMAND ...
 *
 * The global options may stand anywhere before a "--" (scripts write
 * "dunmail report aging --now 2026-11-22"), so they are taken out of argv
 * first and the rest goes to the command.
 */
#include "cli/cli.h"
#include "common/date.h"
#include "common/util.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static const cli_command commands[] = {
    {"init", cmd_init, "create the configuration and the database"},
    {"client", cmd_client, "add, change, list and show clients"},
    {"invoice", cmd_invoice, "add, import, list, show and update invoices"},
    {"message", cmd_message, "list messages, say what a misread or unread one means"},
    {"filter", cmd_filter, "the mail filter: one message on stdin, passed through"},
    {"scan", cmd_scan, "read new mail in INBOX, Sent and [imap] folders over IMAP"},
    {"classify", cmd_classify, "what dunmail understands from a message (changes nothing)"},
    {"rules", cmd_rules, "check and test rule packs"},
    {"followup", cmd_followup, "plan today's reminders and write them as drafts"},
    {"tasks", cmd_tasks, "calls, letters, disputes, payments to confirm, replies to read"},
    {"plan", cmd_plan, "split an invoice into instalments"},
    {"report", cmd_report, "reports: aging, promises, clients"},
    {"config", cmd_config, "check the configuration"},
    {NULL, NULL, NULL},
};

static void
print_help(FILE *out)
{
	fprintf(out,
		"usage: dunmail [--config FILE] [--db FILE] [--now YYYY-MM-DD] [--verbose]"
		" COMMAND ...\n\n"
		"dunmail chases unpaid invoices from inside your mailbox, politely.\n\n"
		"commands:\n");
	for (const cli_command *c = commands; c->name != NULL; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->summary);
	fprintf(out, "\nglobal options:\n"
		     "  --config FILE   configuration file (default $XDG_CONFIG_HOME/dunmail/config)\n"
		     "  --db FILE       database (default [store] path, else"
		     " $XDG_DATA_HOME/dunmail/dunmail.db)\n"
		     "  --now DATE      take DATE as today for every date computation\n"
		     "  --verbose       say more on stderr\n"
		     "  --help, --version\n\n"
		     "\"dunmail COMMAND --help\" describes a command; dunmail(1) has the rest.\n");
}

/* Takes "--name VALUE" or "--name=VALUE" at argv[*i]; true when it matched. */
static bool
take_option(char **argv, int argc, int *i, const char *name, char **value, int *exit_code)
{
	size_t length = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, length) != 0)
		return false;
	if (arg[length] == '=') {
		*value = g_strdup(arg + length + 1);
		return true;
	}
	if (arg[length] != '\0')
		return false;
	if (*i + 1 >= argc) {
		*exit_code = cli_usage("%s needs a value", name);
		return true;
	}
	*value = g_strdup(argv[++*i]);
	return true;
}

int
main(int argc, char **argv)
{
	cli_context ctx = {0};
	GPtrArray *rest = g_ptr_array_new();
	char *now = NULL;
	int code = EX_OK;
	bool after_dashes = false;

	setlocale(LC_ALL, "");
	g_ptr_array_add(rest, argv[0]);
	for (int i = 1; i < argc && code == EX_OK; i++) {
		char *value = NULL;
		if (after_dashes) {
			g_ptr_array_add(rest, argv[i]);
		} else if (strcmp(argv[i], "--") == 0) {
			after_dashes = true;
			g_ptr_array_add(rest, argv[i]);
		} else if (take_option(argv, argc, &i, "--config", &value, &code)) {
			g_free(ctx.config_file);
			ctx.config_file = value;
		} else if (take_option(argv, argc, &i, "--db", &value, &code)) {
			g_free(ctx.database_option);
			ctx.database_option = value;
		} else if (take_option(argv, argc, &i, "--now", &value, &code)) {
			g_free(now);
			now = value;
		} else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
			ctx.verbose = true;
		} else if (rest->len == 1 && strcmp(argv[i], "--version") == 0) {
			printf("dunmail %s\n", DUNMAIL_VERSION);
			goto out;
		} else if (rest->len == 1 &&
			   (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			print_help(stdout);
			goto out;
		} else {
			g_ptr_array_add(rest, argv[i]);
		}
	}
	if (code != EX_OK)
		goto out;
	dm_log_set_verbose(ctx.verbose);
	if (now != NULL) {
		GError *error = NULL;
		dm_date today;
		if (!dm_date_parse_iso(now, &today, &error)) {
			code = cli_usage("--now: %s", error->message);
			g_error_free(error);
			goto out;
		}
		dm_date_set_today(today);
	}
	if (rest->len < 2) {
		print_help(stderr);
		code = EX_USAGE;
		goto out;
	}
	g_ptr_array_add(rest, NULL);
	code = EX_USAGE;
	{
		const char *name = g_ptr_array_index(rest, 1);
		const cli_command *c;
		for (c = commands; c->name != NULL; c++)
			if (strcmp(c->name, name) == 0)
				break;
		if (c->name == NULL)
			code = cli_usage("unknown command \"%s\" (see dunmail --help)", name);
		else
			code = c->run(&ctx, (int)rest->len - 2, (char **)rest->pdata + 1);
	}
out:
	store_close(ctx.db);
	config_free(ctx.config);
	g_free(ctx.config_file);
	g_free(ctx.database_option);
	g_free(now);
	g_ptr_array_free(rest, TRUE);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dunmail: cannot write the output\n");
		return EX_IOERR;
	}
	return code;
}
