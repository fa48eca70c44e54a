/*
 * Concept lexicons: reading <dir>/lexicon and <dir>/<lang>/lexicon, and
 * expanding {concept} and {~N} in rule patterns.  See filter/lexicon.h.
 */
#include "filter/lexicon.h"

#include <string.h>

#include "common/util.h"
#include "filter/language.h"

/* Nesting of {concept} inside concepts: deeper is surely a mistake. */
#define LEXICON_DEPTH_MAX 8

/*
 * The pieces a gap is built of.  A word starts with a letter or digit and
 * may hold inner punctuation ("e-mail", "FV/2026/10/045", "1.250,00",
 * "30.11.2026"), a day number may carry its ordinal dot ("am 3. Dezember"),
 * and a few abbreviations keep their dot ("Rechnung Nr. 31", "ca. 300"),
 * looked behind for once a dot follows the word, not tried at every word
 * (one "\\b" a branch: PCRE2 wants each branch of a lookbehind of one
 * length);
 * a separator is anything but a letter, a digit or the end of a sentence.
 * Both are atomic, and a word cannot start where a separator can, so a gap
 * never backtracks into itself.
 */
#define GAP_WORD \
	"(?>\\w[\\w']*(?:[-/.,:+@&]\\w[\\w']*)*(?:\\.(?<=\\b\\d\\.|\\b\\d\\d\\.|\\bnr\\.|" \
	"\\bca\\.|\\bbzw\\.|\\bggf\\.|\\bevtl\\.|\\binkl\\.|\\bzzgl\\.|\\bref\\.|\\btel\\.|" \
	"\\bul\\.|\\bnp\\.|\\btj\\.|\\bstr\\.|\\bdr\\.|\\bmr\\.|\\bmrs\\.|\\bms\\.|\\bhr\\.|" \
	"\\bsr\\.|\\bsra\\.|\\bnb\\.|\\bvs\\.|\\betc\\.|\\bapprox\\.|\\bresp\\.|\\bart\\.|" \
	"\\bfakt\\.|\\bfv\\.|\\binv\\.)|\\.(?<=\\bno\\.)(?=\\s*\\d))?)"
#define GAP_SEPARATOR "(?>[^\\w.!?;\\n]+)"
/*
 * A gap {~N} repeats a word and a separator up to N times, and PCRE2 copies
 * a group once for each repeat it may make: the word (the longest piece,
 * with its abbreviations) is defined once at the end of the pattern and
 * called from each repeat.  A pattern of three gaps compiled and
 * JIT-compiled several times faster so.
 */
#define GAP_WORD_NAME "dm_gap_word"
#define GAP_WORD_CALL "(?&" GAP_WORD_NAME ")"
#define GAP_WORD_DEFINE "(?(DEFINE)(?<" GAP_WORD_NAME ">" GAP_WORD "))"
/* The tight gap {-N}: words separated by spaces only, no comma or dash. */
#define GAP_SPACE "(?>[^\\S\\n]+)"

typedef struct {
	char *name;
	GPtrArray *items; /* char *: as written, not folded */
	/* The items as patterns use them, made on first use: words folded and
	 * in lower case, the insides of /regex/ items folded (with their
	 * slashes), {nested} concepts as written. */
	GPtrArray *folded;
	char *file;       /* where the concept was first defined, for messages */
	guint line;
} concept;

/* One language's concepts ("" holds the common ones of <dir>/lexicon). */
typedef struct {
	GHashTable *concepts; /* name -> concept * */
	char *clause_break;   /* PCRE2 source, or NULL */
	/* name -> its expansion for this language, made once: rules name the
	 * same concepts over and over, and a trie takes time to build. */
	GHashTable *expansions;
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
	if (c->folded != NULL)
		g_ptr_array_unref(c->folded);
	g_free(c->file);
	g_free(c);
}

