/*
 * dunmail invoice import FILE.csv
 *
 * Reads the invoice export of an accounting tool.  The header row names
 * the columns; common names in several languages map to dunmail's fields.
 * Every line is checked first and the import happens in one transaction:
 * one bad line refuses the whole file, naming the line and the column.
 * Unknown clients are created from the client and e-mail columns.
 */
#include "cli/cli.h"
#include "common/csv.h"
#include "common/money.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

typedef enum {
	FIELD_NUMBER,
	FIELD_CLIENT,
	FIELD_EMAIL,
	FIELD_AMOUNT,
	FIELD_BALANCE,
	FIELD_CURRENCY,
	FIELD_ISSUED,
	FIELD_DUE,
	FIELD_LANGUAGE,
	FIELD_MESSAGE_ID,
	FIELD_ADDRESS,
	FIELD_COUNT
} import_field;

static const char *const field_names[FIELD_COUNT] = {
    "number", "client", "email", "amount", "balance", "currency", "issued", "due", "language",
    "message_id", "address"};

/* Header names as exports spell them, normalised (lower case, single spaces). */
static const char *const aliases[FIELD_COUNT][16] = {
    [FIELD_NUMBER] = {"number", "invoice", "invoice number", "invoice no", "invoice no.",
		      "invoice #", "invoice id", "no", "no.", "nr", "numer", "numer faktury",
		      "rechnungsnummer", "factuurnummer", "numéro", "document number"},
    [FIELD_CLIENT] = {"client", "customer", "client name", "customer name", "company", "contact",
		      "kontrahent", "klient", "nabywca", "kunde", "klant", "name", "debtor"},
    [FIELD_EMAIL] = {"email", "e-mail", "email address", "customer email", "client email",
		     "contact email", "billing email", "mail"},
    [FIELD_AMOUNT] = {"amount", "total", "total amount", "invoice total", "gross", "gross amount",
		      "brutto", "kwota", "betrag", "bedrag", "montant", "importe", "sum",
		      "amount (gross)"},
    [FIELD_BALANCE] = {"balance", "amount due", "balance due", "outstanding", "open amount",
		       "due amount", "unpaid", "do zapłaty", "offen"},
    [FIELD_CURRENCY] = {"currency", "currency code", "curr", "cur", "waluta", "währung",
			"valuta", "devise", "moneda"},
    [FIELD_ISSUED] = {"issued", "date", "issue date", "invoice date", "date issued",
		      "data wystawienia", "rechnungsdatum", "factuurdatum", "issued on",
		      "created"},
    [FIELD_DUE] = {"due", "due date", "date due", "payment due", "due on", "termin płatności",
		   "termin", "fällig", "fälligkeit", "vervaldatum", "échéance", "vencimiento",
		   "payment date"},
    [FIELD_LANGUAGE] = {"language", "lang", "język", "sprache", "taal", "langue"},
    [FIELD_MESSAGE_ID] = {"message-id", "message id", "message_id"},
    [FIELD_ADDRESS] = {"address", "postal address", "billing address", "street address",
		       "client address", "customer address", "adres", "anschrift", "adresse",
		       "dirección", "adresa", "адрес"},
};

static char *
normalise_header(const char *text)
{
	char *lower = g_utf8_strdown(text, -1);
	GString *out = g_string_new(NULL);
	bool space = false;

	for (const char *p = g_strstrip(lower); *p != '\0'; p++) {
		if (*p == ' ' || *p == '_' || *p == '\t') {
			space = true;
			continue;
		}
		if (space && out->len > 0)
			g_string_append_c(out, ' ');
		space = false;
		g_string_append_c(out, *p);
	}
	g_free(lower);
	return g_string_free(out, FALSE);
}

static int
match_header(const char *header)
{
	char *name = normalise_header(header);
	int field = -1;

	for (int f = 0; f < FIELD_COUNT && field < 0; f++)
		for (int a = 0; a < 16 && aliases[f][a] != NULL; a++)
			if (strcmp(name, aliases[f][a]) == 0) {
				field = f;
				break;
			}
	g_free(name);
	return field;
}

