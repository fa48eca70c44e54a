/*
 * dunmail rules check [DIR]   compile every rule, date word and template
 * dunmail rules test DIR      accuracy over a folder of replies with expected.tsv
 */
#include "cli/cli.h"
#include "common/util.h"
#include "draft/template.h"
#include "filter/classify.h"
#include "filter/language.h"
#include "filter/rules.h"
#include "filter/when.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

bool
cli_check_rule_files(const dm_config *config, const char *const *dirs, bool everything,
		     size_t *rule_count, GString *errors)
{
	const char *const *languages = config_rules_languages(config);
	GError *error = NULL;
	size_t before = errors->len;
	rules *set;
	when_words *words;
	language_profiles *profiles;
	template_set *templates;

	*rule_count = 0;
	if ((set = rules_load(dirs, languages, &error)) != NULL) {
		*rule_count = rules_count(set);
		rules_free(set);
	} else {
		g_string_append_printf(errors, "%s\n", error->message);
		g_clear_error(&error);
	}
	/* A user's folder of rules need not carry date words, profiles or templates. */
	if ((words = when_words_load(dirs, languages, &error)) != NULL)
		when_words_free(words);
	else if (everything)
		g_string_append_printf(errors, "%s\n", error->message);
	g_clear_error(&error);
	if (!everything)
		return errors->len == before;
	if ((profiles = language_profiles_load(dirs, languages, &error)) != NULL) {
		language_profiles_free(profiles);
	} else {
		g_string_append_printf(errors, "%s\n", error->message);
		g_clear_error(&error);
	}
	if ((templates = template_set_load_from_rules(dirs, languages, &error)) != NULL) {
		template_set_free(templates);
	} else {
		g_string_append_printf(errors, "%s\n", error->message);
		g_clear_error(&error);
	}
	return errors->len == before;
}

static int
rules_check(cli_context *ctx, int argc, char **argv)
{
	GError *error = NULL;
	GString *errors = g_string_new(NULL);
	dm_config *config;
	const char *only[] = {NULL, NULL};
	size_t count = 0;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "[DIR]",
			       "Compiles every rule pack, date word file and template and reports"
			       " every error as file:line.",
			       NULL, &code))
		goto out;
	if (argc > 2) {
		code = cli_usage("rules check takes at most one DIR");
		goto out;
	}
	if ((config = cli_config(ctx, &error)) == NULL) {
		code = cli_fail(error);
		goto out;
	}
	if (argc == 2 && !g_file_test(argv[1], G_FILE_TEST_IS_DIR)) {
		code = cli_usage("%s: not a directory", argv[1]);
		goto out;
	}
	only[0] = argv[1];
	if (!cli_check_rule_files(config, argc == 2 ? only : config_rules_directories(config),
				  argc < 2, &count, errors)) {
		fputs(errors->str, stderr);
		code = EX_CONFIG;
		goto out;
	}
	printf("%zu rules compiled, no errors\n", count);
out:
	g_string_free(errors, TRUE);
	return code;
}

typedef struct {
	char *language;
	int messages, class_right, dated, date_right;
} accuracy;

/*
 * Does the class dunmail gave fit the expected one?  An expected "!paid"
 * means anything but paid: sentence tables use it for look-alikes ("we have
 * not paid yet") whose only sure label is what they are not.
 */
static bool
class_fits(const char *expected, rules_class got)
{
	if (expected[0] == '!')
		return strcmp(rules_class_name(got), expected + 1) != 0;
	return strcmp(rules_class_name(got), expected) == 0;
}

/* The day sentence tables are written on: Wednesday 18 November 2026. */
#define SENTENCE_DAY "Wed, 18 Nov 2026 12:00:00 +0000"

/*
 * A sentence as the client's whole reply: a plain text message dated on
 * SENTENCE_DAY, so that the classify pipeline (language, rules, dates,
 * unrecognised) reads it exactly as it reads mail.
 */
