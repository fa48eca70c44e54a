/*
 * The rule engine: decides what a client's reply says about an unpaid
 * invoice ("we will pay on Friday", "the amount is wrong", "out of the
 * office until 30 November") from rule packs a user can read and edit.
 *
 * A rule pack is a text file rules/<lang>/NAME.rules; the format is in
 * dunmail-rules(5).  Each rule has an id "<lang>.<class>.<name>", a class,
 * a priority, PCRE2 patterns (any one matching is enough) and guards (any
 * one matching vetoes the rule).  A pattern may capture the date phrase in
 * a group named "date"; the date resolver (filter/when.h) turns that phrase
 * into a date.
 *
 * Matching is done on a folded copy of the text (see language_fold_text):
 * the patterns are folded the same way when they are compiled, so "plătim"
 * in a pattern matches "platim", "plătim" and "plǎtim" in a reply, and
 * "überwiesen" matches "ueberwiesen".  Offsets and captured text refer to
 * the original text, so the date phrase keeps its diacritics.
 *
 * The set is immutable after rules_load() and may be shared by threads.
 */
#ifndef DUNMAIL_FILTER_RULES_H
#define DUNMAIL_FILTER_RULES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* The fixed set of reply classes; rule packs use the names. */
typedef enum {
	RULES_CLASS_NONE,           /* "none": nothing to act on */
	RULES_CLASS_PROMISED,       /* "promised": will pay, maybe by a date */
	RULES_CLASS_DISPUTED,       /* "disputed": contests or refuses to pay */
	RULES_CLASS_PAID,           /* "paid": says it has paid */
	RULES_CLASS_AUTOREPLY,      /* "autoreply": out of office */
	RULES_CLASS_BOUNCE,         /* "bounce": delivery failure */
	RULES_CLASS_COPY_REQUESTED, /* "copy_requested": wants the invoice (again, corrected) */
	RULES_CLASS_PLAN_REQUESTED, /* "plan_requested": wants instalments */
	RULES_CLASS_QUESTION,       /* "question": needs an answer from the user */
	/* "unrecognised": a person wrote and no rule read it.  Never a rule's
	 * class: the classify pipeline gives it (filter/classify.h), so that a
	 * reply nobody understood holds the reminders until the user reads it. */
	RULES_CLASS_UNRECOGNISED,
} rules_class;

#define RULES_CLASS_COUNT 10

/*
 * The patterns see at most this many bytes of a run of text without a
 * space; the rest of the run is hidden from them (text after it is not).
 */
#define RULES_WORD_MAX 256

/* The class's name as rule packs write it (a static string). */
const char *rules_class_name(rules_class klass);
/* Looks a class up by name; false for an unknown name. */
bool rules_class_from_name(const char *name, rules_class *klass);

/* A compiled rule set. */
typedef struct rules rules;

/*
 * Loads the rule packs for the given languages (NULL-terminated arrays).
 * For every directory, in order, it reads <dir>/<lang>/ *.rules for each
 * language and then <dir>/ *.rules (files in name order); a rule read later
 * replaces an earlier rule with the same id, so pass the shipped rules/
 * first and user directories after it.  A directory that does not exist is
 * skipped.  Rules of plain <dir>/ *.rules files belong to the language of
 * their id and are skipped when that language is not loaded.
 *
 * Every pattern is compiled once, here (with JIT where available).  On any
 * error it returns NULL and the error (DM_ERROR_CONFIG) lists every
 * problem of every file, one "file:line: message" per line.
 */
rules *rules_load(const char *const *dirs, const char *const *languages, GError **error);
/*
 * The same, but patterns are compiled on their first use, not here: a
 * filter run reads one reply in one language, and compiling eight packs
 * would cost it more than reading the reply.  Unknown concepts and every
 * other error of the format are still reported here; a pattern PCRE2
 * refuses (found by rules_load and `dunmail rules check`) never matches and
 * is logged once.  The classifier uses this.
 */
rules *rules_load_lazy(const char *const *dirs, const char *const *languages, GError **error);
void rules_free(rules *set);
/*
 * Prepares every language of a lazily loaded set now (its word index and
 * the lines to compile), which changes the set's tables: needed before
 * several threads classify with one set (see classifier_prepare_threads).
 * Patterns still compile and JIT-compile on first use, each under a lock
 * and published whole, which threads may share.
 */
