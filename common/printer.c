#include "common/printer.h"
#include "common/util.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
	char *key;
	char *title;
	bool right_align;
} column;

struct printer {
	printer_format format;
	FILE *out;
	GPtrArray *columns; /* column* */
	GPtrArray *rows;    /* table: GPtrArray of char* cells; */
	GPtrArray *current;
	JsonBuilder *json;
	bool csv_header_done;
	bool vertical;
	guint value_index;
};

bool
printer_format_parse(const char *name, printer_format *format, GError **error)
{
	if (g_strcmp0(name, "table") == 0)
		*format = PRINTER_TABLE;
	else if (g_strcmp0(name, "csv") == 0)
		*format = PRINTER_CSV;
	else if (g_strcmp0(name, "json") == 0)
		*format = PRINTER_JSON;
	else {
		g_set_error(error, DM_ERROR, DM_ERROR_USAGE,
			    "unknown format \"%s\" (use table, csv or json)", name ? name : "");
		return false;
	}
	return true;
}

static void
column_free(gpointer data)
{
	column *c = data;
	g_free(c->key);
	g_free(c->title);
	g_free(c);
}

printer *
printer_new(printer_format format, FILE *out)
{
	printer *p = g_new0(printer, 1);

	p->format = format;
	p->out = out;
	p->columns = g_ptr_array_new_with_free_func(column_free);
	p->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	if (format == PRINTER_JSON) {
		p->json = json_builder_new();
		json_builder_begin_array(p->json);
	}
	return p;
}

void
printer_free(printer *p)
{
	if (p == NULL)
		return;
	g_ptr_array_unref(p->columns);
	g_ptr_array_unref(p->rows);
	if (p->current != NULL)
		g_ptr_array_unref(p->current);
	if (p->json != NULL)
		g_object_unref(p->json);
	g_free(p);
}

void
printer_set_vertical(printer *p, bool vertical)
{
	p->vertical = vertical;
}

void
printer_column(printer *p, const char *key, const char *title, bool right_align)
{
	column *c = g_new0(column, 1);

	c->key = g_strdup(key);
	c->title = g_strdup(title);
	c->right_align = right_align;
	g_ptr_array_add(p->columns, c);
}

static void
csv_write_field(FILE *out, const char *value)
{
	if (value == NULL)
		return;
	if (strpbrk(value, ",\"\r\n") == NULL) {
		fputs(value, out);
		return;
	}
	fputc('"', out);
	for (const char *c = value; *c != '\0'; c++) {
		if (*c == '"')
			fputc('"', out);
		fputc(*c, out);
	}
	fputc('"', out);
}

/* CSV names its columns once, before the first row (or alone when there are none). */
static void
csv_write_header(printer *p)
{
	if (p->csv_header_done)
		return;
	for (guint i = 0; i < p->columns->len; i++) {
		const column *c = g_ptr_array_index(p->columns, i);
		if (i > 0)
			fputc(',', p->out);
		csv_write_field(p->out, c->key);
	}
	fputs("\r\n", p->out);
	p->csv_header_done = true;
}

void
printer_row_begin(printer *p)
{
	p->value_index = 0;
	if (p->format == PRINTER_JSON) {
		json_builder_begin_object(p->json);
		return;
	}
	p->current = g_ptr_array_new_with_free_func(g_free);
}

static const column *
next_column(printer *p)
{
	g_assert(p->value_index < p->columns->len);
	return g_ptr_array_index(p->columns, p->value_index++);
}

static void
add_cell(printer *p, const char *text)
{
	g_ptr_array_add(p->current, g_strdup(text != NULL ? text : ""));
}

void
printer_string(printer *p, const char *value)
{
	const column *c = next_column(p);

	if (p->format == PRINTER_JSON) {
		json_builder_set_member_name(p->json, c->key);
		if (value == NULL)
			json_builder_add_null_value(p->json);
		else
			json_builder_add_string_value(p->json, value);
		return;
	}
	add_cell(p, value);
}

void
printer_decimal(printer *p, const char *value)
{
	printer_string(p, value);
}

void
printer_int(printer *p, int64_t value)
{
	const column *c = next_column(p);
	char *text;

	if (p->format == PRINTER_JSON) {
		json_builder_set_member_name(p->json, c->key);
		json_builder_add_int_value(p->json, value);
		return;
	}
	text = g_strdup_printf("%" G_GINT64_FORMAT, value);
	add_cell(p, text);
	g_free(text);
}

void
printer_null(printer *p)
{
	printer_string(p, NULL);
}

