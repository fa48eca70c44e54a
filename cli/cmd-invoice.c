/*
 * dunmail invoice add | import | list | show | paid | promise | dispute | resolve | note |
 * writeoff
 */
#include "cli/cli.h"
#include "common/money.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static int
invoice_add(cli_context *ctx, int argc, char **argv)
{
	char *client_name = NULL, *amount = NULL, *currency = NULL, *issued = NULL, *due = NULL,
	     *message_id = NULL, *discount = NULL;
	int discount_days = 0;
	GOptionEntry entries[] = {
	    {"client", 0, 0, G_OPTION_ARG_STRING, &client_name, "the client's name", "NAME"},
	    {"amount", 0, 0, G_OPTION_ARG_STRING, &amount, "total, e.g. 1250.00", "AMOUNT"},
	    {"currency", 0, 0, G_OPTION_ARG_STRING, &currency,
	     "ISO 4217 code (default: the client's)", "CUR"},
	    {"issued", 0, 0, G_OPTION_ARG_STRING, &issued, "issue date (default today)",
	     "YYYY-MM-DD"},
	    {"due", 0, 0, G_OPTION_ARG_STRING, &due, "due date (default issued + terms)",
	     "YYYY-MM-DD"},
	    {"message-id", 0, 0, G_OPTION_ARG_STRING, &message_id,
	     "Message-ID of the e-mail that sent the invoice", "ID"},
	    {"discount", 0, 0, G_OPTION_ARG_STRING, &discount,
	     "early-payment discount in percent (e.g. 2)", "PCT"},
	    {"discount-days", 0, 0, G_OPTION_ARG_INT, &discount_days,
	     "... if paid within DAYS of the issue date", "DAYS"},
	    {NULL}};
	store_source source = {.command = "invoice add"};
	store_invoice *invoice = store_invoice_new();
	store_client *client = NULL;
	GError *error = NULL;
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "NUMBER --client NAME --amount X [--currency CUR]"
					     " [--issued DATE] [--due DATE]",
			       "Adds an invoice.", entries, &code))
		goto out;
	if (argc != 2 || *g_strstrip(argv[1]) == '\0') {
		code = cli_usage("invoice add needs exactly one NUMBER");
		goto out;
	}
	if (client_name == NULL || amount == NULL) {
		code = cli_usage("invoice add needs --client and --amount");
		goto out;
	}
	if (!cli_check_name("invoice number", argv[1], true, &error))
		goto fail;
	if ((db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL ||
	    (client = store_client_find(db, client_name, &error)) == NULL)
		goto fail;
	if (currency == NULL && client->currency == NULL) {
		code = cli_usage("--currency is needed (client %s has no default currency)",
				 client->name);
		goto out;
	}
	g_strlcpy(invoice->currency, currency != NULL ? currency : client->currency,
		  sizeof invoice->currency);
	if (!dm_currency_known(invoice->currency) || strlen(invoice->currency) != 3) {
		code = cli_usage("--currency: \"%s\" is not an ISO 4217 currency code",
				 currency != NULL ? currency : client->currency);
		goto out;
	}
	if (!dm_money_parse(amount, invoice->currency, &invoice->amount, &error)) {
		g_prefix_error(&error, "--amount: ");
		goto fail;
	}
	if (invoice->amount <= 0) {
		code = cli_usage("--amount: must be positive");
		goto out;
	}
	invoice->issued = dm_date_today();
	if (issued != NULL && !dm_date_parse_iso(issued, &invoice->issued, &error)) {
		g_prefix_error(&error, "--issued: ");
		goto fail;
	}
	invoice->due = invoice->issued + client->payment_terms;
	if (due != NULL && !dm_date_parse_iso(due, &invoice->due, &error)) {
		g_prefix_error(&error, "--due: ");
		goto fail;
	}
	if (invoice->due < invoice->issued) {
		code = cli_usage("--due: the due date is before the issue date");
		goto out;
	}
	if (discount != NULL) {
		int64_t hundredths;
		/* Percent with up to two decimals, as basis points: "2" = 200, "1.5" = 150. */
		if (!dm_money_parse(discount, "EUR", &hundredths, NULL) || hundredths <= 0 ||
		    hundredths >= 10000 || discount_days <= 0) {
			code = cli_usage("--discount needs a percentage between 0 and 100 and"
					 " --discount-days DAYS");
			goto out;
		}
		invoice->discount_bp = (int)hundredths;
		invoice->discount_days = discount_days;
	}
	invoice->number = g_strdup(argv[1]);
	invoice->client_id = client->id;
	if (message_id != NULL) {
		char *id = g_strdup(message_id);
		g_strstrip(id);
		if (*id == '<' && id[strlen(id) - 1] == '>') {
			id[strlen(id) - 1] = '\0';
			memmove(id, id + 1, strlen(id));
		}
		invoice->sent_message_id = id;
	}
	if (!store_invoice_add(db, invoice, &source, &error))
		goto fail;
	{
		char *text = dm_money_format_plain(invoice->amount, invoice->currency);
		printf("added invoice %s for %s: %s %s\n", invoice->number, client->name, text,
		       invoice->currency);
		g_free(text);
	}
	goto out;
fail:
	code = cli_fail(error);
out:
	store_invoice_free(invoice);
	store_client_free(client);
	g_free(client_name);
	g_free(amount);
	g_free(currency);
	g_free(issued);
	g_free(due);
	g_free(message_id);
	g_free(discount);
	return code;
}

