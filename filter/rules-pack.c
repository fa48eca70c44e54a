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


void
rule_regex_free(gpointer data)
{
	rule_regex *regex = data;
	if (regex->requires != NULL)
		g_ptr_array_unref(regex->requires);
	if (regex->lead != NULL)
		g_array_unref(regex->lead);
	g_free(regex->lazy_source);
	pcre2_code_free(regex->code);
	pcre2_code_free(regex->replaced);
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
	for (int k = 0; k < RULE_LINE_KINDS; k++)
		r->lines[k] = g_ptr_array_new_with_free_func(rule_line_free);
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
	for (int k = 0; k < RULE_LINE_KINDS; k++)
		g_ptr_array_unref(r->lines[k]);
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
	if (set->by_priority != NULL)
		g_array_unref(set->by_priority);
	g_hash_table_unref(set->clause_breaks);
	g_hash_table_unref(set->indexes);
	g_hash_table_unref(set->prepared);
	lexicon_free(set->lexicon);
	g_free(set);
}

void
rules_prepare_for_threads(rules *set)
{
	rules_ensure_prepared(set, NULL);
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
	const char *const *languages; /* the languages loaded */
	bool user;                    /* a user's directory, not the shipped one */
	GPtrArray *out;           /* rule *: the rules read, valid ones only */
	GString *errors;
	/* This file's problems, put in line order when the file is done: a
	 * rule's missing class is only known at its end, after later lines. */
	GArray *problems; /* pack_problem */
	/* The rule being read and which lines it has had. */
	rule *current;
	bool has_class, has_priority, has_on, has_pattern_line, current_bad;
} pack_reader;
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

static bool language_listed(const char *const *languages, const char *language);

/*
 * Keeps one pattern, guard or unless line for the rule: its concepts are
 * expanded and it is compiled when its language is prepared
 * (filter/rules-prepare.c).
 */
static void
pack_keep_line(pack_reader *reader, unsigned line, const char *directive, const char *source,
               int kind)
{
	rule_line *l = g_new0(rule_line, 1);

	l->file = g_strdup(reader->path);
	l->line = line;
	l->directive = g_strdup(directive);
	l->source = g_strdup(source);
	l->user = reader->user;
	g_ptr_array_add(reader->current->lines[kind], l);
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

	char *language = rule_id_language(id);
	if (language == NULL) {
		pack_error(reader, line,
		           "rule id \"%s\" is not <lang>.<class>.<name> (lower-case letters, digits, - and _)",
		           id);
		reader->current_bad = true;
		return;
	}
	reader->current->language = language;
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
		pack_keep_line(reader, line, word, value,
		               guard ? RULE_LINE_GUARD : unless ? RULE_LINE_UNLESS : RULE_LINE_PATTERN);
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
                 const char *const *languages, bool user, GHashTable *seen, GString *errors)
{
	for (size_t f = 0; files[f] != NULL; f++) {
		pack_reader reader = {
		    .path = files[f],
		    .dir_language = dir_language,
		    .languages = languages,
		    .user = user,
		    .seen = seen,
		    .out = g_ptr_array_new(),
		    .errors = errors,
		    .problems = g_array_new(FALSE, FALSE, sizeof(pack_problem)),
		};
		pack_read_file(&reader);
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

static rules *
rules_load_mode(const char *const *dirs, const char *const *languages, bool lazy,
                GError **error);

/* A "file:line: message" line's place: the file's first appearance, then the line. */
typedef struct {
	guint file;
	unsigned long line;
	guint sequence;
	char *text;
} problem_line;

static gint
compare_problem_lines(gconstpointer a, gconstpointer b)
{
	const problem_line *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

/*
 * Puts the problems of expanding and compiling (found after every file was
 * read) in line order among those of reading, file by file.
 */
static void
sort_problems(GString *errors)
{
	char **lines = g_strsplit(errors->str, "\n", -1);
	GArray *sorted = g_array_new(FALSE, FALSE, sizeof(problem_line));
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; lines[i] != NULL; i++) {
		problem_line p = {G_MAXUINT, 0, i, lines[i]};
		const char *colon = strchr(lines[i], ':');
		if (lines[i][0] == '\0')
			continue;
		if (colon != NULL && g_ascii_isdigit(colon[1])) {
			char *file = g_strndup(lines[i], (gsize)(colon - lines[i]));
			guint k;
			for (k = 0; k < files->len; k++)
				if (strcmp(g_ptr_array_index(files, k), file) == 0)
					break;
			if (k == files->len)
				g_ptr_array_add(files, g_strdup(file));
			p.file = k;
			p.line = strtoul(colon + 1, NULL, 10);
			g_free(file);
		}
		g_array_append_val(sorted, p);
	}
	g_array_sort(sorted, compare_problem_lines);
	g_string_truncate(errors, 0);
	for (guint i = 0; i < sorted->len; i++)
		g_string_append_printf(errors, "%s\n", g_array_index(sorted, problem_line, i).text);
	g_array_unref(sorted);
	g_ptr_array_unref(files);
	g_strfreev(lines);
}

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

static gint
priority_then_load_order(gconstpointer a, gconstpointer b, gpointer data)
{
	const GPtrArray *all = data;
	guint i = *(const guint *)a, j = *(const guint *)b;
	const rule *ra = g_ptr_array_index(all, i), *rb = g_ptr_array_index(all, j);

	if (ra->priority != rb->priority)
		return ra->priority > rb->priority ? -1 : 1;
	return i < j ? -1 : i > j;
}

/*
 * The order classifying runs the rules in: once a rule has matched, no
 * rule of lower priority can win, and those are not run (rules.c).
 */
static void
order_by_priority(rules *set)
{
	set->by_priority = g_array_sized_new(FALSE, FALSE, sizeof(guint), set->rules->len);
	for (guint i = 0; i < set->rules->len; i++)
		g_array_append_val(set->by_priority, i);
	g_array_sort_with_data(set->by_priority, priority_then_load_order, set->rules);
}

static rules *
rules_load_mode(const char *const *dirs, const char *const *languages, bool lazy, GError **error)
{
	rules *set = g_new0(rules, 1);
	set->rules = g_ptr_array_new_with_free_func(rule_free);
	set->by_id = g_hash_table_new(g_str_hash, g_str_equal);
	set->clause_breaks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, rule_regex_free);
	set->indexes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, rules_index_free);
	set->prepared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
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
			rules_load_files(set, files, languages[l], languages, d > 0, seen, errors);
			g_strfreev(files);
			g_free(sub);
		}
		char **files = pack_list_files(dirs[d]);
		rules_load_files(set, files, NULL, languages, d > 0, seen, errors);
		g_strfreev(files);
		g_hash_table_unref(seen);
	}
	set->lexicon = lx;
	set->lazy = lazy;
	order_by_priority(set);
	/* Eagerly, every line is expanded and compiled now, so that every error
	 * is reported with its line; lazily, when its language is first used. */
	if (!lazy) {
		rules_prepare_all(set, errors);
		lexicon_free(set->lexicon);
		set->lexicon = NULL;
		sort_problems(errors);
	} else {
		rules_validate_user_lines(set, errors);
		sort_problems(errors);
	}
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