void rules_prepare_for_threads(rules *set);

/* The number of rules in the set (after overrides). */
size_t rules_count(const rules *set);

/*
 * Pattern profiling, for pack authors (`dunmail rules test --profile`):
 * while on, every pattern, guard and unless counts its runs and the time
 * they took.  rules_profile_report lists the costliest, with their rule
 * and line, most costly first (top lines at most).  Free with g_free.
 */
void rules_set_profiling(rules *set, bool on);
char *rules_profile_report(const rules *set, size_t top);

/*
 * The result of classifying a reply.  The const char * fields point into
 * the rule set and live as long as it does; date_text is owned by the
 * verdict and freed by rules_verdict_clear.
 */
typedef struct {
	rules_class klass;      /* RULES_CLASS_NONE when no rule matched */
	const char *class_name; /* rules_class_name(klass) */
	const char *rule_id;    /* the winning rule, NULL when none matched */
	const char *language;   /* the winning rule's language, or NULL */
	int priority;           /* the winning rule's priority, or 0 */
	const char *field;      /* "body" or "subject", or NULL */
	size_t match_start;     /* byte range of the match in that field (in valid UTF-8 it is
	                           the field as given; invalid bytes are replaced first, as
	                           g_utf8_make_valid does, and offsets refer to that text) */
	size_t match_end;
	char *date_text;        /* the captured "date" phrase, or NULL; owned */
} rules_verdict;

/* Where a rule stands after classification, for --explain. */
typedef enum {
	RULES_MATCH_MATCHED, /* a pattern matched and no guard did */
	RULES_MATCH_VETOED,  /* a pattern matched but a guard matched too */
	RULES_MATCH_LIMIT,   /* PCRE2 gave up (match, depth or heap limit): no match */
} rules_match_status;

/*
 * One rule that matched, was vetoed, or hit a matching limit.  Strings
 * other than the owned ones point into the rule set.
 */
typedef struct {
	const char *rule_id;
	const char *class_name;
	const char *language;
	int priority;
	rules_match_status status;
	bool winner;              /* this rule decided the verdict */
	const char *field;        /* "body" or "subject" */
	size_t start, end;        /* byte range of the match in the field */
	char *matched_text;       /* owned: the matched original text */
	char *date_text;          /* owned: the "date" capture, or NULL */
	char *guard_text;         /* owned: the text the vetoing guard matched, or NULL */
} rules_explanation;

/* A new array for rules_classify's explain argument; it frees its entries. */
GPtrArray *rules_explain_new(void);

/*
 * Classifies a reply: subject (may be NULL) and body (the client's own
 * text, UTF-8; invalid bytes are replaced, never trusted).  Among the
 * rules that matched and were not vetoed, the highest priority wins; on a
 * tie the match earlier in the text (the subject comes before the body)
 * wins, then the rule loaded first.  When explain is not NULL (made by
 * rules_explain_new) one rules_explanation per rule that matched, was
 * vetoed or hit a limit is appended, in load order.
 *
 * Returns true when a rule decided; false when none matched, and then the
 * verdict says RULES_CLASS_NONE with no rule.  Hostile input cannot stall
 * it: every match runs under match, depth and heap limits, and a pattern
 * that reaches one counts as not matching.  Clear the verdict with
 * rules_verdict_clear.
 */
bool rules_classify(const rules *set, const char *subject, const char *body,
                    rules_verdict *verdict, GPtrArray *explain);
/*
 * The same, with only the rules of the given languages (NULL-terminated;
 * NULL = all).  The pipeline first tries the language the reply is
 * written in, which spares matching seven packs that cannot match, and
 * falls back to every pack when that finds nothing.
 */
bool rules_classify_languages(const rules *set, const char *const *languages,
                              const char *subject, const char *body, rules_verdict *verdict,
                              GPtrArray *explain);
void rules_verdict_clear(rules_verdict *verdict);

/*
 * The clause around the byte range [start, end) of text (UTF-8), as the
 * "unless" vetoes of language's rules see it: the sentence, cut at that
 * language's clause-break words outside the range.  Fills [*from, *to).
 * The date of a promise is looked for there first (filter/classify.c).
 */
void rules_clause_of(const rules *set, const char *language, const char *text, size_t start,
                     size_t end, size_t *from, size_t *to);

#endif