static char *
sentence_message(const char *text, size_t *length)
{
	GString *m = g_string_new("From: client@client.invalid\nTo: you@studio.invalid\n"
				  "Subject: Re: payment reminder\nDate: " SENTENCE_DAY "\n"
				  "Message-ID: <sentence@dunmail.invalid>\nMIME-Version: 1.0\n"
				  "Content-Type: text/plain; charset=utf-8\n"
				  "Content-Transfer-Encoding: 8bit\n\n");

	/* "\n" in a cell is a line break of the reply. */
	for (const char *p = text; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			g_string_append_c(m, '\n');
			p++;
		} else {
			g_string_append_c(m, *p);
		}
	}
	g_string_append_c(m, '\n');
	*length = m->len;
	return g_string_free(m, FALSE);
}

/*
 * Runs one sentence table, LANG.tsv: "class<TAB>date<TAB>text" lines after
 * a header.  Failures are printed when verbose.
 */
static bool
test_sentences(const classifier *c, const dm_config *config, const char *path, bool verbose,
	       accuracy *acc, GError **error)
{
	char *tsv = NULL, **lines;

	if (!g_file_get_contents(path, &tsv, NULL, error))
		return false;
	lines = g_strsplit(tsv, "\n", -1);
	g_free(tsv);
	for (int i = 0; lines[i] != NULL; i++) {
		char *line = lines[i], **fields, *data;
		size_t length;
		classify_result result;
		char iso[DM_DATE_ISO_SIZE];
		const char *got_date;
		bool class_ok, date_ok = true;

		g_strchomp(line);
		if (*line == '\0' || *line == '#' || g_str_has_prefix(line, "class\t"))
			continue;
		fields = g_strsplit(line, "\t", 3);
		if (g_strv_length(fields) < 3 || *g_strstrip(fields[2]) == '\0') {
			g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
				    "%s:%d: expected \"class<TAB>date<TAB>text\"", path, i + 1);
			g_strfreev(fields);
			g_strfreev(lines);
			return false;
		}
		data = sentence_message(fields[2], &length);
		if (!classify_message(c, config, data, length, false, &result, error)) {
			g_prefix_error(error, "%s:%d: ", path, i + 1);
			g_free(data);
			g_strfreev(fields);
			g_strfreev(lines);
			return false;
		}
		got_date = result.class_date != DM_DATE_NONE
			       ? dm_date_format_iso(result.class_date, iso)
			       : "-";
		class_ok = class_fits(g_strstrip(fields[0]), result.klass);
		acc->messages++;
		acc->class_right += class_ok;
		if (strcmp(g_strstrip(fields[1]), "-") != 0) {
			date_ok = strcmp(got_date, fields[1]) == 0;
			acc->dated++;
			acc->date_right += date_ok;
		}
		if (verbose && (!class_ok || !date_ok))
			printf("%s:%d: expected %s %s, got %s %s (rule %s): %s\n", path, i + 1,
			       fields[0], fields[1], rules_class_name(result.klass), got_date,
			       result.rule_id ? result.rule_id : "-", fields[2]);
		classify_result_clear(&result);
		g_free(data);
		g_strfreev(fields);
	}
	g_strfreev(lines);
	return true;
}

