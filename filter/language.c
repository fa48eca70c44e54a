/*
 * Text folding and stop-word language detection.  See language.h.
 */
#include "filter/language.h"

#include <string.h>

#include "common/util.h"

/* A language's bit in a word's mask: at most this many profiles. */
#define LANGUAGE_MAX 32

/*
 * Below this many profile words in the text the guess is noise ("OK",
 * "Thanks!"), so language_detect() says it cannot tell.
 */
#define LANGUAGE_MIN_WORD_HITS 2

/* Letter evidence helps but cannot decide alone: its score is capped. */
#define LANGUAGE_LETTER_WEIGHT 0.5
#define LANGUAGE_LETTER_CAP 2.0

struct language_profiles {
	GPtrArray *codes;     /* char *, index = bit number */
	GHashTable *words;    /* folded lower-case word -> GUINT_TO_POINTER(mask) */
	GHashTable *letters;  /* GUINT_TO_POINTER(gunichar) -> GUINT_TO_POINTER(mask) */
};

/*
 * Replacements that Unicode decomposition does not give, or gives in a
 * form clients do not type: German umlauts are written ae/oe/ue without an
 * umlaut keyboard, and letters such as ł have no decomposition at all.
 */
static const char *
fold_special(gunichar c)
{
	switch (c) {
	case 0x00DF: return "ss"; /* ß */
	case 0x1E9E: return "SS"; /* capital ß */
	case 0x00E4: return "ae"; /* ä */
	case 0x00C4: return "Ae";
	case 0x00F6: return "oe"; /* ö */
	case 0x00D6: return "Oe";
	case 0x00FC: return "ue"; /* ü */
	case 0x00DC: return "Ue";
	case 0x0142: return "l";  /* ł */
	case 0x0141: return "L";
	case 0x0111: return "d";  /* đ */
	case 0x0110: return "D";
	case 0x00F8: return "o";  /* ø */
	case 0x00D8: return "O";
	case 0x00E6: return "ae"; /* æ */
	case 0x00C6: return "AE";
	case 0x0153: return "oe"; /* œ */
	case 0x0152: return "OE";
	case 0x0131: return "i";  /* dotless i */
	case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x02BC:
	case 0x00B4: case 0x0060:
		return "'";
	case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x00AB: case 0x00BB:
		return "\"";
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
		return "-";
	default: return NULL;
	}
}

static void
fold_append(GString *out, GArray *offsets, const char *bytes, size_t n, size_t origin)
{
	g_string_append_len(out, bytes, (gssize)n);
	if (offsets != NULL)
		for (size_t i = 0; i < n; i++)
			g_array_append_val(offsets, origin);
}

