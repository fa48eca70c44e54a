/*
 * Money as integer minor units (cents, grosze, stotinki) plus an ISO 4217
 * currency code.  Never floating point: amounts are added, split and
 * compared exactly, and rounding happens once, where a rate is applied.
 */
#ifndef DUNMAIL_COMMON_MONEY_H
#define DUNMAIL_COMMON_MONEY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The largest amount accepted, in minor units. */
#define DM_MONEY_MAX ((int64_t)1000000000000000)

/* Is this an ISO 4217 code dunmail knows (upper case, e.g. "EUR")? */
bool dm_currency_known(const char *code);

/* Digits after the decimal point for the currency (2 for EUR, 0 for JPY). */
int dm_currency_exponent(const char *code);

/*
 * Parses an amount written by a person or an accounting export: "1250",
 * "1250.00", "1250,5", "1.250,00", "1,250.00", "1 250,00", "-12.30".
 * A lone separator followed by exactly three digits is a thousands
 * separator ("1.250" = 1250) only when another group follows or precedes;
 * otherwise a single "," or "." is the decimal mark.  More decimals than
 * the currency has is an error, as is anything that is not a number.
 */
bool dm_money_parse(const char *text, const char *currency, int64_t *minor, GError **error);

/* "1250.00" (point, no grouping, the currency's decimals): for CSV, JSON, the store. */
char *dm_money_format_plain(int64_t minor, const char *currency);

/*
 * Rounds value * numerator / denominator half away from zero, without
 * overflow for amounts a business handles.
 */
int64_t dm_money_scale(int64_t value, int64_t numerator, int64_t denominator);

#endif
