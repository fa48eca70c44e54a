#include "tests/unit/testutil.h"

#include "common/util.h"
#include "draft/charges.h"

static dm_date
ymd(int y, int m, int d)
{
	return dm_date_from_ymd(y, m, d);
}

/* Reference rates: 2.15 % for the first half of 2026, 2.40 % for the second. */
static charges_rate_table *
table_2026(void)
{
	GError *error = NULL;
	charges_rate_table *table = charges_rate_table_parse("# ECB main refinancing rate\n"
	                                                     "2026-01-01 = 2.15\n"
	                                                     "2026-07-01 = 2,40   # changed\n",
	                                                     "rates", &error);
	assert_null(error);
	assert_non_null(table);
	return table;
}

static void
test_fixed_rate_worked_example(void **state)
{
	(void)state;
	/* 10 000,00 EUR at 10.15 % for 45 days, actual/365:
	 * 1 000 000 x 1015 x 45 / (10 000 x 365) = 12 513.70 cents -> 125,14 EUR. */
	assert_int_equal(charges_interest_fixed(1000000, 1015, ymd(2026, 3, 1), ymd(2026, 4, 15)),
	                 12514);
	/* Paid on the due date or before: no interest. */
	assert_int_equal(charges_interest_fixed(1000000, 1015, ymd(2026, 3, 1), ymd(2026, 3, 1)),
	                 0);
	assert_int_equal(charges_interest_fixed(1000000, 1015, ymd(2026, 3, 1), ymd(2026, 2, 1)),
	                 0);
}

static void
test_statutory_within_one_half_year(void **state)
{
	charges_rate_table *table = table_2026();
	int64_t interest = -1;
	GError *error = NULL;

	(void)state;
	/* Due 1 March 2026, computed 15 April: 30 days of March + 15 of April =
	 * 45 days at 2.15 + 8 = 10.15 %: the 125,14 EUR of the worked example. */
	assert_true(charges_interest_statutory(1000000, table, CHARGES_EU_MARGIN_BP,
	                                       ymd(2026, 3, 1), ymd(2026, 4, 15), &interest,
	                                       &error));
	assert_int_equal(interest, 12514);
	charges_rate_table_free(table);
}

static void
test_statutory_across_the_half_year_boundary(void **state)
{
	charges_rate_table *table = table_2026();
	int64_t interest = -1;
	GError *error = NULL;

	(void)state;
	/* Due 15 June 2026, computed 30 July: 16..30 June = 15 days at 10.15 %,
	 * 1..30 July = 30 days at 10.40 %.  Sum of daily rates = 15 x 1015 +
	 * 30 x 1040 = 46 425 bp-days; 1 000 000 x 46 425 / 3 650 000 =
	 * 12 719.18 cents -> 127,19 EUR (one rate for all 45 days would give
	 * 125,14 or 128,22). */
	assert_true(charges_interest_statutory(1000000, table, CHARGES_EU_MARGIN_BP,
	                                       ymd(2026, 6, 15), ymd(2026, 7, 30), &interest,
	                                       &error));
	assert_int_equal(interest, 12719);
	charges_rate_table_free(table);
}

static void
test_statutory_uses_the_rate_of_the_half_year_start(void **state)
{
	GError *error = NULL;
	int64_t interest = -1;
	/* A table of ECB decisions rather than half-years: the rate changed on
	 * 18 March 2026, but the directive fixes the rate on 1 January for the
	 * whole first half-year. */
	charges_rate_table *table =
	    charges_rate_table_parse("2025-06-11 = 2.15\n2026-03-18 = 2.65\n", "ecb", &error);

	(void)state;
	assert_non_null(table);
	/* Due 31 March, computed 30 April: 30 days at 10.15 %:
	 * 1 000 000 x 1015 x 30 / 3 650 000 = 8 342.47 -> 83,42 EUR
	 * (at 10.65 % it would be 87,53). */
	assert_true(charges_interest_statutory(1000000, table, CHARGES_EU_MARGIN_BP,
	                                       ymd(2026, 3, 31), ymd(2026, 4, 30), &interest,
	                                       &error));
	assert_int_equal(interest, 8342);
	charges_rate_table_free(table);
}

static void
test_leap_year_counts_29_february(void **state)
{
	(void)state;
	/* 5 000,00 PLN at 8 %, due 15 February 2028 (leap year), computed
	 * 16 March: 16..29 February = 14 days + 16 of March = 30 days, over 365:
	 * 500 000 x 800 x 30 / 3 650 000 = 3 287.67 -> 32,88 PLN. */
	assert_int_equal(charges_interest_fixed(500000, 800, ymd(2028, 2, 15), ymd(2028, 3, 16)),
	                 3288);
	/* The same dates in 2027 are 29 days: 3 178.08 -> 31,78 PLN. */
	assert_int_equal(charges_interest_fixed(500000, 800, ymd(2027, 2, 15), ymd(2027, 3, 16)),
	                 3178);
	assert_int_equal(charges_days_late(ymd(2028, 2, 15), ymd(2028, 3, 16)), 30);
}

