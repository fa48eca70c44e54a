/*
 * Reading the chasing policy.  Values are collected as raw text with the
 * file and line they came from, layer over layer (shipped [policy], the
 * user's [policy], then for each named policy the shipped and the user's
 * [policy:NAME]); only then is each resolved policy parsed, so that every
 * message names the line the offending value was really written on.
 */
#include "policy/policy.h"

#include "common/money.h"
#include "common/util.h"

#include <string.h>

#define GROUP_DEFAULT "policy"
#define GROUP_NAMED_PREFIX "policy:"
#define KEY_EQUIVALENT_PREFIX "compensation_equivalent_"

/* Every key of [policy]; the shipped file must set all of them. */
static const char *const required_keys[] = {
    "levels",        "min_interval_days",  "skip_weekends",   "holidays",
    "threshold",     "promise_grace_days", "late_fee",        "interest",
    "interest_rate", "interest_margin",    "reference_rates", "compensation",
    "plan_offer",
};

/* A value as written, and where. */
typedef struct {
	char *value;
	const char *source; /* interned path, lives as long as the set */
	int line;           /* 0 when unknown */
} raw_value;

/* A resolved policy and what the public struct points into. */
typedef struct {
	policy pub; /* first, so a const policy * converts back */
	char *name;
	GArray *levels;            /* policy_level */
	GPtrArray *level_kinds;    /* the kind strings the levels point to */
	GArray *holidays;          /* dm_date, sorted */
	charges_rate_table *rates; /* or NULL */
	GHashTable *equivalents;   /* "PLN" -> int64_t * minor units of that currency */
} policy_entry;

struct policy_set {
	policy_entry *fallback;
	GHashTable *named; /* name -> policy_entry */
	char **names;
	GStringChunk *strings; /* interned source paths */
};

/* Problems, each once, in the order found. */
typedef struct {
	GString *text;
	GHashTable *seen;
} problem_list;

static void G_GNUC_PRINTF(4, 5)
    problem_add(problem_list *problems, const char *source, int line, const char *fmt, ...)
{
	va_list args;
	char *what, *full;

	va_start(args, fmt);
	what = g_strdup_vprintf(fmt, args);
	va_end(args);
	full = line > 0 ? g_strdup_printf("%s:%d: %s", source, line, what)
	                : g_strdup_printf("%s: %s", source, what);
	g_free(what);
	if (g_hash_table_contains(problems->seen, full)) {
		g_free(full);
		return;
	}
	if (problems->text->len > 0)
		g_string_append_c(problems->text, '\n');
	g_string_append(problems->text, full);
	g_hash_table_add(problems->seen, full);
}

static void
raw_value_free(gpointer data)
{
	raw_value *raw = data;

	g_free(raw->value);
	g_free(raw);
}

static GHashTable *
raw_map_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, raw_value_free);
}

static void
raw_map_put(GHashTable *map, const char *key, const char *value, const char *source, int line)
{
	raw_value *raw = g_new0(raw_value, 1);

	raw->value = g_strstrip(g_strdup(value));
	raw->source = source;
	raw->line = line;
	g_hash_table_replace(map, g_strdup(key), raw);
}

static GHashTable *
raw_map_copy(GHashTable *from)
{
	GHashTable *copy = raw_map_new();
	GHashTableIter iter;
	gpointer key, value;

	g_hash_table_iter_init(&iter, from);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const raw_value *raw = value;
		raw_map_put(copy, key, raw->value, raw->source, raw->line);
	}
	return copy;
}

static bool
key_known(const char *key)
{
	for (size_t i = 0; i < G_N_ELEMENTS(required_keys); i++)
		if (strcmp(required_keys[i], key) == 0)
			return true;
	return g_str_has_prefix(key, KEY_EQUIVALENT_PREFIX) &&
	       key[strlen(KEY_EQUIVALENT_PREFIX)] != '\0';
}

