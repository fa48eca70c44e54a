/*
 * What date expressions resolve to (the conventions when.h documents), and
 * the public entry points: when_find_flags tokenises a text and scans it
 * for the first expression, whose shape when-shape.c recognised.
 */
#include "filter/when-private.h"

#include <stdlib.h>
#include <string.h>

/*
 * The occurrence of day/month nearest to the anchor, past or future (a tie
 * goes to the future).  False when the day does not exist in any
 * candidate year (29 February far from a leap year).
 */
static bool
nearest_date(dm_date anchor, int month, int day, dm_date *date)
{
	int year, m, d;
	bool found = false;

	dm_date_to_ymd(anchor, &year, &m, &d);
	for (int y = year - 1; y <= year + 1; y++) {
		dm_date candidate_date;
		if (!dm_date_valid_ymd(y, month, day))
			continue;
		candidate_date = dm_date_from_ymd(y, month, day);
		if (!found || abs(candidate_date - anchor) < abs(*date - anchor) ||
		    (abs(candidate_date - anchor) == abs(*date - anchor) &&
		     candidate_date > *date)) {
			*date = candidate_date;
			found = true;
		}
	}
	return found;
}

/* The Friday of the week (Monday to Sunday) that holds date. */
static dm_date
week_friday(dm_date date)
{
	return date - (dm_date_weekday(date) - 1) + 4;
}

/* The Sunday that ends the weekend ahead: the anchor's, when it is in one. */
static dm_date
weekend_sunday(dm_date date)
{
	return date + (7 - dm_date_weekday(date));
}

/* Day day of the month that holds date, or of the next if it has passed. */
static dm_date
month_day_ahead(dm_date date, int day)
{
	dm_date start = dm_date_month_start(date);

	if (date - start + 1 > day)
		start = dm_date_add_months(start, 1);
	return start + day - 1;
}

/*
 * The first working day (Monday to Friday) of the month that starts on
 * start: payments wait for a banking day, so "early next month" is no
 * sooner than that.
 */
static dm_date
month_first_working_day(dm_date start)
{
	return dm_date_add_working_days(start, 0, NULL, 0);
}

/* The last working day (Monday to Friday) of the month that holds date. */
static dm_date
month_last_working_day(dm_date date)
{
	dm_date last = dm_date_month_end(date);

	while (dm_date_is_weekend(last))
		last--;
	return last;
}

/* The first working day of the month that holds date, or of the next if it has passed. */
static dm_date
month_first_working_day_ahead(dm_date date)
{
	dm_date first = month_first_working_day(dm_date_month_start(date));

	if (first < date)
		first = month_first_working_day(dm_date_add_months(dm_date_month_start(date), 1));
	return first;
}

bool
when_date_day_month(const scan *s, int year, int month, int day, candidate *c)
{
	if (year != 0) {
		if (!dm_date_valid_ymd(year, month, day))
			return false;
		c->date = dm_date_from_ymd(year, month, day);
		c->how = g_strdup_printf("day %d, month %d, year %d", day, month, year);
		c->year = true;
	} else {
		if (!nearest_date(s->anchor, month, day, &c->date))
			return false;
		c->how = g_strdup_printf("day %d, month %d, the year nearest to %s", day, month,
		                         s->anchor_iso);
	}
	return true;
}

bool
when_date_month_part(const scan *s, month_part part, int month, int year, candidate *c)
{
	static const char *const names[] = {"first working day", "middle", "end",
	                                    "last working day"};
	int day, y, m, d;

	/* The last day of the month depends on the year, so find the year
	 * from the month's middle first. */
	if (year == 0) {
		if (!nearest_date(s->anchor, month, 15, &c->date))
			return false;
		dm_date_to_ymd(c->date, &y, &m, &d);
	} else {
		y = year;
	}
	if (part == MONTH_PART_EARLY)
		day = 1 + month_first_working_day(dm_date_from_ymd(y, month, 1)) -
		      dm_date_from_ymd(y, month, 1);
	else if (part == MONTH_PART_MIDDLE)
		day = 15;
	else if (part == MONTH_PART_LAST_WORKING_DAY)
		day = 1 + month_last_working_day(dm_date_from_ymd(y, month, 1)) -
		      dm_date_from_ymd(y, month, 1);
	else
		day = dm_date_days_in_month(y, month);
	c->date = dm_date_from_ymd(y, month, day);
	c->how = g_strdup_printf("%s of month %d (day %d), %s", names[part], month, day,
	                         year != 0 ? "year given" : "the year nearest to the anchor");
	c->year = year != 0;
	return true;
}

