/*
 * libFuzzer target: the date resolver over arbitrary text.
 *
 * The word files of all eight languages are loaded once, from
 * DUNMAIL_RULES_DIR or else from the source tree the binary was built in
 * (build/fuzz/fuzz-when -> rules/).  Each input is searched with every
 * language at once and with each language alone, against anchors chosen
 * to stress calendar arithmetic (month ends, a leap day, a year end), and
 * with the flags of when_find_flags (bare days and their lists, return
 * days).  A match must lie inside the text and resolve to a real calendar
 * date; an explanation must be given with it.  A broken promise aborts.
 */
#include "common/date.h"
#include "filter/when.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz-rules-dir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const languages[] = {"en", "pl", "bg", "nl", "ro", "es", "de", "fr", NULL};
static when_words *words;
static dm_date anchors[4];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *rules = fuzz_rules_directory("fuzz-when");
	const char *dirs[] = {rules, NULL};
	GError *error = NULL;

	words = when_words_load(dirs, languages, &error);
	if (words == NULL) {
		fprintf(stderr, "fuzz-when: %s\n", error->message);
		exit(1);
	}
	g_free(rules);
	anchors[0] = dm_date_from_ymd(2026, 11, 22); /* a Sunday, mid-month */
	anchors[1] = dm_date_from_ymd(2026, 12, 31); /* year end */
	anchors[2] = dm_date_from_ymd(2028, 2, 29);  /* leap day */
	anchors[3] = dm_date_from_ymd(2027, 1, 29);  /* a Friday before a short month */
	return 0;
}

static void
check_match(const char *text, size_t length, const when_match *match, const char *explain)
{
	int year, month, day;

	if (match->start > match->end || match->end > length)
		abort();
	dm_date_to_ymd(match->date, &year, &month, &day);
	if (!dm_date_valid_ymd(year, month, day))
		abort();
	if (explain == NULL || !g_utf8_validate(explain, -1, NULL))
		abort();
	(void)text;
}

static void
find_once(const char *language, const char *text, size_t length, dm_date anchor, unsigned flags)
{
	when_match match = {0};
	char *explain = NULL;

	if (when_find_flags(words, language, text, anchor, flags, &match, &explain))
		check_match(text, length, &match, explain);
	else if (explain != NULL)
		abort(); /* left untouched when nothing is found */
	g_free(explain);
}

/* The flags each language is also searched with, in turn. */
static const unsigned flag_sets[] = {WHEN_BARE_DAY, WHEN_RETURN_DAY,
                                     WHEN_BARE_DAY | WHEN_RETURN_DAY};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	size_t length = strlen(text);
	dm_date date = 0;
	char *explain = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(anchors); i++) {
		find_once(NULL, text, length, anchors[i], 0);
		find_once(NULL, text, length, anchors[i], flag_sets[i % G_N_ELEMENTS(flag_sets)]);
	}
	for (size_t i = 0; languages[i] != NULL; i++) {
		find_once(languages[i], text, length, anchors[i % G_N_ELEMENTS(anchors)], 0);
		find_once(languages[i], text, length, anchors[(i + 1) % G_N_ELEMENTS(anchors)],
		          flag_sets[i % G_N_ELEMENTS(flag_sets)]);
	}
	/* A language that was not loaded finds nothing rather than failing. */
	if (when_find(words, "xx", text, anchors[0], &(when_match){0}, NULL))
		abort();

	if (when_resolve(words, text, anchors[0], &date, &explain)) {
		int year, month, day;
		dm_date_to_ymd(date, &year, &month, &day);
		if (!dm_date_valid_ymd(year, month, day))
			abort();
	}
	g_free(explain);
	g_free(text);
	return 0;
}
