/*
 * The rule engine: reading rule packs, compiling them with PCRE2, and
 * classifying a reply.  The format is documented in dunmail-rules(5).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "filter/rules.h"

#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "filter/language.h"

/*
 * Matching limits.  A reply is a few kilobytes of human text; these
 * limits are far above what any sane pattern needs on such text and stop
 * a catastrophic backtrack on hostile input (a megabyte of "a", nested
 * parentheses) within a fraction of a second.  The heap limit is in KiB.
 */
#define RULES_MATCH_LIMIT 5000000u
#define RULES_DEPTH_LIMIT 10000u
#define RULES_HEAP_LIMIT (32u * 1024u)
#define RULES_JIT_STACK_START (32 * 1024)
#define RULES_JIT_STACK_MAX (1024 * 1024)

/* A rule without a priority line gets this one. */
#define RULES_DEFAULT_PRIORITY 50
#define RULES_PRIORITY_MAX 1000

/* Groups named "date" one pattern may have. */
#define RULES_DATE_GROUPS_MAX 16

/* Pairs in the match data: enough for any pattern a person writes. */
#define RULES_OVECTOR_PAIRS 64

typedef struct {
	pcre2_code *code;
	char *source; /* as written in the pack, for messages */
	/* Numbers of the groups named "date": a pattern may name one in several
	 * alternatives ("by Friday" | "next week"), so names may repeat. */
	int date_groups[RULES_DATE_GROUPS_MAX];
	int n_date_groups;
	/* Lazy JIT (see regex_run): how often it ran, and whether it is compiled. */
	gint uses;
	gint jitted;
} rule_regex;

/*
 * JIT compiling every pattern costs more than interpreting them over one
 * message, and the filter runs once per delivered message: so a pattern
 * is JIT-compiled only once it has run this many times in the process
 * (a scan, a benchmark, `rules test`), where the compile pays for itself.
 */
#define RULES_JIT_AFTER_USES 8
static GMutex rules_jit_lock;

typedef struct {
	char *id;
	char *language;
	rules_class klass;
	int priority;
	bool on_subject;
	GPtrArray *patterns; /* rule_regex * */
	GPtrArray *guards;   /* rule_regex * */
	char *file;
	unsigned line;
} rule;

struct rules {
	GPtrArray *rules; /* rule *, in load order (an override keeps the place) */
	GHashTable *by_id; /* id -> rule * (borrowed) */
};

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

static void
rule_regex_free(gpointer data)
{
	rule_regex *regex = data;
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
	g_free(set);
}

