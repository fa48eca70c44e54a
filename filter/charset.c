/*
 * Charset conversion (see charset.h).
 *
 * glibc's iconv_open loads the converter for a charset as a shared object
 * (a gconv module) and the last iconv_close unloads it again.  Converting
 * message after message from windows-1252 thus cost a dlopen and a dlclose,
 * with a TLB shootdown on every core, each time: a tenth of a whole IMAP
 * scan.  So one descriptor per charset met is kept open for the life of
 * the process, never used, only to keep its module loaded; GMime's own
 * conversions (encoded words) then find it loaded too.
 */
#include "filter/charset.h"

#include <errno.h>
#include <glib.h>
#include <gmime/gmime.h>
#include <iconv.h>
#include <stdbool.h>
#include <string.h>

/* Enough for every charset real mail uses; junk names cannot grow it further. */
#define CHARSET_MAX_KEPT 64
#define CHARSET_NAME_MAX 40

static GMutex charset_kept_lock;
static GHashTable *charset_kept; /* iconv name -> iconv_t ((iconv_t)-1: unknown) */

static void
charset_keep_loaded(const char *charset)
{
	const char *name = g_mime_charset_iconv_name(charset);

	g_mutex_lock(&charset_kept_lock);
	if (charset_kept == NULL)
		charset_kept = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (g_hash_table_size(charset_kept) < CHARSET_MAX_KEPT &&
	    !g_hash_table_contains(charset_kept, name)) {
		iconv_t cd = iconv_open("UTF-8", name);
		g_hash_table_insert(charset_kept, g_strdup(name), cd);
	}
	g_mutex_unlock(&charset_kept_lock);
}

void
charset_preload_for_words(const char *header_value)
{
	for (const char *p = strstr(header_value, "=?"); p != NULL; p = strstr(p + 2, "=?")) {
		char name[CHARSET_NAME_MAX + 1];
		size_t length = strcspn(p + 2, "?* \t\r\n");

		/* "=?charset?" or "=?charset*lang?" (RFC 2231); anything else is not a word. */
		if (length == 0 || length > CHARSET_NAME_MAX || (p[2 + length] != '?' && p[2 + length] != '*'))
			continue;
		memcpy(name, p + 2, length);
		name[length] = '\0';
		if (g_ascii_strcasecmp(name, "utf-8") != 0 && g_ascii_strcasecmp(name, "us-ascii") != 0)
			charset_keep_loaded(name);
	}
}

static bool
charset_is_ascii(const char *data, size_t length)
{
	for (size_t i = 0; i < length; i++)
		if ((unsigned char)data[i] >= 0x80)
			return false;
	return true;
}

static bool
charset_is_letter_byte(unsigned char c)
{
	return g_ascii_isalpha(c) || c >= 0xC0;
}

/*
 * Guesses the charset of 8-bit text that is not UTF-8.  Cyrillic in
 * windows-1251 is almost all letters in 0xC0-0xFF, written in runs (whole
 * words); Latin languages put single 8-bit letters between ASCII ones.
 * Among Latin text, bytes that are Polish or Romanian letters in
 * windows-1250 but rare symbols in windows-1252 (ą ł ś ź Ą Ł Ś Ź ş ţ Ş Ţ,
 * and ż inside a word, where windows-1252 would have ¿) mean windows-1250.
 */
static const char *
charset_guess(const char *data, size_t length)
{
	const unsigned char *b = (const unsigned char *)data;
	size_t high = 0, in_runs = 0, central_european = 0;

	for (size_t i = 0; i < length; i++) {
		unsigned char c = b[i];
		unsigned char prev = i > 0 ? b[i - 1] : ' ';
		unsigned char next = i + 1 < length ? b[i + 1] : ' ';
		if (c < 0x80)
			continue;
		high++;
		if (c >= 0xC0 && ((prev >= 0xC0) || (next >= 0xC0)))
			in_runs++;
		switch (c) {
		case 0xB9: /* ą */
		case 0xB3: /* ł */
		case 0x9C: /* ś */
		case 0x9F: /* ź */
		case 0xA5: /* Ą */
		case 0xA3: /* Ł */
		case 0x8C: /* Ś */
		case 0x8F: /* Ź */
		case 0xFE: /* ţ */
		case 0xDE: /* Ţ */
			central_european++;
			break;
		case 0xBA: /* ş, but º after a number in windows-1252 */
		case 0xAA: /* Ş, but ª */
			if (!g_ascii_isdigit(prev))
				central_european++;
			break;
		case 0xBF: /* ż, but ¿ opens a Spanish question */
		case 0xAF: /* Ż, but ¯ */
			if (charset_is_letter_byte(prev))
				central_european++;
			break;
		default:
			break;
		}
	}
	if (high >= 2 && in_runs * 2 >= high)
		return "windows-1251";
	if (central_european > 0)
		return "windows-1250";
	return "windows-1252";
}

