#include "draft/charges.h"

#include "common/money.h"
#include "common/util.h"

#include <string.h>

/* Basis points in one, times the days of the actual/365 year. */
#define BP_YEAR_DENOMINATOR ((int64_t)10000 * 365)

typedef struct {
	dm_date from;
	int32_t rate_bp;
} rate_entry;

struct charges_rate_table {
	GArray *entries; /* rate_entry, sorted by from */
};

charges_rate_table *
charges_rate_table_new(void)
{
	charges_rate_table *table = g_new0(charges_rate_table, 1);
	table->entries = g_array_new(FALSE, FALSE, sizeof(rate_entry));
	return table;
}

void
charges_rate_table_free(charges_rate_table *table)
{
	if (table == NULL)
		return;
	g_array_free(table->entries, TRUE);
	g_free(table);
}

bool
charges_rate_table_add(charges_rate_table *table, dm_date from, int32_t rate_bp, GError **error)
{
	guint at = 0;
	rate_entry entry = {from, rate_bp};

	while (at < table->entries->len &&
	       g_array_index(table->entries, rate_entry, at).from < from)
		at++;
	if (at < table->entries->len &&
	    g_array_index(table->entries, rate_entry, at).from == from) {
		char iso[DM_DATE_ISO_SIZE];
		g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT, "a rate for %s is already set",
		            dm_date_format_iso(from, iso));
		return false;
	}
	g_array_insert_val(table->entries, at, entry);
	return true;
}

/* "2.15", "2,15", "-0.5", "8" as basis points; at most two decimals. */
static bool
parse_rate(const char *text, int32_t *rate_bp)
{
	const char *p = text;
	bool negative = false;
	int64_t whole = 0, fraction = 0;
	int integer_digits = 0, fraction_digits = 0;

	if (*p == '-' || *p == '+')
		negative = *p++ == '-';
	for (; g_ascii_isdigit(*p) && integer_digits < 6; p++, integer_digits++)
		whole = whole * 10 + (*p - '0');
	if (*p == '.' || *p == ',') {
		p++;
		for (; g_ascii_isdigit(*p) && fraction_digits < 3; p++, fraction_digits++)
			fraction = fraction * 10 + (*p - '0');
	}
	if (*p != '\0' || integer_digits == 0 || fraction_digits > 2)
		return false;
	if (fraction_digits == 1)
		fraction *= 10;
	*rate_bp = (int32_t)((whole * 100 + fraction) * (negative ? -1 : 1));
	return true;
}

charges_rate_table *
charges_rate_table_parse(const char *text, const char *source, GError **error)
{
	charges_rate_table *table = charges_rate_table_new();
	GString *problems = g_string_new(NULL);
	char **lines = g_strsplit(text != NULL ? text : "", "\n", -1);

	for (int i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);
		char *hash = strchr(line, '#');
		char *equals;
		dm_date from;
		int32_t rate;
		GError *local = NULL;

		if (hash != NULL)
			*hash = '\0';
		g_strstrip(line);
		if (*line == '\0')
			continue;
		equals = strchr(line, '=');
		if (equals == NULL) {
			g_string_append_printf(problems, "%s%s:%d: expected \"YYYY-MM-DD = rate\"",
			                       problems->len > 0 ? "\n" : "", source, i + 1);
			continue;
		}
		*equals = '\0';
		g_strstrip(line);
		g_strstrip(equals + 1);
		if (!dm_date_parse_iso(line, &from, &local)) {
			g_string_append_printf(problems, "%s%s:%d: %s",
			                       problems->len > 0 ? "\n" : "", source, i + 1,
			                       local->message);
			g_clear_error(&local);
			continue;
		}
		if (!parse_rate(equals + 1, &rate)) {
			g_string_append_printf(problems,
			                       "%s%s:%d: \"%s\" is not a rate in percent "
			                       "(at most two decimals)",
			                       problems->len > 0 ? "\n" : "", source, i + 1,
			                       equals + 1);
			continue;
		}
		if (!charges_rate_table_add(table, from, rate, &local)) {
			g_string_append_printf(problems, "%s%s:%d: %s",
			                       problems->len > 0 ? "\n" : "", source, i + 1,
			                       local->message);
			g_clear_error(&local);
		}
	}
	g_strfreev(lines);
	if (problems->len > 0) {
		g_set_error_literal(error, DM_ERROR, DM_ERROR_CONFIG, problems->str);
		g_string_free(problems, TRUE);
		charges_rate_table_free(table);
		return NULL;
	}
	g_string_free(problems, TRUE);
	return table;
}

charges_rate_table *
charges_rate_table_load(const char *path, GError **error)
{
	char *text = NULL;
	GError *local = NULL;
	charges_rate_table *table;

	if (!g_file_get_contents(path, &text, NULL, &local)) {
		g_set_error(error, DM_ERROR,
		            local->code == G_FILE_ERROR_NOENT ? DM_ERROR_NOT_FOUND : DM_ERROR_IO,
		            "%s", local->message);
		g_error_free(local);
		return NULL;
	}
	table = charges_rate_table_parse(text, path, error);
	g_free(text);
	return table;
}

