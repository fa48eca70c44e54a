/*
 * Reading the word files, rules/<lang>/dates (the format is in when.h):
 * every phrase is folded into its words and filed under its first word,
 * so that a scan looks up each token once.  Every problem of every file is
 * collected and reported at once.
 */
#include "filter/when-private.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *name;
	int value;
} named_value;

static const named_value unit_names[] = {
    {"day", UNIT_DAY},   {"working-day", UNIT_WORKING_DAY},
    {"week", UNIT_WEEK}, {"month", UNIT_MONTH},
    {"hour", UNIT_HOUR}, {NULL, 0},
};

static const named_value relative_names[] = {
    {"today", REL_TODAY},
    {"tomorrow", REL_TOMORROW},
    {"day-after-tomorrow", REL_DAY_AFTER_TOMORROW},
    {"yesterday", REL_YESTERDAY},
    {"day-before-yesterday", REL_DAY_BEFORE_YESTERDAY},
    {"this-week", REL_THIS_WEEK},
    {"next-week", REL_NEXT_WEEK},
    {"beginning-of-next-week", REL_BEGINNING_OF_NEXT_WEEK},
    {"mid-next-week", REL_MID_NEXT_WEEK},
    {"after-the-weekend", REL_AFTER_THE_WEEKEND},
    {"beginning-of-month", REL_BEGINNING_OF_MONTH},
    {"beginning-of-next-month", REL_BEGINNING_OF_NEXT_MONTH},
    {"first-working-day-of-next-month", REL_FIRST_WORKING_DAY_OF_NEXT_MONTH},
    {"last-working-day-of-month", REL_LAST_WORKING_DAY_OF_MONTH},
    {"mid-month", REL_MID_MONTH},
    {"mid-next-month", REL_MID_NEXT_MONTH},
    {"end-of-month", REL_END_OF_MONTH},
    {"end-of-next-month", REL_END_OF_NEXT_MONTH},
    {"end-of-year", REL_END_OF_YEAR},
    {"in-one-week", REL_IN_ONE_WEEK},
    {"in-two-weeks", REL_IN_TWO_WEEKS},
    {"in-one-month", REL_IN_ONE_MONTH},
    {NULL, 0},
};

static const named_value syntax_names[] = {
    {"within", WORD_WITHIN},
    {"filler", WORD_FILLER},
    {"ordinal", WORD_ORDINAL},
    {"day-month", WORD_DAY_MONTH},
    {"next", WORD_NEXT},
    {"next-after", WORD_NEXT_AFTER},
    {"coming", WORD_COMING},
    {"coming-after", WORD_COMING_AFTER},
    {"last", WORD_LAST},
    {"last-after", WORD_LAST_AFTER},
    {"beginning-of", WORD_BEGINNING_OF},
    {"mid-of", WORD_MID_OF},
    {"end-of", WORD_END_OF},
    {"last-working-day-of", WORD_LAST_WORKING_DAY_OF},
    {"prefix", WORD_PREFIX},
    {"date-lead", WORD_DATE_LEAD},
    {"within-after", WORD_WITHIN_AFTER},
    {"ignore", WORD_IGNORE},
    {"bare-day", WORD_BARE_DAY},
    {"bare-day-after", WORD_BARE_DAY_AFTER},
    {"next-month-after", WORD_NEXT_MONTH_AFTER},
    {"not-a-day", WORD_NOT_A_DAY},
    {"inclusive", WORD_INCLUSIVE},
    {"inclusive-after", WORD_INCLUSIVE_AFTER},
    {"year-mark", WORD_YEAR_MARK},
    {"and", WORD_AND},
    {"week-number", WORD_WEEK_NUMBER},
    {"week-later", WORD_WEEK_LATER},
    {"week-later-after", WORD_WEEK_LATER_AFTER},
    {"weekday-day", WORD_WEEKDAY_DAY},
    {NULL, 0},
};

static void
word_entry_free(gpointer data)
{
	word_entry *entry = data;

	g_strfreev(entry->tokens);
	g_free(entry);
}

void
when_words_free(when_words *words)
{
	if (words == NULL)
		return;
	g_hash_table_destroy(words->by_first);
	g_hash_table_destroy(words->starts);
	g_ptr_array_unref(words->entries);
	g_strfreev(words->languages);
	g_free(words);
}

