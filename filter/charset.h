/*
 * Mail's bytes as UTF-8: declared charsets converted with iconv, wrong or
 * missing declarations guessed, whatever is left made valid.
 *
 * Every function is thread-safe.
 */
#ifndef DUNMAIL_FILTER_CHARSET_H
#define DUNMAIL_FILTER_CHARSET_H

#include <stddef.h>

/*
 * Converts bytes in a declared charset (NULL or unknown: guessed) to valid
 * UTF-8.  Undeclared or undecodable 8-bit text is tried as UTF-8, then
 * guessed between windows-1250, windows-1251 and windows-1252; invalid
 * sequences become U+FFFD and NUL bytes spaces.  Returns a new string
 * (g_free).
 */
char *charset_to_utf8(const char *data, size_t length, const char *charset);

/* Takes text and returns it as valid UTF-8 (a new string; text is freed). */
char *charset_make_valid(char *text);

/*
 * Loads, once per process, the converters for the charsets named in the
 * RFC 2047 encoded words of a header value ("=?koi8-r?B?...?="), so that
 * GMime's decoding of them does not load and unload a gconv module for
 * every message.
 */
void charset_preload_for_words(const char *header_value);

#endif
