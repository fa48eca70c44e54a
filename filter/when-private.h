/*
 * What the date resolver's files share.  Not a public header: nothing
 * outside filter/when*.c includes it.
 *
 *   when-token.c  folding and splitting text into tokens, the same way for
 *                 the word files and for mail, so both compare alike
 *   when-words.c  reading the word files into a table keyed by a phrase's
 *                 first word
 *   when-scan.c   reading a tokenised text: the gaps between tokens, glue,
 *                 words and numbers at a position, and the linear scan for
 *                 the first expression
 *   when-shape.c  the shapes of date expressions, one matcher each, at a
 *                 token position
 *   when.c        what the shapes resolve to (the conventions documented in
 *                 when.h) and the public entry points
 *
 * A scan is linear: each token's word is looked up once in a hash table
 * (the phrases it begins, and whether an expression may start with it),
 * and a matcher looks ahead or back a bounded number of tokens.
 */
#ifndef DUNMAIL_FILTER_WHEN_PRIVATE_H
#define DUNMAIL_FILTER_WHEN_PRIVATE_H

#include "filter/when.h"

#include <stdint.h>

#define WHEN_MAX_LANGUAGES 64

/* Upper bounds for "within N <unit>": beyond them the number is not a delay. */
#define WHEN_MAX_DAYS 366
#define WHEN_MAX_WEEKS 52
#define WHEN_MAX_MONTHS 24
#define WHEN_MAX_HOURS (24 * 31)

/*
 * The first day a day word ("fifteenth", "piętnastego", "le quinze") names
 * on its own, as a bare day: the smaller ones are too often the ordinal of
 * something else ("the second reminder"); before a month they all count.
 */
#define WHEN_BARE_DAY_WORD_MIN 10

/* Years a written date may name; others are invoice numbers or typos. */
#define WHEN_MIN_YEAR 1900
#define WHEN_MAX_YEAR 2199

/* ---------------------------------------------------------------------- */
/* Tokens (when-token.c)                                                   */
/* ---------------------------------------------------------------------- */

/* One word or one run of digits, with where it sits in the original text. */
typedef struct {
	uint32_t start, end; /* byte range in the text */
	uint32_t fold;       /* offset of the folded, NUL-terminated form */
	int32_t value;       /* for digits: the number, -1 when longer than 9 digits */
	uint8_t digits;      /* how many digits (capped at 255); 0 for a word */
} token;

/*
 * Splits text into words and digit runs (a change between letters and
 * digits also splits: "2nd" is "2" + "nd"), appending to tokens and their
 * folded forms to folded.
 */
void when_tokenize(const char *text, size_t length, GArray *tokens, GString *folded);

/*
 * Decodes one character at p (length bytes available) and its size.  An
 * invalid or cut sequence reads as one byte of U+FFFD.
 */
gunichar when_decode_char(const char *p, size_t length, size_t *size);

/* ---------------------------------------------------------------------- */
/* Words (when-words.c)                                                    */
/* ---------------------------------------------------------------------- */

typedef enum {
	WORD_MONTH,
	WORD_WEEKDAY,
	WORD_NUMBER,
	WORD_DAY,
	WORD_UNIT,
	WORD_RELATIVE,
	WORD_WITHIN,
	WORD_FILLER,
	WORD_ORDINAL,
	WORD_DAY_MONTH,
	WORD_NEXT,
	WORD_NEXT_AFTER,
	WORD_COMING,
	WORD_COMING_AFTER,
	WORD_LAST,
	WORD_LAST_AFTER,
	WORD_BEGINNING_OF,
	WORD_MID_OF,
	WORD_END_OF,
	WORD_LAST_WORKING_DAY_OF,
	WORD_PREFIX,
	WORD_DATE_LEAD,
	WORD_WITHIN_AFTER,
	WORD_IGNORE,
	WORD_BARE_DAY,
	WORD_BARE_DAY_AFTER,
	WORD_NEXT_MONTH_AFTER,
	WORD_NOT_A_DAY,
	WORD_INCLUSIVE,
	WORD_INCLUSIVE_AFTER,
	WORD_YEAR_MARK,
	WORD_AND,
	WORD_WEEK_NUMBER,
	WORD_WEEK_LATER,
	WORD_WEEK_LATER_AFTER,
	WORD_WEEKDAY_DAY,
} word_kind;

/* What follows a count; hours count only in whole days ("48 hours"). */
typedef enum { UNIT_DAY, UNIT_WORKING_DAY, UNIT_WEEK, UNIT_MONTH, UNIT_HOUR } unit_kind;