void
printer_row_end(printer *p)
{
	g_assert(p->value_index == p->columns->len);
	if (p->format == PRINTER_JSON) {
		json_builder_end_object(p->json);
		return;
	}
	if (p->format == PRINTER_CSV) {
		csv_write_header(p);
		for (guint i = 0; i < p->current->len; i++) {
			if (i > 0)
				fputc(',', p->out);
			csv_write_field(p->out, g_ptr_array_index(p->current, i));
		}
		fputs("\r\n", p->out);
		g_ptr_array_unref(p->current);
		p->current = NULL;
		return;
	}
	g_ptr_array_add(p->rows, p->current);
	p->current = NULL;
}

static void
print_cell(FILE *out, const char *text, size_t width, bool right, bool last)
{
	size_t length = g_utf8_strlen(text, -1);
	size_t pad = width > length ? width - length : 0;

	if (right)
		fprintf(out, "%*s", (int)pad, "");
	fputs(text, out);
	if (!right && !last)
		fprintf(out, "%*s", (int)pad, "");
}

char *
printer_json_text(JsonNode *root)
{
	JsonGenerator *generator = json_generator_new();
	char *text;
	GString *out;

	json_generator_set_root(generator, root);
	json_generator_set_pretty(generator, TRUE);
	text = json_generator_to_data(generator, NULL);
	g_object_unref(generator);
	/* Pretty printing puts only line breaks and spaces between tokens, and
	 * json-glib escapes a line break inside a string, so any other control
	 * byte left is inside a string and must be escaped. */
	out = g_string_sized_new(strlen(text));
	for (const char *c = text; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 && *c != '\n')
			g_string_append_printf(out, "\\u%04x", (unsigned char)*c);
		else
			g_string_append_c(out, *c);
	}
	g_free(text);
	return g_string_free(out, FALSE);
}

void
printer_finish(printer *p)
{
	if (p->format == PRINTER_JSON) {
		JsonNode *root;
		char *text;

		json_builder_end_array(p->json);
		root = json_builder_get_root(p->json);
		text = printer_json_text(root);
		fprintf(p->out, "%s\n", text);
		g_free(text);
		json_node_unref(root);
		return;
	}
	if (p->format == PRINTER_CSV) {
		csv_write_header(p);
		return;
	}
	if (p->vertical) {
		size_t width = 0;
		for (guint i = 0; i < p->columns->len; i++) {
			const column *c = g_ptr_array_index(p->columns, i);
			width = MAX(width, (size_t)g_utf8_strlen(c->title, -1));
		}
		for (guint r = 0; r < p->rows->len; r++) {
			GPtrArray *row = g_ptr_array_index(p->rows, r);
			if (r > 0)
				fputc('\n', p->out);
			for (guint i = 0; i < p->columns->len; i++) {
				const column *c = g_ptr_array_index(p->columns, i);
				const char *value = g_ptr_array_index(row, i);
				if (*value == '\0')
					continue;
				fprintf(p->out, "%s:", c->title);
				print_cell(p->out, "", width - (size_t)g_utf8_strlen(c->title, -1) + 1,
					   true, false);
				/* The later lines of a value (an address, notes) stand under
				 * its first line, not where the titles are. */
				for (const char *line = value, *end;; line = end + 1) {
					end = strchr(line, '\n');
					if (line != value)
						fprintf(p->out, "%*s", (int)width + 2, "");
					if (end == NULL) {
						fprintf(p->out, "%s\n", line);
						break;
					}
					fprintf(p->out, "%.*s\n", (int)(end - line), line);
				}
			}
		}
		return;
	}
	{
		guint n = p->columns->len;
		size_t *widths = g_new0(size_t, n);

		for (guint i = 0; i < n; i++) {
			const column *c = g_ptr_array_index(p->columns, i);
			widths[i] = g_utf8_strlen(c->title, -1);
		}
		for (guint r = 0; r < p->rows->len; r++) {
			GPtrArray *row = g_ptr_array_index(p->rows, r);
			for (guint i = 0; i < n; i++) {
				size_t w = g_utf8_strlen(g_ptr_array_index(row, i), -1);
				widths[i] = MAX(widths[i], w);
			}
		}
		for (guint i = 0; i < n; i++) {
			const column *c = g_ptr_array_index(p->columns, i);
			print_cell(p->out, c->title, widths[i], c->right_align, i + 1 == n);
			fputs(i + 1 == n ? "\n" : "  ", p->out);
		}
		for (guint r = 0; r < p->rows->len; r++) {
			GPtrArray *row = g_ptr_array_index(p->rows, r);
			for (guint i = 0; i < n; i++) {
				const column *c = g_ptr_array_index(p->columns, i);
				print_cell(p->out, g_ptr_array_index(row, i), widths[i],
					   c->right_align, i + 1 == n);
				fputs(i + 1 == n ? "\n" : "  ", p->out);
			}
		}
		g_free(widths);
	}
}
