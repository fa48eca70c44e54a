/*
 * The word index of a rule set: see filter/rules-index.h.
 */
#include "filter/rules-index.h"

#include <stdint.h>
#include <string.h>

#include "filter/language.h"

/* Word prefixes shorter than this are not indexed: they would mark too much. */
#define INDEX_PREFIX_MIN 2
/* Longer words are looked up by their first letters only. */
#define INDEX_WORD_MAX 64

/* What is known of an anchor (rules_index.flags). */
enum {
	ANCHOR_ALWAYS = 1, /* some of its words cannot be keyed: no word tells where it is */
	ANCHOR_LEAD = 2,   /* a pattern's match starts with it: where its words are is kept */
};

struct rules_index {
	GHashTable *exact;   /* word -> GArray of guint anchor ids */
	GHashTable *prefix;  /* word prefix -> GArray of guint anchor ids */
	GArray *always;      /* guint: anchors that cannot be keyed, present in every text */
	GHashTable *anchors; /* "{name}" or "word" -> GUINT_TO_POINTER(id + 1) */
	GByteArray *flags;   /* ANCHOR_* bits, one byte an anchor */
	guint n_anchors;
};

struct rules_index_hits {
	/* Plain arrays of n_anchors, zeroed by calloc: a reply is scanned
	 * for each language tried and most anchors stay untouched. */
	guint n_anchors;
	guint32 *last;       /* an anchor: 1 + where its last word starts, 0 when absent */
	GArray **starts;     /* an anchor's GArray of size_t word starts, for ANCHOR_LEAD ones, or NULL */
	GArray *started;     /* guint: the anchors with starts, to free only those */
};

static void
id_array_free(gpointer data)
{
	g_array_unref(data);
}

rules_index *
rules_index_new(void)
{
	rules_index *index = g_new0(rules_index, 1);
	index->exact = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, id_array_free);
	index->prefix = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, id_array_free);
	index->always = g_array_new(FALSE, FALSE, sizeof(guint));
	index->anchors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	index->flags = g_byte_array_new();
	return index;
}

void
rules_index_free(gpointer data)
{
	rules_index *index = data;

	if (index == NULL)
		return;
	g_hash_table_unref(index->exact);
	g_hash_table_unref(index->prefix);
	g_array_unref(index->always);
	g_hash_table_unref(index->anchors);
	g_byte_array_unref(index->flags);
	g_free(index);
}

static void
index_add_key(GHashTable *table, const char *key, guint id)
{
	GArray *ids = g_hash_table_lookup(table, key);

	if (ids == NULL) {
		ids = g_array_new(FALSE, FALSE, sizeof(guint));
		g_hash_table_insert(table, g_strdup(key), ids);
	}
	g_array_append_val(ids, id);
}

/* A new anchor's id, with no flags yet. */
static guint
index_new_anchor(rules_index *index)
{
	guint8 none = 0;

	g_byte_array_append(index->flags, &none, 1);
	return index->n_anchors++;
}

static void
index_add_always(rules_index *index, guint id)
{
	g_array_append_val(index->always, id);
	index->flags->data[id] |= ANCHOR_ALWAYS;
}

/* Folded, lower-case: how words are compared. */
static char *
index_normalise(const char *word, size_t length)
{
	char *folded = language_fold_text(word, length, NULL);
	char *lower = g_utf8_strdown(folded, -1);

	g_free(folded);
	return lower;
}

/* The anchor of a concept, made on first use; G_MAXUINT when it cannot be made. */
static guint
index_concept_anchor(rules_index *index, const lexicon *lx, const char *language,
                     const char *name)
{
	char *key = g_strdup_printf("{%s}", name);
	gpointer known = g_hash_table_lookup(index->anchors, key);
	GPtrArray *exact, *prefix;
	guint id;

	if (known != NULL) {
		g_free(key);
		return GPOINTER_TO_UINT(known) - 1;
	}
	id = index_new_anchor(index);
	exact = g_ptr_array_new_with_free_func(g_free);
	prefix = g_ptr_array_new_with_free_func(g_free);
	if (lx != NULL && lexicon_concept_keys(lx, language, name, exact, prefix)) {
		for (guint i = 0; i < exact->len; i++)
			index_add_key(index->exact, g_ptr_array_index(exact, i), id);
		for (guint i = 0; i < prefix->len; i++) {
			const char *p = g_ptr_array_index(prefix, i);
			if (g_utf8_strlen(p, -1) >= INDEX_PREFIX_MIN)
				index_add_key(index->prefix, p, id);
			else
				index_add_always(index, id);
		}
	} else {
		index_add_always(index, id);
	}
	g_ptr_array_unref(exact);
	g_ptr_array_unref(prefix);
	g_hash_table_insert(index->anchors, key, GUINT_TO_POINTER(id + 1));
	return id;
}

