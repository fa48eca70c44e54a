/*
 * Reading rule packs: the dunmail-rules(5) format, concepts from the
 * lexicons (filter/lexicon.h) expanded, every pattern compiled with PCRE2.
 */
#include "filter/rules-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "filter/language.h"
#include "filter/lexicon.h"

GMutex rules_jit_lock;

#define PACK_COMPILE_FLAGS \
	(PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF | PCRE2_DUPNAMES)

static void regex_find_date_groups(rule_regex *regex, const pcre2_code *code);

bool
rules_regex_compile_lazy(rule_regex *regex)
{
	int code = 0;
	PCRE2_SIZE offset = 0;

	if (g_atomic_pointer_get(&regex->code) != NULL)
		return true;
	if (regex->lazy_source == NULL)
		return false;
	/* Callers hold rules_jit_lock or run before any thread matches. */
	pcre2_code *compiled = pcre2_compile((PCRE2_SPTR)regex->lazy_source, PCRE2_ZERO_TERMINATED,
	                                     PACK_COMPILE_FLAGS, &code, &offset, NULL);
	if (compiled == NULL) {
		/* rules_load and `rules check` report it with its line; here it is
		 * said once, and the pattern never matches. */
		dm_log_warning("a rule pattern does not compile, it is left out: %s", regex->source);
		g_free(regex->lazy_source);
		regex->lazy_source = NULL;
		return false;
	}
	g_free(regex->lazy_source);
	regex->lazy_source = NULL;
	/* The date groups are known before the code is published to other threads. */
	regex_find_date_groups(regex, compiled);
	g_atomic_pointer_set(&regex->code, compiled);
	return true;
}

void
rule_regex_free(gpointer data)
{
	rule_regex *regex = data;
	if (regex->requires != NULL)
		g_ptr_array_unref(regex->requires);
	g_free(regex->lazy_source);
	pcre2_code_free(regex->code);
	g_free(regex->source);
	g_free(regex);
}

static rule *
rule_new(const char *id, const char *file, unsigned line)
{
	rule *r = g_new0(rule, 1);
	r->id = g_strdup(id);
	r->klass = RULES_CLASS_NONE;
	r->priority = RULES_DEFAULT_PRIORITY;
	r->patterns = g_ptr_array_new_with_free_func(rule_regex_free);
	r->guards = g_ptr_array_new_with_free_func(rule_regex_free);
	r->unless = g_ptr_array_new_with_free_func(rule_regex_free);
	r->file = g_strdup(file);
	r->line = line;
	return r;
}

static void
rule_free(gpointer data)
{
	rule *r = data;
	if (r == NULL)
		return;
	g_free(r->id);
	g_free(r->language);
	g_ptr_array_unref(r->patterns);
	g_ptr_array_unref(r->guards);
	g_ptr_array_unref(r->unless);
	g_free(r->file);
	g_free(r);
}

void
rules_free(rules *set)
{
	if (set == NULL)
		return;
	g_hash_table_unref(set->by_id);
	g_ptr_array_unref(set->rules);
	g_hash_table_unref(set->clause_breaks);
	g_hash_table_unref(set->indexes);
	g_free(set);
}

static void
regexes_jit(GPtrArray *regexes)
{
	for (guint i = 0; regexes != NULL && i < regexes->len; i++) {
		rule_regex *regex = g_ptr_array_index(regexes, i);
		if (regex->code == NULL && !rules_regex_compile_lazy(regex))
			continue;
		if (!g_atomic_int_get(&regex->jitted)) {
			(void)pcre2_jit_compile(regex->code, PCRE2_JIT_COMPLETE);
			g_atomic_int_set(&regex->jitted, 1);
		}
	}
}

