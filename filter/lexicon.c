/*
 * Concept lexicons: reading <dir>/lexicon and <dir>/<lang>/lexicon, and
 * expanding {concept} and {~N} in rule patterns.  See filter/lexicon.h.
 */
#include "filter/lexicon.h"

#include <string.h>

#include "common/util.h"

/* Nesting of {concept} inside concepts: deeper is surely a mistake. */
#define LEXICON_DEPTH_MAX 8

/*
 * The pieces a gap is built of.  A word starts with a letter or digit and
 * may hold inner punctuation ("e-mail", "FV/2026/10/045", "1.250,00",
 * "30.11.2026"), a day number may carry its ordinal dot ("am 3. Dezember"),
 * and a few abbreviations keep their dot ("Rechnung Nr. 31", "ca. 300");
 * a separator is anything but a letter, a digit or the end of a sentence.
 * Both are atomic, and a word cannot start where a separator can, so a gap
 * never backtracks into itself.
 */
#define GAP_WORD                                                                          \
	"(?>(?:nr|ca|bzw|ggf|evtl|inkl|zzgl|ref|tel|ul|np|tj|str|dr|mr|mrs|ms|hr|sr|sra|"   \
	"nb|vs|etc|approx|resp|art|fakt|fv|inv|no(?=\\.\\s*\\d))\\.|"                          \
	"\\w[\\w']*(?:[-/.,:+@&]\\w[\\w']*)*(?:(?<=\\b\\d)\\.|(?<=\\b\\d\\d)\\.)?)"
#define GAP_SEPARATOR "(?>[^\\w.!?;\\n]+)"
/* The tight gap {-N}: words separated by spaces only, no comma or dash. */
#define GAP_SPACE "(?>[^\\S\\n]+)"

typedef struct {
	char *name;
	GPtrArray *items; /* char *: as written, not folded */
	char *file;       /* where the concept was first defined, for messages */
	guint line;
} concept;

/* One language's concepts ("" holds the common ones of <dir>/lexicon). */
typedef struct {
	GHashTable *concepts; /* name -> concept * */
	char *clause_break;   /* PCRE2 source, or NULL */
} language_lexicon;

struct lexicon {
	GHashTable *languages; /* code -> language_lexicon * ("" = common) */
};

static void
concept_free(gpointer data)
{
	concept *c = data;

	g_free(c->name);
	g_ptr_array_unref(c->items);
	g_free(c->file);
	g_free(c);
}

static void
language_lexicon_free(gpointer data)
{
	language_lexicon *l = data;

	g_hash_table_unref(l->concepts);
	g_free(l->clause_break);
	g_free(l);
}

void
lexicon_free(lexicon *lx)
{
	if (lx == NULL)
		return;
	g_hash_table_unref(lx->languages);
	g_free(lx);
}

static language_lexicon *
language_get(lexicon *lx, const char *code)
{
	language_lexicon *l = g_hash_table_lookup(lx->languages, code);

	if (l == NULL) {
		l = g_new0(language_lexicon, 1);
		l->concepts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, concept_free);
		g_hash_table_insert(lx->languages, g_strdup(code), l);
	}
	return l;
}

static bool
concept_name_valid(const char *name)
{
	if (!g_ascii_islower(name[0]))
		return false;
	for (const char *p = name; *p != '\0'; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-' && *p != '_')
			return false;
	return strlen(name) <= 64;
}

/* Where one file's problems go. */
typedef struct {
	const char *path;
	GString *errors;
} lexicon_reader;

static void G_GNUC_PRINTF(3, 4)
reader_error(lexicon_reader *r, guint line, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	g_string_append_printf(r->errors, "%s:%u: ", r->path, line);
	g_string_append_vprintf(r->errors, fmt, args);
	g_string_append_c(r->errors, '\n');
	va_end(args);
}

/*
 * Splits "a, b*, /x,y/, {c}" into items.  A /regex/ item runs to the next
 * unescaped slash, so it may hold commas.  False (with an error) on an
 * empty item or an unterminated regex.
 */
static bool
split_items(lexicon_reader *r, guint line, const char *value, GPtrArray *out)
{
	const char *p = value;

	while (*p != '\0') {
		const char *start, *end;
		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		if (*p == '/') {
			p++;
			while (*p != '\0' && *p != '/') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			if (*p != '/') {
				reader_error(r, line, "unterminated /regex/ in \"%s\"", value);
				return false;
			}
			p++;
			end = p;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ',' && *p != '\0') {
				reader_error(r, line, "text after a /regex/ item in \"%s\"", value);
				return false;
			}
		} else {
			while (*p != '\0' && *p != ',')
				p++;
			end = p;
			while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
		}
		if (end == start || (end - start == 1 && *start == '*')) {
			reader_error(r, line, "empty item in \"%s\"", value);
			return false;
		}
		g_ptr_array_add(out, g_strndup(start, (gsize)(end - start)));
		if (*p == ',') {
			p++;
			if (*p == '\0' || strspn(p, " \t") == strlen(p)) {
				reader_error(r, line, "empty item at the end of \"%s\"", value);
				return false;
			}
		}
	}
	return true;
}

