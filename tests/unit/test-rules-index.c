/*
 * The word index (filter/rules-index.h): what a pattern requires, and that
 * it never says "cannot match" for a reply the pattern matches.
 */
#include "tests/unit/testutil.h"

#include "filter/language.h"
#include "filter/lexicon.h"
#include "filter/rules-index.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

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
	rules_index_hits *hits = rules_index_scan(index, folded);
	size_t horizon;
	bool met = rules_index_reach(requires, hits, &horizon);

	rules_index_hits_free(hits);
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
	/* An optional hyphen or space leaves no word start behind it: "mailadres"
	 * may be glued to the "e" before it. */
	assert_true(may_match(index, "\\be-?mailadres\\b", "ons emailadres"));
	assert_true(may_match(index, "\\bpay\\s?pal\\b", "via paypal"));
	assert_true(may_match(index, "\\bover\\s*maken\\b", "overmaken"));
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

/* Where the words of a pattern's lead start in text; "" when it has no lead. */
static char *
lead_starts(const char *pattern, const char *text)
{
	rules_index *index = rules_index_new();
	GArray *lead = rules_index_lead(index, lx, "en", pattern);
	GString *out = g_string_new(NULL);

	if (lead != NULL) {
		char *folded = language_fold_text(text, strlen(text), NULL);
		rules_index_hits *hits = rules_index_scan(index, folded);
		for (size_t at = 0;; at++) {
			at = rules_index_next_lead(hits, lead, at, SIZE_MAX);
			if (at == SIZE_MAX)
				break;
			g_string_append_printf(out, "%s%zu", out->len > 0 ? "," : "", at);
		}
		rules_index_hits_free(hits);
		g_free(folded);
		g_array_unref(lead);
	}
	rules_index_free(index);
	return g_string_free(out, FALSE);
}

static void
test_leads(void **state)
{
	struct {
		const char *pattern, *text, *starts;
	} cases[] = {
	    /* A concept, a word after \b, a group whose every branch has one. */
	    {"{we}{~3}{paid}", "So we paid, and our team paid.", "3,16"},
	    {"\\bpaid\\b", "paid, prepaid, paid-up", "0,15"},
	    {"(?:{we}|\\bthey){~2}{paid}", "They said we paid", "0,10"},
	    {"{paid}", "Wir überwiesen es", "4"},
	    /* No lead: a word that may sit inside another, an optional first
	     * element, a lookbehind, an unkeyed concept, unbalanced groups. */
	    {"paid", "prepaid", ""},
	    {"{we}?{~2}{paid}", "we paid", ""},
	    {"(?<=x){paid}", "x paid", ""},
	    {"(?:{paid}|\\d+)", "paid", ""},
	    {"{odd}", "paid", ""},
	    {"{suffix}", "Sammelzahlung", ""},
	    {"{paid})(x", "paid", ""},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = lead_starts(cases[i].pattern, cases[i].text);
		if (strcmp(got, cases[i].starts) != 0)
			fail_msg("lead of \"%s\" on \"%s\": expected \"%s\", got \"%s\"",
			         cases[i].pattern, cases[i].text, cases[i].starts, got);
		g_free(got);
	}
}

/*
 * The index must never skip a pattern that matches: every pattern of the
 * shipped packs against every sentence of the language's sentence tables.
 * And a pattern with a lead, tried only where its lead starts, finds the
 * match a search finds.
 */
