/*
 * The rule engine: reading rule packs, compiling them with PCRE2, and
 * classifying a reply.  The format is documented in dunmail-rules(5).
 */
#include "filter/rules-private.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "filter/language.h"
#include "filter/sentence.h"

static const char *const class_names[RULES_CLASS_COUNT] = {
	[RULES_CLASS_NONE] = "none",
	[RULES_CLASS_PROMISED] = "promised",
	[RULES_CLASS_DISPUTED] = "disputed",
	[RULES_CLASS_PAID] = "paid",
	[RULES_CLASS_AUTOREPLY] = "autoreply",
	[RULES_CLASS_BOUNCE] = "bounce",
	[RULES_CLASS_COPY_REQUESTED] = "copy_requested",
	[RULES_CLASS_PLAN_REQUESTED] = "plan_requested",
	[RULES_CLASS_QUESTION] = "question",
	[RULES_CLASS_UNRECOGNISED] = "unrecognised",
};

const char *
rules_class_name(rules_class klass)
{
	if ((unsigned)klass >= RULES_CLASS_COUNT)
		return "none";
	return class_names[klass];
}

bool
rules_class_from_name(const char *name, rules_class *klass)
{
	for (unsigned i = 0; i < RULES_CLASS_COUNT; i++) {
		if (strcmp(name, class_names[i]) == 0) {
			*klass = (rules_class)i;
			return true;
		}
	}
	return false;
}

/* ---- classifying ------------------------------------------------------ */

/* A field of the reply: its valid UTF-8 text and the folded copy matched. */
typedef struct {
	const char *name;
	char *text;
	size_t length;
	char *folded;
	size_t folded_length;
	GArray *offsets; /* folded byte -> text byte */
} reply_field;

/* Is the line that starts at p empty (only spaces and tabs before its end)? */
static bool
line_is_blank(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return *p == '\n' || *p == '\0';
}

/*
 * Mail clients wrap paragraphs at 72-78 columns, so a sentence such as
 * "den Rest zahlen wir bis Ende\ndes Monats" reaches the rules cut in two,
 * and patterns that stop at the end of a line ([^.!?\n]) would lose the
 * second half of a date phrase or of a verb phrase.  A line break between
 * two non-blank lines is a soft break: it becomes a space, byte for byte,
 * so offsets into the original text stay valid.  Blank lines still end a
 * paragraph.
 */
static void
join_soft_line_breaks(char *folded)
{
	char *line = folded;

	for (char *p = folded; *p != '\0'; p++) {
		if (*p != '\n')
			continue;
		char *next = p + 1;
		if (!line_is_blank(line) && !line_is_blank(next)) {
			if (p > folded && p[-1] == '\r')
				p[-1] = ' ';
			*p = ' ';
		}
		line = next;
	}
}

/*
 * Hides from the patterns every byte of a run without a space past its
 * first RULES_WORD_MAX (cut between characters): a pattern that scans a
 * run from each of its bytes ("\\d[\\d.,]*x") costs the square of the run's
 * length, a megabyte of digits took minutes, and no word of a reply is
 * that long.  The offsets keep pointing into the original text.
 */
static void
cut_long_runs(reply_field *field)
{
	char *folded = field->folded;
	size_t *offsets = (size_t *)(void *)field->offsets->data;
	size_t out = 0, run = 0;
	bool cutting = false;

	for (size_t i = 0; i < field->folded_length; i++) {
		unsigned char c = (unsigned char)folded[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			run = 0;
			cutting = false;
		} else {
			if (!cutting && run >= RULES_WORD_MAX && (c & 0xc0) != 0x80)
				cutting = true;
			run++;
			if (cutting)
				continue;
		}
		folded[out] = folded[i];
		offsets[out] = offsets[i];
		out++;
	}
	if (out == field->folded_length)
		return;
	offsets[out] = offsets[field->folded_length];
	folded[out] = '\0';
	field->folded_length = out;
	g_array_set_size(field->offsets, out + 1);
}

static void
reply_field_init(reply_field *field, const char *name, const char *text)
{
	field->name = name;
	field->text = g_utf8_make_valid(text != NULL ? text : "", -1);
	field->length = strlen(field->text);
	field->folded = language_fold_text(field->text, field->length, &field->offsets);
	field->folded_length = strlen(field->folded);
	join_soft_line_breaks(field->folded);
	cut_long_runs(field);
}