bool
when_date_quantity(const scan *s, int count, unit_kind unit, candidate *c)
{
	switch (unit) {
	case UNIT_DAY:
		if (count > WHEN_MAX_DAYS)
			return false;
		c->date = s->anchor + count;
		c->how = g_strdup_printf("%s + %d days", s->anchor_iso, count);
		break;
	case UNIT_WORKING_DAY:
		if (count > WHEN_MAX_DAYS)
			return false;
		c->date = dm_date_add_working_days(s->anchor, count, NULL, 0);
		c->how = g_strdup_printf("%s + %d working days (Monday to Friday)", s->anchor_iso,
		                         count);
		break;
	case UNIT_WEEK:
		if (count > WHEN_MAX_WEEKS)
			return false;
		c->date = s->anchor + 7 * count;
		c->how = g_strdup_printf("%s + %d weeks", s->anchor_iso, count);
		break;
	case UNIT_HOUR:
		/* "within 48 hours" is two days; "in 15 hours" is a time of
		 * day, which a date cannot say. */
		if (count == 0 || count % 24 != 0 || count > WHEN_MAX_HOURS)
			return false;
		c->date = s->anchor + count / 24;
		c->how =
		    g_strdup_printf("%s + %d hours (%d days)", s->anchor_iso, count, count / 24);
		break;
	case UNIT_MONTH:
		if (count > WHEN_MAX_MONTHS)
			return false;
		c->date = dm_date_add_months(s->anchor, count);
		c->how = g_strdup_printf("%s + %d months", s->anchor_iso, count);
		break;
	}
	return true;
}

void
when_date_weekday(const scan *s, int weekday, weekday_mode mode, candidate *c)
{
	int wa = dm_date_weekday(s->anchor);
	const char *how;

	switch (mode) {
	case WEEKDAY_ON_OR_AFTER:
		c->date = s->anchor + (weekday - wa + 7) % 7;
		how = "on or after";
		break;
	case WEEKDAY_NEXT:
		c->date = s->anchor + (weekday - wa + 6) % 7 + 1;
		how = "first after";
		break;
	case WEEKDAY_FOLLOWING_WEEK:
		c->date = s->anchor - (wa - 1) + 7 + (weekday - 1);
		how = "in the week after the week of";
		break;
	case WEEKDAY_AFTER_WEEKEND:
		c->date = weekend_sunday(s->anchor) + weekday;
		how = "after the weekend that follows";
		break;
	case WEEKDAY_WEEK_LATER:
		c->date = s->anchor + (weekday - wa + 7) % 7 + 7;
		how = "a week after its next occurrence on or after";
		break;
	case WEEKDAY_LAST:
	default:
		c->date = s->anchor - (wa - weekday + 6) % 7 - 1;
		how = "last before";
		break;
	}
	c->how = g_strdup_printf("weekday %d %s %s", weekday, how, s->anchor_iso);
}

/* Day day of the next month that has it, on or after date (a 31st skips the short months). */
static dm_date
bare_day_ahead(dm_date date, int day)
{
	dm_date month = dm_date_month_start(date);
	int y, m, d;

	/* Two months in a row always hold the day. */
	for (int k = 0; k < 3; k++, month = dm_date_add_months(month, 1)) {
		dm_date_to_ymd(month, &y, &m, &d);
		if (dm_date_valid_ymd(y, m, day) && dm_date_from_ymd(y, m, day) >= date)
			break;
	}
	return dm_date_from_ymd(y, m, day);
}

