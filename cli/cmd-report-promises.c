/* dunmail report promises: every promise to pay, open, kept, broken or replaced. */
#include "cli/cli.h"

#include <stdio.h>
#include <sysexits.h>

int
cmd_report_promises(cli_context *ctx, int argc, char **argv)
{
	char *format_name = NULL, *state = NULL;
	GOptionEntry entries[] = {
	    {"state", 0, 0, G_OPTION_ARG_STRING, &state, "open, kept, broken or replaced", "S"},
	    {"format", 0, 0, G_OPTION_ARG_STRING, &format_name, "table, csv or json", "FORMAT"},
	    {NULL}};
	GPtrArray *promises = NULL;
	printer_format format;
	GError *error = NULL;
	printer *p = NULL;
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "[--state S]",
			       "Promises to pay with their dates and what became of them.", entries,
			       &code))
		goto out;
	if (argc != 1) {
		code = cli_usage("report promises takes no arguments");
		goto out;
	}
	if (state != NULL && g_strcmp0(state, "open") != 0 && g_strcmp0(state, "kept") != 0 &&
	    g_strcmp0(state, "broken") != 0 && g_strcmp0(state, "replaced") != 0) {
		code = cli_usage("--state: use open, kept, broken or replaced");
		goto out;
	}
	if (!cli_output_format(format_name, &format, &error) ||
	    (db = cli_store(ctx, STORE_OPEN_READONLY, &error)) == NULL ||
	    (promises = store_promise_list(db, &error)) == NULL) {
		code = cli_fail(error);
		goto out;
	}
	p = printer_new(format, stdout);
	printer_column(p, "client", "Client", false);
	printer_column(p, "invoice", "Invoice", false);
	printer_column(p, "made_on", "Made", false);
	printer_column(p, "promised_date", "Promised", false);
	printer_column(p, "state", "State", false);
	printer_column(p, "settled_on", "Settled", false);
	for (guint i = 0; i < promises->len; i++) {
		const store_promise *promise = g_ptr_array_index(promises, i);
		char iso[DM_DATE_ISO_SIZE];
		if (state != NULL && g_strcmp0(state, promise->state) != 0)
			continue;
		printer_row_begin(p);
		printer_string(p, promise->client_name);
		printer_string(p, promise->invoice_number);
		printer_string(p, dm_date_format_iso(promise->made_on, iso));
		printer_string(p, dm_date_format_iso(promise->promised_date, iso));
		printer_string(p, promise->state);
		if (promise->settled_on != DM_DATE_NONE)
			printer_string(p, dm_date_format_iso(promise->settled_on, iso));
		else
			printer_null(p);
		printer_row_end(p);
	}
	printer_finish(p);
out:
	printer_free(p);
	if (promises != NULL)
		g_ptr_array_unref(promises);
	g_free(format_name);
	g_free(state);
	return code;
}