static void
regexes_jit(GPtrArray *regexes)
{
	for (guint i = 0; regexes != NULL && i < regexes->len; i++) {
		rule_regex *regex = g_ptr_array_index(regexes, i);
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

/* Finds the groups named "date" in the compiled pattern's name table. */
static void
regex_find_date_groups(rule_regex *regex)
{
	uint32_t count = 0, entry_size = 0;
	PCRE2_SPTR table = NULL;
	pcre2_pattern_info(regex->code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(regex->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
	pcre2_pattern_info(regex->code, PCRE2_INFO_NAMETABLE, &table);
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
static rule_regex *
pack_compile(pack_reader *reader, unsigned line, const char *directive, const char *source)
{
	GArray *offsets = NULL;
	char *folded = language_fold_text(source, strlen(source), &offsets);
	int code = 0;
	PCRE2_SIZE offset = 0;
	pcre2_code *compiled =
	    pcre2_compile((PCRE2_SPTR)folded, PCRE2_ZERO_TERMINATED,
	                  PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF | PCRE2_DUPNAMES,
	                  &code,
	                  &offset, NULL);
	rule_regex *regex = NULL;
	if (compiled == NULL) {
		PCRE2_UCHAR message[256];
		pcre2_get_error_message(code, message, sizeof message);
		size_t at = offset <= strlen(folded) ? g_array_index(offsets, size_t, offset) : offset;
		pack_error(reader, line, "%s: %s at offset %zu in \"%s\"", directive, (char *)message,
		           at, source);
	} else {
		regex = g_new0(rule_regex, 1);
		regex->code = compiled;
		regex->source = g_strdup(source);
		regex_find_date_groups(regex);
	}
	g_array_unref(offsets);
	g_free(folded);
	return regex;
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
	             strcmp(word, "guard") == 0;
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
		bool guard = strcmp(word, "guard") == 0;
		if (!guard)
			reader->has_pattern_line = true;
		rule_regex *regex = pack_compile(reader, line, word, value);
		if (regex == NULL)
			reader->current_bad = true;
		else
			g_ptr_array_add(guard ? r->guards : r->patterns, regex);
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
                 const char *const *languages, GHashTable *seen, GString *errors)
{
	for (size_t f = 0; files[f] != NULL; f++) {
		pack_reader reader = {
		    .path = files[f],
		    .dir_language = dir_language,
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

rules *
rules_load(const char *const *dirs, const char *const *languages, GError **error)
{
	rules *set = g_new0(rules, 1);
	set->rules = g_ptr_array_new_with_free_func(rule_free);
	set->by_id = g_hash_table_new(g_str_hash, g_str_equal);
	GString *errors = g_string_new(NULL);

	for (size_t d = 0; dirs != NULL && dirs[d] != NULL; d++) {
		/* Duplicate ids are an error within one directory tree, an override across. */
		GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		for (size_t l = 0; languages != NULL && languages[l] != NULL; l++) {
			char *sub = g_build_filename(dirs[d], languages[l], NULL);
			char **files = pack_list_files(sub);
			rules_load_files(set, files, languages[l], languages, seen, errors);
			g_strfreev(files);
			g_free(sub);
		}
		char **files = pack_list_files(dirs[d]);
		rules_load_files(set, files, NULL, languages, seen, errors);
		g_strfreev(files);
		g_hash_table_unref(seen);
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

static void
reply_field_init(reply_field *field, const char *name, const char *text)
{
	field->name = name;
	field->text = g_utf8_make_valid(text != NULL ? text : "", -1);
	field->length = strlen(field->text);
	field->folded = language_fold_text(field->text, field->length, &field->offsets);
	field->folded_length = strlen(field->folded);
	join_soft_line_breaks(field->folded);
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

/* Runs one regex over a field; on a match fills the folded ranges of the
 * whole match and of the "date" group (date_start = SIZE_MAX when unset). */
static regex_outcome
regex_run(matcher *m, const rule_regex *regex, const reply_field *field, size_t *start,
          size_t *end, size_t *date_start, size_t *date_end)
{
	int rc;
	/* JIT is an optimisation: without it (unsupported CPU, no executable memory)
	 * the interpreter gives the same answers.  The set stays shareable: the
	 * compile happens once, under a lock, and matching never waits for it. */
	if (!g_atomic_int_get(&regex->jitted) &&
	    g_atomic_int_add((gint *)&regex->uses, 1) + 1 == RULES_JIT_AFTER_USES) {
		g_mutex_lock(&rules_jit_lock);
		(void)pcre2_jit_compile(regex->code, PCRE2_JIT_COMPLETE);
		g_atomic_int_set((gint *)&regex->jitted, 1);
		g_mutex_unlock(&rules_jit_lock);
	}
	rc = pcre2_match(regex->code, (PCRE2_SPTR)field->folded, field->folded_length, 0, 0,
	                 m->data, m->context);
	if (rc == PCRE2_ERROR_NOMATCH)
		return REGEX_NO_MATCH;
	if (rc < 0)
		return REGEX_LIMIT;
	PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(m->data);
	*start = ovector[0];
	*end = ovector[1];
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

/* Runs one rule; false when it neither matched nor hit a limit. */
static bool
rule_run(matcher *m, const rule *r, const reply_field *field, rule_outcome *out)
{
	bool limit = false;
	out->matched = false;
	for (guint i = 0; i < r->patterns->len; i++) {
		size_t s, e, ds, de;
		regex_outcome got = regex_run(m, g_ptr_array_index(r->patterns, i), field, &s, &e, &ds, &de);
		if (got == REGEX_LIMIT)
			limit = true;
		if (got != REGEX_MATCH)
			continue;
		/* Several patterns may match: the earliest match stands for the rule. */
		if (!out->matched || s < out->start) {
			out->matched = true;
			out->start = s;
			out->end = e;
			out->date_start = ds;
			out->date_end = de;
		}
	}
	if (!out->matched) {
		out->status = RULES_MATCH_LIMIT;
		return limit;
	}
	out->status = RULES_MATCH_MATCHED;
	out->has_guard = false;
	for (guint i = 0; i < r->guards->len; i++) {
		size_t s, e, ds, de;
		regex_outcome got = regex_run(m, g_ptr_array_index(r->guards, i), field, &s, &e, &ds, &de);
		if (got == REGEX_MATCH) {
			out->status = RULES_MATCH_VETOED;
			out->has_guard = true;
			out->guard_start = s;
			out->guard_end = e;
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

	reply_field fields[2];
	reply_field_init(&fields[0], "subject", subject);
	reply_field_init(&fields[1], "body", body);
	matcher *m = matcher_for_thread();

	rule_outcome best = {0};
	bool have_best = false;
	guint explain_first = explain != NULL ? explain->len : 0;
	for (guint i = 0; i < set->rules->len; i++) {
		const rule *r = g_ptr_array_index(set->rules, i);
		rule_outcome outcome = {.rule = r, .index = i};
		if (!language_wanted(languages, r->language))
			continue;
		outcome.field = r->on_subject ? &fields[0] : &fields[1];
		if (!rule_run(m, r, outcome.field, &outcome))
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
	return have_best;
}

void
rules_verdict_clear(rules_verdict *verdict)
{
	g_free(verdict->date_text);
	memset(verdict, 0, sizeof *verdict);
	verdict->klass = RULES_CLASS_NONE;
	verdict->class_name = rules_class_name(RULES_CLASS_NONE);
}
