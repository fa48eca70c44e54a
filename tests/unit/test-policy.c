#include "tests/unit/testutil.h"

#include "common/config.h"
#include "common/util.h"
#include "policy/policy.h"

static dm_date
ymd(int y, int m, int d)
{
	return dm_date_from_ymd(y, m, d);
}

static char *
shipped_path(void)
{
	return g_build_filename(test_root(), "rules", "policy", NULL);
}

/* Writes a user configuration into a fresh directory and loads it. */
static dm_config *
config_from_text(const char *text, char **dir, char **path)
{
	GError *error = NULL;
	dm_config *config;

	*dir = test_tmpdir();
	*path = g_build_filename(*dir, "config", NULL);
	if (!g_file_set_contents(*path, text, -1, &error))
		fail_msg("%s", error->message);
	config = config_load(*path, &error);
	if (config == NULL)
		fail_msg("config_load: %s", error->message);
	return config;
}

static void
config_done(dm_config *config, char *dir, char *path)
{
	config_free(config);
	test_rmtree(dir);
	g_free(dir);
	g_free(path);
}

static policy_set *
load_or_fail(const dm_config *config)
{
	GError *error = NULL;
	char *path = shipped_path();
	policy_set *set = policy_set_load(path, config, &error);

	if (set == NULL)
		fail_msg("policy_set_load: %s", error->message);
	g_free(path);
	return set;
}

/* The shipped file holds the documented defaults. */
static void
test_shipped_defaults(void **state)
{
	static const struct {
		const char *kind;
		int offset;
		policy_channel channel;
		bool cc;
	} ladder[] = {
	    {"prenote", -7, POLICY_CHANNEL_EMAIL, false},
	    {"reminder1", 1, POLICY_CHANNEL_EMAIL, false},
	    {"reminder2", 14, POLICY_CHANNEL_EMAIL, false},
	    {"reminder3", 30, POLICY_CHANNEL_EMAIL, true},
	    {"final", 45, POLICY_CHANNEL_EMAIL, false},
	    {"call", 52, POLICY_CHANNEL_CALL, false},
	    {"letter", 60, POLICY_CHANNEL_LETTER, false},
	};
	policy_set *set = load_or_fail(NULL);
	const policy *p = policy_set_default(set);
	int32_t rate = 0;
	(void)state;

	assert_null(p->name);
	assert_int_equal(p->n_levels, G_N_ELEMENTS(ladder));
	for (size_t i = 0; i < G_N_ELEMENTS(ladder); i++) {
		assert_string_equal(p->levels[i].kind, ladder[i].kind);
		assert_int_equal(p->levels[i].offset_days, ladder[i].offset);
		assert_int_equal(p->levels[i].channel, ladder[i].channel);
		assert_int_equal(p->levels[i].copy_escalation, ladder[i].cc);
	}
	assert_int_equal(p->min_interval_days, 5);
	assert_true(p->skip_weekends);
	assert_int_equal(p->n_holidays, 0);
	assert_int_equal(p->threshold, 0);
	assert_int_equal(p->promise_grace_days, 2);
	assert_int_equal(p->late_fee, 0);
	assert_int_equal(p->interest_mode, CHARGES_INTEREST_NONE);
	assert_int_equal(p->interest_margin_bp, 800);
	assert_int_equal(p->compensation, 4000);
	assert_true(p->plan_offer);
	assert_non_null(p->reference_rates);
	assert_true(charges_rate_table_lookup(p->reference_rates, ymd(2026, 3, 1), &rate, NULL));
	assert_int_equal(rate, 215);
	assert_true(charges_rate_table_lookup(p->reference_rates, ymd(2025, 3, 1), &rate, NULL));
	assert_int_equal(rate, 315);
	assert_int_equal(policy_level_of_kind(p, "reminder3"), 4);
	assert_int_equal(policy_level_of_kind(p, "nothing"), 0);
	assert_null(policy_set_names(set)[0]);
	policy_set_free(set);
}

