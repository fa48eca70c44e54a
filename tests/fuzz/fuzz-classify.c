/*
 * libFuzzer target: the whole classify pipeline (MIME, auto-reply and
 * bounce detection, quote stripping, rules, dates, language) on the raw
 * bytes of one message.
 *
 * The classifier is built once from the default configuration, so it
 * holds every shipped rule pack, date word file and language profile of
 * the eight languages (DUNMAIL_RULES_DIR, or rules/ of the tree the
 * binary was built in).  "Today" is pinned so that runs are repeatable.
 * Each input is classified with and without the explanation; both must
 * agree, the result must hold what filter/classify.h promises (a
 * Message-ID always, a parsed mail, UTF-8 text), and it must be released
 * without leaks.
 */
#include "common/config.h"
#include "common/date.h"
#include "common/util.h"
#include "filter/classify.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz-rules-dir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dm_config *config;
static classifier *pipeline;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	GError *error = NULL;

	g_free(fuzz_rules_directory("fuzz-classify"));
	dm_date_set_today(dm_date_from_ymd(2026, 11, 22));
	config = config_new_default();
	pipeline = classifier_new(config, &error);
	if (pipeline == NULL) {
		fprintf(stderr, "fuzz-classify: %s\n", error->message);
		exit(1);
	}
	/* A shipped pack that does not compile would hide half of the pipeline. */
	if (classifier_load_errors(pipeline) != NULL) {
		fprintf(stderr, "fuzz-classify: %s\n", classifier_load_errors(pipeline));
		exit(1);
	}
	return 0;
}

static void
check_text(const char *text)
{
	if (text != NULL && !g_utf8_validate(text, -1, NULL))
		abort();
}

static void
check_result(const classify_result *result)
{
	int year, month, day;

	if (result->mail == NULL || result->message_id == NULL || *result->message_id == '\0')
		abort();
	if (rules_class_name(result->klass) == NULL)
		abort();
	if (result->class_date != DM_DATE_NONE) {
		dm_date_to_ymd(result->class_date, &year, &month, &day);
		if (!dm_date_valid_ymd(year, month, day))
			abort();
	}
	check_text(result->message_id);
	check_text(result->rule_id);
	check_text(result->language);
	check_text(result->reply_text);
	check_text(result->evidence);
	check_text(result->bounced_message_id);
	if (result->failed_recipients != NULL)
		for (size_t i = 0; i < result->failed_recipients->len; i++)
			check_text(g_ptr_array_index(result->failed_recipients, i));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	classify_result plain = {0}, explained = {0};
	GError *error = NULL;
	bool ok = classify_message(pipeline, config, (const char *)data, size, false, &plain,
				   &error);

	if (!ok) {
		if (error == NULL || error->domain != DM_ERROR)
			abort();
		g_clear_error(&error);
		classify_result_clear(&plain);
		return 0;
	}
	check_result(&plain);

	if (!classify_message(pipeline, config, (const char *)data, size, true, &explained, NULL))
		abort();
	check_result(&explained);
	/* Asking why must not change the answer. */
	if (explained.klass != plain.klass || explained.class_date != plain.class_date ||
	    g_strcmp0(explained.rule_id, plain.rule_id) != 0 ||
	    g_strcmp0(explained.message_id, plain.message_id) != 0)
		abort();
	if (explained.explain == NULL)
		abort();
	for (size_t i = 0; i < explained.explain->len; i++)
		check_text(g_ptr_array_index(explained.explain, i));

	classify_result_clear(&explained);
	classify_result_clear(&plain);
	return 0;
}