/*
 * Can an expression start with a phrase of kind, or must the scan skip
 * it (ignore)?  The others (bare-day words, units, ordinal endings,
 * not-a-day words...) are read only around a start, so a token that
 * begins none of these is passed over at once.
 */
static bool
kind_starts(word_kind kind)
{
	switch (kind) {
	case WORD_MONTH:
	case WORD_WEEKDAY:
	case WORD_DAY:
	case WORD_RELATIVE:
	case WORD_WITHIN:
	case WORD_NEXT:
	case WORD_COMING:
	case WORD_LAST:
	case WORD_WEEK_LATER:
	case WORD_BEGINNING_OF:
	case WORD_MID_OF:
	case WORD_END_OF:
	case WORD_LAST_WORKING_DAY_OF:
	case WORD_PREFIX:
	case WORD_INCLUSIVE:
	case WORD_WEEK_NUMBER:
	case WORD_IGNORE:
		return true;
	default:
		return false;
	}
}

/* Adds a phrase, or the language to an identical phrase already known. */
static void
words_add(when_words *words, word_kind kind, int value, guint language, char **tokens)
{
	GPtrArray *bucket = g_hash_table_lookup(words->by_first, tokens[0]);
	word_entry *entry;

	if (bucket != NULL) {
		for (guint k = 0; k < bucket->len; k++) {
			entry = g_ptr_array_index(bucket, k);
			if (entry->kind == kind && entry->value == value &&
			    g_strv_equal((const char *const *)entry->tokens,
			                 (const char *const *)tokens)) {
				entry->languages |= UINT64_C(1) << language;
				g_strfreev(tokens);
				return;
			}
		}
	}
	entry = g_new0(word_entry, 1);
	entry->kind = kind;
	entry->value = value;
	entry->languages = UINT64_C(1) << language;
	entry->tokens = tokens;
	entry->n_tokens = g_strv_length(tokens);
	g_ptr_array_add(words->entries, entry);
	if (bucket == NULL) {
		bucket = g_ptr_array_new();
		g_hash_table_insert(words->by_first, entry->tokens[0], bucket);
	}
	g_ptr_array_add(bucket, entry);
	if (kind_starts(kind))
		g_hash_table_add(words->starts, entry->tokens[0]);
}

/* Folds a phrase from a word file into its words; NULL when it has none. */
static char **
phrase_tokens(const char *phrase)
{
	GArray *tokens = g_array_new(FALSE, FALSE, sizeof(token));
	GString *folded = g_string_new(NULL);
	char **result = NULL;

	when_tokenize(phrase, strlen(phrase), tokens, folded);
	if (tokens->len > 0) {
		result = g_new0(char *, tokens->len + 1);
		for (guint k = 0; k < tokens->len; k++)
			result[k] = g_strdup(folded->str + g_array_index(tokens, token, k).fold);
	}
	g_array_unref(tokens);
	g_string_free(folded, TRUE);
	return result;
}

typedef enum {
	GROUP_NONE,
	GROUP_UNKNOWN,
	GROUP_MONTHS,
	GROUP_WEEKDAYS,
	GROUP_NUMBERS,
	GROUP_DAYS,
	GROUP_UNITS,
	GROUP_RELATIVE,
	GROUP_SYNTAX,
	GROUP_SETTINGS,
} file_group;

static const named_value bare_day_shapes[] = {
    {"ordinal", BARE_DAY_ORDINAL},
    {"marker", BARE_DAY_MARKER},
    {"ordinal-or-marker", BARE_DAY_ORDINAL_OR_MARKER},
    {"marker-and-dot", BARE_DAY_MARKER_AND_DOT},
    {NULL, 0},
};

static const named_value group_names[] = {
    {"months", GROUP_MONTHS}, {"weekdays", GROUP_WEEKDAYS}, {"numbers", GROUP_NUMBERS},
    {"days", GROUP_DAYS},     {"units", GROUP_UNITS},       {"relative", GROUP_RELATIVE},
    {"syntax", GROUP_SYNTAX}, {"settings", GROUP_SETTINGS}, {NULL, 0},
};

static bool
lookup_name(const named_value *table, const char *name, int *value)
{
	for (; table->name != NULL; table++) {
		if (strcmp(table->name, name) == 0) {
			*value = table->value;
			return true;
		}
	}
	return false;
}

