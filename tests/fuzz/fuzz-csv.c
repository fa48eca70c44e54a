/*
 * libFuzzer target: the CSV reader and the parsers the invoice import
 * runs on its fields.
 *
 * The input is a whole CSV file.  csv_parse either refuses it with a
 * DM_ERROR message that names the file, or returns records whose fields
 * are valid UTF-8 with line numbers that never go backwards.  Every field
 * is then read as an amount in a two-decimal, a zero-decimal and a
 * three-decimal currency, and as an ISO date: a successful parse must
 * give a value that formats back (an amount round-trips through
 * dm_money_format_plain, a date is a real calendar date that prints as
 * the same ten characters it was read from).
 */
#include "common/csv.h"
#include "common/date.h"
#include "common/money.h"
#include "common/util.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_amount(const char *field, const char *currency)
{
	GError *error = NULL;
	int64_t minor = 0, again = 0;

	if (!dm_money_parse(field, currency, &minor, &error)) {
		if (error == NULL || error->domain != DM_ERROR)
			abort();
		g_clear_error(&error);
		return;
	}
	if (error != NULL)
		abort();
	/* What dunmail writes back must read as the same amount. */
	char *plain = dm_money_format_plain(minor, currency);
	if (!dm_money_parse(plain, currency, &again, NULL) || again != minor)
		abort();
	g_free(plain);
}

static void
check_date(const char *field)
{
	GError *error = NULL;
	dm_date date = 0;
	char buffer[DM_DATE_ISO_SIZE];
	int year, month, day;

	if (!dm_date_parse_iso(field, &date, &error)) {
		if (error == NULL || error->domain != DM_ERROR)
			abort();
		g_clear_error(&error);
		return;
	}
	dm_date_to_ymd(date, &year, &month, &day);
	if (!dm_date_valid_ymd(year, month, day))
		abort();
	/* Strict YYYY-MM-DD: the date prints as the text it came from. */
	if (strcmp(dm_date_format_iso(date, buffer), field) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	GPtrArray *records = csv_parse("fuzz.csv", (const char *)data, size, &error);
	int previous_line = 0;

	if (records == NULL) {
		if (error == NULL || error->domain != DM_ERROR ||
		    !g_str_has_prefix(error->message, "fuzz.csv"))
			abort();
		g_clear_error(&error);
		return 0;
	}
	if (error != NULL)
		abort();
	for (size_t i = 0; i < records->len; i++) {
		const csv_record *record = g_ptr_array_index(records, i);
		/*
		 * Only "never backwards": a lone CR ends a record without
		 * counting a line (reported to the lead), so equal numbers occur.
		 */
		if (record->line < previous_line || record->line < 1 || record->fields == NULL)
			abort();
		previous_line = record->line;
		for (size_t j = 0; j < record->fields->len; j++) {
			const char *field = g_ptr_array_index(record->fields, j);
			if (field == NULL || !g_utf8_validate(field, -1, NULL))
				abort();
			check_amount(field, "EUR");
			check_amount(field, "JPY");
			check_amount(field, "KWD");
			check_date(field);
		}
	}
	g_ptr_array_unref(records);
	return 0;
}
