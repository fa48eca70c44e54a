#include "tests/unit/testutil.h"

#include "common/config.h"
#include "common/util.h"
#include "policy/plan.h"

/*
 * The planner's rules as a table: each case starts from one client with one
 * invoice of 1 000,00 EUR issued 2026-10-01 and due Monday 2026-10-12, so
 * every default level falls on a working day:
 *
 *   prenote 10-05  reminder1 10-13  reminder2 10-26  reminder3 11-11
 *   final 11-26    call 12-03       letter 12-11
 *
 * The test configuration adds holidays 24 and 25 December, a threshold of
 * 10.00, and named policies "gentle" and "statutory".
 */

static const char test_config[] = "[policy]\n"
                                  "holidays = 2026-12-24; 2026-12-25\n"
                                  "threshold = 10.00\n"
                                  "\n"
                                  "[policy:gentle]\n"
                                  "levels = reminder1:10:email; reminder2:30:email\n"
                                  "\n"
                                  "[policy:statutory]\n"
                                  "interest = statutory\n"
                                  "reference_rates = 2026-01-01=2.15; 2026-07-01=2.40\n";

typedef struct {
	char *dir;
	dm_config *config;
	policy_set *policies;
} fixture;

static int
setup(void **state)
{
	fixture *f = g_new0(fixture, 1);
	GError *error = NULL;
	char *config_path, *shipped;

	f->dir = test_tmpdir();
	config_path = g_build_filename(f->dir, "config", NULL);
	if (!g_file_set_contents(config_path, test_config, -1, &error))
		fail_msg("%s", error->message);
	f->config = config_load(config_path, &error);
	if (f->config == NULL)
		fail_msg("%s", error->message);
	shipped = g_build_filename(test_root(), "rules", "policy", NULL);
	f->policies = policy_set_load(shipped, f->config, &error);
	if (f->policies == NULL)
		fail_msg("%s", error->message);
	g_free(shipped);
	g_free(config_path);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	policy_set_free(f->policies);
	config_free(f->config);
	test_rmtree(f->dir);
	g_free(f->dir);
	g_free(f);
	return 0;
}

static dm_date
iso(const char *text)
{
	dm_date date;
	GError *error = NULL;

	if (!dm_date_parse_iso(text, &date, &error))
		fail_msg("%s", error->message);
	return date;
}

static const char *const billing[] = {"billing@mueller.example", NULL};
static const char *const accounts[] = {"accounts@mueller.example", NULL};
static const char *const bounced[] = {"billing@mueller.example", NULL};
static const char *const escalation[] = {"ceo@mueller.example", NULL};

static plan_invoice
base_invoice(void)
{
	plan_invoice inv = {0};

	inv.id = 1;
	inv.number = "FV/1";
	inv.amount = inv.balance = 100000;
	inv.currency = "EUR";
	inv.issued = iso("2026-10-01");
	inv.due = iso("2026-10-12");
	inv.status = INVOICE_OPEN;
	inv.promised_date = DM_DATE_NONE;
	inv.thread_message_id = "<fv1@example.com>";
	return inv;
}

static plan_client
base_client(const plan_invoice *invoices, size_t n)
{
	plan_client c = {0};

	c.id = 7;
	c.name = "Müller GmbH";
	c.language = "de";
	c.emails = billing;
	c.cc = escalation;
	c.paused_until = c.last_outgoing = c.last_incoming = c.away_until = c.last_planned = DM_DATE_NONE;
	c.invoices = invoices;
	c.n_invoices = n;
	return c;
}

/* ---- the table ----------------------------------------------------------- */

typedef void (*case_setup)(plan_client *client, plan_invoice *invoice);

typedef struct {
	const char *name;
	const char *today;
	case_setup setup;
	size_t n_items;      /* items expected */
	plan_item_kind kind; /* of the first item, when n_items > 0 */
	plan_task_kind task;
	int level;
	const char *template_kind; /* NULL: expect none */
	const char *reason;        /* substring of the first item's reason, or NULL */
	const char *skip;          /* substring of some skipped reason, or NULL */
} plan_case;

static void
after_reminder1(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 2;
}

static void
at_level4(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 4;
}

static void
at_level5(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 5;
}

static void
at_level6(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 6;
}

static void
discarded_second(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 2;
	i->level_discarded = true;
}

static void
drafted_second(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 2;
	i->drafted_level = 3;
}

static void
promised(plan_client *c, plan_invoice *i)
{
	c->promises_kept = 2;
	c->promises_broken = 1;
	i->level = 3;
	i->status = INVOICE_PROMISED;
	i->promised_date = iso("2026-10-27");
}

static void
broken_recorded(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 3;
	i->status = INVOICE_OPEN;
	i->promised_date = iso("2026-10-27");
}