/* The operations of [relative]; when.c resolves each. */
typedef enum {
	REL_TODAY,
	REL_TOMORROW,
	REL_DAY_AFTER_TOMORROW,
	REL_YESTERDAY,
	REL_DAY_BEFORE_YESTERDAY,
	REL_THIS_WEEK,
	REL_NEXT_WEEK,
	REL_BEGINNING_OF_NEXT_WEEK,
	REL_MID_NEXT_WEEK,
	REL_AFTER_THE_WEEKEND,
	REL_BEGINNING_OF_MONTH,
	REL_BEGINNING_OF_NEXT_MONTH,
	REL_FIRST_WORKING_DAY_OF_NEXT_MONTH,
	REL_LAST_WORKING_DAY_OF_MONTH,
	REL_MID_MONTH,
	REL_MID_NEXT_MONTH,
	REL_END_OF_MONTH,
	REL_END_OF_NEXT_MONTH,
	REL_END_OF_YEAR,
	REL_IN_ONE_WEEK,
	REL_IN_TWO_WEEKS,
	REL_IN_ONE_MONTH,
} relative_kind;

/* What "next Friday" means in a language. */
typedef enum {
	NEXT_FOLLOWING_WEEK, /* the Friday of the week after the anchor's */
	NEXT_NEAREST,        /* the first Friday after the anchor */
} next_rule;

/*
 * What makes a bare number a day of the month in a language (WHEN_BARE_DAY):
 * its ordinal suffix ("25th"), a marker word before it ("le 15"), either
 * ("15-go", "dnia 15"), or a marker and the ordinal dot ("am 15.").
 */
typedef enum {
	BARE_DAY_NONE, /* a language whose file does not say reads no bare day */
	BARE_DAY_ORDINAL,
	BARE_DAY_MARKER,
	BARE_DAY_ORDINAL_OR_MARKER,
	BARE_DAY_MARKER_AND_DOT,
} bare_day_shape;

/* One phrase of a word file, with every language that lists it. */
typedef struct {
	word_kind kind;
	int value;
	uint64_t languages;
	guint n_tokens;
	char **tokens; /* folded words, NULL-terminated */
} word_entry;

struct when_words {
	char **languages; /* the codes, in load order */
	guint n_languages;
	next_rule next[WHEN_MAX_LANGUAGES];
	bare_day_shape bare_day[WHEN_MAX_LANGUAGES];
	GPtrArray *entries;   /* owns every word_entry */
	GHashTable *by_first; /* first folded word -> GPtrArray of word_entry */
	GHashTable *starts;   /* first words of the phrases an expression may start with */
};

/* ---------------------------------------------------------------------- */
/* Scanning (when-scan.c)                                                  */
/* ---------------------------------------------------------------------- */

/* One text being scanned, with everything a matcher reads. */
typedef struct {
	const when_words *words;
	uint64_t mask;  /* the languages whose words count */
	unsigned flags; /* WHEN_* of when_find_flags */
	const char *text;
	size_t length;
	const token *tokens;
	guint n;
	const char *folded;
	GPtrArray **buckets; /* per token: the phrases its word begins, or NULL */
	bool *starts;        /* per token: may an expression start there? */
	dm_date anchor;
	char anchor_iso[DM_DATE_ISO_SIZE];
} scan;

/* A date expression found at a position. */
typedef struct {
	dm_date date;
	guint end;      /* one past its last token */
	char *how;      /* owned: the reasoning, for explain */
	bool inclusive; /* an inclusive end: "until and including X" */
	bool year;      /* a year was written: "r." or "г." may follow it */
} candidate;

static inline const char *
tok_text(const scan *s, guint i)
{
	return s->folded + s->tokens[i].fold;
}

static inline bool
tok_is_digits(const scan *s, guint i)
{
	return i < s->n && s->tokens[i].digits > 0;
}

/* Is the text between tokens i-1 and i nothing at all? */
static inline bool
gap_empty(const scan *s, guint i)
{
	return s->tokens[i - 1].end == s->tokens[i].start;
}

/* Is the gap before token i exactly the one ASCII character c? */
static inline bool
gap_is_char(const scan *s, guint i, char c)
{
	return s->tokens[i].start == s->tokens[i - 1].end + 1 && s->text[s->tokens[i - 1].end] == c;
}

/* The character at byte offset at, or 0 at the end. */
gunichar when_char_at(const scan *s, size_t at);

/*
 * Is the gap before token i made of spaces, and, when allowed, of one
 * punctuation mark from marks (e.g. "3. Dezember", "December 2, 2026")?
 * At least one space is required, so "3.12" never reads as words.
 */
