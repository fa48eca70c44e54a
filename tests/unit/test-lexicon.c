/*
 * Concept lexicons (filter/lexicon.h) and the rules that use them: words,
 * stems and phrases, nested concepts, gaps that stay inside a clause, the
 * "unless" veto scoped to a clause, and every error with its file:line.
 */
#include "tests/unit/testutil.h"

#include "common/util.h"
#include "filter/language.h"
#include "filter/lexicon.h"
#include "filter/rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);
	char *parent = g_path_get_dirname(path);

	g_mkdir_with_parents(parent, 0700);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(parent);
	g_free(path);
}

/* Does the expanded pattern match the subject (folded and caselessly, as rules do)? */
static bool
matches(const char *pattern, const char *raw_subject)
{
	char *subject = language_fold_text(raw_subject, strlen(raw_subject), NULL);
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code, &offset, NULL);
	pcre2_match_data *data;
	int rc;

	if (re == NULL) {
		PCRE2_UCHAR message[256];
		pcre2_get_error_message(code, message, sizeof message);
		fail_msg("%s at %zu in %s", (char *)message, (size_t)offset, pattern);
	}
	data = pcre2_match_data_create_from_pattern(re, NULL);
	rc = pcre2_match(re, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, data, NULL);
	pcre2_match_data_free(data);
	pcre2_code_free(re);
	g_free(subject);
	return rc >= 0;
}

static lexicon *
load(const char *dir, const char *language, GError **error)
{
	const char *dirs[] = {dir, NULL};
	const char *languages[] = {language, NULL};

	return lexicon_load(dirs, languages, error);
}

static char *
expand(const lexicon *lx, const char *pattern)
{
	GError *error = NULL;
	char *out = lexicon_expand(lx, "en", pattern, &error);

	if (out == NULL)
		fail_msg("%s", error->message);
	return out;
}

static void
test_words_stems_phrases(void **state)
{
	char *dir = test_tmpdir();
	lexicon *lx;
	char *re;

	write_file(dir, "en/lexicon",
		   "# payment words\n"
		   "pay-done = paid, settled, *transferred, remitt*\n"
		   "pay-done = paid out, sent off\n"
		   "we = we, i, our team\n"
		   "amount = /\\d+(?:[.,]\\d\\d)?/, {pay-done}\n"
		   "mail = e-mail\n");
	lx = load(dir, "en", NULL);
	assert_non_null(lx);
	assert_int_equal(lexicon_concept_count(lx, "en"), 4);

	re = expand(lx, "{pay-done}");
	assert_true(matches(re, "we paid"));
	assert_true(matches(re, "the money was Paid Out"));
	assert_true(matches(re, "we remitted it"));
	assert_true(matches(re, "it was retransferred"));
	/* Whole words only. */
	assert_false(matches(re, "unpaid"));
	assert_false(matches(re, "paidx"));
	assert_false(matches(re, "resettled"));
	g_free(re);

	re = expand(lx, "{amount}");
	assert_true(matches(re, "12,50"));
	assert_true(matches(re, "settled"));
	g_free(re);

	re = expand(lx, "{mail}");
	assert_true(matches(re, "e-mail"));
	assert_true(matches(re, "email"));
	g_free(re);

	/* Phrases allow any white space between their words. */
	re = expand(lx, "^{we}$");
	assert_true(matches(re, "our\n team"));
	g_free(re);

	lexicon_free(lx);
	test_rmtree(dir);
	g_free(dir);
}

