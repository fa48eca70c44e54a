/*
 * Reading a tokenised text: what lies between two tokens, whether a number
 * is glued to its neighbours, which phrase of the word files starts at a
 * token, and the one linear scan for the first date expression.
 */
#include "filter/when-private.h"

#include <string.h>

/* The character just before byte offset at, or 0 at the start. */
static gunichar
char_before(const scan *s, size_t at)
{
	const char *p;
	size_t size;

	if (at == 0)
		return 0;
	p = g_utf8_find_prev_char(s->text, s->text + at);
	if (p == NULL)
		return 0;
	return when_decode_char(p, s->length - (size_t)(p - s->text), &size);
}

/* The character at byte offset at, or 0 at the end. */
gunichar
when_char_at(const scan *s, size_t at)
{
	size_t size;

	if (at >= s->length)
		return 0;
	return when_decode_char(s->text + at, s->length - at, &size);
}

/*
 * Is the gap before token i made of spaces, and, when allowed, of one
 * punctuation mark from marks (e.g. "3. Dezember", "December 2, 2026")?
 * At least one space is required, so "3.12" never reads as words.
 */
bool
when_gap_spaced(const scan *s, guint i, const char *marks)
{
	size_t at = s->tokens[i - 1].end, end = s->tokens[i].start, size;
	bool space = false, mark = false;

	while (at < end) {
		gunichar c = when_decode_char(s->text + at, end - at, &size);
		if (g_unichar_isspace(c)) {
			space = true;
		} else if (!mark && !space && c < 0x80 && marks != NULL && strchr(marks, (int)c)) {
			mark = true;
		} else {
			return false;
		}
		at += size;
	}
	return space;
}

/* Inside a phrase: words separated by spaces, hyphens or apostrophes only. */
bool
when_gap_soft(const scan *s, guint i)
{
	size_t at = s->tokens[i - 1].end, end = s->tokens[i].start, size;

	while (at < end) {
		gunichar c = when_decode_char(s->text + at, end - at, &size);
		if (!g_unichar_isspace(c) && c != '-' && c != '\'' && c != 0x2019 && c != 0x2018 &&
		    c != 0x2010 && c != 0x2011 && c != 0x2013 && c != 0x00AD)
			return false;
		at += size;
	}
	return true;
}

/*
 * Is token i glued to what comes before it, so that it is part of an
 * identifier, an amount or a phone number ("INV-2026", "#12", "+48")?
 */
bool
when_glued_before(const scan *s, guint i)
{
	gunichar c = char_before(s, s->tokens[i].start);

	if (c == 0)
		return false;
	if (g_unichar_isalnum(c) || g_unichar_ismark(c))
		return true;
	return c < 0x80 ? strchr("#+-./,\\_@&=*$%", (int)c) != NULL
	                : (c == 0x2116 || c == 0x20AC || c == 0x00A3); /* № € £ */
}

/* Is digit token i followed, without a space, by more digits ("3.5", "12:30")? */
bool
when_glued_digits_after(const scan *s, guint i)
{
	return i + 1 < s->n && tok_is_digits(s, i + 1) &&
	       s->tokens[i + 1].start - s->tokens[i].end <= 1;
}

/* Between the words of one phrase: a soft gap, or a slash ("t/m", "w/e"). */
static bool
phrase_gap(const scan *s, guint i)
{
	return when_gap_soft(s, i) || gap_is_char(s, i, '/');
}