/* The anchor of a literal word of a pattern: any text word that starts with it. */
static guint
index_word_anchor(rules_index *index, const char *word, size_t length)
{
	char *key = index_normalise(word, length);
	gpointer known = g_hash_table_lookup(index->anchors, key);
	guint id;

	if (known != NULL) {
		g_free(key);
		return GPOINTER_TO_UINT(known) - 1;
	}
	id = index_new_anchor(index);
	index_add_key(index->prefix, key, id);
	g_hash_table_insert(index->anchors, key, GUINT_TO_POINTER(id + 1));
	return id;
}

/* ---- reading a pattern -------------------------------------------------- */

/* What the parser needs while it walks one pattern. */
typedef struct {
	rules_index *index;
	const lexicon *lx;
	const char *language;
} reading;

static bool
is_word_char(const char *p)
{
	if ((unsigned char)*p < 0x80)
		return g_ascii_isalnum(*p) || *p == '_';
	return g_unichar_isalnum(g_utf8_get_char(p));
}

/* Does a quantifier that allows zero times follow at p? */
static bool
optional_after(const char *p, const char *end)
{
	return p < end && (*p == '?' || *p == '*' || (*p == '{' && p + 1 < end && p[1] == '0'));
}

/* Skips a quantifier at p, if any. */
static const char *
skip_quantifier(const char *p, const char *end)
{
	if (p < end && (*p == '?' || *p == '*' || *p == '+'))
		p++;
	else if (p < end && *p == '{' && p + 1 < end && g_ascii_isdigit(p[1])) {
		const char *close = memchr(p, '}', (size_t)(end - p));
		if (close != NULL)
			p = close + 1;
	}
	/* Lazy or possessive. */
	if (p < end && (*p == '?' || *p == '+'))
		p++;
	return p;
}

/* The end of the character class that starts at p ('['). */
static const char *
class_end(const char *p, const char *end)
{
	p++;
	if (p < end && *p == '^')
		p++;
	if (p < end && *p == ']')
		p++;
	while (p < end && *p != ']') {
		if (*p == '\\' && p + 1 < end)
			p++;
		p++;
	}
	return p < end ? p + 1 : end;
}

