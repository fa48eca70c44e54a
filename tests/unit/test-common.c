/* common/: dates, money, CSV, configuration, the printer. */
#include "tests/unit/testutil.h"

#include "common/config.h"
#include "common/csv.h"
#include "common/date.h"
#include "common/money.h"
#include "common/printer.h"
#include "common/util.h"

#include <json-glib/json-glib.h>

static void
test_date_roundtrip_and_weekday(void **state)
{
	char iso[DM_DATE_ISO_SIZE];
	dm_date d;
	int y, m, day;

	assert_int_equal(dm_date_from_ymd(1970, 1, 1), 0);
	d = dm_date_from_ymd(2026, 11, 22);
	dm_date_to_ymd(d, &y, &m, &day);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 11);
	assert_int_equal(day, 22);
	assert_string_equal(dm_date_format_iso(d, iso), "2026-11-22");
	assert_int_equal(dm_date_weekday(d), 7);                           /* a Sunday */
	assert_int_equal(dm_date_weekday(dm_date_from_ymd(2026, 11, 20)), 5); /* Friday */
	assert_true(dm_date_valid_ymd(2028, 2, 29));
	assert_false(dm_date_valid_ymd(2026, 2, 29));
	assert_false(dm_date_valid_ymd(2100, 2, 29));
	assert_int_equal(dm_date_from_ymd(2027, 1, 1) - dm_date_from_ymd(2026, 12, 31), 1);
}

static void
test_date_parse_strict(void **state)
{
	GError *error = NULL;
	dm_date d;

	assert_true(dm_date_parse_iso("2026-02-28", &d, NULL));
	assert_false(dm_date_parse_iso("2026-02-30", &d, &error));
	assert_non_null(strstr(error->message, "2026-02-30"));
	g_clear_error(&error);
	assert_false(dm_date_parse_iso("2026-2-3", &d, NULL));
	assert_false(dm_date_parse_iso("22.11.2026", &d, NULL));
	assert_false(dm_date_parse_iso("2026-11-22x", &d, NULL));
	assert_false(dm_date_parse_iso("", &d, NULL));
}

static void
test_working_days_and_months(void **state)
{
	dm_date friday = dm_date_from_ymd(2026, 11, 20);
	dm_date holidays[] = {dm_date_from_ymd(2026, 11, 24)};

	assert_int_equal(dm_date_add_working_days(friday, 1, NULL, 0),
			 dm_date_from_ymd(2026, 11, 23));
	assert_int_equal(dm_date_add_working_days(friday, 2, holidays, 1),
			 dm_date_from_ymd(2026, 11, 25));
	/* A Saturday with 0 days moves to Monday. */
	assert_int_equal(dm_date_add_working_days(friday + 1, 0, NULL, 0),
			 dm_date_from_ymd(2026, 11, 23));
	assert_int_equal(dm_date_add_months(dm_date_from_ymd(2026, 1, 31), 1),
			 dm_date_from_ymd(2026, 2, 28));
	assert_int_equal(dm_date_month_end(friday), dm_date_from_ymd(2026, 11, 30));
	assert_int_equal(dm_date_month_start(friday), dm_date_from_ymd(2026, 11, 1));
}

static void
test_today_pinned(void **state)
{
	dm_date_set_today(dm_date_from_ymd(2026, 11, 22));
	assert_int_equal(dm_date_today(), dm_date_from_ymd(2026, 11, 22));
	dm_date_set_today(DM_DATE_NONE);
	assert_true(dm_date_today() > dm_date_from_ymd(2020, 1, 1));
}

static void
test_now_unix_follows_pinned_day(void **state)
{
	int offset = 1234;
	int64_t now = g_get_real_time() / G_USEC_PER_SEC, seconds;

	/* Unpinned: the wall clock. */
	seconds = dm_date_now_unix(&offset);
	assert_true(seconds >= now && seconds <= now + 5);
	assert_true(offset > -24 * 60 && offset < 24 * 60);
	/* Pinned: that day, at the clock's time of day, in the local zone. */
	dm_date_set_today(dm_date_from_ymd(2026, 9, 28));
	seconds = dm_date_now_unix(&offset);
	assert_int_equal(dm_date_from_unix(seconds), dm_date_from_ymd(2026, 9, 28));
	dm_date_set_today(DM_DATE_NONE);
}

