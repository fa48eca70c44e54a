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
	/* A dot followed by a letter: abbreviations written close, names, addresses. */
	assert_false(ends_at_first_dot("z o.o. zapłaci jutro"));
	assert_false(ends_at_first_dot("z.B. per Überweisung"));
	assert_false(ends_at_first_dot("pay via pay.example.com today"));
	/* Abbreviations the gaps know ("Nr. 31", "ca. 300", "szt. 12"). */
	assert_false(ends_at_first_dot("Rechnung Nr. 31 zahlen wir"));
	assert_false(ends_at_first_dot("otrzymaliśmy 10 szt. zamiast 12"));
	assert_false(ends_at_first_dot("Nowak Sp. z o.o."));
	assert_false(ends_at_first_dot("approx. 300 EUR"));
	/* A full date ends a sentence like a number: "2026/10/07. Proszę". */
	assert_true(ends_at_first_dot("z dnia 2026/10/07. Proszę o korektę"));
	assert_true(ends_at_first_dot("on 2026-10-07. Please"));
	/* A word that merely ends like an abbreviation still ends the sentence. */
	assert_true(ends_at_first_dot("We paid in part. Thanks"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