static void
test_rounding_half_away_from_zero(void **state)
{
	(void)state;
	/* 365 minor units at 50 % for one day = 365 x 5000 / 3 650 000 = 0.5 -> 1. */
	assert_int_equal(charges_interest_fixed(365, 5000, ymd(2026, 1, 1), ymd(2026, 1, 2)), 1);
	/* 0.4999 -> 0. */
	assert_int_equal(charges_interest_fixed(365, 4999, ymd(2026, 1, 1), ymd(2026, 1, 2)), 0);
	/* A credit note (negative balance) rounds away from zero too. */
	assert_int_equal(charges_interest_fixed(-365, 5000, ymd(2026, 1, 1), ymd(2026, 1, 2)), -1);
}

static void
test_statutory_missing_half_year_is_an_error(void **state)
{
	charges_rate_table *table = table_2026();
	int64_t interest = -1;
	GError *error = NULL;

	(void)state;
	/* Due 20 December 2025: the second half of 2025 has no rate. */
	assert_false(charges_interest_statutory(1000000, table, CHARGES_EU_MARGIN_BP,
	                                        ymd(2025, 12, 20), ymd(2026, 1, 10), &interest,
	                                        &error));
	assert_non_null(error);
	assert_int_equal(error->code, DM_ERROR_CONFIG);
	assert_non_null(strstr(error->message, "2025-07-01"));
	g_error_free(error);
	charges_rate_table_free(table);
}

static void
test_rate_table_reports_every_bad_line(void **state)
{
	GError *error = NULL;
	charges_rate_table *table = charges_rate_table_parse("2026-01-01 = 2.15\n"
	                                                     "\n"
	                                                     "2026-13-01 = 2\n"
	                                                     "2026-07-01 = 2.155\n"
	                                                     "just words\n"
	                                                     "2026-01-01 = 3\n",
	                                                     "rates.conf", &error);

	(void)state;
	assert_null(table);
	assert_non_null(error);
	assert_int_equal(error->code, DM_ERROR_CONFIG);
	assert_non_null(strstr(error->message, "rates.conf:3: "));
	assert_non_null(strstr(error->message, "rates.conf:4: \"2.155\" is not a rate"));
	assert_non_null(strstr(error->message, "rates.conf:5: expected"));
	assert_non_null(
	    strstr(error->message, "rates.conf:6: a rate for 2026-01-01 is already set"));
	assert_null(strstr(error->message, "rates.conf:1:"));
	g_error_free(error);
}

static void
test_rate_table_lookup_and_negative_rates(void **state)
{
	GError *error = NULL;
	int32_t rate = 0;
	charges_rate_table *table =
	    charges_rate_table_parse("2016-01-01 = -0.5\n2023-07-01 = 4.25\n", "r", &error);

	(void)state;
	assert_non_null(table);
	assert_true(charges_rate_table_lookup(table, ymd(2020, 5, 5), &rate, &error));
	assert_int_equal(rate, -50);
	assert_true(charges_rate_table_lookup(table, ymd(2023, 7, 1), &rate, &error));
	assert_int_equal(rate, 425);
	assert_false(charges_rate_table_lookup(table, ymd(2015, 12, 31), &rate, &error));
	assert_int_equal(error->code, DM_ERROR_NOT_FOUND);
	g_clear_error(&error);
	charges_rate_table_free(table);
}