static void
reply_field_clear(reply_field *field)
{
	g_free(field->text);
	g_free(field->folded);
	g_array_unref(field->offsets);
}

/* The original text of folded range [start, end). */
static void
reply_field_range(const reply_field *field, size_t start, size_t end, size_t *text_start,
                  size_t *text_end)
{
	*text_start = g_array_index(field->offsets, size_t, start);
	*text_end = g_array_index(field->offsets, size_t, end);
}

/* The date phrase without the spaces and punctuation around it; NULL when empty. */
static char *
date_phrase(const reply_field *field, size_t start, size_t end)
{
	size_t from, to;
	reply_field_range(field, start, end, &from, &to);
	char *phrase = g_strndup(field->text + from, to - from);
	g_strstrip(phrase);
	size_t n = strlen(phrase);
	while (n > 0 && strchr(",;:-", phrase[n - 1]) != NULL)
		phrase[--n] = '\0';
	g_strchomp(phrase);
	if (phrase[0] == '\0') {
		g_free(phrase);
		return NULL;
	}
	return phrase;
}

typedef enum { REGEX_NO_MATCH, REGEX_MATCH, REGEX_LIMIT } regex_outcome;

/* Everything one classification call needs to run matches. */
typedef struct {
	pcre2_match_context *context;
	pcre2_jit_stack *jit_stack;
	pcre2_match_data *data;
} matcher;

static void
matcher_init(matcher *m)
{
	m->context = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(m->context, RULES_MATCH_LIMIT);
	pcre2_set_depth_limit(m->context, RULES_DEPTH_LIMIT);
	pcre2_set_heap_limit(m->context, RULES_HEAP_LIMIT);
	/* The default 32 KiB JIT stack is small for patterns with many
	 * alternatives on long text; the stack is bounded all the same. */
	m->jit_stack = pcre2_jit_stack_create(RULES_JIT_STACK_START, RULES_JIT_STACK_MAX, NULL);
	if (m->jit_stack != NULL)
		pcre2_jit_stack_assign(m->context, NULL, m->jit_stack);
	m->data = pcre2_match_data_create(RULES_OVECTOR_PAIRS, NULL);
}

static void
matcher_clear(matcher *m)
{
	pcre2_match_data_free(m->data);
	pcre2_jit_stack_free(m->jit_stack);
	pcre2_match_context_free(m->context);
}

static void
matcher_free(gpointer data)
{
	matcher *m = data;

	matcher_clear(m);
	g_free(m);
}

/*
 * One matcher per thread, made on first use and kept: creating the match
 * context, the JIT stack (an mmap) and the match data for every message
 * cost more than most of the matching.
 */
static GPrivate thread_matcher = G_PRIVATE_INIT(matcher_free);

static matcher *
matcher_for_thread(void)
{
	matcher *m = g_private_get(&thread_matcher);

	if (m == NULL) {
		m = g_new0(matcher, 1);
		matcher_init(m);
		g_private_set(&thread_matcher, m);
	}
	return m;
}

gint rules_profiling;

/*
 * Runs one regex over the folded field from byte from, seeing the field as
 * if it ended at byte limit; on a match fills the folded ranges of the
 * whole match and of the "date" group (date_start = SIZE_MAX when unset).
 */
static regex_outcome regex_run(matcher *m, const rule_regex *regex, const reply_field *field,
                               size_t from, size_t limit, size_t *start, size_t *end,
                               size_t *date_start, size_t *date_end);

/*
 * A pattern of a rule: when it has a lead (rule_regex.lead), tried only
 * where the words of its lead start in the text, in text order, at or after
 * from and before before (a match starting later could not change the
 * verdict); else searched for like any regex.  The first start that
 * matches is the one a search would have found, since no match can start
 * anywhere else.
 */
static regex_outcome
pattern_run(matcher *m, const rule_regex *regex, const reply_field *field,
            const rules_index_hits *hits, size_t from, size_t before, size_t *start, size_t *end,
            size_t *date_start, size_t *date_end)
{
	if (regex->lead == NULL || hits == NULL)
		return regex_run(m, regex, field, from, field->folded_length, start, end, date_start,
		                 date_end);
	for (;;) {
		size_t at = rules_index_next_lead(hits, regex->lead, from, before);
		regex_outcome got;
		if (at == SIZE_MAX)
			return REGEX_NO_MATCH;
		got = regex_run(m, regex, field, at, field->folded_length, start, end, date_start,
		                date_end);
		if (got != REGEX_NO_MATCH)
			return got;
		from = at + 1;
	}
}

