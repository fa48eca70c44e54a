/* dunmail client add | set | list | show */
#include "cli/cli.h"
#include "common/money.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* A plausible addr-spec: something@domain.tld, no spaces or brackets. */
static bool
valid_address(const char *address)
{
	const char *at = strchr(address, '@');

	return at != NULL && at != address && strchr(at + 1, '@') == NULL &&
	       strchr(at + 1, '.') != NULL && at[1] != '.' && address[strlen(address) - 1] != '.' &&
	       strpbrk(address, " \t<>,;\"()[]\\") == NULL;
}

static bool
valid_language(const char *code)
{
	size_t length = strlen(code);

	if (length < 2 || length > 3)
		return false;
	for (size_t i = 0; i < length; i++)
		if (!g_ascii_islower(code[i]))
			return false;
	return true;
}

static bool
add_addresses(GPtrArray *list, char **values, const char *option, bool domain, GError **error)
{
	for (char **v = values; v != NULL && *v != NULL; v++) {
		char *normal = dm_address_normalise(*v);
		bool ok = domain ? (strchr(normal, '.') != NULL && strchr(normal, '@') == NULL &&
				    strpbrk(normal, " \t<>,;") == NULL)
				 : valid_address(normal);
		if (!ok) {
			g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "%s: \"%s\" is not %s", option,
				    *v, domain ? "a domain" : "an e-mail address");
			g_free(normal);
			return false;
		}
		g_ptr_array_add(list, normal);
	}
	return true;
}

/*
 * Checks the lines of --address and joins them into the stored form, one
 * "\n" between lines (NULL when there are none).  Lines are stripped in
 * place; an empty one is a usage error, since a letter's address block has
 * no blank lines.
 */
static bool
postal_address_join(char **lines, char **address, GError **error)
{
	*address = NULL;
	for (char **line = lines; line != NULL && *line != NULL; line++) {
		if (*g_strstrip(*line) == '\0') {
			g_set_error(error, DM_ERROR, DM_ERROR_USAGE,
				    "--address: a line of the postal address must not be empty");
			return false;
		}
		if (!cli_check_name("--address", *line, false, error))
			return false;
	}
	if (lines != NULL && *lines != NULL)
		*address = g_strjoinv("\n", lines);
	return true;
}