static void
language_lexicon_free(gpointer data)
{
	language_lexicon *l = data;

	g_hash_table_unref(l->concepts);
	g_hash_table_unref(l->expansions);
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
		l->expansions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
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

/*
 * A concept of a few hundred words written as a plain alternation costs
 * PCRE2 one attempt per word at every position of the reply.  So the words
 * are merged into a trie first ("paid|pay|payment" becomes
 * "pa(?:id|y(?:ment)?)"): one branch per character, whatever the number of
 * words.  The trie is built on the folded, lower-case form of each word
 * (matching is caseless and the text is folded), one node per character;
 * a space stands for any white space, a hyphen for a hyphen, a space or
 * nothing.
 */
typedef enum {
	WORD_END_BOUNDARY = 1, /* the word ends here: \b */
	WORD_END_STEM = 2,     /* any ending: \w*\b */
	WORD_END_PLAIN = 4,    /* ends on a non-word character: nothing to add */
} word_end;

/*
 * The nodes of the tries of one expansion live in one array and their
 * atoms in one string: a concept of a thousand words is a few thousand
 * nodes, and one allocation each was most of the cost of loading a pack.
 */
#define TRIE_NONE G_MAXUINT

typedef struct {
	guint first_child, last_child, next_sibling;
	guint atom;        /* offset in trie.atoms of the regex text of this node's character */
	guint8 atom_length;
	guint8 ends;       /* word_end bits */
} trie_node;

typedef struct {
	GArray *nodes; /* trie_node */
	GString *atoms;
} trie;

static guint
trie_node_add(trie *t, const char *atom, size_t length)
{
	trie_node n = {TRIE_NONE, TRIE_NONE, TRIE_NONE, (guint)t->atoms->len, (guint8)length, 0};

	g_string_append_len(t->atoms, atom, (gssize)length);
	g_array_append_val(t->nodes, n);
	return t->nodes->len - 1;
}

static trie_node *
trie_at(const trie *t, guint i)
{
	return &g_array_index(t->nodes, trie_node, i);
}

static guint
trie_child(trie *t, guint parent, const char *atom, size_t length)
{
	guint child;

	for (child = trie_at(t, parent)->first_child; child != TRIE_NONE;
	     child = trie_at(t, child)->next_sibling) {
		const trie_node *c = trie_at(t, child);
		if (c->atom_length == length && memcmp(t->atoms->str + c->atom, atom, length) == 0)
			return child;
	}
	child = trie_node_add(t, atom, length);
	trie_node *p = trie_at(t, parent);
	if (p->last_child == TRIE_NONE)
		p->first_child = child;
	else
		trie_at(t, p->last_child)->next_sibling = child;
	p->last_child = child;
	return child;
}

static bool
is_word_byte(unsigned char c)
{
	/* Bytes of UTF-8 sequences are letters as far as boundaries go. */
	return g_ascii_isalnum(c) || c == '_' || c >= 0x80;
}

/* The regex text of one character of a word, into buffer (16 bytes); its length. */
static size_t
word_atom(const char *p, const char *next, char *buffer)
{
	size_t n = (size_t)(next - p);

	if (*p == ' ' || *p == '\t')
		return (size_t)g_strlcpy(buffer, "\\s+", 16);
	if (*p == '-')
		return (size_t)g_strlcpy(buffer, "[-\\s]?", 16);
	if (strchr("\\.^$|?*+()[]{}/", *p) != NULL) {
		buffer[0] = '\\';
		buffer[1] = *p;
		return 2;
	}
	if (n > 8)
		n = 8;
	memcpy(buffer, p, n);
	return n;
}

/*
 * Adds one word or phrase, folded and in lower case ("paid out", "zapłac*",
 * "*zahlung"), to the trie at root (or, starting with "*", at any_start).
 */
static void
trie_add_word(trie *t, guint root, guint any_start_root, const char *word)
{
	size_t n = strlen(word);
	bool any_start = n > 0 && word[0] == '*';
	bool any_end = n > 1 && word[n - 1] == '*';
	const char *p = word + any_start, *end = word + n - any_end;
	guint node = any_start ? any_start_root : root;
	char atom[16];

	while (p < end) {
		const char *next = g_utf8_next_char(p);
		/* Runs of spaces are one "\s+". */
		if (*p == ' ' || *p == '\t') {
			while (next < end && (*next == ' ' || *next == '\t'))
				next++;
		}
		if (next > end)
			next = end;
		size_t length = word_atom(p, next, atom);
		node = trie_child(t, node, atom, length);
		p = next;
	}
	if (any_end)
		trie_at(t, node)->ends |= WORD_END_STEM;
	else if (end > word + any_start && is_word_byte((unsigned char)end[-1]))
		trie_at(t, node)->ends |= WORD_END_BOUNDARY;
	else
		trie_at(t, node)->ends |= WORD_END_PLAIN;
}

/* Longer atoms first is not needed; stable order keeps the output readable. */
static void
trie_emit(const trie *t, guint i, GString *out)
{
	const trie_node *n = trie_at(t, i);
	guint branches = (n->ends & WORD_END_STEM ? 1 : 0) +
	                 (n->ends & WORD_END_BOUNDARY && !(n->ends & WORD_END_STEM) ? 1 : 0) +
	                 (n->ends & WORD_END_PLAIN ? 1 : 0);
	guint written = 0;
	bool group;

	for (guint c = n->first_child; c != TRIE_NONE && branches < 2; c = trie_at(t, c)->next_sibling)
		branches++;
	group = branches > 1;
	if (group)
		g_string_append(out, "(?:");
	/* Children first: "paid out" is matched whole before "paid". */
	for (guint c = n->first_child; c != TRIE_NONE; c = trie_at(t, c)->next_sibling) {
		const trie_node *child = trie_at(t, c);
		if (written++ > 0)
			g_string_append_c(out, '|');
		g_string_append_len(out, t->atoms->str + child->atom, child->atom_length);
		trie_emit(t, c, out);
	}
	if (n->ends & WORD_END_STEM) {
		if (written++ > 0)
			g_string_append_c(out, '|');
		g_string_append(out, "\\w*\\b");
	} else if (n->ends & WORD_END_BOUNDARY) {
		if (written++ > 0)
			g_string_append_c(out, '|');
		g_string_append(out, "\\b");
	}
	if (n->ends & WORD_END_PLAIN) {
		if (written++ > 0)
			g_string_append_c(out, '|');
	}
	if (group)
		g_string_append(out, ")");
}

static bool
trie_empty(const trie *t, guint root)
{
	return trie_at(t, root)->first_child == TRIE_NONE;
}

static const concept *
concept_find(const lexicon *lx, const char *language, const char *name, const concept **common)
{
	language_lexicon *l = language != NULL ? g_hash_table_lookup(lx->languages, language) : NULL;
	language_lexicon *all = g_hash_table_lookup(lx->languages, "");

	*common = all != NULL ? g_hash_table_lookup(all->concepts, name) : NULL;
	return l != NULL ? g_hash_table_lookup(l->concepts, name) : NULL;
}

/* The items of c as patterns use them (see concept.folded). */
static const GPtrArray *
concept_folded(const concept *c)
{
	concept *mutable = (concept *)c;

	if (c->folded != NULL)
		return c->folded;
	/* Made while the lexicon loads rules, under the rules' lock, like the
	 * expansions cache. */
	mutable->folded = g_ptr_array_new_full(c->items->len, g_free);
	for (guint i = 0; i < c->items->len; i++) {
		const char *item = g_ptr_array_index(c->items, i);
		size_t n = strlen(item);
		if (item[0] == '/') {
			char *inside = language_fold_text(item + 1, n - 2, NULL);
			g_ptr_array_add(mutable->folded, g_strdup_printf("/%s/", inside));
			g_free(inside);
		} else if (item[0] == '{' && item[n - 1] == '}') {
			g_ptr_array_add(mutable->folded, g_strdup(item));
		} else {
			char *folded = language_fold_text(item, n, NULL);
			g_ptr_array_add(mutable->folded, g_utf8_strdown(folded, -1));
			g_free(folded);
		}
	}
	return c->folded;
}

/*
 * The items of a concept, nested concepts flattened into them, so that all
 * the words of {pay-any} = {pay}, {pay-done} share one trie: borrowed, in
 * their folded forms (concept_folded).  Raw /regex/ items are collected
 * apart, without their slashes (owned by regexes).
 */
static bool
collect_items(const lexicon *lx, const char *language, const char *name, int depth,
              GPtrArray *words, GPtrArray *regexes, GError **error)
{
	const concept *common, *own;

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
	for (int pass = 0; pass < 2; pass++) {
		const concept *c = pass == 0 ? common : own;
		const GPtrArray *items = c != NULL ? concept_folded(c) : NULL;
		for (guint i = 0; items != NULL && i < items->len; i++) {
			const char *item = g_ptr_array_index(items, i);
			size_t n = strlen(item);
			if (item[0] == '/') {
				/* Folded like the words, so that patterns may be folded
				 * before their concepts are expanded. */
				g_ptr_array_add(regexes, g_strndup(item + 1, n - 2));
			} else if (item[0] == '{' && item[n - 1] == '}') {
				char *inner = g_strndup(item + 1, n - 2);
				bool ok = collect_items(lx, language, inner, depth + 1, words, regexes,
				                        error);
				g_free(inner);
				if (!ok)
					return false;
			} else {
				g_ptr_array_add(words, (gpointer)item);
			}
		}
	}
	return true;
}

static bool
expand_concept(const lexicon *lx, const char *language, const char *name, int depth,
               GString *out, GError **error)
{
	GPtrArray *words = g_ptr_array_new();
	GPtrArray *regexes = g_ptr_array_new_with_free_func(g_free);
	trie t = {g_array_new(FALSE, FALSE, sizeof(trie_node)), g_string_new(NULL)};
	guint bounded = trie_node_add(&t, "", 0), any_start = trie_node_add(&t, "", 0),
	      plain = trie_node_add(&t, "", 0);
	guint alternatives = 0;
	bool ok = collect_items(lx, language, name, depth, words, regexes, error);

	if (!ok) {
		/* Say which concept holds the bad one, unless it is itself unknown. */
		char *self = g_strdup_printf("unknown concept {%s}", name);
		if (depth == 0 && !g_str_has_prefix((*error)->message, self))
			g_prefix_error(error, "in {%s}: ", name);
		g_free(self);
		goto out;
	}
	for (guint i = 0; i < words->len; i++) {
		const char *word = g_ptr_array_index(words, i);
		/* Words that start with a letter start at a word boundary; "'ll" or
		 * "/" do not. */
		if (word[0] == '*' || is_word_byte((unsigned char)word[0]))
			trie_add_word(&t, bounded, any_start, word);
		else
			trie_add_word(&t, plain, any_start, word);
	}
	g_string_append(out, "(?:");
	if (!trie_empty(&t, bounded)) {
		g_string_append(out, "\\b");
		trie_emit(&t, bounded, out);
		alternatives++;
	}
	if (!trie_empty(&t, any_start)) {
		if (alternatives++ > 0)
			g_string_append_c(out, '|');
		g_string_append(out, "\\b\\w*");
		trie_emit(&t, any_start, out);
	}
	if (!trie_empty(&t, plain)) {
		if (alternatives++ > 0)
			g_string_append_c(out, '|');
		trie_emit(&t, plain, out);
	}
	for (guint i = 0; i < regexes->len; i++) {
		if (alternatives++ > 0)
			g_string_append_c(out, '|');
		g_string_append_printf(out, "(?:%s)", (char *)g_ptr_array_index(regexes, i));
	}
	g_string_append(out, ")");
out:
	g_array_unref(t.nodes);
	g_string_free(t.atoms, TRUE);
	g_ptr_array_unref(words);
	g_ptr_array_unref(regexes);
	return ok;
}

/*
 * A concept's expansion, from the language's cache when it was made
 * before.  The cache is filled while the lexicon is used to load rules, in
 * one thread: the lexicon is immutable to everyone else.
 */
static bool
expand_concept_cached(const lexicon *lx, const char *language, const char *name, GString *out,
                      GError **error)
{
	language_lexicon *l = g_hash_table_lookup(lx->languages, language != NULL ? language : "");
	const char *cached = l != NULL ? g_hash_table_lookup(l->expansions, name) : NULL;
	GString *made;

	if (cached != NULL) {
		g_string_append(out, cached);
		return true;
	}
	made = g_string_new(NULL);
	if (!expand_concept(lx, language, name, 0, made, error)) {
		g_string_free(made, TRUE);
		return false;
	}
	g_string_append(out, made->str);
	if (l != NULL)
		g_hash_table_insert(l->expansions, g_strdup(name), g_string_free(made, FALSE));
	else
		g_string_free(made, TRUE);
	return true;
}

bool
lexicon_concept_keys(const lexicon *lx, const char *language, const char *name,
                     GPtrArray *exact, GPtrArray *prefix)
{
	GPtrArray *words = g_ptr_array_new();
	GPtrArray *regexes = g_ptr_array_new_with_free_func(g_free);
	bool keyed = collect_items(lx, language, name, 0, words, regexes, NULL) &&
	             regexes->len == 0;

	for (guint i = 0; keyed && i < words->len; i++) {
		const char *lower = g_ptr_array_index(words, i);
		const char *end = lower;
		while (*end != '\0' && g_unichar_isalnum(g_utf8_get_char(end)))
			end = g_utf8_next_char(end);
		if (end == lower || (*end == '-' && g_utf8_strlen(lower, end - lower) < 2)) {
			keyed = false; /* "*suffix", "'ll", "/", "e-mail" */
		} else if (*end == '-') {
			/* "re-send" may be written "resend": the first part as a stem. */
			g_ptr_array_add(prefix, g_strndup(lower, (gsize)(end - lower)));
		} else {
			/* A stem when its first run is the whole item before the "*". */
			bool stem = *end == '*' && end[1] == '\0';
			g_ptr_array_add(stem ? prefix : exact, g_strndup(lower, (gsize)(end - lower)));
		}
	}
	g_ptr_array_unref(words);
	g_ptr_array_unref(regexes);
	return keyed;
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
	bool gaps = false;

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
				g_string_append_printf(out,
						       GAP_SPACE "(?:" GAP_WORD_CALL GAP_SPACE "){0,%u}?",
						       (unsigned)n);
			else
				g_string_append_printf(out, GAP_SEPARATOR "(?:" GAP_WORD_CALL
							    GAP_SEPARATOR "){0,%u}?",
						       (unsigned)n);
			gaps = true;
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
				if (!expand_concept_cached(lx, language, name, out, error)) {
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
	if (gaps)
		g_string_append(out, GAP_WORD_DEFINE);
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
			if (!expand_concept_cached(lx, *(const char *)code != '\0' ? code : NULL,
						   c->name, out, &error)) {
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

/* Only the clause-break concepts, expanded: what a lazy load needs at once. */
static void
find_clause_breaks(lexicon *lx, GString *errors)
{
	GHashTableIter languages;
	gpointer code, value;

	g_hash_table_iter_init(&languages, lx->languages);
	while (g_hash_table_iter_next(&languages, &code, &value)) {
		language_lexicon *l = value;
		GString *out;
		GError *error = NULL;
		if (*(const char *)code == '\0' ||
		    g_hash_table_lookup(l->concepts, "clause-break") == NULL)
			continue;
		out = g_string_new(NULL);
		if (expand_concept_cached(lx, code, "clause-break", out, &error)) {
			l->clause_break = g_string_free(out, FALSE);
		} else {
			g_string_append_printf(errors, "%s\n", error->message);
			g_error_free(error);
			g_string_free(out, TRUE);
		}
	}
}

static lexicon *lexicon_load_mode(const char *const *dirs, const char *const *languages,
                                  bool check, GError **error);

lexicon *
lexicon_load(const char *const *dirs, const char *const *languages, GError **error)
{
	return lexicon_load_mode(dirs, languages, true, error);
}

lexicon *
lexicon_load_unchecked(const char *const *dirs, const char *const *languages, GError **error)
{
	return lexicon_load_mode(dirs, languages, false, error);
}

static lexicon *
lexicon_load_mode(const char *const *dirs, const char *const *languages, bool check,
                  GError **error)
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
	if (errors->len == 0 && check)
		check_concepts(lx, errors);
	else if (errors->len == 0)
		find_clause_breaks(lx, errors);
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
