/*
 * dunmail plan NUMBER --parts N --every DAYS [--first DATE]
 *
 * A payment plan: the balance split into N instalments, DAYS apart from
 * the first due date (default: today + DAYS).  Each instalment is an
 * invoice "NUMBER/i" of its own, chased on its own; `invoice show NUMBER`
 * lists them.
 */
#include "cli/cli.h"
#include "common/money.h"

#include <stdio.h>
#include <sysexits.h>

int
cmd_plan(cli_context *ctx, int argc, char **argv)
{
	int parts = 0, every = 0;
	char *first_text = NULL;
	GOptionEntry entries[] = {
	    {"parts", 0, 0, G_OPTION_ARG_INT, &parts, "number of instalments (2-60)", "N"},
	    {"every", 0, 0, G_OPTION_ARG_INT, &every, "days between instalments", "DAYS"},
	    {"first", 0, 0, G_OPTION_ARG_STRING, &first_text,
	     "due date of the first instalment (default today + DAYS)", "DATE"},
	    {NULL}};
	store_source source = {.command = "plan"};
	store_invoice *invoice = NULL;
	GPtrArray *instalments = NULL;
	GError *error = NULL;
	dm_date first;
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "NUMBER --parts N --every DAYS [--first DATE]",
			       "Splits an invoice's balance into instalments.", entries, &code))
		goto out;
	if (argc != 2) {
		code = cli_usage("plan needs one invoice NUMBER");
		goto out;
	}
	if (parts < 2 || parts > 60 || every < 1) {
		code = cli_usage("plan needs --parts 2..60 and --every DAYS >= 1");
		goto out;
	}
	first = dm_date_today() + every;
	if (first_text != NULL && !dm_date_parse_iso(first_text, &first, &error)) {
		g_prefix_error(&error, "--first: ");
		goto fail;
	}
	if ((db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL ||
	    (invoice = store_invoice_find(db, argv[1], &error)) == NULL ||
	    !store_invoice_plan(db, invoice->id, parts, every, first, &source, &error) ||
	    (instalments = store_invoice_instalments(db, invoice->id, &error)) == NULL)
		goto fail;
	printf("invoice %s: %d instalments\n", invoice->number, parts);
	for (guint i = 0; i < instalments->len; i++) {
		const store_invoice *part = g_ptr_array_index(instalments, i);
		char iso[DM_DATE_ISO_SIZE];
		char *amount = dm_money_format_plain(part->amount, part->currency);
		printf("  %s  %s %s  due %s\n", part->number, amount, part->currency,
		       dm_date_format_iso(part->due, iso));
		g_free(amount);
	}
	goto out;
fail:
	code = cli_fail(error);
out:
	if (instalments != NULL)
		g_ptr_array_unref(instalments);
	store_invoice_free(invoice);
	g_free(first_text);
	return code;
}
