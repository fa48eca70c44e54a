/*
 * The shapes of date expressions: each matcher recognises one shape at a
 * token position ("3 grudnia", "within 5 working days", "next Friday") and
 * hands what it read to the resolvers in when.c, which turn it into a date.
 */
#include "filter/when-private.h"

#include <string.h>

static bool day_refused_after(const scan *s, guint end);

/* A day and month read at the shape's end (one past its last token). */
static bool
resolve_day_month(const scan *s, int year, int month, int day, guint end, candidate *c)
{
	if (!when_date_day_month(s, year, month, day, c))
		return false;
	c->end = end;
	return true;
}

/*
 * Does a date's preposition ("on", "pe", "bis", "najpóźniej do") or a
 * date-lead word ("zapłacimy" in "zapłacimy 30.11": a date, not part of
 * it) end just before token i?  Both are at most a few words long.
 */
static bool
after_prefix(const scan *s, guint i)
{
	for (guint k = i > 4 ? i - 4 : 0; k < i; k++)
		if ((when_match_word(s, k, WORD_PREFIX, NULL) == i - k ||
		     when_match_word(s, k, WORD_DATE_LEAD, NULL) == i - k) &&
		    when_gap_soft(s, i))
			return true;
	return false;
}

/*
 * Does the clause end at byte offset at: only spaces, then the end of the
 * text, a line break or a mark that ends a clause (".", ",", ";", ":",
 * "!", "?", ")", a dash)?
 */
static bool
clause_ends_at(const scan *s, size_t at)
{
	size_t size;

	while (at < s->length) {
		gunichar c = when_decode_char(s->text + at, s->length - at, &size);
		if (c == '\n' || c == '\r')
			return true;
		if (!g_unichar_isspace(c))
			return (c < 0x80 && strchr(".,;:!?)-", (int)c) != NULL) || c == 0x2013 ||
			       c == 0x2014;
		at += size;
	}
	return true;
}

/*
 * Dates in digits: yyyy-mm-dd, dd.mm.yyyy, dd/mm/yyyy, dd-mm-yyyy,
 * dd.mm.yy, dd/mm/yy, dd/mm and d.m. (with its final dot, or after a
 * date's preposition: "pe 13.11, restul", "for 26.11 – thanks"), and
 * dd-mm with two digits each after one ("ingepland op 23-10.").  The whole
 * run of digits and separators must be one of these, so amounts, invoice
 * numbers and phone numbers are not cut into dates.
 */
static bool
match_numeric(const scan *s, guint i, candidate *c)
{
	const token *t[3];
	guint parts = 1, j = i;
	char sep = 0;
	gunichar after;
	bool final_dot;
	int day, month, year = 0;

	if (!tok_is_digits(s, i) || when_glued_before(s, i))
		return false;
	t[0] = &s->tokens[i];
	while (j + 1 < s->n && tok_is_digits(s, j + 1) &&
	       s->tokens[j + 1].start == s->tokens[j].end + 1) {
		char here = s->text[s->tokens[j].end];
		if (strchr(".-/,:", here) == NULL)
			break;
		/* After a full date the run may go on ("01.12.2026-05.12.2026"
		 * is a range); before it, a change of separator is an amount
		 * ("1.250,00") or a reference. */
		if (parts == 3) {
			if (here == '-' && sep != '-')
				break;
			return false;
		}
		if (sep != 0 && here != sep)
			return false;
		sep = here;
		t[parts++] = &s->tokens[++j];
	}
	if (parts == 1)
		return false;
	if (sep != '.' && sep != '-' && sep != '/')
		return false;
	after = when_char_at(s, t[parts - 1]->end);
	final_dot = after == '.';
	/* A letter glued to the end ("2026-12-03T10:00", "3.12.2026r.") is
	 * fine after a full date, but "12/5pm" is no date. */
	if (parts < 3 && (g_unichar_isalnum(after) ||
	                  (after != 0 && after < 0x80 && strchr("%/-", (int)after) != NULL)))
		return false;

	if (parts == 3 && sep == '-' && t[0]->digits == 4) {
		/* ISO yyyy-mm-dd, strict about the digit counts. */
		if (t[1]->digits != 2 || t[2]->digits != 2)
			return false;
		year = t[0]->value;
		month = t[1]->value;
		day = t[2]->value;
	} else {
		if (t[0]->digits > 2 || t[1]->digits > 2)
			return false;
		day = t[0]->value;
		month = t[1]->value;
		if (parts == 3) {
			if (t[2]->digits == 4)
				year = t[2]->value;
			else if (t[2]->digits == 2 && sep != '-')
				year = 2000 + t[2]->value;
			else
				return false;
		} else if (sep == '/') {
			/* "1/2", "3/4" are fractions and "24/7" is a slogan. */
			if ((t[0]->digits == 1 && t[1]->digits == 1 && day < month) ||
			    (day == 24 && month == 7 && t[1]->digits == 1))
				return false;
		} else if (sep == '-') {
			/* "5-10" is a range, but "op 23-10." a date: two digits
			 * each, after a date's preposition, and the clause ends
			 * after it ("na 10-12 sztuk" is a range of something). */
			if (t[0]->digits != 2 || t[1]->digits != 2 || !after_prefix(s, i) ||
			    !clause_ends_at(s, t[1]->end))
				return false;
		} else if (sep != '.' ||
		           (!final_dot && (!after_prefix(s, i) || day_refused_after(s, j + 1)))) {
			/* "12.50" is an amount; "on 10.05 am", "on 10.05 EUR" and
			 * "pour 12.10 €" are a time and amounts. */
			return false;
		}
	}
	if (year != 0 && (year < WHEN_MIN_YEAR || year > WHEN_MAX_YEAR))
		return false;
	return resolve_day_month(s, year, month, day, j + 1, c);
}