static void
test_rate_table_load_from_file(void **state)
{
	char *dir = test_tmpdir();
	char *path = g_build_filename(dir, "rates", NULL);
	GError *error = NULL;
	charges_rate_table *table;
	int32_t rate = 0;

	(void)state;
	assert_true(g_file_set_contents(path, "2026-01-01 = 2.15\n", -1, NULL));
	table = charges_rate_table_load(path, &error);
	assert_non_null(table);
	assert_true(charges_rate_table_lookup(table, ymd(2026, 2, 1), &rate, &error));
	assert_int_equal(rate, 215);
	charges_rate_table_free(table);
	g_free(path);
	path = g_build_filename(dir, "absent", NULL);
	assert_null(charges_rate_table_load(path, &error));
	assert_int_equal(error->code, DM_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_free(path);
	test_rmtree(dir);
	g_free(dir);
}

static void
test_eu_compensation(void **state)
{
	int64_t compensation = -1;
	GError *error = NULL;

	(void)state;
	assert_true(charges_eu_compensation("EUR", -1, &compensation, &error));
	assert_int_equal(compensation, 4000);
	/* The caller converts 40 EUR; 172,00 PLN here. */
	assert_true(charges_eu_compensation("PLN", 17200, &compensation, &error));
	assert_int_equal(compensation, 17200);
	assert_false(charges_eu_compensation("PLN", -1, &compensation, &error));
	assert_int_equal(error->code, DM_ERROR_CONFIG);
	assert_non_null(strstr(error->message, "PLN"));
	g_clear_error(&error);
}

static void
test_early_payment_discount(void **state)
{
	charges_discount_terms terms = {200, 10}; /* 2 % within 10 days */
	dm_date issued = ymd(2026, 11, 2);

	(void)state;
	assert_int_equal(charges_discount_deadline(&terms, issued), ymd(2026, 11, 12));
	/* 2 % of 1 250,00 = 25,00; of 123,45 = 2.469 -> 2,47. */
	assert_int_equal(charges_discount_amount(&terms, 125000), 2500);
	assert_int_equal(charges_discount_amount(&terms, 12345), 247);
	assert_true(charges_discount_applies(&terms, issued, ymd(2026, 11, 12)));
	assert_false(charges_discount_applies(&terms, issued, ymd(2026, 11, 13)));
	terms.rate_bp = 0;
	assert_false(charges_discount_applies(&terms, issued, issued));
}

static void
test_compute_everything(void **state)
{
	charges_rate_table *table = table_2026();
	charges_policy policy = {
	    .late_fee = 1500,
	    .interest_mode = CHARGES_INTEREST_EU_STATUTORY,
	    .reference_rates = table,
	    .eu_compensation = true,
	    .compensation_equivalent = -1,
	};
	charges_result result;
	GError *error = NULL;

	(void)state;
	/* 45 days late: 125,14 interest + 15,00 fee + 40,00 compensation. */
	assert_true(charges_compute(&policy, 1000000, "EUR", ymd(2026, 3, 1), ymd(2026, 4, 15),
	                            &result, &error));
	assert_int_equal(result.days_late, 45);
	assert_int_equal(result.interest, 12514);
	assert_int_equal(result.late_fee, 1500);
	assert_int_equal(result.compensation, 4000);
	assert_int_equal(result.total_due, 1000000 + 12514 + 1500 + 4000);
	/* Not late yet: nothing but the balance. */
	assert_true(charges_compute(&policy, 1000000, "EUR", ymd(2026, 3, 1), ymd(2026, 3, 1),
	                            &result, &error));
	assert_int_equal(result.days_late, 0);
	assert_int_equal(result.interest + result.late_fee + result.compensation, 0);
	assert_int_equal(result.total_due, 1000000);
	/* A PLN invoice without the converted compensation cannot be computed. */
	assert_false(charges_compute(&policy, 1000000, "PLN", ymd(2026, 3, 1), ymd(2026, 4, 15),
	                             &result, &error));
	assert_int_equal(error->code, DM_ERROR_CONFIG);
	g_clear_error(&error);
	/* Fixed contractual rate, no compensation. */
	policy.interest_mode = CHARGES_INTEREST_FIXED;
	policy.annual_rate_bp = 1015;
	policy.eu_compensation = false;
	policy.late_fee = 0;
	assert_true(charges_compute(&policy, 1000000, "PLN", ymd(2026, 3, 1), ymd(2026, 4, 15),
	                            &result, &error));
	assert_int_equal(result.total_due, 1012514);
	/* Statutory mode without a table is a configuration error. */
	policy.interest_mode = CHARGES_INTEREST_EU_STATUTORY;
	policy.reference_rates = NULL;
	assert_false(charges_compute(&policy, 1000000, "EUR", ymd(2026, 3, 1), ymd(2026, 4, 15),
	                             &result, &error));
	assert_int_equal(error->code, DM_ERROR_CONFIG);
	g_clear_error(&error);
	charges_rate_table_free(table);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixed_rate_worked_example),
	    cmocka_unit_test(test_statutory_within_one_half_year),
	    cmocka_unit_test(test_statutory_across_the_half_year_boundary),
	    cmocka_unit_test(test_statutory_uses_the_rate_of_the_half_year_start),
	    cmocka_unit_test(test_leap_year_counts_29_february),
	    cmocka_unit_test(test_rounding_half_away_from_zero),
	    cmocka_unit_test(test_statutory_missing_half_year_is_an_error),
	    cmocka_unit_test(test_rate_table_reports_every_bad_line),
	    cmocka_unit_test(test_rate_table_lookup_and_negative_rates),
	    cmocka_unit_test(test_rate_table_load_from_file),
	    cmocka_unit_test(test_eu_compensation),
	    cmocka_unit_test(test_early_payment_discount),
	    cmocka_unit_test(test_compute_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