static int
client_add(cli_context *ctx, int argc, char **argv)
{
	char **emails = NULL, **cc = NULL, **domains = NULL, **address = NULL;
	char *lang = NULL, *currency = NULL, *notes = NULL, *credit = NULL;
	int terms = 0, code = EX_OK;
	GOptionEntry entries[] = {
	    {"email", 0, 0, G_OPTION_ARG_STRING_ARRAY, &emails, "billing address (repeatable)",
	     "ADDR"},
	    {"domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &domains,
	     "mail domain of the client (repeatable)", "DOMAIN"},
	    {"cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc,
	     "escalation contact, copied at firm levels (repeatable)", "ADDR"},
	    {"lang", 0, 0, G_OPTION_ARG_STRING, &lang, "language of the client (pl, de, ...)",
	     "LL"},
	    {"currency", 0, 0, G_OPTION_ARG_STRING, &currency, "default currency", "CUR"},
	    {"terms", 0, 0, G_OPTION_ARG_INT, &terms, "payment terms in days", "DAYS"},
	    {"credit-limit", 0, 0, G_OPTION_ARG_STRING, &credit, "credit limit", "AMOUNT"},
	    {"notes", 0, 0, G_OPTION_ARG_STRING, &notes, "free text", "TEXT"},
	    {"address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &address,
	     "a line of the postal address, for letters (repeatable)", "LINE"},
	    {NULL}};
	GError *error = NULL;
	store_client *client = NULL;
	store *db;

	if (!cli_parse_options(&argc, &argv, "NAME --email ADDR [...] [--address LINE ...]",
			       "Adds a client.", entries, &code))
		goto out;
	if (argc != 2 || *g_strstrip(argv[1]) == '\0') {
		code = cli_usage("client add needs exactly one NAME");
		goto out;
	}
	if (!cli_check_name("client name", argv[1], false, &error)) {
		code = cli_fail(error);
		goto out;
	}
	client = store_client_new(argv[1]);
	if (!add_addresses(client->emails, emails, "--email", false, &error) ||
	    !add_addresses(client->domains, domains, "--domain", true, &error) ||
	    !add_addresses(client->cc, cc, "--cc", false, &error)) {
		code = cli_fail(error);
		goto out;
	}
	if (client->emails->len == 0 && client->domains->len == 0) {
		code = cli_usage("client add needs at least one --email (or --domain)");
		goto out;
	}
	if (lang != NULL && !valid_language(lang)) {
		code = cli_usage("--lang: \"%s\" is not a language code (e.g. pl, de)", lang);
		goto out;
	}
	client->language = g_strdup(lang);
	if (currency != NULL && !dm_currency_known(currency)) {
		code = cli_usage("--currency: \"%s\" is not an ISO 4217 currency code", currency);
		goto out;
	}
	client->currency = g_strdup(currency);
	if (terms < 0) {
		code = cli_usage("--terms: must not be negative");
		goto out;
	}
	client->payment_terms = terms;
	if (credit != NULL) {
		if (!dm_money_parse(credit, currency != NULL ? currency : "EUR",
				    &client->credit_limit, &error)) {
			g_prefix_error(&error, "--credit-limit: ");
			code = cli_fail(error);
			goto out;
		}
		client->has_credit_limit = true;
	}
	client->notes = g_strdup(notes);
	if (!postal_address_join(address, &client->postal_address, &error)) {
		code = cli_fail(error);
		goto out;
	}
	if ((db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL ||
	    !store_client_add(db, client, &error)) {
		code = cli_fail(error);
		goto out;
	}
	printf("added client %s\n", client->name);
out:
	store_client_free(client);
	g_strfreev(emails);
	g_strfreev(cc);
	g_strfreev(domains);
	g_strfreev(address);
	g_free(lang);
	g_free(currency);
	g_free(notes);
	g_free(credit);
	return code;
}

static char *
join_list(GPtrArray *list)
{
	GString *text = g_string_new(NULL);

	for (guint i = 0; i < list->len; i++)
		g_string_append_printf(text, "%s%s", i > 0 ? ", " : "",
				       (const char *)g_ptr_array_index(list, i));
	return g_string_free(text, FALSE);
}

/* The columns of client show, in order; client list has the first CLIENT_LIST_COLUMNS. */
static const struct {
	const char *key;
	const char *title;
	bool right_align;
} client_fields[] = {
    {"name", "Name", false},
    {"emails", "E-mail", false},
    {"language", "Lang", false},
    {"currency", "Currency", false},
    {"open_invoices", "Open", true},
    {"domains", "Domains", false},
    {"cc", "Escalation CC", false},
    {"postal_address", "Address", false},
    {"payment_terms", "Terms (days)", true},
    {"credit_limit", "Credit limit", true},
    {"bounced", "Bounced", false},
    {"policy", "Policy", false},
    {"paused_until", "Paused until", false},
    {"never_chase", "Never chase", false},
    {"notes", "Notes", false},
};
#define CLIENT_LIST_COLUMNS 5

static void
client_columns(printer *p, bool detailed)
{
	size_t count = detailed ? G_N_ELEMENTS(client_fields) : CLIENT_LIST_COLUMNS;

	for (size_t i = 0; i < count; i++)
		printer_column(p, client_fields[i].key, client_fields[i].title,
			       client_fields[i].right_align);
}

static bool
client_row(printer *p, store *db, store_client *client, bool detailed, GError **error)
{
	store_invoice_filter filter = {.client_id = client->id, .open_only = true};
	GPtrArray *open = store_invoice_list(db, &filter, error);
	char *text;

	if (open == NULL)
		return false;
	printer_row_begin(p);
	printer_string(p, client->name);
	text = join_list(client->emails);
	printer_string(p, text);
	g_free(text);
	printer_string(p, client->language);
	printer_string(p, client->currency);
	printer_int(p, open->len);
	g_ptr_array_unref(open);
	if (detailed) {
		text = join_list(client->domains);
		printer_string(p, text);
		g_free(text);
		text = join_list(client->cc);
		printer_string(p, text);
		g_free(text);
		printer_string(p, client->postal_address);
		printer_int(p, client->payment_terms);
		if (client->has_credit_limit) {
			text = dm_money_format_plain(client->credit_limit,
						     client->currency ? client->currency : "EUR");
			printer_decimal(p, text);
			g_free(text);
		} else {
			printer_null(p);
		}
		text = join_list(client->bounced);
		printer_string(p, text);
		g_free(text);
		printer_string(p, client->policy);
		if (client->paused_until != DM_DATE_NONE) {
			char iso[DM_DATE_ISO_SIZE];
			printer_string(p, dm_date_format_iso(client->paused_until, iso));
		} else {
			printer_null(p);
		}
		printer_string(p, client->never_chase ? "yes" : NULL);
		printer_string(p, client->notes);
	}
	printer_row_end(p);
	return true;
}

static int
client_list_or_show(cli_context *ctx, int argc, char **argv, bool show)
{
	char *format_name = NULL;
	GOptionEntry entries[] = {{"format", 0, 0, G_OPTION_ARG_STRING, &format_name,
				   "table, csv or json", "FORMAT"},
				  {NULL}};
	printer_format format;
	GError *error = NULL;
	GPtrArray *clients = NULL;
	printer *p = NULL;
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, show ? "NAME" : "",
			       show ? "Shows one client." : "Lists the clients.", entries, &code))
		goto out;
	if (argc != (show ? 2 : 1)) {
		code = cli_usage(show ? "client show needs one NAME" : "client list takes no arguments");
		goto out;
	}
	if (!cli_output_format(format_name, &format, &error) ||
	    (db = cli_store(ctx, STORE_OPEN_READONLY, &error)) == NULL)
		goto fail;
	if (show) {
		store_client *client = store_client_find(db, argv[1], &error);
		if (client == NULL)
			goto fail;
		clients = g_ptr_array_new_with_free_func((GDestroyNotify)store_client_free);
		g_ptr_array_add(clients, client);
	} else if ((clients = store_client_list(db, &error)) == NULL) {
		goto fail;
	}
	p = printer_new(format, stdout);
	printer_set_vertical(p, show);
	client_columns(p, show);
	for (guint i = 0; i < clients->len; i++)
		if (!client_row(p, db, g_ptr_array_index(clients, i), show, &error))
			goto fail;
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

