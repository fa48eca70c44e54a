/*
 * Invoice numbers in text (see numbers.h).
 *
 * Both sides are "squeezed" first: ASCII lower-cased, white space dropped
 * next to punctuation and kept as one space between two word characters.
 * A number that begins with a word character can only match where a word
 * begins, so the index files those numbers under their first three bytes
 * and the text is walked once, looking each word start up.  The few
 * numbers that begin with punctuation, or are shorter than three bytes,
 * are searched for one by one.
 */
#include "filter/numbers.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* How much text is searched for invoice numbers. */
#define NUMBERS_TEXT_LIMIT (64 * 1024)
/* Longer "numbers" are not numbers; nothing in mail would match them anyway. */
#define NUMBERS_NEEDLE_LIMIT 256
#define NUMBERS_KEY_BYTES 3

typedef struct {
	char *needle; /* squeezed; NULL when the number is never looked for */
	size_t length;
} number_needle;

struct number_index {
	number_needle *needles;
	size_t n;
	GHashTable *by_key; /* first NUMBERS_KEY_BYTES bytes -> GArray of guint */
	GArray *loose;      /* guint: needles searched for one by one */
};

static bool
is_word_byte(char c)
{
	return g_ascii_isalnum(c);
}

/*
 * Lower-cases ASCII and normalises white space: dropped next to
 * punctuation, one space between words.  So "FV / 2026 / 031" finds
 * "fv/2026/031" while "invoice 12345" keeps the boundary before the number.
 */
static char *
squeeze(const char *text, size_t limit)
{
	GString *out = g_string_sized_new(64);
	size_t i = 0;

	while (i < limit && text[i] != '\0') {
		unsigned char c = (unsigned char)text[i];
		if (g_ascii_isspace(c)) {
			size_t j = i;
			while (j < limit && text[j] != '\0' && g_ascii_isspace(text[j]))
				j++;
			if (out->len > 0 && g_ascii_isalnum(out->str[out->len - 1]) &&
			    j < limit && g_ascii_isalnum(text[j]))
				g_string_append_c(out, ' ');
			i = j;
			continue;
		}
		g_string_append_c(out, (char)g_ascii_tolower(c));
		i++;
	}
	return g_string_free(out, FALSE);
}

static guint
key_of(const char *bytes)
{
	return (guint)(unsigned char)bytes[0] | (guint)(unsigned char)bytes[1] << 8 |
	       (guint)(unsigned char)bytes[2] << 16;
}

static void
free_bucket(gpointer bucket)
{
	g_array_unref(bucket);
}

number_index *
number_index_new(const char *const *numbers, size_t n)
{
	number_index *index = g_new0(number_index, 1);

	index->n = n;
	index->needles = g_new0(number_needle, MAX(n, 1));
	index->by_key = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_bucket);
	index->loose = g_array_new(FALSE, FALSE, sizeof(guint));
	for (size_t i = 0; i < n; i++) {
		char *needle = squeeze(numbers[i] != NULL ? numbers[i] : "", NUMBERS_NEEDLE_LIMIT);
		size_t length = strlen(needle);
		bool digits_only = strspn(needle, "0123456789") == length;
		guint position = (guint)i;

		if (length == 0 || (digits_only && length < 4)) {
			g_free(needle);
			continue;
		}
		index->needles[i].needle = needle;
		index->needles[i].length = length;
		if (length >= NUMBERS_KEY_BYTES && is_word_byte(needle[0])) {
			gpointer key = GUINT_TO_POINTER(key_of(needle));
			GArray *bucket = g_hash_table_lookup(index->by_key, key);
			if (bucket == NULL) {
				bucket = g_array_new(FALSE, FALSE, sizeof(guint));
				g_hash_table_insert(index->by_key, key, bucket);
			}
			g_array_append_val(bucket, position);
		} else {
			g_array_append_val(index->loose, position);
		}
	}
	return index;
}

void
number_index_free(number_index *index)
{
	if (index == NULL)
		return;
	for (size_t i = 0; i < index->n; i++)
		g_free(index->needles[i].needle);
	g_free(index->needles);
	g_hash_table_destroy(index->by_key);
	g_array_unref(index->loose);
	g_free(index);
}

/* Does the needle end on a word boundary where it ends in the text? */
static bool
ends_on_boundary(const char *at, const number_needle *needle)
{
	return !is_word_byte(at[needle->length]) || !is_word_byte(needle->needle[needle->length - 1]);
}

GArray *
number_index_find(const number_index *index, const char *text)
{
	GArray *found = g_array_new(FALSE, FALSE, sizeof(guint));
	char *haystack = text != NULL ? squeeze(text, NUMBERS_TEXT_LIMIT) : g_strdup("");
	size_t length = strlen(haystack);
	bool *seen = g_new0(bool, MAX(index->n, 1));

	/* Word starts: every indexed number begins with a word byte. */
	if (g_hash_table_size(index->by_key) > 0) {
		for (size_t i = 0; i + NUMBERS_KEY_BYTES <= length; i++) {
			if (!is_word_byte(haystack[i]) || (i > 0 && is_word_byte(haystack[i - 1])))
				continue;
			GArray *bucket = g_hash_table_lookup(index->by_key,
			                                     GUINT_TO_POINTER(key_of(haystack + i)));
			for (guint b = 0; bucket != NULL && b < bucket->len; b++) {
				guint k = g_array_index(bucket, guint, b);
				const number_needle *needle = &index->needles[k];
				if (!seen[k] && needle->length <= length - i &&
				    memcmp(haystack + i, needle->needle, needle->length) == 0 &&
				    ends_on_boundary(haystack + i, needle))
					seen[k] = true;
			}
		}
	}
	/* The rest, anywhere in the text. */
	for (guint l = 0; l < index->loose->len; l++) {
		guint k = g_array_index(index->loose, guint, l);
		const number_needle *needle = &index->needles[k];
		for (const char *at = haystack; (at = strstr(at, needle->needle)) != NULL; at++) {
			bool starts_ok = at == haystack || !is_word_byte(at[-1]) ||
			                 !is_word_byte(needle->needle[0]);
			if (starts_ok && ends_on_boundary(at, needle)) {
				seen[k] = true;
				break;
			}
		}
	}
	for (size_t k = 0; k < index->n; k++) {
		guint position = (guint)k;
		if (seen[k])
			g_array_append_val(found, position);
	}
	g_free(seen);
	g_free(haystack);
	return found;
}