bool
when_date_weekday_day(const scan *s, int weekday, int day, bool by_number, candidate *c)
{
	dm_date month = dm_date_add_months(dm_date_month_start(s->anchor), -1);
	bool found = false;
	int y, m, d;

	for (int k = 0; k < 4; k++, month = dm_date_add_months(month, 1)) {
		dm_date date;
		dm_date_to_ymd(month, &y, &m, &d);
		if (!dm_date_valid_ymd(y, m, day))
			continue;
		date = dm_date_from_ymd(y, m, day);
		if (dm_date_weekday(date) != weekday)
			continue;
		if (!found || abs(date - s->anchor) < abs(c->date - s->anchor) ||
		    (abs(date - s->anchor) == abs(c->date - s->anchor) && date > c->date)) {
			c->date = date;
			found = true;
		}
	}
	if (found) {
		c->how = g_strdup_printf("day %d on weekday %d, the nearest to %s", day, weekday,
		                         s->anchor_iso);
		return true;
	}
	if (!by_number)
		return false;
	c->date = bare_day_ahead(s->anchor, day);
	c->how =
	    g_strdup_printf("day %d (no weekday %d near it: the number decides) on or after %s",
	                    day, weekday, s->anchor_iso);
	return true;
}

void
when_date_relative(const scan *s, relative_kind kind, candidate *c)
{
	static const char *const names[] = {
	    [REL_TODAY] = "today",
	    [REL_TOMORROW] = "tomorrow",
	    [REL_DAY_AFTER_TOMORROW] = "the day after tomorrow",
	    [REL_YESTERDAY] = "yesterday",
	    [REL_DAY_BEFORE_YESTERDAY] = "the day before yesterday",
	    [REL_THIS_WEEK] = "Friday of this week",
	    [REL_NEXT_WEEK] = "Friday of next week",
	    [REL_BEGINNING_OF_NEXT_WEEK] = "Monday of next week",
	    [REL_MID_NEXT_WEEK] = "Wednesday of next week",
	    [REL_AFTER_THE_WEEKEND] = "the Monday after the coming weekend",
	    [REL_BEGINNING_OF_MONTH] = "first working day of this month or the next",
	    [REL_BEGINNING_OF_NEXT_MONTH] = "first working day of next month",
	    [REL_FIRST_WORKING_DAY_OF_NEXT_MONTH] = "first working day of next month",
	    [REL_LAST_WORKING_DAY_OF_MONTH] = "last working day of this month or the next",
	    [REL_MID_MONTH] = "day 15 of this month or the next",
	    [REL_MID_NEXT_MONTH] = "day 15 of next month",
	    [REL_END_OF_MONTH] = "last day of the month",
	    [REL_END_OF_NEXT_MONTH] = "last day of next month",
	    [REL_END_OF_YEAR] = "31 December",
	    [REL_IN_ONE_WEEK] = "one week later",
	    [REL_IN_TWO_WEEKS] = "two weeks later",
	    [REL_IN_ONE_MONTH] = "one month later",
	};
	dm_date a = s->anchor, next_month = dm_date_add_months(dm_date_month_start(a), 1);
	int y, m, d;

	dm_date_to_ymd(a, &y, &m, &d);
	switch (kind) {
	case REL_TODAY:
		c->date = a;
		break;
	case REL_TOMORROW:
		c->date = a + 1;
		break;
	case REL_DAY_AFTER_TOMORROW:
		c->date = a + 2;
		break;
	case REL_YESTERDAY:
		c->date = a - 1;
		break;
	case REL_DAY_BEFORE_YESTERDAY:
		c->date = a - 2;
		break;
	case REL_THIS_WEEK:
		c->date = MAX(a, week_friday(a));
		break;
	case REL_NEXT_WEEK:
		c->date = week_friday(a) + 7;
		break;
	case REL_BEGINNING_OF_NEXT_WEEK:
		/* This week's Friday + 3 is next week's Monday, + 5 its Wednesday. */
		c->date = week_friday(a) + 3;
		break;
	case REL_MID_NEXT_WEEK:
		c->date = week_friday(a) + 5;
		break;
	case REL_AFTER_THE_WEEKEND:
		c->date = weekend_sunday(a) + 1;
		break;
	case REL_BEGINNING_OF_MONTH:
		c->date = month_first_working_day_ahead(a);
		break;
	case REL_BEGINNING_OF_NEXT_MONTH:
		c->date = month_first_working_day(next_month);
		break;
	case REL_FIRST_WORKING_DAY_OF_NEXT_MONTH:
		c->date = month_first_working_day(next_month);
		break;
	case REL_LAST_WORKING_DAY_OF_MONTH:
		/* Said on a weekend after it, it is the next month's. */
		c->date = month_last_working_day(a);
		if (c->date < a)
			c->date = month_last_working_day(next_month);
		break;
	case REL_MID_MONTH:
		c->date = month_day_ahead(a, 15);
		break;
	case REL_MID_NEXT_MONTH:
		c->date = next_month + 14;
		break;
	case REL_END_OF_MONTH:
		c->date = dm_date_month_end(a);
		break;
	case REL_END_OF_NEXT_MONTH:
		c->date = dm_date_month_end(next_month);
		break;
	case REL_END_OF_YEAR:
		c->date = dm_date_from_ymd(y, 12, 31);
		break;
	case REL_IN_ONE_WEEK:
		c->date = a + 7;
		break;
	case REL_IN_TWO_WEEKS:
		c->date = a + 14;
		break;
	case REL_IN_ONE_MONTH:
		c->date = dm_date_add_months(a, 1);
		break;
	}
	c->how = g_strdup_printf("%s from %s", names[kind], s->anchor_iso);
}

