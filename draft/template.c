#include "draft/template.h"

#include "common/util.h"
#include "draft/locale.h"

#include <string.h>

typedef enum {
	VALUE_TEXT,
	VALUE_MONEY,
	VALUE_DATE,
	VALUE_DAYS,
	VALUE_NUMBER,
	VALUE_PERCENT,
	VALUE_LIST,
} value_kind;

/* The documented placeholders (doc/dunmail-templates.5) and the kind each expects. */
typedef struct {
	const char *name;
	value_kind kind;
} placeholder_info;

static const placeholder_info placeholders[] = {
    {"client_name", VALUE_TEXT},
    {"contact_name", VALUE_TEXT},
    {"salutation", VALUE_TEXT},
    {"client_address", VALUE_TEXT},
    {"invoice_number", VALUE_TEXT},
    {"invoice_numbers", VALUE_TEXT},
    {"currency", VALUE_TEXT},
    {"payment_details", VALUE_TEXT},
    {"sender_name", VALUE_TEXT},
    {"sender_company", VALUE_TEXT},
    {"sender_address", VALUE_TEXT},
    {"signature", VALUE_TEXT},
    {"plan_offer", VALUE_TEXT},
    {"offer_plan", VALUE_TEXT},
    {"amount", VALUE_MONEY},
    {"balance", VALUE_MONEY},
    {"late_fee", VALUE_MONEY},
    {"interest", VALUE_MONEY},
    {"compensation", VALUE_MONEY},
    {"total_due", VALUE_MONEY},
    {"discount_amount", VALUE_MONEY},
    {"issued_date", VALUE_DATE},
    {"due_date", VALUE_DATE},
    {"promise_date", VALUE_DATE},
    {"discount_until", VALUE_DATE},
    {"pay_by", VALUE_DATE},
    {"letter_date", VALUE_DATE},
    {"days_overdue", VALUE_DAYS},
    {"days_until_due", VALUE_DAYS},
    {"invoice_count", VALUE_NUMBER},
    {"other_invoice_count", VALUE_NUMBER},
    {"discount_percent", VALUE_PERCENT},
    {"interest_rate", VALUE_PERCENT},
    {"invoices", VALUE_LIST},
};

static const char *const kinds[] = {TEMPLATE_KIND_PRENOTE,     TEMPLATE_KIND_REMINDER1,
                                    TEMPLATE_KIND_REMINDER2,   TEMPLATE_KIND_REMINDER3,
                                    TEMPLATE_KIND_FINAL,       TEMPLATE_KIND_PROMISE_BROKEN,
                                    TEMPLATE_KIND_DISPUTE_ACK, TEMPLATE_KIND_LETTER,
                                    TEMPLATE_KIND_STATEMENT,   NULL};

const char *const *
template_kinds(void)
{
	return kinds;
}

static const placeholder_info *
placeholder_find(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(placeholders); i++)
		if (strcmp(placeholders[i].name, name) == 0)
			return &placeholders[i];
	return NULL;
}

/* A derived name: "due_date_short" of a date, "days_overdue_text" of a day count. */
static const placeholder_info *
placeholder_find_derived(const char *name, const char *suffix, value_kind kind)
{
	size_t len = strlen(name), suffix_len = strlen(suffix);
	const placeholder_info *base = NULL;

	if (len > suffix_len && strcmp(name + len - suffix_len, suffix) == 0) {
		char *stem = g_strndup(name, len - suffix_len);
		base = placeholder_find(stem);
		g_free(stem);
	}
	return base != NULL && base->kind == kind ? base : NULL;
}

bool
template_placeholder_known(const char *name)
{
	const placeholder_info *info = placeholder_find(name);

	if (info != NULL)
		return info->kind != VALUE_LIST;
	return placeholder_find_derived(name, "_short", VALUE_DATE) != NULL ||
	       placeholder_find_derived(name, "_text", VALUE_DAYS) != NULL;
}

/* ---- values ---- */

typedef struct {
	value_kind kind;
	char *text;       /* TEXT */
	int64_t number;   /* MONEY minor units, DAYS, NUMBER, PERCENT basis points */
	char *currency;   /* MONEY */
	dm_date date;     /* DATE */
	GPtrArray *items; /* LIST of template_values */
} value;