static bool
group_is_policy(const char *group)
{
	return strcmp(group, GROUP_DEFAULT) == 0 || (g_str_has_prefix(group, GROUP_NAMED_PREFIX) &&
	                                             group[strlen(GROUP_NAMED_PREFIX)] != '\0');
}

static char *
line_id(const char *group, const char *key)
{
	return g_strdup_printf("%s\x1f%s", group, key);
}

/*
 * The shipped file is not read through config_load (it is not the user's
 * configuration), so its syntax, keys and lines are checked here.
 */
static void
scan_shipped(const char *source, const char *text, GHashTable *lines_by_key, problem_list *problems)
{
	char **lines = g_strsplit(text, "\n", -1);
	char *group = NULL;

	for (int i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);
		char *equals, *key;

		if (*line == '\0' || *line == '#')
			continue;
		if (*line == '[') {
			char *end = strchr(line, ']');
			g_free(group);
			group = NULL;
			if (end == NULL || end[1] != '\0') {
				problem_add(problems, source, i + 1,
				            "malformed group header \"%s\"", line);
				continue;
			}
			group = g_strndup(line + 1, (gsize)(end - line - 1));
			if (!group_is_policy(group))
				problem_add(
				    problems, source, i + 1,
				    "unknown section [%s] (only [policy] and [policy:NAME])",
				    group);
			continue;
		}
		if ((equals = strchr(line, '=')) == NULL) {
			problem_add(problems, source, i + 1,
			            "expected \"key = value\", found \"%s\"", line);
			continue;
		}
		if (group == NULL) {
			problem_add(problems, source, i + 1, "key outside any [section]");
			continue;
		}
		key = g_strstrip(g_strndup(line, (gsize)(equals - line)));
		if (!group_is_policy(group)) {
			/* reported at the group header */
		} else if (!key_known(key)) {
			problem_add(problems, source, i + 1, "unknown key \"%s\" in [%s]", key,
			            group);
		} else {
			char *id = line_id(group, key);
			if (g_hash_table_contains(lines_by_key, id)) {
				problem_add(problems, source, i + 1, "%s.%s is set twice", group,
				            key);
				g_free(id);
			} else {
				g_hash_table_insert(lines_by_key, id, GINT_TO_POINTER(i + 1));
			}
		}
		g_free(key);
	}
	g_free(group);
	g_strfreev(lines);
}

/* Copies the keys of one group of a key file into map. */
static void
raw_map_overlay(GHashTable *map, GKeyFile *file, const char *group, const char *source,
                GHashTable *shipped_lines, const dm_config *config)
{
	char **keys = g_key_file_get_keys(file, group, NULL, NULL);

	for (char **key = keys; key != NULL && *key != NULL; key++) {
		char *value = g_key_file_get_value(file, group, *key, NULL);
		int line = 0;

		if (value == NULL)
			continue;
		if (shipped_lines != NULL) {
			char *id = line_id(group, *key);
			line = GPOINTER_TO_INT(g_hash_table_lookup(shipped_lines, id));
			g_free(id);
		} else if (config != NULL) {
			line = config_key_line(config, group, *key);
		}
		raw_map_put(map, *key, value, source, line);
		g_free(value);
	}
	g_strfreev(keys);
}

/* The names of [policy:NAME] groups in a key file, added to names. */
static void
collect_named(GKeyFile *file, GHashTable *names)
{
	char **groups = g_key_file_get_groups(file, NULL);

	for (char **group = groups; group != NULL && *group != NULL; group++)
		if (g_str_has_prefix(*group, GROUP_NAMED_PREFIX) &&
		    (*group)[strlen(GROUP_NAMED_PREFIX)] != '\0')
			g_hash_table_add(names, g_strdup(*group + strlen(GROUP_NAMED_PREFIX)));
	g_strfreev(groups);
}

/* ---- value parsers ------------------------------------------------------ */

