/*
 * dunmail message list [--unread] [--client NAME] [--format F]
 * dunmail message set MESSAGE-ID --class CLASS [--date DATE]
 *
 * The messages dunmail stored, with what it understood from each, and the
 * user's correction of a misread one (or the reading of one no rule could
 * read): the class is applied to the message's invoices exactly as if a
 * rule had read it (filter/apply.h: apply_reading).
 */
#include "cli/cli.h"
#include "common/util.h"
#include "filter/apply.h"
#include "filter/rules.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* A Message-ID as the user may write it: with or without <>. */
static char *
bare_message_id(const char *text)
{
	char *id = g_strstrip(g_strdup(text));
	size_t length = strlen(id);

	if (length >= 2 && id[0] == '<' && id[length - 1] == '>') {
		id[length - 1] = '\0';
		memmove(id, id + 1, length - 1);
	}
	return id;
}

static void
message_columns(printer *p)
{
	printer_column(p, "date", "Date", false);
	printer_column(p, "direction", "Dir", false);
	printer_column(p, "client", "Client", false);
	printer_column(p, "from", "From", false);
	printer_column(p, "subject", "Subject", false);
	printer_column(p, "class", "Class", false);
	printer_column(p, "class_date", "Class date", false);
	printer_column(p, "rule", "Rule", false);
	printer_column(p, "unread", "Unread", false);
	printer_column(p, "read_on", "Read", false);
	printer_column(p, "message_id", "Message-ID", false);
}

/* A date column: the ISO day, or null. */
static void
date_value(printer *p, dm_date date)
{
	char iso[DM_DATE_ISO_SIZE];

	if (date == DM_DATE_NONE)
		printer_null(p);
	else
		printer_string(p, dm_date_format_iso(date, iso));
}

static void
message_row(printer *p, const store_message *message)
{
	printer_row_begin(p);
	date_value(p, message->date);
	printer_string(p, message->direction == MESSAGE_OUT ? "out" : "in");
	printer_string(p, message->client_name);
	printer_string(p, message->from_address);
	printer_string(p, message->subject);
	/* The user's own mail is never classified: its class says nothing. */
	printer_string(p, message->direction == MESSAGE_OUT ? NULL : message->class_name);
	date_value(p, message->class_date);
	printer_string(p, message->rule_id);
	printer_string(p, store_message_is_unread(message) ? "yes" : NULL);
	date_value(p, message->read_on);
	printer_string(p, message->message_id);
	printer_row_end(p);
}

static int
message_list(cli_context *ctx, int argc, char **argv)
{
	char *format_name = NULL, *client_name = NULL;
	gboolean unread = FALSE;
	GOptionEntry entries[] = {
	    {"unread", 0, 0, G_OPTION_ARG_NONE, &unread,
	     "only the replies no rule could read that wait to be read", NULL},
	    {"client", 0, 0, G_OPTION_ARG_STRING, &client_name, "only this client's", "NAME"},
	    {"format", 0, 0, G_OPTION_ARG_STRING, &format_name, "table, csv or json", "FORMAT"},
	    {NULL}};
	store_message_filter filter = {0};
	printer_format format;
	GPtrArray *messages = NULL;
	GError *error = NULL;
	printer *p = NULL;
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "[--unread] [--client NAME]",
	                       "Lists the stored messages, oldest first, with their class.",
	                       entries, &code))
		goto out;
	if (argc != 1) {
		code = cli_usage("message list takes no arguments");
		goto out;
	}
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
	filter.unread_only = unread;
	if ((messages = store_message_list(db, &filter, &error)) == NULL)
		goto fail;
	p = printer_new(format, stdout);
	message_columns(p);
	for (guint i = 0; i < messages->len; i++)
		message_row(p, g_ptr_array_index(messages, i));
	printer_finish(p);
	goto out;
fail:
	code = cli_fail(error);
out:
	printer_free(p);
	if (messages != NULL)
		g_ptr_array_unref(messages);
	g_free(format_name);
	g_free(client_name);
	return code;
}

/* "promised, disputed, ...": the classes a user may set. */
static char *
settable_classes(void)
{
	GString *names = g_string_new(NULL);

	for (int i = 0; i < RULES_CLASS_COUNT; i++) {
		if ((rules_class)i == RULES_CLASS_UNRECOGNISED)
			continue;
		g_string_append_printf(names, "%s%s", names->len > 0 ? ", " : "",
		                       rules_class_name((rules_class)i));
	}
	return g_string_free(names, FALSE);
}

