/*
 * How amounts, dates, percentages and day counts are written in each language
 * a client may read: en (British), pl, bg, nl, ro, es, de, fr.
 *
 * A language is given as a tag ("pl", "pl-PL", "pl_PL", "PL"); only the
 * primary subtag counts.  A language dunmail has no conventions for is
 * written the English way, so a draft never fails for formatting; callers
 * that must know ask locale_supported() first.
 *
 * Money (int64 minor units plus an ISO 4217 code, see common/money.h):
 *
 *   lang  grouping            decimal  symbols (others: "1 250,00 CHF" style, ISO code)
 *   en    ","                 "."      €1,250.00  £980.00  $1,250.00
 *   pl    U+00A0 no-break     ","      1 250,00 zł (PLN)   1 250,00 € (EUR)
 *   bg    U+00A0 no-break     ","      2 400,00 лв. (BGN)  2 400,00 € (EUR, since 2026)
 *   nl    "."                 ","      € 1.250,00 (EUR)
 *   ro    "."                 ","      1.250,00 lei (RON)  1.250,00 € (EUR)
 *   es    "."                 ","      1.250,00 € (EUR)
 *   de    "."                 ","      1.250,00 € (EUR)
 *   fr    U+202F narrow nbsp  ","      1 250,00 € (EUR)
 *
 * The space between number and symbol or code is always U+00A0, so that a
 * mail client that wraps lines never leaves the currency alone on a line.
 * Thousands are grouped from four integer digits on (1 250, not 1250): it
 * is what invoices in all eight countries print, even where CLDR would not
 * group four digits.  Negative amounts start with "-".
 *
 * Dates use ordinary spaces:
 *
 *   lang  short            long
 *   en    22/11/2026       22 November 2026
 *   pl    22.11.2026       22 listopada 2026      (genitive month)
 *   bg    22.11.2026 г.    22 ноември 2026 г.
 *   nl    22-11-2026       22 november 2026
 *   ro    22.11.2026       22 noiembrie 2026
 *   es    22/11/2026       22 de noviembre de 2026
 *   de    22.11.2026       22. November 2026
 *   fr    22/11/2026       22 novembre 2026       (1er novembre 2026)
 *
 * Every function returns a newly allocated UTF-8 string; free with g_free.
 */
#ifndef DUNMAIL_DRAFT_LOCALE_H
#define DUNMAIL_DRAFT_LOCALE_H

#include "common/date.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
	LOCALE_DATE_SHORT, /* 22.11.2026 */
	LOCALE_DATE_LONG,  /* 22 listopada 2026 */
} locale_date_style;

/* The languages dunmail writes, NULL-terminated; static, do not free. */
const char *const *locale_languages(void);

/* Does dunmail have conventions (and templates) for this language tag? */
bool locale_supported(const char *lang);

/*
 * The two-letter code dunmail uses for a tag ("pl_PL" -> "pl"), or "en" when
 * the language is not supported.  Static string, do not free.
 */
const char *locale_normalise(const char *lang);

/* 1 250,00 zł: minor units of currency written for the language. */
char *locale_format_money(const char *lang, int64_t minor, const char *currency);

/* The number alone, grouped, with the currency's decimals: "1 250,00". */
char *locale_format_amount(const char *lang, int64_t minor, int exponent);

/* 22.11.2026 or 22 listopada 2026. */
char *locale_format_date(const char *lang, dm_date date, locale_date_style style);

/* A rate in basis points as a percentage: 200 -> "2%" (en), "2 %" (de); 215 -> "2,15 %". */
char *locale_format_percent(const char *lang, int32_t basis_points);

/* A number of days with its noun in the right plural form: "1 day", "5 dni", "20 de zile". */
char *locale_format_days(const char *lang, int64_t days);

#endif