static void
disputed(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 2;
	i->status = INVOICE_DISPUTED;
}

static void
disputed_acknowledged(plan_client *c, plan_invoice *i)
{
	disputed(c, i);
	i->dispute_acknowledged = true;
}

static void
payment_claimed(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 2;
	i->status = INVOICE_PAID;
	i->payment_claimed = true;
}

static void
partial(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 2;
	i->status = INVOICE_PARTIAL;
	i->balance = 40000;
}

static void
paid(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 2;
	i->status = INVOICE_PAID;
	i->balance = 0;
}

static void
away(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->away_until = iso("2026-10-30");
}

static void
back_from_away(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->away_until = iso("2026-10-23");
}

static void
one_bounced(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->emails = accounts;
	c->bounced = bounced;
}

static void
all_bounced(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->emails = NULL;
	c->bounced = bounced;
}

static void
reply_owed(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->reply_owed = true;
}

static const int64_t fv1_only[] = {1};
/* Its date is set by the case (a dm_date is not a constant expression). */
static plan_reply unread_reply[] = {
    {"r1@mueller.example", 0, "billing@mueller.example", "Re: FV/1", fv1_only, 1}};

/* A reply no rule read, of Wednesday 2026-10-21, with nothing sent since. */
static void
unread(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	unread_reply[0].date = iso("2026-10-21");
	c->unread_replies = unread_reply;
	c->n_unread_replies = 1;
	c->last_incoming = iso("2026-10-21");
}

/* The unread reply holds the reminders even long after it, and after the user's own mail. */
static void
unread_long_ago(plan_client *c, plan_invoice *i)
{
	unread(c, i);
	c->last_outgoing = iso("2026-10-22");
}

/* "Thanks, forwarded to accounts" (none) yesterday. */
static void
replied_yesterday(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->last_incoming = iso("2026-10-25");
}

static void
replied_5_days_ago(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->last_incoming = iso("2026-10-21");
}

static void
mailed_3_days_ago(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->last_outgoing = iso("2026-10-23");
}

static void
mailed_5_days_ago(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->last_outgoing = iso("2026-10-21");
}

static void
planned_today(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->last_planned = iso("2026-10-26");
}

static void
planned_yesterday(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->last_planned = iso("2026-10-23");
}

static void
below_threshold(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->level = 2;
	i->status = INVOICE_PARTIAL;
	i->balance = 999;
}

static void
paused(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->paused_until = iso("2026-11-01");
}

static void
never(plan_client *c, plan_invoice *i)
{
	i->level = 2;
	c->never_chase = true;
}

static void
gentle(plan_client *c, plan_invoice *i)
{
	(void)i;
	c->policy = "gentle";
}

static void
unknown_policy(plan_client *c, plan_invoice *i)
{
	(void)i;
	c->policy = "vip";
}

static void
early_discount(plan_client *c, plan_invoice *i)
{
	(void)c;
	i->discount_bp = 200;
	i->discount_days = 14;
}

