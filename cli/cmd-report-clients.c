/*
 * dunmail report clients: how reliably each client pays.
 *
 * The grade (documented in dunmail(1)):
 *   score = 100 x (share of paid invoices paid on time)
 *           - 2 x (average days late of the paid ones)
 *           - 15 x (promises broken) + 5 x (promises kept),   clamped to 0..100
 *   A >= 85, B >= 70, C >= 50, D below; "new" without a paid invoice or a promise.
 * The suggested credit limit is the average monthly amount invoiced over the
 * last 365 days (in the client's main currency) times 3 for A, 2 for B,
 * 1 for C and 0 for D (ask for prepayment).
 */
#include "cli/cli.h"
#include "common/money.h"

#include <stdio.h>
#include <sysexits.h>

typedef struct {
	const char *grade;
	int score;
	int64_t credit_limit; /* -1 when no suggestion */
} reliability;

static reliability
grade_client(const store_client_payments *pay, const store_client_activity *activity)
{
	reliability r = {"new", 0, -1};
	double score;
	int factor;

	if (pay->paid == 0 && activity->promises_kept + activity->promises_broken == 0)
		return r;
	score = pay->paid > 0 ? 100.0 * pay->paid_on_time / pay->paid -
				    2.0 * (double)pay->days_late_sum / pay->paid
			      : 50.0;
	score += 5.0 * activity->promises_kept - 15.0 * activity->promises_broken;
	r.score = score < 0 ? 0 : score > 100 ? 100 : (int)(score + 0.5);
	if (r.score >= 85)
		r.grade = "A", factor = 3;
	else if (r.score >= 70)
		r.grade = "B", factor = 2;
	else if (r.score >= 50)
		r.grade = "C", factor = 1;
	else
		r.grade = "D", factor = 0;
	r.credit_limit = dm_money_scale(pay->invoiced_year, factor, 12);
	return r;
}

int
cmd_report_clients(cli_context *ctx, int argc, char **argv)
{
	char *format_name = NULL;
	GOptionEntry entries[] = {{"format", 0, 0, G_OPTION_ARG_STRING, &format_name,
				   "table, csv or json", "FORMAT"},
				  {NULL}};
	GPtrArray *clients = NULL;
	printer_format format;
	GError *error = NULL;
	printer *p = NULL;
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "",
			       "Per client: invoices paid on time, average days late, promises kept"
			       " and broken, open balance, a reliability grade and a suggested credit"
			       " limit.",
			       entries, &code))
		goto out;
	if (argc != 1) {
		code = cli_usage("report clients takes no arguments");
		goto out;
	}
	if (!cli_output_format(format_name, &format, &error) ||
	    (db = cli_store(ctx, STORE_OPEN_READONLY, &error)) == NULL ||
	    (clients = store_client_list(db, &error)) == NULL)
		goto fail;
	p = printer_new(format, stdout);
	printer_column(p, "client", "Client", false);
	printer_column(p, "invoices", "Invoices", true);
	printer_column(p, "paid", "Paid", true);
	printer_column(p, "on_time_percent", "On time %", true);
	printer_column(p, "average_days_late", "Avg late", true);
	printer_column(p, "promises_kept", "Kept", true);
	printer_column(p, "promises_broken", "Broken", true);
	printer_column(p, "currency", "Cur", false);
	printer_column(p, "open_balance", "Open", true);
	printer_column(p, "grade", "Grade", false);
	printer_column(p, "score", "Score", true);
	printer_column(p, "credit_limit", "Credit limit", true);
	for (guint i = 0; i < clients->len; i++) {
		const store_client *client = g_ptr_array_index(clients, i);
		store_client_payments pay;
		store_client_activity activity;
		reliability r;
		char *text;
		if (!store_client_payments_get(db, client->id, dm_date_today(), &pay, &error) ||
		    !store_client_activity_get(db, client->id, &activity, &error))
			goto fail;
		r = grade_client(&pay, &activity);
		printer_row_begin(p);
		printer_string(p, client->name);
		printer_int(p, pay.invoices);
		printer_int(p, pay.paid);
		if (pay.paid > 0)
			printer_int(p, pay.paid_on_time * 100 / pay.paid);
		else
			printer_null(p);
		if (pay.paid > 0)
			printer_int(p, (pay.days_late_sum + pay.paid / 2) / pay.paid);
		else
			printer_null(p);
		printer_int(p, activity.promises_kept);
		printer_int(p, activity.promises_broken);
		printer_string(p, pay.currency[0] != '\0' ? pay.currency : NULL);
		text = dm_money_format_plain(pay.open_balance, pay.currency);
		printer_decimal(p, pay.currency[0] != '\0' ? text : NULL);
		g_free(text);
		printer_string(p, r.grade);
		printer_int(p, r.score);
		if (r.credit_limit >= 0) {
			text = dm_money_format_plain(r.credit_limit, pay.currency);
			printer_decimal(p, text);
			g_free(text);
		} else {
			printer_null(p);
		}
		printer_row_end(p);
		store_client_activity_clear(&activity);
	}
	printer_finish(p);
	goto out;
fail:
	code = cli_fail(error);
out:
	printer_free(p);
	if (clients != NULL)
		g_ptr_array_unref(clients);
	g_free(format_name);
	return code;
}