/* The matching ')' of the group that starts at p ('('), or NULL. */
static const char *
group_end(const char *p, const char *end)
{
	int depth = 0;

	while (p < end) {
		if (*p == '\\' && p + 1 < end) {
			p += 2;
			continue;
		}
		if (*p == '[') {
			p = class_end(p, end);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Where a group's content starts, or NULL for lookarounds and option settings. */
static const char *
group_content(const char *open, const char *close)
{
	const char *p = open + 1;

	if (p < close && *p != '?')
		return p; /* a capturing group */
	if (close - p >= 2 && (p[1] == ':' || p[1] == '>' || p[1] == '|'))
		return p + 2;
	if (close - p >= 3 && p[1] == '<' && p[2] != '=' && p[2] != '!') {
		const char *gt = memchr(p, '>', (size_t)(close - p));
		return gt != NULL ? gt + 1 : NULL;
	}
	if (close - p >= 3 && p[1] == 'P' && p[2] == '<') {
		const char *gt = memchr(p, '>', (size_t)(close - p));
		return gt != NULL ? gt + 1 : NULL;
	}
	return NULL;
}

/* The end of the concept token "{name}" at p, or NULL when it is none. */
static const char *
concept_end(const char *p, const char *end)
{
	const char *q = p + 1;

	if (q >= end || !g_ascii_islower(*q))
		return NULL;
	while (q < end && (g_ascii_islower(*q) || g_ascii_isdigit(*q) || *q == '-' || *q == '_'))
		q++;
	return q < end && *q == '}' ? q : NULL;
}

/* The end of a gap token "{~N}" or "{-N}" at p, or NULL. */
static const char *
gap_end(const char *p, const char *end)
{
	const char *q = p + 1;

	if (q >= end || (*q != '~' && *q != '-'))
		return NULL;
	q++;
	while (q < end && g_ascii_isdigit(*q))
		q++;
	return q < end && *q == '}' && q > p + 2 ? q : NULL;
}

/*
 * The end of the top-level branch of a pattern that starts at p: the "|"
 * outside any group or class that ends it, or e.
 */
static const char *
branch_end(const char *p, const char *e)
{
	int depth = 0;

	for (; p < e; p++) {
		if (*p == '\\' && p + 1 < e)
			p++;
		else if (*p == '[')
			p = class_end(p, e) - 1;
		else if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == '|' && depth == 0)
			return p;
	}
	return e;
}

static bool alternatives_anchors(reading *r, const char *s, const char *e, bool boundary,
                                 GArray *ids);

/*
 * The anchors one alternative of a group starts with: its first element
 * that must match, when it is a concept, a word at a word start, or a group
 * whose every branch has anchors.  False when there is none.
 */
static bool
alternative_anchors(reading *r, const char *s, const char *e, bool boundary, GArray *ids)
{
	const char *p = s;

	while (p < e) {
		if (*p == '\\' && p + 1 < e && (p[1] == 'b' || p[1] == 'A' || p[1] == 'G')) {
			boundary = boundary || p[1] != 'G';
			p += 2;
			continue;
		}
		if (*p == '^') {
			boundary = true;
			p++;
			continue;
		}
		break;
	}
	if (p >= e)
		return false;
	if (*p == '{') {
		const char *close = concept_end(p, e);
		if (close == NULL || optional_after(close + 1, e))
			return false;
		char *name = g_strndup(p + 1, (gsize)(close - p - 1));
		guint id = index_concept_anchor(r->index, r->lx, r->language, name);
		g_free(name);
		g_array_append_val(ids, id);
		return true;
	}
	if (*p == '(') {
		const char *close = group_end(p, e);
		const char *content = close != NULL ? group_content(p, close) : NULL;
		if (content == NULL || optional_after(close + 1, e))
			return false;
		return alternatives_anchors(r, content, close, boundary, ids);
	}
	if (boundary && is_word_char(p)) {
		const char *q = p;
		while (q < e && is_word_char(q))
			q = g_utf8_next_char(q);
		/* "colou?r": the letter before a quantifier may be missing. */
		if (q < e && (*q == '?' || *q == '*' || *q == '{'))
			q = g_utf8_prev_char(q);
		if (g_utf8_strlen(p, q - p) < INDEX_PREFIX_MIN)
			return false;
		guint id = index_word_anchor(r->index, p, (size_t)(q - p));
		g_array_append_val(ids, id);
		return true;
	}
	return false;
}

/* The anchors of every top-level alternative of [s, e); false when one has none. */
static bool
alternatives_anchors(reading *r, const char *s, const char *e, bool boundary, GArray *ids)
{
	for (const char *start = s;;) {
		const char *end = branch_end(start, e);
		if (!alternative_anchors(r, start, end, boundary, ids))
			return false;
		if (end >= e)
			return true;
		start = end + 1;
	}
}

/* Does [s, e) have an alternation at its top level? */
static bool
has_top_alternation(const char *s, const char *e)
{
	return branch_end(s, e) < e;
}

char **
rules_index_split_alternatives(const char *source)
{
	const char *end = source + strlen(source), *start = source, *options_end = source;
	GPtrArray *pieces;
	char *options;

	/* A leading "(?s)" or "(?m)" sets options for everything after it. */
	if (source[0] == '(' && source[1] == '?') {
		const char *p = source + 2;
		while (g_ascii_isalpha(*p) || *p == '-' || *p == '^')
			p++;
		if (*p == ')' && p > source + 2)
			options_end = p + 1;
	}
	if (!has_top_alternation(options_end, end))
		return NULL;
	options = g_strndup(source, (gsize)(options_end - source));
	pieces = g_ptr_array_new();
	for (start = options_end;;) {
		const char *piece_end = branch_end(start, end);
		g_ptr_array_add(pieces,
		                g_strdup_printf("%s%.*s", options, (int)(piece_end - start), start));
		if (piece_end >= end)
			break;
		start = piece_end + 1;
	}
	g_free(options);
	g_ptr_array_add(pieces, NULL);
	return (char **)g_ptr_array_free(pieces, FALSE);
}

static void
add_requirement(GPtrArray *requirements, GArray *ids)
{
	if (ids->len > 0)
		g_ptr_array_add(requirements, g_array_ref(ids));
}

static void sequence_requirements(reading *r, const char *s, const char *e, bool boundary,
                                  GPtrArray *requirements);

/*
 * A requirement of a group with branches that do not all start with an
 * anchor ("(?:{~1}\bis\s+being|{~2}\bwill)"): when every branch requires
 * something somewhere, the branch's most selective requirement (fewest
 * anchors) stands for it, and one of those must be present.
 */
static bool
branches_requirement(reading *r, const char *s, const char *e, bool boundary, GArray *ids)
{
	for (const char *start = s;;) {
		const char *end = branch_end(start, e);
		GPtrArray *own = g_ptr_array_new_with_free_func(id_array_free);
		GArray *best = NULL;
		sequence_requirements(r, start, end, boundary, own);
		for (guint i = 0; i < own->len; i++) {
			GArray *candidate = g_ptr_array_index(own, i);
			if (best == NULL || candidate->len < best->len)
				best = candidate;
		}
		if (best != NULL)
			g_array_append_vals(ids, best->data, best->len);
		g_ptr_array_unref(own);
		if (best == NULL)
			return false;
		if (end >= e)
			return true;
		start = end + 1;
	}
}

/*
 * Walks a sequence without top-level alternation, adding what it requires;
 * boundary: does a word at s start at a word boundary?
 */
static void
sequence_requirements(reading *r, const char *s, const char *e, bool boundary,
                      GPtrArray *requirements)
{
	const char *p = s;

	while (p < e) {
		if (*p == '\\' && p + 1 < e) {
			char c = p[1];
			p += 2;
			if (c == 'b' || c == 'A' || c == 'G' || c == 'z' || c == 'Z' || c == 'B' || c == 'K') {
				boundary = boundary || c == 'b';
				continue;
			}
			if (strchr("pPxogkNu", c) != NULL && p < e && *p == '{') {
				const char *close = memchr(p, '}', (size_t)(e - p));
				p = close != NULL ? close + 1 : e;
			}
			/* \s, \W and punctuation leave a word start behind them; \w, \d do
			 * not, nor does an optional one ("pay\s?pal" is "paypal" too). */
			boundary = (c == 's' || c == 'W' || c == 'h' || c == 'R' || c == 'n' ||
			            (!g_ascii_isalnum(c) && c != '_')) &&
			           !optional_after(p, e);
			p = skip_quantifier(p, e);
			continue;
		}
		if (*p == '{') {
			const char *close = gap_end(p, e);
			if (close != NULL) {
				p = close + 1;
				boundary = true; /* a gap ends on a separator */
				continue;
			}
			close = concept_end(p, e);
			if (close != NULL) {
				if (!optional_after(close + 1, e)) {
					GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint));
					char *name = g_strndup(p + 1, (gsize)(close - p - 1));
					guint id = index_concept_anchor(r->index, r->lx, r->language, name);
					g_array_append_val(ids, id);
					add_requirement(requirements, ids);
					g_array_unref(ids);
					g_free(name);
				}
				p = skip_quantifier(close + 1, e);
				boundary = true; /* concepts end at a word boundary */
				continue;
			}
		}
		if (*p == '(') {
			const char *close = group_end(p, e);
			const char *content = close != NULL ? group_content(p, close) : NULL;
			if (close == NULL)
				return;
			if (content != NULL && !optional_after(close + 1, e)) {
				GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint));
				if (!has_top_alternation(content, close)) {
					/* One branch: what it requires, the whole requires. */
					sequence_requirements(r, content, close, boundary, requirements);
				} else if (alternatives_anchors(r, content, close, boundary, ids)) {
					add_requirement(requirements, ids);
				} else {
					g_array_set_size(ids, 0);
					if (branches_requirement(r, content, close, boundary, ids))
						add_requirement(requirements, ids);
				}
				g_array_unref(ids);
			}
			p = skip_quantifier(close + 1, e);
			boundary = false;
			continue;
		}
		if (*p == '[') {
			p = skip_quantifier(class_end(p, e), e);
			boundary = false;
			continue;
		}
		if (is_word_char(p)) {
			const char *q = p;
			while (q < e && is_word_char(q))
				q = g_utf8_next_char(q);
			const char *word_end = q;
			if (q < e && (*q == '?' || *q == '*' || *q == '{'))
				word_end = g_utf8_prev_char(q);
			if (boundary && g_utf8_strlen(p, word_end - p) >= 3) {
				GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint));
				guint id = index_word_anchor(r->index, p, (size_t)(word_end - p));
				g_array_append_val(ids, id);
				add_requirement(requirements, ids);
				g_array_unref(ids);
			}
			p = skip_quantifier(q, e);
			boundary = false;
			continue;
		}
		/* Punctuation, '.', '^', '$', a space; not when optional ("e-?mail"). */
		boundary = *p != '.' && !optional_after(p + 1, e);
		p = skip_quantifier(p + 1, e);
	}
}