/* A whole number >= 0 that fits an int. */
static bool
parse_count(const char *text, int *count)
{
	char *end;
	gint64 value;

	if (!g_ascii_isdigit(*text))
		return false;
	value = g_ascii_strtoll(text, &end, 10);
	if (*end != '\0' || value > G_MAXINT)
		return false;
	*count = (int)value;
	return true;
}

static bool
parse_boolean(const char *text, bool *value)
{
	if (g_ascii_strcasecmp(text, "true") == 0 || g_ascii_strcasecmp(text, "yes") == 0 ||
	    strcmp(text, "1") == 0) {
		*value = true;
		return true;
	}
	if (g_ascii_strcasecmp(text, "false") == 0 || g_ascii_strcasecmp(text, "no") == 0 ||
	    strcmp(text, "0") == 0) {
		*value = false;
		return true;
	}
	return false;
}

/*
 * A decimal with at most two decimals ("." or ","), as hundredths: amounts
 * in major units and percentages as basis points share this form.
 */
static bool
parse_hundredths(const char *text, bool allow_negative, int64_t *hundredths)
{
	const char *p = text;
	bool negative = false;
	int64_t whole = 0, fraction = 0;
	int whole_digits = 0, fraction_digits = 0;

	if (*p == '-' || *p == '+') {
		negative = *p == '-';
		p++;
	}
	if (negative && !allow_negative)
		return false;
	for (; g_ascii_isdigit(*p) && whole_digits < 12; p++, whole_digits++)
		whole = whole * 10 + (*p - '0');
	if (*p == '.' || *p == ',') {
		p++;
		for (; g_ascii_isdigit(*p) && fraction_digits < 3; p++, fraction_digits++)
			fraction = fraction * 10 + (*p - '0');
		if (fraction_digits == 0)
			return false;
	}
	if (*p != '\0' || whole_digits == 0 || fraction_digits > 2)
		return false;
	if (fraction_digits == 1)
		fraction *= 10;
	*hundredths = (whole * 100 + fraction) * (negative ? -1 : 1);
	return true;
}

/* A percentage such as "8.00" as basis points, within a sane range. */
static bool
parse_percent(const char *text, bool allow_negative, int32_t *basis_points)
{
	int64_t value;

	if (!parse_hundredths(text, allow_negative, &value) || value > 100000 || value < -100000)
		return false;
	*basis_points = (int32_t)value;
	return true;
}

/* Splits a ";" list, dropping blank items. */
static char **
split_list(const char *text)
{
	char **items = g_strsplit(text, ";", -1);
	GPtrArray *kept = g_ptr_array_new();

	for (char **item = items; *item != NULL; item++) {
		g_strstrip(*item);
		if (**item != '\0')
			g_ptr_array_add(kept, g_strdup(*item));
	}
	g_strfreev(items);
	g_ptr_array_add(kept, NULL);
	return (char **)g_ptr_array_free(kept, FALSE);
}