/*
 * JIT-compiles a regex that has cost enough interpreted (RULES_JIT_PAYBACK).
 * JIT is an optimisation: without it (unsupported CPU, no executable
 * memory) the interpreter gives the same answers.  The set stays
 * shareable: a copy is compiled, under the lock, and then published, and
 * the code it replaces is kept for threads that may still be running it.
 */
static void
regex_jit(rule_regex *regex)
{
	g_mutex_lock(&rules_jit_lock);
	if (!g_atomic_int_get(&regex->jitted)) {
		pcre2_code *copy = pcre2_code_copy(regex->code);
		if (copy != NULL && pcre2_jit_compile(copy, PCRE2_JIT_COMPLETE) == 0) {
			regex->replaced = regex->code;
			rule_regex_publish(regex, copy);
		} else {
			pcre2_code_free(copy);
		}
		g_atomic_int_set(&regex->jitted, 1);
	}
	g_mutex_unlock(&rules_jit_lock);
}

static regex_outcome
regex_run(matcher *m, const rule_regex *regex, const reply_field *field, size_t from, size_t limit,
          size_t *start, size_t *end, size_t *date_start, size_t *date_end)
{
	int rc;
	if (rule_regex_code(regex) == NULL) {
		bool compiled;
		g_mutex_lock(&rules_jit_lock);
		compiled = rules_regex_compile_lazy((rule_regex *)regex);
		g_mutex_unlock(&rules_jit_lock);
		if (!compiled)
			return REGEX_NO_MATCH;
	}
	bool jitted = g_atomic_int_get(&regex->jitted) != 0;
	bool profiling = g_atomic_int_get(&rules_profiling) != 0;
	const pcre2_code *code = rule_regex_code(regex);
	if (jitted && !profiling) {
		rc = pcre2_match(code, (PCRE2_SPTR)field->folded, limit, from, PCRE2_NO_UTF_CHECK, m->data,
		                 m->context);
	} else {
		/* The match alone is timed: compiles are paid once and would
		 * hide the cost. */
		gint64 began = rules_now_ns();
		rc = pcre2_match(code, (PCRE2_SPTR)field->folded, limit, from, PCRE2_NO_UTF_CHECK, m->data,
		                 m->context);
		gint64 spent = rules_now_ns() - began;
		if (profiling) {
			g_atomic_pointer_add(&((rule_regex *)regex)->nanoseconds, spent);
			g_atomic_pointer_add(&((rule_regex *)regex)->runs, 1);
		}
		if (!jitted && (gint64)g_atomic_pointer_add(&((rule_regex *)regex)->interpreted_ns,
		                                            spent) +
		                       spent >
		                   RULES_JIT_PAYBACK * regex->compile_ns)
			regex_jit((rule_regex *)regex);
	}
	if (rc == PCRE2_ERROR_NOMATCH)
		return REGEX_NO_MATCH;
	if (rc < 0)
		return REGEX_LIMIT;
	PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(m->data);
	*start = ovector[0];
	*end = ovector[1];
	if (date_start == NULL)
		return REGEX_MATCH;
	*date_start = *date_end = SIZE_MAX;
	/* rc == 0 means the ovector was too small for all groups. */
	int groups = rc == 0 ? RULES_OVECTOR_PAIRS : rc;
	for (int i = 0; i < regex->n_date_groups; i++) {
		int group = regex->date_groups[i];
		if (group < groups && ovector[2 * group] != PCRE2_UNSET) {
			*date_start = ovector[2 * group];
			*date_end = ovector[2 * group + 1];
			break;
		}
	}
	return REGEX_MATCH;
}

/*
 * Does the byte at i of folded text end a sentence?  A dot inside a number
 * ("30.11.", "1.250,00") does not; a blank line does (soft line breaks are
 * spaces by now, see join_soft_line_breaks).
 */
static bool
ends_sentence(const char *text, size_t length, size_t i)
{
	char c = text[i];

	if (c == '!' || c == '?' || c == ';' || c == '\n')
		return true;
	if (c != '.')
		return false;
	return sentence_dot_ends(text, length, i);
}