static void
read_file(lexicon *lx, const char *path, const char *code, GString *errors)
{
	lexicon_reader r = {path, errors};
	char *data = NULL, **lines;
	GError *error = NULL;
	language_lexicon *l;

	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return;
	if (!g_file_get_contents(path, &data, NULL, &error)) {
		reader_error(&r, 0, "%s", error->message);
		g_error_free(error);
		return;
	}
	if (!g_utf8_validate(data, -1, NULL)) {
		reader_error(&r, 0, "not valid UTF-8");
		g_free(data);
		return;
	}
	l = language_get(lx, code);
	lines = g_strsplit(data, "\n", -1);
	for (guint n = 0; lines[n] != NULL; n++) {
		char *text = g_strstrip(lines[n]), *eq, *name;
		GPtrArray *items;
		concept *c;

		if (text[0] == '\0' || text[0] == '#')
			continue;
		if ((eq = strchr(text, '=')) == NULL) {
			reader_error(&r, n + 1, "expected \"concept = word, word, ...\"");
			continue;
		}
		*eq = '\0';
		name = g_strstrip(text);
		if (!concept_name_valid(name)) {
			reader_error(&r, n + 1,
				     "concept name \"%s\" is not lower-case letters, digits, - and _",
				     name);
			continue;
		}
		items = g_ptr_array_new_with_free_func(g_free);
		bool split = split_items(&r, n + 1, g_strstrip(eq + 1), items);
		if (split && items->len == 0)
			reader_error(&r, n + 1, "concept %s has no words", name);
		if (!split || items->len == 0) {
			g_ptr_array_unref(items);
			continue;
		}
		c = g_hash_table_lookup(l->concepts, name);
		if (c == NULL) {
			c = g_new0(concept, 1);
			c->name = g_strdup(name);
			c->items = g_ptr_array_new_with_free_func(g_free);
			c->file = g_strdup(path);
			c->line = n + 1;
			g_hash_table_insert(l->concepts, c->name, c);
		}
		for (guint i = 0; i < items->len; i++)
			g_ptr_array_add(c->items, g_strdup(g_ptr_array_index(items, i)));
		g_ptr_array_unref(items);
	}
	g_strfreev(lines);
	g_free(data);
}

/* ---- expansion -------------------------------------------------------- */

static bool
is_word_byte(unsigned char c)
{
	/* Bytes of UTF-8 sequences are letters as far as boundaries go. */
	return g_ascii_isalnum(c) || c == '_' || c >= 0x80;
}

/* One word or phrase item as PCRE2: escaped, whole words, * as any ending. */
static void
append_word_item(GString *out, const char *item)
{
	size_t n = strlen(item);
	bool any_start = n > 0 && item[0] == '*';
	bool any_end = n > 1 && item[n - 1] == '*';
	const char *p = item + any_start, *end = item + n - any_end;

	if (any_start)
		g_string_append(out, "\\b\\w*");
	else if (p < end && is_word_byte((unsigned char)*p))
		g_string_append(out, "\\b");
	for (; p < end; p++) {
		if (*p == ' ' || *p == '\t') {
			while (p + 1 < end && (p[1] == ' ' || p[1] == '\t'))
				p++;
			g_string_append(out, "\\s+");
		} else if (*p == '-') {
			g_string_append(out, "[-\\s]?");
		} else if (strchr("\\.^$|?*+()[]{}/", *p) != NULL) {
			g_string_append_c(out, '\\');
			g_string_append_c(out, *p);
		} else {
			g_string_append_c(out, *p);
		}
	}
	if (any_end)
		g_string_append(out, "\\w*\\b");
	else if (n > 0 && is_word_byte((unsigned char)end[-1]))
		g_string_append(out, "\\b");
}

static const concept *
concept_find(const lexicon *lx, const char *language, const char *name, const concept **common)
{
	language_lexicon *l = language != NULL ? g_hash_table_lookup(lx->languages, language) : NULL;
	language_lexicon *all = g_hash_table_lookup(lx->languages, "");

	*common = all != NULL ? g_hash_table_lookup(all->concepts, name) : NULL;
	return l != NULL ? g_hash_table_lookup(l->concepts, name) : NULL;
}

