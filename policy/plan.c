/*
 * The planner.  Each client is planned on its own, in three passes: the
 * invoices are sorted into tasks, waits and chase candidates (one level
 * each); the client-wide brakes (reply owed, away, paused, interval) are
 * applied to the candidates; and what is left becomes the client's one
 * contact of the day.  plan.h lists the rules and the decisions behind them.
 */
#include "policy/plan.h"

#include "common/money.h"
#include "draft/template.h"

#include <string.h>

/* A chase candidate: an invoice and the level it is due. */
typedef struct {
	const plan_invoice *invoice;
	int level;
	bool promise_broken;
} candidate;

/* What is being built. */
typedef struct {
	dm_date today;
	GArray *items;   /* plan_item */
	GArray *skipped; /* plan_skip */
	GPtrArray *warnings;
} planner;

/* One client's share, kept apart until the working-day check. */
typedef struct {
	const plan_client *client;
	const policy *policy;
	GArray *contacts;   /* plan_item: at most one */
	GArray *tasks;      /* plan_item */
	GArray *candidates; /* candidate */
	GPtrArray *acks;    /* const plan_invoice *: disputes to acknowledge */
} client_day;

static char *
format_date(dm_date date)
{
	char iso[DM_DATE_ISO_SIZE];

	return g_strdup(dm_date_format_iso(date, iso));
}

static void G_GNUC_PRINTF(4, 5)
    skip_add(planner *pl, const plan_client *client, int64_t invoice_id, const char *fmt, ...)
{
	plan_skip skip = {client, invoice_id, NULL};
	va_list args;

	va_start(args, fmt);
	skip.reason = g_strdup_vprintf(fmt, args);
	va_end(args);
	g_array_append_val(pl->skipped, skip);
}

static void
item_clear(plan_item *item)
{
	g_free(item->invoices);
	g_free(item->reason);
}

/* Words for a ladder level in reasons: "second reminder". */
static char *
level_words(const policy *p, int level)
{
	static const struct {
		const char *kind;
		const char *words;
	} known[] = {
	    {TEMPLATE_KIND_PRENOTE, "notice before the due date"},
	    {TEMPLATE_KIND_REMINDER1, "first reminder"},
	    {TEMPLATE_KIND_REMINDER2, "second reminder"},
	    {TEMPLATE_KIND_REMINDER3, "third reminder"},
	    {TEMPLATE_KIND_FINAL, "final notice"},
	    {TEMPLATE_KIND_LETTER, "letter"},
	    {"call", "phone call"},
	};
	const char *kind;

	/* A caller's level may come from an older, longer ladder. */
	if (level < 1 || (size_t)level > p->n_levels)
		return g_strdup_printf("level %d", level);
	kind = p->levels[level - 1].kind;
	for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
		if (strcmp(known[i].kind, kind) == 0)
			return g_strdup(known[i].words);
	return g_strdup_printf("level %d (%s)", level, kind);
}

/* "is 14 days overdue", "is due today", "is due in 7 days". */
static char *
overdue_words(int64_t days)
{
	if (days > 0)
		return g_strdup_printf("is %" G_GINT64_FORMAT " day%s overdue", days,
		                       days == 1 ? "" : "s");
	if (days == 0)
		return g_strdup("is due today");
	return g_strdup_printf("is due in %" G_GINT64_FORMAT " day%s", -days,
	                       days == -1 ? "" : "s");
}

static bool
is_holiday(const policy *p, dm_date date)
{
	for (size_t i = 0; i < p->n_holidays; i++)
		if (p->holidays[i] == date)
			return true;
	return false;
}

static bool
is_planning_day(const policy *p, dm_date date)
{
	if (p->skip_weekends && dm_date_is_weekend(date))
		return false;
	return !is_holiday(p, date);
}

static dm_date
next_planning_day(const policy *p, dm_date date)
{
	do
		date++;
	while (!is_planning_day(p, date));
	return date;
}

/* The last day a promise still protects the invoice. */
static dm_date
promise_resume_date(const policy *p, dm_date promised)
{
	return dm_date_add_working_days(promised, p->promise_grace_days, p->holidays,
	                                p->n_holidays);
}

static bool
level_is_reminder(const char *kind)
{
	return strcmp(kind, TEMPLATE_KIND_PRENOTE) == 0 ||
	       strcmp(kind, TEMPLATE_KIND_REMINDER1) == 0 ||
	       strcmp(kind, TEMPLATE_KIND_REMINDER2) == 0 ||
	       strcmp(kind, TEMPLATE_KIND_REMINDER3) == 0;
}