/*
 * The clause around the folded range [s, e): the sentence it is in, cut
 * further at the language's clause-break words ("but", "aber", "ale") that
 * lie outside the range.  "We haven't paid yet, but will on Monday": the
 * promise's clause is "will on Monday", so the negation does not veto it.
 */
static void
clause_bounds(matcher *m, const rule *r, const reply_field *field, size_t s, size_t e,
              size_t *from, size_t *to)
{
	const char *text = field->folded;
	size_t length = field->folded_length, a = s, b = e;

	while (a > 0 && !ends_sentence(text, length, a - 1))
		a--;
	while (b < length && !ends_sentence(text, length, b))
		b++;
	/* The end mark belongs to the clause: "unless \?" tells a question. */
	if (b < length && text[b] != '\n')
		b++;
	*from = a;
	*to = b;
	if (r->clause_break == NULL)
		return;
	for (size_t at = a; at < b;) {
		size_t ms, me;
		if (regex_run(m, r->clause_break, field, at, b, &ms, &me, NULL, NULL) != REGEX_MATCH)
			break;
		if (me <= s)
			*from = me;
		else if (ms >= e) {
			*to = ms;
			break;
		}
		at = me > ms ? me : ms + 1;
	}
}

/* How a rule fared on the reply. */
typedef struct {
	const rule *rule;
	guint index;
	rules_match_status status;
	bool matched;
	const reply_field *field;
	size_t start, end;           /* folded */
	size_t date_start, date_end; /* folded, SIZE_MAX when none */
	size_t guard_start, guard_end;
	bool has_guard;
} rule_outcome;

/*
 * How many matches of one pattern are tried when "unless" vetoes them: a
 * reply may say "we can't pay this week" before "we will pay on Monday".
 */
#define RULES_TRIES_PER_PATTERN 16

/* Advances past one UTF-8 character of the folded text. */
static size_t
next_char(const reply_field *field, size_t at)
{
	at++;
	while (at < field->folded_length && ((unsigned char)field->folded[at] & 0xc0) == 0x80)
		at++;
	return at;
}

/* Can the regex match the text at all; *horizon: the last byte a match may start at. */
static bool
requirements_met(const rules_index_hits *hits, const rule_regex *regex, size_t *horizon)
{
	*horizon = SIZE_MAX;
	return regex->requires == NULL || hits == NULL ||
	       rules_index_reach(regex->requires, hits, horizon);
}

/*
 * Is the match [s, e) vetoed by one of the rule's "unless" regexes, within
 * its clause?  Fills the veto's range; REGEX_LIMIT counts as a veto.
 */
static regex_outcome
clause_vetoed(matcher *m, const rule *r, const reply_field *field, const rules_index_hits *hits,
              size_t s, size_t e, size_t *vs, size_t *ve)
{
	size_t from, to;

	if (r->unless->len == 0)
		return REGEX_NO_MATCH;
	clause_bounds(m, r, field, s, e, &from, &to);
	for (guint i = 0; i < r->unless->len; i++) {
		const rule_regex *unless = g_ptr_array_index(r->unless, i);
		size_t horizon;
		/* Words it needs that the field lacks, or has only before the clause. */
		if (!requirements_met(hits, unless, &horizon) || horizon < from)
			continue;
		regex_outcome got = regex_run(m, unless, field, from, to, vs, ve, NULL, NULL);
		if (got != REGEX_NO_MATCH)
			return got;
	}
	return REGEX_NO_MATCH;
}

/*
 * The words of a field each language's index knows, looked up once per
 * classification: a pattern that requires words the reply does not have
 * is not run (filter/rules-index.h).
 */
typedef struct {
	const rules *set;
	const reply_field *field;
	GHashTable *by_language; /* language -> rules_index_hits */
	/* The last language asked for: rules of a language come together. */
	const char *last_language;
	const rules_index_hits *last_found;
} presence;

/* The field's hits in the index of the rule's language, or NULL when it has none. */
static const rules_index_hits *
hits_for(presence *cache, const rule *r)
{
	rules_index_hits *found;

	if (r->language == NULL)
		return NULL;
	if (cache->last_language == r->language && cache->last_found != NULL)
		return cache->last_found;
	found = g_hash_table_lookup(cache->by_language, r->language);
	if (found == NULL) {
		const rules_index *index = g_hash_table_lookup(cache->set->indexes, r->language);
		if (index == NULL)
			return NULL;
		found = rules_index_scan(index, cache->field->folded);
		g_hash_table_insert(cache->by_language, r->language, found);
	}
	cache->last_language = r->language;
	cache->last_found = found;
	return found;
}