/* A key that must be a whole number in [min, max]. */
static bool
parse_key_number(const char *key, int min, int max, int *value)
{
	char *end = NULL;
	long n;

	if (!g_ascii_isdigit(key[0]))
		return false;
	n = strtol(key, &end, 10);
	if (*end != '\0' || n < min || n > max)
		return false;
	*value = (int)n;
	return true;
}

/* Where one word file stands while it is read. */
typedef struct {
	when_words *words;
	guint language;
	const char *path;
	GString *errors;
} file_reader;

static void G_GNUC_PRINTF(3, 4) reader_error(file_reader *r, guint line, const char *fmt, ...)
{
	va_list args;

	g_string_append_printf(r->errors, "%s:%u: ", r->path, line);
	va_start(args, fmt);
	g_string_append_vprintf(r->errors, fmt, args);
	va_end(args);
	g_string_append_c(r->errors, '\n');
}

/* Reads one "key = words" line of a known group. */
static void
reader_key(file_reader *r, guint line, file_group group, const char *key, const char *value)
{
	word_kind kind;
	int number = 0;
	char **items;
	guint listed = 0;

	switch (group) {
	case GROUP_MONTHS:
		kind = WORD_MONTH;
		if (!parse_key_number(key, 1, 12, &number)) {
			reader_error(r, line, "month \"%s\" is not a number from 1 to 12", key);
			return;
		}
		break;
	case GROUP_WEEKDAYS:
		kind = WORD_WEEKDAY;
		if (!parse_key_number(key, 1, 7, &number)) {
			reader_error(r, line, "weekday \"%s\" is not a number from 1 (Monday) to 7",
			             key);
			return;
		}
		break;
	case GROUP_NUMBERS:
		kind = WORD_NUMBER;
		if (!parse_key_number(key, 0, 999, &number)) {
			reader_error(r, line, "number \"%s\" is not a number from 0 to 999", key);
			return;
		}
		break;
	case GROUP_DAYS:
		kind = WORD_DAY;
		if (!parse_key_number(key, 1, 31, &number)) {
			reader_error(r, line, "day \"%s\" is not a number from 1 to 31", key);
			return;
		}
		break;
	case GROUP_UNITS:
		kind = WORD_UNIT;
		if (!lookup_name(unit_names, key, &number)) {
			reader_error(r, line,
			             "unknown unit \"%s\" (day, working-day, week, month, hour)",
			             key);
			return;
		}
		break;
	case GROUP_RELATIVE:
		kind = WORD_RELATIVE;
		if (!lookup_name(relative_names, key, &number)) {
			reader_error(r, line, "unknown relative date \"%s\"", key);
			return;
		}
		break;
	case GROUP_SYNTAX: {
		int k;
		if (!lookup_name(syntax_names, key, &k)) {
			reader_error(r, line, "unknown syntax key \"%s\"", key);
			return;
		}
		kind = (word_kind)k;
		break;
	}
	case GROUP_SETTINGS:
		if (strcmp(key, "bare-day-shape") == 0) {
			if (!lookup_name(bare_day_shapes, value, &number))
				reader_error(r, line,
				             "bare-day-shape is \"%s\", not ordinal, marker, "
				             "ordinal-or-marker or marker-and-dot",
				             value);
			else
				r->words->bare_day[r->language] = (bare_day_shape)number;
		} else if (strcmp(key, "next-weekday") != 0) {
			reader_error(r, line, "unknown setting \"%s\"", key);
		} else if (strcmp(value, "following-week") == 0) {
			r->words->next[r->language] = NEXT_FOLLOWING_WEEK;
		} else if (strcmp(value, "nearest") == 0) {
			r->words->next[r->language] = NEXT_NEAREST;
		} else {
			reader_error(r, line,
			             "next-weekday is \"%s\", not following-week or nearest",
			             value);
		}
		return;
	default:
		return;
	}

	items = g_strsplit(value, ",", -1);
	for (guint k = 0; items[k] != NULL; k++) {
		char *item = g_strstrip(items[k]);
		char **tokens;

		if (item[0] == '\0')
			continue;
		listed++;
		tokens = phrase_tokens(item);
		if (tokens == NULL) {
			reader_error(r, line, "\"%s\" has no letters or digits", item);
			continue;
		}
		words_add(r->words, kind, number, r->language, tokens);
	}
	g_strfreev(items);
	if (listed == 0)
		reader_error(r, line, "\"%s\" lists no words", key);
}