/* The templates that print charges (final notice, letter). */
static bool
level_shows_charges(const char *kind)
{
	return strcmp(kind, TEMPLATE_KIND_FINAL) == 0 || strcmp(kind, TEMPLATE_KIND_LETTER) == 0;
}

static char *
money_text(int64_t minor, const char *currency)
{
	char *plain = dm_money_format_plain(minor, currency);
	char *text = g_strdup_printf("%s %s", plain, currency);

	g_free(plain);
	return text;
}

/*
 * Sorts one invoice: a task, a wait (skipped entry), a chase candidate, or
 * nothing (closed, or no level due yet).
 */
static void
plan_invoice_sort(planner *pl, client_day *day, const plan_invoice *inv)
{
	const policy *p = day->policy;
	const plan_client *client = day->client;
	bool claimed = inv->payment_claimed || (inv->status == INVOICE_PAID && inv->balance > 0);
	bool broken = false;
	int highest = 0;
	candidate c;

	if (claimed) {
		plan_item task = {.kind = PLAN_TASK, .task = PLAN_TASK_CONFIRM_PAYMENT};
		task.invoices = g_new0(plan_item_invoice, 1);
		task.invoices[0].invoice = inv;
		task.invoices[0].days_overdue = pl->today - inv->due;
		task.n_invoices = 1;
		task.reason = g_strdup_printf("%s: the client says it is paid; confirm the payment "
		                              "against the bank",
		                              inv->number);
		g_array_append_val(day->tasks, task);
		skip_add(pl, client, inv->id,
		         "%s: payment claimed — no reminder, confirm the payment", inv->number);
		return;
	}
	if (inv->balance <= 0 || inv->status == INVOICE_PAID || inv->status == INVOICE_WRITTEN_OFF)
		return;
	if (inv->status == INVOICE_DISPUTED) {
		plan_item task = {.kind = PLAN_TASK, .task = PLAN_TASK_RESOLVE_DISPUTE};
		task.invoices = g_new0(plan_item_invoice, 1);
		task.invoices[0].invoice = inv;
		task.invoices[0].days_overdue = pl->today - inv->due;
		task.n_invoices = 1;
		task.reason = g_strdup_printf("%s is disputed: resolve the dispute", inv->number);
		g_array_append_val(day->tasks, task);
		skip_add(pl, client, inv->id, "%s: disputed — no reminder, resolve the dispute",
		         inv->number);
		if (!inv->dispute_acknowledged)
			g_ptr_array_add(day->acks, (gpointer)inv);
		return;
	}
	if (inv->promised_date != DM_DATE_NONE) {
		dm_date resume = promise_resume_date(p, inv->promised_date);
		if (pl->today <= resume) {
			char *promised = format_date(inv->promised_date);
			char *history =
			    client->promises_kept + client->promises_broken > 0
			        ? g_strdup_printf(" (promises kept %d, broken %d)",
			                          client->promises_kept, client->promises_broken)
			        : g_strdup("");
			skip_add(pl, client, inv->id,
			         "%s: no reminder: client promised to pay by %s%s", inv->number,
			         promised, history);
			g_free(history);
			g_free(promised);
			return;
		}
		broken = true;
	}
	if (inv->balance < policy_amount_minor(p->threshold, inv->currency)) {
		char *balance = money_text(inv->balance, inv->currency);
		char *threshold =
		    money_text(policy_amount_minor(p->threshold, inv->currency), inv->currency);
		skip_add(pl, client, inv->id,
		         "%s: balance %s is below the threshold %s — not chased", inv->number,
		         balance, threshold);
		g_free(threshold);
		g_free(balance);
		return;
	}

	for (size_t i = (size_t)MAX(inv->level, 0); i < p->n_levels; i++)
		if ((int64_t)inv->due + p->levels[i].offset_days <= pl->today)
			highest = (int)i + 1;
	/* The promise paused the ladder; once broken, the client hears at once. */
	if (broken && highest <= inv->level && (size_t)inv->level < p->n_levels)
		highest = inv->level + 1;
	if (highest <= inv->level)
		return;
	if (inv->drafted_level > 0 && highest <= inv->drafted_level) {
		char *words = level_words(p, inv->drafted_level);
		skip_add(pl, client, inv->id, "%s: the %s is already planned and waits for you",
		         inv->number, words);
		g_free(words);
		return;
	}
	if (inv->level_discarded && highest == inv->level + 1) {
		char *words = level_words(p, highest);
		if ((size_t)highest < p->n_levels) {
			char *next_words = level_words(p, highest + 1);
			char *next = format_date(inv->due + p->levels[highest].offset_days);
			skip_add(pl, client, inv->id,
			         "%s: the %s was discarded — not planned again; next: %s on %s",
			         inv->number, words, next_words, next);
			g_free(next);
			g_free(next_words);
		} else {
			skip_add(pl, client, inv->id,
			         "%s: the %s was discarded — not planned again; the ladder ends",
			         inv->number, words);
		}
		g_free(words);
		return;
	}
	c.invoice = inv;
	c.level = highest;
	c.promise_broken = broken;
	g_array_append_val(day->candidates, c);
}