/* The Monday of ISO week 1 of year: the week that holds 4 January. */
static dm_date
iso_week_one(int year)
{
	dm_date january_4 = dm_date_from_ymd(year, 1, 4);

	return january_4 - (dm_date_weekday(january_4) - 1);
}

bool
when_date_iso_week(const scan *s, int week, int year, int weekday, candidate *c)
{
	static const char *const names[] = {"",         "Monday", "Tuesday",  "Wednesday",
	                                    "Thursday", "Friday", "Saturday", "Sunday"};
	int first = year, last = year, y, m, d;
	bool found = false;

	if (year == 0) {
		dm_date_to_ymd(s->anchor, &y, &m, &d);
		first = y - 1;
		last = y + 1;
	}
	for (int k = first; k <= last; k++) {
		dm_date monday = iso_week_one(k) + 7 * (week - 1), date = monday + weekday - 1;

		/* Week 53 exists only in a year whose last week holds its Thursday. */
		if (monday >= iso_week_one(k + 1))
			continue;
		if (!found || abs(date - s->anchor) < abs(c->date - s->anchor) ||
		    (abs(date - s->anchor) == abs(c->date - s->anchor) && date > c->date)) {
			c->date = date;
			found = true;
		}
	}
	if (!found)
		return false;
	c->how = g_strdup_printf("%s of ISO week %d, %s", names[weekday], week,
	                         year != 0 ? "year given" : "the year nearest to the anchor");
	c->year = year != 0;
	return true;
}

void
when_date_bare_days(const scan *s, const int *days, guint n, candidate *c)
{
	GString *how = g_string_new(NULL);

	c->date = bare_day_ahead(s->anchor, days[0]);
	g_string_append_printf(how, "day %d", days[0]);
	for (guint k = 1; k < n; k++) {
		dm_date date = bare_day_ahead(s->anchor, days[k]);
		if (date < c->date)
			c->date = date;
		g_string_append_printf(how, "%s%d", k + 1 < n ? ", " : " or ", days[k]);
	}
	g_string_append_printf(how, " of the month, %son or after %s", n > 1 ? "the first " : "",
	                       s->anchor_iso);
	c->how = g_string_free(how, FALSE);
}

bool
when_date_month_days(const scan *s, const int *days, guint n, int month, bool past_too,
                     candidate *c)
{
	bool found = false;

	for (guint k = 0; k < n; k++) {
		dm_date date;
		if (!nearest_date(s->anchor, month, days[k], &date) ||
		    (date < s->anchor && !past_too))
			continue;
		if (!found || date < c->date) {
			c->date = date;
			found = true;
		}
	}
	if (!found)
		return false;
	c->how = g_strdup_printf("day %d%s of month %d named before it, the year nearest to %s",
	                         days[0], n > 1 ? " or a later one" : "", month, s->anchor_iso);
	return true;
}