static const plan_case cases[] = {
    /* Level due: the highest due level above the one sent. */
    {"reminder2 on its day", "2026-10-26", after_reminder1, 1, PLAN_EMAIL, PLAN_TASK_NONE, 3,
     "reminder2", "FV/1 is 14 days overdue: second reminder", NULL},
    {"nothing due the day before", "2026-10-23", after_reminder1, 0, 0, 0, 0, NULL, NULL, NULL},
    {"straight to the highest due level", "2026-11-11", NULL, 1, PLAN_EMAIL, PLAN_TASK_NONE, 4,
     "reminder3", "FV/1 is 30 days overdue: third reminder", NULL},
    {"never re-sent", "2026-11-12", at_level4, 0, 0, 0, 0, NULL, NULL, NULL},
    /* The user deleted the draft for level 2: not again, level 3 on its day. */
    {"discarded level not planned again", "2026-10-26", discarded_second, 0, 0, 0, 0, NULL, NULL,
     "FV/1: the second reminder was discarded — not planned again; next: third reminder on "
     "2026-11-11"},
    {"after a discarded level the next one", "2026-11-11", discarded_second, 1, PLAN_EMAIL,
     PLAN_TASK_NONE, 4, "reminder3", NULL, NULL},
    {"a draft waiting in Drafts", "2026-10-27", drafted_second, 0, 0, 0, 0, NULL, NULL,
     "FV/1: the second reminder is already planned and waits for you"},
    /* Promise of Tuesday 10-27, grace 2 working days: rests up to Thursday 10-29. */
    {"promise pending", "2026-10-28", promised, 0, 0, 0, 0, NULL, NULL,
     "FV/1: no reminder: client promised to pay by 2026-10-27 (promises kept 2, broken 1)"},
    {"promise within grace", "2026-10-29", promised, 0, 0, 0, 0, NULL, NULL,
     "client promised to pay by 2026-10-27"},
    {"promise broken", "2026-10-30", promised, 1, PLAN_EMAIL, PLAN_TASK_NONE, 4, "promise-broken",
     "promise of 2026-10-27 broken: reminder refers to it", NULL},
    {"broken promise already recorded", "2026-11-02", broken_recorded, 1, PLAN_EMAIL,
     PLAN_TASK_NONE, 4, "promise-broken", "promise of 2026-10-27 broken", NULL},
    /* Disputed: the acknowledgement once, and a task. */
    {"disputed", "2026-10-26", disputed, 2, PLAN_EMAIL, PLAN_TASK_NONE, 0, "dispute-ack",
     "FV/1 disputed: acknowledge the dispute", "FV/1: disputed — no reminder, resolve the dispute"},
    {"disputed and acknowledged", "2026-10-26", disputed_acknowledged, 1, PLAN_TASK,
     PLAN_TASK_RESOLVE_DISPUTE, 0, NULL, "FV/1 is disputed", NULL},
    {"payment claimed", "2026-10-26", payment_claimed, 1, PLAN_TASK, PLAN_TASK_CONFIRM_PAYMENT, 0,
     NULL, "confirm the payment", "FV/1: payment claimed — no reminder"},
    {"paid", "2026-10-26", paid, 0, 0, 0, 0, NULL, NULL, NULL},
    {"partial: chasing continues", "2026-10-26", partial, 1, PLAN_EMAIL, PLAN_TASK_NONE, 3,
     "reminder2", "second reminder", NULL},
    {"away", "2026-10-26", away, 0, 0, 0, 0, NULL, NULL,
     "away until 2026-10-30 (auto-reply) — no contact before then (waiting: FV/1)"},
    {"back from away", "2026-10-26", back_from_away, 1, PLAN_EMAIL, PLAN_TASK_NONE, 3, "reminder2",
     NULL, NULL},
    {"one address bounced", "2026-10-26", one_bounced, 1, PLAN_EMAIL, PLAN_TASK_NONE, 3,
     "reminder2", "billing@mueller.example bounced, to accounts@mueller.example instead", NULL},
    {"every address bounced", "2026-10-26", all_bounced, 1, PLAN_CALL, PLAN_TASK_FIX_ADDRESS, 3,
     NULL, "every address bounced (billing@mueller.example): call the client", NULL},
    {"reply owed", "2026-10-26", reply_owed, 1, PLAN_TASK, PLAN_TASK_REPLY_TO_CLIENT, 0, NULL, NULL,
     "reply owed — no reminder, answer the client first (waiting: FV/1)"},
    /* An unread reply: no reminder, a task to read it, whatever came after it. */
    {"unread reply", "2026-10-26", unread, 1, PLAN_TASK, PLAN_TASK_READ_REPLY, 0, NULL,
     "read the reply of 2026-10-21 from billing@mueller.example (\"Re: FV/1\"): no rule could "
     "read it; record what it says with dunmail message set r1@mueller.example --class CLASS",
     "unread reply of 2026-10-21 — no reminder until you read it and record what it says "
     "(waiting: FV/1)"},
    {"unread reply, weeks later", "2026-11-26", unread_long_ago, 1, PLAN_TASK, PLAN_TASK_READ_REPLY,
     0, NULL, "read the reply of 2026-10-21", "unread reply of 2026-10-21"},
    /* Any reply by a person rests the chasing as the user's own mail does. */
    {"a reply yesterday", "2026-10-26", replied_yesterday, 0, 0, 0, 0, NULL, NULL,
     "the client wrote on 2026-10-25 — no reminder before 2026-10-30 (min_interval_days = 5) "
     "(waiting: FV/1)"},
    {"a reply 5 days ago", "2026-10-26", replied_5_days_ago, 1, PLAN_EMAIL, PLAN_TASK_NONE, 3,
     "reminder2", "second reminder", NULL},
    {"interval not over", "2026-10-26", mailed_3_days_ago, 0, 0, 0, 0, NULL, NULL,
     "last mail to the client on 2026-10-23 — no contact before 2026-10-28"},
    {"interval over", "2026-10-26", mailed_5_days_ago, 1, PLAN_EMAIL, PLAN_TASK_NONE, 3,
     "reminder2", NULL, NULL},
    {"a contact planned earlier today", "2026-10-26", planned_today, 0, 0, 0, 0, NULL, NULL,
     "today's contact is already planned and waits for you (waiting: FV/1)"},
    {"a contact planned on an earlier day", "2026-10-26", planned_yesterday, 1, PLAN_EMAIL,
     PLAN_TASK_NONE, 3, "reminder2", NULL, NULL},
    {"weekend", "2026-10-31", after_reminder1, 0, 0, 0, 0, NULL, NULL,
     "2026-10-31 is a weekend day — nothing planned, it waits for 2026-11-02"},
    {"after the weekend", "2026-11-02", after_reminder1, 1, PLAN_EMAIL, PLAN_TASK_NONE, 3,
     "reminder2", NULL, NULL},
    {"holiday", "2026-12-24", at_level6, 0, 0, 0, 0, NULL, NULL,
     "2026-12-24 is a holiday — nothing planned, it waits for 2026-12-28"},
    {"below the threshold", "2026-10-26", below_threshold, 0, 0, 0, 0, NULL, NULL,
     "FV/1: balance 9.99 EUR is below the threshold 10.00 EUR — not chased"},
    {"paused", "2026-10-26", paused, 0, 0, 0, 0, NULL, NULL, "chasing paused until 2026-11-01"},
    {"never chase", "2026-10-26", never, 0, 0, 0, 0, NULL, NULL, "never chased"},
    {"named policy", "2026-10-26", gentle, 1, PLAN_EMAIL, PLAN_TASK_NONE, 1, "reminder1",
     "FV/1 is 14 days overdue: first reminder", NULL},
    {"unknown named policy", "2026-10-26", unknown_policy, 0, 0, 0, 0, NULL, NULL,
     "policy \"vip\" is not defined"},
    {"call level", "2026-12-03", at_level5, 1, PLAN_CALL, PLAN_TASK_CALL, 6, NULL,
     "FV/1 is 52 days overdue: phone call", NULL},
    {"letter level", "2026-12-11", at_level6, 1, PLAN_LETTER, PLAN_TASK_LETTER, 7, "letter",
     "FV/1 is 60 days overdue: letter", NULL},
    {"prenote with discount", "2026-10-05", early_discount, 1, PLAN_EMAIL, PLAN_TASK_NONE, 1,
     "prenote", "FV/1 is due in 7 days: notice before the due date", NULL},
};