GPtrArray *
rules_index_requirements(rules_index *index, const lexicon *lx, const char *language,
                         const char *source)
{
	reading r = {index, lx, language};
	const char *end = source + strlen(source);
	GPtrArray *requirements = g_ptr_array_new_with_free_func(id_array_free);

	if (has_top_alternation(source, end)) {
		GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint));
		if (alternatives_anchors(&r, source, end, false, ids))
			add_requirement(requirements, ids);
		g_array_unref(ids);
	} else {
		/* No word boundary before the pattern: "placil" matches inside
		 * "Zaplacilbym", so a first word without "\b" requires nothing. */
		sequence_requirements(&r, source, end, false, requirements);
	}
	if (requirements->len == 0) {
		g_ptr_array_unref(requirements);
		return NULL;
	}
	return requirements;
}

/* Are the parentheses of [s, e) balanced, so that it may be wrapped in a group? */
static bool
balanced(const char *s, const char *e)
{
	int depth = 0;

	for (const char *p = s; p < e; p++) {
		if (*p == '\\' && p + 1 < e) {
			/* "\Q...\E" quotes parentheses the count cannot see. */
			if (p[1] == 'Q')
				return false;
			p++;
		} else if (*p == '[') {
			p = class_end(p, e) - 1;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && --depth < 0) {
			return false;
		}
	}
	return depth == 0;
}