bool
when_date_next_month_days(const scan *s, const int *days, guint n, candidate *c)
{
	dm_date start = dm_date_add_months(dm_date_month_start(s->anchor), 1);
	int y, m, d;

	dm_date_to_ymd(start, &y, &m, &d);
	/* The days rise, so the first the month has is the earliest. */
	for (guint k = 0; k < n; k++) {
		if (!dm_date_valid_ymd(y, m, days[k]))
			continue;
		c->date = start + days[k] - 1;
		c->how = g_strdup_printf("day %d%s of the month after %s", days[k],
		                         k + 1 < n ? " or a later one" : "", s->anchor_iso);
		return true;
	}
	return false;
}

void
when_date_return_day(const scan *s, candidate *c)
{
	char iso[DM_DATE_ISO_SIZE], *how;

	/* The absence ends with that day, so its writer is back on the next
	 * working day, even after a weekend or a Sunday. */
	dm_date_format_iso(c->date, iso);
	c->date = dm_date_add_working_days(c->date + 1, 0, NULL, 0);
	how = g_strdup_printf("%s -> %s inclusive, back the next working day", c->how, iso);
	g_free(c->how);
	c->how = how;
}

static guint
language_index(const when_words *words, const char *language, bool *found)
{
	for (guint k = 0; k < words->n_languages; k++) {
		if (strcmp(words->languages[k], language) == 0) {
			*found = true;
			return k;
		}
	}
	*found = false;
	return 0;
}

bool
when_find(const when_words *words, const char *language, const char *text, dm_date anchor,
          when_match *match, char **explain)
{
	return when_find_flags(words, language, text, anchor, 0, match, explain);
}

bool
when_find_flags(const when_words *words, const char *language, const char *text, dm_date anchor,
                unsigned flags, when_match *match, char **explain)
{
	GArray *tokens;
	GString *folded;
	scan s = {0};
	candidate c = {0};
	guint first;
	bool found = false;

	if (words == NULL || text == NULL)
		return false;
	if (language != NULL) {
		bool known;
		guint k = language_index(words, language, &known);
		if (!known)
			return false;
		s.mask = UINT64_C(1) << k;
	} else {
		s.mask =
		    words->n_languages >= 64 ? UINT64_MAX : (UINT64_C(1) << words->n_languages) - 1;
	}
	s.words = words;
	s.flags = flags;
	s.text = text;
	s.length = strnlen(text, WHEN_SCAN_LIMIT);
	s.anchor = anchor;
	dm_date_format_iso(anchor, s.anchor_iso);

	tokens = g_array_new(FALSE, FALSE, sizeof(token));
	folded = g_string_sized_new(s.length + 16);
	when_tokenize(text, s.length, tokens, folded);
	s.tokens = (const token *)(void *)tokens->data;
	s.n = tokens->len;
	s.folded = folded->str;
	/* Each token's word is looked up once; the matchers read the result. */
	s.buckets = g_new(GPtrArray *, s.n + 1);
	s.starts = g_new(bool, s.n + 1);
	for (guint k = 0; k < s.n; k++) {
		const char *word = s.folded + s.tokens[k].fold;
		s.buckets[k] = g_hash_table_lookup(words->by_first, word);
		s.starts[k] = s.buckets[k] != NULL && g_hash_table_contains(words->starts, word);
	}

	first = when_scan_first(&s, &c);
	if (first < s.n) {
		size_t start = s.tokens[first].start, end = s.tokens[c.end - 1].end;
		char iso[DM_DATE_ISO_SIZE];

		found = true;
		if (match != NULL) {
			match->date = c.date;
			match->start = start;
			match->end = end;
		}
		if (explain != NULL) {
			/* The span may hold invalid bytes between its words. */
			char *quoted = g_utf8_make_valid(text + start, (gssize)(end - start));
			*explain = g_strdup_printf("\"%s\" -> %s -> %s", quoted, c.how,
			                           dm_date_format_iso(c.date, iso));
			g_free(quoted);
		}
		g_free(c.how);
	}
	g_free(s.buckets);
	g_free(s.starts);
	g_array_unref(tokens);
	g_string_free(folded, TRUE);
	return found;
}

bool
when_resolve(const when_words *words, const char *text, dm_date anchor, dm_date *date,
             char **explain)
{
	when_match match;

	if (!when_find(words, NULL, text, anchor, &match, explain))
		return false;
	if (date != NULL)
		*date = match.date;
	return true;
}
