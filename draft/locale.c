#include "draft/locale.h"

#include "common/money.h"

#include <string.h>

#define NBSP "\u00a0"
#define NNBSP "\u202f"

/* A currency the language writes with its own symbol instead of the ISO code. */
typedef struct {
	const char *code;
	const char *symbol;
	bool prefix;     /* symbol before the number */
	const char *gap; /* between symbol and number */
} currency_style;

typedef enum {
	PLURAL_ONE_OTHER, /* en, nl, es, de, pl, bg: 1 day, n days */
	PLURAL_FRENCH,    /* 0 and 1 singular */
	PLURAL_ROMANIAN,  /* 1 zi, 2..19 zile, 20 de zile */
} plural_rule;

typedef struct {
	const char *lang;
	const char *group;
	const char *decimal;
	const currency_style *currencies; /* terminated by a NULL code */
	const char *percent_gap;
	/* Short date: day, month, year joined by the separator, then the suffix. */
	const char *short_separator;
	const char *date_suffix; /* bg writes "г." (year) after dates */
	/* Long date: "<day><after_day><month><after_month><year><suffix>". */
	const char *after_day;
	const char *after_month;
	const char *months[12];
	plural_rule plural;
	const char *day_one;
	const char *day_many;
} locale_info;

static const currency_style en_currencies[] = {{"EUR", "€", true, ""},
                                               {"GBP", "£", true, ""},
                                               {"USD", "$", true, ""},
                                               {NULL, NULL, false, NULL}};
static const currency_style pl_currencies[] = {
    {"PLN", "zł", false, NBSP}, {"EUR", "€", false, NBSP}, {NULL, NULL, false, NULL}};
static const currency_style bg_currencies[] = {
    {"BGN", "лв.", false, NBSP}, {"EUR", "€", false, NBSP}, {NULL, NULL, false, NULL}};
static const currency_style nl_currencies[] = {{"EUR", "€", true, NBSP}, {NULL, NULL, false, NULL}};
static const currency_style ro_currencies[] = {
    {"RON", "lei", false, NBSP}, {"EUR", "€", false, NBSP}, {NULL, NULL, false, NULL}};
static const currency_style euro_suffix[] = {{"EUR", "€", false, NBSP}, {NULL, NULL, false, NULL}};

/* The first entry is English: the fallback for every unsupported tag. */
static const locale_info locales[] = {
    {"en",
     ",",
     ".",
     en_currencies,
     "",
     "/",
     "",
     " ",
     " ",
     {"January", "February", "March", "April", "May", "June", "July", "August", "September",
      "October", "November", "December"},
     PLURAL_ONE_OTHER,
     "day",
     "days"},
    {"pl",
     NBSP,
     ",",
     pl_currencies,
     "",
     ".",
     "",
     " ",
     " ",
     {"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
      "października", "listopada", "grudnia"},
     PLURAL_ONE_OTHER,
     "dzień",
     "dni"},
    {"bg",
     NBSP,
     ",",
     bg_currencies,
     "",
     ".",
     " г.",
     " ",
     " ",
     {"януари", "февруари", "март", "април", "май", "юни", "юли", "август", "септември", "октомври",
      "ноември", "декември"},
     PLURAL_ONE_OTHER,
     "ден",
     "дни"},
    {"nl",
     ".",
     ",",
     nl_currencies,
     "",
     "-",
     "",
     " ",
     " ",
     {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
      "oktober", "november", "december"},
     PLURAL_ONE_OTHER,
     "dag",
     "dagen"},
    {"ro",
     ".",
     ",",
     ro_currencies,
     NBSP,
     ".",
     "",
     " ",
     " ",
     {"ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie",
      "octombrie", "noiembrie", "decembrie"},
     PLURAL_ROMANIAN,
     "zi",
     "zile"},
    {"es",
     ".",
     ",",
     euro_suffix,
     NBSP,
     "/",
     "",
     " de ",
     " de ",
     {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
      "octubre", "noviembre", "diciembre"},
     PLURAL_ONE_OTHER,
     "día",
     "días"},
    {"de",
     ".",
     ",",
     euro_suffix,
     NBSP,
     ".",
     "",
     ". ",
     " ",
     {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
      "November", "Dezember"},
     PLURAL_ONE_OTHER,
     "Tag",
     "Tage"},
    {"fr",
     NNBSP,
     ",",
     euro_suffix,
     NNBSP,
     "/",
     "",
     " ",
     " ",
     {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
      "octobre", "novembre", "décembre"},
     PLURAL_FRENCH,
     "jour",
     "jours"},
};

static const char *const language_codes[] = {"en", "pl", "bg", "nl", "ro", "es", "de", "fr", NULL};

/* The locale for a tag, or NULL; only the primary subtag ("pl" of "pl-PL") counts. */
static const locale_info *
locale_find(const char *lang)
{
	size_t len = 0;

	if (lang == NULL)
		return NULL;
	while (g_ascii_isalpha(lang[len]))
		len++;
	if (len != 2 || (lang[2] != '\0' && lang[2] != '-' && lang[2] != '_'))
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(locales); i++)
		if (g_ascii_strncasecmp(locales[i].lang, lang, 2) == 0)
			return &locales[i];
	return NULL;
}