struct template_values {
	GHashTable *table; /* name -> value */
};

static void
value_free(gpointer data)
{
	value *v = data;

	g_free(v->text);
	g_free(v->currency);
	if (v->items != NULL)
		g_ptr_array_unref(v->items);
	g_free(v);
}

template_values *
template_values_new(void)
{
	template_values *values = g_new0(template_values, 1);
	values->table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, value_free);
	return values;
}

void
template_values_free(template_values *values)
{
	if (values == NULL)
		return;
	g_hash_table_destroy(values->table);
	g_free(values);
}

static value *
values_put(template_values *values, const char *name, value_kind kind)
{
	value *v = g_new0(value, 1);

	v->kind = kind;
	g_hash_table_replace(values->table, g_strdup(name), v);
	return v;
}

void
template_values_set_text(template_values *values, const char *name, const char *text)
{
	values_put(values, name, VALUE_TEXT)->text = g_strdup(text != NULL ? text : "");
}

void
template_values_set_money(template_values *values, const char *name, int64_t minor,
                          const char *currency)
{
	value *v = values_put(values, name, VALUE_MONEY);
	v->number = minor;
	v->currency = g_strdup(currency);
}

void
template_values_set_date(template_values *values, const char *name, dm_date date)
{
	if (date == DM_DATE_NONE) {
		g_hash_table_remove(values->table, name);
		return;
	}
	values_put(values, name, VALUE_DATE)->date = date;
}

void
template_values_set_days(template_values *values, const char *name, int64_t days)
{
	values_put(values, name, VALUE_DAYS)->number = days;
}

void
template_values_set_number(template_values *values, const char *name, int64_t number)
{
	values_put(values, name, VALUE_NUMBER)->number = number;
}

void
template_values_set_percent(template_values *values, const char *name, int32_t basis_points)
{
	values_put(values, name, VALUE_PERCENT)->number = basis_points;
}

template_values *
template_values_add_item(template_values *values, const char *list)
{
	value *v = g_hash_table_lookup(values->table, list);
	template_values *item = template_values_new();

	if (v == NULL || v->kind != VALUE_LIST) {
		v = values_put(values, list, VALUE_LIST);
		v->items = g_ptr_array_new_with_free_func((GDestroyNotify)template_values_free);
	}
	g_ptr_array_add(v->items, item);
	return item;
}

/* ---- parsed templates ---- */

typedef enum {
	NODE_TEXT,
	NODE_VALUE,
	NODE_LIST,   /* {#name} */
	NODE_IF,     /* {?name} */
	NODE_UNLESS, /* {^name} */
} node_type;

typedef struct {
	node_type type;
	char *text; /* the text, or the placeholder / section name */
	int line;
	GPtrArray *children; /* sections only */
} node;

typedef struct {
	char *path;
	GPtrArray *subject; /* node */
	GPtrArray *body;    /* node */
} template;

struct template_set {
	GHashTable *templates; /* "lang/kind" -> template */
};

static void
node_free(gpointer data)
{
	node *n = data;

	g_free(n->text);
	if (n->children != NULL)
		g_ptr_array_unref(n->children);
	g_free(n);
}

static GPtrArray *
node_list_new(void)
{
	return g_ptr_array_new_with_free_func(node_free);
}

static void
template_free(gpointer data)
{
	template *t = data;

	g_free(t->path);
	if (t->subject != NULL)
		g_ptr_array_unref(t->subject);
	if (t->body != NULL)
		g_ptr_array_unref(t->body);
	g_free(t);
}

/* The state of parsing one file. */
typedef struct {
	const char *path;
	GString *problems; /* "path:line: what" lines */
	GPtrArray *stack;  /* open sections: node *, the innermost last */
	GPtrArray *root;
} parser;

