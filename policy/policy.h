/*
 * The chasing policy: when and how dunmail contacts a client about an
 * unpaid invoice, and what a late invoice costs.
 *
 * The defaults ship in rules/policy, a GKeyFile whose [policy] group must
 * set every key (so the defaults live in one place, the file users read).
 * The user's configuration may override keys of [policy] and define named
 * policies [policy:NAME], which start from the resolved default and
 * override some of its keys; a client is assigned one by name.  The shipped
 * file may define named policies too; the user's [policy:NAME] keys then
 * win over the shipped ones.  doc/dunmail.conf.5 and the comments in
 * rules/policy describe every key.
 *
 * Every bad value, in either file, is reported at once: one
 * "file:line: message" line per problem in one DM_ERROR_CONFIG error.
 *
 * Amounts in the policy (threshold, late_fee, compensation) are written in
 * major units with at most two decimals and apply in the invoice's own
 * currency; they are kept in hundredths of a major unit and converted with
 * policy_amount_minor().
 *
 * Lifetimes: a policy_set owns every policy, level, string and table
 * reachable from it; pointers obtained from it stay valid until
 * policy_set_free().  Nothing in a policy is to be modified by callers.
 */
#ifndef DUNMAIL_POLICY_POLICY_H
#define DUNMAIL_POLICY_POLICY_H

#include "common/config.h"
#include "common/date.h"
#include "draft/charges.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	POLICY_CHANNEL_EMAIL,  /* a draft e-mail */
	POLICY_CHANNEL_LETTER, /* a paper letter the user prints and posts */
	POLICY_CHANNEL_CALL,   /* a phone call the user makes */
} policy_channel;

/* One rung of the escalation ladder, "KIND:OFFSET:CHANNEL[+cc]". */
typedef struct {
	const char *kind; /* template kind (draft/template.h), e.g. "reminder2" */
	int offset_days;  /* from the due date; negative = before it */
	policy_channel channel;
	bool copy_escalation; /* "+cc": copy the client's escalation contacts */
} policy_level;

typedef struct {
	const char *name; /* NULL for the default policy, else NAME of [policy:NAME] */

	/* Levels 1..n_levels are levels[0..n_levels-1], offsets strictly increasing. */
	const policy_level *levels;
	size_t n_levels;

	int min_interval_days;   /* no contact within N days of any outgoing mail */
	bool skip_weekends;      /* plan on Monday to Friday only */
	const dm_date *holidays; /* sorted; no planning on these days */
	size_t n_holidays;
	int64_t threshold;      /* hundredths of a major unit; smaller balances are not chased */
	int promise_grace_days; /* working days after a promised date before chasing resumes */

	int64_t late_fee; /* hundredths of a major unit, 0 = none */
	charges_interest_mode interest_mode;
	int32_t interest_rate_bp;   /* annual, CHARGES_INTEREST_FIXED */
	int32_t interest_margin_bp; /* over the reference rate, CHARGES_INTEREST_EU_STATUTORY */
	const charges_rate_table *reference_rates; /* EU_STATUTORY, else NULL */
	int64_t compensation; /* hundredths of a euro: 4000 or 0 (not claimed) */

	bool plan_offer; /* offer a payment plan at reminder3 */
} policy;

typedef struct policy_set policy_set;

/* <shipped rules directory>/policy (config_shipped_rules_directory); g_free it. */
char *policy_shipped_path(void);

/*
 * Reads the shipped policy file and applies config's [policy] and
 * [policy:NAME] groups on top (config may be NULL: shipped values only).
 * NULL and one DM_ERROR_CONFIG error listing every problem on failure.
 */
policy_set *policy_set_load(const char *shipped_path, const dm_config *config, GError **error);

/* The same, from the shipped file's text already read; source names it in messages. */
policy_set *policy_set_parse(const char *shipped_text, const char *source, const dm_config *config,
                             GError **error);

void policy_set_free(policy_set *set);

/* The default policy; never NULL.  Owned by the set. */
const policy *policy_set_default(const policy_set *set);

/* A named policy, or NULL when no [policy:NAME] defines it.  Owned by the set. */
const policy *policy_set_find(const policy_set *set, const char *name);

/* The names of the named policies, sorted, NULL-terminated.  Owned by the set. */
const char *const *policy_set_names(const policy_set *set);

/*
 * A policy amount (hundredths of a major unit) in minor units of currency,
 * rounded half away from zero: 10.50 is 1050 for EUR, 11 for JPY.
 */
int64_t policy_amount_minor(int64_t hundredths, const char *currency);

/*
 * The policy's charges for an invoice in currency, for charges_compute().
 * The rate table in it is owned by the set.  In statutory mode the fixed
 * compensation is claimed in EUR, or in another currency when the policy
 * has compensation_equivalent_<CUR>; when it has none, *compensation_unknown
 * (may be NULL) is set and the compensation is left out rather than guessed.
 */
void policy_charges_for(const policy *policy, const char *currency, charges_policy *charges,
                        bool *compensation_unknown);

/* The level (1..n_levels) of a ladder kind, or 0. */
int policy_level_of_kind(const policy *policy, const char *kind);

/* "email", "letter", "call".  Static string. */
const char *policy_channel_name(policy_channel channel);

#endif