static void
presence_free(gpointer data)
{
	rules_index_hits_free(data);
}

/* Runs one rule; false when it neither matched nor hit a limit. */
static bool
rule_run(matcher *m, presence *cache, const rule *r, const reply_field *field, size_t bound,
         rule_outcome *out)
{
	bool limit = false, vetoed = false;
	size_t veto_start = 0, veto_end = 0, vetoed_start = 0, vetoed_end = 0;
	const rules_index_hits *hits = hits_for(cache, r);
	out->matched = false;
	for (guint i = 0; i < r->patterns->len; i++) {
		const rule_regex *regex = g_ptr_array_index(r->patterns, i);
		size_t s, e, ds, de, from = 0, horizon;
		if (!requirements_met(hits, regex, &horizon))
			continue;
		for (int tries = 0; tries < RULES_TRIES_PER_PATTERN && from <= field->folded_length &&
		                    from <= horizon;
		     tries++) {
			size_t vs, ve, before = out->matched ? out->start : bound;
			if (horizon != SIZE_MAX && horizon + 1 < before)
				before = horizon + 1;
			regex_outcome got = pattern_run(m, regex, field, hits, from, before, &s, &e,
			                                &ds, &de);
			if (got == REGEX_LIMIT)
				limit = true;
			if (got != REGEX_MATCH)
				break;
			/* Only a match before the best so far can change anything. */
			if (s >= (out->matched ? out->start : bound))
				break;
			got = clause_vetoed(m, r, field, hits, s, e, &vs, &ve);
			if (got == REGEX_NO_MATCH) {
				/* Several patterns may match: the earliest match stands for the rule. */
				out->matched = true;
				out->start = s;
				out->end = e;
				out->date_start = ds;
				out->date_end = de;
				break;
			}
			if (got == REGEX_MATCH && !vetoed) {
				vetoed = true;
				vetoed_start = s;
				vetoed_end = e;
				veto_start = vs;
				veto_end = ve;
			}
			if (got == REGEX_LIMIT)
				limit = true;
			if (s >= field->folded_length)
				break;
			from = next_char(field, s);
		}
	}
	if (!out->matched && vetoed) {
		/* Every match was vetoed within its clause: say by what. */
		out->matched = true;
		out->status = RULES_MATCH_VETOED;
		out->start = vetoed_start;
		out->end = vetoed_end;
		out->date_start = out->date_end = SIZE_MAX;
		out->has_guard = true;
		out->guard_start = veto_start;
		out->guard_end = veto_end;
		return true;
	}
	if (!out->matched) {
		out->status = RULES_MATCH_LIMIT;
		return limit;
	}
	out->status = RULES_MATCH_MATCHED;
	out->has_guard = false;
	for (guint i = 0; i < r->guards->len; i++) {
		const rule_regex *guard = g_ptr_array_index(r->guards, i);
		size_t gs, ge, horizon;
		if (!requirements_met(hits, guard, &horizon))
			continue;
		regex_outcome got =
		    regex_run(m, guard, field, 0, field->folded_length, &gs, &ge, NULL, NULL);
		if (got == REGEX_MATCH) {
			out->status = RULES_MATCH_VETOED;
			out->has_guard = true;
			out->guard_start = gs;
			out->guard_end = ge;
			break;
		}
		/* A guard that cannot tell might have found the negation: do not
		 * let the rule win on a guess. */
		if (got == REGEX_LIMIT)
			out->status = RULES_MATCH_LIMIT;
	}
	return true;
}

/* Does a beat b?  Priority, then position (subject before body), then load order. */
static bool
outcome_better(const rule_outcome *a, const rule_outcome *b, const reply_field *subject)
{
	if (a->rule->priority != b->rule->priority)
		return a->rule->priority > b->rule->priority;
	bool a_subject = a->field == subject, b_subject = b->field == subject;
	if (a_subject != b_subject)
		return a_subject;
	if (a->start != b->start)
		return a->start < b->start;
	return a->index < b->index;
}

static void
explanation_free(gpointer data)
{
	rules_explanation *entry = data;
	g_free(entry->matched_text);
	g_free(entry->date_text);
	g_free(entry->guard_text);
	g_free(entry);
}