static bool expand_concept(const lexicon *lx, const char *language, const char *name,
                           int depth, GString *out, GError **error);

/* Longer items first: "paid out" is named in an explanation before "paid". */
static gint
compare_length_desc(gconstpointer a, gconstpointer b)
{
	size_t x = strlen(*(const char *const *)a), y = strlen(*(const char *const *)b);
	return x < y ? 1 : x > y ? -1 : strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
expand_items(const lexicon *lx, const char *language, GPtrArray *items, int depth, GString *out,
             GError **error)
{
	g_ptr_array_sort(items, compare_length_desc);
	g_string_append(out, "(?:");
	for (guint i = 0; i < items->len; i++) {
		const char *item = g_ptr_array_index(items, i);
		size_t n = strlen(item);
		if (i > 0)
			g_string_append_c(out, '|');
		if (item[0] == '/') {
			g_string_append(out, "(?:");
			g_string_append_len(out, item + 1, (gssize)n - 2);
			g_string_append(out, ")");
		} else if (item[0] == '{' && item[n - 1] == '}') {
			char *name = g_strndup(item + 1, n - 2);
			bool ok = expand_concept(lx, language, name, depth + 1, out, error);
			g_free(name);
			if (!ok)
				return false;
		} else {
			append_word_item(out, item);
		}
	}
	g_string_append(out, ")");
	return true;
}

static bool
expand_concept(const lexicon *lx, const char *language, const char *name, int depth,
               GString *out, GError **error)
{
	const concept *common, *own;
	GPtrArray *items;
	bool ok;

	if (depth > LEXICON_DEPTH_MAX) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
			    "concept {%s} is nested more than %d deep (does it name itself?)", name,
			    LEXICON_DEPTH_MAX);
		return false;
	}
	own = concept_find(lx, language, name, &common);
	if (own == NULL && common == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG, "unknown concept {%s}%s%s%s", name,
			    language != NULL ? " (no " : "", language != NULL ? language : "",
			    language != NULL ? "/lexicon defines it)" : "");
		return false;
	}
	items = g_ptr_array_new();
	for (guint i = 0; common != NULL && i < common->items->len; i++)
		g_ptr_array_add(items, g_ptr_array_index(common->items, i));
	for (guint i = 0; own != NULL && i < own->items->len; i++)
		g_ptr_array_add(items, g_ptr_array_index(own->items, i));
	ok = expand_items(lx, language, items, depth, out, error);
	g_ptr_array_unref(items);
	if (!ok && depth == 0)
		g_prefix_error(error, "in {%s}: ", name);
	return ok;
}

guint
lexicon_concept_count(const lexicon *lx, const char *language)
{
	language_lexicon *l = g_hash_table_lookup(lx->languages, language);
	language_lexicon *all = g_hash_table_lookup(lx->languages, "");
	guint count = l != NULL ? g_hash_table_size(l->concepts) : 0;
	GHashTableIter iter;
	gpointer name;

	if (all == NULL)
		return count;
	g_hash_table_iter_init(&iter, all->concepts);
	while (g_hash_table_iter_next(&iter, &name, NULL))
		if (l == NULL || g_hash_table_lookup(l->concepts, name) == NULL)
			count++;
	return count;
}

const char *
lexicon_clause_break(const lexicon *lx, const char *language)
{
	language_lexicon *l;

	if (lx == NULL || language == NULL)
		return NULL;
	l = g_hash_table_lookup(lx->languages, language);
	return l != NULL ? l->clause_break : NULL;
}

/* Is the brace at p PCRE2's own (\p{..}, \x{..}, \g{..}) or escaped (\{)?  After \b
 * or \s it is ours: "\b{~3}". */
static bool
brace_is_pcre(const char *pattern, const char *p)
{
	size_t backslashes = 0;
	const char *q = p;

	if (q > pattern && strchr("pPxogkNu", q[-1]) != NULL) {
		/* \p{L}, \x{2019}, \N{U+..}, \g{1}: an escape that takes braces. */
		for (q = p - 1; q > pattern && q[-1] == '\\'; q--)
			backslashes++;
		return backslashes % 2 == 1;
	}
	for (q = p; q > pattern && q[-1] == '\\'; q--)
		backslashes++;
	return backslashes % 2 == 1;
}