bool when_gap_spaced(const scan *s, guint i, const char *marks);

/* Inside a phrase: words separated by spaces, hyphens or apostrophes only. */
bool when_gap_soft(const scan *s, guint i);

/*
 * Is token i glued to what comes before it, so that it is part of an
 * identifier, an amount or a phone number ("INV-2026", "#12", "+48")?
 */
bool when_glued_before(const scan *s, guint i);

/* Is digit token i followed, without a space, by more digits ("3.5", "12:30")? */
bool when_glued_digits_after(const scan *s, guint i);

/* The longest phrase of kind at token i: its length in tokens, 0 for none. */
guint when_match_word(const scan *s, guint i, word_kind kind, const word_entry **found);

/* A small count at token i, in digits or words: tokens used, 0 for none. */
guint when_match_count(const scan *s, guint i, int *value);

/* A day of the month in digits at token i, not part of a longer number. */
bool when_day_number(const scan *s, guint i, int *day);

/* A four-digit year after a date, separated by spaces or ", ". */
bool when_year_after(const scan *s, guint i, int *year);

/* The lowest language of an entry among those the scan uses. */
guint when_entry_language(const scan *s, const word_entry *e);

/* Scans the tokens for the first expression: its first token, or s->n. */
guint when_scan_first(const scan *s, candidate *c);

/* ---------------------------------------------------------------------- */
/* Shapes (when-shape.c)                                                   */
/* ---------------------------------------------------------------------- */

/* Every shape at token i; the longest wins, the first tried on a tie. */
bool when_match_at(const scan *s, guint i, candidate *c);

/* ---------------------------------------------------------------------- */
/* Resolving (when.c)                                                      */
/* ---------------------------------------------------------------------- */

/* How a weekday is placed relative to the anchor. */
typedef enum {
	WEEKDAY_ON_OR_AFTER,
	WEEKDAY_NEXT,
	WEEKDAY_FOLLOWING_WEEK,
	WEEKDAY_AFTER_WEEKEND,
	WEEKDAY_WEEK_LATER, /* a week after its next occurrence: "Friday week" */
	WEEKDAY_LAST
} weekday_mode;

/* The part of a named month ("early", "mid", "end of", "last working day of" December). */
typedef enum {
	MONTH_PART_EARLY,
	MONTH_PART_MIDDLE,
	MONTH_PART_END,
	MONTH_PART_LAST_WORKING_DAY
} month_part;

/*
 * The resolvers fill c->date and c->how (owned) for one reading; the
 * shape that found it sets c->end.  Those returning bool refuse a date
 * that does not exist or a quantity beyond its bound.
 */

/* A day and month with a year, or with year 0: the occurrence nearest the anchor. */
bool when_date_day_month(const scan *s, int year, int month, int day, candidate *c);
/* A named month's part, in the year given or (year 0) the year nearest the anchor. */
bool when_date_month_part(const scan *s, month_part part, int month, int year, candidate *c);
/* The anchor plus count units. */
bool when_date_quantity(const scan *s, int count, unit_kind unit, candidate *c);
void when_date_relative(const scan *s, relative_kind kind, candidate *c);
/*
 * A weekday (1 Monday .. 7 Sunday) of ISO week week, in year or (year 0)
 * the year nearest the anchor; false when that year has no such week.
 */
bool when_date_iso_week(const scan *s, int week, int year, int weekday, candidate *c);
/*
 * Days of the month without a month (one, or a list of payment-run days):
 * the next of them on or after the anchor.
 */
void when_date_bare_days(const scan *s, const int *days, guint n, candidate *c);
/*
 * Days of month named before them ("our January run on the 8th"): the
 * earliest of their occurrences nearest the anchor that is not before it,
 * or with past_too the earliest of them all.  False when none is left.
 */
bool when_date_month_days(const scan *s, const int *days, guint n, int month, bool past_too,
                          candidate *c);
/* Days of the month after the anchor's: the first of them it has; false for none. */
bool when_date_next_month_days(const scan *s, const int *days, guint n, candidate *c);
/* The day after an absence that includes c's date: the next working day. */
void when_date_return_day(const scan *s, candidate *c);
void when_date_weekday(const scan *s, int weekday, weekday_mode mode, candidate *c);
/*
 * A weekday and its day of the month ("el jueves 26"): the nearest day
 * with that number on that weekday, in the anchor's month, the one before
 * or the two after.  When none fits, a day written as one (by_number:
 * "Thursday the 27th") is the next day with that number on or after the
 * anchor; otherwise false.
 */
bool when_date_weekday_day(const scan *s, int weekday, int day, bool by_number, candidate *c);

#endif