static void
test_money_parse_formats(void **state)
{
	static const struct {
		const char *text, *currency;
		int64_t minor;
	} good[] = {
	    {"1250", "EUR", 125000},      {"1250.00", "EUR", 125000}, {"1250,5", "EUR", 125050},
	    {"1.250,00", "EUR", 125000},  {"1,250.00", "USD", 125000}, {"1 250,00", "PLN", 125000},
	    {"1\xc2\xa0" "250,00", "PLN", 125000}, {"1.250", "EUR", 125000},
	    {"1.250.000", "EUR", 125000000}, {"0.01", "EUR", 1},       {"-12.30", "EUR", -1230},
	    {"1500", "JPY", 1500},        {"1.234", "KWD", 1234},     {"12'345.50", "CHF", 1234550},
	};
	static const struct {
		const char *text, *currency;
	} bad[] = {{"", "EUR"},	      {"abc", "EUR"},	   {"12.3456", "KWD"}, {"1,2,3", "EUR"},
		   {"1.2345", "EUR"}, {"12x", "EUR"},	   {"1.5", "JPY"},    {"1,250.00.5", "EUR"},
		   {"12,34,56", "EUR"}, {"9999999999999999", "EUR"}};
	int64_t minor;
	GError *error = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		if (!dm_money_parse(good[i].text, good[i].currency, &minor, &error))
			fail_msg("%s: %s", good[i].text, error->message);
		if (minor != good[i].minor)
			fail_msg("%s: got %lld", good[i].text, (long long)minor);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (dm_money_parse(bad[i].text, bad[i].currency, &minor, &error))
			fail_msg("\"%s\" %s was accepted as %lld", bad[i].text, bad[i].currency,
				 (long long)minor);
		assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
		g_clear_error(&error);
	}
}

static void
test_money_format_and_scale(void **state)
{
	char *text;

	text = dm_money_format_plain(125000, "EUR");
	assert_string_equal(text, "1250.00");
	g_free(text);
	text = dm_money_format_plain(-5, "EUR");
	assert_string_equal(text, "-0.05");
	g_free(text);
	text = dm_money_format_plain(1500, "JPY");
	assert_string_equal(text, "1500");
	g_free(text);
	text = dm_money_format_plain(1234, "KWD");
	assert_string_equal(text, "1.234");
	g_free(text);
	/* Half away from zero. */
	assert_int_equal(dm_money_scale(5, 1, 2), 3);
	assert_int_equal(dm_money_scale(-5, 1, 2), -3);
	assert_int_equal(dm_money_scale(1000000, 1015, 36500), 27808);
	assert_true(dm_currency_known("BGN"));
	assert_false(dm_currency_known("EURO"));
	assert_false(dm_currency_known("eur"));
	assert_int_equal(dm_currency_exponent("JPY"), 0);
}

static void
test_csv_quoting_and_delimiters(void **state)
{
	const char *data = "\xef\xbb\xbfnumber;client;amount\r\n"
			   "FV/1;\"Nowak; Sp. z o.o.\";1 250,00\r\n"
			   "\r\n"
			   "FV/2;\"He said \"\"hi\"\"\nagain\";5\n"
			   "FV/3;Trailing;\n";
	GPtrArray *records = csv_parse("x.csv", data, strlen(data), NULL);
	csv_record *r;

	assert_non_null(records);
	assert_int_equal(records->len, 4);
	r = g_ptr_array_index(records, 1);
	assert_int_equal(r->line, 2);
	assert_string_equal(g_ptr_array_index(r->fields, 1), "Nowak; Sp. z o.o.");
	assert_string_equal(g_ptr_array_index(r->fields, 2), "1 250,00");
	r = g_ptr_array_index(records, 2);
	assert_int_equal(r->line, 4);
	assert_string_equal(g_ptr_array_index(r->fields, 1), "He said \"hi\"\nagain");
	r = g_ptr_array_index(records, 3);
	assert_int_equal(r->line, 6);
	assert_int_equal(r->fields->len, 3);
	assert_string_equal(g_ptr_array_index(r->fields, 2), "");
	g_ptr_array_unref(records);
}

