/*
 * The date resolver.  Three parts: folding and tokenising (shared by the
 * word files and the mail text, so both compare the same way), loading the
 * word files into a table keyed by a phrase's first word, and the matchers
 * that recognise the shapes of date expressions at a token position.
 *
 * A scan is linear: each token position is looked up once per matcher in a
 * hash table, and a matcher looks ahead a bounded number of tokens.
 */
#include "filter/when.h"
#include "common/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHEN_MAX_LANGUAGES 64

/* Upper bounds for "within N <unit>": beyond them the number is not a delay. */
#define WHEN_MAX_DAYS 366
#define WHEN_MAX_WEEKS 52
#define WHEN_MAX_MONTHS 24

/* Years a written date may name; others are invoice numbers or typos. */
#define WHEN_MIN_YEAR 1900
#define WHEN_MAX_YEAR 2199

/* ---------------------------------------------------------------------- */
/* Folding and tokens                                                      */
/* ---------------------------------------------------------------------- */

/* One word or one run of digits, with where it sits in the original text. */
typedef struct {
	uint32_t start, end; /* byte range in the text */
	uint32_t fold;       /* offset of the folded, NUL-terminated form */
	int32_t value;       /* for digits: the number, -1 when longer than 9 digits */
	uint8_t digits;      /* how many digits (capped at 255); 0 for a word */
} token;

/*
 * The characters that have no decomposition but a plain form clients type:
 * the same choices as the rule engine's folding, so that a phrase it
 * captures and the words here agree (German umlauts become ae oe ue).
 */
static const char *
fold_special(gunichar c)
{
	switch (c) {
	case 0x00E4:
		return "ae"; /* ä */
	case 0x00F6:
		return "oe"; /* ö */
	case 0x00FC:
		return "ue"; /* ü */
	case 0x00DF:
		return "ss"; /* ß */
	case 0x1E9E:
		return "ss"; /* ẞ */
	case 0x0142:
		return "l"; /* ł */
	case 0x0111:
		return "d"; /* đ */
	case 0x00F8:
		return "o"; /* ø */
	case 0x00E6:
		return "ae"; /* æ */
	case 0x0153:
		return "oe"; /* œ */
	case 0x0131:
		return "i"; /* dotless ı */
	default:
		return NULL;
	}
}