char *
lexicon_expand(const lexicon *lx, const char *language, const char *pattern, GError **error)
{
	GString *out = g_string_sized_new(strlen(pattern) * 2);
	const char *p = pattern;

	while (*p != '\0') {
		const char *close;
		if (*p != '{' || brace_is_pcre(pattern, p) || (close = strchr(p, '}')) == NULL) {
			g_string_append_c(out, *p++);
			continue;
		}
		if (p[1] == '~' || (p[1] == '-' && g_ascii_isdigit(p[2]))) {
			char *end = NULL;
			guint64 n = g_ascii_strtoull(p + 2, &end, 10);
			bool tight = p[1] == '-';
			if (end == p + 2 || end != close || n > LEXICON_GAP_MAX) {
				g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
					    "gap \"%.*s\": expected {~N} or {-N} with N from 0 to %d",
					    (int)(close - p + 1), p, LEXICON_GAP_MAX);
				g_string_free(out, TRUE);
				return NULL;
			}
			if (tight)
				g_string_append_printf(out, GAP_SPACE "(?:" GAP_WORD GAP_SPACE "){0,%u}?",
						       (unsigned)n);
			else
				g_string_append_printf(out, GAP_SEPARATOR "(?:" GAP_WORD GAP_SEPARATOR
							    "){0,%u}?",
						       (unsigned)n);
			p = close + 1;
			continue;
		}
		if (g_ascii_islower(p[1])) {
			char *name = g_strndup(p + 1, (gsize)(close - p - 1));
			if (concept_name_valid(name)) {
				if (lx == NULL) {
					g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
						    "unknown concept {%s} (no lexicon loaded)", name);
					g_free(name);
					g_string_free(out, TRUE);
					return NULL;
				}
				if (!expand_concept(lx, language, name, 0, out, error)) {
					g_free(name);
					g_string_free(out, TRUE);
					return NULL;
				}
				g_free(name);
				p = close + 1;
				continue;
			}
			g_free(name);
		}
		/* A quantifier ({2,5}) or literal braces: PCRE2's business. */
		g_string_append_c(out, *p++);
	}
	return g_string_free(out, FALSE);
}

/*
 * Every concept of every language is expanded once at load time, so that a
 * concept naming an unknown one (or itself) is reported where it is
 * written, not at its first use by some rule.
 */
static void
check_concepts(lexicon *lx, GString *errors)
{
	GHashTableIter languages;
	gpointer code, value;

	g_hash_table_iter_init(&languages, lx->languages);
	while (g_hash_table_iter_next(&languages, &code, &value)) {
		language_lexicon *l = value;
		GHashTableIter concepts;
		gpointer cv;
		g_hash_table_iter_init(&concepts, l->concepts);
		while (g_hash_table_iter_next(&concepts, NULL, &cv)) {
			concept *c = cv;
			GString *out = g_string_new(NULL);
			GError *error = NULL;
			if (!expand_concept(lx, *(const char *)code != '\0' ? code : NULL, c->name, 0,
					    out, &error)) {
				g_string_append_printf(errors, "%s:%u: %s\n", c->file, c->line,
						       error->message);
				g_error_free(error);
			} else if (strcmp(c->name, "clause-break") == 0 &&
				   *(const char *)code != '\0') {
				l->clause_break = g_string_free(out, FALSE);
				out = NULL;
			}
			if (out != NULL)
				g_string_free(out, TRUE);
		}
	}
}

lexicon *
lexicon_load(const char *const *dirs, const char *const *languages, GError **error)
{
	lexicon *lx = g_new0(lexicon, 1);
	GString *errors = g_string_new(NULL);

	lx->languages = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, language_lexicon_free);
	for (size_t d = 0; dirs != NULL && dirs[d] != NULL; d++) {
		char *common = g_build_filename(dirs[d], "lexicon", NULL);
		read_file(lx, common, "", errors);
		g_free(common);
		for (size_t l = 0; languages != NULL && languages[l] != NULL; l++) {
			char *path = g_build_filename(dirs[d], languages[l], "lexicon", NULL);
			read_file(lx, path, languages[l], errors);
			g_free(path);
		}
	}
	/* A language without a file of its own still sees the common concepts. */
	for (size_t l = 0; languages != NULL && languages[l] != NULL; l++)
		(void)language_get(lx, languages[l]);
	if (errors->len == 0)
		check_concepts(lx, errors);
	if (errors->len > 0) {
		g_string_truncate(errors, errors->len - 1);
		g_set_error_literal(error, DM_ERROR, DM_ERROR_CONFIG, errors->str);
		g_string_free(errors, TRUE);
		lexicon_free(lx);
		return NULL;
	}
	g_string_free(errors, TRUE);
	return lx;
}