static void parser_problem(parser *p, int line, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
parser_problem(parser *p, int line, const char *fmt, ...)
{
	va_list args;

	if (p->problems->len > 0)
		g_string_append_c(p->problems, '\n');
	g_string_append_printf(p->problems, "%s:%d: ", p->path, line);
	va_start(args, fmt);
	g_string_append_vprintf(p->problems, fmt, args);
	va_end(args);
}

static GPtrArray *
parser_current(parser *p)
{
	if (p->stack->len == 0)
		return p->root;
	return ((node *)g_ptr_array_index(p->stack, p->stack->len - 1))->children;
}

static void
parser_add_text(parser *p, const char *text, size_t len, int line)
{
	GPtrArray *into = parser_current(p);
	node *last = into->len > 0 ? g_ptr_array_index(into, into->len - 1) : NULL;

	if (len == 0)
		return;
	/* Consecutive text (as around "{{") is kept as one node. */
	if (last != NULL && last->type == NODE_TEXT) {
		char *joined = g_strdup_printf("%s%.*s", last->text, (int)len, text);
		g_free(last->text);
		last->text = joined;
		return;
	}
	node *n = g_new0(node, 1);
	n->type = NODE_TEXT;
	n->text = g_strndup(text, len);
	n->line = line;
	g_ptr_array_add(into, n);
}

static bool
name_valid(const char *name, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(g_ascii_islower(name[i]) || g_ascii_isdigit(name[i]) || name[i] == '_'))
			return false;
	return true;
}

static const char *
section_sigil(node_type type)
{
	return type == NODE_LIST ? "#" : type == NODE_IF ? "?" : "^";
}

/* Handles one tag, the text between "{" and "}". */
static void
parser_tag(parser *p, const char *tag, size_t len, int line)
{
	char sigil = len > 0 ? tag[0] : '\0';
	bool is_section = sigil == '#' || sigil == '?' || sigil == '^' || sigil == '/';
	const char *name_start = is_section ? tag + 1 : tag;
	size_t name_len = is_section ? len - 1 : len;
	char *name = g_strndup(name_start, name_len);
	const placeholder_info *info = placeholder_find(name);

	if (!name_valid(name_start, name_len)) {
		parser_problem(p, line,
		               "\"{%.*s}\" is not a placeholder (names are lower case letters, "
		               "digits and _; write {{ for a literal brace)",
		               (int)len, tag);
		goto out;
	}
	if (sigil == '/') {
		node *open =
		    p->stack->len > 0 ? g_ptr_array_index(p->stack, p->stack->len - 1) : NULL;
		if (open == NULL)
			parser_problem(p, line, "{/%s} closes no section", name);
		else if (strcmp(open->text, name) != 0)
			parser_problem(p, line, "{/%s} closes {%s%s} opened on line %d", name,
			               section_sigil(open->type), open->text, open->line);
		else
			g_ptr_array_remove_index(p->stack, p->stack->len - 1);
		goto out;
	}
	if (!is_section) {
		if (!template_placeholder_known(name)) {
			if (info != NULL && info->kind == VALUE_LIST)
				parser_problem(p, line, "{%s} is a list: use {#%s}...{/%s}", name,
				               name, name);
			else
				parser_problem(p, line, "unknown placeholder {%s}", name);
		}
		node *n = g_new0(node, 1);
		n->type = NODE_VALUE;
		n->text = g_strdup(name);
		n->line = line;
		g_ptr_array_add(parser_current(p), n);
		goto out;
	}
	if (info == NULL && !template_placeholder_known(name))
		parser_problem(p, line, "unknown placeholder {%c%s}", sigil, name);
	else if (sigil == '#' && (info == NULL || info->kind != VALUE_LIST))
		parser_problem(p, line, "{#%s}: %s is not a list", name, name);
	{
		node *n = g_new0(node, 1);
		n->type = sigil == '#' ? NODE_LIST : sigil == '?' ? NODE_IF : NODE_UNLESS;
		n->text = g_strdup(name);
		n->line = line;
		n->children = node_list_new();
		g_ptr_array_add(parser_current(p), n);
		g_ptr_array_add(p->stack, n);
	}
out:
	g_free(name);
}

