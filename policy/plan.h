/*
 * The morning planner: as of a date, which clients are due a contact (an
 * e-mail draft at some level, a letter, a call) or a task for the user, and
 * just as much, what NOT to do because it would embarrass the user.
 *
 * The planner is pure: the caller fills a snapshot of clients and their
 * invoices (from the store and the mailbox), the planner reads it with a
 * policy set and returns items and skipped entries.  It records nothing;
 * the caller writes drafts, records broken promises and sent levels.
 *
 * Decisions, each a rule of plan_compute (doc/dunmail.conf.5 tells users):
 *
 * - Level due.  The level due for an invoice is the highest whose due date +
 *   offset has come and that is above the level already sent.  An invoice
 *   whose ladder fell behind (imported late, dunmail paused) goes straight
 *   to the highest level due: a first reminder 30 days late would read as
 *   if nobody had noticed.  A level is never sent twice, nor one the user
 *   discarded (level_discarded), nor one whose draft, letter or call
 *   still waits for the user (drafted_level).
 * - One contact per client per day.  Invoices due at the same level go out
 *   in one consolidated e-mail listing all of them (template "statement"
 *   when there are several).  When invoices are due at different levels,
 *   the highest level goes out and the others wait (a skipped entry says
 *   so); min_interval_days then spaces the next contact.
 * - Promises.  A promised invoice rests until promised_date + grace working
 *   days.  After that, still unpaid, the promise is broken: the item says so
 *   (promise_broken, promised_date), the caller records it, and the next
 *   level comes due at once, because the ladder was paused by the promise.
 *   An open invoice that still carries a promised_date is a broken promise
 *   no reminder has referred to yet; it is flagged the same way until the
 *   caller clears the date after sending.  A single reminder-level e-mail
 *   about a broken promise uses the "promise-broken" template.
 * - Disputed: no reminder; a resolve_dispute task; and one dispute-ack
 *   e-mail while dispute_acknowledged is false.  The acknowledgement is the
 *   client's e-mail of the day: other reminders wait.
 * - Payment claimed (paid, balance left): no reminder; a confirm_payment task.
 * - reply_owed: no reminder to that client; a reply_to_client task.
 * - Unread replies (a person wrote and no rule could read it): no contact
 *   with that client, whatever it wrote since, and a read_reply task per
 *   reply, until the user records what it says (the caller stops listing
 *   it).  Treating it as "nothing to act on" would chase a client who may
 *   have answered everything.
 * - away_until, paused_until in the future, min_interval_days since
 *   last_outgoing: no contact; tasks are still listed.  never_chase: nothing.
 * - The client's own reply rests the chasing as the user's mail does: no
 *   reminder within min_interval_days of last_incoming (any reply by a
 *   person, "thanks, forwarded to accounts" too).  A dispute's
 *   acknowledgement is not a reminder and still goes.
 * - Bounces: the e-mail goes to the first usable address; with none, a CALL
 *   item (task fix_address) replaces it.
 * - Weekends (skip_weekends) and holidays of the client's policy: nothing
 *   is planned that day, tasks included; a due item waits for the next
 *   working day.
 * - threshold: a balance below it is not chased.
 * - Charges (late fee, interest, compensation) are computed with
 *   draft/charges.h for the levels whose template mentions them (final,
 *   letter); the early-payment discount is flagged while it still applies.
 */
#ifndef DUNMAIL_POLICY_PLAN_H
#define DUNMAIL_POLICY_PLAN_H

#include "common/date.h"
#include "draft/charges.h"
#include "policy/policy.h"
#include "store/store.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One invoice of a client, as the caller knows it today.  Strings are borrowed. */
typedef struct {
	int64_t id;
	const char *number;
	int64_t amount, balance; /* minor units of currency */
	const char *currency;
	dm_date issued, due;
	invoice_status status;
	dm_date promised_date;          /* DM_DATE_NONE; see "Promises" above */
	int level;                      /* highest level already sent (0 none) */
	bool level_discarded;           /* the user deleted the draft for level+1 without sending */
	int drafted_level;              /* its draft, letter or call waits for the user (0 none) */
	bool payment_claimed;           /* the client says it paid; balance still open */
	bool dispute_acknowledged;      /* a dispute-ack was sent (or the user answered himself) */
	int discount_bp, discount_days; /* early-payment discount terms, 0 = none */
	const char *thread_message_id;  /* last message of its conversation, or NULL */
} plan_invoice;

/*
 * A reply of the client that no rule could read and the user has not read
 * yet ("unrecognised").  Strings are borrowed.
 */
typedef struct {
	const char *message_id;     /* without <> */
	dm_date date;               /* its Date header's day, DM_DATE_NONE */
	const char *from;           /* the sender's address, or NULL */
	const char *subject;        /* or NULL */
	const int64_t *invoice_ids; /* the invoices it is linked to (n_invoice_ids) */
	size_t n_invoice_ids;
} plan_reply;