/* "FV/1, FV/2" of the candidates at a level (all when level is 0). */
static char *
candidate_numbers(const GArray *candidates, int level)
{
	GString *text = g_string_new(NULL);

	for (guint i = 0; i < candidates->len; i++) {
		const candidate *c = &g_array_index(candidates, candidate, i);
		if (level != 0 && c->level != level)
			continue;
		if (text->len > 0)
			g_string_append(text, ", ");
		g_string_append(text, c->invoice->number);
	}
	return g_string_free(text, FALSE);
}

/* Charges and discount of one invoice of a contact. */
static void
plan_invoice_charges(planner *pl, client_day *day, plan_item_invoice *entry, bool show_charges)
{
	const plan_invoice *inv = entry->invoice;
	const policy *p = day->policy;
	charges_discount_terms terms = {inv->discount_bp, inv->discount_days};

	if (inv->discount_bp > 0 && charges_discount_applies(&terms, inv->issued, pl->today)) {
		entry->discount = true;
		entry->discount_amount = charges_discount_amount(&terms, inv->balance);
		entry->discount_until = charges_discount_deadline(&terms, inv->issued);
	}
	if (show_charges) {
		charges_policy charges;
		bool compensation_unknown = false;
		GError *error = NULL;

		policy_charges_for(p, inv->currency, &charges, &compensation_unknown);
		if (compensation_unknown)
			g_ptr_array_add(pl->warnings,
			                g_strdup_printf("%s: %s (%s): the policy has no "
			                                "compensation_equivalent_%s; the fixed "
			                                "compensation is left out",
			                                day->client->name, inv->number,
			                                inv->currency, inv->currency));
		if (!charges_compute(&charges, inv->balance, inv->currency, inv->due, pl->today,
		                     &entry->charges, &error)) {
			g_ptr_array_add(pl->warnings,
			                g_strdup_printf("%s: %s: charges not shown: %s",
			                                day->client->name, inv->number,
			                                error->message));
			g_error_free(error);
			memset(&entry->charges, 0, sizeof entry->charges);
		} else {
			entry->fees = entry->charges.total_due > inv->balance;
		}
	}
}