/* Is the line only a section tag and blanks?  Then the whole line is dropped. */
static bool
line_is_standalone_section(const char *line, size_t len)
{
	size_t i = 0, tag_end;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i + 2 >= len || line[i] != '{' || strchr("#?^/", line[i + 1]) == NULL)
		return false;
	tag_end = i + 2;
	while (tag_end < len && line[tag_end] != '}' && line[tag_end] != '{')
		tag_end++;
	if (tag_end >= len || line[tag_end] != '}')
		return false;
	for (size_t j = tag_end + 1; j < len; j++)
		if (line[j] != ' ' && line[j] != '\t' && line[j] != '\n')
			return false;
	return true;
}

/* Parses one line (with its newline, if any) into the current section. */
static void
parser_line(parser *p, const char *line, size_t len, int number)
{
	size_t start = 0, i = 0;

	if (line_is_standalone_section(line, len)) {
		const char *open = memchr(line, '{', len);
		const char *close = memchr(open, '}', len - (size_t)(open - line));
		parser_tag(p, open + 1, (size_t)(close - open - 1), number);
		return;
	}
	while (i < len) {
		if (line[i] == '{' && i + 1 < len && line[i + 1] == '{') {
			parser_add_text(p, line + start, i - start + 1, number);
			i += 2;
			start = i;
			continue;
		}
		if (line[i] == '{') {
			const char *close = memchr(line + i, '}', len - i);
			parser_add_text(p, line + start, i - start, number);
			if (close == NULL) {
				parser_problem(p, number,
				               "\"{\" is not closed on its line (write {{ for a "
				               "literal brace)");
				start = len;
				break;
			}
			parser_tag(p, line + i + 1, (size_t)(close - line - i - 1), number);
			i = (size_t)(close - line) + 1;
			start = i;
			continue;
		}
		i++;
	}
	parser_add_text(p, line + start, len - start, number);
}

/* Parses text lines [from, to) into root; reports unclosed sections. */
static void
parser_run(parser *p, GPtrArray *root, char **lines, int from, int to, bool keep_newlines)
{
	p->root = root;
	g_ptr_array_set_size(p->stack, 0);
	for (int i = from; i < to; i++) {
		char *line = keep_newlines && i + 1 < to ? g_strconcat(lines[i], "\n", NULL)
		                                         : g_strdup(lines[i]);
		parser_line(p, line, strlen(line), i + 1);
		g_free(line);
	}
	for (guint i = 0; i < p->stack->len; i++) {
		node *open = g_ptr_array_index(p->stack, i);
		parser_problem(p, open->line, "{%s%s} is never closed with {/%s}",
		               section_sigil(open->type), open->text, open->text);
	}
}

/*
 * Parses a template file's text.  Problems are appended to problems; the
 * template is returned only when this file had none.
 */