/*
 * "2 December", "2nd of December 2026", "3. Dezember", "4-ти декември",
 * "1er décembre", and with the day spelled out: "the fifteenth of
 * December", "drugiego grudnia", "le premier décembre".
 */
static bool
match_day_month(const scan *s, guint i, candidate *c)
{
	const word_entry *e;
	guint j = i + 1, len;
	uint64_t languages = UINT64_MAX;
	int day, month, year = 0;

	if ((len = when_match_word(s, i, WORD_DAY, &e)) > 0) {
		day = e->value;
		languages = e->languages;
		j = i + len;
		if (j >= s->n)
			return false;
	} else if (!when_day_number(s, i, &day) || when_glued_before(s, i) || j >= s->n) {
		return false;
	} else if ((gap_empty(s, j) || gap_is_char(s, j, '-')) &&
	           (len = when_match_word(s, j, WORD_ORDINAL, NULL)) > 0) {
		/* An ordinal suffix is glued to the number or joined by a hyphen. */
		j += len;
	}
	if (j >= s->n || !when_gap_spaced(s, j, "."))
		return false;
	if ((len = when_match_word(s, j, WORD_DAY_MONTH, NULL)) > 0) {
		j += len;
		if (j >= s->n || !when_gap_spaced(s, j, NULL))
			return false;
	}
	if ((len = when_match_word(s, j, WORD_MONTH, &e)) == 0)
		return false;
	/* A day word and its month speak one language: Spanish "once" and
	 * English "December" are no date ("once December comes"). */
	if ((e->languages & languages & s->mask) == 0)
		return false;
	month = e->value;
	j += len;
	if (when_year_after(s, j, &year)) {
		j++;
	} else if ((len = when_match_word(s, j, WORD_DAY_MONTH, NULL)) > 0 &&
	           when_gap_spaced(s, j, NULL) && when_year_after(s, j + len, &year)) {
		/* Spanish "4 de diciembre de 2026". */
		j += len + 1;
	}
	return resolve_day_month(s, year, month, day, j, c);
}

/*
 * Does what follows a day number (its last token is end - 1) show that the
 * number is something else: a sign glued to it or one space away ("15%",
 * "15 €", "15:30" is already glued digits), a hyphen glued to it ("1-to-1"),
 * another number ("15 000"), or a unit, month or not-a-day word ("15
 * days", "15 Uhr", "15 лв")?
 */
static bool
day_refused_after(const scan *s, guint end)
{
	size_t at = s->tokens[end - 1].end, size;

	/* Two characters at most: the number's own sign, or one space and it. */
	for (int k = 0; k < 2 && at < s->length; k++) {
		gunichar c = when_decode_char(s->text + at, s->length - at, &size);
		/* "le 15 : 30" is a time, "le 25 : la vôtre" French spacing. */
		if (c == ':' &&
		    (k == 0 || g_ascii_isdigit(when_char_at(s, at + 1)) ||
		     (when_char_at(s, at + 1) == ' ' && g_ascii_isdigit(when_char_at(s, at + 2)))))
			return true;
		if (c == '%' || c == '/' || c == '+' || c == '=' || c == '*' || c == '#' ||
		    c == '@' || c == '&' || c == '_' || c == '\\' || c == '$' || c == 0x20AC ||
		    c == 0x00A3) /* € £ */
			return true;
		/* "1-to-1", "15-go-" run on into something else. */
		if (k == 0 && c == '-')
			return true;
		if (!g_unichar_isspace(c) && !(k == 0 && c == '.'))
			break;
		at += size;
	}
	if (end >= s->n || !when_gap_spaced(s, end, "."))
		return false;
	return tok_is_digits(s, end) || when_match_word(s, end, WORD_UNIT, NULL) > 0 ||
	       when_match_word(s, end, WORD_MONTH, NULL) > 0 ||
	       when_match_word(s, end, WORD_NOT_A_DAY, NULL) > 0;
}

/* "December 2", "Dec. 2nd, 2026". */
static bool
match_month_day(const scan *s, guint i, candidate *c)
{
	const word_entry *e;
	guint j, len;
	int day, month, year = 0;

	if ((len = when_match_word(s, i, WORD_MONTH, &e)) == 0)
		return false;
	month = e->value;
	j = i + len;
	if (j >= s->n || !when_gap_spaced(s, j, ".") || !when_day_number(s, j, &day))
		return false;
	j++;
	if (j < s->n && gap_empty(s, j) && (len = when_match_word(s, j, WORD_ORDINAL, NULL)) > 0)
		j += len;
	else if (j < s->n && gap_empty(s, j))
		return false;
	/* Romanian "mai 2 zile" is "2 more days" and "mai 15 lei" "15 more
	 * lei", not 2 or 15 May; "May 3 times", "Dec 15 EUR" are no dates. */
	if (when_year_after(s, j, &year))
		j++;
	else if (day_refused_after(s, j))
		return false;
	return resolve_day_month(s, year, month, day, j, c);
}

/*
 * "end of December", "połowa grudnia", "Anfang Dezember", "mi-décembre",
 * "the last working day of December", "ultima zi lucrătoare din
 * decembrie".
 */