/* The client's contact of the day at a level, from the candidates at that level. */
static void
plan_contact_level(planner *pl, client_day *day, int level)
{
	const policy *p = day->policy;
	const policy_level *rung = &p->levels[level - 1];
	const plan_client *client = day->client;
	plan_item item = {0};
	GString *reason = g_string_new(NULL);
	char *words = level_words(p, level);
	char *numbers = candidate_numbers(day->candidates, level);
	size_t n = 0;

	for (guint i = 0; i < day->candidates->len; i++)
		if (g_array_index(day->candidates, candidate, i).level == level)
			n++;
	item.client = client;
	item.policy = p;
	item.level = level;
	item.level_kind = rung->kind;
	item.invoices = g_new0(plan_item_invoice, n);
	for (guint i = 0; i < day->candidates->len; i++) {
		const candidate *c = &g_array_index(day->candidates, candidate, i);
		plan_item_invoice *entry;
		if (c->level != level)
			continue;
		entry = &item.invoices[item.n_invoices++];
		entry->invoice = c->invoice;
		entry->days_overdue = pl->today - c->invoice->due;
		if (c->promise_broken) {
			entry->promise_broken = true;
			entry->promised_date = c->invoice->promised_date;
			if (!item.promise_broken || entry->promised_date < item.promised_date)
				item.promised_date = entry->promised_date;
			item.promise_broken = true;
		}
		plan_invoice_charges(pl, day, entry, level_shows_charges(rung->kind));
		item.mention_fees = item.mention_fees || entry->fees;
		item.discount = item.discount || entry->discount;
	}

	if (n == 1) {
		char *overdue = overdue_words(item.invoices[0].days_overdue);
		g_string_append_printf(reason, "%s %s: %s", item.invoices[0].invoice->number,
		                       overdue, words);
		g_free(overdue);
	} else {
		g_string_append_printf(reason, "%s are due: %s, one %s for %zu invoices", numbers,
		                       words,
		                       rung->channel == POLICY_CHANNEL_LETTER ? "letter"
		                       : rung->channel == POLICY_CHANNEL_CALL ? "call"
		                                                              : "e-mail",
		                       n);
	}
	if (item.promise_broken) {
		char *promised = format_date(item.promised_date);
		g_string_append_printf(reason, "; promise of %s broken: %s refers to it", promised,
		                       rung->channel == POLICY_CHANNEL_EMAIL ? "reminder"
		                                                             : "contact");
		g_free(promised);
	}

	switch (rung->channel) {
	case POLICY_CHANNEL_EMAIL:
		if (client->emails == NULL || client->emails[0] == NULL) {
			/* Without an address the reminder cannot go; a call both chases
			 * and gets a working address. */
			item.kind = PLAN_CALL;
			item.task = PLAN_TASK_FIX_ADDRESS;
			if (client->bounced != NULL && client->bounced[0] != NULL) {
				char *list = g_strjoinv(", ", (char **)client->bounced);
				g_string_append_printf(
				    reason,
				    "; every address bounced (%s): call the client "
				    "instead and ask for a working address",
				    list);
				g_free(list);
			} else {
				g_string_append(reason,
				                "; no e-mail address: call the client instead "
				                "and ask for one");
			}
			break;
		}
		item.kind = PLAN_EMAIL;
		item.task = PLAN_TASK_NONE;
		item.to = client->emails[0];
		if (rung->copy_escalation && client->cc != NULL && client->cc[0] != NULL)
			item.cc = client->cc;
		if (n > 1)
			item.template_kind = TEMPLATE_KIND_STATEMENT;
		else if (item.promise_broken && level_is_reminder(rung->kind))
			item.template_kind = TEMPLATE_KIND_PROMISE_BROKEN;
		else
			item.template_kind = rung->kind;
		if (n == 1)
			item.in_reply_to = item.invoices[0].invoice->thread_message_id;
		item.plan_offer = p->plan_offer && strcmp(rung->kind, TEMPLATE_KIND_REMINDER3) == 0;
		if (client->bounced != NULL && client->bounced[0] != NULL) {
			char *list = g_strjoinv(", ", (char **)client->bounced);
			g_string_append_printf(reason, "; %s bounced, to %s instead", list,
			                       item.to);
			g_free(list);
		}
		break;
	case POLICY_CHANNEL_LETTER:
		item.kind = PLAN_LETTER;
		item.task = PLAN_TASK_LETTER;
		item.template_kind = rung->kind;
		break;
	case POLICY_CHANNEL_CALL:
		item.kind = PLAN_CALL;
		item.task = PLAN_TASK_CALL;
		break;
	}
	item.reason = g_string_free(reason, FALSE);
	g_array_append_val(day->contacts, item);

	/* One contact a day: lower levels wait for a later one. */
	for (guint i = 0; i < day->candidates->len; i++) {
		const candidate *c = &g_array_index(day->candidates, candidate, i);
		char *other;
		if (c->level == level)
			continue;
		other = level_words(p, c->level);
		skip_add(pl, client, c->invoice->id,
		         "%s: the %s waits — one contact a day, %s gets the %s today",
		         c->invoice->number, other, numbers, words);
		g_free(other);
	}
	g_free(numbers);
	g_free(words);
}

