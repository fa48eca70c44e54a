/*
 * libFuzzer target: finding invoice numbers in text (filter/numbers.c).
 *
 * The input is invoice numbers, one per line, then a line "--", then the
 * text.  The index must find exactly what a plain search does: for each
 * number on its own, both sides squeezed the same way (ASCII lower case,
 * white space dropped next to punctuation), an occurrence with a word
 * boundary at both ends, bare numbers under four digits never.  The
 * reference below is the obvious quadratic search the index replaced.
 */
#include "filter/numbers.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
reference_squeeze(const char *text)
{
	GString *out = g_string_new(NULL);

	for (size_t i = 0; text[i] != '\0';) {
		if (g_ascii_isspace(text[i])) {
			size_t j = i;
			while (text[j] != '\0' && g_ascii_isspace(text[j]))
				j++;
			if (out->len > 0 && g_ascii_isalnum(out->str[out->len - 1]) &&
			    g_ascii_isalnum(text[j]))
				g_string_append_c(out, ' ');
			i = j;
			continue;
		}
		g_string_append_c(out, (char)g_ascii_tolower(text[i]));
		i++;
	}
	return g_string_free(out, FALSE);
}

static bool
reference_finds(const char *haystack, const char *number)
{
	char *needle = reference_squeeze(number);
	size_t length = strlen(needle);
	bool found = false;

	if (length > 0 && !(strspn(needle, "0123456789") == length && length < 4)) {
		for (const char *at = haystack; !found && (at = strstr(at, needle)) != NULL; at++) {
			bool starts = at == haystack || !g_ascii_isalnum(at[-1]) ||
			              !g_ascii_isalnum(needle[0]);
			bool ends = !g_ascii_isalnum(at[length]) || !g_ascii_isalnum(needle[length - 1]);
			found = starts && ends;
		}
	}
	g_free(needle);
	return found;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* NUL cannot occur in mail text or numbers handed over as C strings. */
	char *input = g_strndup((const char *)data, size);
	char *separator = strstr(input, "\n--\n");
	char **numbers;
	const char *text;

	if (separator == NULL) {
		g_free(input);
		return 0;
	}
	*separator = '\0';
	text = separator + 4;
	numbers = g_strsplit(input, "\n", 64);

	size_t n = g_strv_length(numbers);
	number_index *index = number_index_new((const char *const *)numbers, n);
	GArray *found = number_index_find(index, text);
	char *haystack = reference_squeeze(text);
	guint next = 0;

	for (size_t i = 0; i < n; i++) {
		bool in_found = next < found->len && g_array_index(found, guint, next) == i;
		/* Numbers longer than the index reads (256 bytes) are out of scope. */
		if (strlen(numbers[i]) < 256 && in_found != reference_finds(haystack, numbers[i]))
			abort();
		if (in_found)
			next++;
	}
	if (next != found->len)
		abort();
	g_free(haystack);
	g_array_unref(found);
	number_index_free(index);
	g_strfreev(numbers);
	g_free(input);
	return 0;
}
