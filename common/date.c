#include "common/date.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static dm_date pinned_today = DM_DATE_NONE;

bool
dm_date_valid_ymd(int year, int month, int day)
{
	return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
	       day <= dm_date_days_in_month(year, month);
}

int
dm_date_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (month < 1 || month > 12)
		return 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* Days from civil, after Howard Hinnant's public-domain algorithm. */
dm_date
dm_date_from_ymd(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (dm_date)(era * 146097 + doe - 719468);
}

void
dm_date_to_ymd(dm_date date, int *year, int *month, int *day)
{
	int z = date + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp < 10 ? mp + 3 : mp - 9;

	*year = yoe + era * 400 + (m <= 2);
	*month = m;
	*day = d;
}

bool
dm_date_parse_iso(const char *text, dm_date *date, GError **error)
{
	int year = 0, month = 0, day = 0;
	bool shape = text != NULL && strlen(text) == 10 && text[4] == '-' && text[7] == '-';

	/* Exactly DDDD-DD-DD, read digit by digit: no sign, no spaces, no overflow. */
	for (int i = 0; shape && i < 10; i++)
		shape = i == 4 || i == 7 || g_ascii_isdigit(text[i]);
	if (shape) {
		year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 +
		       (text[3] - '0');
		month = (text[5] - '0') * 10 + (text[6] - '0');
		day = (text[8] - '0') * 10 + (text[9] - '0');
	}
	if (!shape) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "\"%s\" is not a date (YYYY-MM-DD)",
			    text != NULL ? text : "");
		return false;
	}
	if (!dm_date_valid_ymd(year, month, day)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "\"%s\" is not a valid calendar date",
			    text);
		return false;
	}
	*date = dm_date_from_ymd(year, month, day);
	return true;
}

char *
dm_date_format_iso(dm_date date, char buffer[DM_DATE_ISO_SIZE])
{
	int y, m, d;

	dm_date_to_ymd(date, &y, &m, &d);
	y = y < 0 ? 0 : y % 10000;
	buffer[0] = (char)('0' + y / 1000);
	buffer[1] = (char)('0' + y / 100 % 10);
	buffer[2] = (char)('0' + y / 10 % 10);
	buffer[3] = (char)('0' + y % 10);
	buffer[4] = '-';
	buffer[5] = (char)('0' + m / 10);
	buffer[6] = (char)('0' + m % 10);
	buffer[7] = '-';
	buffer[8] = (char)('0' + d / 10);
	buffer[9] = (char)('0' + d % 10);
	buffer[10] = '\0';
	return buffer;
}

int
dm_date_weekday(dm_date date)
{
	/* 1970-01-01 was a Thursday (4). */
	int w = (int)((date % 7 + 7) % 7);
	return (w + 3) % 7 + 1;
}

bool
dm_date_is_weekend(dm_date date)
{
	return dm_date_weekday(date) >= 6;
}

bool
dm_date_is_working_day(dm_date date, const dm_date *holidays, size_t n_holidays)
{
	if (dm_date_is_weekend(date))
		return false;
	for (size_t i = 0; i < n_holidays; i++)
		if (holidays[i] == date)
			return false;
	return true;
}

dm_date
dm_date_add_working_days(dm_date date, int n, const dm_date *holidays, size_t n_holidays)
{
	int step = n < 0 ? -1 : 1;
	int left = n < 0 ? -n : n;

	while (!dm_date_is_working_day(date, holidays, n_holidays))
		date += step;
	while (left > 0) {
		date += step;
		if (dm_date_is_working_day(date, holidays, n_holidays))
			left--;
	}
	return date;
}

dm_date
dm_date_add_months(dm_date date, int n)
{
	int y, m, d, total, last;

	dm_date_to_ymd(date, &y, &m, &d);
	total = y * 12 + (m - 1) + n;
	y = total / 12;
	m = total % 12 + 1;
	last = dm_date_days_in_month(y, m);
	return dm_date_from_ymd(y, m, d > last ? last : d);
}

dm_date
dm_date_month_start(dm_date date)
{
	int y, m, d;

	dm_date_to_ymd(date, &y, &m, &d);
	return dm_date_from_ymd(y, m, 1);
}

dm_date
dm_date_month_end(dm_date date)
{
	int y, m, d;

	dm_date_to_ymd(date, &y, &m, &d);
	return dm_date_from_ymd(y, m, dm_date_days_in_month(y, m));
}

dm_date
dm_date_from_unix(int64_t seconds)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return (dm_date)(seconds / 86400);
	return dm_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

dm_date
dm_date_today(void)
{
	if (pinned_today != DM_DATE_NONE)
		return pinned_today;
	return dm_date_from_unix((int64_t)time(NULL));
}

void
dm_date_set_today(dm_date date)
{
	pinned_today = date;
}

int64_t
dm_date_now_unix(int *utc_offset_minutes)
{
	GDateTime *now = g_date_time_new_now_local();
	int64_t seconds;

	if (pinned_today != DM_DATE_NONE) {
		GDateTime *pinned;
		int year, month, day;

		dm_date_to_ymd(pinned_today, &year, &month, &day);
		pinned = g_date_time_new_local(year, month, day, g_date_time_get_hour(now),
					       g_date_time_get_minute(now),
					       g_date_time_get_second(now));
		/* NULL only for a time the zone skips (a DST gap): keep the clock's. */
		if (pinned != NULL) {
			g_date_time_unref(now);
			now = pinned;
		}
	}
	seconds = g_date_time_to_unix(now);
	*utc_offset_minutes = (int)(g_date_time_get_utc_offset(now) / G_TIME_SPAN_MINUTE);
	g_date_time_unref(now);
	return seconds;
}