static template *
template_parse(const char *path, const char *text, GString *problems)
{
	parser p = {path, g_string_new(NULL), g_ptr_array_new(), NULL};
	template *t = g_new0(template, 1);
	char **lines;
	int n_lines, first = 0;

	t->path = g_strdup(path);
	t->subject = node_list_new();
	t->body = node_list_new();
	if (!g_utf8_validate(text, -1, NULL)) {
		parser_problem(&p, 1, "not UTF-8 text");
		goto out;
	}
	/* Windows line ends are common in files edited elsewhere; drop the CRs. */
	{
		char *unix_text = g_strdup(text);
		char *w = unix_text;
		for (const char *r = text; *r != '\0'; r++)
			if (!(*r == '\r' && r[1] == '\n'))
				*w++ = *r;
		*w = '\0';
		lines = g_strsplit(unix_text, "\n", -1);
		g_free(unix_text);
	}
	n_lines = (int)g_strv_length(lines);
	/* A final newline does not start another (empty) line of the body. */
	if (n_lines > 0 && lines[n_lines - 1][0] == '\0')
		n_lines--;
	while (first < n_lines && lines[first][0] == '#')
		first++;
	if (first >= n_lines || !g_str_has_prefix(lines[first], "Subject:")) {
		parser_problem(&p, first + 1, "the first line must be \"Subject: ...\"");
	} else if (first + 1 < n_lines && lines[first + 1][0] != '\0') {
		parser_problem(&p, first + 2, "a blank line must follow the Subject line");
	} else {
		char *subject = g_strdup(g_strchug(lines[first] + strlen("Subject:")));
		char *saved = lines[first];
		lines[first] = subject;
		parser_run(&p, t->subject, lines, first, first + 1, false);
		lines[first] = saved;
		g_free(subject);
		/* The body keeps its final newline, so rendered text ends with one. */
		if (first + 2 < n_lines) {
			int end = n_lines;
			if (end < (int)g_strv_length(lines))
				end++;
			parser_run(&p, t->body, lines, first + 2, end, true);
		}
		if (first + 2 >= n_lines)
			parser_problem(&p, first + 1, "the template has no body");
	}
	g_strfreev(lines);
out:
	g_ptr_array_free(p.stack, TRUE);
	if (p.problems->len > 0) {
		g_string_append_printf(problems, "%s%s", problems->len > 0 ? "\n" : "",
		                       p.problems->str);
		g_string_free(p.problems, TRUE);
		template_free(t);
		return NULL;
	}
	g_string_free(p.problems, TRUE);
	return t;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Loads <dir>/<lang>/<kind>.txt into set, replacing what earlier dirs gave. */
static void
template_set_load_folder(template_set *set, const char *dir, const char *lang, GString *problems)
{
	char *folder = g_build_filename(dir, lang, NULL);
	GDir *handle = g_dir_open(folder, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *entry;

	if (handle == NULL) {
		g_free(folder);
		g_ptr_array_unref(names);
		return;
	}
	while ((entry = g_dir_read_name(handle)) != NULL)
		if (g_str_has_suffix(entry, ".txt") && entry[0] != '.')
			g_ptr_array_add(names, g_strdup(entry));
	g_dir_close(handle);
	/* Sorted, so that problems come in the same order on every system. */
	g_ptr_array_sort(names, compare_names);
	for (guint i = 0; i < names->len; i++) {
		const char *file = g_ptr_array_index(names, i);
		char *path = g_build_filename(folder, file, NULL);
		char *text = NULL;
		GError *local = NULL;
		template *t;

		if (!g_file_get_contents(path, &text, NULL, &local)) {
			g_string_append_printf(problems, "%s%s", problems->len > 0 ? "\n" : "",
			                       local->message);
			g_clear_error(&local);
			g_free(path);
			continue;
		}
		t = template_parse(path, text, problems);
		if (t != NULL) {
			char *kind = g_strndup(file, strlen(file) - strlen(".txt"));
			g_hash_table_replace(set->templates, g_strdup_printf("%s/%s", lang, kind),
			                     t);
			g_free(kind);
		}
		g_free(text);
		g_free(path);
	}
	g_ptr_array_unref(names);
	g_free(folder);
}

template_set *
template_set_load(const char *const *dirs, const char *const *languages, GError **error)
{
	template_set *set = g_new0(template_set, 1);
	GString *problems = g_string_new(NULL);
	GPtrArray *langs = g_ptr_array_new();

	set->templates = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, template_free);
	if (languages == NULL)
		languages = locale_languages();
	g_ptr_array_add(langs, (gpointer)TEMPLATE_FALLBACK_LANGUAGE);
	for (size_t i = 0; languages[i] != NULL; i++) {
		const char *lang = locale_normalise(languages[i]);
		bool seen = false;
		for (guint j = 0; j < langs->len; j++)
			seen = seen || strcmp(g_ptr_array_index(langs, j), lang) == 0;
		if (!seen)
			g_ptr_array_add(langs, (gpointer)lang);
	}
	for (guint j = 0; j < langs->len; j++)
		for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++)
			template_set_load_folder(set, dirs[i], g_ptr_array_index(langs, j),
			                         problems);
	g_ptr_array_unref(langs);
	if (problems->len > 0) {
		g_set_error_literal(error, DM_ERROR, DM_ERROR_CONFIG, problems->str);
		g_string_free(problems, TRUE);
		template_set_free(set);
		return NULL;
	}
	g_string_free(problems, TRUE);
	return set;
}