static bool
match_month_part(const scan *s, guint i, candidate *c)
{
	/* In the order of month_part. */
	static const word_kind parts[] = {WORD_BEGINNING_OF, WORD_MID_OF, WORD_END_OF,
	                                  WORD_LAST_WORKING_DAY_OF};
	const word_entry *e;
	guint j = 0, len = 0, part = 0;
	int month, year = 0;

	/* The longest phrase: "end of" is not "the last working day of". */
	for (guint k = 0; k < G_N_ELEMENTS(parts); k++) {
		guint here = when_match_word(s, i, parts[k], NULL);
		if (here > len) {
			len = here;
			part = k;
		}
	}
	if (len == 0)
		return false;
	j = i + len;
	if (j < s->n && when_gap_soft(s, j) &&
	    (len = when_match_word(s, j, WORD_DAY_MONTH, NULL)) > 0)
		j += len;
	if (j >= s->n || !when_gap_soft(s, j) || (len = when_match_word(s, j, WORD_MONTH, &e)) == 0)
		return false;
	month = e->value;
	j += len;
	if (when_year_after(s, j, &year))
		j++;
	if (!when_date_month_part(s, (month_part)part, month, year, c))
		return false;
	c->end = j;
	return true;
}

/*
 * "10 days from today", "14 dni od dziś", "10 Tage ab heute": a count and
 * its unit before the within-after words.  The count of a bare number
 * ("30 days from the invoice date" is no promise of ours) needs them.
 */
static bool
match_quantity_after(const scan *s, guint i, candidate *c)
{
	const word_entry *e;
	guint j = i, len;
	int count = 0;

	if ((len = when_match_count(s, j, &count)) == 0)
		return false;
	j += len;
	if (j >= s->n || !when_gap_soft(s, j) || (len = when_match_word(s, j, WORD_UNIT, &e)) == 0)
		return false;
	j += len;
	unit_kind unit = (unit_kind)e->value;
	if (j >= s->n || !when_gap_soft(s, j) ||
	    (len = when_match_word(s, j, WORD_WITHIN_AFTER, NULL)) == 0)
		return false;
	if (!when_date_quantity(s, count, unit, c))
		return false;
	c->end = j + len;
	return true;
}

/* "within 5 working days", "w ciągu 3 dni", "in two weeks", "sous 5 jours ouvrés". */
static bool
match_quantity(const scan *s, guint i, candidate *c)
{
	const word_entry *e;
	guint j, len;
	int count = 0;

	if ((len = when_match_word(s, i, WORD_WITHIN, NULL)) == 0)
		return match_quantity_after(s, i, c);
	j = i + len;
	for (int k = 0; k < 3 && j < s->n && when_gap_soft(s, j); k++) {
		if ((len = when_match_word(s, j, WORD_FILLER, NULL)) == 0)
			break;
		j += len;
	}
	if (j >= s->n || !when_gap_soft(s, j) || (len = when_match_count(s, j, &count)) == 0)
		return false;
	j += len;
	if (j >= s->n || !when_gap_soft(s, j) || (len = when_match_word(s, j, WORD_UNIT, &e)) == 0)
		return false;
	j += len;
	if (!when_date_quantity(s, count, (unit_kind)e->value, c))
		return false;
	c->end = j;
	return true;
}

/*
 * After "today", a delay counted from it: "heute in einer Woche", "azi
 * într-o săptămână", "dziś za tydzień", "vandaag over een week" are a
 * week from today.  Its date and end, false for none.
 */
static bool
delay_from_today(const scan *s, guint j, candidate *c)
{
	const word_entry *e;
	guint len;

	if (j >= s->n || !when_gap_soft(s, j))
		return false;
	/* A phrase of the word file before the general shape: "heute in acht
	 * Tagen" is a week, not eight days. */
	len = when_match_word(s, j, WORD_RELATIVE, &e);
	if (len > 0 && (e->value == REL_IN_ONE_WEEK || e->value == REL_IN_TWO_WEEKS ||
	                e->value == REL_IN_ONE_MONTH)) {
		candidate quantity = {0};
		if (match_quantity(s, j, &quantity) && quantity.end > j + len) {
			*c = quantity;
			return true;
		}
		g_free(quantity.how);
		when_date_relative(s, (relative_kind)e->value, c);
		c->end = j + len;
		return true;
	}
	return match_quantity(s, j, c);
}

/* The most tokens a relative phrase runs on into longer ones it overlaps. */
#define RELATIVE_OVERLAP_TOKENS 16

/*
 * "tomorrow", "pojutrze", "la fin du mois", "beginning of next month".  A
 * longer phrase that starts inside this one and ends after it is the
 * fuller reading and wins: "d'ici la fin de la semaine prochaine" is next
 * week, not "d'ici la fin de la semaine"; "para finales de la semana
 * próxima" is "la semana próxima"; "am letzten Arbeitstag im Januar" is
 * January's.  The span keeps its start.
 */
static bool
match_relative(const scan *s, guint i, candidate *c)
{
	const word_entry *e;
	guint len = when_match_word(s, i, WORD_RELATIVE, &e), end;

	if (len == 0)
		return false;
	if (e->value == REL_TODAY && delay_from_today(s, i + len, c))
		return true;
	end = i + len;
	for (guint k = i + 1; k < end && end < i + RELATIVE_OVERLAP_TOKENS; k++) {
		const word_entry *inner;
		candidate part = {0};
		guint inner_len;

		if (!when_gap_soft(s, k))
			break;
		inner_len = when_match_word(s, k, WORD_RELATIVE, &inner);
		if (inner_len > 0 && k + inner_len > end) {
			e = inner;
			end = k + inner_len;
			continue;
		}
		if (match_month_part(s, k, &part) && part.end > end) {
			*c = part;
			return true;
		}
		g_free(part.how);
	}
	when_date_relative(s, (relative_kind)e->value, c);
	c->end = end;
	return true;
}

