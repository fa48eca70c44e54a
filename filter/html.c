/*
 * HTML to text: walk libxml2's recovered DOM and write text with pending
 * line breaks and spaces, so that nested blocks do not pile up blank lines.
 */
#include "filter/html.h"

#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <string.h>

/* libxml2 itself stops nesting at 256 levels; this guards our recursion too. */
#define HTML_MAX_DEPTH 512

typedef struct {
	GString *out;
	int pending_newlines; /* line breaks owed before the next text */
	bool pending_space;   /* a collapsed white-space run before the next text */
	bool drop_quotes;
	bool stopped; /* an Outlook reply header was seen: the rest is the quote */
	int pre_depth;
} html_writer;

static bool
html_name_is(const xmlNode *node, const char *name)
{
	return node->name != NULL && g_ascii_strcasecmp((const char *)node->name, name) == 0;
}

static bool
html_name_in(const xmlNode *node, const char *const *names)
{
	for (size_t i = 0; names[i] != NULL; i++)
		if (html_name_is(node, names[i]))
			return true;
	return false;
}

/* An attribute's value (g_free), or NULL. */
static char *
html_attribute(const xmlNode *node, const char *name)
{
	xmlChar *value = xmlGetNoNsProp(node, (const xmlChar *)name);
	char *copy;

	if (value == NULL)
		return NULL;
	copy = g_strdup((const char *)value);
	xmlFree(value);
	return copy;
}

static bool
html_has_class(const xmlNode *node, const char *class_name)
{
	char *classes = html_attribute(node, "class");
	bool found = false;

	if (classes == NULL)
		return false;
	char **tokens = g_strsplit_set(classes, " \t\r\n\f", -1);
	for (size_t i = 0; tokens[i] != NULL && !found; i++)
		found = g_ascii_strcasecmp(tokens[i], class_name) == 0;
	g_strfreev(tokens);
	g_free(classes);
	return found;
}

static bool
html_has_id(const xmlNode *node, const char *id)
{
	char *value = html_attribute(node, "id");
	bool found = value != NULL && g_ascii_strcasecmp(g_strstrip(value), id) == 0;

	g_free(value);
	return found;
}

/*
 * Outlook desktop opens the quoted original with a header block styled
 * "border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"
 * (older versions use #B5C4DF).  Spaces vary between versions, so compare
 * without them.
 */
static bool
html_is_outlook_border_header(const xmlNode *node)
{
	char *style = html_attribute(node, "style");
	bool found = false;

	if (style == NULL)
		return false;
	GString *compact = g_string_new(NULL);
	for (const char *p = style; *p != '\0'; p++)
		if (!g_ascii_isspace(*p))
			g_string_append_c(compact, g_ascii_tolower(*p));
	found = strstr(compact->str, "border:none") != NULL &&
	        strstr(compact->str, "border-top:solid") != NULL;
	g_string_free(compact, TRUE);
	g_free(style);
	return found;
}

/* Containers that hold only the quoted original: skipped with their content. */
static bool
html_is_quote_container(const xmlNode *node)
{
	if (html_name_is(node, "blockquote"))
		return true;
	return html_has_class(node, "gmail_quote") || html_has_class(node, "gmail_attr") ||
	       html_has_class(node, "gmail_quote_container") ||
	       html_has_class(node, "yahoo_quoted") || html_has_class(node, "moz-cite-prefix");
}

/* Outlook reply headers: the quoted original follows them, outside them. */
static bool
html_is_quote_start(const xmlNode *node)
{
	if (!html_name_is(node, "div"))
		return false;
	return html_has_id(node, "divRplyFwdMsg") || html_has_id(node, "appendonsend") ||
	       html_has_class(node, "OutlookMessageHeader") || html_is_outlook_border_header(node);
}

static void
html_request_newlines(html_writer *w, int n)
{
	if (w->pending_newlines < n)
		w->pending_newlines = n;
	w->pending_space = false;
}

/* Writes the line breaks owed, or the collapsed space, before new text. */
static void
html_flush_pending(html_writer *w)
{
	if (w->pending_newlines > 0) {
		if (w->out->len > 0) {
			int have = 0;
			for (gsize i = w->out->len; i > 0 && w->out->str[i - 1] == '\n'; i--)
				have++;
			for (int i = have; i < w->pending_newlines; i++)
				g_string_append_c(w->out, '\n');
		}
		w->pending_newlines = 0;
		w->pending_space = false;
	} else if (w->pending_space) {
		if (w->out->len > 0 && w->out->str[w->out->len - 1] != '\n')
			g_string_append_c(w->out, ' ');
		w->pending_space = false;
	}
}

/* A no-break space counts as white space: Outlook fills empty paragraphs with it. */
static bool
html_is_space(gunichar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x00A0 ||
	       c == 0x200B;
}

