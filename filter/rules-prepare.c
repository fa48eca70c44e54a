/*
 * From the lines a pack wrote to the regexes rules.c matches: concepts
 * expanded (filter/lexicon.h), folded like the text, compiled with PCRE2,
 * each pattern's word requirements indexed (filter/rules-index.h).
 *
 * A language's rules are prepared when it is first used, not when the
 * packs are read: a filter run reads one reply in one language, and
 * expanding eight packs of concepts would cost it more than the reply.
 * `dunmail rules check` and rules_load prepare every language at once, so
 * that every error is reported with its file and line before mail arrives.
 */
#include "filter/rules-private.h"

#include <string.h>
#include <time.h>

#include "common/util.h"
#include "filter/language.h"

void
rule_line_free(gpointer data)
{
	rule_line *l = data;

	g_free(l->file);
	g_free(l->directive);
	g_free(l->source);
	g_free(l);
}

static void
regex_find_date_groups(rule_regex *regex, const pcre2_code *code)
{
	uint32_t count = 0, entry_size = 0;
	PCRE2_SPTR table = NULL;

	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
	regex->n_date_groups = 0;
	for (uint32_t i = 0; i < count; i++) {
		PCRE2_SPTR entry = table + (size_t)i * entry_size;
		/* Each entry: the group number in two bytes, big-endian, then the name. */
		int number = (entry[0] << 8) | entry[1];
		if (strcmp((const char *)entry + 2, "date") == 0 &&
		    regex->n_date_groups < RULES_DATE_GROUPS_MAX)
			regex->date_groups[regex->n_date_groups++] = number;
	}
}

gint64
rules_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

pcre2_code *
rules_compile_timed(const char *source, int *code, PCRE2_SIZE *offset, gint64 *ns)
{
	gint64 began = rules_now_ns();
	pcre2_code *compiled = pcre2_compile((PCRE2_SPTR)source, PCRE2_ZERO_TERMINATED,
	                                     RULES_COMPILE_FLAGS, code, offset, NULL);

	*ns = rules_now_ns() - began;
	return compiled;
}

/* A pattern tried only where its lead words start (rule_regex.lead): anchored there. */
static char *
anchored(char *expanded)
{
	char *wrapped = g_strdup_printf("\\G(?:%s)", expanded);

	g_free(expanded);
	return wrapped;
}

bool
rules_regex_compile_lazy(rule_regex *regex)
{
	int code = 0;
	PCRE2_SIZE offset = 0;
	pcre2_code *compiled;
	GError *error = NULL;
	char *expanded;

	if (rule_regex_code(regex) != NULL)
		return true;
	if (regex->lazy_source == NULL)
		return false;
	/* Callers hold rules_jit_lock or run before any thread matches (the
	 * lexicon's cache of expansions is written here too). */
	expanded = lexicon_expand(regex->lazy_lexicon, regex->lazy_language, regex->lazy_source,
	                          &error);
	g_free(regex->lazy_source);
	regex->lazy_source = NULL;
	if (expanded == NULL) {
		dm_log_warning("%s:%u: a rule pattern names a concept that cannot be expanded, it is "
		               "left out: %s",
		               regex->file != NULL ? regex->file : "?", regex->line, error->message);
		g_error_free(error);
		return false;
	}
	if (regex->lead != NULL)
		expanded = anchored(expanded);
	compiled = rules_compile_timed(expanded, &code, &offset, &regex->compile_ns);
	g_free(expanded);
	if (compiled == NULL) {
		/* `dunmail rules check` reports it with its line; here it is said
		 * once, and the pattern never matches. */
		dm_log_warning("%s:%u: a rule pattern does not compile, it is left out: %s",
		               regex->file != NULL ? regex->file : "?", regex->line, regex->source);
		return false;
	}
	/* The date groups are known before the code is published to other threads. */
	regex_find_date_groups(regex, compiled);
	rule_regex_publish(regex, compiled);
	return true;
}

static void G_GNUC_PRINTF(3, 4)
report(GString *errors, const rule_line *l, const char *fmt, ...)
{
	va_list args;
	char *message;

	va_start(args, fmt);
	message = g_strdup_vprintf(fmt, args);
	va_end(args);
	if (errors != NULL)
		g_string_append_printf(errors, "%s:%u: %s\n", l->file, l->line, message);
	else
		dm_log_warning("%s:%u: %s (the line is left out)", l->file, l->line, message);
	g_free(message);
}

/*
 * Says where PCRE2 refused a line: the offset in what the user wrote when
 * no concept was expanded in it (an offset into the expansion would point
 * nowhere the user wrote).
 */