static bool match_date(const scan *s, guint i, candidate *c);

/*
 * Is token i the relative phrase kind, which places a weekday ("next week"
 * in "Friday next week", "after the weekend")?  Its length, 0 for none.
 */
static guint
match_relative_kind(const scan *s, guint i, relative_kind kind)
{
	const word_entry *e;
	guint len = when_match_word(s, i, WORD_RELATIVE, &e);

	return len > 0 && e->value == (int)kind ? len : 0;
}

/*
 * After a weekday ending before token j, its day of the month: "el jueves
 * 26", "Friday the 27th", "vendredi 27", "Freitag, den 27.", "w piątek
 * 27-go", "în vinerea de 27".  A day written as one (a weekday-day word
 * before it, an ordinal ending or dot after it) is read by its number even
 * when the weekday does not fit, and so is a plain number that ends its
 * clause ("el jueves 27."); one that words follow only when it fits,
 * since it may be a count ("am Montag 3 Rechnungen").  The
 * words around the number speak the weekday's language (languages), and
 * the number starts no ignore phrase (Bulgarian "4e" is "че").
 */
static bool
weekday_day_number(const scan *s, guint j, int weekday, uint64_t languages, candidate *c)
{
	const word_entry *e;
	guint k = j, len;
	bool written = false;
	int day;

	if (j >= s->n || !when_gap_spaced(s, j, ","))
		return false;
	if ((len = when_match_word(s, k, WORD_WEEKDAY_DAY, &e)) > 0) {
		if (k + len >= s->n || !when_gap_spaced(s, k + len, NULL) ||
		    (e->languages & languages) == 0)
			return false;
		k += len;
		written = true;
	}
	if (!when_day_number(s, k, &day) || when_glued_before(s, k) ||
	    when_match_word(s, k, WORD_IGNORE, NULL) > 0)
		return false;
	k++;
	if (k < s->n && (gap_empty(s, k) || gap_is_char(s, k, '-'))) {
		if ((len = when_match_word(s, k, WORD_ORDINAL, &e)) == 0 ||
		    (e->languages & languages) == 0)
			return false; /* "15h", "1-to-1" */
		k += len;
		written = true;
	} else if (when_char_at(s, s->tokens[k - 1].end) == '.' ||
	           clause_ends_at(s, s->tokens[k - 1].end)) {
		written = true;
	}
	if (day_refused_after(s, k) || !when_date_weekday_day(s, weekday, day, written, c))
		return false;
	c->end = k;
	return true;
}

/* A weekday name at token i, after a modifier: its length, 0 for none. */
static guint
weekday_at(const scan *s, guint i, const word_entry **e)
{
	if (i >= s->n || !when_gap_soft(s, i))
		return 0;
	return when_match_word(s, i, WORD_WEEKDAY, e);
}

/*
 * "by Friday", "do piątku", "next Monday", "vendredi prochain", "Friday
 * next week", "Monday after the weekend", "last Tuesday", "Friday week"
 * ("vendredi en huit"); "Friday, 4 December" is the date, and so is
 * "Friday the 27th".  "The coming Friday" ("am kommenden Freitag") is the
 * first after the anchor whatever the language's next-weekday says.
 */