static void
test_gaps_stay_in_the_clause(void **state)
{
	char *dir = test_tmpdir();
	lexicon *lx;
	char *re;

	write_file(dir, "de/lexicon", "wir = wir\nueberwiesen = überwiesen, angewiesen\n");
	lx = load(dir, "de", NULL);
	assert_non_null(lx);
	{
		GError *error = NULL;
		re = lexicon_expand(lx, "de", "{wir}{~6}{ueberwiesen}", &error);
		assert_non_null(re);
	}
	/* Verb-final German: several words between the subject and the verb. */
	assert_true(matches(re, "wir haben die offene Summe gestern Abend angewiesen"));
	assert_true(matches(re, "wir haben am 3. Dezember überwiesen"));
	assert_true(matches(re, "wir haben die Rechnung Nr. 31 überwiesen"));
	assert_true(matches(re, "wir haben 1.250,00 EUR überwiesen"));
	assert_true(matches(re, "wir haben, wie besprochen, überwiesen"));
	/* Never across the end of a sentence or a paragraph. */
	assert_false(matches(re, "wir danken. Überwiesen ist nichts"));
	assert_false(matches(re, "wir danken!\nüberwiesen"));
	assert_false(matches(re, "wir danken; überwiesen"));
	/* At most six words in between. */
	assert_false(matches(re, "wir haben eins zwei drei vier fünf sechs sieben überwiesen"));
	g_free(re);

	/* The tight gap {-N}: spaces only. */
	re = lexicon_expand(lx, "de", "{wir}{-2}{ueberwiesen}", NULL);
	assert_true(matches(re, "wir haben überwiesen"));
	assert_false(matches(re, "wir, haben überwiesen"));
	assert_false(matches(re, "wir haben - überwiesen"));
	g_free(re);
	/* After \\b or \\s a brace is ours, not PCRE2's. */
	re = lexicon_expand(lx, "de", "\\b{wir}\\b{~1}\\b{ueberwiesen}", NULL);
	assert_true(matches(re, "wir haben angewiesen"));
	g_free(re);

	re = lexicon_expand(lx, "de", "{wir}{~0}{ueberwiesen}", NULL);
	assert_true(matches(re, "wir überwiesen"));
	assert_false(matches(re, "wir haben überwiesen"));
	g_free(re);
	lexicon_free(lx);
	test_rmtree(dir);
	g_free(dir);
}

static void
test_pcre_braces_kept(void **state)
{
	char *dir = test_tmpdir();
	lexicon *lx;
	char *re;

	write_file(dir, "lexicon", "paypal = paypal, pay pal\n");
	lx = load(dir, "en", NULL);
	assert_non_null(lx);
	/* Common concepts of <dir>/lexicon belong to every language. */
	assert_int_equal(lexicon_concept_count(lx, "en"), 1);
	re = expand(lx, "\\d{2,4}\\p{L}{1}\\x{41}\\{paypal} {paypal}");
	/* The words are merged into a trie: one branch per letter. */
	assert_string_equal(re, "\\d{2,4}\\p{L}{1}\\x{41}\\{paypal} (?:\\bpay(?:pal\\b|\\s+pal\\b))");
	g_free(re);
	lexicon_free(lx);
	test_rmtree(dir);
	g_free(dir);
}

static void
test_errors_name_the_place(void **state)
{
	char *dir = test_tmpdir();
	GError *error = NULL;
	lexicon *lx;
	char *re;

	write_file(dir, "en/lexicon",
		   "ok = fine\n"
		   "Bad Name = x\n"
		   "no-equals-sign\n"
		   "empty = a, , b\n"
		   "open = /abc\n"
		   "none =\n");
	assert_null(load(dir, "en", &error));
	assert_non_null(strstr(error->message, "en/lexicon:2: concept name \"Bad Name\""));
	assert_non_null(strstr(error->message, "en/lexicon:3: expected \"concept = word"));
	assert_non_null(strstr(error->message, "en/lexicon:4: empty item"));
	assert_non_null(strstr(error->message, "en/lexicon:5: unterminated /regex/"));
	assert_non_null(strstr(error->message, "en/lexicon:6: concept none has no words"));
	g_clear_error(&error);

	write_file(dir, "en/lexicon", "a = x, {b}\nb = {a}\nc = {nowhere}\n");
	assert_null(load(dir, "en", &error));
	assert_non_null(strstr(error->message, "nested more than"));
	assert_non_null(strstr(error->message, "en/lexicon:3: in {c}: unknown concept {nowhere}"));
	g_clear_error(&error);

	write_file(dir, "en/lexicon", "a = x\n");
	lx = load(dir, "en", NULL);
	assert_non_null(lx);
	assert_null(lexicon_expand(lx, "en", "{a}{missing}", &error));
	assert_non_null(strstr(error->message, "unknown concept {missing}"));
	g_clear_error(&error);
	assert_null(lexicon_expand(lx, "en", "{a}{~99}{a}", &error));
	assert_non_null(strstr(error->message, "gap \"{~99}\""));
	g_clear_error(&error);
	re = lexicon_expand(lx, "en", "{a}{~x}", &error);
	assert_null(re);
	g_clear_error(&error);
	lexicon_free(lx);
	test_rmtree(dir);
	g_free(dir);
}