GArray *
rules_index_lead(rules_index *index, const lexicon *lx, const char *language, const char *source)
{
	reading r = {index, lx, language};
	const char *end = source + strlen(source);
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint));

	/* No word boundary is assumed before the pattern: a word it starts
	 * with leads only after "\b" or "^" (a concept starts at a boundary). */
	if (!balanced(source, end) || !alternatives_anchors(&r, source, end, false, ids))
		goto none;
	for (guint i = 0; i < ids->len; i++)
		if (index->flags->data[g_array_index(ids, guint, i)] & ANCHOR_ALWAYS)
			goto none;
	for (guint i = 0; i < ids->len; i++)
		index->flags->data[g_array_index(ids, guint, i)] |= ANCHOR_LEAD;
	return ids;
none:
	g_array_unref(ids);
	return NULL;
}

/* ---- a reply's words --------------------------------------------------- */

/* Marks the anchors ids present, and keeps where the word at start is for those that lead. */
static void
mark(const rules_index *index, rules_index_hits *hits, const GArray *ids, size_t start)
{
	for (guint i = 0; ids != NULL && i < ids->len; i++) {
		guint id = g_array_index(ids, guint, i);
		GArray *starts;
		if (hits->last[id] != G_MAXUINT32)
			hits->last[id] = (guint32)start + 1;
		if (!(index->flags->data[id] & ANCHOR_LEAD))
			continue;
		starts = hits->starts[id];
		if (starts == NULL) {
			starts = g_array_new(FALSE, FALSE, sizeof(size_t));
			hits->starts[id] = starts;
			g_array_append_val(hits->started, id);
		}
		/* A word marks an anchor once, by its exact form or a prefix. */
		if (starts->len == 0 || g_array_index(starts, size_t, starts->len - 1) != start)
			g_array_append_val(starts, start);
	}
}

