/*
 * libFuzzer target: the rule engine over an arbitrary subject and body.
 *
 * Every shipped rule pack of the eight languages is compiled once (from
 * DUNMAIL_RULES_DIR, or rules/ of the tree the binary was built in).  The
 * input's first line is the subject and the rest the body; each input is
 * also classified with no subject and with the whole input as the body,
 * so that both fields see every byte.  The verdict must be consistent:
 * a winner only when a rule decided, match offsets inside the field, and
 * with explain on, exactly one winner among the explanations, agreeing
 * with the verdict.  The match limits must keep every input under the
 * run's -timeout.
 */
#include "filter/rules.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz-rules-dir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const languages[] = {"en", "pl", "bg", "nl", "ro", "es", "de", "fr", NULL};
static rules *set;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *rules_dir = fuzz_rules_directory("fuzz-rules");
	const char *dirs[] = {rules_dir, NULL};
	GError *error = NULL;

	set = rules_load(dirs, languages, &error);
	if (set == NULL) {
		fprintf(stderr, "fuzz-rules: %s\n", error->message);
		exit(1);
	}
	if (rules_count(set) == 0) {
		fprintf(stderr, "fuzz-rules: no rules in %s\n", rules_dir);
		exit(1);
	}
	g_free(rules_dir);
	return 0;
}

static size_t
field_length(const char *field, const char *subject, const char *body)
{
	const char *text;
	char *valid;
	size_t length;

	/* Offsets refer to the text with invalid bytes replaced (rules.h). */
	if (g_strcmp0(field, "subject") == 0)
		text = subject != NULL ? subject : "";
	else if (g_strcmp0(field, "body") == 0)
		text = body;
	else
		abort(); /* a match must name its field */
	valid = g_utf8_make_valid(text, -1);
	length = strlen(valid);
	g_free(valid);
	return length;
}

static void
classify_once(const char *subject, const char *body)
{
	rules_verdict verdict = {0};
	GPtrArray *explain = rules_explain_new();
	size_t winners = 0;
	bool decided = rules_classify(set, subject, body, &verdict, explain);

	if (decided) {
		size_t length = field_length(verdict.field, subject, body);
		/* A rule of class "none" may decide (a forwarded-to-accounting note). */
		if (verdict.rule_id == NULL || verdict.language == NULL)
			abort();
		if (verdict.match_start > verdict.match_end || verdict.match_end > length)
			abort();
		if (g_strcmp0(verdict.class_name, rules_class_name(verdict.klass)) != 0)
			abort();
	} else if (verdict.klass != RULES_CLASS_NONE || verdict.rule_id != NULL) {
		abort();
	}
	if (verdict.date_text != NULL && !g_utf8_validate(verdict.date_text, -1, NULL))
		abort();

	for (size_t i = 0; i < explain->len; i++) {
		const rules_explanation *e = g_ptr_array_index(explain, i);
		size_t length = field_length(e->field, subject, body);
		if (e->start > e->end || e->end > length)
			abort();
		if (e->matched_text == NULL || !g_utf8_validate(e->matched_text, -1, NULL))
			abort();
		if (e->winner) {
			winners++;
			if (e->status != RULES_MATCH_MATCHED ||
			    g_strcmp0(e->rule_id, verdict.rule_id) != 0)
				abort();
		}
	}
	if (winners != (decided ? 1u : 0u))
		abort();

	g_ptr_array_unref(explain);
	rules_verdict_clear(&verdict);

	/* Without explain the verdict must be the same. */
	rules_verdict again = {0};
	if (rules_classify(set, subject, body, &again, NULL) != decided)
		abort();
	rules_verdict_clear(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	char *newline = strchr(text, '\n');
	char *subject = newline != NULL ? g_strndup(text, (size_t)(newline - text)) : g_strdup(text);
	const char *body = newline != NULL ? newline + 1 : "";

	classify_once(subject, body);
	classify_once(NULL, text);

	g_free(subject);
	g_free(text);
	return 0;
}