static int64_t
days_overdue(const store_invoice *invoice)
{
	dm_date today = dm_date_today();
	return today > invoice->due ? today - invoice->due : 0;
}

static void
invoice_columns(printer *p)
{
	printer_column(p, "number", "Number", false);
	printer_column(p, "client", "Client", false);
	printer_column(p, "amount", "Amount", true);
	printer_column(p, "balance", "Balance", true);
	printer_column(p, "currency", "Cur", false);
	printer_column(p, "issued", "Issued", false);
	printer_column(p, "due", "Due", false);
	printer_column(p, "status", "Status", false);
	printer_column(p, "promised_date", "Promised", false);
	printer_column(p, "level", "Level", true);
	printer_column(p, "days_overdue", "Overdue", true);
	printer_column(p, "disputed_amount", "Disputed", true);
}

static void
invoice_row(printer *p, const store_invoice *invoice)
{
	char iso[DM_DATE_ISO_SIZE];
	char *text;

	printer_row_begin(p);
	printer_string(p, invoice->number);
	printer_string(p, invoice->client_name);
	text = dm_money_format_plain(invoice->amount, invoice->currency);
	printer_decimal(p, text);
	g_free(text);
	text = dm_money_format_plain(invoice->balance, invoice->currency);
	printer_decimal(p, text);
	g_free(text);
	printer_string(p, invoice->currency);
	printer_string(p, dm_date_format_iso(invoice->issued, iso));
	printer_string(p, dm_date_format_iso(invoice->due, iso));
	printer_string(p, invoice_status_name(invoice->status));
	if (invoice->promised_date != DM_DATE_NONE)
		printer_string(p, dm_date_format_iso(invoice->promised_date, iso));
	else
		printer_null(p);
	printer_int(p, invoice->level);
	printer_int(p, days_overdue(invoice));
	/* Only while disputed: after a resolve the figure means nothing. */
	if (invoice->status == INVOICE_DISPUTED && invoice->disputed_amount > 0) {
		text = dm_money_format_plain(invoice->disputed_amount, invoice->currency);
		printer_decimal(p, text);
		g_free(text);
	} else {
		printer_null(p);
	}
	printer_row_end(p);
}