/* Runs one folder's expected.tsv; failures are printed when verbose. */
static bool
test_folder(const classifier *c, const dm_config *config, const char *dir, bool verbose,
	    accuracy *acc, GError **error)
{
	char *tsv_path = g_build_filename(dir, "expected.tsv", NULL);
	char *tsv = NULL;
	char **lines;
	bool ok = false;

	if (!g_file_get_contents(tsv_path, &tsv, NULL, error))
		goto out;
	lines = g_strsplit(tsv, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);
		char **fields, *path, *data = NULL;
		gsize length = 0;
		classify_result result;
		char iso[DM_DATE_ISO_SIZE];
		const char *got_date;
		bool class_ok, date_ok = true;

		if (*line == '\0' || *line == '#' || g_str_has_prefix(line, "file\t"))
			continue;
		fields = g_strsplit(line, "\t", -1);
		if (g_strv_length(fields) < 3) {
			g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
				    "%s:%d: expected \"file<TAB>class<TAB>date\"", tsv_path, i + 1);
			g_strfreev(fields);
			g_strfreev(lines);
			goto out;
		}
		path = g_build_filename(dir, fields[0], NULL);
		if (!g_file_get_contents(path, &data, &length, error) ||
		    !classify_message(c, config, data, length, false, &result, error)) {
			g_prefix_error(error, "%s:%d: ", tsv_path, i + 1);
			g_free(path);
			g_free(data);
			g_strfreev(fields);
			g_strfreev(lines);
			goto out;
		}
		got_date = result.class_date != DM_DATE_NONE
			       ? dm_date_format_iso(result.class_date, iso)
			       : "-";
		class_ok = class_fits(fields[1], result.klass);
		acc->messages++;
		acc->class_right += class_ok;
		if (strcmp(fields[2], "-") != 0) {
			date_ok = strcmp(got_date, fields[2]) == 0;
			acc->dated++;
			acc->date_right += date_ok;
		}
		if (verbose && (!class_ok || !date_ok))
			printf("%s: expected %s %s, got %s %s (rule %s)\n", path, fields[1],
			       fields[2], rules_class_name(result.klass), got_date,
			       result.rule_id ? result.rule_id : "-");
		classify_result_clear(&result);
		g_free(path);
		g_free(data);
		g_strfreev(fields);
	}
	g_strfreev(lines);
	ok = true;
out:
	g_free(tsv_path);
	g_free(tsv);
	return ok;
}

static int
compare_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
percent(int right, int total)
{
	return total == 0 ? 100 : right * 100 / total;
}