/* The longest phrase of kind at token i: its length in tokens, 0 for none. */
guint
when_match_word(const scan *s, guint i, word_kind kind, const word_entry **found)
{
	GPtrArray *bucket;
	guint best = 0;

	if (i >= s->n)
		return 0;
	bucket = s->buckets[i];
	if (bucket == NULL)
		return 0;
	for (guint k = 0; k < bucket->len; k++) {
		const word_entry *e = g_ptr_array_index(bucket, k);
		guint t;

		if (e->kind != kind || (e->languages & s->mask) == 0 || e->n_tokens <= best ||
		    i + e->n_tokens > s->n)
			continue;
		for (t = 1; t < e->n_tokens; t++)
			if (!phrase_gap(s, i + t) || strcmp(tok_text(s, i + t), e->tokens[t]) != 0)
				break;
		if (t == e->n_tokens) {
			best = e->n_tokens;
			if (found != NULL)
				*found = e;
		}
	}
	return best;
}

/* A small count at token i, in digits or words: tokens used, 0 for none. */
guint
when_match_count(const scan *s, guint i, int *value)
{
	const word_entry *e;
	guint len;

	if (tok_is_digits(s, i)) {
		if (s->tokens[i].digits > 3 || when_glued_digits_after(s, i))
			return 0;
		*value = s->tokens[i].value;
		return 1;
	}
	len = when_match_word(s, i, WORD_NUMBER, &e);
	if (len > 0)
		*value = e->value;
	return len;
}

/* A day of the month in digits at token i, not part of a longer number. */
bool
when_day_number(const scan *s, guint i, int *day)
{
	if (!tok_is_digits(s, i) || s->tokens[i].digits > 2 || s->tokens[i].value < 1 ||
	    s->tokens[i].value > 31 || when_glued_digits_after(s, i))
		return false;
	*day = s->tokens[i].value;
	return true;
}

/* A four-digit year after a date, separated by spaces or ", ". */
bool
when_year_after(const scan *s, guint i, int *year)
{
	if (!tok_is_digits(s, i) || s->tokens[i].digits != 4 || !when_gap_spaced(s, i, ",.") ||
	    when_glued_digits_after(s, i))
		return false;
	if (s->tokens[i].value < WHEN_MIN_YEAR || s->tokens[i].value > WHEN_MAX_YEAR)
		return false;
	*year = s->tokens[i].value;
	return true;
}

/* The lowest language of an entry among those the scan uses. */
guint
when_entry_language(const scan *s, const word_entry *e)
{
	uint64_t bits = e->languages & s->mask;
	guint k = 0;

	while (k + 1 < WHEN_MAX_LANGUAGES && (bits & (UINT64_C(1) << k)) == 0)
		k++;
	return k;
}

/*
 * Does an expression ending before token end run into it without a gap?
 * A date in digits may be followed by letters ("2026-12-03T10:00",
 * "3.12.2026r."); a word may not ("Friday13").
 */
static bool
glued_after(const scan *s, guint end)
{
	return end < s->n && gap_empty(s, end) && !tok_is_digits(s, end - 1);
}

/* Scans the tokens for the first expression: its first token, or s->n. */
guint
when_scan_first(const scan *s, candidate *c)
{
	for (guint i = 0; i < s->n; i++) {
		candidate here = {0};
		guint ignore, prefix;

		/* Most words start nothing: their lookup ruled them out. */
		if (!tok_is_digits(s, i) && !s->starts[i])
			continue;
		/* A word glued to digits is an identifier ("Vendredi13"). */
		if (i > 0 && gap_empty(s, i))
			continue;
		ignore = when_match_word(s, i, WORD_IGNORE, NULL);
		prefix = when_match_word(s, i, WORD_PREFIX, NULL);
		if (prefix > 0 && i + prefix < s->n && when_gap_soft(s, i + prefix) &&
		    when_match_at(s, i + prefix, &here)) {
			if (i + ignore < here.end && !glued_after(s, here.end)) {
				*c = here;
				return i;
			}
			g_free(here.how);
			here.how = NULL;
		}
		if (when_match_at(s, i, &here)) {
			if (i + ignore < here.end && !glued_after(s, here.end)) {
				*c = here;
				return i;
			}
			g_free(here.how);
		}
		if (ignore > 0)
			i += ignore - 1;
	}
	return s->n;
}