/* Appends the folded form of one letter: lower case, no diacritics. */
static void
fold_letter(GString *out, gunichar c)
{
	gunichar parts[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
	const char *special;
	gsize n;

	if (c < 0x80) {
		g_string_append_c(out, g_ascii_tolower((char)c));
		return;
	}
	c = g_unichar_tolower(c);
	special = fold_special(c);
	if (special != NULL) {
		g_string_append(out, special);
		return;
	}
	n = g_unichar_fully_decompose(c, TRUE, parts, G_N_ELEMENTS(parts));
	for (gsize k = 0; k < n; k++) {
		if (g_unichar_ismark(parts[k]))
			continue;
		g_string_append_unichar(out, g_unichar_tolower(parts[k]));
	}
}

typedef enum { CLASS_SPACE, CLASS_WORD, CLASS_DIGITS, CLASS_MARK } char_class;

static char_class
classify(gunichar c)
{
	if (c >= '0' && c <= '9')
		return CLASS_DIGITS;
	if (c < 0x80)
		return g_ascii_isalpha((char)c) ? CLASS_WORD : CLASS_SPACE;
	if (g_unichar_ismark(c))
		return CLASS_MARK;
	return g_unichar_isalpha(c) ? CLASS_WORD : CLASS_SPACE;
}

/*
 * Decodes one character at p (length bytes available).  An invalid or cut
 * sequence reads as one byte of U+FFFD, which is neither letter nor digit,
 * so offsets keep pointing into the caller's text.
 */
static gunichar
decode_char(const char *p, size_t length, size_t *size)
{
	unsigned char b = (unsigned char)*p;
	gunichar c;

	if (b < 0x80) {
		*size = 1;
		return b;
	}
	c = g_utf8_get_char_validated(p, (gssize)length);
	if (c == (gunichar)-1 || c == (gunichar)-2) {
		*size = 1;
		return 0xFFFD;
	}
	*size = (size_t)(g_utf8_next_char(p) - p);
	return c;
}

/*
 * Splits text into words and digit runs (a change between letters and
 * digits also splits: "2nd" is "2" + "nd"), appending to tokens and their
 * folded forms to folded.  Combining marks stay inside their word, and a
 * combining diaeresis after a, o or u folds like the precomposed umlaut.
 */
static void
tokenize(const char *text, size_t length, GArray *tokens, GString *folded)
{
	char_class current = CLASS_SPACE;
	token t = {0};
	size_t i = 0, size;

	while (i < length) {
		gunichar c = decode_char(text + i, length - i, &size);
		char_class k = classify(c);

		if (k == CLASS_MARK && current == CLASS_WORD) {
			char last = folded->len > t.fold ? folded->str[folded->len - 1] : 0;
			if (c == 0x0308 && (last == 'a' || last == 'o' || last == 'u'))
				g_string_append_c(folded, 'e');
			t.end = (uint32_t)(i + size);
			i += size;
			continue;
		}
		if (k != current && current != CLASS_SPACE) {
			g_string_append_c(folded, '\0');
			g_array_append_val(tokens, t);
			current = CLASS_SPACE;
		}
		if (k == CLASS_WORD || k == CLASS_DIGITS) {
			if (current == CLASS_SPACE) {
				t.start = (uint32_t)i;
				t.fold = (uint32_t)folded->len;
				t.value = 0;
				t.digits = 0;
				current = k;
			}
			if (k == CLASS_WORD) {
				fold_letter(folded, c);
			} else {
				g_string_append_c(folded, (char)c);
				if (t.digits < 255)
					t.digits++;
				if (t.value >= 0)
					t.value =
					    t.digits > 9 ? -1 : t.value * 10 + (int32_t)(c - '0');
			}
			t.end = (uint32_t)(i + size);
		}
		i += size;
	}
	if (current != CLASS_SPACE) {
		g_string_append_c(folded, '\0');
		g_array_append_val(tokens, t);
	}
}

/* ---------------------------------------------------------------------- */
/* Words                                                                   */
/* ---------------------------------------------------------------------- */

typedef enum {
	WORD_MONTH,
	WORD_WEEKDAY,
	WORD_NUMBER,
	WORD_UNIT,
	WORD_RELATIVE,
	WORD_WITHIN,
	WORD_FILLER,
	WORD_ORDINAL,
	WORD_DAY_MONTH,
	WORD_NEXT,
	WORD_NEXT_AFTER,
	WORD_LAST,
	WORD_LAST_AFTER,
	WORD_BEGINNING_OF,
	WORD_MID_OF,
	WORD_END_OF,
	WORD_PREFIX,
	WORD_IGNORE,
} word_kind;

typedef enum { UNIT_DAY, UNIT_WORKING_DAY, UNIT_WEEK, UNIT_MONTH } unit_kind;

typedef enum {
	REL_TODAY,
	REL_TOMORROW,
	REL_DAY_AFTER_TOMORROW,
	REL_YESTERDAY,
	REL_DAY_BEFORE_YESTERDAY,
	REL_THIS_WEEK,
	REL_NEXT_WEEK,
	REL_BEGINNING_OF_MONTH,
	REL_BEGINNING_OF_NEXT_MONTH,
	REL_MID_MONTH,
	REL_MID_NEXT_MONTH,
	REL_END_OF_MONTH,
	REL_END_OF_NEXT_MONTH,
	REL_END_OF_YEAR,
	REL_IN_ONE_WEEK,
	REL_IN_ONE_MONTH,
} relative_kind;

typedef struct {
	const char *name;
	int value;
} named_value;

static const named_value unit_names[] = {
    {"day", UNIT_DAY},   {"working-day", UNIT_WORKING_DAY},
    {"week", UNIT_WEEK}, {"month", UNIT_MONTH},
    {NULL, 0},
};

static const named_value relative_names[] = {
    {"today", REL_TODAY},
    {"tomorrow", REL_TOMORROW},
    {"day-after-tomorrow", REL_DAY_AFTER_TOMORROW},
    {"yesterday", REL_YESTERDAY},
    {"day-before-yesterday", REL_DAY_BEFORE_YESTERDAY},
    {"this-week", REL_THIS_WEEK},
    {"next-week", REL_NEXT_WEEK},
    {"beginning-of-month", REL_BEGINNING_OF_MONTH},
    {"beginning-of-next-month", REL_BEGINNING_OF_NEXT_MONTH},
    {"mid-month", REL_MID_MONTH},
    {"mid-next-month", REL_MID_NEXT_MONTH},
    {"end-of-month", REL_END_OF_MONTH},
    {"end-of-next-month", REL_END_OF_NEXT_MONTH},
    {"end-of-year", REL_END_OF_YEAR},
    {"in-one-week", REL_IN_ONE_WEEK},
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
    {"last", WORD_LAST},
    {"last-after", WORD_LAST_AFTER},
    {"beginning-of", WORD_BEGINNING_OF},
    {"mid-of", WORD_MID_OF},
    {"end-of", WORD_END_OF},
    {"prefix", WORD_PREFIX},
    {"ignore", WORD_IGNORE},
    {NULL, 0},
};

/* What "next Friday" means in a language. */
typedef enum {
	NEXT_FOLLOWING_WEEK, /* the Friday of the week after the anchor's */
	NEXT_NEAREST,        /* the first Friday after the anchor */
} next_rule;

/* One phrase of a word file, with every language that lists it. */
typedef struct {
	word_kind kind;
	int value;
	uint64_t languages;
	guint n_tokens;
	char **tokens; /* folded words, NULL-terminated */
} word_entry;

struct when_words {
	char **languages; /* the codes, in load order */
	guint n_languages;
	next_rule next[WHEN_MAX_LANGUAGES];
	GPtrArray *entries;   /* owns every word_entry */
	GHashTable *by_first; /* first folded word -> GPtrArray of word_entry */
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
	g_ptr_array_unref(words->entries);
	g_strfreev(words->languages);
	g_free(words);
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
}

/* Folds a phrase from a word file into its words; NULL when it has none. */
static char **
phrase_tokens(const char *phrase)
{
	GArray *tokens = g_array_new(FALSE, FALSE, sizeof(token));
	GString *folded = g_string_new(NULL);
	char **result = NULL;

	tokenize(phrase, strlen(phrase), tokens, folded);
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
	GROUP_UNITS,
	GROUP_RELATIVE,
	GROUP_SYNTAX,
	GROUP_SETTINGS,
} file_group;

static const named_value group_names[] = {
    {"months", GROUP_MONTHS},     {"weekdays", GROUP_WEEKDAYS},
    {"numbers", GROUP_NUMBERS},   {"units", GROUP_UNITS},
    {"relative", GROUP_RELATIVE}, {"syntax", GROUP_SYNTAX},
    {"settings", GROUP_SETTINGS}, {NULL, 0},
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
	case GROUP_UNITS:
		kind = WORD_UNIT;
		if (!lookup_name(unit_names, key, &number)) {
			reader_error(r, line, "unknown unit \"%s\" (day, working-day, week, month)",
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
		if (strcmp(key, "next-weekday") != 0) {
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

/* ---------------------------------------------------------------------- */
/* Scanning                                                                */
/* ---------------------------------------------------------------------- */

typedef struct {
	const when_words *words;
	uint64_t mask; /* the languages whose words count */
	const char *text;
	size_t length;
	const token *tokens;
	guint n;
	const char *folded;
	dm_date anchor;
	char anchor_iso[DM_DATE_ISO_SIZE];
} scan;

/* A date expression found at a position. */
typedef struct {
	dm_date date;
	guint end; /* one past its last token */
	char *how; /* owned: the reasoning, for explain */
} candidate;

static const char *
tok_text(const scan *s, guint i)
{
	return s->folded + s->tokens[i].fold;
}

static bool
tok_is_digits(const scan *s, guint i)
{
	return i < s->n && s->tokens[i].digits > 0;
}

/* The character just before byte offset at, or 0 at the start. */
static gunichar
char_before(const scan *s, size_t at)
{
	const char *p;
	size_t size;

	if (at == 0)
		return 0;
	p = g_utf8_find_prev_char(s->text, s->text + at);
	if (p == NULL)
		return 0;
	return decode_char(p, s->length - (size_t)(p - s->text), &size);
}

/* The character at byte offset at, or 0 at the end. */
static gunichar
char_at(const scan *s, size_t at)
{
	size_t size;

	if (at >= s->length)
		return 0;
	return decode_char(s->text + at, s->length - at, &size);
}

/* Is the text between tokens i-1 and i nothing at all? */
static bool
gap_empty(const scan *s, guint i)
{
	return s->tokens[i - 1].end == s->tokens[i].start;
}

/* Is the gap before token i exactly the one ASCII character c? */
static bool
gap_is_char(const scan *s, guint i, char c)
{
	return s->tokens[i].start == s->tokens[i - 1].end + 1 && s->text[s->tokens[i - 1].end] == c;
}

/*
 * Is the gap before token i made of spaces, and, when allowed, of one
 * punctuation mark from marks (e.g. "3. Dezember", "December 2, 2026")?
 * At least one space is required, so "3.12" never reads as words.
 */
static bool
gap_spaced(const scan *s, guint i, const char *marks)
{
	size_t at = s->tokens[i - 1].end, end = s->tokens[i].start, size;
	bool space = false, mark = false;

	while (at < end) {
		gunichar c = decode_char(s->text + at, end - at, &size);
		if (g_unichar_isspace(c)) {
			space = true;
		} else if (!mark && !space && c < 0x80 && marks != NULL && strchr(marks, (int)c)) {
			mark = true;
		} else {
			return false;
		}
		at += size;
	}
	return space;
}

/* Inside a phrase: words separated by spaces, hyphens or apostrophes only. */
static bool
gap_soft(const scan *s, guint i)
{
	size_t at = s->tokens[i - 1].end, end = s->tokens[i].start, size;

	while (at < end) {
		gunichar c = decode_char(s->text + at, end - at, &size);
		if (!g_unichar_isspace(c) && c != '-' && c != '\'' && c != 0x2019 && c != 0x2018 &&
		    c != 0x2010 && c != 0x2011 && c != 0x2013 && c != 0x00AD)
			return false;
		at += size;
	}
	return true;
}

/*
 * Is token i glued to what comes before it, so that it is part of an
 * identifier, an amount or a phone number ("INV-2026", "#12", "+48")?
 */
static bool
glued_before(const scan *s, guint i)
{
	gunichar c = char_before(s, s->tokens[i].start);

	if (c == 0)
		return false;
	if (g_unichar_isalnum(c) || g_unichar_ismark(c))
		return true;
	return c < 0x80 ? strchr("#+-./,\\_@&=*$%", (int)c) != NULL
	                : (c == 0x2116 || c == 0x20AC || c == 0x00A3); /* № € £ */
}

/* Is digit token i followed, without a space, by more digits ("3.5", "12:30")? */
static bool
glued_digits_after(const scan *s, guint i)
{
	return i + 1 < s->n && tok_is_digits(s, i + 1) &&
	       s->tokens[i + 1].start - s->tokens[i].end <= 1;
}

/* The longest phrase of kind at token i: its length in tokens, 0 for none. */
static guint
match_word(const scan *s, guint i, word_kind kind, const word_entry **found)
{
	GPtrArray *bucket;
	guint best = 0;

	if (i >= s->n)
		return 0;
	bucket = g_hash_table_lookup(s->words->by_first, tok_text(s, i));
	if (bucket == NULL)
		return 0;
	for (guint k = 0; k < bucket->len; k++) {
		const word_entry *e = g_ptr_array_index(bucket, k);
		guint t;

		if (e->kind != kind || (e->languages & s->mask) == 0 || e->n_tokens <= best ||
		    i + e->n_tokens > s->n)
			continue;
		for (t = 1; t < e->n_tokens; t++)
			if (!gap_soft(s, i + t) || strcmp(tok_text(s, i + t), e->tokens[t]) != 0)
				break;
		if (t == e->n_tokens) {
			best = e->n_tokens;
			if (found != NULL)
				*found = e;
		}
	}
	return best;
}

/* A small count at token i, in digits or words: tokens used, 0 for none. */
static guint
match_count(const scan *s, guint i, int *value)
{
	const word_entry *e;
	guint len;

	if (tok_is_digits(s, i)) {
		if (s->tokens[i].digits > 3 || glued_digits_after(s, i))
			return 0;
		*value = s->tokens[i].value;
		return 1;
	}
	len = match_word(s, i, WORD_NUMBER, &e);
	if (len > 0)
		*value = e->value;
	return len;
}

/* A day of the month in digits at token i, not part of a longer number. */
static bool
day_number(const scan *s, guint i, int *day)
{
	if (!tok_is_digits(s, i) || s->tokens[i].digits > 2 || s->tokens[i].value < 1 ||
	    s->tokens[i].value > 31 || glued_digits_after(s, i))
		return false;
	*day = s->tokens[i].value;
	return true;
}

/* A four-digit year after a date, separated by spaces or ", ". */
static bool
year_after(const scan *s, guint i, int *year)
{
	if (!tok_is_digits(s, i) || s->tokens[i].digits != 4 || !gap_spaced(s, i, ",.") ||
	    glued_digits_after(s, i))
		return false;
	if (s->tokens[i].value < WHEN_MIN_YEAR || s->tokens[i].value > WHEN_MAX_YEAR)
		return false;
	*year = s->tokens[i].value;
	return true;
}

/*
 * The occurrence of day/month nearest to the anchor, past or future (a tie
 * goes to the future).  False when the day does not exist in any
 * candidate year (29 February far from a leap year).
 */
static bool
nearest_date(dm_date anchor, int month, int day, dm_date *date)
{
	int year, m, d;
	bool found = false;

	dm_date_to_ymd(anchor, &year, &m, &d);
	for (int y = year - 1; y <= year + 1; y++) {
		dm_date candidate_date;
		if (!dm_date_valid_ymd(y, month, day))
			continue;
		candidate_date = dm_date_from_ymd(y, month, day);
		if (!found || abs(candidate_date - anchor) < abs(*date - anchor) ||
		    (abs(candidate_date - anchor) == abs(*date - anchor) &&
		     candidate_date > *date)) {
			*date = candidate_date;
			found = true;
		}
	}
	return found;
}

/* Fills c for a day/month with an optional year (0 = nearest to the anchor). */
static bool
resolve_day_month(const scan *s, int year, int month, int day, guint end, candidate *c)
{
	if (year != 0) {
		if (!dm_date_valid_ymd(year, month, day))
			return false;
		c->date = dm_date_from_ymd(year, month, day);
		c->how = g_strdup_printf("day %d, month %d, year %d", day, month, year);
	} else {
		if (!nearest_date(s->anchor, month, day, &c->date))
			return false;
		c->how = g_strdup_printf("day %d, month %d, the year nearest to %s", day, month,
		                         s->anchor_iso);
	}
	c->end = end;
	return true;
}

/*
 * Dates in digits: yyyy-mm-dd, dd.mm.yyyy, dd/mm/yyyy, dd-mm-yyyy,
 * dd.mm.yy, dd/mm/yy, dd/mm and d.m. (with its final dot).  The whole run
 * of digits and separators must be one of these, so amounts, invoice
 * numbers and phone numbers are not cut into dates.
 */
static bool
match_numeric(const scan *s, guint i, candidate *c)
{
	const token *t[3];
	guint parts = 1, j = i;
	char sep = 0;
	gunichar after;
	bool final_dot;
	int day, month, year = 0;

	if (!tok_is_digits(s, i) || glued_before(s, i))
		return false;
	t[0] = &s->tokens[i];
	while (j + 1 < s->n && tok_is_digits(s, j + 1) &&
	       s->tokens[j + 1].start == s->tokens[j].end + 1) {
		char here = s->text[s->tokens[j].end];
		if (strchr(".-/,:", here) == NULL)
			break;
		/* After a full date the run may go on ("01.12.2026-05.12.2026"
		 * is a range); before it, a change of separator is an amount
		 * ("1.250,00") or a reference. */
		if (parts == 3) {
			if (here == '-' && sep != '-')
				break;
			return false;
		}
		if (sep != 0 && here != sep)
			return false;
		sep = here;
		t[parts++] = &s->tokens[++j];
	}
	if (parts == 1)
		return false;
	if (sep != '.' && sep != '-' && sep != '/')
		return false;
	after = char_at(s, t[parts - 1]->end);
	final_dot = after == '.';
	/* A letter glued to the end ("2026-12-03T10:00", "3.12.2026r.") is
	 * fine after a full date, but "12/5pm" is no date. */
	if (parts < 3 && (g_unichar_isalnum(after) ||
	                  (after != 0 && after < 0x80 && strchr("%/-", (int)after) != NULL)))
		return false;

	if (parts == 3 && sep == '-' && t[0]->digits == 4) {
		/* ISO yyyy-mm-dd, strict about the digit counts. */
		if (t[1]->digits != 2 || t[2]->digits != 2)
			return false;
		year = t[0]->value;
		month = t[1]->value;
		day = t[2]->value;
	} else {
		if (t[0]->digits > 2 || t[1]->digits > 2)
			return false;
		day = t[0]->value;
		month = t[1]->value;
		if (parts == 3) {
			if (t[2]->digits == 4)
				year = t[2]->value;
			else if (t[2]->digits == 2 && sep != '-')
				year = 2000 + t[2]->value;
			else
				return false;
		} else if (sep == '/') {
			/* "1/2", "3/4" are fractions and "24/7" is a slogan. */
			if ((t[0]->digits == 1 && t[1]->digits == 1 && day < month) ||
			    (day == 24 && month == 7 && t[1]->digits == 1))
				return false;
		} else if (sep != '.' || !final_dot) {
			/* "12.50" is an amount and "5-10" a range. */
			return false;
		}
	}
	if (year != 0 && (year < WHEN_MIN_YEAR || year > WHEN_MAX_YEAR))
		return false;
	return resolve_day_month(s, year, month, day, j + 1, c);
}

/* "2 December", "2nd of December 2026", "3. Dezember", "4-ти декември", "1er décembre". */
static bool
match_day_month(const scan *s, guint i, candidate *c)
{
	const word_entry *e;
	guint j = i + 1, len;
	int day, month, year = 0;

	if (!day_number(s, i, &day) || glued_before(s, i) || j >= s->n)
		return false;
	/* An ordinal suffix is glued to the number or joined by a hyphen. */
	if ((gap_empty(s, j) || gap_is_char(s, j, '-')) &&
	    (len = match_word(s, j, WORD_ORDINAL, NULL)) > 0)
		j += len;
	if (j >= s->n || !gap_spaced(s, j, "."))
		return false;
	if ((len = match_word(s, j, WORD_DAY_MONTH, NULL)) > 0) {
		j += len;
		if (j >= s->n || !gap_spaced(s, j, NULL))
			return false;
	}
	if ((len = match_word(s, j, WORD_MONTH, &e)) == 0)
		return false;
	month = e->value;
	j += len;
	if (year_after(s, j, &year)) {
		j++;
	} else if ((len = match_word(s, j, WORD_DAY_MONTH, NULL)) > 0 && gap_spaced(s, j, NULL) &&
	           year_after(s, j + len, &year)) {
		/* Spanish "4 de diciembre de 2026". */
		j += len + 1;
	}
	return resolve_day_month(s, year, month, day, j, c);
}

/* "December 2", "Dec. 2nd, 2026". */
static bool
match_month_day(const scan *s, guint i, candidate *c)
{
	const word_entry *e;
	guint j, len;
	int day, month, year = 0;

	if ((len = match_word(s, i, WORD_MONTH, &e)) == 0)
		return false;
	month = e->value;
	j = i + len;
	if (j >= s->n || !gap_spaced(s, j, ".") || !day_number(s, j, &day))
		return false;
	j++;
	if (j < s->n && gap_empty(s, j) && (len = match_word(s, j, WORD_ORDINAL, NULL)) > 0)
		j += len;
	else if (j < s->n && gap_empty(s, j))
		return false;
	/* Romanian "mai 2 zile" is "2 more days", not 2 May. */
	if (j < s->n && match_word(s, j, WORD_UNIT, NULL) > 0)
		return false;
	if (year_after(s, j, &year))
		j++;
	return resolve_day_month(s, year, month, day, j, c);
}

/* "end of December", "połowa grudnia", "Anfang Dezember", "mi-décembre". */
static bool
match_month_part(const scan *s, guint i, candidate *c)
{
	static const struct {
		word_kind kind;
		const char *name;
	} parts[] = {{WORD_BEGINNING_OF, "early"}, {WORD_MID_OF, "middle"}, {WORD_END_OF, "end"}};
	const word_entry *e;
	guint j = 0, len = 0, part;
	int month, day, year = 0, y, m, d;

	for (part = 0; part < G_N_ELEMENTS(parts); part++)
		if ((len = match_word(s, i, parts[part].kind, NULL)) > 0)
			break;
	if (len == 0)
		return false;
	j = i + len;
	if (j < s->n && gap_soft(s, j) && (len = match_word(s, j, WORD_DAY_MONTH, NULL)) > 0)
		j += len;
	if (j >= s->n || !gap_soft(s, j) || (len = match_word(s, j, WORD_MONTH, &e)) == 0)
		return false;
	month = e->value;
	j += len;
	if (year_after(s, j, &year))
		j++;
	/* The last day of the month depends on the year, so find the year
	 * from the month's middle first. */
	if (year == 0) {
		if (!nearest_date(s->anchor, month, 15, &c->date))
			return false;
		dm_date_to_ymd(c->date, &y, &m, &d);
	} else {
		y = year;
	}
	day = part == 0 ? 10 : part == 1 ? 15 : dm_date_days_in_month(y, month);
	c->date = dm_date_from_ymd(y, month, day);
	c->how = g_strdup_printf("%s of month %d (day %d), %s", parts[part].name, month, day,
	                         year != 0 ? "year given" : "the year nearest to the anchor");
	c->end = j;
	return true;
}

/* "within 5 working days", "w ciągu 3 dni", "in two weeks", "sous 5 jours ouvrés". */
static bool
match_quantity(const scan *s, guint i, candidate *c)
{
	const word_entry *e;
	guint j, len;
	int count = 0;

	if ((len = match_word(s, i, WORD_WITHIN, NULL)) == 0)
		return false;
	j = i + len;
	for (int k = 0; k < 3 && j < s->n && gap_soft(s, j); k++) {
		if ((len = match_word(s, j, WORD_FILLER, NULL)) == 0)
			break;
		j += len;
	}
	if (j >= s->n || !gap_soft(s, j) || (len = match_count(s, j, &count)) == 0)
		return false;
	j += len;
	if (j >= s->n || !gap_soft(s, j) || (len = match_word(s, j, WORD_UNIT, &e)) == 0)
		return false;
	j += len;
	switch ((unit_kind)e->value) {
	case UNIT_DAY:
		if (count > WHEN_MAX_DAYS)
			return false;
		c->date = s->anchor + count;
		c->how = g_strdup_printf("%s + %d days", s->anchor_iso, count);
		break;
	case UNIT_WORKING_DAY:
		if (count > WHEN_MAX_DAYS)
			return false;
		c->date = dm_date_add_working_days(s->anchor, count, NULL, 0);
		c->how = g_strdup_printf("%s + %d working days (Monday to Friday)", s->anchor_iso,
		                         count);
		break;
	case UNIT_WEEK:
		if (count > WHEN_MAX_WEEKS)
			return false;
		c->date = s->anchor + 7 * count;
		c->how = g_strdup_printf("%s + %d weeks", s->anchor_iso, count);
		break;
	case UNIT_MONTH:
		if (count > WHEN_MAX_MONTHS)
			return false;
		c->date = dm_date_add_months(s->anchor, count);
		c->how = g_strdup_printf("%s + %d months", s->anchor_iso, count);
		break;
	}
	c->end = j;
	return true;
}

/* The Friday of the week (Monday to Sunday) that holds date. */
static dm_date
week_friday(dm_date date)
{
	return date - (dm_date_weekday(date) - 1) + 4;
}

/* Day 10 or 15 of the month that holds date, or of the next if it has passed. */
static dm_date
month_day_ahead(dm_date date, int day)
{
	dm_date start = dm_date_month_start(date);

	if (date - start + 1 > day)
		start = dm_date_add_months(start, 1);
	return start + day - 1;
}

static void
resolve_relative(const scan *s, relative_kind kind, candidate *c)
{
	static const char *const names[] = {
	    "today",
	    "tomorrow",
	    "the day after tomorrow",
	    "yesterday",
	    "the day before yesterday",
	    "Friday of this week",
	    "Friday of next week",
	    "day 10 of this month or the next",
	    "day 10 of next month",
	    "day 15 of this month or the next",
	    "day 15 of next month",
	    "last day of the month",
	    "last day of next month",
	    "31 December",
	    "one week later",
	    "one month later",
	};
	dm_date a = s->anchor, next_month = dm_date_add_months(dm_date_month_start(a), 1);
	int y, m, d;

	dm_date_to_ymd(a, &y, &m, &d);
	switch (kind) {
	case REL_TODAY:
		c->date = a;
		break;
	case REL_TOMORROW:
		c->date = a + 1;
		break;
	case REL_DAY_AFTER_TOMORROW:
		c->date = a + 2;
		break;
	case REL_YESTERDAY:
		c->date = a - 1;
		break;
	case REL_DAY_BEFORE_YESTERDAY:
		c->date = a - 2;
		break;
	case REL_THIS_WEEK:
		c->date = MAX(a, week_friday(a));
		break;
	case REL_NEXT_WEEK:
		c->date = week_friday(a) + 7;
		break;
	case REL_BEGINNING_OF_MONTH:
		c->date = month_day_ahead(a, 10);
		break;
	case REL_BEGINNING_OF_NEXT_MONTH:
		c->date = next_month + 9;
		break;
	case REL_MID_MONTH:
		c->date = month_day_ahead(a, 15);
		break;
	case REL_MID_NEXT_MONTH:
		c->date = next_month + 14;
		break;
	case REL_END_OF_MONTH:
		c->date = dm_date_month_end(a);
		break;
	case REL_END_OF_NEXT_MONTH:
		c->date = dm_date_month_end(next_month);
		break;
	case REL_END_OF_YEAR:
		c->date = dm_date_from_ymd(y, 12, 31);
		break;
	case REL_IN_ONE_WEEK:
		c->date = a + 7;
		break;
	case REL_IN_ONE_MONTH:
		c->date = dm_date_add_months(a, 1);
		break;
	}
	c->how = g_strdup_printf("%s from %s", names[kind], s->anchor_iso);
}

/* "tomorrow", "pojutrze", "la fin du mois", "beginning of next month". */
static bool
match_relative(const scan *s, guint i, candidate *c)
{
	const word_entry *e;
	guint len = match_word(s, i, WORD_RELATIVE, &e);

	if (len == 0)
		return false;
	resolve_relative(s, (relative_kind)e->value, c);
	c->end = i + len;
	return true;
}

/* The lowest language of an entry among those the scan uses. */
static guint
entry_language(const scan *s, const word_entry *e)
{
	uint64_t bits = e->languages & s->mask;
	guint k = 0;

	while (k + 1 < WHEN_MAX_LANGUAGES && (bits & (UINT64_C(1) << k)) == 0)
		k++;
	return k;
}

static bool match_date(const scan *s, guint i, candidate *c);

/* Is token i "next week" (which turns a weekday into next week's)? */
static guint
match_next_week(const scan *s, guint i)
{
	const word_entry *e;
	guint len = match_word(s, i, WORD_RELATIVE, &e);

	return len > 0 && e->value == REL_NEXT_WEEK ? len : 0;
}

/* A weekday name at token i, after a modifier: its length, 0 for none. */
static guint
weekday_at(const scan *s, guint i, const word_entry **e)
{
	if (i >= s->n || !gap_soft(s, i))
		return 0;
	return match_word(s, i, WORD_WEEKDAY, e);
}

typedef enum {
	WEEKDAY_ON_OR_AFTER,
	WEEKDAY_NEXT,
	WEEKDAY_FOLLOWING_WEEK,
	WEEKDAY_LAST
} weekday_mode;

/*
 * "by Friday", "do piątku", "next Monday", "vendredi prochain", "Friday
 * next week", "last Tuesday"; "Friday, 4 December" is the date.
 */
static bool
match_weekday(const scan *s, guint i, candidate *c)
{
	const word_entry *e = NULL, *modifier = NULL;
	weekday_mode mode = WEEKDAY_ON_OR_AFTER;
	guint j, len, wlen;
	int weekday, wa = dm_date_weekday(s->anchor);
	const char *how;

	/* A modifier before the weekday: the longest reading that is followed
	 * by a weekday ("next week Friday" is not "next" + "week"). */
	if ((len = match_next_week(s, i)) > 0 && (wlen = weekday_at(s, i + len, &e)) > 0) {
		mode = WEEKDAY_FOLLOWING_WEEK;
	} else if ((len = match_word(s, i, WORD_NEXT, &modifier)) > 0 &&
	           (wlen = weekday_at(s, i + len, &e)) > 0) {
		mode = WEEKDAY_NEXT;
	} else if ((len = match_word(s, i, WORD_LAST, &modifier)) > 0 &&
	           (wlen = weekday_at(s, i + len, &e)) > 0) {
		mode = WEEKDAY_LAST;
	} else {
		len = 0;
		if ((wlen = match_word(s, i, WORD_WEEKDAY, &e)) == 0)
			return false;
		/* After a number it is something else: Romanian "2 luni" is two
		 * months. */
		if (i > 0 && gap_soft(s, i) &&
		    (tok_is_digits(s, i - 1) || match_word(s, i - 1, WORD_NUMBER, NULL) == 1))
			return false;
	}
	weekday = e->value;
	j = i + len + wlen;

	if (j < s->n && gap_spaced(s, j, ",")) {
		candidate date = {0};
		guint k = j + match_word(s, j, WORD_PREFIX, NULL);
		/* "Freitag, den 4.12.", "vendredi le 4 décembre". */
		if (k < s->n && (k == j || gap_soft(s, k)) && match_date(s, k, &date)) {
			c->date = date.date;
			c->end = date.end;
			c->how = g_strdup_printf("the date after the weekday: %s", date.how);
			g_free(date.how);
			return true;
		}
	}
	if (mode == WEEKDAY_ON_OR_AFTER && j < s->n && gap_soft(s, j)) {
		if ((len = match_word(s, j, WORD_NEXT_AFTER, &modifier)) > 0) {
			mode = WEEKDAY_NEXT;
			j += len;
		} else if ((len = match_word(s, j, WORD_LAST_AFTER, &modifier)) > 0) {
			mode = WEEKDAY_LAST;
			j += len;
		} else if ((len = match_next_week(s, j)) > 0) {
			mode = WEEKDAY_FOLLOWING_WEEK;
			j += len;
		}
	}
	if (mode == WEEKDAY_NEXT &&
	    s->words->next[entry_language(s, modifier)] == NEXT_FOLLOWING_WEEK)
		mode = WEEKDAY_FOLLOWING_WEEK;

	switch (mode) {
	case WEEKDAY_ON_OR_AFTER:
		c->date = s->anchor + (weekday - wa + 7) % 7;
		how = "on or after";
		break;
	case WEEKDAY_NEXT:
		c->date = s->anchor + (weekday - wa + 6) % 7 + 1;
		how = "first after";
		break;
	case WEEKDAY_FOLLOWING_WEEK:
		c->date = s->anchor - (wa - 1) + 7 + (weekday - 1);
		how = "in the week after the week of";
		break;
	case WEEKDAY_LAST:
	default:
		c->date = s->anchor - (wa - weekday + 6) % 7 - 1;
		how = "last before";
		break;
	}
	c->how = g_strdup_printf("weekday %d %s %s", weekday, how, s->anchor_iso);
	c->end = j;
	return true;
}

/* Keeps the candidate that reaches further; frees the other's text. */
static void
keep_longer(candidate *best, candidate *next)
{
	if (next->how == NULL)
		return;
	if (best->how == NULL || next->end > best->end) {
		g_free(best->how);
		*best = *next;
	} else {
		g_free(next->how);
	}
	next->how = NULL;
}

/* The dates a weekday may be followed by: written dates only. */
static bool
match_date(const scan *s, guint i, candidate *c)
{
	candidate best = {0}, next = {0};

	if (match_numeric(s, i, &next))
		keep_longer(&best, &next);
	if (match_day_month(s, i, &next))
		keep_longer(&best, &next);
	if (match_month_day(s, i, &next))
		keep_longer(&best, &next);
	*c = best;
	return best.how != NULL;
}

/* Every shape at token i; the longest wins, the first tried on a tie. */
static bool
match_at(const scan *s, guint i, candidate *c)
{
	candidate best = {0}, next = {0};

	if (match_date(s, i, &next))
		keep_longer(&best, &next);
	if (match_month_part(s, i, &next))
		keep_longer(&best, &next);
	if (match_quantity(s, i, &next))
		keep_longer(&best, &next);
	if (match_relative(s, i, &next))
		keep_longer(&best, &next);
	if (match_weekday(s, i, &next))
		keep_longer(&best, &next);
	*c = best;
	return best.how != NULL;
}

/*
 * Does an expression ending before token end run into it without a gap?
 * A date in digits may be followed by letters ("2026-12-03T10:00",
 * "3.12.2026r."); a word may not ("Friday13").
 */
static bool
glued_after(const scan *s, guint end)
{
	return end < s->n && gap_empty(s, end) && !tok_is_digits(s, end - 1);
}

/* Scans the tokens for the first expression: its first token, or n. */
static guint
scan_first(const scan *s, candidate *c)
{
	for (guint i = 0; i < s->n; i++) {
		candidate here = {0};
		guint ignore, prefix;

		/* Most words start nothing: one lookup rules them out. */
		if (!tok_is_digits(s, i) &&
		    !g_hash_table_contains(s->words->by_first, tok_text(s, i)))
			continue;
		/* A word glued to digits is an identifier ("Vendredi13"). */
		if (i > 0 && gap_empty(s, i))
			continue;
		ignore = match_word(s, i, WORD_IGNORE, NULL);
		prefix = match_word(s, i, WORD_PREFIX, NULL);
		if (prefix > 0 && i + prefix < s->n && gap_soft(s, i + prefix) &&
		    match_at(s, i + prefix, &here)) {
			if (i + ignore < here.end && !glued_after(s, here.end)) {
				*c = here;
				return i;
			}
			g_free(here.how);
			here.how = NULL;
		}
		if (match_at(s, i, &here)) {
			if (i + ignore < here.end && !glued_after(s, here.end)) {
				*c = here;
				return i;
			}
			g_free(here.how);
		}
		if (ignore > 0)
			i += ignore - 1;
	}
	return s->n;
}

static guint
language_index(const when_words *words, const char *language, bool *found)
{
	for (guint k = 0; k < words->n_languages; k++) {
		if (strcmp(words->languages[k], language) == 0) {
			*found = true;
			return k;
		}
	}
	*found = false;
	return 0;
}

bool
when_find(const when_words *words, const char *language, const char *text, dm_date anchor,
          when_match *match, char **explain)
{
	GArray *tokens;
	GString *folded;
	scan s = {0};
	candidate c = {0};
	guint first;
	bool found = false;

	if (words == NULL || text == NULL)
		return false;
	if (language != NULL) {
		bool known;
		guint k = language_index(words, language, &known);
		if (!known)
			return false;
		s.mask = UINT64_C(1) << k;
	} else {
		s.mask =
		    words->n_languages >= 64 ? UINT64_MAX : (UINT64_C(1) << words->n_languages) - 1;
	}
	s.words = words;
	s.text = text;
	s.length = strnlen(text, WHEN_SCAN_LIMIT);
	s.anchor = anchor;
	dm_date_format_iso(anchor, s.anchor_iso);

	tokens = g_array_new(FALSE, FALSE, sizeof(token));
	folded = g_string_sized_new(s.length + 16);
	tokenize(text, s.length, tokens, folded);
	s.tokens = (const token *)(void *)tokens->data;
	s.n = tokens->len;
	s.folded = folded->str;

	first = scan_first(&s, &c);
	if (first < s.n) {
		size_t start = s.tokens[first].start, end = s.tokens[c.end - 1].end;
		char iso[DM_DATE_ISO_SIZE];

		found = true;
		if (match != NULL) {
			match->date = c.date;
			match->start = start;
			match->end = end;
		}
		if (explain != NULL) {
			/* The span may hold invalid bytes between its words. */
			char *quoted = g_utf8_make_valid(text + start, (gssize)(end - start));
			*explain = g_strdup_printf("\"%s\" -> %s -> %s", quoted, c.how,
			                           dm_date_format_iso(c.date, iso));
			g_free(quoted);
		}
		g_free(c.how);
	}
	g_array_unref(tokens);
	g_string_free(folded, TRUE);
	return found;
}

bool
when_resolve(const when_words *words, const char *text, dm_date anchor, dm_date *date,
             char **explain)
{
	when_match match;

	if (!when_find(words, NULL, text, anchor, &match, explain))
		return false;
	if (date != NULL)
		*date = match.date;
	return true;
}