static int
rules_test(cli_context *ctx, int argc, char **argv)
{
	char *format_name = NULL;
	int minimum = 0, date_minimum = -1;
	gboolean show_failures = FALSE, profile = FALSE;
	GOptionEntry entries[] = {
	    {"min-accuracy", 0, 0, G_OPTION_ARG_INT, &minimum,
	     "exit non-zero when a language's class or date accuracy is below N percent", "N"},
	    {"min-date-accuracy", 0, 0, G_OPTION_ARG_INT, &date_minimum,
	     "a different minimum for dates (default: --min-accuracy)", "N"},
	    {"failures", 0, 0, G_OPTION_ARG_NONE, &show_failures, "list every miss", NULL},
	    {"profile", 0, 0, G_OPTION_ARG_NONE, &profile,
	     "after the table, the patterns that took the most time", NULL},
	    {"format", 0, 0, G_OPTION_ARG_STRING, &format_name, "table, csv or json", "FORMAT"},
	    {NULL}};
	GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);
	GArray *results = g_array_new(FALSE, TRUE, sizeof(accuracy));
	printer_format format;
	GError *error = NULL;
	dm_config *config;
	classifier *c = NULL;
	printer *p = NULL;
	int code = EX_OK;
	accuracy total = {0};

	if (!cli_parse_options(&argc, &argv, "DIR [--min-accuracy N]",
			       "Classifies every message listed in DIR/expected.tsv (or in"
			       " DIR/<lang>/expected.tsv), or every sentence of a sentence table"
			       " DIR/<lang>.tsv (or DIR itself), and prints the accuracy per"
			       " language.",
			       entries, &code))
		goto out;
	if (argc != 2) {
		code = cli_usage("rules test needs one DIR");
		goto out;
	}
	if (!cli_output_format(format_name, &format, &error) ||
	    (config = cli_config(ctx, &error)) == NULL ||
	    (c = classifier_new(config, &error)) == NULL)
		goto fail;
	if (classifier_load_errors(c) != NULL)
		dm_log_warning("rule packs left out:\n%s", classifier_load_errors(c));
	if (profile)
		classifier_set_profiling(c, true);
	{
		/* A folder of messages with expected.tsv, a sentence table LANG.tsv,
		 * or a folder of either. */
		char *direct = g_build_filename(argv[1], "expected.tsv", NULL);
		if (g_file_test(direct, G_FILE_TEST_EXISTS) ||
		    (g_str_has_suffix(argv[1], ".tsv") &&
		     g_file_test(argv[1], G_FILE_TEST_IS_REGULAR))) {
			g_ptr_array_add(folders, g_strdup(argv[1]));
		} else {
			GDir *dir = g_dir_open(argv[1], 0, &error);
			const char *name;
			if (dir == NULL) {
				g_free(direct);
				goto fail;
			}
			while ((name = g_dir_read_name(dir)) != NULL) {
				char *sub = g_build_filename(argv[1], name, "expected.tsv", NULL);
				char *table = g_build_filename(argv[1], name, NULL);
				if (g_file_test(sub, G_FILE_TEST_EXISTS) ||
				    (g_str_has_suffix(name, ".tsv") &&
				     g_file_test(table, G_FILE_TEST_IS_REGULAR)))
					g_ptr_array_add(folders, g_strdup(table));
				g_free(table);
				g_free(sub);
			}
			g_dir_close(dir);
		}
		g_free(direct);
	}
	if (folders->len == 0) {
		g_set_error(&error, DM_ERROR, DM_ERROR_NOT_FOUND,
			    "%s: no expected.tsv and no sentence table (LANG.tsv) found", argv[1]);
		goto fail;
	}
	g_ptr_array_sort(folders, compare_paths);
	for (guint i = 0; i < folders->len; i++) {
		accuracy acc = {0};
		const char *path = g_ptr_array_index(folders, i);
		bool table = g_str_has_suffix(path, ".tsv");
		acc.language = g_path_get_basename(path);
		if (table)
			acc.language[strlen(acc.language) - 4] = '\0';
		if (!(table ? test_sentences(c, config, path, show_failures, &acc, &error)
			    : test_folder(c, config, path, show_failures, &acc, &error))) {
			g_free(acc.language);
			goto fail;
		}
		g_array_append_val(results, acc);
	}
	p = printer_new(format, stdout);
	printer_column(p, "language", "Language", false);
	printer_column(p, "messages", "Messages", true);
	printer_column(p, "class_right", "Class ok", true);
	printer_column(p, "class_percent", "Class %", true);
	printer_column(p, "dated", "Dated", true);
	printer_column(p, "date_right", "Date ok", true);
	printer_column(p, "date_percent", "Date %", true);
	for (guint i = 0; i <= results->len; i++) {
		accuracy *acc = i < results->len ? &g_array_index(results, accuracy, i) : &total;
		if (i < results->len) {
			total.messages += acc->messages;
			total.class_right += acc->class_right;
			total.dated += acc->dated;
			total.date_right += acc->date_right;
		} else if (results->len == 1) {
			break;
		}
		printer_row_begin(p);
		printer_string(p, i < results->len ? acc->language : "all");
		printer_int(p, acc->messages);
		printer_int(p, acc->class_right);
		printer_int(p, percent(acc->class_right, acc->messages));
		printer_int(p, acc->dated);
		printer_int(p, acc->date_right);
		printer_int(p, percent(acc->date_right, acc->dated));
		printer_row_end(p);
		if (i < results->len && percent(acc->class_right, acc->messages) < minimum) {
			dm_log_error("%s: class accuracy below %d%%", acc->language, minimum);
			code = EX_DATAERR;
		}
		if (i < results->len &&
		    percent(acc->date_right, acc->dated) < (date_minimum >= 0 ? date_minimum : minimum)) {
			dm_log_error("%s: date accuracy below %d%%", acc->language,
				     date_minimum >= 0 ? date_minimum : minimum);
			code = EX_DATAERR;
		}
	}
	printer_finish(p);
	if (profile) {
		char *report = classifier_profile_report(c, 30);
		fputs(report, stdout);
		g_free(report);
	}
	goto out;
fail:
	code = cli_fail(error);
out:
	for (guint i = 0; i < results->len; i++)
		g_free(g_array_index(results, accuracy, i).language);
	g_array_unref(results);
	g_ptr_array_unref(folders);
	printer_free(p);
	classifier_free(c);
	g_free(format_name);
	return code;
}

static const cli_command rules_commands[] = {
    {"check", rules_check, "compile every rule pack, report every error"},
    {"test", rules_test, "accuracy over a folder of replies with expected.tsv"},
    {NULL, NULL, NULL},
};

int
cmd_rules(cli_context *ctx, int argc, char **argv)
{
	return cli_dispatch(ctx, "rules", rules_commands, argc, argv);
}