static int
invoice_list(cli_context *ctx, int argc, char **argv)
{
	char *format_name = NULL, *status = NULL, *client_name = NULL;
	GOptionEntry entries[] = {
	    {"status", 0, 0, G_OPTION_ARG_STRING, &status,
	     "open, promised, disputed, paid, partial or written_off", "S"},
	    {"client", 0, 0, G_OPTION_ARG_STRING, &client_name, "only this client's", "NAME"},
	    {"format", 0, 0, G_OPTION_ARG_STRING, &format_name, "table, csv or json", "FORMAT"},
	    {NULL}};
	store_invoice_filter filter = {0};
	printer_format format;
	GPtrArray *invoices = NULL;
	GError *error = NULL;
	printer *p = NULL;
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "[--status S] [--client NAME]", "Lists invoices.",
			       entries, &code))
		goto out;
	if (argc != 1) {
		code = cli_usage("invoice list takes no arguments");
		goto out;
	}
	if (status != NULL && !invoice_status_parse(status, &filter.status)) {
		code = cli_usage("--status: \"%s\" is not a status (open, promised, disputed, paid,"
				 " partial, written_off)",
				 status);
		goto out;
	}
	filter.by_status = status != NULL;
	if (!cli_output_format(format_name, &format, &error) ||
	    (db = cli_store(ctx, STORE_OPEN_READONLY, &error)) == NULL)
		goto fail;
	if (client_name != NULL) {
		store_client *client = store_client_find(db, client_name, &error);
		if (client == NULL)
			goto fail;
		filter.client_id = client->id;
		store_client_free(client);
	}
	if ((invoices = store_invoice_list(db, &filter, &error)) == NULL)
		goto fail;
	p = printer_new(format, stdout);
	invoice_columns(p);
	for (guint i = 0; i < invoices->len; i++)
		invoice_row(p, g_ptr_array_index(invoices, i));
	printer_finish(p);
	goto out;
fail:
	code = cli_fail(error);
out:
	printer_free(p);
	if (invoices != NULL)
		g_ptr_array_unref(invoices);
	g_free(format_name);
	g_free(status);
	g_free(client_name);
	return code;
}

/* The event's cause in words: "command invoice paid", "message <id> (rule en.paid.x)". */
static char *
event_source(const store_event *event)
{
	if (event->command != NULL)
		return g_strdup_printf("command: %s", event->command);
	if (event->rule_id != NULL)
		return g_strdup_printf("message <%s>, rule %s",
				       event->message_id ? event->message_id : "?", event->rule_id);
	return g_strdup_printf("message <%s>", event->message_id ? event->message_id : "?");
}

static int
invoice_show(cli_context *ctx, int argc, char **argv)
{
	char *format_name = NULL;
	GOptionEntry entries[] = {{"format", 0, 0, G_OPTION_ARG_STRING, &format_name,
				   "table, csv or json (the timeline)", "FORMAT"},
				  {NULL}};
	printer_format format;
	store_invoice *invoice = NULL;
	GPtrArray *events = NULL;
	GError *error = NULL;
	printer *p = NULL;
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "NUMBER",
			       "Shows an invoice and the timeline of events that explain its status.",
			       entries, &code))
		goto out;
	if (argc != 2) {
		code = cli_usage("invoice show needs one NUMBER");
		goto out;
	}
	if (!cli_output_format(format_name, &format, &error) ||
	    (db = cli_store(ctx, STORE_OPEN_READONLY, &error)) == NULL ||
	    (invoice = store_invoice_find(db, argv[1], &error)) == NULL ||
	    (events = store_event_list_for_invoice(db, invoice->id, &error)) == NULL)
		goto fail;
	if (format == PRINTER_TABLE) {
		p = printer_new(format, stdout);
		printer_set_vertical(p, true);
		invoice_columns(p);
		invoice_row(p, invoice);
		printer_finish(p);
		printer_free(p);
		if (invoice->status == INVOICE_DISPUTED && invoice->dispute_note != NULL)
			printf("Dispute:  %s\n", invoice->dispute_note);
		if (invoice->discount_bp > 0)
			printf("Discount: %d.%02d %% if paid within %d days\n",
			       invoice->discount_bp / 100, invoice->discount_bp % 100,
			       invoice->discount_days);
		{
			GPtrArray *parts = store_invoice_instalments(db, invoice->id, &error);
			if (parts == NULL)
				goto fail;
			if (parts->len > 0) {
				printf("\nPayment plan:\n");
				p = printer_new(format, stdout);
				invoice_columns(p);
				for (guint i = 0; i < parts->len; i++)
					invoice_row(p, g_ptr_array_index(parts, i));
				printer_finish(p);
				printer_free(p);
			}
			g_ptr_array_unref(parts);
		}
		printf("\nTimeline:\n");
	}
	p = printer_new(format, stdout);
	printer_column(p, "at", "When", false);
	printer_column(p, "kind", "Event", false);
	printer_column(p, "before", "From", false);
	printer_column(p, "after", "To", false);
	printer_column(p, "detail", "Detail", false);
	printer_column(p, "source", "Source", false);
	for (guint i = 0; i < events->len; i++) {
		const store_event *event = g_ptr_array_index(events, i);
		char *source = event_source(event);
		printer_row_begin(p);
		printer_string(p, event->at);
		printer_string(p, event->kind);
		printer_string(p, event->before);
		printer_string(p, event->after);
		printer_string(p, event->detail);
		printer_string(p, source);
		printer_row_end(p);
		g_free(source);
	}
	printer_finish(p);
	goto out;