void
template_set_free(template_set *set)
{
	if (set == NULL)
		return;
	g_hash_table_destroy(set->templates);
	g_free(set);
}

static template *
template_set_find(const template_set *set, const char *lang, const char *kind)
{
	char *key = g_strdup_printf("%s/%s", lang, kind);
	template *t = g_hash_table_lookup(set->templates, key);

	g_free(key);
	return t;
}

bool
template_set_has(const template_set *set, const char *lang, const char *kind)
{
	return locale_supported(lang) &&
	       template_set_find(set, locale_normalise(lang), kind) != NULL;
}

const char *
template_set_path(const template_set *set, const char *lang, const char *kind)
{
	template *t;

	if (!locale_supported(lang))
		return NULL;
	t = template_set_find(set, locale_normalise(lang), kind);
	return t != NULL ? t->path : NULL;
}

/* ---- rendering ---- */

typedef struct {
	const char *lang;
	const char *path;
	GString *missing;  /* "path:line: no value for {x}" lines */
	GPtrArray *scopes; /* template_values *, the innermost last */
} renderer;

static const value *
renderer_lookup(const renderer *r, const char *name)
{
	for (guint i = r->scopes->len; i > 0; i--) {
		const template_values *scope = g_ptr_array_index(r->scopes, i - 1);
		const value *v = g_hash_table_lookup(scope->table, name);
		if (v != NULL)
			return v;
	}
	return NULL;
}

/*
 * Empty values hide {?x} sections: no value, empty text, a zero amount or
 * percentage (no fee, no discount), a count of zero or fewer days (not
 * overdue), a number of zero or less, an empty list.
 */
static bool
value_is_empty(const value *v)
{
	if (v == NULL)
		return true;
	switch (v->kind) {
	case VALUE_TEXT:
		return v->text[0] == '\0';
	case VALUE_MONEY:
	case VALUE_PERCENT:
		return v->number == 0;
	case VALUE_DAYS:
	case VALUE_NUMBER:
		return v->number <= 0;
	case VALUE_LIST:
		return v->items->len == 0;
	case VALUE_DATE:
	default:
		return false;
	}
}

/* The section name's value, for the derived names too ("due_date_short" -> due_date). */
static const value *
renderer_lookup_any(const renderer *r, const char *name, bool *is_short, bool *is_text)
{
	const value *v = renderer_lookup(r, name);
	const placeholder_info *base;

	*is_short = *is_text = false;
	if (v != NULL || placeholder_find(name) != NULL)
		return v;
	if ((base = placeholder_find_derived(name, "_short", VALUE_DATE)) != NULL) {
		*is_short = true;
		return renderer_lookup(r, base->name);
	}
	if ((base = placeholder_find_derived(name, "_text", VALUE_DAYS)) != NULL) {
		*is_text = true;
		return renderer_lookup(r, base->name);
	}
	return NULL;
}