/* Reads one word file; problems are appended to r->errors. */
static void
reader_run(file_reader *r, const char *contents)
{
	char **lines = g_strsplit(contents, "\n", -1);
	file_group group = GROUP_NONE;

	for (guint k = 0; lines[k] != NULL; k++) {
		guint line = k + 1;
		char *text = g_strstrip(lines[k]);
		char *equals;

		if (text[0] == '\0' || text[0] == '#' || text[0] == ';')
			continue;
		if (text[0] == '[') {
			size_t n = strlen(text);
			int g;
			if (text[n - 1] != ']') {
				reader_error(r, line, "group line \"%s\" has no closing ]", text);
				group = GROUP_UNKNOWN;
				continue;
			}
			text[n - 1] = '\0';
			if (lookup_name(group_names, text + 1, &g)) {
				group = (file_group)g;
			} else {
				reader_error(r, line, "unknown group [%s]", text + 1);
				group = GROUP_UNKNOWN;
			}
			continue;
		}
		equals = strchr(text, '=');
		if (equals == NULL) {
			reader_error(r, line, "expected \"key = words\", found \"%s\"", text);
			continue;
		}
		*equals = '\0';
		if (group == GROUP_NONE) {
			reader_error(r, line, "\"%s\" comes before any [group]", g_strstrip(text));
			continue;
		}
		if (group == GROUP_UNKNOWN)
			continue;
		reader_key(r, line, group, g_strstrip(text), g_strstrip(equals + 1));
	}
	g_strfreev(lines);
}

/* A language code names a folder: letters, digits, '-' and '_' only. */
static bool
language_code_valid(const char *code)
{
	if (code[0] == '\0' || strlen(code) > 32)
		return false;
	for (const char *p = code; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

when_words *
when_words_load(const char *const *dirs, const char *const *languages, GError **error)
{
	when_words *words = g_new0(when_words, 1);
	GString *errors = g_string_new(NULL);
	guint n = languages != NULL ? g_strv_length((char **)languages) : 0;

	words->entries = g_ptr_array_new_with_free_func(word_entry_free);
	words->by_first =
	    g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
	words->starts = g_hash_table_new(g_str_hash, g_str_equal);
	if (n == 0 || n > WHEN_MAX_LANGUAGES) {
		g_string_append_printf(errors, "date words: %u languages given, expected 1 to %d\n",
		                       n, WHEN_MAX_LANGUAGES);
		goto fail;
	}
	words->languages = g_strdupv((char **)languages);
	words->n_languages = n;

	for (guint li = 0; li < n; li++) {
		bool found = false;

		/* Following week is the later reading, so it is the safe default
		 * for a language whose file does not say. */
		words->next[li] = NEXT_FOLLOWING_WEEK;
		if (!language_code_valid(languages[li])) {
			g_string_append_printf(
			    errors, "date words: \"%s\" is not a language code\n", languages[li]);
			continue;
		}
		for (guint d = 0; dirs != NULL && dirs[d] != NULL; d++) {
			char *path = g_build_filename(dirs[d], languages[li], "dates", NULL);
			char *contents = NULL;
			GError *local = NULL;

			if (g_file_get_contents(path, &contents, NULL, &local)) {
				file_reader r = {words, li, path, errors};
				found = true;
				if (!g_utf8_validate(contents, -1, NULL))
					g_string_append_printf(errors, "%s: not UTF-8 text\n",
					                       path);
				else
					reader_run(&r, contents);
				g_free(contents);
			} else if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
				g_string_append_printf(errors, "%s: %s\n", path, local->message);
				found = true;
			}
			g_clear_error(&local);
			g_free(path);
		}
		if (!found)
			g_string_append_printf(errors,
			                       "date words: no directory has %s/dates for language "
			                       "\"%s\"\n",
			                       languages[li], languages[li]);
	}
	if (errors->len > 0)
		goto fail;
	g_string_free(errors, TRUE);
	return words;

fail:
	g_string_truncate(errors, errors->len - 1);
	g_set_error(error, DM_ERROR, DM_ERROR_CONFIG, "%s", errors->str);
	g_string_free(errors, TRUE);
	when_words_free(words);
	return NULL;
}
