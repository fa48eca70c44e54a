#include "filter/sentence.h"

#include <glib.h>

bool
sentence_dot_ends(const char *text, size_t length, size_t i)
{
	size_t digits = 0;

	while (digits < i && g_ascii_isdigit(text[i - 1 - digits]))
		digits++;
	if (digits == 0)
		return true;
	/* A dot between digits: "30.11", "1.250". */
	if (i + 1 < length && g_ascii_isdigit(text[i + 1]))
		return false;
	/* A day number: one or two digits, not the end of a longer number. */
	if (digits <= 2 && (i - digits == 0 || !g_ascii_isalnum(text[i - digits - 1])) &&
	    i + 2 < length && text[i + 1] == ' ' &&
	    g_unichar_isalpha(g_utf8_get_char_validated(text + i + 2, (gssize)(length - i - 2))))
		return false;
	return true;
}