fail:
	code = cli_fail(error);
out:
	printer_free(p);
	store_invoice_free(invoice);
	if (events != NULL)
		g_ptr_array_unref(events);
	g_free(format_name);
	return code;
}

/* Shared frame of the commands that change one invoice's state. */
typedef bool (*invoice_action)(store *db, store_invoice *invoice, const store_source *source,
			       const void *data, GError **error);

/*
 * Runs action on the invoice numbered number, in one transaction.  With
 * reads_replies the action records what the client said (a promise, a
 * dispute, a payment), so the client's unread replies count as read: the
 * user has dealt with them, and they no longer hold the reminders.
 */
static int
run_action(cli_context *ctx, const char *command, const char *number, invoice_action action,
	   const void *data, bool reads_replies)
{
	store_source source = {.command = command};
	store_invoice *invoice = NULL, *after = NULL;
	GError *error = NULL;
	int marked = 0;
	store *db;

	if ((db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL ||
	    (invoice = store_invoice_find(db, number, &error)) == NULL)
		goto fail;
	if (!store_begin(db, &error))
		goto fail;
	if (!action(db, invoice, &source, data, &error) ||
	    (reads_replies && !store_client_mark_replies_read(db, invoice->client_id,
							      dm_date_today(), &source, &marked,
							      &error)) ||
	    !store_commit(db, &error)) {
		store_rollback(db);
		goto fail;
	}
	if ((after = store_invoice_get(db, invoice->id, &error)) == NULL)
		goto fail;
	{
		char *balance = dm_money_format_plain(after->balance, after->currency);
		printf("invoice %s: %s, balance %s %s\n", after->number,
		       invoice_status_name(after->status), balance, after->currency);
		g_free(balance);
	}
	if (marked > 0)
		printf("%s: %d unread repl%s marked read\n", after->client_name, marked,
		       marked == 1 ? "y" : "ies");
	store_invoice_free(invoice);
	store_invoice_free(after);
	return EX_OK;
fail:
	store_invoice_free(invoice);
	return cli_fail(error);
}

struct payment_request {
	const char *amount;
	dm_date on;
};

static bool
action_paid(store *db, store_invoice *invoice, const store_source *source, const void *data,
	    GError **error)
{
	const struct payment_request *request = data;
	int64_t amount = 0;

	if (request->amount != NULL) {
		if (!dm_money_parse(request->amount, invoice->currency, &amount, error)) {
			g_prefix_error(error, "--amount: ");
			return false;
		}
		if (amount <= 0) {
			g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "--amount: must be positive");
			return false;
		}
	}
	return store_invoice_record_payment(db, invoice->id, amount, request->on, source, error);
}