GPtrArray *
rules_explain_new(void)
{
	return g_ptr_array_new_with_free_func(explanation_free);
}

static rules_explanation *
explanation_new(const rule_outcome *o)
{
	rules_explanation *entry = g_new0(rules_explanation, 1);
	entry->rule_id = o->rule->id;
	entry->class_name = rules_class_name(o->rule->klass);
	entry->language = o->rule->language;
	entry->priority = o->rule->priority;
	entry->status = o->status;
	entry->field = o->field->name;
	if (o->matched) {
		reply_field_range(o->field, o->start, o->end, &entry->start, &entry->end);
		entry->matched_text = g_strndup(o->field->text + entry->start, entry->end - entry->start);
		if (o->date_start != SIZE_MAX)
			entry->date_text = date_phrase(o->field, o->date_start, o->date_end);
	}
	if (o->has_guard) {
		size_t s, e;
		reply_field_range(o->field, o->guard_start, o->guard_end, &s, &e);
		entry->guard_text = g_strndup(o->field->text + s, e - s);
	}
	return entry;
}

bool
rules_classify(const rules *set, const char *subject, const char *body,
               rules_verdict *verdict, GPtrArray *explain)
{
	return rules_classify_languages(set, NULL, subject, body, verdict, explain);
}

static bool
language_wanted(const char *const *languages, const char *language)
{
	if (languages == NULL)
		return true;
	for (const char *const *l = languages; *l != NULL; l++)
		if (g_strcmp0(*l, language) == 0)
			return true;
	return false;
}

bool
rules_classify_languages(const rules *set, const char *const *languages, const char *subject,
                         const char *body, rules_verdict *verdict, GPtrArray *explain)
{
	memset(verdict, 0, sizeof *verdict);
	verdict->klass = RULES_CLASS_NONE;
	verdict->class_name = rules_class_name(RULES_CLASS_NONE);
	rules_ensure_prepared(set, languages);

	reply_field fields[2];
	reply_field_init(&fields[0], "subject", subject);
	reply_field_init(&fields[1], "body", body);
	matcher *m = matcher_for_thread();
	/* One cache a field: the subject and the body hold different words. */
	presence caches[2] = {
	    {set, &fields[0], g_hash_table_new_full(g_str_hash, g_str_equal, NULL, presence_free),
	     NULL, NULL},
	    {set, &fields[1], g_hash_table_new_full(g_str_hash, g_str_equal, NULL, presence_free),
	     NULL, NULL},
	};

	rule_outcome best = {0};
	bool have_best = false;
	guint explain_first = explain != NULL ? explain->len : 0;
	/* Highest priority first: once a rule has matched, a rule of lower
	 * priority cannot win and is not run, unless every match is to be
	 * explained (then in load order, as the explanation lists them). */
	for (guint k = 0; k < set->rules->len; k++) {
		guint i = explain != NULL ? k : g_array_index(set->by_priority, guint, k);
		const rule *r = g_ptr_array_index(set->rules, i);
		rule_outcome outcome = {.rule = r, .index = i};
		if (explain == NULL && have_best && r->priority < best.rule->priority)
			break;
		if (!language_wanted(languages, r->language))
			continue;
		outcome.field = r->on_subject ? &fields[0] : &fields[1];
		/* Of equal priority, a rule loaded later wins only by matching
		 * earlier: in the subject, or before the best in its field. */
		size_t bound = SIZE_MAX;
		if (explain == NULL && have_best && r->priority == best.rule->priority) {
			if (best.field == outcome.field)
				bound = best.start;
			else if (best.field == &fields[0])
				continue;
		}
		if (!rule_run(m, &caches[r->on_subject ? 0 : 1], r, outcome.field, bound, &outcome))
			continue;
		if (explain != NULL)
			g_ptr_array_add(explain, explanation_new(&outcome));
		if (outcome.status == RULES_MATCH_MATCHED &&
		    (!have_best || outcome_better(&outcome, &best, &fields[0]))) {
			best = outcome;
			have_best = true;
		}
	}

	if (have_best) {
		const rule *r = best.rule;
		verdict->klass = r->klass;
		verdict->class_name = rules_class_name(r->klass);
		verdict->rule_id = r->id;
		verdict->language = r->language;
		verdict->priority = r->priority;
		verdict->field = best.field->name;
		reply_field_range(best.field, best.start, best.end, &verdict->match_start,
		                  &verdict->match_end);
		if (best.date_start != SIZE_MAX)
			verdict->date_text = date_phrase(best.field, best.date_start, best.date_end);
		for (guint i = explain_first; explain != NULL && i < explain->len; i++) {
			rules_explanation *entry = g_ptr_array_index(explain, i);
			if (entry->rule_id == r->id)
				entry->winner = true;
		}
	}
	reply_field_clear(&fields[0]);
	reply_field_clear(&fields[1]);
	g_hash_table_unref(caches[0].by_language);
	g_hash_table_unref(caches[1].by_language);
	return have_best;
}