/* Rules over concepts: "unless" vetoes within the match's clause only. */
static void
test_unless_is_scoped_to_the_clause(void **state)
{
	char *dir = test_tmpdir();
	const char *dirs[] = {dir, NULL};
	const char *languages[] = {"en", NULL};
	GError *error = NULL;
	rules *set;
	rules_verdict verdict;
	GPtrArray *explain;

	write_file(dir, "en/lexicon",
		   "clause-break = but, however\n"
		   "neg = not, n't, never\n"
		   "pay = pay, paid\n");
	write_file(dir, "en/test.rules",
		   "rule en.promised.will\n"
		   "  class promised\n"
		   "  pattern \\bwill{~2}{pay}\n"
		   "  unless {neg}{~1}{pay}|\\bwill{~0}{neg}\n"
		   "rule en.paid.did\n"
		   "  class paid\n"
		   "  priority 45\n"
		   "  pattern {pay}\n"
		   "  unless {neg}{~2}{pay}\n");
	set = rules_load(dirs, languages, &error);
	if (set == NULL)
		fail_msg("%s", error->message);

	/* The negation is in another clause ("but"): the promise stands. */
	assert_true(rules_classify(set, NULL, "We haven't paid yet, but will pay on Monday.",
				   &verdict, NULL));
	assert_string_equal(verdict.rule_id, "en.promised.will");
	rules_verdict_clear(&verdict);

	/* The negation is in the promise's own clause: vetoed. */
	assert_false(rules_classify(set, NULL, "We will not pay this.", &verdict, NULL));
	rules_verdict_clear(&verdict);

	/* A vetoed first match does not hide a later one. */
	assert_true(rules_classify(set, NULL, "We did not pay this week. We will pay on Monday.",
				   &verdict, NULL));
	assert_string_equal(verdict.rule_id, "en.promised.will");
	assert_true(verdict.match_start > 20);
	rules_verdict_clear(&verdict);

	/* --explain says which words vetoed the rule. */
	explain = rules_explain_new();
	assert_false(rules_classify(set, NULL, "We have never paid that.", &verdict, explain));
	assert_int_equal(explain->len, 1);
	{
		rules_explanation *e = g_ptr_array_index(explain, 0);
		assert_string_equal(e->rule_id, "en.paid.did");
		assert_int_equal(e->status, RULES_MATCH_VETOED);
		assert_string_equal(e->matched_text, "paid");
		assert_string_equal(e->guard_text, "never paid");
	}
	g_ptr_array_unref(explain);
	rules_verdict_clear(&verdict);
	rules_free(set);

	/* A pattern naming an unknown concept is an error of its line. */
	write_file(dir, "en/test.rules",
		   "rule en.paid.x\n  class paid\n  pattern {paid-words}\n");
	assert_null(rules_load(dirs, languages, &error));
	assert_non_null(strstr(error->message, "test.rules:3: pattern: unknown concept {paid-words}"));
	g_clear_error(&error);
	/* So is a rule that claims the pipeline's own class. */
	write_file(dir, "en/test.rules",
		   "rule en.x.y\n  class unrecognised\n  pattern x\n");
	assert_null(rules_load(dirs, languages, &error));
	assert_non_null(strstr(error->message, "test.rules:2: class \"unrecognised\""));
	g_clear_error(&error);
	test_rmtree(dir);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words_stems_phrases),
	    cmocka_unit_test(test_gaps_stay_in_the_clause),
	    cmocka_unit_test(test_pcre_braces_kept),
	    cmocka_unit_test(test_errors_name_the_place),
	    cmocka_unit_test(test_unless_is_scoped_to_the_clause),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