static int
invoice_paid(cli_context *ctx, int argc, char **argv)
{
	char *amount = NULL, *on = NULL;
	GOptionEntry entries[] = {
	    {"amount", 0, 0, G_OPTION_ARG_STRING, &amount,
	     "amount received (default: the whole balance)", "X"},
	    {"on", 0, 0, G_OPTION_ARG_STRING, &on, "date received (default today)", "DATE"},
	    {NULL}};
	struct payment_request request = {0};
	GError *error = NULL;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "NUMBER [--amount X] [--on DATE]",
			       "Records a payment; a partial one reduces the balance.", entries,
			       &code))
		goto out;
	if (argc != 2) {
		code = cli_usage("invoice paid needs one NUMBER");
		goto out;
	}
	request.amount = amount;
	request.on = dm_date_today();
	if (on != NULL && !dm_date_parse_iso(on, &request.on, &error)) {
		g_prefix_error(&error, "--on: ");
		code = cli_fail(error);
		goto out;
	}
	code = run_action(ctx, "invoice paid", argv[1], action_paid, &request, true);
out:
	g_free(amount);
	g_free(on);
	return code;
}

struct promise_request {
	dm_date by;
	const char *note;
};

static bool
action_promise(store *db, store_invoice *invoice, const store_source *source, const void *data,
	       GError **error)
{
	const struct promise_request *request = data;
	dm_date today = dm_date_today();

	/* A promise is about paying from now on; a past date is a typo, and
	 * it would be broken at once. */
	if (request->by < today) {
		char by[DM_DATE_ISO_SIZE], now[DM_DATE_ISO_SIZE];
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "--date: %s is before today (%s): invoice %s cannot be promised for"
			    " a day that has passed",
			    dm_date_format_iso(request->by, by), dm_date_format_iso(today, now),
			    invoice->number);
		return false;
	}
	if (!store_invoice_promise(db, invoice->id, request->by, today, source, error))
		return false;
	return request->note == NULL ||
	       store_invoice_add_note(db, invoice->id, request->note, source, error);
}

static int
invoice_promise(cli_context *ctx, int argc, char **argv)
{
	char *date = NULL, *note = NULL;
	GOptionEntry entries[] = {
	    {"date", 0, 0, G_OPTION_ARG_STRING, &date, "the day the client promised to pay by",
	     "DATE"},
	    {"note", 0, 0, G_OPTION_ARG_STRING, &note, "how and when it was promised", "TEXT"},
	    {NULL}};
	struct promise_request request = {DM_DATE_NONE, NULL};
	GError *error = NULL;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "NUMBER --date DATE [--note TEXT]",
			       "Records a promise to pay by a date, made on a call or in a reply"
			       " dunmail did not read: no reminder until then.",
			       entries, &code))
		goto out;
	if (argc != 2) {
		code = cli_usage("invoice promise needs one NUMBER");
		goto out;
	}
	if (date == NULL) {
		code = cli_usage("invoice promise needs --date DATE (the day to pay by)");
		goto out;
	}
	if (!dm_date_parse_iso(date, &request.by, &error)) {
		g_prefix_error(&error, "--date: ");
		code = cli_fail(error);
		goto out;
	}
	if (note != NULL && !cli_check_name("--note", note, false, &error)) {
		code = cli_fail(error);
		goto out;
	}
	request.note = note;
	code = run_action(ctx, "invoice promise", argv[1], action_promise, &request, true);
out:
	g_free(date);
	g_free(note);
	return code;
}

struct dispute_request {
	const char *amount;
	const char *reason;
};

static bool
action_dispute(store *db, store_invoice *invoice, const store_source *source, const void *data,
	       GError **error)
{
	const struct dispute_request *request = data;
	int64_t amount = 0;

	if (request->amount != NULL) {
		if (!dm_money_parse(request->amount, invoice->currency, &amount, error)) {
			g_prefix_error(error, "--amount: ");
			return false;
		}
		if (amount <= 0) {
			g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
				    "--amount: must be positive (the part of invoice %s disputed)",
				    invoice->number);
			return false;
		}
	}
	if (!store_invoice_dispute(db, invoice->id, request->reason, amount, source, error)) {
		/* The store's only input error is an amount above the balance. */
		if (error != NULL && g_error_matches(*error, DM_ERROR, DM_ERROR_INPUT))
			g_prefix_error(error, "--amount: ");
		return false;
	}
	return true;
}

