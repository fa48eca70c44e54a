/*
 * The one output printer: every listing describes its columns once and
 * emits rows, and the printer renders them as an aligned table, CSV
 * (RFC 4180, header row) or a JSON array of objects.  Values are typed so
 * that JSON gets numbers, strings and null where they belong.
 *
 * Usage: printer_new, printer_column for each column, then for each row
 * printer_row_begin, one printer_* value per column in order,
 * printer_row_end; finally printer_finish and printer_free.
 */
#ifndef DUNMAIL_COMMON_PRINTER_H
#define DUNMAIL_COMMON_PRINTER_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { PRINTER_TABLE, PRINTER_CSV, PRINTER_JSON } printer_format;

/*
 * A JSON document as pretty-printed text that is valid whatever its
 * strings hold: every control character is written \u00XX (json-glib
 * leaves most of them raw).  Free with g_free.  Every JSON dunmail prints
 * goes through here.
 */
char *printer_json_text(JsonNode *root);

/* "table", "csv" or "json"; DM_ERROR_USAGE otherwise. */
bool printer_format_parse(const char *name, printer_format *format, GError **error);

typedef struct printer printer;

/* Writes to out (not closed by the printer). */
printer *printer_new(printer_format format, FILE *out);
void printer_free(printer *p);

/* Tables only: print each row as "Title: value" lines (for one record). */
void printer_set_vertical(printer *p, bool vertical);

/* key: the JSON member and CSV header; title: the table header. */
void printer_column(printer *p, const char *key, const char *title, bool right_align);

void printer_row_begin(printer *p);
void printer_string(printer *p, const char *value); /* NULL prints null / empty */
void printer_int(printer *p, int64_t value);
/* A decimal kept exact: a string in JSON ("1250.00"), as is elsewhere. */
void printer_decimal(printer *p, const char *value);
void printer_null(printer *p);
void printer_row_end(printer *p);

/* Renders what is buffered (tables need every row for the widths). */
void printer_finish(printer *p);

#endif