static void renderer_problem(renderer *r, int line, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
renderer_problem(renderer *r, int line, const char *fmt, ...)
{
	va_list args;

	if (r->missing->len > 0)
		g_string_append_c(r->missing, '\n');
	g_string_append_printf(r->missing, "%s:%d: ", r->path, line);
	va_start(args, fmt);
	g_string_append_vprintf(r->missing, fmt, args);
	va_end(args);
}

static void
renderer_value(renderer *r, const node *n, GString *out)
{
	bool is_short, is_text;
	const value *v = renderer_lookup_any(r, n->text, &is_short, &is_text);
	char *formatted = NULL;

	if (v == NULL) {
		renderer_problem(r, n->line, "no value for {%s}", n->text);
		return;
	}
	if ((is_short && v->kind != VALUE_DATE) || (is_text && v->kind != VALUE_DAYS)) {
		renderer_problem(r, n->line, "{%s} needs %s", n->text,
		                 is_short ? "a date" : "a number of days");
		return;
	}
	switch (v->kind) {
	case VALUE_TEXT:
		g_string_append(out, v->text);
		return;
	case VALUE_MONEY:
		formatted = locale_format_money(r->lang, v->number, v->currency);
		break;
	case VALUE_DATE:
		formatted = locale_format_date(r->lang, v->date,
		                               is_short ? LOCALE_DATE_SHORT : LOCALE_DATE_LONG);
		break;
	case VALUE_DAYS:
		formatted = is_text ? locale_format_days(r->lang, v->number)
		                    : g_strdup_printf("%" G_GINT64_FORMAT, v->number);
		break;
	case VALUE_NUMBER:
		formatted = g_strdup_printf("%" G_GINT64_FORMAT, v->number);
		break;
	case VALUE_PERCENT:
		formatted = locale_format_percent(r->lang, (int32_t)v->number);
		break;
	case VALUE_LIST:
		renderer_problem(r, n->line, "{%s} is a list", n->text);
		return;
	}
	g_string_append(out, formatted);
	g_free(formatted);
}

static void renderer_nodes(renderer *r, const GPtrArray *nodes, GString *out);

static void
renderer_section(renderer *r, const node *n, GString *out)
{
	bool is_short, is_text;
	const value *v = renderer_lookup_any(r, n->text, &is_short, &is_text);

	switch (n->type) {
	case NODE_IF:
		if (!value_is_empty(v))
			renderer_nodes(r, n->children, out);
		break;
	case NODE_UNLESS:
		if (value_is_empty(v))
			renderer_nodes(r, n->children, out);
		break;
	case NODE_LIST:
		if (v == NULL) {
			renderer_problem(r, n->line, "no value for {#%s}", n->text);
			break;
		}
		if (v->kind != VALUE_LIST) {
			renderer_problem(r, n->line, "{#%s} needs a list", n->text);
			break;
		}
		for (guint i = 0; i < v->items->len; i++) {
			g_ptr_array_add(r->scopes, g_ptr_array_index(v->items, i));
			renderer_nodes(r, n->children, out);
			g_ptr_array_remove_index(r->scopes, r->scopes->len - 1);
		}
		break;
	default:
		break;
	}
}

static void
renderer_nodes(renderer *r, const GPtrArray *nodes, GString *out)
{
	for (guint i = 0; i < nodes->len; i++) {
		const node *n = g_ptr_array_index(nodes, i);
		if (n->type == NODE_TEXT)
			g_string_append(out, n->text);
		else if (n->type == NODE_VALUE)
			renderer_value(r, n, out);
		else
			renderer_section(r, n, out);
	}
}

bool
template_render(const template_set *set, const char *lang, const char *kind,
                const template_values *values, char **subject, char **body, bool *used_fallback,
                GError **error)
{
	const char *code = locale_normalise(lang);
	template *t = locale_supported(lang) ? template_set_find(set, code, kind) : NULL;
	bool fallback = false;
	renderer r;
	GString *subject_out, *body_out;

	if (t == NULL) {
		code = TEMPLATE_FALLBACK_LANGUAGE;
		t = template_set_find(set, code, kind);
		fallback = true;
	}
	if (t == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND,
		            "no template \"%s\" for language %s nor for %s", kind,
		            lang != NULL ? lang : "(none)", TEMPLATE_FALLBACK_LANGUAGE);
		return false;
	}
	r.lang = code;
	r.path = t->path;
	r.missing = g_string_new(NULL);
	r.scopes = g_ptr_array_new();
	g_ptr_array_add(r.scopes, (gpointer)values);
	subject_out = g_string_new(NULL);
	body_out = g_string_new(NULL);
	renderer_nodes(&r, t->subject, subject_out);
	renderer_nodes(&r, t->body, body_out);
	g_ptr_array_unref(r.scopes);
	if (r.missing->len > 0) {
		g_set_error_literal(error, DM_ERROR, DM_ERROR_INPUT, r.missing->str);
		g_string_free(r.missing, TRUE);
		g_string_free(subject_out, TRUE);
		g_string_free(body_out, TRUE);
		return false;
	}
	g_string_free(r.missing, TRUE);
	*subject = g_string_free(subject_out, FALSE);
	*body = g_string_free(body_out, FALSE);
	if (used_fallback != NULL)
		*used_fallback = fallback;
	return true;
}
