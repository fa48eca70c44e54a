/*
 * What a late invoice costs the client: a fixed late fee, late-payment
 * interest, the EU fixed compensation, and what an early payer may deduct.
 *
 * Everything is integer minor units of the invoice currency.  Rates are basis
 * points (1 % = 100 bp, 10.15 % = 1015 bp).  Each amount is rounded once, at
 * the end, half away from zero to the minor unit (dm_money_scale), never day
 * by day, so splitting a period never changes the result by a cent.
 *
 * Interest conventions:
 *
 * - Days.  Interest runs from the day after the due date up to and including
 *   the day it is computed for (paid or "today"): an invoice due 2026-06-15
 *   computed on 2026-07-30 is 45 days late.  Not late means no interest, no
 *   fee and no compensation.
 * - Actual/365 fixed.  Each late day counts, 29 February included, and the
 *   year is always 365 days, also in a leap year, which is how the statutory
 *   late-payment interest is computed in the eight countries dunmail writes
 *   for.  interest = principal x sum(daily rate) / (10 000 x 365).
 * - Fixed rate mode: one contractual annual rate for every day.
 * - EU statutory mode (Directive 2011/7/EU, art. 2(6) and 3): the rate for a
 *   day is the reference rate that applied on the first day of its calendar
 *   half-year (1 January or 1 July) plus a margin of at least 8 percentage
 *   points.  The reference rates come from a table the user keeps (ECB main
 *   refinancing rate, or the national rate).  Interest is summed day by day,
 *   so a late period that crosses 1 July uses both half-years' rates.
 * - The fixed compensation for recovery costs (art. 6) is 40 EUR per invoice,
 *   or the equivalent the caller gives for another currency.
 */
#ifndef DUNMAIL_DRAFT_CHARGES_H
#define DUNMAIL_DRAFT_CHARGES_H

#include "common/date.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The statutory margin over the reference rate: 8 percentage points. */
#define CHARGES_EU_MARGIN_BP 800
/* The EU fixed compensation in euro cents. */
#define CHARGES_EU_COMPENSATION_EUR 4000

/* A table of reference rates by the date from which each applies. Opaque. */
typedef struct charges_rate_table charges_rate_table;

charges_rate_table *charges_rate_table_new(void);
void charges_rate_table_free(charges_rate_table *table);

/* Adds "from this date on, this rate"; a second rate for the same date is DM_ERROR_CONFLICT. */
bool charges_rate_table_add(charges_rate_table *table, dm_date from, int32_t rate_bp,
                            GError **error);

/*
 * Parses the user's table, one period a line, "# comments" and blank lines
 * ignored:
 *
 *     2025-07-01 = 2.15
 *     2026-01-01 = 2,15
 *
 * The rate is a percentage with at most two decimals ("." or ","), may be
 * negative.  Every bad line is reported, all in one DM_ERROR_CONFIG error,
 * each as "source:line: what".  Returns NULL on any error.
 */
charges_rate_table *charges_rate_table_parse(const char *text, const char *source, GError **error);

/* Reads and parses a file (the file name is the source in messages). */
charges_rate_table *charges_rate_table_load(const char *path, GError **error);

/*
 * The rate in force on a date: that of the latest entry starting on or
 * before it.  False (DM_ERROR_NOT_FOUND) when the table starts later.
 */
bool charges_rate_table_lookup(const charges_rate_table *table, dm_date date, int32_t *rate_bp,
                               GError **error);

/* Days late on a date: date - due, never below 0. */
int64_t charges_days_late(dm_date due, dm_date on);

/*
 * Interest at one annual rate for the late days after due up to on,
 * actual/365.  0 when not late.
 */
int64_t charges_interest_fixed(int64_t principal, int32_t annual_rate_bp, dm_date due, dm_date on);

/*
 * Statutory interest (reference rate of each day's half-year + margin_bp),
 * day by day from the day after due up to on.  Fails with DM_ERROR_CONFIG
 * naming the half-year when the table has no rate for one.
 */
bool charges_interest_statutory(int64_t principal, const charges_rate_table *table,
                                int32_t margin_bp, dm_date due, dm_date on, int64_t *interest,
                                GError **error);

/*
 * The EU fixed compensation in the invoice currency: 4000 for EUR, else
 * equivalent_minor, which the caller converts (negative means "not known",
 * an error for a currency other than EUR).
 */
bool charges_eu_compensation(const char *currency, int64_t equivalent_minor, int64_t *compensation,
                             GError **error);

/*
 * Early-payment discount terms, e.g. 2 % (200 bp) if paid within 10 days of
 * the issue date.  The last day to pay with the discount is issued +
 * within_days.
 */
typedef struct {
	int32_t rate_bp;
	int32_t within_days;
} charges_discount_terms;

dm_date charges_discount_deadline(const charges_discount_terms *terms, dm_date issued);
/* The discount on an amount, whether or not it still applies. */
int64_t charges_discount_amount(const charges_discount_terms *terms, int64_t amount);
/* Does a payment on that date still earn the discount? */
bool charges_discount_applies(const charges_discount_terms *terms, dm_date issued, dm_date paid);

typedef enum {
	CHARGES_INTEREST_NONE,
	CHARGES_INTEREST_FIXED,        /* annual_rate_bp */
	CHARGES_INTEREST_EU_STATUTORY, /* reference_rates + margin_bp */
} charges_interest_mode;

/* The user's charging policy for one invoice's currency. */
typedef struct {
	int64_t late_fee; /* fixed fee in minor units, 0 for none */
	charges_interest_mode interest_mode;
	int32_t annual_rate_bp;                    /* CHARGES_INTEREST_FIXED */
	const charges_rate_table *reference_rates; /* EU_STATUTORY; not owned */
	int32_t margin_bp;                         /* EU_STATUTORY; 0 means CHARGES_EU_MARGIN_BP */
	bool eu_compensation;                      /* claim the 40 EUR (B2B only) */
	int64_t compensation_equivalent;           /* for non-EUR invoices, -1 if unknown */
} charges_policy;

typedef struct {
	int64_t days_late;
	int64_t late_fee;
	int64_t interest;
	int64_t compensation;
	int64_t total_due; /* balance + late_fee + interest + compensation */
} charges_result;

/*
 * Everything owed on the open balance of an invoice due on `due`, computed
 * on `on`.  Not late: only the balance.
 */
bool charges_compute(const charges_policy *policy, int64_t balance, const char *currency,
                     dm_date due, dm_date on, charges_result *result, GError **error);

#endif