/*
 * Converts with iconv, replacing what cannot be converted by U+FFFD and
 * going on.  Returns NULL when the charset is unknown; *replaced counts the
 * replacements so a caller can tell a wrong declaration.
 */
static char *
charset_convert(const char *data, size_t length, const char *charset, size_t *replaced)
{
	iconv_t cd;
	GString *out;
	char buffer[4096];
	char *in = (char *)data;
	size_t in_left = length;

	charset_keep_loaded(charset);
	cd = g_mime_iconv_open("UTF-8", charset);

	*replaced = 0;
	if (cd == (iconv_t)-1)
		return NULL;
	out = g_string_sized_new(length + 16);
	while (in_left > 0) {
		char *outp = buffer;
		size_t out_left = sizeof buffer;
		size_t rc = iconv(cd, &in, &in_left, &outp, &out_left);
		g_string_append_len(out, buffer, (gssize)(outp - buffer));
		if (rc != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		/* EILSEQ or EINVAL (cut sequence): replace one byte and resync. */
		g_string_append(out, "\xEF\xBF\xBD");
		(*replaced)++;
		in++;
		in_left--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	{
		char *outp = buffer;
		size_t out_left = sizeof buffer;
		iconv(cd, NULL, NULL, &outp, &out_left);
		g_string_append_len(out, buffer, (gssize)(outp - buffer));
	}
	g_mime_iconv_close(cd);
	return g_string_free(out, FALSE);
}

/* The last guard: whatever went before, callers get valid UTF-8. */
char *
charset_make_valid(char *text)
{
	char *valid;

	/* Nearly always valid already: then no copy. */
	if (g_utf8_validate(text, -1, NULL))
		return text;
	valid = g_utf8_make_valid(text, -1);
	g_free(text);
	return valid;
}

static char *
charset_undeclared_to_utf8(const char *data, size_t length)
{
	size_t replaced;
	char *text;

	if (charset_is_ascii(data, length) || g_utf8_validate_len(data, length, NULL))
		return g_strndup(data, length);
	text = charset_convert(data, length, charset_guess(data, length), &replaced);
	if (text == NULL)
		text = g_strndup(data, length);
	return text;
}

char *
charset_to_utf8(const char *data, size_t length, const char *charset)
{
	char *text = NULL;

	char *without_nul = NULL;

	if (data == NULL)
		return g_strdup("");
	/* A NUL would cut the C string short; it is never meaningful in mail text. */
	if (memchr(data, '\0', length) != NULL) {
		without_nul = g_memdup2(data, length);
		for (size_t i = 0; i < length; i++)
			if (without_nul[i] == '\0')
				without_nul[i] = ' ';
		data = without_nul;
	}
	if (charset != NULL && *charset != '\0') {
		const char *canon = g_mime_charset_canon_name(charset);
		bool is_utf8 = g_ascii_strcasecmp(canon, "utf-8") == 0;
		bool is_ascii = g_ascii_strcasecmp(canon, "us-ascii") == 0 ||
		                g_ascii_strcasecmp(canon, "ascii") == 0;
		if (is_utf8 || is_ascii) {
			/* Both are often declared for text that is not; guess then. */
			if (g_utf8_validate_len(data, length, NULL))
				text = g_strndup(data, length);
		} else {
			size_t replaced = 0;
			text = charset_convert(data, length, charset, &replaced);
			if (text != NULL && replaced > 0) {
				/* The declaration is wrong for these bytes: guess instead. */
				g_free(text);
				text = NULL;
			}
		}
	}
	if (text == NULL)
		text = charset_undeclared_to_utf8(data, length);
	g_free(without_nul);
	return charset_make_valid(text);
}

