/*
 * What the rule engine's two halves share: the compiled rules that
 * filter/rules-pack.c reads and filter/rules.c matches.  Not a public
 * header: nothing outside filter/rules*.c includes it.
 */
#ifndef DUNMAIL_FILTER_RULES_PRIVATE_H
#define DUNMAIL_FILTER_RULES_PRIVATE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "filter/lexicon.h"
#include "filter/rules-index.h"
#include "filter/rules.h"

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

typedef struct rule_regex {
	pcre2_code *code;
	char *source; /* as written in the pack, for messages */
	/* Numbers of the groups named "date": a pattern may name one in several
	 * alternatives ("by Friday" | "next week"), so names may repeat. */
	int date_groups[RULES_DATE_GROUPS_MAX];
	int n_date_groups;
	/* Lazy JIT (see regex_run_once): whether it is JIT-compiled, the time
	 * its compile took (what a JIT compile costs, several times over) and
	 * the time spent interpreting it so far; the code it replaced, kept
	 * for threads that may still be running it. */
	gint jitted;
	gint64 compile_ns;
	gint64 interpreted_ns;
	pcre2_code *replaced;
	/* What the pattern cannot match without (see filter/rules-index.h), or
	 * NULL: a reply without the words is not scanned. */
	GPtrArray *requires;
	/* The anchors one of which starts every match (rules_index_lead), or
	 * NULL: the regex is then compiled anchored ("\\G(?:...)") and tried
	 * only where their words start, not searched for along the text. */
	GArray *lead;
	/* Expanded and compiled on first use (rules_load_lazy): its folded
	 * source until then, with the concepts and language to expand it with
	 * (the set's lexicon lives as long as a lazy set). */
	char *lazy_source;
	const lexicon *lazy_lexicon;
	const char *lazy_language;
	/* Profiling (rules_set_profiling): runs and nanoseconds, and where it was written. */
	gint64 runs, nanoseconds;
	const char *file;
	unsigned line;
} rule_regex;

/*
 * JIT compiling a pattern costs some four times its compile; interpreting
 * one costs from a microsecond (a try where its lead starts) to a
 * millisecond (a search through a long reply).  The filter runs once per
 * delivered message, a scan or a benchmark thousands of times: so a
 * pattern is JIT-compiled once the time spent interpreting it reaches this
 * many times its compile time, when the compile has about paid for itself
 * (the ski-rental rule: never more than twice the better choice).
 */
/*
 * A regex's code is published whole, once compiled or JIT-compiled, to
 * threads that may be matching with it: an acquire load and a release
 * store.  (GLib's g_atomic_pointer_* take the size of what they point to,
 * and pcre2_code is opaque.)
 */
static inline pcre2_code *
rule_regex_code(const rule_regex *regex)
{
	return __atomic_load_n(&regex->code, __ATOMIC_ACQUIRE);
}

static inline void
rule_regex_publish(rule_regex *regex, pcre2_code *code)
{
	__atomic_store_n(&regex->code, code, __ATOMIC_RELEASE);
}

#ifndef RULES_JIT_PAYBACK
#define RULES_JIT_PAYBACK 4
#endif
/* Compiles a folded, expanded source with the rules' flags, timing it. */
pcre2_code *rules_compile_timed(const char *source, int *code, PCRE2_SIZE *offset, gint64 *ns);
/* CLOCK_MONOTONIC in nanoseconds: what interpreting and compiling cost. */
gint64 rules_now_ns(void);
extern GMutex rules_jit_lock;
/* Set while some set profiles its patterns: regex_run then measures each run. */
extern gint rules_profiling;

/* A pattern, guard or unless line as the pack wrote it. */
typedef struct {
	char *file;
	unsigned line;
	char *directive; /* "pattern", "guard" or "unless" */
	char *source;
	bool user;       /* from a user's directory (not the first, shipped one) */
} rule_line;

enum { RULE_LINE_PATTERN, RULE_LINE_GUARD, RULE_LINE_UNLESS, RULE_LINE_KINDS };

typedef struct {
	char *id;
	char *language;
	rules_class klass;
	int priority;
	bool on_subject;
	/* The lines as read (rule_line *), turned into the regexes below when
	 * the rule's language is first used (rules_prepare_language). */
	GPtrArray *lines[RULE_LINE_KINDS];
	gint prepared;
	GPtrArray *patterns; /* rule_regex * */
	GPtrArray *guards;   /* rule_regex *: veto anywhere in the field */
	GPtrArray *unless;   /* rule_regex *: veto within the match's clause */
	const struct rule_regex *clause_break; /* its language's clause-break words (the set's), or NULL */
	char *file;
	unsigned line;
} rule;

struct rules {
	GPtrArray *rules; /* rule *, in load order (an override keeps the place) */
	GArray *by_priority; /* guint indexes into rules, highest priority first, then load order */
	GHashTable *by_id; /* id -> rule * (borrowed) */
	GHashTable *clause_breaks; /* language -> rule_regex *: its clause-break words */
	GHashTable *indexes;       /* language -> rules_index *: the words patterns need */
	/* The concepts rules are expanded with, kept until every language is
	 * prepared; and the languages that are (language -> GINT_TO_POINTER(1)). */
	lexicon *lexicon;
	GHashTable *prepared;
	bool all_prepared;
	bool lazy;
	bool profiling;
};

void rule_regex_free(gpointer data);
void rule_line_free(gpointer data);

#define RULES_COMPILE_FLAGS \
	(PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_DUPNAMES)

/*
 * Turns the lines of every rule of language into regexes: concepts
 * expanded, folded, compiled at once (or on first use when the set was
 * loaded lazily), with their word requirements; and the language's
 * clause-break regex.  Runs once a language, under rules_jit_lock.
 * Problems are appended to errors as "file:line: message" lines (NULL:
 * logged as warnings, the line left out).  Returns false when there were
 * some.
 */
bool rules_prepare_language(rules *set, const char *language, GString *errors);
/* The same for every language of the set (and frees the lexicon after). */
bool rules_prepare_all(rules *set, GString *errors);
/*
 * Compiles the lines of users' packs (rule_line.user) once and throws the
 * result away, reporting what does not compile: a set loaded lazily still
 * refuses a broken user pack when it is read, as the shipped packs are
 * checked by `rules check` before they ship.
 */
bool rules_validate_user_lines(rules *set, GString *errors);
/* Prepares the languages (NULL-terminated, NULL = all) if they are not yet. */
void rules_ensure_prepared(const rules *set, const char *const *languages);
/* Compiles a regex kept as lazy_source, under rules_jit_lock; false when it cannot be. */
bool rules_regex_compile_lazy(rule_regex *regex);

#endif
