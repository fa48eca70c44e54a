/*
 * dunmail report aging: the open balance per client and currency in the
 * buckets accountants use: not due, 1-30, 31-60, 61-90 and over 90 days
 * overdue, as of today (--now).  An invoice due today is not due yet.
 * Written-off invoices are out; an invoice the client says is paid stays
 * in until the payment is confirmed, because the money is not in yet.
 */
#include "cli/cli.h"
#include "common/money.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

enum { BUCKET_NOT_DUE, BUCKET_1_30, BUCKET_31_60, BUCKET_61_90, BUCKET_OVER_90, BUCKETS };

static const char *const bucket_keys[BUCKETS] = {"not_due", "days_1_30", "days_31_60",
						  "days_61_90", "days_over_90"};
static const char *const bucket_titles[BUCKETS] = {"Not due", "1-30", "31-60", "61-90", "90+"};

typedef struct {
	char *client; /* NULL for the total line */
	char currency[4];
	int64_t buckets[BUCKETS];
	int64_t total;
	int invoices;
} aging_line;

static int
bucket_of(dm_date due, dm_date today)
{
	int64_t overdue = (int64_t)today - due;

	if (overdue <= 0)
		return BUCKET_NOT_DUE;
	if (overdue <= 30)
		return BUCKET_1_30;
	if (overdue <= 60)
		return BUCKET_31_60;
	if (overdue <= 90)
		return BUCKET_61_90;
	return BUCKET_OVER_90;
}

static aging_line *
line_for(GPtrArray *lines, GHashTable *index, const char *client, const char *currency)
{
	char *key = g_strdup_printf("%s\x1f%s", client != NULL ? client : "", currency);
	aging_line *line = g_hash_table_lookup(index, key);

	if (line == NULL) {
		line = g_new0(aging_line, 1);
		line->client = g_strdup(client);
		g_strlcpy(line->currency, currency, sizeof line->currency);
		g_ptr_array_add(lines, line);
		g_hash_table_insert(index, key, line);
	} else {
		g_free(key);
	}
	return line;
}

static void
aging_line_free(gpointer data)
{
	aging_line *line = data;
	g_free(line->client);
	g_free(line);
}

static int
compare_lines(gconstpointer a, gconstpointer b)
{
	const aging_line *x = *(const aging_line *const *)a;
	const aging_line *y = *(const aging_line *const *)b;
	int by_client = g_utf8_collate(x->client != NULL ? x->client : "",
				       y->client != NULL ? y->client : "");

	return by_client != 0 ? by_client : strcmp(x->currency, y->currency);
}

static void
add_amount(aging_line *line, int bucket, int64_t amount)
{
	line->buckets[bucket] += amount;
	line->total += amount;
	line->invoices++;
}

static void
print_line(printer *p, printer_format format, const aging_line *line)
{
	char *text;

	printer_row_begin(p);
	if (line->client == NULL && format != PRINTER_JSON)
		printer_string(p, "TOTAL");
	else
		printer_string(p, line->client);
	printer_string(p, line->currency);
	for (int b = 0; b < BUCKETS; b++) {
		text = dm_money_format_plain(line->buckets[b], line->currency);
		printer_decimal(p, text);
		g_free(text);
	}
	text = dm_money_format_plain(line->total, line->currency);
	printer_decimal(p, text);
	g_free(text);
	printer_int(p, line->invoices);
	printer_row_end(p);
}

int
cmd_report_aging(cli_context *ctx, int argc, char **argv)
{
	char *format_name = NULL;
	GOptionEntry entries[] = {{"format", 0, 0, G_OPTION_ARG_STRING, &format_name,
				   "table, csv or json", "FORMAT"},
				  {NULL}};
	GPtrArray *invoices = NULL, *lines = NULL, *totals = NULL;
	GHashTable *index = NULL;
	printer_format format;
	GError *error = NULL;
	printer *p = NULL;
	dm_date today = dm_date_today();
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "",
			       "Open balances per client and currency by days overdue.", entries,
			       &code))
		goto out;
	if (argc != 1) {
		code = cli_usage("report aging takes no arguments");
		goto out;
	}
	if (!cli_output_format(format_name, &format, &error) ||
	    (db = cli_store(ctx, STORE_OPEN_READONLY, &error)) == NULL ||
	    (invoices = store_invoice_list(db, NULL, &error)) == NULL) {
		code = cli_fail(error);
		goto out;
	}
	lines = g_ptr_array_new_with_free_func(aging_line_free);
	totals = g_ptr_array_new_with_free_func(aging_line_free);
	index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < invoices->len; i++) {
		const store_invoice *invoice = g_ptr_array_index(invoices, i);
		int bucket;
		if (invoice->status == INVOICE_WRITTEN_OFF || invoice->balance <= 0)
			continue;
		bucket = bucket_of(invoice->due, today);
		add_amount(line_for(lines, index, invoice->client_name, invoice->currency), bucket,
			   invoice->balance);
		add_amount(line_for(totals, index, NULL, invoice->currency), bucket,
			   invoice->balance);
	}
	/* Clients alphabetically, currencies within; totals last. */
	g_ptr_array_sort(lines, compare_lines);
	g_ptr_array_sort(totals, compare_lines);
	p = printer_new(format, stdout);
	printer_column(p, "client", "Client", false);
	printer_column(p, "currency", "Cur", false);
	for (int b = 0; b < BUCKETS; b++)
		printer_column(p, bucket_keys[b], bucket_titles[b], true);
	printer_column(p, "total", "Total", true);
	printer_column(p, "invoices", "Invoices", true);
	for (guint i = 0; i < lines->len; i++)
		print_line(p, format, g_ptr_array_index(lines, i));
	for (guint i = 0; i < totals->len; i++)
		print_line(p, format, g_ptr_array_index(totals, i));
	printer_finish(p);
out:
	printer_free(p);
	if (invoices != NULL)
		g_ptr_array_unref(invoices);
	if (lines != NULL)
		g_ptr_array_unref(lines);
	if (totals != NULL)
		g_ptr_array_unref(totals);
	if (index != NULL)
		g_hash_table_destroy(index);
	g_free(format_name);
	return code;
}