/* [policy] in the user's file overrides; [policy:NAME] starts from the result. */
static void
test_user_overrides_and_named(void **state)
{
	char *dir, *path;
	dm_config *config = config_from_text("[policy]\n"
	                                     "min_interval_days = 7\n"
	                                     "threshold = 10,50\n"
	                                     "holidays = 2026-12-25; 2026-12-24\n"
	                                     "skip_weekends = no\n"
	                                     "\n"
	                                     "[policy:gentle]\n"
	                                     "levels = reminder1:10:email; reminder2:30:email\n"
	                                     "plan_offer = false\n"
	                                     "\n"
	                                     "[policy:strict]\n"
	                                     "interest = fixed\n"
	                                     "interest_rate = 10.5\n"
	                                     "late_fee = 40\n",
	                                     &dir, &path);
	policy_set *set = load_or_fail(config);
	const policy *p = policy_set_default(set);
	const policy *gentle = policy_set_find(set, "gentle");
	const policy *strict = policy_set_find(set, "strict");
	const char *const *names = policy_set_names(set);
	(void)state;

	assert_int_equal(p->min_interval_days, 7);
	assert_int_equal(p->threshold, 1050);
	assert_false(p->skip_weekends);
	assert_int_equal(p->n_holidays, 2);
	/* Sorted, whatever the order written. */
	assert_int_equal(p->holidays[0], ymd(2026, 12, 24));
	assert_int_equal(p->holidays[1], ymd(2026, 12, 25));
	assert_int_equal(p->n_levels, 7);

	assert_non_null(gentle);
	assert_string_equal(gentle->name, "gentle");
	assert_int_equal(gentle->n_levels, 2);
	assert_string_equal(gentle->levels[1].kind, "reminder2");
	assert_int_equal(gentle->levels[1].offset_days, 30);
	assert_false(gentle->plan_offer);
	/* Inherited from the user's [policy], not from the shipped file. */
	assert_int_equal(gentle->min_interval_days, 7);
	assert_int_equal(gentle->threshold, 1050);

	assert_non_null(strict);
	assert_int_equal(strict->interest_mode, CHARGES_INTEREST_FIXED);
	assert_int_equal(strict->interest_rate_bp, 1050);
	assert_int_equal(strict->late_fee, 4000);
	assert_int_equal(p->late_fee, 0);

	assert_null(policy_set_find(set, "missing"));
	assert_string_equal(names[0], "gentle");
	assert_string_equal(names[1], "strict");
	assert_null(names[2]);
	policy_set_free(set);
	config_done(config, dir, path);
}

static int
count_occurrences(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Every bad value is reported at once, each at its own file:line. */
static void
test_errors_all_at_once(void **state)
{
	char *dir, *path;
	dm_config *config =
	    config_from_text("[policy]\n"                                                    /* 1 */
	                     "levels = reminder1:x:email; foo:3:fax; reminder2:2:email+cc\n" /* 2 */
	                     "skip_weekends = maybe\n"                                       /* 3 */
	                     "threshold = ten\n"                                             /* 4 */
	                     "interest = fixed\n"                                            /* 5 */
	                     "interest_margin = 5.00\n"                                      /* 6 */
	                     "compensation = 30.00\n"                                        /* 7 */
	                     "compensation_equivalent_XYZ = 12.00\n"                         /* 8 */
	                     "holidays = 2026-02-30\n"                                       /* 9 */
	                     "reference_rates = 2026-01-01=abc; 2026-07-01\n" /* 10 */
	                     "\n"                                             /* 11 */
	                     "[policy:odd]\n"                                 /* 12 */
	                     "plan_offer = sometimes\n",                      /* 13 */
	                     &dir, &path);
	char *shipped = shipped_path();
	GError *error = NULL;
	policy_set *set = policy_set_load(shipped, config, &error);
	char *expect;
	(void)state;

	assert_null(set);
	assert_non_null(error);
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_CONFIG));
	{
		static const struct {
			int line;
			const char *what;
		} problems[] = {
		    {2, "\"x\" is not a number of days"},
		    {2, "the channel is email, letter or call, not \"fax\""},
		    {3, "skip_weekends: \"maybe\" is not true or false"},
		    {4, "threshold: \"ten\" is not an amount"},
		    {5, "interest = fixed needs interest_rate above 0"},
		    {6, "below the statutory minimum of 8.00"},
		    {7, "the EU fixed compensation is 40.00 EUR"},
		    {8, "\"XYZ\" is not an ISO 4217 currency code"},
		    {9, "holidays:"},
		    {10, "reference_rates: \"abc\" is not a rate"},
		    {10, "reference_rates: \"2026-07-01\" is not YYYY-MM-DD=RATE"},
		    {13, "plan_offer: \"sometimes\" is not true or false"},
		};
		for (size_t i = 0; i < G_N_ELEMENTS(problems); i++) {
			expect = g_strdup_printf("%s:%d: ", path, problems[i].line);
			char **lines = g_strsplit(error->message, "\n", -1);
			bool found = false;
			for (char **line = lines; *line != NULL && !found; line++)
				found = g_str_has_prefix(*line, expect) &&
				        strstr(*line, problems[i].what) != NULL;
			if (!found)
				fail_msg("missing \"%s...%s\" in:\n%s", expect, problems[i].what,
				         error->message);
			g_strfreev(lines);
			g_free(expect);
		}
	}
	/* The named policy inherits the bad threshold: reported once, not twice. */
	expect = g_strdup_printf("%s:4: threshold", path);
	assert_int_equal(count_occurrences(error->message, expect), 1);
	g_free(expect);
	g_error_free(error);
	g_free(shipped);
	config_done(config, dir, path);
}