/* A run of 1 to max digits at *p; advances p.  False when there is none. */
static bool
read_number(const char **p, int max, int *value)
{
	int digits = 0;

	*value = 0;
	while (digits < max && g_ascii_isdigit(**p)) {
		*value = *value * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	return digits > 0;
}

/* ISO, or day-first dd.mm.yyyy, dd/mm/yyyy, dd-mm-yyyy; month-first with mdy. */
static bool
parse_csv_date(const char *text, bool month_first, dm_date *date)
{
	const char *p = text;
	int a, b, y;
	char separator;

	if (dm_date_parse_iso(text, date, NULL))
		return true;
	if (!read_number(&p, 2, &a))
		return false;
	separator = *p;
	if (separator != '.' && separator != '/' && separator != '-')
		return false;
	p++;
	if (!read_number(&p, 2, &b) || *p != separator)
		return false;
	p++;
	if (!read_number(&p, 4, &y) || *p != '\0' || y < 1000)
		return false;
	if (month_first) {
		int t = a;
		a = b;
		b = t;
	}
	if (!dm_date_valid_ymd(y, b, a))
		return false;
	*date = dm_date_from_ymd(y, b, a);
	return true;
}

typedef struct {
	int line;
	store_invoice *invoice;
	char *client;
	char *email;
	char *language;
	char *address; /* postal, lines separated by "\n", or NULL */
} import_row;

static void
import_row_free(gpointer data)
{
	import_row *row = data;
	store_invoice_free(row->invoice);
	g_free(row->client);
	g_free(row->email);
	g_free(row->language);
	g_free(row->address);
	g_free(row);
}

static const char *
cell(const csv_record *record, const int *columns, import_field field)
{
	int column = columns[field];

	if (column < 0 || (guint)column >= record->fields->len)
		return NULL;
	return g_ptr_array_index(record->fields, column);
}

/*
 * A postal address as exports write it: over several lines of a quoted
 * cell, or on one line.  Lines are stripped and empty ones dropped; NULL
 * when nothing is left.
 */
static char *
postal_lines(const char *cell_text)
{
	char **lines = g_strsplit_set(cell_text, "\r\n", -1);
	GString *out = g_string_new(NULL);

	for (char **l = lines; *l != NULL; l++) {
		g_strstrip(*l);
		if (**l != '\0')
			g_string_append_printf(out, "%s%s", out->len > 0 ? "\n" : "", *l);
	}
	g_strfreev(lines);
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/* Checks one record; appends "file:line: column "x": ..." to errors. */
static import_row *
read_row(const char *name, const csv_record *record, const int *columns, const char *header[],
	 const char *default_currency, bool month_first, GString *errors)
{
	import_row *row = g_new0(import_row, 1);
	store_invoice *invoice = store_invoice_new();
	const char *value, *currency;
	GError *error = NULL;

#define BAD(field, ...)                                                                            \
	g_string_append_printf(errors, "%s:%d: column \"%s\": ", name, record->line,              \
			       header[columns[field]]);                                            \
	g_string_append_printf(errors, __VA_ARGS__);                                               \
	g_string_append_c(errors, '\n')

	row->line = record->line;
	row->invoice = invoice;
	for (int f = 0; f < FIELD_COUNT; f++) {
		if (columns[f] >= 0 && (guint)columns[f] >= record->fields->len &&
		    (f == FIELD_NUMBER || f == FIELD_CLIENT || f == FIELD_AMOUNT ||
		     f == FIELD_ISSUED || f == FIELD_DUE)) {
			g_string_append_printf(errors,
					       "%s:%d: only %u fields: column \"%s\" is missing\n",
					       name, record->line, record->fields->len,
					       header[columns[f]]);
			return row;
		}
	}
	value = cell(record, columns, FIELD_NUMBER);
	if (value == NULL || *value == '\0') {
		BAD(FIELD_NUMBER, "the invoice number is empty");
	} else if (!cli_check_name("invoice number", value, true, NULL)) {
		BAD(FIELD_NUMBER, "\"%s\" holds control characters, \"=?\" or \",\"", value);
	}
	invoice->number = g_strdup(value);
	value = cell(record, columns, FIELD_CLIENT);
	if (value == NULL || *value == '\0') {
		BAD(FIELD_CLIENT, "the client is empty");
	} else if (!cli_check_name("client", value, false, NULL)) {
		BAD(FIELD_CLIENT, "the client name holds control characters");
	}
	row->client = g_strdup(value);
	value = cell(record, columns, FIELD_EMAIL);
	if (value != NULL && *value != '\0') {
		row->email = dm_address_normalise(value);
		if (strchr(row->email, '@') == NULL || strchr(row->email, ' ') != NULL) {
			BAD(FIELD_EMAIL, "\"%s\" is not an e-mail address", value);
		}
	}
	value = cell(record, columns, FIELD_ADDRESS);
	if (value != NULL && *value != '\0')
		row->address = postal_lines(value);
	value = cell(record, columns, FIELD_LANGUAGE);
	if (value != NULL && *value != '\0')
		row->language = g_ascii_strdown(value, -1);
	currency = cell(record, columns, FIELD_CURRENCY);
	if (currency == NULL || *currency == '\0')
		currency = default_currency;
	if (currency == NULL) {
		g_string_append_printf(errors,
				       "%s:%d: no currency (add a currency column or --currency)\n",
				       name, record->line);
	} else {
		char *upper = g_ascii_strup(currency, -1);
		if (!dm_currency_known(upper)) {
			BAD(FIELD_CURRENCY, "\"%s\" is not an ISO 4217 currency code", currency);
		}
		g_strlcpy(invoice->currency, upper, sizeof invoice->currency);
		g_free(upper);
	}
	value = cell(record, columns, FIELD_AMOUNT);
	if (!dm_money_parse(value, invoice->currency, &invoice->amount, &error)) {
		BAD(FIELD_AMOUNT, "%s", error->message);
		g_clear_error(&error);
	} else if (invoice->amount <= 0) {
		BAD(FIELD_AMOUNT, "the amount must be positive");
	}
	value = cell(record, columns, FIELD_BALANCE);
	if (value != NULL && *value != '\0') {
		if (!dm_money_parse(value, invoice->currency, &invoice->balance, &error)) {
			BAD(FIELD_BALANCE, "%s", error->message);
			g_clear_error(&error);
		} else if (invoice->balance < 0 || invoice->balance > invoice->amount) {
			BAD(FIELD_BALANCE, "the balance must be between 0 and the amount");
		}
	}
	value = cell(record, columns, FIELD_ISSUED);
	if (value == NULL || !parse_csv_date(value, month_first, &invoice->issued)) {
		BAD(FIELD_ISSUED, "\"%s\" is not a date (YYYY-MM-DD or DD.MM.YYYY)",
		    value ? value : "");
	}
	value = cell(record, columns, FIELD_DUE);
	if (value == NULL || !parse_csv_date(value, month_first, &invoice->due)) {
		BAD(FIELD_DUE, "\"%s\" is not a date (YYYY-MM-DD or DD.MM.YYYY)",
		    value ? value : "");
	} else if (invoice->issued != DM_DATE_NONE && invoice->due < invoice->issued) {
		BAD(FIELD_DUE, "the due date is before the issue date");
	}
	value = cell(record, columns, FIELD_MESSAGE_ID);
	if (value != NULL && *value != '\0') {
		char *id = g_strdup(value);
		g_strstrip(id);
		if (*id == '<')
			memmove(id, id + 1, strlen(id));
		if (*id != '\0' && id[strlen(id) - 1] == '>')
			id[strlen(id) - 1] = '\0';
		invoice->sent_message_id = id;
	}
	if (invoice->balance >= 0 && invoice->balance < invoice->amount)
		invoice->status = invoice->balance == 0 ? INVOICE_PAID : INVOICE_PARTIAL;
#undef BAD
	return row;
}

/* Finds or creates the row's client inside the import's transaction. */
static bool
resolve_client(store *db, import_row *row, GHashTable *created, GError **error)
{
	store_client *client = store_client_find(db, row->client, NULL);

	if (client == NULL) {
		client = store_client_new(row->client);
		if (row->email != NULL)
			g_ptr_array_add(client->emails, g_strdup(row->email));
		client->language = g_strdup(row->language);
		client->currency = g_strdup(row->invoice->currency);
		client->postal_address = g_strdup(row->address);
		if (!store_client_add(db, client, error)) {
			store_client_free(client);
			return false;
		}
		g_hash_table_add(created, g_strdup(client->name));
	} else if (row->address != NULL && client->postal_address == NULL) {
		/* A known client without an address gets the export's; one the
		 * user set is never overwritten. */
		store_source source = {.command = "invoice import"};
		if (!store_client_set_postal_address(db, client->id, row->address, &source, error)) {
			store_client_free(client);
			return false;
		}
	}
	row->invoice->client_id = client->id;
	store_client_free(client);
	return true;
}

int
cmd_invoice_import(cli_context *ctx, int argc, char **argv)
{
	char *currency = NULL, *date_order = NULL, *data = NULL;
	GOptionEntry entries[] = {
	    {"currency", 0, 0, G_OPTION_ARG_STRING, &currency,
	     "currency for lines without one", "CUR"},
	    {"date-order", 0, 0, G_OPTION_ARG_STRING, &date_order,
	     "dmy (default: 05.11.2026 is 5 November) or mdy", "ORDER"},
	    {NULL}};
	store_source source = {.command = "invoice import"};
	GPtrArray *records = NULL, *rows = NULL;
	GHashTable *created = NULL, *numbers = NULL;
	int columns[FIELD_COUNT];
	const char **header = NULL;
	GString *errors = g_string_new(NULL);
	GError *error = NULL;
	gsize length = 0;
	store *db;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "FILE.csv [--currency CUR] [--date-order dmy|mdy]",
			       "Imports invoices from a CSV export; all lines or none.", entries,
			       &code))
		goto out;
	if (argc != 2) {
		code = cli_usage("invoice import needs one FILE");
		goto out;
	}
	if (date_order != NULL && strcmp(date_order, "dmy") != 0 && strcmp(date_order, "mdy") != 0) {
		code = cli_usage("--date-order: use dmy or mdy");
		goto out;
	}
	if (currency != NULL && !dm_currency_known(currency)) {
		code = cli_usage("--currency: \"%s\" is not an ISO 4217 currency code", currency);
		goto out;
	}
	if (!g_file_get_contents(argv[1], &data, &length, &error)) {
		GError *wrapped = g_error_new(DM_ERROR, DM_ERROR_NOT_FOUND, "%s", error->message);
		g_error_free(error);
		code = cli_fail(wrapped);
		goto out;
	}
	if ((records = csv_parse(argv[1], data, length, &error)) == NULL)
		goto fail;
	if (records->len == 0) {
		g_set_error(&error, DM_ERROR, DM_ERROR_INPUT, "%s: empty file, no header row",
			    argv[1]);
		goto fail;
	}
	/* Map the header. */
	{
		csv_record *head = g_ptr_array_index(records, 0);
		header = g_new0(const char *, head->fields->len + 1);
		for (int f = 0; f < FIELD_COUNT; f++)
			columns[f] = -1;
		for (guint i = 0; i < head->fields->len; i++) {
			int field = match_header(g_ptr_array_index(head->fields, i));
			header[i] = g_ptr_array_index(head->fields, i);
			if (field >= 0 && columns[field] < 0)
				columns[field] = (int)i;
		}
		for (int f = 0; f < FIELD_COUNT; f++) {
			bool required = f == FIELD_NUMBER || f == FIELD_CLIENT ||
					f == FIELD_AMOUNT || f == FIELD_ISSUED || f == FIELD_DUE;
			if (required && columns[f] < 0)
				g_string_append_printf(errors,
						       "%s:%d: no column for \"%s\" in the header\n",
						       argv[1], head->line, field_names[f]);
		}
		if (errors->len > 0)
			goto refuse;
	}
	rows = g_ptr_array_new_with_free_func(import_row_free);
	numbers = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 1; i < records->len; i++) {
		import_row *row = read_row(argv[1], g_ptr_array_index(records, i), columns, header,
					   currency, date_order != NULL && date_order[0] == 'm',
					   errors);
		g_ptr_array_add(rows, row);
		if (row->invoice->number != NULL && *row->invoice->number != '\0') {
			if (g_hash_table_contains(numbers, row->invoice->number))
				g_string_append_printf(errors,
						       "%s:%d: column \"%s\": invoice %s appears"
						       " twice in the file\n",
						       argv[1], row->line, header[columns[FIELD_NUMBER]],
						       row->invoice->number);
			g_hash_table_add(numbers, row->invoice->number);
		}
	}
	if (errors->len > 0)
		goto refuse;
	if ((db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL)
		goto fail;
	created = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!store_begin(db, &error))
		goto fail;
	for (guint i = 0; i < rows->len; i++) {
		import_row *row = g_ptr_array_index(rows, i);
		if (!resolve_client(db, row, created, &error) ||
		    !store_invoice_add(db, row->invoice, &source, &error)) {
			g_prefix_error(&error, "%s:%d: ", argv[1], row->line);
			store_rollback(db);
			g_prefix_error(&error, "nothing imported: ");
			goto fail;
		}
	}
	if (!store_commit(db, &error))
		goto fail;
	printf("imported %u invoices (%u new clients) from %s\n", rows->len,
	       g_hash_table_size(created), argv[1]);
	goto out;
refuse:
	g_string_truncate(errors, errors->len - 1);
	g_set_error(&error, DM_ERROR, DM_ERROR_INPUT, "nothing imported:\n%s", errors->str);
fail:
	code = cli_fail(error);
out:
	if (records != NULL)
		g_ptr_array_unref(records);
	if (rows != NULL)
		g_ptr_array_unref(rows);
	if (created != NULL)
		g_hash_table_destroy(created);
	if (numbers != NULL)
		g_hash_table_destroy(numbers);
	g_free(header);
	g_string_free(errors, TRUE);
	g_free(data);
	g_free(currency);
	g_free(date_order);
	return code;
}