static void
html_write_text(html_writer *w, const char *text)
{
	if (text == NULL)
		return;
	if (w->pre_depth > 0) {
		html_flush_pending(w);
		/* Preformatted text keeps its bytes, but only valid UTF-8 ones. */
		char *valid = g_utf8_make_valid(text, -1);
		for (const char *p = valid; *p != '\0'; p++)
			if (*p != '\r')
				g_string_append_c(w->out, *p);
		g_free(valid);
		return;
	}
	for (const char *p = text; *p != '\0';) {
		gunichar c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			/* The caller promised UTF-8; keep going with a replacement,
			 * one byte on: the lead byte's length may run past the end. */
			html_flush_pending(w);
			g_string_append_unichar(w->out, 0xFFFD);
			p++;
			continue;
		}
		p = g_utf8_next_char(p);
		if (html_is_space(c)) {
			w->pending_space = true;
			continue;
		}
		html_flush_pending(w);
		g_string_append_unichar(w->out, c);
	}
}

static const char *const html_skipped[] = {"head",     "script",   "style",  "title",
                                           "noscript", "template", "object", NULL};
static const char *const html_paragraphs[] = {"p",          "h1", "h2", "h3",    "h4",  "h5", "h6",
                                              "blockquote", "ul", "ol", "table", "pre", "dl", NULL};
static const char *const html_blocks[] = {
    "div",     "tr",     "li",     "dt",    "dd",     "hr",      "address",  "section",
    "article", "header", "footer", "form",  "center", "caption", "fieldset", "nav",
    "aside",   "main",   "figure", "tbody", "thead",  "tfoot",   "body",     NULL};

static void html_walk(html_writer *w, xmlNode *node, int depth);

static void
html_walk_element(html_writer *w, xmlNode *node, int depth)
{
	int block = 0;

	if (html_name_in(node, html_skipped))
		return;
	if (w->drop_quotes) {
		if (html_is_quote_start(node)) {
			w->stopped = true;
			return;
		}
		if (html_is_quote_container(node))
			return;
	}
	if (html_name_is(node, "br")) {
		html_flush_pending(w);
		g_string_append_c(w->out, '\n');
		w->pending_space = false;
		return;
	}
	if (html_name_in(node, html_paragraphs))
		block = 2;
	else if (html_name_in(node, html_blocks))
		block = 1;
	if (block > 0)
		html_request_newlines(w, block);
	if (html_name_is(node, "li")) {
		html_flush_pending(w);
		g_string_append(w->out, "- ");
	}
	if ((html_name_is(node, "td") || html_name_is(node, "th")) && node->prev != NULL) {
		/* Cells after the first are separated; the first starts the row's line. */
		const xmlNode *before = node->prev;
		while (before != NULL && before->type != XML_ELEMENT_NODE)
			before = before->prev;
		if (before != NULL) {
			html_flush_pending(w);
			g_string_append_c(w->out, '\t');
			w->pending_space = false;
		}
	}
	if (html_name_is(node, "pre"))
		w->pre_depth++;
	html_walk(w, node->children, depth + 1);
	if (html_name_is(node, "pre"))
		w->pre_depth--;
	if (block > 0)
		html_request_newlines(w, block);
}

static void
html_walk(html_writer *w, xmlNode *node, int depth)
{
	if (depth > HTML_MAX_DEPTH)
		return;
	for (; node != NULL && !w->stopped; node = node->next) {
		switch (node->type) {
		case XML_ELEMENT_NODE:
			html_walk_element(w, node, depth);
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			html_write_text(w, (const char *)node->content);
			break;
		default:
			/* Comments, processing instructions, DTD: not text. */
			break;
		}
	}
}

/* Trailing spaces off every line, at most one blank line, no blank ends. */
static char *
html_tidy_lines(const char *text)
{
	GString *out = g_string_new(NULL);
	char **lines = g_strsplit(text, "\n", -1);
	int blank_run = 0;

	for (size_t i = 0; lines[i] != NULL; i++) {
		g_strchomp(lines[i]);
		if (lines[i][0] == '\0') {
			blank_run++;
			continue;
		}
		if (out->len > 0)
			g_string_append(out, blank_run > 0 ? "\n\n" : "\n");
		blank_run = 0;
		g_string_append(out, lines[i]);
	}
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}

char *
html_to_text(const char *html, size_t length, bool drop_quotes)
{
	html_writer w = {.drop_quotes = drop_quotes};
	htmlDocPtr doc;
	char *text;

	if (html == NULL || length == 0 || length > INT_MAX)
		return g_strdup("");
	/*
	 * The encoding is forced: the caller already decoded the MIME charset,
	 * and a stale <meta charset> must not make libxml2 decode it again.
	 */
	doc = htmlReadMemory(html, (int)length, NULL, "UTF-8",
	                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                         HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
	if (doc == NULL)
		return g_strdup("");
	w.out = g_string_new(NULL);
	html_walk(&w, xmlDocGetRootElement(doc), 0);
	xmlFreeDoc(doc);
	text = html_tidy_lines(w.out->str);
	g_string_free(w.out, TRUE);
	return text;
}