char *
language_fold_text(const char *text, size_t length, GArray **offsets)
{
	GString *out = g_string_sized_new(length + 16);
	GArray *map = offsets != NULL ? g_array_sized_new(FALSE, FALSE, sizeof(size_t), length + 17)
	                              : NULL;
	/* The last base letter emitted, to spell a decomposed "u" + U+0308 as "ue". */
	gunichar last_base = 0;
	const char *p = text, *end = text + length;

	while (p < end) {
		size_t origin = (size_t)(p - text);
		unsigned char byte = (unsigned char)*p;
		if (byte < 0x80) {
			/* A run of ASCII is copied as it is, in one piece: most text is. */
			const char *q = p + 1;
			while (q < end && (unsigned char)*q < 0x80)
				q++;
			g_string_append_len(out, p, q - p);
			if (map != NULL) {
				guint at = map->len;
				g_array_set_size(map, at + (guint)(q - p));
				for (size_t i = 0; i < (size_t)(q - p); i++)
					g_array_index(map, size_t, at + i) = origin + i;
			}
			last_base = (unsigned char)q[-1];
			p = q;
			continue;
		}
		gunichar c = g_utf8_get_char(p);
		const char *next = g_utf8_next_char(p);
		const char *special = fold_special(c);
		if (special != NULL) {
			fold_append(out, map, special, strlen(special), origin);
			last_base = 0;
		} else if (c == 0x0308 && (last_base == 'a' || last_base == 'o' || last_base == 'u' ||
		                           last_base == 'A' || last_base == 'O' || last_base == 'U')) {
			/* Decomposed umlaut: fold it like the precomposed letter. */
			fold_append(out, map, "e", 1, origin);
			last_base = 0;
		} else {
			gunichar parts[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
			gsize n = g_unichar_fully_decompose(c, TRUE, parts, G_N_ELEMENTS(parts));
			for (gsize i = 0; i < n; i++) {
				if (g_unichar_ismark(parts[i]))
					continue;
				char buf[8];
				int len = g_unichar_to_utf8(parts[i], buf);
				fold_append(out, map, buf, (size_t)len, origin);
				last_base = parts[i];
			}
		}
		p = next > end ? end : next;
	}
	if (map != NULL) {
		g_array_append_val(map, length);
		*offsets = map;
	}
	return g_string_free(out, FALSE);
}

/* Lower-cased folded form of a word, for the stop-word table. */
static char *
language_fold_word(const char *word, size_t length)
{
	char *folded = language_fold_text(word, length, NULL);
	char *lower = g_utf8_strdown(folded, -1);
	g_free(folded);
	return lower;
}

void
language_profiles_free(language_profiles *profiles)
{
	if (profiles == NULL)
		return;
	g_ptr_array_unref(profiles->codes);
	g_hash_table_unref(profiles->words);
	g_hash_table_unref(profiles->letters);
	g_free(profiles);
}

size_t
language_profiles_count(const language_profiles *profiles)
{
	return profiles->codes->len;
}

/* g_hash_table_insert keeps the table's key and frees a duplicate new one. */
static void
profile_add(GHashTable *table, gpointer key, guint bit)
{
	gpointer old = NULL;
	guint mask = 1u << bit;
	if (g_hash_table_lookup_extended(table, key, NULL, &old))
		mask |= GPOINTER_TO_UINT(old);
	g_hash_table_insert(table, key, GUINT_TO_POINTER(mask));
}

/* Does the word consist of letters only (what the tokenizer can produce)? */
static bool
word_is_letters(const char *word)
{
	for (const char *p = word; *p != '\0'; p = g_utf8_next_char(p))
		if (!g_unichar_isalpha(g_utf8_get_char(p)))
			return false;
	return true;
}

/* Reads one words file into the tables; problems are appended to errors. */
static void
profile_read_file(language_profiles *profiles, guint bit, const char *path, GString *errors)
{
	char *data = NULL;
	gsize size = 0;
	GError *read_error = NULL;
	if (!g_file_get_contents(path, &data, &size, &read_error)) {
		g_string_append_printf(errors, "%s:0: %s\n", path, read_error->message);
		g_error_free(read_error);
		return;
	}
	if (!g_utf8_validate(data, (gssize)size, NULL)) {
		g_string_append_printf(errors, "%s:0: not valid UTF-8\n", path);
		g_free(data);
		return;
	}
	char **lines = g_strsplit(data, "\n", -1);
	for (size_t n = 0; lines[n] != NULL; n++) {
		char *hash = strchr(lines[n], '#');
		if (hash != NULL)
			*hash = '\0';
		char **fields = g_strsplit_set(g_strstrip(lines[n]), " \t\r", -1);
		bool letters = fields[0] != NULL && strcmp(fields[0], "letters") == 0;
		for (size_t i = letters ? 1 : 0; fields[i] != NULL; i++) {
			if (fields[i][0] == '\0')
				continue;
			if (!word_is_letters(fields[i])) {
				g_string_append_printf(errors, "%s:%zu: \"%s\" is not a word (letters only)\n",
				                       path, n + 1, fields[i]);
				continue;
			}
			if (letters) {
				/* Letters are compared unfolded: they are the diacritics folding removes. */
				for (const char *p = fields[i]; *p != '\0'; p = g_utf8_next_char(p)) {
					gunichar c = g_unichar_tolower(g_utf8_get_char(p));
					profile_add(profiles->letters, GUINT_TO_POINTER(c), bit);
				}
			} else {
				profile_add(profiles->words, language_fold_word(fields[i], strlen(fields[i])),
				            bit);
			}
		}
		g_strfreev(fields);
	}
	g_strfreev(lines);
	g_free(data);
}

language_profiles *
language_profiles_load(const char *const *dirs, const char *const *languages, GError **error)
{
	language_profiles *profiles = g_new0(language_profiles, 1);
	profiles->codes = g_ptr_array_new_with_free_func(g_free);
	profiles->words = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	profiles->letters = g_hash_table_new(g_direct_hash, g_direct_equal);
	GString *errors = g_string_new(NULL);

	for (size_t l = 0; languages != NULL && languages[l] != NULL; l++) {
		if (profiles->codes->len == LANGUAGE_MAX) {
			g_string_append_printf(errors, "language %s: more than %d languages\n",
			                       languages[l], LANGUAGE_MAX);
			break;
		}
		guint bit = profiles->codes->len;
		bool found = false;
		for (size_t d = 0; dirs != NULL && dirs[d] != NULL; d++) {
			char *path = g_build_filename(dirs[d], languages[l], "words", NULL);
			if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
				profile_read_file(profiles, bit, path, errors);
				found = true;
			}
			g_free(path);
		}
		if (!found)
			g_string_append_printf(errors, "language %s: no %s/words file in any rules directory\n",
			                       languages[l], languages[l]);
		g_ptr_array_add(profiles->codes, g_strdup(languages[l]));
	}
	if (errors->len > 0) {
		g_string_truncate(errors, errors->len - 1);
		g_set_error_literal(error, DM_ERROR, DM_ERROR_CONFIG, errors->str);
		g_string_free(errors, TRUE);
		language_profiles_free(profiles);
		return NULL;
	}
	g_string_free(errors, TRUE);
	return profiles;
}