static bool
kind_name_valid(const char *kind)
{
	if (*kind == '\0')
		return false;
	for (const char *p = kind; *p != '\0'; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

/* "KIND:OFFSET:CHANNEL[+cc]; ..." into entry->levels. */
static void
parse_levels(policy_entry *entry, const raw_value *raw, problem_list *problems)
{
	char **items = split_list(raw->value);

	if (items[0] == NULL)
		problem_add(problems, raw->source, raw->line, "levels: the ladder is empty");
	for (char **item = items; *item != NULL; item++) {
		char **parts = g_strsplit(*item, ":", -1);
		policy_level level = {0};
		char *channel, *plus, *end;
		gint64 offset;
		bool ok = true;

		if (g_strv_length(parts) != 3) {
			problem_add(problems, raw->source, raw->line,
			            "levels: \"%s\" is not KIND:OFFSET:CHANNEL[+cc]", *item);
			g_strfreev(parts);
			continue;
		}
		for (int i = 0; i < 3; i++)
			g_strstrip(parts[i]);
		if (!kind_name_valid(parts[0])) {
			problem_add(problems, raw->source, raw->line,
			            "levels: \"%s\": the kind must be lower-case letters, digits, "
			            "\"-\" or \"_\"",
			            *item);
			ok = false;
		}
		offset = g_ascii_strtoll(parts[1], &end, 10);
		if (parts[1][0] == '\0' || *end != '\0' || offset < -3650 || offset > 3650) {
			problem_add(problems, raw->source, raw->line,
			            "levels: \"%s\": \"%s\" is not a number of days", *item,
			            parts[1]);
			ok = false;
		}
		channel = parts[2];
		if ((plus = strchr(channel, '+')) != NULL) {
			*plus = '\0';
			if (strcmp(plus + 1, "cc") != 0) {
				problem_add(problems, raw->source, raw->line,
				            "levels: \"%s\": only \"+cc\" may follow the channel",
				            *item);
				ok = false;
			}
			level.copy_escalation = true;
		}
		if (strcmp(channel, "email") == 0) {
			level.channel = POLICY_CHANNEL_EMAIL;
		} else if (strcmp(channel, "letter") == 0) {
			level.channel = POLICY_CHANNEL_LETTER;
		} else if (strcmp(channel, "call") == 0) {
			level.channel = POLICY_CHANNEL_CALL;
		} else {
			problem_add(
			    problems, raw->source, raw->line,
			    "levels: \"%s\": the channel is email, letter or call, not \"%s\"",
			    *item, channel);
			ok = false;
		}
		if (level.copy_escalation && level.channel != POLICY_CHANNEL_EMAIL) {
			problem_add(problems, raw->source, raw->line,
			            "levels: \"%s\": \"+cc\" applies to e-mail only", *item);
			ok = false;
		}
		if (ok && entry->levels->len > 0) {
			const policy_level *last =
			    &g_array_index(entry->levels, policy_level, entry->levels->len - 1);
			/* The planner finds "the highest level due" by offset, so the
			 * ladder must climb. */
			if (offset <= last->offset_days) {
				problem_add(
				    problems, raw->source, raw->line,
				    "levels: \"%s\": offsets must increase along the ladder "
				    "(%s is at %d)",
				    *item, last->kind, last->offset_days);
				ok = false;
			}
		}
		if (ok) {
			char *kind = g_strdup(parts[0]);
			g_ptr_array_add(entry->level_kinds, kind);
			level.kind = kind;
			level.offset_days = (int)offset;
			g_array_append_val(entry->levels, level);
		}
		g_strfreev(parts);
	}
	g_strfreev(items);
}

static gint
date_compare(gconstpointer a, gconstpointer b)
{
	dm_date x = *(const dm_date *)a, y = *(const dm_date *)b;
	return x < y ? -1 : x > y;
}

static void
parse_holidays(policy_entry *entry, const raw_value *raw, problem_list *problems)
{
	char **items = split_list(raw->value);

	for (char **item = items; *item != NULL; item++) {
		dm_date date;
		GError *local = NULL;
		if (!dm_date_parse_iso(*item, &date, &local)) {
			problem_add(problems, raw->source, raw->line, "holidays: %s",
			            local->message);
			g_error_free(local);
			continue;
		}
		g_array_append_val(entry->holidays, date);
	}
	g_array_sort(entry->holidays, date_compare);
	g_strfreev(items);
}

/* "YYYY-MM-DD=RATE; ..." into a rate table (NULL when empty). */
static void
parse_reference_rates(policy_entry *entry, const raw_value *raw, problem_list *problems)
{
	char **items = split_list(raw->value);

	for (char **item = items; *item != NULL; item++) {
		char *equals = strchr(*item, '=');
		dm_date from;
		int32_t rate;
		GError *local = NULL;

		if (equals == NULL) {
			problem_add(problems, raw->source, raw->line,
			            "reference_rates: \"%s\" is not YYYY-MM-DD=RATE", *item);
			continue;
		}
		*equals = '\0';
		g_strstrip(*item);
		g_strstrip(equals + 1);
		if (!dm_date_parse_iso(*item, &from, &local)) {
			problem_add(problems, raw->source, raw->line, "reference_rates: %s",
			            local->message);
			g_error_free(local);
			continue;
		}
		if (!parse_percent(equals + 1, true, &rate)) {
			problem_add(problems, raw->source, raw->line,
			            "reference_rates: \"%s\" is not a rate in percent (e.g. 2.15)",
			            equals + 1);
			continue;
		}
		if (entry->rates == NULL)
			entry->rates = charges_rate_table_new();
		if (!charges_rate_table_add(entry->rates, from, rate, &local)) {
			problem_add(problems, raw->source, raw->line, "reference_rates: %s",
			            local->message);
			g_error_free(local);
		}
	}
	g_strfreev(items);
}

static void
policy_entry_free(gpointer data)
{
	policy_entry *entry = data;

	if (entry == NULL)
		return;
	g_free(entry->name);
	g_array_free(entry->levels, TRUE);
	g_ptr_array_free(entry->level_kinds, TRUE);
	g_array_free(entry->holidays, TRUE);
	charges_rate_table_free(entry->rates);
	g_hash_table_destroy(entry->equivalents);
	g_free(entry);
}

static const raw_value *
raw_get(GHashTable *map, const char *key)
{
	return g_hash_table_lookup(map, key);
}

static void
parse_amount_key(GHashTable *map, const char *key, int64_t *out, problem_list *problems)
{
	const raw_value *raw = raw_get(map, key);

	if (raw != NULL && !parse_hundredths(raw->value, false, out))
		problem_add(problems, raw->source, raw->line,
		            "%s: \"%s\" is not an amount (e.g. 10.00)", key, raw->value);
}

static void
parse_count_key(GHashTable *map, const char *key, int *out, problem_list *problems)
{
	const raw_value *raw = raw_get(map, key);

	if (raw != NULL && !parse_count(raw->value, out))
		problem_add(problems, raw->source, raw->line,
		            "%s: \"%s\" is not a whole number >= 0", key, raw->value);
}

static void
parse_boolean_key(GHashTable *map, const char *key, bool *out, problem_list *problems)
{
	const raw_value *raw = raw_get(map, key);

	if (raw != NULL && !parse_boolean(raw->value, out))
		problem_add(problems, raw->source, raw->line, "%s: \"%s\" is not true or false",
		            key, raw->value);
}

static void
parse_equivalents(policy_entry *entry, GHashTable *map, problem_list *problems)
{
	GHashTableIter iter;
	gpointer key, value;

	g_hash_table_iter_init(&iter, map);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const raw_value *raw = value;
		const char *currency;
		int64_t minor;
		GError *local = NULL;

		if (!g_str_has_prefix(key, KEY_EQUIVALENT_PREFIX))
			continue;
		currency = (const char *)key + strlen(KEY_EQUIVALENT_PREFIX);
		if (!dm_currency_known(currency)) {
			problem_add(problems, raw->source, raw->line,
			            "%s: \"%s\" is not an ISO 4217 currency code (e.g. PLN)",
			            (const char *)key, currency);
			continue;
		}
		if (!dm_money_parse(raw->value, currency, &minor, &local) || minor < 0) {
			problem_add(problems, raw->source, raw->line, "%s: %s", (const char *)key,
			            local != NULL ? local->message : "the amount is negative");
			g_clear_error(&local);
			continue;
		}
		g_hash_table_replace(entry->equivalents, g_strdup(currency),
		                     g_memdup2(&minor, sizeof minor));
	}
}

/* Parses a resolved raw map into a policy; problems go to the list. */
static policy_entry *
policy_entry_parse(const char *name, GHashTable *map, const char *fallback_source,
                   problem_list *problems)
{
	policy_entry *entry = g_new0(policy_entry, 1);
	policy *p = &entry->pub;
	const raw_value *raw;

	entry->name = g_strdup(name);
	entry->levels = g_array_new(FALSE, TRUE, sizeof(policy_level));
	entry->level_kinds = g_ptr_array_new_with_free_func(g_free);
	entry->holidays = g_array_new(FALSE, TRUE, sizeof(dm_date));
	entry->equivalents = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	for (size_t i = 0; i < G_N_ELEMENTS(required_keys); i++)
		if (raw_get(map, required_keys[i]) == NULL)
			problem_add(
			    problems, fallback_source, 0,
			    "[policy] does not set \"%s\" (the shipped file sets every key)",
			    required_keys[i]);

	if ((raw = raw_get(map, "levels")) != NULL)
		parse_levels(entry, raw, problems);
	parse_count_key(map, "min_interval_days", &p->min_interval_days, problems);
	parse_boolean_key(map, "skip_weekends", &p->skip_weekends, problems);
	if ((raw = raw_get(map, "holidays")) != NULL)
		parse_holidays(entry, raw, problems);
	parse_amount_key(map, "threshold", &p->threshold, problems);
	parse_count_key(map, "promise_grace_days", &p->promise_grace_days, problems);
	parse_amount_key(map, "late_fee", &p->late_fee, problems);
	parse_boolean_key(map, "plan_offer", &p->plan_offer, problems);

	if ((raw = raw_get(map, "interest_rate")) != NULL &&
	    !parse_percent(raw->value, false, &p->interest_rate_bp))
		problem_add(problems, raw->source, raw->line,
		            "interest_rate: \"%s\" is not an annual rate in percent (e.g. 10.50)",
		            raw->value);
	if ((raw = raw_get(map, "interest_margin")) != NULL) {
		if (!parse_percent(raw->value, false, &p->interest_margin_bp))
			problem_add(problems, raw->source, raw->line,
			            "interest_margin: \"%s\" is not a percentage (e.g. 8.00)",
			            raw->value);
		else if (p->interest_margin_bp < CHARGES_EU_MARGIN_BP)
			problem_add(problems, raw->source, raw->line,
			            "interest_margin: %s is below the statutory minimum of 8.00 "
			            "percentage points (Directive 2011/7/EU, art. 2(6))",
			            raw->value);
	}
	if ((raw = raw_get(map, "reference_rates")) != NULL)
		parse_reference_rates(entry, raw, problems);
	if ((raw = raw_get(map, "compensation")) != NULL) {
		int64_t compensation = 0;
		if (!parse_hundredths(raw->value, false, &compensation))
			problem_add(problems, raw->source, raw->line,
			            "compensation: \"%s\" is not an amount (40.00 or 0)",
			            raw->value);
		else if (compensation != 0 && compensation != CHARGES_EU_COMPENSATION_EUR)
			/* The directive fixes the amount; a different figure would be
			 * claimed under the directive's name, which is wrong. */
			problem_add(problems, raw->source, raw->line,
			            "compensation: the EU fixed compensation is 40.00 EUR; write "
			            "0 to claim none, not %s",
			            raw->value);
		else
			p->compensation = compensation;
	}
	parse_equivalents(entry, map, problems);

	if ((raw = raw_get(map, "interest")) != NULL) {
		if (strcmp(raw->value, "none") == 0) {
			p->interest_mode = CHARGES_INTEREST_NONE;
		} else if (strcmp(raw->value, "fixed") == 0) {
			p->interest_mode = CHARGES_INTEREST_FIXED;
			if (p->interest_rate_bp <= 0)
				problem_add(problems, raw->source, raw->line,
				            "interest = fixed needs interest_rate above 0");
		} else if (strcmp(raw->value, "statutory") == 0) {
			p->interest_mode = CHARGES_INTEREST_EU_STATUTORY;
			if (entry->rates == NULL)
				problem_add(problems, raw->source, raw->line,
				            "interest = statutory needs reference_rates "
				            "(YYYY-MM-DD=RATE; ...)");
		} else {
			problem_add(problems, raw->source, raw->line,
			            "interest: \"%s\" is not none, fixed or statutory", raw->value);
		}
	}

	p->name = entry->name;
	p->levels = (const policy_level *)(void *)entry->levels->data;
	p->n_levels = entry->levels->len;
	p->holidays = (const dm_date *)(void *)entry->holidays->data;
	p->n_holidays = entry->holidays->len;
	p->reference_rates = entry->rates;
	return entry;
}

/* ---- loading ------------------------------------------------------------ */

void
policy_set_free(policy_set *set)
{
	if (set == NULL)
		return;
	policy_entry_free(set->fallback);
	if (set->named != NULL)
		g_hash_table_destroy(set->named);
	g_free(set->names);
	if (set->strings != NULL)
		g_string_chunk_free(set->strings);
	g_free(set);
}

policy_set *
policy_set_parse(const char *shipped_text, const char *source, const dm_config *config,
                 GError **error)
{
	policy_set *set = g_new0(policy_set, 1);
	problem_list problems = {g_string_new(NULL),
	                         g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
	GHashTable *shipped_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GKeyFile *shipped = g_key_file_new();
	GKeyFile *user = config != NULL ? config_keyfile(config) : NULL;
	const char *user_source;
	GHashTable *defaults = raw_map_new();
	GError *local = NULL;
	GList *sorted = NULL;
	guint i = 0;

	set->strings = g_string_chunk_new(256);
	set->named = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, policy_entry_free);
	source = g_string_chunk_insert_const(set->strings, source != NULL ? source : "policy");
	user_source = g_string_chunk_insert_const(
	    set->strings,
	    config != NULL && config_path(config) != NULL ? config_path(config) : "configuration");

	if (shipped_text == NULL || !g_utf8_validate(shipped_text, -1, NULL)) {
		problem_add(&problems, source, 0, "not UTF-8 text");
		goto fail;
	}
	scan_shipped(source, shipped_text, shipped_lines, &problems);
	if (problems.text->len > 0)
		goto fail;
	if (!g_key_file_load_from_data(shipped, shipped_text, (gsize)-1, G_KEY_FILE_NONE, &local)) {
		problem_add(&problems, source, 0, "%s", local->message);
		g_error_free(local);
		goto fail;
	}

	raw_map_overlay(defaults, shipped, GROUP_DEFAULT, source, shipped_lines, NULL);
	if (user != NULL)
		raw_map_overlay(defaults, user, GROUP_DEFAULT, user_source, NULL, config);
	set->fallback = policy_entry_parse(NULL, defaults, source, &problems);

	collect_named(shipped, names);
	if (user != NULL)
		collect_named(user, names);
	sorted = g_list_sort(g_hash_table_get_keys(names), (GCompareFunc)strcmp);
	set->names = g_new0(char *, g_hash_table_size(names) + 1);
	for (GList *l = sorted; l != NULL; l = l->next) {
		const char *name = l->data;
		char *group = g_strconcat(GROUP_NAMED_PREFIX, name, NULL);
		GHashTable *map = raw_map_copy(defaults);
		policy_entry *entry;

		if (g_key_file_has_group(shipped, group))
			raw_map_overlay(map, shipped, group, source, shipped_lines, NULL);
		if (user != NULL && g_key_file_has_group(user, group))
			raw_map_overlay(map, user, group, user_source, NULL, config);
		/* A bad inherited value is reported once, at its own line: the
		 * problem list drops repeats. */
		entry = policy_entry_parse(name, map, source, &problems);
		g_hash_table_insert(set->named, entry->name, entry);
		set->names[i++] = entry->name;
		g_hash_table_destroy(map);
		g_free(group);
	}
	g_list_free(sorted);
	if (problems.text->len > 0)
		goto fail;

	g_hash_table_destroy(defaults);
	g_hash_table_destroy(names);
	g_hash_table_destroy(shipped_lines);
	g_key_file_unref(shipped);
	g_string_free(problems.text, TRUE);
	g_hash_table_destroy(problems.seen);
	return set;

fail:
	g_set_error_literal(error, DM_ERROR, DM_ERROR_CONFIG, problems.text->str);
	g_hash_table_destroy(defaults);
	g_hash_table_destroy(names);
	g_hash_table_destroy(shipped_lines);
	g_key_file_unref(shipped);
	g_string_free(problems.text, TRUE);
	g_hash_table_destroy(problems.seen);
	policy_set_free(set);
	return NULL;
}

policy_set *
policy_set_load(const char *shipped_path, const dm_config *config, GError **error)
{
	char *text = NULL;
	GError *local = NULL;
	policy_set *set;

	if (!g_file_get_contents(shipped_path, &text, NULL, &local)) {
		g_set_error(error, DM_ERROR,
		            local->code == G_FILE_ERROR_NOENT ? DM_ERROR_NOT_FOUND : DM_ERROR_IO,
		            "%s: cannot read the shipped policy: %s", shipped_path, local->message);
		g_error_free(local);
		return NULL;
	}
	set = policy_set_parse(text, shipped_path, config, error);
	g_free(text);
	return set;
}

char *
policy_shipped_path(void)
{
	return g_build_filename(config_shipped_rules_directory(), "policy", NULL);
}

const policy *
policy_set_default(const policy_set *set)
{
	return &set->fallback->pub;
}

const policy *
policy_set_find(const policy_set *set, const char *name)
{
	policy_entry *entry = name != NULL ? g_hash_table_lookup(set->named, name) : NULL;

	return entry != NULL ? &entry->pub : NULL;
}

const char *const *
policy_set_names(const policy_set *set)
{
	return (const char *const *)set->names;
}

/* ---- using a policy ----------------------------------------------------- */

int64_t
policy_amount_minor(int64_t hundredths, const char *currency)
{
	int exponent = dm_currency_exponent(currency);
	int64_t scale = 1;

	if (exponent >= 2) {
		for (int i = 2; i < exponent; i++)
			scale *= 10;
		return hundredths * scale;
	}
	for (int i = exponent; i < 2; i++)
		scale *= 10;
	return dm_money_scale(hundredths, 1, scale);
}

void
policy_charges_for(const policy *p, const char *currency, charges_policy *charges,
                   bool *compensation_unknown)
{
	const policy_entry *entry = (const policy_entry *)(const void *)p;
	const int64_t *equivalent = NULL;
	bool unknown = false;

	memset(charges, 0, sizeof *charges);
	charges->late_fee = policy_amount_minor(p->late_fee, currency);
	charges->interest_mode = p->interest_mode;
	charges->annual_rate_bp = p->interest_rate_bp;
	charges->reference_rates = p->reference_rates;
	charges->margin_bp = p->interest_margin_bp;
	charges->compensation_equivalent = -1;
	if (p->interest_mode == CHARGES_INTEREST_EU_STATUTORY && p->compensation > 0) {
		if (currency != NULL && strcmp(currency, "EUR") == 0) {
			charges->eu_compensation = true;
		} else if (currency != NULL && (equivalent = g_hash_table_lookup(
		                                    entry->equivalents, currency)) != NULL) {
			charges->eu_compensation = true;
			charges->compensation_equivalent = *equivalent;
		} else {
			unknown = true;
		}
	}
	if (compensation_unknown != NULL)
		*compensation_unknown = unknown;
}

int
policy_level_of_kind(const policy *p, const char *kind)
{
	for (size_t i = 0; kind != NULL && i < p->n_levels; i++)
		if (strcmp(p->levels[i].kind, kind) == 0)
			return (int)i + 1;
	return 0;
}

const char *
policy_channel_name(policy_channel channel)
{
	switch (channel) {
	case POLICY_CHANNEL_EMAIL:
		return "email";
	case POLICY_CHANNEL_LETTER:
		return "letter";
	case POLICY_CHANNEL_CALL:
		return "call";
	}
	return "email";
}