static int
client_list(cli_context *ctx, int argc, char **argv)
{
	return client_list_or_show(ctx, argc, argv, false);
}

static int
client_show(cli_context *ctx, int argc, char **argv)
{
	return client_list_or_show(ctx, argc, argv, true);
}

static int
client_set(cli_context *ctx, int argc, char **argv)
{
	char *policy = NULL, *pause = NULL, *lang = NULL, *postal_address = NULL;
	char **address = NULL;
	gboolean never = FALSE, chase = FALSE, no_pause = FALSE, default_policy = FALSE;
	gboolean no_address = FALSE;
	GOptionEntry entries[] = {
	    {"policy", 0, 0, G_OPTION_ARG_STRING, &policy, "use the named [policy:NAME]", "NAME"},
	    {"default-policy", 0, 0, G_OPTION_ARG_NONE, &default_policy, "use [policy] again", NULL},
	    {"pause-until", 0, 0, G_OPTION_ARG_STRING, &pause, "no chasing before DATE", "DATE"},
	    {"no-pause", 0, 0, G_OPTION_ARG_NONE, &no_pause, "end a pause", NULL},
	    {"never-chase", 0, 0, G_OPTION_ARG_NONE, &never, "never chase this client", NULL},
	    {"chase", 0, 0, G_OPTION_ARG_NONE, &chase, "chase this client again", NULL},
	    {"lang", 0, 0, G_OPTION_ARG_STRING, &lang, "the client's language", "LL"},
	    {"address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &address,
	     "a line of the postal address, replacing the old one (repeatable)", "LINE"},
	    {"no-address", 0, 0, G_OPTION_ARG_NONE, &no_address, "forget the postal address", NULL},
	    {NULL}};
	store_source source = {.command = "client set"};
	store_client *client = NULL;
	GError *error = NULL;
	dm_date paused;
	store *db = NULL;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv,
			       "NAME [--policy NAME] [--pause-until DATE]"
			       " [--never-chase | --chase] [--lang LL]"
			       " [--address LINE ... | --no-address]",
			       "Changes how a client is chased and reached.", entries, &code))
		goto out;
	if (argc != 2) {
		code = cli_usage("client set needs one NAME");
		goto out;
	}
	if ((never && chase) || (pause != NULL && no_pause) || (policy != NULL && default_policy) ||
	    (address != NULL && no_address)) {
		code = cli_usage("client set: contradictory options");
		goto out;
	}
	if (lang != NULL && !valid_language(lang)) {
		code = cli_usage("--lang: \"%s\" is not a language code (e.g. pl, de)", lang);
		goto out;
	}
	if (!postal_address_join(address, &postal_address, &error))
		goto fail;
	if ((db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL ||
	    (client = store_client_find(db, argv[1], &error)) == NULL)
		goto fail;
	paused = no_pause ? DM_DATE_NONE : client->paused_until;
	if (pause != NULL && !dm_date_parse_iso(pause, &paused, &error)) {
		g_prefix_error(&error, "--pause-until: ");
		goto fail;
	}
	/* All of it or nothing: a refused change must not leave the others saved. */
	if (!store_begin(db, &error))
		goto fail;
	if (!store_client_set_chasing(db, client->id,
				      default_policy ? NULL : policy != NULL ? policy : client->policy,
				      paused, never ? true : chase ? false : client->never_chase,
				      &source, &error))
		goto fail;
	if (lang != NULL && !store_client_set_language(db, client->id, lang, &source, &error))
		goto fail;
	if ((address != NULL || no_address) &&
	    !store_client_set_postal_address(db, client->id, postal_address, &source, &error))
		goto fail;
	if (!store_commit(db, &error))
		goto fail;
	printf("updated client %s\n", client->name);
	goto out;
fail:
	if (db != NULL && store_in_transaction(db))
		store_rollback(db);
	code = cli_fail(error);
out:
	store_client_free(client);
	g_free(policy);
	g_free(pause);
	g_free(lang);
	g_free(postal_address);
	g_strfreev(address);
	return code;
}

static const cli_command client_commands[] = {
    {"add", client_add, "add a client"},
    {"set", client_set,
     "change how a client is chased and reached (policy, pause, language, address)"},
    {"list", client_list, "list clients"},
    {"show", client_show, "show one client"},
    {NULL, NULL, NULL},
};

int
cmd_client(cli_context *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "client", client_commands, argc, argv);
}