static bool
some_skip_contains(const plan *p, const char *text)
{
	for (size_t i = 0; i < p->n_skipped; i++)
		if (strstr(p->skipped[i].reason, text) != NULL)
			return true;
	return false;
}

static void
print_plan(const plan *p)
{
	for (size_t i = 0; i < p->n_items; i++)
		print_message(
		    "    item %s/%s level %d: %s\n", plan_item_kind_name(p->items[i].kind),
		    plan_task_kind_name(p->items[i].task), p->items[i].level, p->items[i].reason);
	for (size_t i = 0; i < p->n_skipped; i++)
		print_message("    skipped: %s\n", p->skipped[i].reason);
}

/* Runs every case and reports all that fail, by name. */
static void
test_rules_table(void **state)
{
	fixture *f = *state;
	int failures = 0;

	for (size_t n = 0; n < G_N_ELEMENTS(cases); n++) {
		const plan_case *tc = &cases[n];
		plan_invoice inv = base_invoice();
		plan_client client = base_client(&inv, 1);
		plan *p;
		GString *why = g_string_new(NULL);

		if (tc->setup != NULL)
			tc->setup(&client, &inv);
		p = plan_compute(f->policies, &client, 1, iso(tc->today));
		if (p->n_items != tc->n_items) {
			g_string_append_printf(why, "%zu items, expected %zu; ", p->n_items,
			                       tc->n_items);
		} else if (tc->n_items > 0) {
			const plan_item *it = &p->items[0];
			if (it->kind != tc->kind)
				g_string_append_printf(why, "kind %s; ",
				                       plan_item_kind_name(it->kind));
			if (it->task != tc->task)
				g_string_append_printf(why, "task %s; ",
				                       plan_task_kind_name(it->task));
			if (it->level != tc->level)
				g_string_append_printf(why, "level %d; ", it->level);
			if (g_strcmp0(it->template_kind, tc->template_kind) != 0)
				g_string_append_printf(why, "template %s; ",
				                       it->template_kind ? it->template_kind
				                                         : "(none)");
			if (tc->reason != NULL && strstr(it->reason, tc->reason) == NULL)
				g_string_append_printf(why, "reason \"%s\"; ", it->reason);
			if (it->client != &client)
				g_string_append(why, "client not set; ");
		}
		if (tc->skip != NULL && !some_skip_contains(p, tc->skip))
			g_string_append_printf(why, "no skipped entry \"%s\"; ", tc->skip);
		if (why->len > 0) {
			print_message("FAIL %s: %s\n", tc->name, why->str);
			print_plan(p);
			failures++;
		}
		g_string_free(why, TRUE);
		plan_free(p);
	}
	assert_int_equal(failures, 0);
}