static void
report_compile_error(GString *errors, const rule_line *l, const char *expanded, int code,
                     PCRE2_SIZE offset)
{
	PCRE2_UCHAR message[256];
	char *folded_source = language_fold_text(l->source, strlen(l->source), NULL);

	pcre2_get_error_message(code, message, sizeof message);
	if (strcmp(expanded, folded_source) == 0) {
		GArray *offsets = NULL;
		char *folded = language_fold_text(l->source, strlen(l->source), &offsets);
		size_t at = offset <= strlen(folded) ? g_array_index(offsets, size_t, offset) : offset;
		report(errors, l, "%s: %s at offset %zu in \"%s\"", l->directive, (char *)message, at,
		       l->source);
		g_array_unref(offsets);
		g_free(folded);
	} else {
		report(errors, l, "%s: %s in \"%s\" (with its concepts expanded)", l->directive,
		       (char *)message, l->source);
	}
	g_free(folded_source);
}

/* One line (or one alternative of it) to a regex; NULL (reported) when it cannot be. */
static rule_regex *
prepare_source(rules *set, const rule *r, const rule_line *l, const char *source,
               rules_index *index, GString *errors)
{
	GError *error = NULL;
	/* Folded first, expanded after: the expansions are folded already, and
	 * folding the few bytes the user wrote is cheaper than the result. */
	char *folded = language_fold_text(source, strlen(source), NULL);
	char *expanded = NULL;
	rule_regex *regex;

	/* Lazily, the expansion waits for the pattern's first run too: the
	 * word index spares most patterns of a reply, and most of their
	 * concepts are never expanded in a filter's one message. */
	if (!set->lazy) {
		expanded = lexicon_expand(set->lexicon, r->language, folded, &error);
		g_free(folded);
		folded = NULL;
		if (expanded == NULL) {
			report(errors, l, "%s: %s", l->directive, error->message);
			g_error_free(error);
			return NULL;
		}
	}
	regex = g_new0(rule_regex, 1);
	regex->source = g_strdup(source);
	/* The rule's file outlives the line (freed once prepared). */
	regex->file = r->file;
	regex->line = l->line;
	regex->requires = rules_index_requirements(index, set->lexicon, r->language, source);
	/* Patterns only: guards and unless lines look through a whole field or clause. */
	if (strcmp(l->directive, "pattern") == 0)
		regex->lead = rules_index_lead(index, set->lexicon, r->language, source);
	if (set->lazy) {
		regex->lazy_source = folded;
		regex->lazy_lexicon = set->lexicon;
		regex->lazy_language = r->language;
	} else {
		int code = 0;
		PCRE2_SIZE offset = 0;
		pcre2_code *compiled =
		    rules_compile_timed(expanded, &code, &offset, &regex->compile_ns);
		if (compiled == NULL) {
			report_compile_error(errors, l, expanded, code, offset);
			g_free(expanded);
			rule_regex_free(regex);
			return NULL;
		}
		if (regex->lead != NULL) {
			/* Compiled as written first, so that a mistake is reported
			 * where it was written; then anchored. */
			pcre2_code_free(compiled);
			expanded = anchored(expanded);
			compiled = rules_compile_timed(expanded, &code, &offset, &regex->compile_ns);
			if (compiled == NULL) {
				report_compile_error(errors, l, expanded, code, offset);
				g_free(expanded);
				rule_regex_free(regex);
				return NULL;
			}
		}
		regex_find_date_groups(regex, compiled);
		regex->code = compiled;
		g_free(expanded);
	}
	return regex;
}

/*
 * One line to its regexes: a line with alternatives at its top level is
 * split into one regex each, so that the word index can skip each apart.
 * False (reported) when a piece cannot be compiled.
 */
static bool
prepare_line(rules *set, const rule *r, const rule_line *l, rules_index *index,
             GPtrArray *out, GString *errors)
{
	char **pieces = rules_index_split_alternatives(l->source);
	bool ok = true;

	if (pieces == NULL) {
		rule_regex *regex = prepare_source(set, r, l, l->source, index, errors);
		if (regex == NULL)
			return false;
		g_ptr_array_add(out, regex);
		return true;
	}
	/* A piece alone may not compile where the whole does ("(?<d>a)|\\k<d>"):
	 * then the whole line is one regex, as written. */
	GPtrArray *made = g_ptr_array_new();
	GString *scratch = g_string_new(NULL);
	for (char **piece = pieces; *piece != NULL && ok; piece++) {
		rule_regex *regex = prepare_source(set, r, l, *piece, index, scratch);
		if (regex == NULL)
			ok = false;
		else
			g_ptr_array_add(made, regex);
	}
	g_strfreev(pieces);
	g_string_free(scratch, TRUE);
	for (guint i = 0; i < made->len; i++) {
		if (ok)
			g_ptr_array_add(out, g_ptr_array_index(made, i));
		else
			rule_regex_free(g_ptr_array_index(made, i));
	}
	g_ptr_array_unref(made);
	if (!ok) {
		rule_regex *regex = prepare_source(set, r, l, l->source, index, errors);
		if (regex == NULL)
			return false;
		g_ptr_array_add(out, regex);
	}
	return true;
}

