#include "tests/unit/testutil.h"

#include "draft/locale.h"

#define NBSP "\u00a0"
#define NNBSP "\u202f"

static void
check_money(const char *lang, int64_t minor, const char *currency, const char *expected)
{
	char *text = locale_format_money(lang, minor, currency);
	assert_string_equal(text, expected);
	g_free(text);
}

static void
check_date(const char *lang, dm_date date, locale_date_style style, const char *expected)
{
	char *text = locale_format_date(lang, date, style);
	assert_string_equal(text, expected);
	g_free(text);
}

static void
test_money_each_language(void **state)
{
	(void)state;
	check_money("pl", 125000, "PLN", "1" NBSP "250,00" NBSP "zł");
	check_money("pl", 125000, "EUR", "1" NBSP "250,00" NBSP "€");
	check_money("de", 125000, "EUR", "1.250,00" NBSP "€");
	check_money("es", 125000, "EUR", "1.250,00" NBSP "€");
	check_money("nl", 125000, "EUR", "€" NBSP "1.250,00");
	check_money("ro", 125000, "EUR", "1.250,00" NBSP "€");
	check_money("ro", 125000, "RON", "1.250,00" NBSP "lei");
	check_money("fr", 125000, "EUR", "1" NNBSP "250,00" NBSP "€");
	check_money("bg", 240000, "BGN", "2" NBSP "400,00" NBSP "лв.");
	/* Bulgaria uses the euro from 2026; old invoices stay in leva. */
	check_money("bg", 240000, "EUR", "2" NBSP "400,00" NBSP "€");
	check_money("en", 125000, "EUR", "€1,250.00");
	check_money("en", 98000, "GBP", "£980.00");
	check_money("en", 125000, "USD", "$1,250.00");
}

static void
test_money_other_currencies_use_the_code(void **state)
{
	(void)state;
	check_money("fr", 125000, "CHF", "1" NNBSP "250,00" NBSP "CHF");
	check_money("en", 125000, "CHF", "1,250.00" NBSP "CHF");
	check_money("de", 125000, "USD", "1.250,00" NBSP "USD");
	/* Zero- and three-decimal currencies keep their own minor unit. */
	check_money("de", 125000, "JPY", "125.000" NBSP "JPY");
	check_money("en", 1250500, "KWD", "1,250.500" NBSP "KWD");
}

static void
test_money_grouping_and_sign(void **state)
{
	(void)state;
	check_money("de", 5, "EUR", "0,05" NBSP "€");
	check_money("de", 99999, "EUR", "999,99" NBSP "€");
	check_money("de", 123456789012, "EUR", "1.234.567.890,12" NBSP "€");
	check_money("en", -125000, "EUR", "-€1,250.00");
	check_money("pl", -125000, "PLN", "-1" NBSP "250,00" NBSP "zł");
	check_money("de", INT64_MIN, "EUR", "-92.233.720.368.547.758,08" NBSP "€");
}

static void
test_language_tags(void **state)
{
	(void)state;
	assert_true(locale_supported("pl"));
	assert_true(locale_supported("pl-PL"));
	assert_true(locale_supported("PL_pl"));
	assert_false(locale_supported("it"));
	assert_false(locale_supported("pol"));
	assert_false(locale_supported(NULL));
	assert_string_equal(locale_normalise("de-AT"), "de");
	assert_string_equal(locale_normalise("it"), "en");
	/* An unsupported language is written the English way. */
	check_money("it", 125000, "EUR", "€1,250.00");
	assert_int_equal(g_strv_length((char **)locale_languages()), 8);
}

static void
test_dates(void **state)
{
	dm_date d = dm_date_from_ymd(2026, 11, 22);
	dm_date first = dm_date_from_ymd(2026, 3, 1);

	(void)state;
	check_date("en", d, LOCALE_DATE_LONG, "22 November 2026");
	check_date("en", d, LOCALE_DATE_SHORT, "22/11/2026");
	check_date("pl", d, LOCALE_DATE_LONG, "22 listopada 2026");
	check_date("pl", d, LOCALE_DATE_SHORT, "22.11.2026");
	check_date("bg", d, LOCALE_DATE_SHORT, "22.11.2026 г.");
	check_date("bg", d, LOCALE_DATE_LONG, "22 ноември 2026 г.");
	check_date("nl", d, LOCALE_DATE_LONG, "22 november 2026");
	check_date("nl", d, LOCALE_DATE_SHORT, "22-11-2026");
	check_date("ro", d, LOCALE_DATE_SHORT, "22.11.2026");
	check_date("ro", d, LOCALE_DATE_LONG, "22 noiembrie 2026");
	check_date("es", d, LOCALE_DATE_SHORT, "22/11/2026");
	check_date("es", d, LOCALE_DATE_LONG, "22 de noviembre de 2026");
	check_date("de", d, LOCALE_DATE_SHORT, "22.11.2026");
	check_date("de", d, LOCALE_DATE_LONG, "22. November 2026");
	check_date("fr", d, LOCALE_DATE_SHORT, "22/11/2026");
	check_date("fr", d, LOCALE_DATE_LONG, "22 novembre 2026");
	/* Single-digit days: padded in the short form, ordinal "1er" in French. */
	check_date("de", first, LOCALE_DATE_SHORT, "01.03.2026");
	check_date("de", first, LOCALE_DATE_LONG, "1. März 2026");
	check_date("fr", first, LOCALE_DATE_LONG, "1er mars 2026");
	check_date("pl", first, LOCALE_DATE_LONG, "1 marca 2026");
}

static void
check_text(char *text, const char *expected)
{
	assert_string_equal(text, expected);
	g_free(text);
}

static void
test_percent(void **state)
{
	(void)state;
	check_text(locale_format_percent("en", 200), "2%");
	check_text(locale_format_percent("en", 1015), "10.15%");
	check_text(locale_format_percent("de", 250), "2,5" NBSP "%");
	check_text(locale_format_percent("fr", 200), "2" NNBSP "%");
	check_text(locale_format_percent("pl", 215), "2,15%");
	check_text(locale_format_percent("es", 5), "0,05" NBSP "%");
}

static void
test_days_plurals(void **state)
{
	(void)state;
	check_text(locale_format_days("en", 1), "1 day");
	check_text(locale_format_days("en", 14), "14 days");
	check_text(locale_format_days("pl", 1), "1 dzień");
	check_text(locale_format_days("pl", 22), "22 dni");
	check_text(locale_format_days("bg", 1), "1 ден");
	check_text(locale_format_days("bg", 30), "30 дни");
	check_text(locale_format_days("ro", 1), "1 zi");
	check_text(locale_format_days("ro", 14), "14 zile");
	check_text(locale_format_days("ro", 20), "20 de zile");
	check_text(locale_format_days("ro", 45), "45 de zile");
	check_text(locale_format_days("ro", 101), "101 zile");
	check_text(locale_format_days("fr", 0), "0 jour");
	check_text(locale_format_days("fr", 2), "2 jours");
	check_text(locale_format_days("de", 1), "1 Tag");
	check_text(locale_format_days("de", 45), "45 Tage");
	check_text(locale_format_days("es", 1), "1 día");
	check_text(locale_format_days("nl", 7), "7 dagen");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_money_each_language),
	    cmocka_unit_test(test_money_other_currencies_use_the_code),
	    cmocka_unit_test(test_money_grouping_and_sign),
	    cmocka_unit_test(test_language_tags),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_percent),
	    cmocka_unit_test(test_days_plurals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