/* Every default level is reached on its exact day, and not the day before. */
static void
test_levels_on_their_day(void **state)
{
	static const struct {
		const char *day_before, *day;
		plan_item_kind kind;
		const char *template_kind;
	} ladder[] = {
	    {"2026-10-02", "2026-10-05", PLAN_EMAIL, "prenote"},
	    {"2026-10-12", "2026-10-13", PLAN_EMAIL, "reminder1"},
	    {"2026-10-23", "2026-10-26", PLAN_EMAIL, "reminder2"},
	    {"2026-11-10", "2026-11-11", PLAN_EMAIL, "reminder3"},
	    {"2026-11-25", "2026-11-26", PLAN_EMAIL, "final"},
	    {"2026-12-02", "2026-12-03", PLAN_CALL, NULL},
	    {"2026-12-10", "2026-12-11", PLAN_LETTER, "letter"},
	};
	fixture *f = *state;

	for (size_t level = 1; level <= G_N_ELEMENTS(ladder); level++) {
		plan_invoice inv = base_invoice();
		plan_client client = base_client(&inv, 1);
		plan *p;

		inv.level = (int)level - 1;
		/* The day before is a working day (checked below): the level is really not due. */
		assert_true(dm_date_is_working_day(iso(ladder[level - 1].day_before), NULL, 0));
		p = plan_compute(f->policies, &client, 1, iso(ladder[level - 1].day_before));
		assert_int_equal(p->n_items, 0);
		plan_free(p);

		p = plan_compute(f->policies, &client, 1, iso(ladder[level - 1].day));
		assert_int_equal(p->n_items, 1);
		assert_int_equal(p->items[0].level, (int)level);
		assert_int_equal(p->items[0].kind, ladder[level - 1].kind);
		assert_string_equal(p->items[0].level_kind,
		                    policy_set_default(f->policies)->levels[level - 1].kind);
		if (ladder[level - 1].template_kind == NULL)
			assert_null(p->items[0].template_kind);
		else
			assert_string_equal(p->items[0].template_kind,
			                    ladder[level - 1].template_kind);
		/* +cc on reminder3 only; the payment plan offered there only. */
		if (level == 4) {
			assert_ptr_equal(p->items[0].cc, escalation);
			assert_true(p->items[0].plan_offer);
		} else {
			assert_null(p->items[0].cc);
			assert_false(p->items[0].plan_offer);
		}
		if (ladder[level - 1].kind == PLAN_EMAIL) {
			assert_string_equal(p->items[0].to, "billing@mueller.example");
			assert_string_equal(p->items[0].in_reply_to, "<fv1@example.com>");
		} else {
			assert_null(p->items[0].to);
		}
		plan_free(p);
	}
}

/* Several invoices due at the same level: one e-mail listing all. */
static void
test_consolidated_reminder(void **state)
{
	fixture *f = *state;
	plan_invoice invs[3] = {base_invoice(), base_invoice(), base_invoice()};
	plan_client client = base_client(invs, 3);
	plan *p;

	invs[0].level = invs[1].level = 2;
	invs[1].id = 2;
	invs[1].number = "FV/2";
	invs[1].due = iso("2026-10-10");
	invs[1].thread_message_id = "<fv2@example.com>";
	/* FV/3 is younger: only its first reminder is due, and it waits. */
	invs[2].id = 3;
	invs[2].number = "FV/3";
	invs[2].due = iso("2026-10-20");

	p = plan_compute(f->policies, &client, 1, iso("2026-10-26"));
	assert_int_equal(p->n_items, 1);
	assert_int_equal(p->items[0].kind, PLAN_EMAIL);
	assert_int_equal(p->items[0].level, 3);
	assert_string_equal(p->items[0].template_kind, "statement");
	assert_int_equal(p->items[0].n_invoices, 2);
	assert_int_equal(p->items[0].invoices[0].invoice->id, 1);
	assert_int_equal(p->items[0].invoices[1].invoice->id, 2);
	assert_int_equal(p->items[0].invoices[1].days_overdue, 16);
	/* A statement starts its own conversation. */
	assert_null(p->items[0].in_reply_to);
	assert_string_equal(p->items[0].reason,
	                    "FV/1, FV/2 are due: second reminder, one e-mail for 2 invoices");
	assert_true(some_skip_contains(p, "FV/3: the first reminder waits — one contact a day, "
	                                  "FV/1, FV/2 gets the second reminder today"));
	assert_int_equal(p->skipped[0].invoice_id, 3);
	plan_free(p);
}