static bool
match_weekday(const scan *s, guint i, candidate *c)
{
	const word_entry *e = NULL, *modifier = NULL;
	weekday_mode mode = WEEKDAY_ON_OR_AFTER;
	guint j, len, wlen;
	bool coming = false;
	int weekday;

	/* A modifier before the weekday: the longest reading that is followed
	 * by a weekday ("next week Friday" is not "next" + "week"). */
	if ((len = match_relative_kind(s, i, REL_NEXT_WEEK)) > 0 &&
	    (wlen = weekday_at(s, i + len, &e)) > 0) {
		mode = WEEKDAY_FOLLOWING_WEEK;
	} else if ((len = when_match_word(s, i, WORD_NEXT, &modifier)) > 0 &&
	           (wlen = weekday_at(s, i + len, &e)) > 0) {
		mode = WEEKDAY_NEXT;
	} else if ((len = when_match_word(s, i, WORD_COMING, NULL)) > 0 &&
	           (wlen = weekday_at(s, i + len, &e)) > 0) {
		mode = WEEKDAY_NEXT;
		coming = true;
	} else if ((len = when_match_word(s, i, WORD_LAST, &modifier)) > 0 &&
	           (wlen = weekday_at(s, i + len, &e)) > 0) {
		mode = WEEKDAY_LAST;
	} else if ((len = when_match_word(s, i, WORD_WEEK_LATER, NULL)) > 0 &&
	           (wlen = weekday_at(s, i + len, &e)) > 0) {
		mode = WEEKDAY_WEEK_LATER; /* "a week on Friday" */
	} else {
		len = 0;
		if ((wlen = when_match_word(s, i, WORD_WEEKDAY, &e)) == 0)
			return false;
		/* After a number it is something else: Romanian "2 luni" is two
		 * months. */
		if (i > 0 && when_gap_soft(s, i) &&
		    (tok_is_digits(s, i - 1) || when_match_word(s, i - 1, WORD_NUMBER, NULL) == 1))
			return false;
	}
	weekday = e->value;
	j = i + len + wlen;

	if (j < s->n && when_gap_spaced(s, j, ",")) {
		candidate date = {0};
		guint k = j + when_match_word(s, j, WORD_PREFIX, NULL);
		/* "Freitag, den 4.12.", "vendredi le 4 décembre". */
		if (k < s->n && (k == j || when_gap_soft(s, k)) && match_date(s, k, &date)) {
			c->date = date.date;
			c->end = date.end;
			c->year = date.year;
			c->how = g_strdup_printf("the date after the weekday: %s", date.how);
			g_free(date.how);
			return true;
		}
	}
	/* "el jueves 26", "Friday the 27th" */
	if (mode == WEEKDAY_ON_OR_AFTER &&
	    weekday_day_number(s, j, weekday, e->languages & s->mask, c))
		return true;
	if (mode == WEEKDAY_ON_OR_AFTER && j < s->n && when_gap_soft(s, j)) {
		if ((len = when_match_word(s, j, WORD_NEXT_AFTER, &modifier)) > 0) {
			mode = WEEKDAY_NEXT;
			j += len;
		} else if ((len = when_match_word(s, j, WORD_COMING_AFTER, NULL)) > 0) {
			mode = WEEKDAY_NEXT;
			coming = true;
			j += len;
		} else if ((len = when_match_word(s, j, WORD_LAST_AFTER, &modifier)) > 0) {
			mode = WEEKDAY_LAST;
			j += len;
		} else if ((len = match_relative_kind(s, j, REL_NEXT_WEEK)) > 0) {
			mode = WEEKDAY_FOLLOWING_WEEK;
			j += len;
		} else if ((len = match_relative_kind(s, j, REL_AFTER_THE_WEEKEND)) > 0) {
			mode = WEEKDAY_AFTER_WEEKEND;
			j += len;
		} else if ((len = when_match_word(s, j, WORD_WEEK_LATER_AFTER, NULL)) > 0 &&
		           !(j + len < s->n &&
		             ((tok_is_digits(s, j + len) && when_gap_spaced(s, j + len, NULL)) ||
		              gap_is_char(s, j + len, '-')))) {
			/* "Friday week", "vendredi en huit", "vrijdag over een
			 * week"; "Friday week 48" names a week by its number and
			 * "Friday week-end" is no week later. */
			mode = WEEKDAY_WEEK_LATER;
			j += len;
		}
	}
	if (mode == WEEKDAY_NEXT && !coming &&
	    s->words->next[when_entry_language(s, modifier)] == NEXT_FOLLOWING_WEEK)
		mode = WEEKDAY_FOLLOWING_WEEK;

	when_date_weekday(s, weekday, mode, c);
	c->end = j;
	return true;
}

/*
 * Which languages have a marker word ("am", "le", "el día", "dnia", "на",
 * "campagne de paiements du") ending just before token i, a space away: a
 * bit per language.  A marker is at most four words long.
 */
static uint64_t
bare_day_markers(const scan *s, guint i)
{
	const word_entry *e;
	uint64_t languages = 0;

	if (i == 0 || !when_gap_spaced(s, i, NULL))
		return 0;
	for (guint k = 1; k <= 4 && k <= i; k++)
		if (when_match_word(s, i - k, WORD_BARE_DAY, &e) == k)
			languages |= e->languages & s->mask;
	return languages;
}

/* How far back a month may name a bare day's month: "our January run on the 8th". */
#define MONTH_IN_PHRASE_TOKENS 4

/* A month named before a bare day. */
typedef struct {
	int month;     /* 1 .. 12, 0 for none */
	bool adjacent; /* nothing but a bare-day word between: "December the 3rd" */
	bool written;  /* written out: not "Dec", "may", "mai" or French "sept" */
	bool opens;    /* it opens its sentence, where names stand: "April pays on the 15th" */
} phrase_month;

/*
 * The month named before a bare day at token i, in the same phrase: at
 * most MONTH_IN_PHRASE_TOKENS words back, with only spaces, hyphens or
 * apostrophes between them ("our January run on the 8th", "December the
 * 3rd", "Januar-Zahllauf am 8.").  Written out means four letters or more
 * and no number word, since abbreviations and short names are words too.
 */
static phrase_month
month_in_phrase(const scan *s, guint i)
{
	phrase_month found = {0};
	const word_entry *e;

	for (guint k = 1; k <= MONTH_IN_PHRASE_TOKENS && k <= i; k++) {
		guint t = i - k;

		if (!when_gap_soft(s, t + 1) || tok_is_digits(s, t))
			break;
		if (when_match_word(s, t, WORD_MONTH, &e) == 0)
			continue;
		found.month = e->value;
		found.adjacent = k == 1 || when_match_word(s, t + 1, WORD_BARE_DAY, NULL) == k - 1;
		found.written = g_utf8_strlen(tok_text(s, t), -1) >= 4 &&
		                when_match_word(s, t, WORD_NUMBER, NULL) == 0;
		found.opens = t == 0 || !when_gap_soft(s, t) || tok_is_digits(s, t - 1);
		break;
	}
	return found;
}

/*
 * Words after a bare day that make it one, at token j ("25-о число", "15.
 * dnia", "25 of each month", "25. jedes Monats", "25 ale lunii"): their
 * length, 0 for none, and their languages.  A word that is also a unit
 * ("dnia" is "day") names the day only after an ordinal, the dot or an
 * ending ("15. dnia"): "1 dnia" is one day.
 */