rules_index_hits *
rules_index_scan(const rules_index *index, const char *folded)
{
	rules_index_hits *hits = g_new0(rules_index_hits, 1);
	char word[INDEX_WORD_MAX * 6 + 1];
	size_t prefix_ends[INDEX_WORD_MAX + 1];
	const char *p = folded;

	hits->n_anchors = index->n_anchors;
	hits->last = g_new0(guint32, index->n_anchors);
	hits->starts = g_new0(GArray *, index->n_anchors);
	hits->started = g_array_new(FALSE, FALSE, sizeof(guint));
	for (guint i = 0; i < index->always->len; i++)
		hits->last[g_array_index(index->always, guint, i)] = G_MAXUINT32;
	while (*p != '\0') {
		size_t length = 0, chars = 0, start;
		while (*p != '\0' && !is_word_char(p))
			p = g_utf8_next_char(p);
		start = (size_t)(p - folded);
		/* One word, lower case: its prefixes end at each character. */
		while (*p != '\0' && is_word_char(p)) {
			if (chars < INDEX_WORD_MAX) {
				if ((unsigned char)*p < 0x80)
					word[length++] = g_ascii_tolower(*p);
				else
					length += (size_t)g_unichar_to_utf8(
					    g_unichar_tolower(g_utf8_get_char(p)), word + length);
				prefix_ends[++chars] = length;
			}
			p = g_utf8_next_char(p);
		}
		if (chars == 0)
			continue;
		word[length] = '\0';
		mark(index, hits, g_hash_table_lookup(index->exact, word), start);
		for (size_t k = chars; k >= INDEX_PREFIX_MIN; k--) {
			char saved = word[prefix_ends[k]];
			word[prefix_ends[k]] = '\0';
			mark(index, hits, g_hash_table_lookup(index->prefix, word), start);
			word[prefix_ends[k]] = saved;
		}
	}
	return hits;
}

void
rules_index_hits_free(gpointer data)
{
	rules_index_hits *hits = data;

	if (hits == NULL)
		return;
	g_free(hits->last);
	/* Most anchors have no starts: free those that do, not look at all. */
	for (guint i = 0; i < hits->started->len; i++)
		g_array_unref(hits->starts[g_array_index(hits->started, guint, i)]);
	g_array_unref(hits->started);
	g_free(hits->starts);
	g_free(hits);
}

size_t
rules_index_next_lead(const rules_index_hits *hits, const GArray *lead, size_t from, size_t to)
{
	size_t best = SIZE_MAX;

	for (guint i = 0; i < lead->len; i++) {
		guint id = g_array_index(lead, guint, i);
		const GArray *starts = id < hits->n_anchors ? hits->starts[id] : NULL;
		guint lo = 0, hi = starts != NULL ? starts->len : 0;
		/* The first start at or after from: starts are in text order. */
		while (lo < hi) {
			guint mid = lo + (hi - lo) / 2;
			if (g_array_index(starts, size_t, mid) < from)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (starts != NULL && lo < starts->len) {
			size_t at = g_array_index(starts, size_t, lo);
			if (at < to && at < best)
				best = at;
		}
	}
	return best;
}

bool
rules_index_reach(const GPtrArray *requirements, const rules_index_hits *hits, size_t *horizon)
{

	*horizon = SIZE_MAX;
	for (guint i = 0; requirements != NULL && i < requirements->len; i++) {
		const GArray *ids = g_ptr_array_index(requirements, i);
		guint32 latest = 0;
		for (guint k = 0; k < ids->len; k++) {
			guint id = g_array_index(ids, guint, k);
			guint32 at = id < hits->n_anchors ? hits->last[id] : G_MAXUINT32;
			if (at > latest)
				latest = at;
		}
		if (latest == 0)
			return false;
		if (latest != G_MAXUINT32 && latest - 1 < *horizon)
			*horizon = latest - 1;
	}
	return true;
}
