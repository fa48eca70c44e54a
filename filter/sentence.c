#include "filter/sentence.h"

#include <glib.h>
#include <string.h>

/*
 * Abbreviations written with a dot in replies, in lower case: the gaps'
 * (filter/lexicon.c) and a few more of the languages shipped.  Not "no"
 * nor "ok", which end sentences as often as they shorten a word.
 */
static const char *const sentence_abbreviations[] = {
    "nr", "ca", "bzw", "ggf", "evtl", "inkl", "zzgl", "ref", "tel", "ul", "np", "tj", "str",
    "dr", "mr", "mrs", "ms", "hr", "sr", "sra", "nb", "vs", "etc", "approx", "resp", "art",
    "fakt", "fv", "inv", "szt", "tys", "pkt", "godz", "wg", "sp", "zb", "usw", "vgl", "abs",
    "mio", "mld", "mln", "num", "núm", "pag", "pág", "ст", "гр", "бул", "ул", "тел", "вкл", "напр",
    NULL,
};

/* Is the word that ends at text[i] (exclusive) one of the abbreviations? */
static bool
ends_abbreviation(const char *text, size_t i)
{
	size_t start = i;

	while (start > 0 && (g_ascii_isalpha(text[start - 1]) || (unsigned char)text[start - 1] >= 0x80))
		start--;
	if (start == i || i - start > 12)
		return false;
	gchar *lower = g_utf8_strdown(text + start, (gssize)(i - start));
	bool found = false;
	for (size_t k = 0; sentence_abbreviations[k] != NULL && !found; k++)
		found = strcmp(lower, sentence_abbreviations[k]) == 0;
	g_free(lower);
	return found;
}

bool
sentence_dot_ends(const char *text, size_t length, size_t i)
{
	size_t digits = 0;

	/* A letter right after the dot: "o.o.", "z.B.", "pay.example.com". */
	if (i + 1 < length && (g_ascii_isalpha(text[i + 1]) || (unsigned char)text[i + 1] >= 0x80))
		return false;
	while (digits < i && g_ascii_isdigit(text[i - 1 - digits]))
		digits++;
	if (digits == 0)
		return !ends_abbreviation(text, i);
	/* The end of a full date ("2026/10/07.", "2026-10-07."), not a day number. */
	if (digits <= 2 && i > digits && (text[i - digits - 1] == '/' || text[i - digits - 1] == '-'))
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