/* The words that end a clause for "unless" ("but", "aber"), compiled once a language. */
static void
prepare_clause_break(rules *set, const char *language)
{
	const char *source = lexicon_clause_break(set->lexicon, language);
	char *folded;
	int code = 0;
	PCRE2_SIZE offset = 0;
	pcre2_code *compiled;

	if (source == NULL || g_hash_table_contains(set->clause_breaks, language))
		return;
	folded = language_fold_text(source, strlen(source), NULL);
	gint64 ns = 0;
	compiled = rules_compile_timed(folded, &code, &offset, &ns);
	if (compiled != NULL) {
		rule_regex *regex = g_new0(rule_regex, 1);
		regex->code = compiled;
		regex->compile_ns = ns;
		regex->source = g_strdup(source);
		g_hash_table_insert(set->clause_breaks, g_strdup(language), regex);
	}
	g_free(folded);
}

bool
rules_prepare_language(rules *set, const char *language, GString *errors)
{
	rules_index *index;
	const rule_regex *clause_break;
	gsize before = errors != NULL ? errors->len : 0;
	bool ok = true;

	if (g_hash_table_contains(set->prepared, language))
		return true;
	index = g_hash_table_lookup(set->indexes, language);
	if (index == NULL) {
		index = rules_index_new();
		g_hash_table_insert(set->indexes, g_strdup(language), index);
	}
	if (set->lexicon != NULL)
		prepare_clause_break(set, language);
	clause_break = g_hash_table_lookup(set->clause_breaks, language);
	for (guint i = 0; i < set->rules->len; i++) {
		rule *r = g_ptr_array_index(set->rules, i);
		GPtrArray *targets[RULE_LINE_KINDS] = {r->patterns, r->guards, r->unless};
		if (strcmp(r->language, language) != 0 || g_atomic_int_get(&r->prepared))
			continue;
		for (int k = 0; k < RULE_LINE_KINDS; k++) {
			for (guint j = 0; j < r->lines[k]->len; j++)
				if (!prepare_line(set, r, g_ptr_array_index(r->lines[k], j), index,
				                  targets[k], errors))
					ok = false;
			g_ptr_array_set_size(r->lines[k], 0);
		}
		r->clause_break = clause_break;
		g_atomic_int_set(&r->prepared, 1);
	}
	g_hash_table_insert(set->prepared, g_strdup(language), GINT_TO_POINTER(1));
	return ok && (errors == NULL || errors->len == before);
}

bool
rules_validate_user_lines(rules *set, GString *errors)
{
	gsize before = errors->len;

	for (guint i = 0; i < set->rules->len; i++) {
		const rule *r = g_ptr_array_index(set->rules, i);
		for (int k = 0; k < RULE_LINE_KINDS; k++) {
			for (guint j = 0; j < r->lines[k]->len; j++) {
				const rule_line *l = g_ptr_array_index(r->lines[k], j);
				GError *error = NULL;
				char *folded, *expanded;
				pcre2_code *compiled;
				int code = 0;
				PCRE2_SIZE offset = 0;
				if (!l->user)
					continue;
				folded = language_fold_text(l->source, strlen(l->source), NULL);
				expanded = lexicon_expand(set->lexicon, r->language, folded, &error);
				g_free(folded);
				if (expanded == NULL) {
					report(errors, l, "%s: %s", l->directive, error->message);
					g_error_free(error);
					continue;
				}
				compiled = pcre2_compile((PCRE2_SPTR)expanded, PCRE2_ZERO_TERMINATED,
				                         RULES_COMPILE_FLAGS, &code, &offset, NULL);
				if (compiled == NULL)
					report_compile_error(errors, l, expanded, code, offset);
				pcre2_code_free(compiled);
				g_free(expanded);
			}
		}
	}
	return errors->len == before;
}

bool
rules_prepare_all(rules *set, GString *errors)
{
	bool ok = true;

	if (set->all_prepared)
		return true;
	for (guint i = 0; i < set->rules->len; i++) {
		rule *r = g_ptr_array_index(set->rules, i);
		if (!rules_prepare_language(set, r->language, errors))
			ok = false;
	}
	set->all_prepared = true;
	return ok;
}

void
rules_ensure_prepared(const rules *set, const char *const *languages)
{
	rules *mutable = (rules *)set;
	bool all = languages == NULL;

	/* The set is shared by threads: preparing is its one late change, done
	 * under the lock and seen through the per-rule flags. */
	g_mutex_lock(&rules_jit_lock);
	if (all) {
		rules_prepare_all(mutable, NULL);
	} else {
		for (const char *const *l = languages; *l != NULL; l++)
			rules_prepare_language(mutable, *l, NULL);
	}
	g_mutex_unlock(&rules_jit_lock);
}