/* A ladder that does not climb is refused at its line. */
static void
test_levels_must_climb(void **state)
{
	char *dir, *path;
	dm_config *config = config_from_text("[policy]\n"
	                                     "\n"
	                                     "levels = reminder1:14:email; reminder2:7:email\n",
	                                     &dir, &path);
	char *shipped = shipped_path();
	GError *error = NULL;
	policy_set *set = policy_set_load(shipped, config, &error);
	char *expect =
	    g_strdup_printf("%s:3: levels: \"reminder2:7:email\": offsets must increase", path);
	(void)state;

	assert_null(set);
	assert_non_null(strstr(error->message, expect));
	g_free(expect);
	g_error_free(error);
	g_free(shipped);
	config_done(config, dir, path);
}

/* The shipped file is checked too: unknown keys, missing keys, syntax. */
static void
test_shipped_file_errors(void **state)
{
	GError *error = NULL;
	policy_set *set;
	(void)state;

	set = policy_set_parse("# comment\n"
	                       "[policy]\n"
	                       "levels = reminder1:1:email\n"
	                       "bogus = 1\n"
	                       "[other]\n",
	                       "shipped", NULL, &error);
	assert_null(set);
	assert_non_null(strstr(error->message, "shipped:4: unknown key \"bogus\" in [policy]"));
	assert_non_null(strstr(error->message, "shipped:5: unknown section [other]"));
	g_clear_error(&error);

	/* Syntax is fine but keys are missing: each one is named. */
	set = policy_set_parse("[policy]\nlevels = reminder1:1:email\n", "shipped", NULL, &error);
	assert_null(set);
	assert_non_null(
	    strstr(error->message, "shipped: [policy] does not set \"min_interval_days\""));
	assert_non_null(strstr(error->message, "shipped: [policy] does not set \"plan_offer\""));
	assert_null(strstr(error->message, "does not set \"levels\""));
	g_clear_error(&error);

	set = policy_set_load("/nonexistent/policy", NULL, &error);
	assert_null(set);
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_NOT_FOUND));
	assert_non_null(strstr(error->message, "/nonexistent/policy"));
	g_clear_error(&error);
}

static void
test_amount_conversion(void **state)
{
	(void)state;
	assert_int_equal(policy_amount_minor(1050, "EUR"), 1050);
	assert_int_equal(policy_amount_minor(1050, "PLN"), 1050);
	/* No minor unit: 10.50 rounds half away from zero. */
	assert_int_equal(policy_amount_minor(1050, "JPY"), 11);
	assert_int_equal(policy_amount_minor(1049, "JPY"), 10);
	/* Three decimals. */
	assert_int_equal(policy_amount_minor(1050, "BHD"), 10500);
}

/* Statutory mode: EUR claims the compensation, other currencies need an equivalent. */
static void
test_charges_for_currency(void **state)
{
	char *dir, *path;
	dm_config *config = config_from_text("[policy]\n"
	                                     "interest = statutory\n"
	                                     "late_fee = 15.00\n"
	                                     "compensation_equivalent_PLN = 171.00\n",
	                                     &dir, &path);
	policy_set *set = load_or_fail(config);
	const policy *p = policy_set_default(set);
	charges_policy charges;
	bool unknown = true;
	(void)state;

	policy_charges_for(p, "EUR", &charges, &unknown);
	assert_false(unknown);
	assert_true(charges.eu_compensation);
	assert_int_equal(charges.late_fee, 1500);
	assert_int_equal(charges.interest_mode, CHARGES_INTEREST_EU_STATUTORY);
	assert_int_equal(charges.margin_bp, 800);
	assert_ptr_equal(charges.reference_rates, p->reference_rates);

	policy_charges_for(p, "PLN", &charges, &unknown);
	assert_false(unknown);
	assert_true(charges.eu_compensation);
	assert_int_equal(charges.compensation_equivalent, 17100);

	policy_charges_for(p, "CHF", &charges, &unknown);
	assert_true(unknown);
	assert_false(charges.eu_compensation);
	assert_int_equal(charges.late_fee, 1500);

	policy_set_free(set);
	config_done(config, dir, path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped_defaults),
	    cmocka_unit_test(test_user_overrides_and_named),
	    cmocka_unit_test(test_errors_all_at_once),
	    cmocka_unit_test(test_levels_must_climb),
	    cmocka_unit_test(test_shipped_file_errors),
	    cmocka_unit_test(test_amount_conversion),
	    cmocka_unit_test(test_charges_for_currency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