static void
test_csv_errors_name_the_line(void **state)
{
	const char *open_quote = "a,b\n1,2\n3,\"never closed\n";
	const char *latin1 = "a,b\n1,\xe9t\xe9\n";
	GError *error = NULL;

	assert_null(csv_parse("f.csv", open_quote, strlen(open_quote), &error));
	assert_string_equal(error->message, "f.csv:3: a quoted field is never closed");
	g_clear_error(&error);
	assert_null(csv_parse("f.csv", latin1, strlen(latin1), &error));
	assert_non_null(strstr(error->message, "f.csv:2: not UTF-8"));
	g_error_free(error);
}

static char *
write_config(const char *dir, const char *text)
{
	char *path = g_build_filename(dir, "config", NULL);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static void
test_config_reads_values(void **state)
{
	char *dir = test_tmpdir();
	char *path = write_config(dir, "# comment\n[identity]\nname = Anna Kowalska\n"
				       "addresses = Anna@Studio.example; billing@studio.example\n"
				       "[store]\npath = /tmp/x.db\n[rules]\nlanguages = pl;de\n"
				       "[filter]\nmax_size = 10M\n");
	GError *error = NULL;
	dm_config *config = config_load(path, &error);

	if (config == NULL)
		fail_msg("%s", error->message);
	assert_string_equal(config_identity_name(config), "Anna Kowalska");
	assert_true(config_is_own_address(config, "<anna@studio.EXAMPLE>"));
	assert_true(config_is_own_address(config, "billing@studio.example"));
	assert_false(config_is_own_address(config, "client@else.example"));
	assert_string_equal(config_store_path(config), "/tmp/x.db");
	assert_string_equal(config_rules_languages(config)[1], "de");
	assert_null(config_rules_languages(config)[2]);
	assert_int_equal(config_filter_max_size(config), 10 * 1024 * 1024);
	config_free(config);
	test_rmtree(dir);
	g_free(dir);
	g_free(path);
}

static void
test_config_reports_every_error_with_line(void **state)
{
	char *dir = test_tmpdir();
	char *path = write_config(dir, "[identity]\n"
				       "nmae = typo\n"
				       "addresses = not-an-address\n"
				       "[filter]\n"
				       "max_size = lots\n"
				       "this line is wrong\n"
				       "[nonsense]\n"
				       "[rules]\n"
				       "languages = PL\n"
				       "languages = pl\n");
	GError *error = NULL;
	char *expected;

	assert_null(config_load(path, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_CONFIG));
	expected = g_strdup_printf(
	    "%1$s:2: unknown key \"nmae\" in [identity]\n"
	    "%1$s:3: identity.addresses: \"not-an-address\" is not an e-mail address\n"
	    "%1$s:5: filter.max_size: \"lots\" is not a size (e.g. 25M)\n"
	    "%1$s:6: expected \"key = value\", found \"this line is wrong\"\n"
	    "%1$s:7: unknown section [nonsense]\n"
	    "%1$s:9: rules.languages: \"PL\" is not a language code (e.g. pl)\n"
	    "%1$s:10: rules.languages is set twice",
	    path);
	assert_string_equal(error->message, expected);
	g_free(expected);
	g_error_free(error);
	test_rmtree(dir);
	g_free(dir);
	g_free(path);
}

static void
test_config_missing_file(void **state)
{
	GError *error = NULL;

	assert_null(config_load("/nonexistent/dunmail/config", &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_NOT_FOUND));
	g_error_free(error);
}

static char *
render(printer_format format)
{
	char *buffer = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buffer, &size);
	printer *p = printer_new(format, out);

	printer_column(p, "name", "Name", false);
	printer_column(p, "amount", "Amount", true);
	printer_column(p, "level", "Level", true);
	printer_row_begin(p);
	printer_string(p, "Dupont, \"SARL\"");
	printer_decimal(p, "1250.00");
	printer_int(p, 2);
	printer_row_end(p);
	printer_row_begin(p);
	printer_string(p, "Łukasz");
	printer_null(p);
	printer_int(p, 10);
	printer_row_end(p);
	printer_finish(p);
	printer_free(p);
	fclose(out);
	return buffer;
}

