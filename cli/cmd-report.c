/* dunmail report KIND: one file per report, this one dispatches. */
#include "cli/cli.h"

static const cli_command report_commands[] = {
    {"aging", cmd_report_aging, "open balances by age, per client and currency"},
    {"promises", cmd_report_promises, "promises to pay: open, kept and broken"},
    {"clients", cmd_report_clients, "payment reliability per client, with a credit limit"},
    {NULL, NULL, NULL},
};

int
cmd_report(cli_context *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "report", report_commands, argc, argv);
}