static void
test_shipped_packs_never_skip_a_match(void **state)
{
	static const char *const languages[] = {"en", "pl", "bg", "nl", "ro", "es", "de", "fr", NULL};
	char *rules_dir = g_build_filename(test_root(), "rules", NULL);
	const char *dirs[] = {rules_dir, NULL};
	lexicon *shipped = lexicon_load(dirs, languages, NULL);
	size_t checked = 0, matched = 0, led = 0;

	assert_non_null(shipped);
	for (const char *const *lang = languages; *lang != NULL; lang++) {
		rules_index *index = rules_index_new();
		GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);
		char *pack_dir = g_build_filename(rules_dir, *lang, NULL);
		GDir *listing = g_dir_open(pack_dir, 0, NULL);
		const char *name;

		/* The sentences of every table of the language (<lang>.tsv,
		 * <lang>-N.tsv), folded as the rules see them. */
		for (int t = 0; t < 10; t++) {
			char *file = t == 0 ? g_strdup_printf("%s.tsv", *lang)
			                    : g_strdup_printf("%s-%d.tsv", *lang, t);
			char *path = g_build_filename(test_root(), "tests", "sentences", file, NULL);
			char *data = NULL;
			if (g_file_get_contents(path, &data, NULL, NULL)) {
				char **lines = g_strsplit(data, "\n", -1);
				for (char **l = lines; *l != NULL; l++) {
					char **cells = g_strsplit(*l, "\t", 3);
					if (g_strv_length(cells) == 3)
						g_ptr_array_add(texts, language_fold_text(cells[2],
						                                          strlen(cells[2]), NULL));
					g_strfreev(cells);
				}
				g_strfreev(lines);
			}
			g_free(data);
			g_free(path);
			g_free(file);
		}
		while (listing != NULL && (name = g_dir_read_name(listing)) != NULL) {
			char *path, *data = NULL, **lines;
			if (!g_str_has_suffix(name, ".rules"))
				continue;
			path = g_build_filename(pack_dir, name, NULL);
			assert_true(g_file_get_contents(path, &data, NULL, NULL));
			lines = g_strsplit(data, "\n", -1);
			for (char **l = lines; *l != NULL; l++) {
				char *line = g_strstrip(*l), *expanded, *folded;
				pcre2_code *re;
				int code;
				PCRE2_SIZE offset;
				GPtrArray *requires;
				GArray *lead;
				pcre2_code *anchored;
				if (!g_str_has_prefix(line, "pattern"))
					continue;
				line += strlen("pattern");
				while (*line == ' ' || *line == '\t')
					line++;
				if (*line == '\0')
					continue; /* no source: the pack reader reports it */
				/* Comments after the pattern, as the pack reader cuts them. */
				for (char *c = line + 1; *c != '\0'; c++)
					if (*c == '#' && (c[-1] == ' ' || c[-1] == '\t'))
						*c = '\0';
				g_strchomp(line);
				folded = language_fold_text(line, strlen(line), NULL);
				expanded = lexicon_expand(shipped, *lang, folded, NULL);
				g_free(folded);
				assert_non_null(expanded);
				re = pcre2_compile((PCRE2_SPTR)expanded, PCRE2_ZERO_TERMINATED,
				                   PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_DUPNAMES,
				                   &code, &offset, NULL);
				assert_non_null(re);
				requires = rules_index_requirements(index, shipped, *lang, line);
				lead = rules_index_lead(index, shipped, *lang, line);
				anchored = NULL;
				if (lead != NULL) {
					char *wrapped = g_strdup_printf("\\G(?:%s)", expanded);
					anchored = pcre2_compile((PCRE2_SPTR)wrapped, PCRE2_ZERO_TERMINATED,
					                         PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS |
					                             PCRE2_DUPNAMES,
					                         &code, &offset, NULL);
					assert_non_null(anchored);
					g_free(wrapped);
					led++;
				}
				pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
				for (guint i = 0; i < texts->len; i++) {
					const char *text = g_ptr_array_index(texts, i);
					PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
					size_t start, end, at = 0;
					if (pcre2_match(re, (PCRE2_SPTR)text, strlen(text), 0, 0, md,
					                NULL) < 0)
						continue;
					start = ov[0];
					end = ov[1];
					rules_index_hits *hits = rules_index_scan(index, text);
					matched++;
					size_t horizon;
					if (!rules_index_reach(requires, hits, &horizon))
						fail_msg("%s/%s: the index skips \"%s\" on \"%s\"", *lang,
						         name, line, text);
					/* No match starts after the horizon, the first or a later one
					 * ("\K" moves the start it reports past where it began). */
					for (size_t from = start, n = 0; n < 8 && strstr(line, "\\K") == NULL;
					     n++) {
						if (ov[0] > horizon)
							fail_msg("%s/%s: \"%s\" matches at %zu on \"%s\", past "
							         "the horizon %zu",
							         *lang, name, line, (size_t)ov[0], text, horizon);
						from = ov[0] + 1;
						if (from > strlen(text) ||
						    pcre2_match(re, (PCRE2_SPTR)text, strlen(text), from, 0, md,
						                NULL) < 0)
							break;
					}
					pcre2_match(re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, NULL);
					/* Tried only where its lead starts, the pattern finds the
					 * same match as a search. */
					while (anchored != NULL) {
						at = rules_index_next_lead(hits, lead, at, SIZE_MAX);
						if (at == SIZE_MAX)
							fail_msg("%s/%s: no lead start finds \"%s\" on \"%s\"",
							         *lang, name, line, text);
						if (pcre2_match(anchored, (PCRE2_SPTR)text, strlen(text), at, 0,
						                md, NULL) >= 0)
							break;
						at++;
					}
					if (anchored != NULL && (ov[0] != start || ov[1] != end))
						fail_msg("%s/%s: anchored at its lead, \"%s\" matches "
						         "elsewhere on \"%s\"",
						         *lang, name, line, text);
					rules_index_hits_free(hits);
				}
				checked++;
				pcre2_match_data_free(md);
				pcre2_code_free(re);
				pcre2_code_free(anchored);
				if (lead != NULL)
					g_array_unref(lead);
				if (requires != NULL)
					g_ptr_array_unref(requires);
				g_free(expanded);
			}
			g_strfreev(lines);
			g_free(data);
			g_free(path);
		}
		if (listing != NULL)
			g_dir_close(listing);
		g_free(pack_dir);
		g_ptr_array_unref(texts);
		rules_index_free(index);
	}
	print_message("%zu patterns (%zu with a lead), %zu matches, none skipped by the index "
	              "nor missed at a lead\n",
	              checked, led, matched);
	assert_true(checked > 100);
	lexicon_free(shipped);
	g_free(rules_dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_concepts_and_words),
	    cmocka_unit_test(test_what_is_not_required),
	    cmocka_unit_test(test_unkeyed_concepts_are_present),
	    cmocka_unit_test(test_leads),
	    cmocka_unit_test(test_shipped_packs_never_skip_a_match),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