/* What the message's invoices are now, one line each. */
static bool
print_invoices(store *db, const store_message *message, GError **error)
{
	GArray *ids = store_message_invoices(db, message->id, error);

	if (ids == NULL)
		return false;
	if (ids->len == 0)
		printf("message <%s> is about no invoice: only its class changed\n",
		       message->message_id);
	for (guint i = 0; i < ids->len; i++) {
		store_invoice *invoice =
		    store_invoice_get(db, g_array_index(ids, int64_t, i), error);
		char iso[DM_DATE_ISO_SIZE];
		if (invoice == NULL) {
			g_array_unref(ids);
			return false;
		}
		printf("invoice %s: %s", invoice->number, invoice_status_name(invoice->status));
		if (invoice->status == INVOICE_PROMISED && invoice->promised_date != DM_DATE_NONE)
			printf(" until %s", dm_date_format_iso(invoice->promised_date, iso));
		printf("\n");
		store_invoice_free(invoice);
	}
	g_array_unref(ids);
	return true;
}

static int
message_set(cli_context *ctx, int argc, char **argv)
{
	char *class_name = NULL, *date = NULL, *id = NULL, *classes = NULL;
	GOptionEntry entries[] = {{"class", 0, 0, G_OPTION_ARG_STRING, &class_name,
	                           "what the message says: promised, disputed, paid, question, ...",
	                           "CLASS"},
	                          {"date", 0, 0, G_OPTION_ARG_STRING, &date,
	                           "promised: the day to pay by; autoreply: the day back", "DATE"},
	                          {NULL}};
	store_source source = {.command = "message set"};
	store_message *message = NULL;
	dm_date class_date = DM_DATE_NONE;
	apply_summary summary;
	rules_class klass;
	GError *error = NULL;
	int marked = 0, code = EX_OK;
	store *db;

	if (!cli_parse_options(&argc, &argv, "MESSAGE-ID --class CLASS [--date DATE]",
	                       "Says what a message means, for a reply no rule could read or one"
	                       " read wrong: its invoices change as if a rule had read it.",
	                       entries, &code))
		goto out;
	if (argc != 2) {
		code = cli_usage("message set needs one MESSAGE-ID");
		goto out;
	}
	classes = settable_classes();
	if (class_name == NULL) {
		code = cli_usage("message set needs --class CLASS (%s)", classes);
		goto out;
	}
	if (!rules_class_from_name(class_name, &klass)) {
		code = cli_usage("--class: \"%s\" is not a class (%s)", class_name, classes);
		goto out;
	}
	if (date != NULL && !dm_date_parse_iso(date, &class_date, &error)) {
		g_prefix_error(&error, "--date: ");
		goto fail;
	}
	id = bare_message_id(argv[1]);
	if ((db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL ||
	    (message = store_message_find(db, id, &error)) == NULL) {
		if (error == NULL)
			g_set_error(&error, DM_ERROR, DM_ERROR_NOT_FOUND,
			            "no message <%s> (dunmail message list shows them)", id);
		goto fail;
	}
	source.message_row = message->id;
	/* The reading and the client's replies counting as read are one
	 * change: the task to read them goes exactly when the reading is in. */
	if (!store_begin(db, &error))
		goto fail;
	if (!apply_reading(db, message, klass, class_date, &source, &summary, &error) ||
	    (message->client_id != 0 &&
	     !store_client_mark_replies_read(db, message->client_id, dm_date_today(), &source,
	                                     &marked, &error)) ||
	    !store_commit(db, &error)) {
		store_rollback(db);
		goto fail;
	}
	printf("message <%s>: %s%s%s (was %s)\n", message->message_id, rules_class_name(klass),
	       date != NULL ? " " : "", date != NULL ? date : "", message->class_name);
	if (!print_invoices(db, message, &error))
		goto fail;
	if (marked > 0)
		printf("%s: %d unread repl%s marked read\n", message->client_name, marked,
		       marked == 1 ? "y" : "ies");
	goto out;
fail:
	code = cli_fail(error);
out:
	store_message_free(message);
	g_free(class_name);
	g_free(date);
	g_free(id);
	g_free(classes);
	return code;
}

static const cli_command message_commands[] = {
    {"list", message_list, "list messages with their class, and the unread replies"},
    {"set", message_set, "say what a message means (a reply read wrong or not at all)"},
    {NULL, NULL, NULL},
};

int
cmd_message(cli_context *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "message", message_commands, argc, argv);
}