static guint
bare_day_after(const scan *s, guint j, bool ordinal, uint64_t *languages)
{
	const word_entry *e;
	guint len;

	if (j >= s->n || !when_gap_spaced(s, j, "."))
		return 0;
	len = when_match_word(s, j, WORD_BARE_DAY_AFTER, &e);
	if (len == 0 || (!ordinal && when_match_word(s, j, WORD_UNIT, NULL) >= len))
		return 0;
	*languages = e->languages & s->mask;
	return len;
}

/*
 * Words after a bare day that put it in the month after the anchor's, at
 * token j ("of next month", "nächsten Monats", "du mois prochain", "luna
 * viitoare"): their length, 0 for none.
 */
static guint
next_month_after(const scan *s, guint j)
{
	if (j >= s->n || !when_gap_spaced(s, j, ".,"))
		return 0;
	return when_match_word(s, j, WORD_NEXT_MONTH_AFTER, NULL);
}

/* A day number read as a bare day, with what makes it one. */
typedef struct {
	int day;
	guint end;         /* one past its last token, a day word after it included */
	uint64_t ordinals; /* the languages whose ordinal ending it carries */
	uint64_t afters;   /* the languages whose day word follows it */
	bool dot;          /* the ordinal dot: "15." */
	bool next_month;   /* "of next month" follows it */
} bare_number;

/*
 * The number at token i with its ordinal ending or dot and a day word
 * after it, unless it is glued to signs or digits (amounts, times, invoice
 * numbers), to letters that are no ordinal ("15h"), or what follows shows
 * it to be something else.
 */
static bool
read_bare_number(const scan *s, guint i, bare_number *b)
{
	const word_entry *e;
	guint j = i + 1, after, len;

	*b = (bare_number){0};
	if ((len = when_match_word(s, i, WORD_DAY, &e)) > 0) {
		/* "the fifteenth", "piętnastego", "le quinze": an ordinal word
		 * counts as the ordinal ending, a cardinal needs its marker. */
		if (e->value < WHEN_BARE_DAY_WORD_MIN)
			return false;
		b->day = e->value;
		b->ordinals = e->languages & s->mask;
		j = i + len;
	} else if (!when_day_number(s, i, &b->day) || when_glued_before(s, i)) {
		return false;
	} else if (j < s->n && (gap_empty(s, j) || gap_is_char(s, j, '-'))) {
		len = when_match_word(s, j, WORD_ORDINAL, &e);
		if (len == 0)
			return false; /* "15h", "15am", "15-tys" */
		b->ordinals = e->languages & s->mask;
		j += len;
	} else {
		b->dot = when_char_at(s, s->tokens[i].end) == '.';
	}
	/* "du mois prochain" before "du mois": the month is next month. */
	if ((len = next_month_after(s, j)) > 0) {
		b->next_month = true;
		b->end = j + len;
		return true;
	}
	/* A word after the number that names it a day outweighs the words
	 * that would show it to be something else. */
	after = bare_day_after(s, j, b->dot || b->ordinals != 0, &b->afters);
	if (after == 0 && day_refused_after(s, j))
		return false;
	b->end = j + after;
	/* "на 25-о число на следващия месец" */
	if (after > 0 && (len = next_month_after(s, b->end)) > 0) {
		b->next_month = true;
		b->end += len;
	}
	return true;
}

/* Does the number fit a bare-day-shape of the scan's languages, with markers before it? */
static bool
bare_number_fits(const scan *s, const bare_number *b, uint64_t markers)
{
	for (guint k = 0; k < s->words->n_languages; k++) {
		uint64_t bit = UINT64_C(1) << k;
		bool fits = false;

		if ((s->mask & bit) == 0)
			continue;
		/* A day word after the number makes it a day in every shape. */
		if ((b->afters & bit) != 0 && s->words->bare_day[k] != BARE_DAY_NONE)
			return true;
		switch (s->words->bare_day[k]) {
		case BARE_DAY_ORDINAL:
			fits = (b->ordinals & bit) != 0;
			break;
		case BARE_DAY_MARKER:
			fits = (markers & bit) != 0;
			break;
		case BARE_DAY_ORDINAL_OR_MARKER:
			fits = ((b->ordinals | markers) & bit) != 0;
			break;
		case BARE_DAY_MARKER_AND_DOT:
			/* "am 15ten" writes out what the dot abbreviates. */
			fits = (markers & bit) != 0 && (b->dot || (b->ordinals & bit) != 0);
			break;
		case BARE_DAY_NONE:
			break;
		}
		if (fits)
			return true;
	}
	return false;
}

/*
 * Between two days of a list: spaces, after the first day's ordinal dot
 * and a comma ("am 5., 15. und 25.").  Is there a comma?
 */
static bool
list_gap(const scan *s, guint k, bool *comma)
{
	size_t at = s->tokens[k - 1].end, end = s->tokens[k].start, size;
	bool dot = false, space = false;

	*comma = false;
	while (at < end) {
		gunichar c = when_decode_char(s->text + at, end - at, &size);
		if (g_unichar_isspace(c))
			space = true;
		else if (c == '.' && !dot && !*comma && !space)
			dot = true;
		else if (c == ',' && !*comma && !space)
			*comma = true;
		else
			return false;
		at += size;
	}
	return space;
}

/*
 * The next day of a list that ended at token end ("on the 10th and the
 * 25th", "am 5., 15. und 25.", "на 10-о и на 25-о число"): a comma or a
 * list word, a marker, then a day later in the month than the one before
 * and in the form of the first (its ending, its dot), or with a day word
 * after it; strict, when the first alone is no bare day ("10. i 25.
 * dnia"), in the form of the first whatever follows it.  A number that
 * does not fit ends the list ("am 15. und 3 Rechnungen").
 */