/* Adds weight to every language of mask, shared equally: a word that
 * several languages use ("de", "la", "en") says less than one that only
 * one language uses. */
static void
score_add(double *scores, guint mask, double weight)
{
	int languages = __builtin_popcount(mask);
	for (guint bit = 0; bit < LANGUAGE_MAX; bit++)
		if (mask & (1u << bit))
			scores[bit] += weight / languages;
}

const char *
language_detect(const language_profiles *profiles, const char *text)
{
	return language_detect_ranked(profiles, text, NULL);
}

const char *
language_detect_ranked(const language_profiles *profiles, const char *text, const char **second)
{
	const char *runner_up = NULL;

	if (second != NULL)
		*second = NULL;
	if (profiles == NULL || text == NULL || profiles->codes->len == 0)
		return NULL;
	char *valid = g_utf8_make_valid(text, -1);
	char *folded = language_fold_text(valid, strlen(valid), NULL);
	char *lower = g_utf8_strdown(folded, -1);
	double word_scores[LANGUAGE_MAX] = {0};
	double letter_scores[LANGUAGE_MAX] = {0};
	unsigned word_hits[LANGUAGE_MAX] = {0};

	/* Words: runs of letters in the folded text. */
	const char *p = lower;
	while (*p != '\0') {
		while (*p != '\0' && !g_unichar_isalpha(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		const char *start = p;
		while (*p != '\0' && g_unichar_isalpha(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		if (p == start)
			continue;
		/* Looked up from the stack: a copy per word was a malloc per word. */
		char buffer[64];
		size_t length = (size_t)(p - start);
		char *word = length < sizeof buffer ? buffer : g_malloc(length + 1);
		memcpy(word, start, length);
		word[length] = '\0';
		gpointer mask = NULL;
		if (g_hash_table_lookup_extended(profiles->words, word, NULL, &mask)) {
			score_add(word_scores, GPOINTER_TO_UINT(mask), 1.0);
			for (guint bit = 0; bit < profiles->codes->len; bit++)
				if (GPOINTER_TO_UINT(mask) & (1u << bit))
					word_hits[bit]++;
		}
		if (word != buffer)
			g_free(word);
	}
	/* Letters: the characteristic letters, before folding removed them. */
	for (const char *q = valid; *q != '\0'; q = g_utf8_next_char(q)) {
		gunichar c = g_utf8_get_char(q);
		if (c < 0x80)
			continue;
		gpointer mask = NULL;
		if (g_hash_table_lookup_extended(profiles->letters,
		                                 GUINT_TO_POINTER(g_unichar_tolower(c)), NULL, &mask))
			score_add(letter_scores, GPOINTER_TO_UINT(mask), LANGUAGE_LETTER_WEIGHT);
	}

	const char *best = NULL;
	double best_score = 0, second_score = 0;
	for (guint bit = 0; bit < profiles->codes->len; bit++) {
		double score = word_scores[bit] + MIN(letter_scores[bit], LANGUAGE_LETTER_CAP);
		if (word_hits[bit] < LANGUAGE_MIN_WORD_HITS)
			continue;
		if (score > best_score) {
			second_score = best_score;
			runner_up = best;
			best_score = score;
			best = g_ptr_array_index(profiles->codes, bit);
		} else if (score > second_score) {
			second_score = score;
			runner_up = g_ptr_array_index(profiles->codes, bit);
		}
	}
	/* A dead heat means the text does not tell the languages apart. */
	if (best != NULL && best_score - second_score < 1e-9)
		best = NULL;
	if (second != NULL && best != NULL)
		*second = runner_up;
	g_free(lower);
	g_free(folded);
	g_free(valid);
	return best;
}