static void
test_printer_formats(void **state)
{
	char *text;

	text = render(PRINTER_TABLE);
	assert_string_equal(text, "Name             Amount  Level\n"
				  "Dupont, \"SARL\"  1250.00      2\n"
				  "Łukasz                      10\n");
	free(text);
	text = render(PRINTER_CSV);
	assert_string_equal(text, "name,amount,level\r\n\"Dupont, \"\"SARL\"\"\",1250.00,2\r\n"
				  "Łukasz,,10\r\n");
	free(text);
	text = render(PRINTER_JSON);
	assert_non_null(strstr(text, "\"amount\" : \"1250.00\""));
	assert_non_null(strstr(text, "\"amount\" : null"));
	assert_non_null(strstr(text, "\"level\" : 10"));
	assert_non_null(strstr(text, "\"name\" : \"Dupont, \\\"SARL\\\"\""));
	assert_true(text[0] == '[');
	free(text);
}

/*
 * Every control character in a value is escaped: json-glib leaves some
 * (0x01-0x07, 0x0b, 0x0e-0x1f) raw, which makes the whole document invalid.
 */
static void
test_printer_json_control_characters(void **state)
{
	char *buffer = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buffer, &size);
	printer *p = printer_new(PRINTER_JSON, out);
	JsonParser *parser = json_parser_new();
	GError *error = NULL;

	printer_column(p, "subject", "Subject", false);
	printer_row_begin(p);
	printer_string(p, "a\x01b\x1f c\x7f\td\ne\x1b[31m");
	printer_row_end(p);
	printer_finish(p);
	printer_free(p);
	fclose(out);
	for (const char *c = buffer; *c != '\0'; c++)
		assert_true((unsigned char)*c >= 0x20 || *c == '\n');
	if (!json_parser_load_from_data(parser, buffer, -1, &error))
		fail_msg("invalid JSON (%s): %s", error->message, buffer);
	assert_non_null(strstr(buffer, "\\u001f"));
	assert_non_null(strstr(buffer, "\\u001b"));
	g_object_unref(parser);
	free(buffer);
}

/* One record, "Title: value" per line; a value's later lines under its first. */
static void
test_printer_vertical_multiline(void **state)
{
	char *buffer = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buffer, &size);
	printer *p = printer_new(PRINTER_TABLE, out);

	printer_set_vertical(p, true);
	printer_column(p, "name", "Name", false);
	printer_column(p, "address", "Address", false);
	printer_column(p, "notes", "Notes", false);
	printer_row_begin(p);
	printer_string(p, "Acme");
	printer_string(p, "1 High Street\nLondon EC1A 1AA");
	printer_null(p);
	printer_row_end(p);
	printer_finish(p);
	printer_free(p);
	fclose(out);
	assert_string_equal(buffer, "Name:    Acme\n"
				    "Address: 1 High Street\n"
				    "         London EC1A 1AA\n");
	free(buffer);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date_roundtrip_and_weekday),
	    cmocka_unit_test(test_date_parse_strict),
	    cmocka_unit_test(test_now_unix_follows_pinned_day),
	    cmocka_unit_test(test_working_days_and_months),
	    cmocka_unit_test(test_today_pinned),
	    cmocka_unit_test(test_money_parse_formats),
	    cmocka_unit_test(test_money_format_and_scale),
	    cmocka_unit_test(test_csv_quoting_and_delimiters),
	    cmocka_unit_test(test_csv_errors_name_the_line),
	    cmocka_unit_test(test_config_reads_values),
	    cmocka_unit_test(test_config_reports_every_error_with_line),
	    cmocka_unit_test(test_config_missing_file),
	    cmocka_unit_test(test_printer_formats),
	    cmocka_unit_test(test_printer_json_control_characters),
	    cmocka_unit_test(test_printer_vertical_multiline),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
