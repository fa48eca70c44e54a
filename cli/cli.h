/*
 * The command line: main.c parses the global options and dispatches to one
 * cmd-*.c file per command.  Each command gets the context and its own
 * arguments (argv[0] is the command's name) and returns a sysexits code.
 */
#ifndef DUNMAIL_CLI_H
#define DUNMAIL_CLI_H

#include "common/config.h"
#include "common/printer.h"
#include "store/store.h"

#include <glib.h>
#include <stdbool.h>

typedef struct {
	char *config_file;      /* --config, or NULL for the default location */
	char *database_option;  /* --db, or NULL */
	bool verbose;
	dm_config *config;      /* loaded by cli_config() */
	store *db;              /* opened by cli_store() */
} cli_context;

typedef struct {
	const char *name;
	int (*run)(cli_context *ctx, int argc, char **argv);
	const char *summary;
} cli_command;

/* Prints "dunmail: <message>" and returns the matching exit code. */
int cli_fail(GError *error);
/* Prints a usage error and returns EX_USAGE. */
int cli_usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/*
 * Loads the configuration once: --config must exist; the default file may
 * be missing (then the defaults apply).
 */
dm_config *cli_config(cli_context *ctx, GError **error);
/* The database path: --db, else [store] path, else the XDG default. */
char *cli_database_path(cli_context *ctx, GError **error);
/* Opens the store once per run. */
store *cli_store(cli_context *ctx, store_open_mode mode, GError **error);

/*
 * Parses a command's options with GOption; on error or --help prints and
 * returns false with *exit_code set.  summary is the "COMMAND ARGS" line.
 */
bool cli_parse_options(int *argc, char ***argv, const char *usage, const char *description,
		       const GOptionEntry *entries, int *exit_code);
/* Adds --format to a command's entries; parse it with cli_output_format. */
bool cli_output_format(const char *name, printer_format *format, GError **error);

/*
 * Names and invoice numbers end up in mail headers: refuse control
 * characters (CR, LF, TAB, NUL...) and invalid UTF-8 at the door, and for
 * identifiers also "=?" (an encoded word) and ",".  what names the field.
 */
bool cli_check_name(const char *what, const char *text, bool identifier, GError **error);

/* Runs a subcommand from a table ("client add" -> client_add). */
int cli_dispatch(cli_context *ctx, const char *group, const cli_command *commands, int argc,
		 char **argv);

/*
 * Compiles the rule packs and date words of dirs (and with everything the
 * language profiles and templates too), appending every "file:line:
 * message" to errors.  True when there was none.  (cmd-rules.c)
 */
bool cli_check_rule_files(const dm_config *config, const char *const *dirs, bool everything,
			  size_t *rule_count, GString *errors);

/* Templates live in <rules dir>/templates/<lang>/: loads them from each rules dir. */
struct template_set *template_set_load_from_rules(const char *const *rules_dirs,
						  const char *const *languages, GError **error);

/* The commands, one file each. */
int cmd_init(cli_context *ctx, int argc, char **argv);
int cmd_client(cli_context *ctx, int argc, char **argv);
int cmd_invoice(cli_context *ctx, int argc, char **argv);
int cmd_invoice_import(cli_context *ctx, int argc, char **argv);
int cmd_message(cli_context *ctx, int argc, char **argv);
int cmd_report(cli_context *ctx, int argc, char **argv);
int cmd_report_aging(cli_context *ctx, int argc, char **argv);
int cmd_config(cli_context *ctx, int argc, char **argv);
int cmd_filter(cli_context *ctx, int argc, char **argv);
int cmd_scan(cli_context *ctx, int argc, char **argv);
int cmd_classify(cli_context *ctx, int argc, char **argv);
int cmd_rules(cli_context *ctx, int argc, char **argv);
int cmd_plan(cli_context *ctx, int argc, char **argv);
int cmd_followup(cli_context *ctx, int argc, char **argv);
int cmd_tasks(cli_context *ctx, int argc, char **argv);
int cmd_report_promises(cli_context *ctx, int argc, char **argv);
int cmd_report_clients(cli_context *ctx, int argc, char **argv);

#endif