/* The acknowledgement of disputes: the client's e-mail of the day. */
static void
plan_contact_ack(planner *pl, client_day *day)
{
	const plan_client *client = day->client;
	plan_item item = {0};
	GString *numbers = g_string_new(NULL);

	item.client = client;
	item.policy = day->policy;
	item.n_invoices = day->acks->len;
	item.invoices = g_new0(plan_item_invoice, item.n_invoices);
	for (guint i = 0; i < day->acks->len; i++) {
		const plan_invoice *inv = g_ptr_array_index(day->acks, i);
		item.invoices[i].invoice = inv;
		item.invoices[i].days_overdue = pl->today - inv->due;
		g_string_append_printf(numbers, "%s%s", i > 0 ? ", " : "", inv->number);
	}
	if (client->emails == NULL || client->emails[0] == NULL) {
		item.kind = PLAN_CALL;
		item.task = PLAN_TASK_FIX_ADDRESS;
		item.reason = g_strdup_printf("%s disputed: acknowledge it by phone, no working "
		                              "e-mail address",
		                              numbers->str);
	} else {
		item.kind = PLAN_EMAIL;
		item.to = client->emails[0];
		item.template_kind = TEMPLATE_KIND_DISPUTE_ACK;
		if (item.n_invoices == 1)
			item.in_reply_to = item.invoices[0].invoice->thread_message_id;
		item.reason = g_strdup_printf("%s disputed: acknowledge the dispute", numbers->str);
	}
	g_array_append_val(day->contacts, item);
	if (day->candidates->len > 0) {
		char *waiting = candidate_numbers(day->candidates, 0);
		skip_add(pl, client, 0,
		         "%s: reminders wait — the dispute acknowledgement is today's e-mail",
		         waiting);
		g_free(waiting);
	}
	g_string_free(numbers, TRUE);
}

/* "2026-10-07", or "an unknown day" for a reply without a usable Date header. */
static char *
reply_day(const plan_reply *reply)
{
	return reply->date != DM_DATE_NONE ? format_date(reply->date) : g_strdup("an unknown day");
}

/*
 * The task of reading one reply: the client's invoices it is about, and
 * in the reason who wrote when, the subject, and the command that records
 * what it says (which ends the task).
 */
static plan_item
read_reply_task(const planner *pl, client_day *day, const plan_reply *reply)
{
	const plan_client *client = day->client;
	plan_item task = {.kind = PLAN_TASK, .task = PLAN_TASK_READ_REPLY};
	GString *reason = g_string_new(NULL);
	char *when = reply_day(reply);

	task.client = client;
	task.policy = day->policy;
	task.reply = reply;
	task.invoices = g_new0(plan_item_invoice, reply->n_invoice_ids + 1);
	for (size_t i = 0; i < reply->n_invoice_ids; i++)
		for (size_t j = 0; j < client->n_invoices; j++)
			if (client->invoices[j].id == reply->invoice_ids[i]) {
				plan_item_invoice *entry = &task.invoices[task.n_invoices++];
				entry->invoice = &client->invoices[j];
				entry->days_overdue = pl->today - client->invoices[j].due;
			}
	g_string_append_printf(reason, "read the reply of %s from %s", when,
	                       reply->from != NULL ? reply->from : "the client");
	if (reply->subject != NULL && *reply->subject != '\0')
		g_string_append_printf(reason, " (\"%s\")", reply->subject);
	g_string_append_printf(reason,
	                       ": no rule could read it; record what it says with dunmail message "
	                       "set %s --class CLASS",
	                       reply->message_id);
	task.reason = g_string_free(reason, FALSE);
	g_free(when);
	return task;
}

/*
 * What the client waits for before it hears from the user again (away,
 * paused, a contact planned today, the interval since the user's last
 * mail), in words, or NULL when nothing.
 */
static char *
contact_wait(const planner *pl, const client_day *day)
{
	const plan_client *client = day->client;
	const policy *p = day->policy;
	char *why = NULL;

	if (client->away_until != DM_DATE_NONE && client->away_until > pl->today) {
		char *until = format_date(client->away_until);
		why = g_strdup_printf("away until %s (auto-reply) — no contact before then", until);
		g_free(until);
	} else if (client->paused_until != DM_DATE_NONE && client->paused_until > pl->today) {
		char *until = format_date(client->paused_until);
		why = g_strdup_printf("chasing paused until %s", until);
		g_free(until);
	} else if (client->last_planned == pl->today) {
		/* One contact a day holds across runs: a second followup the same
		 * day must not add another draft next to the one that waits. */
		why = g_strdup("today's contact is already planned and waits for you");
	} else if (client->last_outgoing != DM_DATE_NONE &&
	           pl->today - client->last_outgoing < p->min_interval_days) {
		char *last = format_date(client->last_outgoing);
		char *next = format_date(client->last_outgoing + p->min_interval_days);
		why = g_strdup_printf("last mail to the client on %s — no contact before %s "
		                      "(min_interval_days = %d)",
		                      last, next, p->min_interval_days);
		g_free(next);
		g_free(last);
	}
	return why;
}