/* The index of the entry in force on date, or -1. */
static int
rate_index(const charges_rate_table *table, dm_date date)
{
	int found = -1;

	for (guint i = 0; i < table->entries->len; i++) {
		if (g_array_index(table->entries, rate_entry, i).from > date)
			break;
		found = (int)i;
	}
	return found;
}

bool
charges_rate_table_lookup(const charges_rate_table *table, dm_date date, int32_t *rate_bp,
                          GError **error)
{
	int i = rate_index(table, date);

	if (i < 0) {
		char iso[DM_DATE_ISO_SIZE];
		g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND, "no reference rate for %s",
		            dm_date_format_iso(date, iso));
		return false;
	}
	*rate_bp = g_array_index(table->entries, rate_entry, i).rate_bp;
	return true;
}

int64_t
charges_days_late(dm_date due, dm_date on)
{
	int64_t days = (int64_t)on - (int64_t)due;
	return days > 0 ? days : 0;
}

int64_t
charges_interest_fixed(int64_t principal, int32_t annual_rate_bp, dm_date due, dm_date on)
{
	int64_t days = charges_days_late(due, on);

	if (days == 0)
		return 0;
	return dm_money_scale(principal, (int64_t)annual_rate_bp * days, BP_YEAR_DENOMINATOR);
}

/* The first day of the calendar half-year a date falls in. */
static dm_date
half_year_start(dm_date date)
{
	int y, m, d;

	dm_date_to_ymd(date, &y, &m, &d);
	return dm_date_from_ymd(y, m <= 6 ? 1 : 7, 1);
}

bool
charges_interest_statutory(int64_t principal, const charges_rate_table *table, int32_t margin_bp,
                           dm_date due, dm_date on, int64_t *interest, GError **error)
{
	int64_t rate_days = 0; /* sum over late days of that day's annual rate in bp */
	dm_date day = due + 1;

	/* Walk half-year by half-year rather than day by day: within one the
	 * rate is constant, and the sum is the same as adding each day. */
	while (day <= on) {
		dm_date start = half_year_start(day);
		int y, m, d;
		dm_date next;
		int32_t reference;
		dm_date last;

		dm_date_to_ymd(start, &y, &m, &d);
		next = m == 1 ? dm_date_from_ymd(y, 7, 1) : dm_date_from_ymd(y + 1, 1, 1);
		last = next - 1 < on ? next - 1 : on;
		if (!charges_rate_table_lookup(table, start, &reference, NULL)) {
			char iso[DM_DATE_ISO_SIZE];
			g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
			            "no reference rate for the half-year starting %s: add a line "
			            "\"%s = rate\" to the rate table",
			            dm_date_format_iso(start, iso), iso);
			return false;
		}
		rate_days += (int64_t)(reference + margin_bp) * ((int64_t)last - day + 1);
		day = last + 1;
	}
	*interest = rate_days == 0 ? 0 : dm_money_scale(principal, rate_days, BP_YEAR_DENOMINATOR);
	return true;
}

bool
charges_eu_compensation(const char *currency, int64_t equivalent_minor, int64_t *compensation,
                        GError **error)
{
	if (currency != NULL && strcmp(currency, "EUR") == 0) {
		*compensation = CHARGES_EU_COMPENSATION_EUR;
		return true;
	}
	if (equivalent_minor < 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
		            "the EU fixed compensation is 40 EUR; its equivalent in %s is not "
		            "configured",
		            currency != NULL ? currency : "the invoice currency");
		return false;
	}
	*compensation = equivalent_minor;
	return true;
}

dm_date
charges_discount_deadline(const charges_discount_terms *terms, dm_date issued)
{
	return issued + terms->within_days;
}

int64_t
charges_discount_amount(const charges_discount_terms *terms, int64_t amount)
{
	return dm_money_scale(amount, terms->rate_bp, 10000);
}

bool
charges_discount_applies(const charges_discount_terms *terms, dm_date issued, dm_date paid)
{
	return terms->rate_bp > 0 && paid <= charges_discount_deadline(terms, issued);
}

bool
charges_compute(const charges_policy *policy, int64_t balance, const char *currency, dm_date due,
                dm_date on, charges_result *result, GError **error)
{
	charges_result r = {0};

	r.days_late = charges_days_late(due, on);
	if (r.days_late > 0 && balance > 0) {
		r.late_fee = policy->late_fee;
		switch (policy->interest_mode) {
		case CHARGES_INTEREST_FIXED:
			r.interest =
			    charges_interest_fixed(balance, policy->annual_rate_bp, due, on);
			break;
		case CHARGES_INTEREST_EU_STATUTORY:
			if (policy->reference_rates == NULL) {
				g_set_error_literal(error, DM_ERROR, DM_ERROR_CONFIG,
				                    "statutory interest needs a reference rate "
				                    "table");
				return false;
			}
			if (!charges_interest_statutory(
			        balance, policy->reference_rates,
			        policy->margin_bp != 0 ? policy->margin_bp : CHARGES_EU_MARGIN_BP,
			        due, on, &r.interest, error))
				return false;
			break;
		case CHARGES_INTEREST_NONE:
		default:
			break;
		}
		if (policy->eu_compensation &&
		    !charges_eu_compensation(currency, policy->compensation_equivalent,
		                             &r.compensation, error))
			return false;
	}
	r.total_due = balance + r.late_fee + r.interest + r.compensation;
	*result = r;
	return true;
}