void
rules_jit_compile_all(rules *set)
{
	g_mutex_lock(&rules_jit_lock);
	for (guint i = 0; i < set->rules->len; i++) {
		rule *r = g_ptr_array_index(set->rules, i);
		regexes_jit(r->patterns);
		regexes_jit(r->guards);
		regexes_jit(r->unless);
	}
	for (int t = 0; t < 2; t++) {
		GHashTableIter iter;
		gpointer value;
		if (t == 1)
			break;
		g_hash_table_iter_init(&iter, set->clause_breaks);
		while (g_hash_table_iter_next(&iter, NULL, &value)) {
			rule_regex *regex = value;
			if (regex->code == NULL && !rules_regex_compile_lazy(regex))
				continue;
			if (!g_atomic_int_get(&regex->jitted)) {
				(void)pcre2_jit_compile(regex->code, PCRE2_JIT_COMPLETE);
				g_atomic_int_set(&regex->jitted, 1);
			}
		}
	}
	g_mutex_unlock(&rules_jit_lock);
}

size_t
rules_count(const rules *set)
{
	return set->rules->len;
}

/* ---- reading packs ---------------------------------------------------- */

/* What one file's parse needs to know and where it reports. */
typedef struct {
	const char *path;
	const char *dir_language; /* the <lang>/ directory the file is in, or NULL */
	GHashTable *seen;         /* id -> "file:line" of its first definition in this directory */
	const lexicon *lexicon;   /* the concepts patterns may name, or NULL */
	const char *const *languages; /* the languages loaded */
	bool lazy;                    /* compile patterns on first use (rules_load_lazy) */
	GHashTable *indexes;          /* the set's word indexes, by language */
	rules_index *index;           /* the current rule's language's, or NULL */
	GPtrArray *out;           /* rule *: the rules read, valid ones only */
	GString *errors;
	/* This file's problems, put in line order when the file is done: a
	 * rule's missing class is only known at its end, after later lines. */
	GArray *problems; /* pack_problem */
	/* The rule being read and which lines it has had. */
	rule *current;
	bool has_class, has_priority, has_on, has_pattern_line, current_bad;
	/* The rule's lines, expanded and folded, compiled together at its end. */
	GPtrArray *pending[3]; /* pack_line *: patterns, guards, unless */
} pack_reader;

/* One pattern, guard or unless line of the rule being read. */
typedef struct {
	unsigned line;
	char *directive;
	char *source; /* as written */
	char *folded; /* concepts expanded, folded like the text */
} pack_line;

enum { PENDING_PATTERN, PENDING_GUARD, PENDING_UNLESS };

static void
pack_line_free(gpointer data)
{
	pack_line *l = data;
	g_free(l->directive);
	g_free(l->source);
	g_free(l->folded);
	g_free(l);
}

typedef struct {
	unsigned line;
	unsigned sequence;
	char *message;
} pack_problem;

static void G_GNUC_PRINTF(3, 4)
pack_error(pack_reader *reader, unsigned line, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	pack_problem problem = {line, reader->problems->len, g_strdup_vprintf(fmt, args)};
	va_end(args);
	g_array_append_val(reader->problems, problem);
}