/* A dispute acknowledgement is the day's e-mail; other invoices wait. */
static void
test_dispute_ack_goes_first(void **state)
{
	fixture *f = *state;
	plan_invoice invs[2] = {base_invoice(), base_invoice()};
	plan_client client = base_client(invs, 2);
	plan *p;

	invs[0].status = INVOICE_DISPUTED;
	invs[0].level = 2;
	invs[1].id = 2;
	invs[1].number = "FV/2";
	invs[1].level = 2;
	p = plan_compute(f->policies, &client, 1, iso("2026-10-26"));
	assert_int_equal(p->n_items, 2);
	assert_string_equal(p->items[0].template_kind, "dispute-ack");
	assert_int_equal(p->items[0].n_invoices, 1);
	assert_int_equal(p->items[0].invoices[0].invoice->id, 1);
	assert_int_equal(p->items[1].task, PLAN_TASK_RESOLVE_DISPUTE);
	assert_true(some_skip_contains(
	    p, "FV/2: reminders wait — the dispute acknowledgement is today's e-mail"));
	plan_free(p);
}

/*
 * Statutory interest through draft/charges.h, worked by hand.  FV/9 of
 * 1 000,00 EUR, due Monday 2026-06-15; its final notice (day 45) falls on
 * Thursday 2026-07-30.  Late days: 16-30 June (15 days at 2.15 + 8 =
 * 10.15 %) and 1-30 July (30 days at 2.40 + 8 = 10.40 %):
 *   100 000 x (15 x 1015 + 30 x 1040) / (10 000 x 365)
 *   = 100 000 x 46 425 / 3 650 000 = 1 271.92 -> 12,72 EUR
 * plus the 40,00 EUR compensation: 1 052,72 EUR in all.
 */
static void
test_statutory_interest_worked_example(void **state)
{
	fixture *f = *state;
	plan_invoice inv = base_invoice();
	plan_client client = base_client(&inv, 1);
	const plan_item_invoice *entry;
	plan *p;

	client.policy = "statutory";
	inv.number = "FV/9";
	inv.issued = iso("2026-06-01");
	inv.due = iso("2026-06-15");
	inv.level = 4;
	p = plan_compute(f->policies, &client, 1, iso("2026-07-30"));
	assert_int_equal(p->n_items, 1);
	assert_string_equal(p->items[0].template_kind, "final");
	assert_true(p->items[0].mention_fees);
	entry = &p->items[0].invoices[0];
	assert_true(entry->fees);
	assert_int_equal(entry->charges.days_late, 45);
	assert_int_equal(entry->charges.interest, 1272);
	assert_int_equal(entry->charges.compensation, 4000);
	assert_int_equal(entry->charges.late_fee, 0);
	assert_int_equal(entry->charges.total_due, 105272);
	assert_null(p->warnings[0]);
	plan_free(p);

	/* A reminder does not print charges, even in statutory mode. */
	inv.level = 2;
	p = plan_compute(f->policies, &client, 1, iso("2026-07-15"));
	assert_int_equal(p->n_items, 1);
	assert_string_equal(p->items[0].level_kind, "reminder3");
	assert_false(p->items[0].mention_fees);
	assert_false(p->items[0].invoices[0].fees);
	plan_free(p);

	/* No equivalent for CHF: interest shown, compensation left out, a warning. */
	inv.level = 4;
	inv.currency = "CHF";
	p = plan_compute(f->policies, &client, 1, iso("2026-07-30"));
	entry = &p->items[0].invoices[0];
	assert_true(entry->fees);
	assert_int_equal(entry->charges.interest, 1272);
	assert_int_equal(entry->charges.compensation, 0);
	assert_non_null(p->warnings[0]);
	assert_non_null(strstr(p->warnings[0], "FV/9 (CHF): the policy has no "
	                                       "compensation_equivalent_CHF"));
	plan_free(p);
}

/* The default policy charges nothing: a final notice mentions no fees. */
static void
test_no_fees_by_default(void **state)
{
	fixture *f = *state;
	plan_invoice inv = base_invoice();
	plan_client client = base_client(&inv, 1);
	plan *p;

	inv.level = 4;
	p = plan_compute(f->policies, &client, 1, iso("2026-11-26"));
	assert_int_equal(p->n_items, 1);
	assert_string_equal(p->items[0].template_kind, "final");
	assert_false(p->items[0].mention_fees);
	assert_int_equal(p->items[0].invoices[0].charges.total_due, 100000);
	plan_free(p);
}

