/*
 * The word index (filter/rules-index.h): what a pattern requires, and that
 * it never says "cannot match" for a reply the pattern matches.
 */
#include "tests/unit/testutil.h"

#include "filter/language.h"
#include "filter/lexicon.h"
#include "filter/rules-index.h"

static lexicon *lx;
static char *dir;

static int
setup(void **state)
{
	const char *languages[] = {"en", NULL};
	const char *dirs[2];
	char *path;

	dir = test_tmpdir();
	path = g_build_filename(dir, "en", NULL);
	g_mkdir_with_parents(path, 0700);
	g_free(path);
	path = g_build_filename(dir, "en", "lexicon", NULL);
	g_file_set_contents(path,
			    "we = we, i, our team\n"
			    "paid = paid, settled, überwies*\n"
			    "odd = /\\d+x/, paid\n"
			    "suffix = *zahlung\n",
			    -1, NULL);
	g_free(path);
	dirs[0] = dir;
	dirs[1] = NULL;
	lx = lexicon_load(dirs, languages, NULL);
	assert_non_null(lx);
	return 0;
}

static int
teardown(void **state)
{
	lexicon_free(lx);
	test_rmtree(dir);
	g_free(dir);
	return 0;
}

/* May the pattern match text, as far as the index can tell? */
static bool
may_match(rules_index *index, const char *pattern, const char *text)
{
	GPtrArray *requires = rules_index_requirements(index, lx, "en", pattern);
	char *folded = language_fold_text(text, strlen(text), NULL);
	GArray *presence = rules_index_presence(index, folded);
	bool met = rules_index_met(requires, presence);

	g_array_unref(presence);
	g_free(folded);
	if (requires != NULL)
		g_ptr_array_unref(requires);
	return met;
}

static bool
has_requirements(rules_index *index, const char *pattern)
{
	GPtrArray *requires = rules_index_requirements(index, lx, "en", pattern);
	bool any = requires != NULL;

	if (requires != NULL)
		g_ptr_array_unref(requires);
	return any;
}

static void
test_concepts_and_words(void **state)
{
	rules_index *index = rules_index_new();

	/* Concepts outside groups are required, all of them. */
	assert_true(may_match(index, "{we}{~3}{paid}", "Our team has settled it."));
	assert_true(may_match(index, "{we}{~3}{paid}", "We überwiesen."));
	assert_true(may_match(index, "{we}{~3}{paid}", "WE UEBERWIESEN"));
	assert_false(may_match(index, "{we}{~3}{paid}", "We will pay."));
	assert_false(may_match(index, "{we}{~3}{paid}", "It was paid."));
	/* A group requires one of its branches' first words. */
	assert_true(may_match(index, "{we}{~2}(?:follow|come\\s+through)", "we come"));
	assert_true(may_match(index, "{we}{~2}(?:follow|come\\s+through)", "we followed up"));
	assert_false(may_match(index, "{we}{~2}(?:follow|come\\s+through)", "we go"));
	/* Literal words at a word start. */
	assert_false(may_match(index, "\\bexpected\\b{~4}free", "nothing here"));
	assert_true(may_match(index, "\\bexpected\\b{~4}free", "We expected it free"));
	assert_false(may_match(index, "\\bexpected\\b{~4}free", "We expected it"));
	/* A top-level alternation: any branch. */
	assert_true(may_match(index, "\\bdisputed\\b|{paid}", "it is settled"));
	assert_false(may_match(index, "\\bdisputed\\b|{paid}", "nothing"));
	rules_index_free(index);
}

static void
test_what_is_not_required(void **state)
{
	rules_index *index = rules_index_new();

	/* Optional parts, lookarounds, words inside other words, and patterns
	 * that start with punctuation require nothing. */
	assert_false(has_requirements(index, "{paid}?\\s*x"));
	assert_false(has_requirements(index, "(?=.*{paid})x"));
	assert_false(has_requirements(index, "\\w*zahlung"));
	assert_false(has_requirements(index, "(?:^|[.!?]\\s*)(?:x|y)"));
	assert_false(has_requirements(index, "\\d+"));
	assert_true(may_match(index, "\\w*zahlung", "Sammelzahlung"));
	/* A branch without a first word makes the group require nothing. */
	assert_false(has_requirements(index, "(?:paid|\\d+)"));
	/* "colou?r": the letter before a quantifier may be missing. */
	assert_true(may_match(index, "\\bcolou?r\\b", "the color"));
	rules_index_free(index);
}

static void
test_unkeyed_concepts_are_present(void **state)
{
	rules_index *index = rules_index_new();

	/* A concept with a /regex/ or a "*suffix" item may be anywhere. */
	assert_true(may_match(index, "{odd}", "42x"));
	assert_true(may_match(index, "{suffix}", "eine Sammelzahlung"));
	assert_true(may_match(index, "{unknown-concept}", "anything"));
	rules_index_free(index);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_concepts_and_words),
	    cmocka_unit_test(test_what_is_not_required),
	    cmocka_unit_test(test_unkeyed_concepts_are_present),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