static const locale_info *
locale_get(const char *lang)
{
	const locale_info *info = locale_find(lang);
	return info != NULL ? info : &locales[0];
}

const char *const *
locale_languages(void)
{
	return language_codes;
}

bool
locale_supported(const char *lang)
{
	return locale_find(lang) != NULL;
}

const char *
locale_normalise(const char *lang)
{
	return locale_get(lang)->lang;
}

/* Appends the magnitude's digits, grouped by three, with the exponent's decimals. */
static void
append_grouped(GString *out, const locale_info *info, uint64_t magnitude, int exponent)
{
	uint64_t scale = 1;
	char digits[32];
	size_t n;

	for (int i = 0; i < exponent; i++)
		scale *= 10;
	n = (size_t)g_snprintf(digits, sizeof digits, "%" G_GUINT64_FORMAT, magnitude / scale);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0 && n >= 4)
			g_string_append(out, info->group);
		g_string_append_c(out, digits[i]);
	}
	if (exponent > 0)
		g_string_append_printf(out, "%s%0*" G_GUINT64_FORMAT, info->decimal, exponent,
		                       magnitude % scale);
}

static uint64_t
magnitude_of(int64_t value)
{
	/* Written this way so that INT64_MIN does not overflow. */
	return value < 0 ? (uint64_t)(-(value + 1)) + 1 : (uint64_t)value;
}

char *
locale_format_amount(const char *lang, int64_t minor, int exponent)
{
	GString *out = g_string_new(minor < 0 ? "-" : "");

	append_grouped(out, locale_get(lang), magnitude_of(minor), exponent);
	return g_string_free(out, FALSE);
}

char *
locale_format_money(const char *lang, int64_t minor, const char *currency)
{
	const locale_info *info = locale_get(lang);
	const currency_style *style = NULL;
	GString *out = g_string_new(minor < 0 ? "-" : "");
	int exponent = dm_currency_exponent(currency);

	for (const currency_style *c = info->currencies; currency != NULL && c->code != NULL; c++)
		if (strcmp(c->code, currency) == 0)
			style = c;
	if (style != NULL && style->prefix)
		g_string_append_printf(out, "%s%s", style->symbol, style->gap);
	append_grouped(out, info, magnitude_of(minor), exponent);
	if (style != NULL && !style->prefix)
		g_string_append_printf(out, "%s%s", style->gap, style->symbol);
	else if (style == NULL)
		g_string_append_printf(out, NBSP "%s", currency != NULL ? currency : "");
	return g_string_free(out, FALSE);
}

char *
locale_format_date(const char *lang, dm_date date, locale_date_style style)
{
	const locale_info *info = locale_get(lang);
	int y, m, d;

	dm_date_to_ymd(date, &y, &m, &d);
	if (style == LOCALE_DATE_SHORT)
		return g_strdup_printf("%02d%s%02d%s%04d%s", d, info->short_separator, m,
		                       info->short_separator, y, info->date_suffix);
	/* French writes the first of the month as an ordinal: "1er mars". */
	return g_strdup_printf("%d%s%s%s%s%d%s", d,
	                       d == 1 && strcmp(info->lang, "fr") == 0 ? "er" : "", info->after_day,
	                       info->months[m - 1], info->after_month, y, info->date_suffix);
}

char *
locale_format_percent(const char *lang, int32_t basis_points)
{
	const locale_info *info = locale_get(lang);
	GString *out = g_string_new(basis_points < 0 ? "-" : "");
	uint64_t magnitude = magnitude_of(basis_points);
	uint64_t fraction = magnitude % 100;

	g_string_append_printf(out, "%" G_GUINT64_FORMAT, magnitude / 100);
	/* 2.50 % reads as "2,5 %": trailing zeros of the fraction are dropped. */
	if (fraction != 0) {
		if (fraction % 10 == 0)
			g_string_append_printf(out, "%s%" G_GUINT64_FORMAT, info->decimal,
			                       fraction / 10);
		else
			g_string_append_printf(out, "%s%02" G_GUINT64_FORMAT, info->decimal,
			                       fraction);
	}
	g_string_append_printf(out, "%s%%", info->percent_gap);
	return g_string_free(out, FALSE);
}

char *
locale_format_days(const char *lang, int64_t days)
{
	const locale_info *info = locale_get(lang);
	uint64_t n = magnitude_of(days);
	const char *noun;

	switch (info->plural) {
	case PLURAL_FRENCH:
		noun = n <= 1 ? info->day_one : info->day_many;
		break;
	case PLURAL_ROMANIAN:
		/* Romanian puts "de" between a number and its noun from 20 on,
		 * except when the last two digits are 01..19 (101 zile). */
		if (n == 1)
			noun = info->day_one;
		else if (n == 0 || (n % 100 >= 1 && n % 100 <= 19))
			noun = info->day_many;
		else
			noun = "de zile";
		break;
	case PLURAL_ONE_OTHER:
	default:
		noun = n == 1 ? info->day_one : info->day_many;
		break;
	}
	return g_strdup_printf("%" G_GINT64_FORMAT " %s", days, noun);
}