static void
test_discount_and_promise_flags(void **state)
{
	fixture *f = *state;
	plan_invoice inv = base_invoice();
	plan_client client = base_client(&inv, 1);
	plan *p;

	/* 2 % within 14 days of 2026-10-01: still earned at the prenote. */
	inv.discount_bp = 200;
	inv.discount_days = 14;
	p = plan_compute(f->policies, &client, 1, iso("2026-10-05"));
	assert_true(p->items[0].discount);
	assert_true(p->items[0].invoices[0].discount);
	assert_int_equal(p->items[0].invoices[0].discount_amount, 2000);
	assert_int_equal(p->items[0].invoices[0].discount_until, iso("2026-10-15"));
	assert_int_equal(p->items[0].invoices[0].days_overdue, -7);
	plan_free(p);

	/* Past the deadline it is not mentioned. */
	inv.level = 2;
	p = plan_compute(f->policies, &client, 1, iso("2026-10-26"));
	assert_false(p->items[0].discount);
	plan_free(p);

	/* The broken promise's date reaches the draft. */
	inv.status = INVOICE_PROMISED;
	inv.level = 3;
	inv.promised_date = iso("2026-10-27");
	p = plan_compute(f->policies, &client, 1, iso("2026-10-30"));
	assert_true(p->items[0].promise_broken);
	assert_int_equal(p->items[0].promised_date, iso("2026-10-27"));
	assert_true(p->items[0].invoices[0].promise_broken);
	plan_free(p);
}

/* Several clients: each planned on its own, in order. */
static void
test_several_clients(void **state)
{
	fixture *f = *state;
	plan_invoice a = base_invoice(), b = base_invoice();
	plan_client clients[2];
	plan *p;

	a.level = 2;
	b.id = 2;
	b.number = "B/1";
	b.status = INVOICE_DISPUTED;
	b.dispute_acknowledged = true;
	clients[0] = base_client(&a, 1);
	clients[1] = base_client(&b, 1);
	clients[1].id = 8;
	clients[1].name = "Kowalski sp. z o.o.";
	p = plan_compute(f->policies, clients, 2, iso("2026-10-26"));
	assert_int_equal(p->n_items, 2);
	assert_ptr_equal(p->items[0].client, &clients[0]);
	assert_int_equal(p->items[0].kind, PLAN_EMAIL);
	assert_ptr_equal(p->items[1].client, &clients[1]);
	assert_int_equal(p->items[1].task, PLAN_TASK_RESOLVE_DISPUTE);
	assert_int_equal(p->n_skipped, 1);
	assert_ptr_equal(p->skipped[0].client, &clients[1]);
	assert_string_equal(p->skipped[0].reason,
	                    "B/1: disputed — no reminder, resolve the dispute");
	assert_int_equal(p->today, iso("2026-10-26"));
	plan_free(p);
}

/*
 * The read-reply task carries the reply (for the caller's columns) and the
 * invoices it is linked to; two unread replies are two tasks; a dispute's
 * acknowledgement waits for them too, being the user's word to the client.
 */
static void
test_unread_replies_tasks(void **state)
{
	static const int64_t both[] = {2, 1};
	static const plan_reply replies[] = {
	    {"r1@mueller.example", 0, "billing@mueller.example", "Re: FV/1", both, 2},
	    {"r2@mueller.example", DM_DATE_NONE, NULL, NULL, NULL, 0},
	};
	fixture *f = *state;
	plan_invoice invs[2] = {base_invoice(), base_invoice()};
	plan_client client = base_client(invs, 2);
	plan_reply dated[2];
	plan *p;

	memcpy(dated, replies, sizeof dated);
	dated[0].date = iso("2026-10-20");
	invs[0].level = 2;
	invs[1].id = 2;
	invs[1].number = "FV/2";
	invs[1].status = INVOICE_DISPUTED;
	client.unread_replies = dated;
	client.n_unread_replies = 2;
	p = plan_compute(f->policies, &client, 1, iso("2026-10-26"));
	assert_int_equal(p->n_items, 3);
	assert_int_equal(p->items[0].task, PLAN_TASK_RESOLVE_DISPUTE);
	assert_int_equal(p->items[1].task, PLAN_TASK_READ_REPLY);
	assert_ptr_equal(p->items[1].reply, &dated[0]);
	assert_string_equal(plan_task_kind_name(p->items[1].task), "read_reply");
	assert_int_equal(p->items[1].n_invoices, 2);
	assert_int_equal(p->items[1].invoices[0].invoice->id, 2);
	assert_int_equal(p->items[1].invoices[1].invoice->id, 1);
	assert_int_equal(p->items[1].invoices[1].days_overdue, 14);
	assert_int_equal(p->items[2].task, PLAN_TASK_READ_REPLY);
	assert_ptr_equal(p->items[2].reply, &dated[1]);
	assert_int_equal(p->items[2].n_invoices, 0);
	assert_string_equal(p->items[2].reason,
	                    "read the reply of an unknown day from the client: no rule could "
	                    "read it; record what it says with dunmail message set "
	                    "r2@mueller.example --class CLASS");
	for (size_t i = 0; i < p->n_items; i++)
		assert_int_not_equal(p->items[i].kind, PLAN_EMAIL);
	assert_true(some_skip_contains(p, "2 unread replies, the first of 2026-10-20 — no reminder "
	                                  "until you read them and record what they say (waiting: "
	                                  "FV/1)"));
	plan_free(p);

	/* Read: the acknowledgement and the reminder are back, the rest after
	 * the reply of the 20th being over. */
	client.n_unread_replies = 0;
	client.last_incoming = iso("2026-10-20");
	p = plan_compute(f->policies, &client, 1, iso("2026-10-26"));
	assert_int_equal(p->items[0].kind, PLAN_EMAIL);
	assert_string_equal(p->items[0].template_kind, "dispute-ack");
	plan_free(p);
}

