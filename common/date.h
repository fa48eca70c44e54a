/*
 * Calendar dates without time or zone: a dm_date counts days from
 * 1970-01-01 (day 0), so differences and offsets are plain arithmetic.
 * dunmail reasons in whole days (due dates, days overdue, promised dates),
 * and "today" comes from dm_date_today(), which --now can pin.
 */
#ifndef DUNMAIL_COMMON_DATE_H
#define DUNMAIL_COMMON_DATE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef int32_t dm_date;

/* No date (e.g. no promised date). */
#define DM_DATE_NONE INT32_MIN

/* Room for "YYYY-MM-DD" and its NUL. */
#define DM_DATE_ISO_SIZE 11

bool dm_date_valid_ymd(int year, int month, int day);
/* The caller guarantees a valid date (see dm_date_valid_ymd). */
dm_date dm_date_from_ymd(int year, int month, int day);
void dm_date_to_ymd(dm_date date, int *year, int *month, int *day);
int dm_date_days_in_month(int year, int month);

/* Strict YYYY-MM-DD.  Fails with DM_ERROR_INPUT naming the text. */
bool dm_date_parse_iso(const char *text, dm_date *date, GError **error);

/* Writes "YYYY-MM-DD" into buffer and returns it. */
char *dm_date_format_iso(dm_date date, char buffer[DM_DATE_ISO_SIZE]);

/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int dm_date_weekday(dm_date date);
bool dm_date_is_weekend(dm_date date);

/*
 * Adds n working days (Monday to Friday, skipping the sorted holidays array
 * when given).  n = 0 returns the date itself when it is a working day,
 * otherwise the next working day.
 */
dm_date dm_date_add_working_days(dm_date date, int n, const dm_date *holidays, size_t n_holidays);
bool dm_date_is_working_day(dm_date date, const dm_date *holidays, size_t n_holidays);

/* The same day n months later, clamped to the month's last day. */
dm_date dm_date_add_months(dm_date date, int n);

/* First and last day of the date's month. */
dm_date dm_date_month_start(dm_date date);
dm_date dm_date_month_end(dm_date date);

/* The date of a Unix time in the local time zone. */
dm_date dm_date_from_unix(int64_t seconds);

/* Today: the date set by dm_date_set_today() (--now), else the local date. */
dm_date dm_date_today(void);
void dm_date_set_today(dm_date date);

/*
 * The present moment as Unix seconds, and its local UTC offset in minutes
 * (east positive): the wall clock's time of day on dm_date_today(), so a
 * pinned --now moves it to that day.  For Date headers.
 */
int64_t dm_date_now_unix(int *utc_offset_minutes);

#endif
