#include "common/money.h"
#include "common/util.h"

#include <string.h>

/* ISO 4217 active codes with a minor unit other than 2, and the ones with 2. */
static const char *const zero_decimal[] = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
    "UYI", "VND", "VUV", "XAF", "XOF", "XPF", NULL};
static const char *const three_decimal[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
static const char *const two_decimal[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR",
    "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
    "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "YER", "ZAR",
    "ZMW", "ZWL", NULL};

static bool
in_list(const char *const *list, const char *code)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, code) == 0)
			return true;
	return false;
}

bool
dm_currency_known(const char *code)
{
	return code != NULL && (in_list(two_decimal, code) || in_list(zero_decimal, code) ||
				in_list(three_decimal, code));
}

int
dm_currency_exponent(const char *code)
{
	if (code != NULL && in_list(zero_decimal, code))
		return 0;
	if (code != NULL && in_list(three_decimal, code))
		return 3;
	return 2;
}

static bool
fail_amount(const char *text, const char *why, GError **error)
{
	g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "\"%s\" is not an amount: %s", text, why);
	return false;
}

bool
dm_money_parse(const char *text, const char *currency, int64_t *minor, GError **error)
{
	int exponent = dm_currency_exponent(currency);
	GString *digits = g_string_new(NULL);
	const char *p;
	char decimal_mark = 0;
	bool negative = false, ok = false;
	int n_point = 0, n_comma = 0, fraction_digits = 0;
	const char *last_sep = NULL;
	char *trimmed = g_strstrip(g_strdup(text != NULL ? text : ""));

	p = trimmed;
	if (*p == '-' || *p == '+') {
		negative = *p == '-';
		p++;
	}
	if (*p == '\0') {
		fail_amount(trimmed, "empty", error);
		goto out;
	}
	/* First pass: count separators to decide which one is the decimal mark. */
	for (const char *q = p; *q != '\0'; q++) {
		if (*q == '.') {
			n_point++;
			last_sep = q;
		} else if (*q == ',') {
			n_comma++;
			last_sep = q;
		} else if (*q == ' ' || *q == '\'' || (unsigned char)*q == 0xc2 ||
			   (unsigned char)*q == 0xa0) {
			/* spaces, apostrophes and no-break spaces group thousands */
		} else if (!g_ascii_isdigit(*q)) {
			fail_amount(trimmed, "unexpected character", error);
			goto out;
		}
	}
	if (n_point > 0 && n_comma > 0) {
		decimal_mark = *last_sep;
		if ((decimal_mark == '.' ? n_point : n_comma) > 1) {
			fail_amount(trimmed, "more than one decimal mark", error);
			goto out;
		}
	} else if (n_point + n_comma == 1) {
		/* "1.250" is ambiguous; a single separator is a decimal mark unless
		 * exactly three digits follow and the currency has fewer decimals. */
		size_t after = strlen(last_sep + 1);
		decimal_mark = (after == 3 && exponent < 3) ? 0 : *last_sep;
	} else if (n_point + n_comma > 1) {
		decimal_mark = 0; /* repeated separator: grouping only ("1.250.000") */
	}
	for (const char *q = p; *q != '\0'; q++) {
		if (g_ascii_isdigit(*q)) {
			g_string_append_c(digits, *q);
			if (decimal_mark != 0 && q > last_sep)
				fraction_digits++;
		} else if ((*q == '.' || *q == ',') && *q != decimal_mark) {
			/* grouping separators must separate groups of three digits */
			size_t run = 0;
			for (const char *r = q + 1; g_ascii_isdigit(*r); r++)
				run++;
			if (run != 3 || q == p) {
				fail_amount(trimmed, "misplaced thousands separator", error);
				goto out;
			}
		}
	}
	if (digits->len == 0) {
		fail_amount(trimmed, "no digits", error);
		goto out;
	}
	if (fraction_digits > exponent) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "\"%s\" has more decimals than %s allows (%d)", trimmed,
			    currency != NULL ? currency : "the currency", exponent);
		goto out;
	}
	/* The limit is on the value (10^15 minor units, ten trillion euros),
	 * not on the digits written, so that whatever dm_money_format_plain
	 * prints parses back ("99999999999999.00" as well as "99999999999999"). */
	{
		int64_t value = digits->len <= 18 ? g_ascii_strtoll(digits->str, NULL, 10) : -1;
		for (int i = fraction_digits; i < exponent && value >= 0 && value <= INT64_MAX / 10; i++)
			value *= 10;
		if (value < 0 || value > DM_MONEY_MAX) {
			fail_amount(trimmed, "too large", error);
			goto out;
		}
		*minor = negative ? -value : value;
	}
	ok = true;
out:
	g_string_free(digits, TRUE);
	g_free(trimmed);
	return ok;
}

char *
dm_money_format_plain(int64_t minor, const char *currency)
{
	int exponent = dm_currency_exponent(currency);
	int64_t scale = 1;
	uint64_t magnitude = minor < 0 ? (uint64_t)(-(minor + 1)) + 1 : (uint64_t)minor;

	for (int i = 0; i < exponent; i++)
		scale *= 10;
	if (exponent == 0)
		return g_strdup_printf("%s%" G_GUINT64_FORMAT, minor < 0 ? "-" : "", magnitude);
	return g_strdup_printf("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT, minor < 0 ? "-" : "",
			       magnitude / (uint64_t)scale, exponent, magnitude % (uint64_t)scale);
}

int64_t
dm_money_scale(int64_t value, int64_t numerator, int64_t denominator)
{
	/* 128-bit intermediate: value * numerator can exceed 64 bits for
	 * interest computed with fine-grained rate units. */
	__int128 product = (__int128)value * numerator;
	__int128 half = denominator / 2;
	__int128 q;

	if (denominator == 0)
		return 0;
	if ((product < 0) != (denominator < 0))
		q = (product - half) / denominator;
	else
		q = (product + half) / denominator;
	return (int64_t)q;
}