static gint
compare_problems(gconstpointer a, gconstpointer b)
{
	const pack_problem *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

/* Appends the file's problems to the error text, in line order. */
static void
pack_flush_problems(pack_reader *reader)
{
	g_array_sort(reader->problems, compare_problems);
	for (guint i = 0; i < reader->problems->len; i++) {
		pack_problem *problem = &g_array_index(reader->problems, pack_problem, i);
		g_string_append_printf(reader->errors, "%s:%u: %s\n", reader->path, problem->line,
		                       problem->message);
		g_free(problem->message);
	}
	g_array_set_size(reader->problems, 0);
}

/*
 * An id is "<lang>.<class>.<name>": at least three dot-separated parts of
 * lower-case letters, digits, '-' and '_'.  Returns the language part.
 */
static char *
rule_id_language(const char *id)
{
	char **parts = g_strsplit(id, ".", -1);
	char *language = NULL;
	size_t n = g_strv_length(parts);
	bool ok = n >= 3;
	for (size_t i = 0; ok && i < n; i++) {
		if (parts[i][0] == '\0')
			ok = false;
		for (const char *p = parts[i]; ok && *p != '\0'; p++)
			if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-' && *p != '_')
				ok = false;
	}
	if (ok)
		language = g_strdup(parts[0]);
	g_strfreev(parts);
	return language;
}

/* Finds the groups named "date" in the compiled pattern's name table. */
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

/*
 * Compiles one pattern or guard.  The pattern is folded like the text it
 * will meet (language_fold_text), so a pattern written with diacritics
 * also matches text typed without them.
 */
static bool language_listed(const char *const *languages, const char *language);

/*
 * Expands the concepts of one line and folds it; the rule's lines are
 * compiled together when the rule ends (pack_compile_rule).  False (with
 * the error reported) when a concept is unknown.
 */
static bool
pack_prepare(pack_reader *reader, unsigned line, const char *directive, const char *source,
             GPtrArray *pending)
{
	GError *error = NULL;
	const char *language = reader->current != NULL ? reader->current->language : NULL;
	/* Folded first, expanded after: the expansions are folded already, and
	 * folding the few bytes the user wrote is cheaper than the result. */
	char *folded = language_fold_text(source, strlen(source), NULL);
	char *expanded = lexicon_expand(reader->lexicon, language, folded, &error);
	pack_line *l;

	g_free(folded);
	if (expanded == NULL) {
		pack_error(reader, line, "%s: %s", directive, error->message);
		g_error_free(error);
		return false;
	}
	l = g_new0(pack_line, 1);
	l->line = line;
	l->directive = g_strdup(directive);
	l->source = g_strdup(source);
	l->folded = expanded;
	g_ptr_array_add(pending, l);
	return true;
}

/*
 * Compiles one line on its own, to report where a rule's combined regex
 * went wrong: the error names the line and, when no concept was expanded,
 * the offset in what the user wrote.
 */
static void
pack_report_line(pack_reader *reader, const pack_line *l)
{
	GArray *offsets = NULL;
	GError *error = NULL;
	const char *language = reader->current != NULL ? reader->current->language : NULL;
	char *expanded = lexicon_expand(reader->lexicon, language, l->source, &error);
	const char *directive = l->directive, *source = l->source;
	unsigned line = l->line;
	if (expanded == NULL) {
		g_error_free(error);
		return;
	}
	bool plain = strcmp(expanded, source) == 0;
	char *folded = language_fold_text(expanded, strlen(expanded), &offsets);
	int code = 0;
	PCRE2_SIZE offset = 0;
	pcre2_code *compiled = pcre2_compile((PCRE2_SPTR)folded, PCRE2_ZERO_TERMINATED,
	                                     PACK_COMPILE_FLAGS, &code, &offset, NULL);
	if (compiled == NULL) {
		PCRE2_UCHAR message[256];
		pcre2_get_error_message(code, message, sizeof message);
		size_t at = offset <= strlen(folded) ? g_array_index(offsets, size_t, offset) : offset;
		/* An offset into the expansion would point nowhere the user wrote. */
		if (plain)
			pack_error(reader, line, "%s: %s at offset %zu in \"%s\"", directive,
			           (char *)message, at, source);
		else
			pack_error(reader, line, "%s: %s in \"%s\" (with its concepts expanded)",
			           directive, (char *)message, source);
	} else {
		pcre2_code_free(compiled);
	}
	g_array_unref(offsets);
	g_free(folded);
	g_free(expanded);
}

/* Compiles one line of the rule (or keeps it for later); false (reported) when PCRE2 refuses it. */
static bool
pack_compile_line(pack_reader *reader, const pack_line *l, GPtrArray *out)
{
	int code = 0;
	PCRE2_SIZE offset = 0;
	pcre2_code *compiled = NULL;
	rule_regex *regex;

	if (!reader->lazy) {
		compiled = pcre2_compile((PCRE2_SPTR)l->folded, PCRE2_ZERO_TERMINATED,
		                         PACK_COMPILE_FLAGS, &code, &offset, NULL);
		if (compiled == NULL) {
			pack_report_line(reader, l);
			return false;
		}
	}
	regex = g_new0(rule_regex, 1);
	regex->code = compiled;
	regex->source = g_strdup(l->source);
	if (compiled != NULL)
		regex_find_date_groups(regex, regex->code);
	else
		regex->lazy_source = g_strdup(l->folded);
	if (reader->index != NULL)
		regex->requires = rules_index_requirements(reader->index, reader->lexicon,
		                                           reader->current->language, l->source);
	g_ptr_array_add(out, regex);
	return true;
}

/* Ends the current rule: checks it is complete and keeps it when it is. */
static void
pack_finish_rule(pack_reader *reader)
{
	rule *r = reader->current;
	if (r == NULL)
		return;
	reader->current = NULL;
	bool bad = reader->current_bad;
	if (!reader->has_class) {
		pack_error(reader, r->line, "rule %s has no class", r->id);
		bad = true;
	}
	/* A pattern that did not compile was reported already. */
	if (!reader->has_pattern_line) {
		pack_error(reader, r->line, "rule %s has no pattern", r->id);
		bad = true;
	}
	if (!bad) {
		GPtrArray *targets[3] = {r->patterns, r->guards, r->unless};
		reader->current = r;
		for (int k = 0; k < 3; k++)
			for (guint i = 0; i < reader->pending[k]->len; i++)
				if (!pack_compile_line(reader, g_ptr_array_index(reader->pending[k], i),
				                       targets[k]))
					bad = true;
		reader->current = NULL;
	}
	for (int k = 0; k < 3; k++)
		g_ptr_array_set_size(reader->pending[k], 0);
	if (bad) {
		rule_free(r);
		return;
	}
	g_ptr_array_add(reader->out, r);
}

static void
pack_start_rule(pack_reader *reader, unsigned line, const char *id)
{
	pack_finish_rule(reader);
	reader->has_class = reader->has_priority = reader->has_on = false;
	reader->has_pattern_line = false;
	reader->current_bad = false;
	reader->current = rule_new(id, reader->path, line);
	reader->index = NULL;

	char *language = rule_id_language(id);
	if (language == NULL) {
		pack_error(reader, line,
		           "rule id \"%s\" is not <lang>.<class>.<name> (lower-case letters, digits, - and _)",
		           id);
		reader->current_bad = true;
		return;
	}
	reader->current->language = language;
	reader->index = g_hash_table_lookup(reader->indexes, language);
	if (reader->index == NULL) {
		reader->index = rules_index_new();
		g_hash_table_insert(reader->indexes, g_strdup(language), reader->index);
	}
	if (reader->dir_language != NULL && strcmp(language, reader->dir_language) != 0) {
		pack_error(reader, line, "rule %s is in the %s/ directory but its id says language %s",
		           id, reader->dir_language, language);
		reader->current_bad = true;
	}
	const char *first = g_hash_table_lookup(reader->seen, id);
	if (first != NULL) {
		pack_error(reader, line, "duplicate rule id %s (first defined at %s)", id, first);
		reader->current_bad = true;
	} else {
		g_hash_table_insert(reader->seen, g_strdup(id),
		                    g_strdup_printf("%s:%u", reader->path, line));
	}
}

/*
 * Cuts a trailing comment: a '#' preceded by a space or tab.  A pattern
 * that needs " #" writes "\#" or "[#]"; a '#' right after other text
 * ("C#", "nr#") stays.
 */
static void
pack_cut_comment(char *line)
{
	if (line[0] == '\0' || line[0] == '#') {
		line[0] = '\0';
		return;
	}
	for (char *p = line + 1; *p != '\0'; p++) {
		if (*p == '#' && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static void
pack_directive(pack_reader *reader, unsigned line, const char *word, const char *value)
{
	rule *r = reader->current;
	if (strcmp(word, "rule") == 0) {
		if (value[0] == '\0' || strpbrk(value, " \t") != NULL)
			pack_error(reader, line, "rule: expected one id, got \"%s\"", value);
		else
			pack_start_rule(reader, line, value);
		return;
	}
	bool known = strcmp(word, "class") == 0 || strcmp(word, "priority") == 0 ||
	             strcmp(word, "on") == 0 || strcmp(word, "pattern") == 0 ||
	             strcmp(word, "guard") == 0 || strcmp(word, "unless") == 0;
	if (!known) {
		pack_error(reader, line, "unknown directive \"%s\"", word);
		if (r != NULL)
			reader->current_bad = true;
		return;
	}
	if (r == NULL) {
		pack_error(reader, line, "\"%s\" outside a rule (start one with \"rule <id>\")", word);
		return;
	}
	if (value[0] == '\0') {
		pack_error(reader, line, "%s: missing value", word);
		reader->current_bad = true;
		return;
	}
	if (strcmp(word, "class") == 0) {
		if (reader->has_class)
			pack_error(reader, line, "rule %s: class given twice", r->id);
		else if (rules_class_from_name(value, &r->klass) &&
		         r->klass == RULES_CLASS_UNRECOGNISED)
			pack_error(reader, line,
			           "class \"unrecognised\" is what dunmail says when no rule matched;"
			           " a rule cannot have it");
		else if (!rules_class_from_name(value, &r->klass))
			pack_error(reader, line,
			           "unknown class \"%s\" (promised, disputed, paid, autoreply, bounce, "
			           "copy_requested, plan_requested, question, none)",
			           value);
		else {
			reader->has_class = true;
			return;
		}
		/* Counted as given so that a bad class is not also reported as missing. */
		reader->has_class = true;
		reader->current_bad = true;
	} else if (strcmp(word, "priority") == 0) {
		char *end = NULL;
		errno = 0;
		long priority = strtol(value, &end, 10);
		if (reader->has_priority) {
			pack_error(reader, line, "rule %s: priority given twice", r->id);
			reader->current_bad = true;
		} else if (errno != 0 || *end != '\0' || priority < 0 || priority > RULES_PRIORITY_MAX) {
			pack_error(reader, line, "priority \"%s\" is not a number from 0 to %d", value,
			           RULES_PRIORITY_MAX);
			reader->current_bad = true;
		} else {
			r->priority = (int)priority;
		}
		reader->has_priority = true;
	} else if (strcmp(word, "on") == 0) {
		if (reader->has_on) {
			pack_error(reader, line, "rule %s: on given twice", r->id);
			reader->current_bad = true;
		} else if (strcmp(value, "body") == 0 || strcmp(value, "subject") == 0) {
			r->on_subject = strcmp(value, "subject") == 0;
		} else {
			pack_error(reader, line, "on \"%s\": expected body or subject", value);
			reader->current_bad = true;
		}
		reader->has_on = true;
	} else {
		bool guard = strcmp(word, "guard") == 0, unless = strcmp(word, "unless") == 0;
		if (!guard && !unless)
			reader->has_pattern_line = true;
		/* A plain user file may hold rules of a language not in use: its
		 * concepts are not loaded, and the rule is dropped anyway. */
		if (r->language != NULL && !language_listed(reader->languages, r->language))
			return;
		if (!pack_prepare(reader, line, word, value,
		                  reader->pending[guard    ? PENDING_GUARD
		                                  : unless ? PENDING_UNLESS
		                                           : PENDING_PATTERN]))
			reader->current_bad = true;
	}
}

static void
pack_read_file(pack_reader *reader)
{
	char *data = NULL;
	gsize size = 0;
	GError *read_error = NULL;
	if (!g_file_get_contents(reader->path, &data, &size, &read_error)) {
		pack_error(reader, 0, "%s", read_error->message);
		g_error_free(read_error);
		pack_flush_problems(reader);
		return;
	}
	const char *bad = NULL;
	if (!g_utf8_validate(data, (gssize)size, &bad)) {
		unsigned line = 1;
		for (const char *p = data; p < bad; p++)
			line += *p == '\n';
		pack_error(reader, line, "not valid UTF-8");
		pack_flush_problems(reader);
		g_free(data);
		return;
	}
	char **lines = g_strsplit(data, "\n", -1);
	for (unsigned n = 0; lines[n] != NULL; n++) {
		char *text = lines[n];
		pack_cut_comment(text);
		g_strstrip(text);
		if (text[0] == '\0')
			continue;
		char *value = text + strcspn(text, " \t");
		if (*value != '\0') {
			*value++ = '\0';
			while (*value == ' ' || *value == '\t')
				value++;
		}
		pack_directive(reader, n + 1, text, value);
	}
	pack_finish_rule(reader);
	pack_flush_problems(reader);
	g_strfreev(lines);
	g_free(data);
}

/* g_ptr_array_sort hands the comparator pointers to the elements. */
static gint
compare_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The *.rules files of a directory, sorted by name; NULL-terminated. */
static char **
pack_list_files(const char *dir)
{
	GPtrArray *names = g_ptr_array_new();
	GDir *handle = g_dir_open(dir, 0, NULL);
	if (handle != NULL) {
		const char *name;
		while ((name = g_dir_read_name(handle)) != NULL) {
			char *path = g_build_filename(dir, name, NULL);
			if (g_str_has_suffix(name, ".rules") && name[0] != '.' &&
			    g_file_test(path, G_FILE_TEST_IS_REGULAR))
				g_ptr_array_add(names, path);
			else
				g_free(path);
		}
		g_dir_close(handle);
	}
	g_ptr_array_sort(names, compare_paths);
	g_ptr_array_add(names, NULL);
	return (char **)g_ptr_array_free(names, FALSE);
}

static bool
language_listed(const char *const *languages, const char *language)
{
	for (size_t i = 0; languages != NULL && languages[i] != NULL; i++)
		if (strcmp(languages[i], language) == 0)
			return true;
	return false;
}

/* Adds a rule to the set; a rule with the same id is replaced in place. */
static void
rules_add(rules *set, rule *r)
{
	rule *old = g_hash_table_lookup(set->by_id, r->id);
	if (old != NULL) {
		for (guint i = 0; i < set->rules->len; i++) {
			if (g_ptr_array_index(set->rules, i) == old) {
				set->rules->pdata[i] = r;
				break;
			}
		}
		g_hash_table_replace(set->by_id, r->id, r);
		rule_free(old);
		return;
	}
	g_ptr_array_add(set->rules, r);
	g_hash_table_insert(set->by_id, r->id, r);
}

/* Reads the files of one directory into the set (errors to errors). */
static void
rules_load_files(rules *set, char **files, const char *dir_language,
                 const char *const *languages, const lexicon *lx, bool lazy, GHashTable *seen,
                 GString *errors)
{
	for (size_t f = 0; files[f] != NULL; f++) {
		pack_reader reader = {
		    .path = files[f],
		    .dir_language = dir_language,
		    .languages = languages,
		    .lexicon = lx,
		    .lazy = lazy,
		    .indexes = set->indexes,
		    .seen = seen,
		    .out = g_ptr_array_new(),
		    .errors = errors,
		    .problems = g_array_new(FALSE, FALSE, sizeof(pack_problem)),
		};
		for (int k = 0; k < 3; k++)
			reader.pending[k] = g_ptr_array_new_with_free_func(pack_line_free);
		pack_read_file(&reader);
		for (int k = 0; k < 3; k++)
			g_ptr_array_unref(reader.pending[k]);
		g_array_unref(reader.problems);
		for (guint i = 0; i < reader.out->len; i++) {
			rule *r = g_ptr_array_index(reader.out, i);
			/* A plain user file may hold rules of languages not in use. */
			if (language_listed(languages, r->language))
				rules_add(set, r);
			else
				rule_free(r);
		}
		g_ptr_array_unref(reader.out);
	}
}

/* The words that end a clause for "unless" ("but", "aber"), compiled once a language. */
static void
clause_break_compile(rules *set, const lexicon *lx, const char *language, GString *errors)
{
	const char *source = lexicon_clause_break(lx, language);
	char *folded;
	int code = 0;
	PCRE2_SIZE offset = 0;
	pcre2_code *compiled;

	if (source == NULL)
		return;
	folded = language_fold_text(source, strlen(source), NULL);
	compiled = pcre2_compile((PCRE2_SPTR)folded, PCRE2_ZERO_TERMINATED,
	                         PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF,
	                         &code, &offset, NULL);
	if (compiled == NULL) {
		PCRE2_UCHAR message[256];
		pcre2_get_error_message(code, message, sizeof message);
		g_string_append_printf(errors, "%s/lexicon: clause-break: %s\n", language,
		                       (char *)message);
	} else {
		rule_regex *regex = g_new0(rule_regex, 1);
		regex->code = compiled;
		regex->source = g_strdup(source);
		g_hash_table_insert(set->clause_breaks, g_strdup(language), regex);
	}
	g_free(folded);
}

static rules *
rules_load_mode(const char *const *dirs, const char *const *languages, bool lazy,
                GError **error);

rules *
rules_load(const char *const *dirs, const char *const *languages, GError **error)
{
	return rules_load_mode(dirs, languages, false, error);
}

rules *
rules_load_lazy(const char *const *dirs, const char *const *languages, GError **error)
{
	return rules_load_mode(dirs, languages, true, error);
}

static rules *
rules_load_mode(const char *const *dirs, const char *const *languages, bool lazy, GError **error)
{
	rules *set = g_new0(rules, 1);
	set->rules = g_ptr_array_new_with_free_func(rule_free);
	set->by_id = g_hash_table_new(g_str_hash, g_str_equal);
	set->clause_breaks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, rule_regex_free);
	set->indexes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, rules_index_free);
	GString *errors = g_string_new(NULL);
	GError *lexicon_error = NULL;
	lexicon *lx = lazy ? lexicon_load_unchecked(dirs, languages, &lexicon_error)
	                   : lexicon_load(dirs, languages, &lexicon_error);

	/* Rules that name no concept still load when a lexicon is broken; the
	 * others report the unknown concept besides the lexicon's own error. */
	if (lx == NULL) {
		g_string_append_printf(errors, "%s\n", lexicon_error->message);
		g_clear_error(&lexicon_error);
	}

	for (size_t d = 0; dirs != NULL && dirs[d] != NULL; d++) {
		/* Duplicate ids are an error within one directory tree, an override across. */
		GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		for (size_t l = 0; languages != NULL && languages[l] != NULL; l++) {
			char *sub = g_build_filename(dirs[d], languages[l], NULL);
			char **files = pack_list_files(sub);
			rules_load_files(set, files, languages[l], languages, lx, lazy, seen, errors);
			g_strfreev(files);
			g_free(sub);
		}
		char **files = pack_list_files(dirs[d]);
		rules_load_files(set, files, NULL, languages, lx, lazy, seen, errors);
		g_strfreev(files);
		g_hash_table_unref(seen);
	}
	for (size_t l = 0; lx != NULL && languages != NULL && languages[l] != NULL; l++)
		clause_break_compile(set, lx, languages[l], errors);
	for (guint i = 0; i < set->rules->len; i++) {
		rule *r = g_ptr_array_index(set->rules, i);
		r->clause_break = g_hash_table_lookup(set->clause_breaks, r->language);
	}
	lexicon_free(lx);
	if (errors->len > 0) {
		g_string_truncate(errors, errors->len - 1);
		g_set_error_literal(error, DM_ERROR, DM_ERROR_CONFIG, errors->str);
		g_string_free(errors, TRUE);
		rules_free(set);
		return NULL;
	}
	g_string_free(errors, TRUE);
	return set;
}