static bool
bare_day_list_next(const scan *s, guint end, const bare_number *first, int previous, bool strict,
                   bare_number *next)
{
	guint k = end, len;
	bool comma;

	if (k >= s->n || !list_gap(s, k, &comma))
		return false;
	if ((len = when_match_word(s, k, WORD_AND, NULL)) > 0) {
		k += len;
		if (k >= s->n || !when_gap_spaced(s, k, NULL))
			return false;
	} else if (!comma) {
		return false;
	}
	if ((len = when_match_word(s, k, WORD_BARE_DAY, NULL)) > 0) {
		k += len;
		if (k >= s->n || !when_gap_spaced(s, k, NULL))
			return false;
	}
	if (!read_bare_number(s, k, next) || next->day <= previous)
		return false;
	if (next->afters != 0 && !strict)
		return true;
	if (strict && next->dot != first->dot)
		return false;
	return (next->ordinals != 0) == (first->ordinals != 0) && (next->dot || !first->dot);
}

/* The most days a list of payment-run days is read for ("1st, 10th, 20th and 30th"). */
#define BARE_DAY_LIST_MAX 6

/*
 * A bare day of the month, read only with WHEN_BARE_DAY: "on the 25th",
 * "am 15.", "le 15", "el día 10", "15-go", "dnia 15", "на 15-ти", "pe 15",
 * "de 15e".  Each language's bare-day-shape says what makes the number a
 * day: its ordinal suffix, a marker word before it, either, or (German) a
 * marker and the ordinal dot; a day word after it ("число", "of each
 * month") makes it one in every shape.  A list of days ("on the 10th and
 * the 25th") is the next of them.
 *
 * A month written out before it in the same phrase makes it that month's
 * day ("our January run on the 8th"), unless that day has passed: then
 * the month names something else ("the October invoice on the 25th") and
 * the day is a plain bare day; so it is when the month opens the sentence,
 * where a name stands ("April pays on the 15th").  A month right before
 * the day ("December the 3rd") always names it; if it is an abbreviation,
 * the day is refused.
 */
static bool
match_bare_day(const scan *s, guint i, candidate *c)
{
	bare_number first, next, last;
	phrase_month named;
	int days[BARE_DAY_LIST_MAX];
	guint n = 1, end;
	bool next_month, fits;

	if ((s->flags & WHEN_BARE_DAY) == 0 || !read_bare_number(s, i, &first))
		return false;
	/* A first day that does not fit its language's shape may still open
	 * a list whose last day carries the day word for all: "10. i 25.
	 * dnia", "10 and 25 of each month"; then every day has the first's
	 * form. */
	fits = bare_number_fits(s, &first, bare_day_markers(s, i));
	days[0] = first.day;
	end = first.end;
	next_month = first.next_month;
	last = first;
	while (n < BARE_DAY_LIST_MAX &&
	       bare_day_list_next(s, end, &first, days[n - 1], !fits, &next)) {
		days[n++] = next.day;
		end = next.end;
		next_month = next_month || next.next_month;
		last = next;
		if (!fits && last.afters != 0)
			break;
	}
	if (!fits && (n < 2 || last.afters == 0 || !bare_number_fits(s, &last, 0)))
		return false;
	named = month_in_phrase(s, i);
	if (named.month != 0 && named.adjacent && !named.written)
		return false; /* "Dec the 3rd" */
	if (next_month) {
		if (!when_date_next_month_days(s, days, n, c))
			return false; /* "the 31st of next month" in October */
	} else if (named.month != 0 && named.adjacent) {
		if (!when_date_month_days(s, days, n, named.month, true, c))
			return false; /* "February the 30th" */
	} else if (named.month == 0 || !named.written || named.opens ||
	           !when_date_month_days(s, days, n, named.month, false, c)) {
		when_date_bare_days(s, days, n, c);
	}
	c->end = end;
	return true;
}

/*
 * An ISO week by its number, as planners write it: "KW 45", "KW45",
 * "Kalenderwoche 45", "week 45", "KW 45/2027"; its Friday, as for "next
 * week", or the Monday, Wednesday or Friday of "Anfang / Mitte / Ende KW
 * 47".  A number that runs on ("KW 45-46", "KW45a") or that what follows
 * shows to be something else ("week 3 days") is refused.
 */
static bool
match_week_number(const scan *s, guint i, candidate *c)
{
	/* In the order of month_part: its first, middle and last working day. */
	static const word_kind parts[] = {WORD_BEGINNING_OF, WORD_MID_OF, WORD_END_OF};
	static const int part_weekdays[] = {1, 3, 5};
	guint j = i, len = 0, part;
	int week, year = 0, weekday = 5;

	for (part = 0; part < G_N_ELEMENTS(parts); part++)
		if ((len = when_match_word(s, i, parts[part], NULL)) > 0)
			break;
	if (len > 0) {
		if (i + len >= s->n || !when_gap_soft(s, i + len))
			return false;
		weekday = part_weekdays[part];
		j = i + len;
	}
	if ((len = when_match_word(s, j, WORD_WEEK_NUMBER, NULL)) == 0)
		return false;
	/* "deze week 2 facturen" is this week: the word belongs to a phrase
	 * that starts before it. */
	for (guint k = 1; k <= 2 && k <= j; k++)
		if (when_match_word(s, j - k, WORD_RELATIVE, NULL) > k)
			return false;
	j += len;
	if (!tok_is_digits(s, j) || (!gap_empty(s, j) && !when_gap_spaced(s, j, ".")) ||
	    s->tokens[j].digits > 2 || s->tokens[j].value < 1 || s->tokens[j].value > 53)
		return false;
	week = s->tokens[j++].value;
	if (j < s->n && gap_is_char(s, j, '/') && tok_is_digits(s, j) && s->tokens[j].digits == 4 &&
	    !when_glued_digits_after(s, j)) {
		year = s->tokens[j++].value;
		if (year < WHEN_MIN_YEAR || year > WHEN_MAX_YEAR)
			return false;
	} else if (when_glued_digits_after(s, j - 1)) {
		return false;
	}
	if ((j < s->n && gap_empty(s, j)) || day_refused_after(s, j))
		return false;
	if (!when_date_iso_week(s, week, year, weekday, c))
		return false;
	c->end = j;
	return true;
}