/* One client.  Arrays are NULL-terminated and may be NULL (= empty); all borrowed. */
typedef struct {
	int64_t id;
	const char *name;
	const char *language;
	const char *const *emails;  /* usable billing addresses (not bounced), in order */
	const char *const *bounced; /* addresses flagged after a bounce */
	const char *const *cc;      /* escalation contacts */
	const char *policy;         /* a named policy, or NULL for the default */
	dm_date paused_until;       /* DM_DATE_NONE, or no contact before this date */
	bool never_chase;
	dm_date last_outgoing; /* the user's last mail to the client, DM_DATE_NONE */
	dm_date last_incoming; /* the client's last mail written by a person, DM_DATE_NONE */
	bool reply_owed;       /* the client's last message awaits an answer */
	const plan_reply *unread_replies; /* oldest first; n_unread_replies of them */
	size_t n_unread_replies;
	dm_date away_until;    /* latest auto-reply return date, DM_DATE_NONE */
	dm_date last_planned;  /* newest contact planned (draft, call, letter) and not thrown away */
	int promises_kept, promises_broken;
	const plan_invoice *invoices;
	size_t n_invoices;
} plan_client;

typedef enum {
	PLAN_EMAIL,  /* write a draft */
	PLAN_LETTER, /* the user prints and posts a letter */
	PLAN_CALL,   /* the user phones the client */
	PLAN_TASK,   /* something else for the user to do */
} plan_item_kind;

typedef enum {
	PLAN_TASK_NONE,            /* PLAN_EMAIL */
	PLAN_TASK_RESOLVE_DISPUTE, /* look into the client's objection */
	PLAN_TASK_CONFIRM_PAYMENT, /* check the bank for the payment the client claims */
	PLAN_TASK_REPLY_TO_CLIENT, /* the client wrote and waits for an answer */
	PLAN_TASK_CALL,            /* a call level of the ladder */
	PLAN_TASK_LETTER,          /* a letter level of the ladder */
	PLAN_TASK_FIX_ADDRESS,     /* every address bounced: call for a working one */
	PLAN_TASK_READ_REPLY,      /* read a reply no rule could read, record what it says */
} plan_task_kind;

/* One invoice in an item, with what the draft says about it. */
typedef struct {
	const plan_invoice *invoice; /* borrowed from the caller's snapshot */
	int64_t days_overdue;        /* today - due; negative before the due date */
	bool promise_broken;         /* its promise (promised_date) was not kept */
	dm_date promised_date;
	bool fees;               /* charges computed and to be shown */
	charges_result charges;  /* when fees */
	bool discount;           /* early payment still earns the discount */
	int64_t discount_amount; /* minor units, when discount */
	dm_date discount_until;  /* last day for the discount, when discount */
} plan_item_invoice;

typedef struct {
	plan_item_kind kind;
	plan_task_kind task;
	const plan_client *client;   /* borrowed */
	const policy *policy;        /* the client's; owned by the policy set */
	plan_item_invoice *invoices; /* n_invoices of them; owned by the plan */
	size_t n_invoices;
	int level;                 /* ladder level 1..N, 0 for tasks and dispute-ack */
	const char *level_kind;    /* ladder kind ("reminder2"), NULL when level is 0 */
	const char *template_kind; /* the template to render; NULL for calls and tasks */
	const char *to;            /* first usable address; NULL when not an e-mail */
	const char *const *cc;     /* escalation contacts when the level has +cc, else NULL */
	const char *in_reply_to;   /* thread_message_id to thread under, or NULL */
	const plan_reply *reply;   /* PLAN_TASK_READ_REPLY: the reply to read (borrowed) */
	char *reason;              /* "FV/1 is 14 days overdue: second reminder" */
	bool promise_broken;       /* some invoice's promise was broken */
	dm_date promised_date;     /* the earliest broken promise, when promise_broken */
	bool mention_fees;         /* some invoice carries charges */
	bool discount;             /* some invoice still earns its discount */
	bool plan_offer;           /* offer a payment plan */
} plan_item;

/* Something the planner chose not to do, and why. */
typedef struct {
	const plan_client *client; /* borrowed */
	int64_t invoice_id;        /* 0 when it concerns the whole client */
	char *reason;              /* "FV/7: disputed — no reminder, resolve the dispute" */
} plan_skip;

/*
 * The result.  It borrows from the clients snapshot and the policy set:
 * both must outlive it.  Everything else belongs to the plan; free it with
 * plan_free.  Items and skipped entries come in the order of the clients.
 */
typedef struct {
	dm_date today;
	plan_item *items;
	size_t n_items;
	plan_skip *skipped;
	size_t n_skipped;
	char **warnings; /* NULL-terminated: configuration gaps met while planning */
} plan;

/*
 * Plans the day.  It cannot fail: what cannot be planned becomes a skipped
 * entry (an unknown named policy) or a warning (a currency without a
 * compensation equivalent, a reference rate missing for a half-year).
 */
plan *plan_compute(const policy_set *policies, const plan_client *clients, size_t n_clients,
                   dm_date today);
void plan_free(plan *plan);

/* "email", "letter", "call", "task".  Static string. */
const char *plan_item_kind_name(plan_item_kind kind);
/* "resolve_dispute", ..., "" for PLAN_TASK_NONE.  Static string. */
const char *plan_task_kind_name(plan_task_kind task);

#endif