/* A reply rests the reminders, not the acknowledgement of a dispute it made. */
static void
test_reply_rest_lets_the_acknowledgement_go(void **state)
{
	fixture *f = *state;
	plan_invoice invs[2] = {base_invoice(), base_invoice()};
	plan_client client = base_client(invs, 2);
	plan *p;

	invs[0].level = 2;
	invs[0].status = INVOICE_DISPUTED;
	invs[1].id = 2;
	invs[1].number = "FV/2";
	invs[1].level = 2;
	client.last_incoming = iso("2026-10-23");
	p = plan_compute(f->policies, &client, 1, iso("2026-10-26"));
	assert_int_equal(p->items[0].kind, PLAN_EMAIL);
	assert_string_equal(p->items[0].template_kind, "dispute-ack");
	plan_free(p);
	/* Acknowledged: FV/2's reminder waits for the 28th, then goes. */
	invs[0].dispute_acknowledged = true;
	p = plan_compute(f->policies, &client, 1, iso("2026-10-27"));
	assert_int_equal(p->n_items, 1);
	assert_int_equal(p->items[0].task, PLAN_TASK_RESOLVE_DISPUTE);
	assert_true(some_skip_contains(p, "the client wrote on 2026-10-23 — no reminder before "
	                                  "2026-10-28 (min_interval_days = 5) (waiting: FV/2)"));
	plan_free(p);
	p = plan_compute(f->policies, &client, 1, iso("2026-10-28"));
	assert_int_equal(p->n_items, 2);
	assert_int_equal(p->items[0].kind, PLAN_EMAIL);
	assert_int_equal(p->items[0].invoices[0].invoice->id, 2);
	plan_free(p);
}

/* On a weekend nothing is planned, and the day's own reasons are not given either. */
static void
test_weekend_says_only_that(void **state)
{
	fixture *f = *state;
	plan_invoice invs[2] = {base_invoice(), base_invoice()};
	plan_client client = base_client(invs, 2);
	plan *p;

	invs[0].level = 2;
	invs[1].id = 2;
	invs[1].number = "FV/2";
	invs[1].status = INVOICE_DISPUTED;
	p = plan_compute(f->policies, &client, 1, iso("2026-10-31"));
	assert_int_equal(p->n_items, 0);
	assert_int_equal(p->n_skipped, 1);
	assert_string_equal(
	    p->skipped[0].reason,
	    "2026-10-31 is a weekend day — nothing planned, it waits for 2026-11-02");
	assert_int_equal(p->skipped[0].invoice_id, 0);
	plan_free(p);

	/* Nothing due: nothing said. */
	invs[0].level = 3;
	invs[1].status = INVOICE_PAID;
	invs[1].balance = 0;
	p = plan_compute(f->policies, &client, 1, iso("2026-10-31"));
	assert_int_equal(p->n_items, 0);
	assert_int_equal(p->n_skipped, 0);
	plan_free(p);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(plan_item_kind_name(PLAN_LETTER), "letter");
	assert_string_equal(plan_task_kind_name(PLAN_TASK_FIX_ADDRESS), "fix_address");
	assert_string_equal(plan_task_kind_name(PLAN_TASK_NONE), "");
	assert_string_equal(policy_channel_name(POLICY_CHANNEL_CALL), "call");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_table),
	    cmocka_unit_test(test_levels_on_their_day),
	    cmocka_unit_test(test_consolidated_reminder),
	    cmocka_unit_test(test_dispute_ack_goes_first),
	    cmocka_unit_test(test_statutory_interest_worked_example),
	    cmocka_unit_test(test_no_fees_by_default),
	    cmocka_unit_test(test_discount_and_promise_flags),
	    cmocka_unit_test(test_several_clients),
	    cmocka_unit_test(test_unread_replies_tasks),
	    cmocka_unit_test(test_reply_rest_lets_the_acknowledgement_go),
	    cmocka_unit_test(test_weekend_says_only_that),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