/*
 * Keeps the candidate that reaches further; frees the other's text and
 * clears next for the following matcher.
 */
static void
keep_longer(candidate *best, candidate *next)
{
	if (next->how == NULL)
		return;
	if (best->how == NULL || next->end > best->end) {
		g_free(best->how);
		*best = *next;
	} else {
		g_free(next->how);
	}
	*next = (candidate){0};
}

/* The dates a weekday may be followed by: written dates only. */
static bool
match_date(const scan *s, guint i, candidate *c)
{
	candidate best = {0}, next = {0};

	if (match_numeric(s, i, &next))
		keep_longer(&best, &next);
	if (match_day_month(s, i, &next))
		keep_longer(&best, &next);
	if (match_month_day(s, i, &next))
		keep_longer(&best, &next);
	*c = best;
	return best.how != NULL;
}

/* Every shape at token i; the longest wins, the first tried on a tie. */
static bool
match_shape(const scan *s, guint i, candidate *c)
{
	candidate best = {0}, next = {0};

	if (match_date(s, i, &next))
		keep_longer(&best, &next);
	if (match_month_part(s, i, &next))
		keep_longer(&best, &next);
	/* A phrase written out in the word file before the general shape it
	 * also fits: "dans quinze jours" is a fortnight, not fifteen days. */
	if (match_relative(s, i, &next))
		keep_longer(&best, &next);
	if (match_quantity(s, i, &next))
		keep_longer(&best, &next);
	if (match_weekday(s, i, &next))
		keep_longer(&best, &next);
	if (match_bare_day(s, i, &next))
		keep_longer(&best, &next);
	if (match_week_number(s, i, &next))
		keep_longer(&best, &next);
	*c = best;
	return best.how != NULL;
}

/*
 * Between an inclusive word and its date: spaces, and the punctuation of
 * "incl. 4 December", "4 December, inclusive", "4 December (inclusive)";
 * never nothing, so "incl4" is no inclusive end.
 */
static bool
gap_inclusive(const scan *s, guint i)
{
	size_t at = s->tokens[i - 1].end, end = s->tokens[i].start, size;
	int marks = 0;

	if (at == end)
		return false;
	while (at < end) {
		gunichar c = when_decode_char(s->text + at, end - at, &size);
		if (c == '.' || c == ',' || c == '(') {
			if (++marks > 2)
				return false;
		} else if (!g_unichar_isspace(c)) {
			return false;
		}
		at += size;
	}
	return true;
}

/*
 * The abbreviation of "year" after a written year ("30.11.2026 r.", "23.10.2026
 * г.", "3 grudnia 2026 roku"), glued to it or a space away: part of the
 * date, so that an inclusive word after it still counts.
 */
static void
skip_year_mark(const scan *s, candidate *c)
{
	guint len;

	if (!c->year || c->end >= s->n ||
	    (!gap_empty(s, c->end) && !when_gap_spaced(s, c->end, NULL)))
		return;
	len = when_match_word(s, c->end, WORD_YEAR_MARK, NULL);
	if (len > 0 && (c->end + len >= s->n || !gap_empty(s, c->end + len)))
		c->end += len;
}

/* A shape at token i, and an inclusive word after it ("4 December inclusive"). */
static bool
match_shape_inclusive(const scan *s, guint i, candidate *c)
{
	guint len;

	if (!match_shape(s, i, c))
		return false;
	skip_year_mark(s, c);
	c->inclusive = false;
	if (c->end < s->n && gap_inclusive(s, c->end) &&
	    (len = when_match_word(s, c->end, WORD_INCLUSIVE_AFTER, NULL)) > 0) {
		c->end += len;
		c->inclusive = true;
	}
	return true;
}

/*
 * Every reading at token i: a shape, alone or with an inclusive word
 * before ("until and including 4 December", "t/m vrijdag", "bis
 * einschließlich Freitag") or after it ("do 4 grudnia włącznie", "jusqu'au
 * 4 décembre inclus").  An inclusive end is, for an absence message
 * (WHEN_RETURN_DAY), the day before the return.
 */
bool
when_match_at(const scan *s, guint i, candidate *c)
{
	candidate best = {0}, next = {0};
	guint before = when_match_word(s, i, WORD_INCLUSIVE, NULL);

	if (match_shape_inclusive(s, i, &next))
		keep_longer(&best, &next);
	if (before > 0 && i + before < s->n && gap_inclusive(s, i + before) &&
	    match_shape_inclusive(s, i + before, &next)) {
		next.inclusive = true;
		keep_longer(&best, &next);
	}
	if (best.how != NULL && best.inclusive && (s->flags & WHEN_RETURN_DAY) != 0)
		when_date_return_day(s, &best);
	*c = best;
	return best.how != NULL;
}
