/*
 * CSV as accounting tools export it: RFC 4180 quoting, a comma, semicolon
 * or tab as the delimiter (detected from the header line: European
 * exports use ";" because the comma is their decimal mark), CRLF or LF,
 * an optional UTF-8 byte order mark.
 */
#ifndef DUNMAIL_COMMON_CSV_H
#define DUNMAIL_COMMON_CSV_H

#include <glib.h>
#include <stdbool.h>

typedef struct {
	int line;          /* line number where the record starts (1-based) */
	GPtrArray *fields; /* char *, UTF-8 */
} csv_record;

/*
 * Parses a whole file.  Returns an array of csv_record* (the array owns
 * them; g_ptr_array_unref frees everything), or NULL with DM_ERROR_INPUT
 * "NAME:LINE: ..." for an unterminated quote or text that is not UTF-8.
 * Blank lines are skipped.
 */
GPtrArray *csv_parse(const char *name, const char *data, size_t length, GError **error);

#endif