/*
 * The client-wide brakes.  Returns true when no contact may happen today
 * and says why in a skipped entry (only when something was due or a task
 * explains it).  The replies the user must read or answer come first: the
 * tasks are listed whatever else holds the client.
 */
static bool
plan_contact_blocked(planner *pl, client_day *day)
{
	const plan_client *client = day->client;
	bool due = day->candidates->len > 0 || day->acks->len > 0;
	bool tasks = client->reply_owed || client->n_unread_replies > 0;
	char *why = NULL;

	for (size_t i = 0; i < client->n_unread_replies; i++) {
		plan_item task = read_reply_task(pl, day, &client->unread_replies[i]);
		g_array_append_val(day->tasks, task);
	}
	if (client->n_unread_replies > 0) {
		char *when = reply_day(&client->unread_replies[0]);
		if (client->n_unread_replies == 1)
			why = g_strdup_printf("unread reply of %s — no reminder until you read it "
			                      "and record what it says",
			                      when);
		else
			why = g_strdup_printf("%zu unread replies, the first of %s — no reminder "
			                      "until you read them and record what they say",
			                      client->n_unread_replies, when);
		g_free(when);
	}
	if (client->reply_owed) {
		plan_item task = {.kind = PLAN_TASK, .task = PLAN_TASK_REPLY_TO_CLIENT};
		task.client = client;
		task.policy = day->policy;
		task.reason = g_strdup("the client's last message waits for your answer");
		g_array_append_val(day->tasks, task);
		if (why == NULL)
			why = g_strdup("reply owed — no reminder, answer the client first");
	}
	if (why == NULL)
		why = contact_wait(pl, day);
	if (why == NULL)
		return false;
	if (due || tasks) {
		char *waiting = candidate_numbers(day->candidates, 0);
		if (*waiting != '\0')
			skip_add(pl, client, 0, "%s (waiting: %s)", why, waiting);
		else
			skip_add(pl, client, 0, "%s", why);
		g_free(waiting);
	}
	g_free(why);
	return true;
}

/*
 * The client wrote (a person, whatever it said) less than min_interval_days
 * ago: the reminders rest as after the user's own mail, so that a reply of
 * yesterday is not answered by a reminder.  True when they rest, with a
 * skipped entry naming the day.
 */
static bool
plan_rest_after_reply(planner *pl, client_day *day)
{
	const plan_client *client = day->client;
	const policy *p = day->policy;
	char *last, *next, *waiting;

	if (client->last_incoming == DM_DATE_NONE ||
	    pl->today - client->last_incoming >= p->min_interval_days)
		return false;
	last = format_date(client->last_incoming);
	next = format_date(client->last_incoming + p->min_interval_days);
	waiting = candidate_numbers(day->candidates, 0);
	skip_add(pl, client, 0,
	         "the client wrote on %s — no reminder before %s (min_interval_days = %d) "
	         "(waiting: %s)",
	         last, next, p->min_interval_days, waiting);
	g_free(waiting);
	g_free(next);
	g_free(last);
	return true;
}