void
rules_clause_of(const rules *set, const char *language, const char *text, size_t start,
                size_t end, size_t *from, size_t *to)
{
	reply_field field;
	rule probe = {0};
	size_t fs = 0, fe, cf, ct;
	const char *only[] = {language, NULL};

	if (language != NULL)
		rules_ensure_prepared(set, only);

	reply_field_init(&field, "body", text);
	/* The range in folded bytes: the first folded byte at or after each end. */
	fe = field.folded_length;
	for (size_t i = 0; i <= field.folded_length; i++) {
		size_t at = g_array_index(field.offsets, size_t, i);
		if (at < start)
			fs = i + 1;
		if (at >= end) {
			fe = i;
			break;
		}
	}
	if (fs > fe)
		fs = fe;
	probe.clause_break = language != NULL ? g_hash_table_lookup(set->clause_breaks, language)
	                                      : NULL;
	clause_bounds(matcher_for_thread(), &probe, &field, fs, fe, &cf, &ct);
	reply_field_range(&field, cf, ct, from, to);
	reply_field_clear(&field);
}

void
rules_set_profiling(rules *set, bool on)
{
	set->profiling = on;
	g_atomic_int_set(&rules_profiling, on ? 1 : 0);
}

typedef struct {
	const rule *rule;
	const rule_regex *regex;
	const char *kind;
} profiled;

static gint
compare_profiled(gconstpointer a, gconstpointer b)
{
	const profiled *x = a, *y = b;
	return x->regex->nanoseconds < y->regex->nanoseconds ? 1
	       : x->regex->nanoseconds > y->regex->nanoseconds ? -1
	                                                        : 0;
}

char *
rules_profile_report(const rules *set, size_t top)
{
	GArray *all = g_array_new(FALSE, FALSE, sizeof(profiled));
	GString *out = g_string_new(NULL);
	gint64 total = 0;

	for (guint i = 0; i < set->rules->len; i++) {
		const rule *r = g_ptr_array_index(set->rules, i);
		const GPtrArray *kinds[] = {r->patterns, r->guards, r->unless};
		const char *names[] = {"pattern", "guard", "unless"};
		for (int k = 0; k < 3; k++) {
			for (guint j = 0; j < kinds[k]->len; j++) {
				profiled p = {r, g_ptr_array_index(kinds[k], j), names[k]};
				total += p.regex->nanoseconds;
				if (p.regex->runs > 0)
					g_array_append_val(all, p);
			}
		}
	}
	g_array_sort(all, compare_profiled);
	g_string_append_printf(out, "%.1f ms in %u patterns that ran; the costliest:\n",
	                       (double)total / 1e6, all->len);
	for (guint i = 0; i < all->len && i < top; i++) {
		const profiled *p = &g_array_index(all, profiled, i);
		g_string_append_printf(out, "%5.1f%% %8.2f ms %7" G_GINT64_FORMAT " runs  %s:%u  %s %s: %.70s\n",
		                       total > 0 ? 100.0 * (double)p->regex->nanoseconds / (double)total : 0.0,
		                       (double)p->regex->nanoseconds / 1e6, p->regex->runs,
		                       p->regex->file != NULL ? p->regex->file : "?", p->regex->line,
		                       p->rule->id, p->kind, p->regex->source);
	}
	g_array_unref(all);
	return g_string_free(out, FALSE);
}

void
rules_verdict_clear(rules_verdict *verdict)
{
	g_free(verdict->date_text);
	memset(verdict, 0, sizeof *verdict);
	verdict->klass = RULES_CLASS_NONE;
	verdict->class_name = rules_class_name(RULES_CLASS_NONE);
}