static int
invoice_dispute(cli_context *ctx, int argc, char **argv)
{
	char *reason = NULL, *note = NULL, *amount = NULL;
	GOptionEntry entries[] = {
	    {"reason", 0, 0, G_OPTION_ARG_STRING, &reason, "what the client contests", "TEXT"},
	    {"note", 0, 0, G_OPTION_ARG_STRING, &note, "the same as --reason", "TEXT"},
	    {"amount", 0, 0, G_OPTION_ARG_STRING, &amount,
	     "the part disputed, in the invoice's currency (default: all of it)", "AMOUNT"},
	    {NULL}};
	struct dispute_request request = {NULL, NULL};
	GError *error = NULL;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "NUMBER [--amount AMOUNT] [--reason TEXT]",
			       "Marks an invoice as disputed: chasing stops until it is resolved.",
			       entries, &code))
		goto out;
	if (argc != 2) {
		code = cli_usage("invoice dispute needs one NUMBER");
		goto out;
	}
	/* --note is the older name of --reason; both at once must agree. */
	if (reason != NULL && note != NULL && strcmp(reason, note) != 0) {
		code = cli_usage("invoice dispute: --note is another name for --reason; give one");
		goto out;
	}
	request.reason = reason != NULL ? reason : note;
	if (request.reason != NULL && !cli_check_name("--reason", request.reason, false, &error)) {
		code = cli_fail(error);
		goto out;
	}
	request.amount = amount;
	code = run_action(ctx, "invoice dispute", argv[1], action_dispute, &request, true);
out:
	g_free(reason);
	g_free(note);
	g_free(amount);
	return code;
}

static bool
action_resolve(store *db, store_invoice *invoice, const store_source *source, const void *data,
	       GError **error)
{
	return store_invoice_resolve(db, invoice->id, source, error);
}

static bool
action_writeoff(store *db, store_invoice *invoice, const store_source *source, const void *data,
		GError **error)
{
	return store_invoice_write_off(db, invoice->id, source, error);
}

static bool
action_note(store *db, store_invoice *invoice, const store_source *source, const void *data,
	    GError **error)
{
	return store_invoice_add_note(db, invoice->id, data, source, error);
}

static int
simple_action(cli_context *ctx, int argc, char **argv, const char *command, const char *usage,
	      const char *description, invoice_action action, int wanted_args)
{
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, usage, description, NULL, &code))
		return code;
	if (argc != wanted_args + 1)
		return cli_usage("%s: usage: dunmail %s %s", command, command, usage);
	return run_action(ctx, command, argv[1], action, wanted_args > 1 ? argv[2] : NULL, false);
}

static int
invoice_resolve(cli_context *ctx, int argc, char **argv)
{
	return simple_action(ctx, argc, argv, "invoice resolve", "NUMBER",
			     "Ends a dispute; chasing resumes where it was.", action_resolve, 1);
}

static int
invoice_writeoff(cli_context *ctx, int argc, char **argv)
{
	return simple_action(ctx, argc, argv, "invoice writeoff", "NUMBER",
			     "Writes the balance off: the invoice is no longer chased.",
			     action_writeoff, 1);
}

static int
invoice_note(cli_context *ctx, int argc, char **argv)
{
	return simple_action(ctx, argc, argv, "invoice note", "NUMBER TEXT",
			     "Adds a note to the invoice's timeline.", action_note, 2);
}

static const cli_command invoice_commands[] = {
    {"add", invoice_add, "add an invoice"},
    {"import", cmd_invoice_import, "import invoices from a CSV export"},
    {"list", invoice_list, "list invoices"},
    {"show", invoice_show, "show an invoice and its timeline"},
    {"paid", invoice_paid, "record a payment (partial or whole)"},
    {"promise", invoice_promise, "record a promise to pay by a date"},
    {"dispute", invoice_dispute, "mark as disputed (all or part)"},
    {"resolve", invoice_resolve, "end a dispute"},
    {"note", invoice_note, "add a note"},
    {"writeoff", invoice_writeoff, "write the balance off"},
    {NULL, NULL, NULL},
};

int
cmd_invoice(cli_context *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "invoice", invoice_commands, argc, argv);
}