static void
plan_client_day(planner *pl, const policy_set *policies, const plan_client *client)
{
	client_day day = {.client = client};
	guint first_skip = pl->skipped->len;
	bool planning_day;

	day.policy = client->policy != NULL ? policy_set_find(policies, client->policy)
	                                    : policy_set_default(policies);
	if (day.policy == NULL) {
		/* Chasing with the wrong policy (a gentle one meant for a key
		 * client) would be worse than not chasing. */
		skip_add(pl, client, 0,
		         "policy \"%s\" is not defined ([policy:%s]) — not chased until it is",
		         client->policy, client->policy);
		return;
	}
	if (client->never_chase) {
		skip_add(pl, client, 0, "never chased (set for this client)");
		return;
	}
	day.contacts = g_array_new(FALSE, TRUE, sizeof(plan_item));
	day.tasks = g_array_new(FALSE, TRUE, sizeof(plan_item));
	day.candidates = g_array_new(FALSE, TRUE, sizeof(candidate));
	day.acks = g_ptr_array_new();

	for (size_t i = 0; i < client->n_invoices; i++)
		plan_invoice_sort(pl, &day, &client->invoices[i]);
	for (guint i = 0; i < day.tasks->len; i++) {
		g_array_index(day.tasks, plan_item, i).client = client;
		g_array_index(day.tasks, plan_item, i).policy = day.policy;
	}
	if (!plan_contact_blocked(pl, &day)) {
		if (day.acks->len > 0) {
			plan_contact_ack(pl, &day);
		} else if (day.candidates->len > 0 && !plan_rest_after_reply(pl, &day)) {
			int top = 0;
			for (guint i = 0; i < day.candidates->len; i++)
				top = MAX(top, g_array_index(day.candidates, candidate, i).level);
			plan_contact_level(pl, &day, top);
		}
	}

	planning_day = is_planning_day(day.policy, pl->today);
	if (!planning_day) {
		/* Nothing is planned today, so the day's reasons ("waits for
		 * today's e-mail") would mislead: one entry says it all. */
		for (guint i = first_skip; i < pl->skipped->len; i++)
			g_free(g_array_index(pl->skipped, plan_skip, i).reason);
		g_array_set_size(pl->skipped, first_skip);
	}
	if (!planning_day && day.contacts->len + day.tasks->len + day.candidates->len > 0) {
		char *today = format_date(pl->today);
		char *next = format_date(next_planning_day(day.policy, pl->today));
		skip_add(pl, client, 0, "%s is %s — nothing planned, it waits for %s", today,
		         is_holiday(day.policy, pl->today) ? "a holiday" : "a weekend day", next);
		g_free(next);
		g_free(today);
		for (guint i = 0; i < day.contacts->len; i++)
			item_clear(&g_array_index(day.contacts, plan_item, i));
		for (guint i = 0; i < day.tasks->len; i++)
			item_clear(&g_array_index(day.tasks, plan_item, i));
	} else {
		g_array_append_vals(pl->items, day.contacts->data, day.contacts->len);
		g_array_append_vals(pl->items, day.tasks->data, day.tasks->len);
	}
	g_array_free(day.contacts, TRUE);
	g_array_free(day.tasks, TRUE);
	g_array_free(day.candidates, TRUE);
	g_ptr_array_free(day.acks, TRUE);
}

plan *
plan_compute(const policy_set *policies, const plan_client *clients, size_t n_clients,
             dm_date today)
{
	planner pl = {today, g_array_new(FALSE, TRUE, sizeof(plan_item)),
	              g_array_new(FALSE, TRUE, sizeof(plan_skip)), g_ptr_array_new()};
	plan *result = g_new0(plan, 1);

	for (size_t i = 0; i < n_clients; i++)
		plan_client_day(&pl, policies, &clients[i]);
	result->today = today;
	result->n_items = pl.items->len;
	result->items = (plan_item *)(void *)g_array_free(pl.items, FALSE);
	result->n_skipped = pl.skipped->len;
	result->skipped = (plan_skip *)(void *)g_array_free(pl.skipped, FALSE);
	g_ptr_array_add(pl.warnings, NULL);
	result->warnings = (char **)g_ptr_array_free(pl.warnings, FALSE);
	return result;
}

void
plan_free(plan *result)
{
	if (result == NULL)
		return;
	for (size_t i = 0; i < result->n_items; i++)
		item_clear(&result->items[i]);
	g_free(result->items);
	for (size_t i = 0; i < result->n_skipped; i++)
		g_free(result->skipped[i].reason);
	g_free(result->skipped);
	g_strfreev(result->warnings);
	g_free(result);
}

const char *
plan_item_kind_name(plan_item_kind kind)
{
	switch (kind) {
	case PLAN_EMAIL:
		return "email";
	case PLAN_LETTER:
		return "letter";
	case PLAN_CALL:
		return "call";
	case PLAN_TASK:
		return "task";
	}
	return "task";
}

const char *
plan_task_kind_name(plan_task_kind task)
{
	switch (task) {
	case PLAN_TASK_NONE:
		return "";
	case PLAN_TASK_RESOLVE_DISPUTE:
		return "resolve_dispute";
	case PLAN_TASK_CONFIRM_PAYMENT:
		return "confirm_payment";
	case PLAN_TASK_REPLY_TO_CLIENT:
		return "reply_to_client";
	case PLAN_TASK_CALL:
		return "call";
	case PLAN_TASK_LETTER:
		return "letter";
	case PLAN_TASK_FIX_ADDRESS:
		return "fix_address";
	case PLAN_TASK_READ_REPLY:
		return "read_reply";
	}
	return "";
}
