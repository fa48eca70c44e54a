#include "common/csv.h"
#include "common/util.h"

#include <string.h>

static void
record_free(gpointer data)
{
	csv_record *record = data;
	g_ptr_array_unref(record->fields);
	g_free(record);
}

/* The delimiter that occurs most often outside quotes in the first line. */
static char
detect_delimiter(const char *data, const char *end)
{
	static const char candidates[] = {',', ';', '\t'};
	int counts[3] = {0, 0, 0};
	bool quoted = false;

	for (const char *p = data; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		for (int i = 0; i < 3 && !quoted; i++)
			if (*p == candidates[i])
				counts[i]++;
	}
	if (counts[1] > counts[0] && counts[1] >= counts[2])
		return ';';
	if (counts[2] > counts[0] && counts[2] > counts[1])
		return '\t';
	return ',';
}

GPtrArray *
csv_parse(const char *name, const char *data, size_t length, GError **error)
{
	const char *p = data, *end = data + length;
	GPtrArray *records = g_ptr_array_new_with_free_func(record_free);
	GString *field = g_string_new(NULL);
	csv_record *record = NULL;
	int line = 1;
	char delimiter;

	if (!g_utf8_validate(data, (gssize)length, NULL)) {
		const char *bad;
		int bad_line = 1;
		g_utf8_validate(data, (gssize)length, &bad);
		for (const char *q = data; q < bad; q++)
			bad_line += *q == '\n';
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "%s:%d: not UTF-8 text (re-export the file as UTF-8)", name, bad_line);
		goto fail;
	}
	if (length >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	delimiter = detect_delimiter(p, end);
	while (p < end) {
		bool quoted = false;
		if (record == NULL) {
			/* Skip blank lines between records. */
			if (*p == '\n' || *p == '\r') {
				line += *p == '\n';
				p++;
				continue;
			}
			record = g_new0(csv_record, 1);
			record->line = line;
			record->fields = g_ptr_array_new_with_free_func(g_free);
		}
		g_string_truncate(field, 0);
		if (*p == '"') {
			int start_line = line;
			quoted = true;
			p++;
			for (;;) {
				if (p >= end) {
					g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
						    "%s:%d: a quoted field is never closed", name,
						    start_line);
					record_free(record);
					goto fail;
				}
				if (*p == '"' && p + 1 < end && p[1] == '"') {
					g_string_append_c(field, '"');
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					line += *p == '\n';
					g_string_append_c(field, *p++);
				}
			}
		}
		/* Unquoted text, or text after a closing quote up to the delimiter. */
		while (p < end && *p != delimiter && *p != '\n' && *p != '\r')
			g_string_append_c(field, *p++);
		g_ptr_array_add(record->fields,
				quoted ? g_strdup(field->str) : g_strstrip(g_strdup(field->str)));
		if (p < end && *p == delimiter) {
			p++;
			if (p >= end || *p == '\n' || *p == '\r')
				g_ptr_array_add(record->fields, g_strdup(""));
			else
				continue;
		}
		if (p < end && *p == '\r') {
			p++;
			/* A lone CR (old Mac exports) ends a line too. */
			if (p >= end || *p != '\n')
				line++;
		}
		if (p < end && *p == '\n') {
			p++;
			line++;
		}
		g_ptr_array_add(records, record);
		record = NULL;
	}
	g_string_free(field, TRUE);
	return records;
fail:
	g_string_free(field, TRUE);
	g_ptr_array_unref(records);
	return NULL;
}
