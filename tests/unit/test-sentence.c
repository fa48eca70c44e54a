/*
 * Where sentences end (filter/sentence.h): dots in numbers and after day
 * numbers do not end one.
 */
#include "tests/unit/testutil.h"

#include "filter/sentence.h"

static bool
ends_at_first_dot(const char *text)
{
	const char *dot = strchr(text, '.');

	assert_non_null(dot);
	return sentence_dot_ends(text, strlen(text), (size_t)(dot - text));
}

static void
test_dots(void **state)
{
	/* Ends of sentences. */
	assert_true(ends_at_first_dot("We paid. Thanks"));
	assert_true(ends_at_first_dot("Total 2026. Thanks"));
	assert_true(ends_at_first_dot("Invoice 145. Thanks"));
	assert_true(ends_at_first_dot("It was 12.\n"));
	/* Inside numbers and dates. */
	assert_false(ends_at_first_dot("bis 30.11.2026 überwiesen"));
	assert_false(ends_at_first_dot("1.250,00 EUR"));
	/* Day numbers, whatever the case of the month (the old test wanted lower case). */
	assert_false(ends_at_first_dot("Am 4. Dezember wird überwiesen"));
	assert_false(ends_at_first_dot("bis zum 3. nächsten Monats"));
	assert_false(ends_at_first_dot("do 15. listopada"));
	assert_false(ends_at_first_dot("am 15. Überweisung"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
