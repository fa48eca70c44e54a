/*
 * The store: dunmail's SQLite database, and the only code that speaks SQL.
 *
 * One store handle is one connection.  It runs in WAL mode with a busy
 * timeout, foreign keys on, and every change that touches several rows
 * inside one transaction, so a killed process never leaves half a change.
 * Every status change of an invoice writes an event saying when, why (a
 * command, or a message and the rule that matched) and from what to what.
 *
 * Memory: records returned by store_*_find/get/list belong to the caller
 * and are freed with their *_free function (lists: g_ptr_array_unref, the
 * array owns its records).  Strings inside a record belong to the record.
 */
#ifndef DUNMAIL_STORE_H
#define DUNMAIL_STORE_H

#include "common/date.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct store store;

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 4

typedef enum {
	STORE_OPEN_EXISTING = 0, /* fail with DM_ERROR_NOT_FOUND if the file is missing */
	STORE_OPEN_CREATE = 1,   /* create the file (mode 0600) and its directory */
	STORE_OPEN_READONLY = 2, /* never write; classify and reports use this */
} store_open_mode;

/*
 * Opens (and migrates) a database.  Fails with DM_ERROR_DATABASE when the
 * file is not a dunmail database or comes from a newer dunmail, and with
 * DM_ERROR_TEMPORARY when it stays locked past the busy timeout.
 */
store *store_open(const char *path, store_open_mode mode, GError **error);
void store_close(store *db);
const char *store_path(const store *db);
int store_schema_version(store *db);
/* Milliseconds to wait for a lock before giving up (default 10000). */
void store_set_busy_timeout(store *db, int milliseconds);

/*
 * Transactions.  The outermost store_begin takes the write lock at once
 * (BEGIN IMMEDIATE); nested ones are savepoints, so store_rollback undoes
 * only what was done since the matching store_begin.
 */
bool store_begin(store *db, GError **error);
bool store_commit(store *db, GError **error);
void store_rollback(store *db);
/* Inside store_begin .. store_commit (and SQLite did not end it after a failure)? */
bool store_in_transaction(const store *db);

/* Runs PRAGMA integrity_check and foreign_key_check; false with the first problem. */
bool store_check_integrity(store *db, GError **error);

/*
 * Where a change came from, written into every event: a command the user
 * ran ("invoice paid"), or a message (its store id) and the rule that
 * decided its class.
 */
typedef struct {
	const char *command;      /* NULL when a message caused the change */
	int64_t message_row;      /* messages.id, 0 when none */
	const char *rule_id;      /* NULL when none */
} store_source;

/* ---- clients (store/client.c) ------------------------------------------ */

typedef struct {
	int64_t id;
	char *name;
	char *language;      /* ISO 639-1 ("pl"), NULL when unknown */
	char *currency;      /* default currency, NULL when none */
	int payment_terms;   /* days, 0 when not set */
	bool has_credit_limit;
	int64_t credit_limit; /* minor units of currency */
	char *notes;
	char *policy;        /* policy override name, NULL for the default */
	char *postal_address; /* lines separated by "\n"; NULL when unknown */
	dm_date paused_until; /* DM_DATE_NONE when not paused */
	bool never_chase;
	GPtrArray *emails;   /* char *: billing addresses, in the order given */
	GPtrArray *domains;  /* char *: domains whose mail belongs to the client */
	GPtrArray *cc;       /* char *: escalation contacts */
	GPtrArray *bounced;  /* char *: addresses flagged after a bounce */
} store_client;

store_client *store_client_new(const char *name);
void store_client_free(store_client *client);

/* Adds a client; fails with DM_ERROR_CONFLICT on a duplicate name or an address owned by another client. */
bool store_client_add(store *db, store_client *client, GError **error);
/* By name (case-insensitive); DM_ERROR_NOT_FOUND when unknown. */
store_client *store_client_find(store *db, const char *name, GError **error);
store_client *store_client_get(store *db, int64_t id, GError **error);
/* The client owning an address, else the one owning its domain; NULL (no error) when none. */
store_client *store_client_find_by_address(store *db, const char *address, GError **error);
GPtrArray *store_client_list(store *db, GError **error);
bool store_client_set_language(store *db, int64_t client_id, const char *language,
			       const store_source *source, GError **error);
/*
 * The address letters go to, its lines separated by "\n"; NULL or ""
 * clears it.  A change writes a "postal_address" event (before, after).
 */
bool store_client_set_postal_address(store *db, int64_t client_id, const char *address,
				     const store_source *source, GError **error);
/*
 * Chasing overrides: a named policy (NULL = the default), a pause until a
 * date (DM_DATE_NONE = none), never chase.  One event says what changed.
 */
bool store_client_set_chasing(store *db, int64_t client_id, const char *policy,
			      dm_date paused_until, bool never_chase, const store_source *source,
			      GError **error);

/*
 * What the planner needs to know about a client's mail (store/activity.c).
 * Free what a get filled with store_client_activity_clear.
 */
typedef struct {
	dm_date last_outgoing;   /* the user's last mail to the client, DM_DATE_NONE */
	dm_date last_incoming;   /* the client's last message */
	bool reply_owed;         /* the client's last message asks something and is newer */
	char *reply_owed_class;  /* "question", "copy_requested", "plan_requested", or NULL */
	dm_date away_until;      /* the latest auto-reply return date, DM_DATE_NONE */
	int promises_kept;
	int promises_broken;
	int promises_open;
	/* store_message*: the client's unread messages (store_message_is_unread),
	 * oldest first, whatever came after them; never NULL after a get. */
	GPtrArray *unread_replies;
} store_client_activity;

bool store_client_activity_get(store *db, int64_t client_id, store_client_activity *activity,
			       GError **error);
void store_client_activity_clear(store_client_activity *activity);
/* The newest message of an invoice's conversation (to thread a reminder under), or NULL. */
char *store_invoice_last_message_id(store *db, int64_t invoice_id, GPtrArray *references,
				    GError **error);

/* ---- invoices (store/invoice.c) ----------------------------------------- */

typedef enum {
	INVOICE_OPEN,
	INVOICE_PROMISED,
	INVOICE_DISPUTED,
	INVOICE_PAID,
	INVOICE_PARTIAL,
	INVOICE_WRITTEN_OFF,
} invoice_status;

const char *invoice_status_name(invoice_status status);
bool invoice_status_parse(const char *name, invoice_status *status);
/* Statuses that still carry an open balance (open, promised, disputed, partial). */
bool invoice_status_is_open(invoice_status status);

typedef struct {
	int64_t id;
	char *issuer;          /* "" for the user's own invoices */
	char *number;
	int64_t client_id;
	char *client_name;     /* filled by find/list */
	int64_t amount;        /* minor units */
	int64_t balance;       /* minor units still owed */
	char currency[4];
	dm_date issued;
	dm_date due;
	invoice_status status;
	dm_date promised_date; /* DM_DATE_NONE when none */
	int level;             /* last reminder level sent, 0 if none */
	char *sent_message_id; /* Message-ID of the e-mail that sent it, or NULL */
	char *dispute_note;    /* or NULL */
	int64_t disputed_amount; /* the part the client contests (minor units), 0 = all of it */
	invoice_status status_before_dispute;
	int discount_bp;       /* early-payment discount, basis points (200 = 2 %), 0 = none */
	int discount_days;     /* ... if paid within this many days of issue */
	int64_t parent_id;     /* the invoice an instalment belongs to, 0 when none */
	dm_date paid_on;       /* the day the last payment settled it, DM_DATE_NONE */
} store_invoice;

store_invoice *store_invoice_new(void);
void store_invoice_free(store_invoice *invoice);

/*
 * Adds an invoice (status open, balance = amount unless set) and its
 * "created" event.  DM_ERROR_CONFLICT when the number exists for the issuer.
 */
bool store_invoice_add(store *db, store_invoice *invoice, const store_source *source,
		       GError **error);
/* By number for the user's own invoices; DM_ERROR_NOT_FOUND when unknown. */
store_invoice *store_invoice_find(store *db, const char *number, GError **error);
store_invoice *store_invoice_get(store *db, int64_t id, GError **error);

typedef struct {
	bool by_status;
	invoice_status status;
	int64_t client_id; /* 0 for all */
	bool open_only;    /* only statuses with an open balance */
} store_invoice_filter;

/* Invoices ordered by due date, then number. */
GPtrArray *store_invoice_list(store *db, const store_invoice_filter *filter, GError **error);

/*
 * A number that changes whenever invoices may have been added, by this
 * connection or by another process (PRAGMA data_version), and that no
 * other store in the process ever returns: what is derived from the
 * invoice list (the matcher's number index) can be kept while it stays.
 */
uint64_t store_invoice_generation(store *db);

/*
 * Records a payment: the balance goes down by amount (the whole balance
 * when amount is 0); the status becomes paid or partial.  Fails with
 * DM_ERROR_INPUT when amount exceeds the balance or the invoice is closed.
 */
bool store_invoice_record_payment(store *db, int64_t invoice_id, int64_t amount, dm_date on,
				  const store_source *source, GError **error);
/*
 * Marks a dispute (chasing stops) with an optional note (the reason) and
 * the part of the balance contested (minor units, 0 = all of it).  Fails
 * with DM_ERROR_INPUT when amount exceeds the balance, DM_ERROR_CONFLICT on
 * a closed or already disputed invoice.
 */
bool store_invoice_dispute(store *db, int64_t invoice_id, const char *note, int64_t amount,
			   const store_source *source, GError **error);
/* Ends a dispute: the status goes back to what it was before. */
bool store_invoice_resolve(store *db, int64_t invoice_id, const store_source *source,
			   GError **error);
/*
 * A promise to pay by a date, made on made_on (the reply's date; today when
 * DM_DATE_NONE): status promised, promised_date set, a promise row.
 */
bool store_invoice_promise(store *db, int64_t invoice_id, dm_date by, dm_date made_on,
			   const store_source *source, GError **error);
/* The client says it paid: status paid (to be confirmed), balance unchanged. */
bool store_invoice_claim_paid(store *db, int64_t invoice_id, const store_source *source,
			      GError **error);
bool store_invoice_write_off(store *db, int64_t invoice_id, const store_source *source,
			     GError **error);
bool store_invoice_add_note(store *db, int64_t invoice_id, const char *text,
			    const store_source *source, GError **error);
/* Sets the early-payment discount terms (basis points, days from issue). */
bool store_invoice_set_discount(store *db, int64_t invoice_id, int discount_bp,
				int discount_days, GError **error);
/* Records that a reminder level was sent for an invoice (never lowers it). */
bool store_invoice_set_level(store *db, int64_t invoice_id, int level,
			     const store_source *source, GError **error);

/*
 * A payment plan: the balance split into parts instalments, each an
 * invoice "NUMBER/i" of its own (parent_id set) due every_days apart from
 * first, chased on its own; the original's balance moves to them.
 */
bool store_invoice_plan(store *db, int64_t invoice_id, int parts, int every_days, dm_date first,
			const store_source *source, GError **error);
/* The instalments of an invoice, by due date (empty when it has no plan). */
GPtrArray *store_invoice_instalments(store *db, int64_t invoice_id, GError **error);

/* Payment behaviour of a client, for the reliability report (store/activity.c). */
typedef struct {
	int invoices;          /* all invoices (instalments counted, planned parents not) */
	int paid;              /* paid in full, confirmed */
	int paid_on_time;      /* ... on or before the due date */
	int64_t days_late_sum; /* over the paid ones, days after the due date (0 when on time) */
	char currency[4];      /* the currency the client is invoiced in most */
	int64_t invoiced_year; /* invoiced in that currency over the last 365 days, minor units */
	int64_t open_balance;  /* open balance in that currency */
} store_client_payments;

bool store_client_payments_get(store *db, int64_t client_id, dm_date today,
			       store_client_payments *payments, GError **error);

/* ---- promises (store/promise.c) ----------------------------------------- */

typedef struct {
	int64_t id;
	int64_t invoice_id;
	char *invoice_number;
	char *client_name;
	dm_date made_on;
	dm_date promised_date;
	char *state;          /* open, kept, broken, replaced */
	dm_date settled_on;   /* DM_DATE_NONE while open */
} store_promise;

void store_promise_free(store_promise *promise);
/* Every promise, newest first. */
GPtrArray *store_promise_list(store *db, GError **error);
/*
 * Marks the open promises whose date plus grace has passed, unpaid, as
 * broken (one event each).  Returns how many through *broken.
 */
bool store_promise_break_overdue(store *db, dm_date today, int grace_working_days,
				 int *broken, GError **error);
/* A reminder referred to the broken promise: the invoice forgets its date. */
bool store_invoice_clear_promised_date(store *db, int64_t invoice_id, GError **error);
/* The date of the last broken promise of an invoice, DM_DATE_NONE if none. */
dm_date store_invoice_broken_promise(store *db, int64_t invoice_id, GError **error);

/* ---- drafts (store/draft.c) ------------------------------------------- */

typedef enum {
	DRAFT_INTENDED,  /* recorded before it is written: a crash leaves a trace */
	DRAFT_WRITTEN,   /* in the Maildir or the IMAP Drafts folder, not sent yet */
	DRAFT_SENT,      /* its copy was seen going out */
	DRAFT_DISCARDED, /* the user deleted it without sending */
	DRAFT_REPLACED,  /* a newer draft took its place */
} draft_state;

const char *draft_state_name(draft_state state);

typedef struct {
	int64_t id;
	int64_t client_id;
	char *kind;        /* template kind: reminder1, dispute-ack, ... */
	int level;         /* 0 for drafts outside the ladder (dispute-ack) */
	char *message_id;  /* without <> */
	dm_date planned_on;
	draft_state state;
	char *location;    /* "maildir:DIR/cur/NAME" or "imap:FOLDER" */
	uint32_t uidvalidity, uid;
	char *subject;
	GArray *invoice_ids; /* int64_t */
} store_draft;

store_draft *store_draft_new(void);
void store_draft_free(store_draft *draft);
/* Records a draft (state intended) with its invoices. */
bool store_draft_add(store *db, store_draft *draft, GError **error);
bool store_draft_set_state(store *db, int64_t draft_id, draft_state state, const char *location,
			   GError **error);
bool store_draft_set_imap(store *db, int64_t draft_id, uint32_t uidvalidity, uint32_t uid,
			  GError **error);
/* Drafts of a client (all states), newest first. */
GPtrArray *store_draft_list(store *db, int64_t client_id, GError **error);
/* Drafts still intended or written, all clients. */
GPtrArray *store_draft_list_pending(store *db, GError **error);
/* NULL (no error) when unknown. */
store_draft *store_draft_find(store *db, const char *message_id, GError **error);
/*
 * The sent copy of a draft was seen: the draft is sent and each of its
 * invoices reaches the draft's level (one event each, naming the message).
 */
bool store_draft_mark_sent(store *db, const char *message_id, const store_source *source,
			   GError **error);

/* ---- IMAP folder state (store/folder.c) -------------------------------- */

/*
 * The incremental scan's bookmark per folder: UIDVALIDITY and the last UID
 * processed.  false in *known when the folder was never scanned.
 */
bool store_folder_get(store *db, const char *folder, bool *known, uint32_t *uidvalidity,
		      uint32_t *last_uid, GError **error);
bool store_folder_set(store *db, const char *folder, uint32_t uidvalidity, uint32_t last_uid,
		      GError **error);

/* ---- events (store/event.c) --------------------------------------------- */

typedef struct {
	int64_t id;
	char *at;          /* "YYYY-MM-DD HH:MM:SS" */
	/* What changed, e.g. created, status, payment, note, promise, level, plan;
	 * for a client also language, postal_address, chasing, bounce. */
	char *kind;
	char *command;     /* or NULL */
	char *message_id;  /* Message-ID of the causing message, or NULL */
	char *rule_id;     /* or NULL */
	char *before;      /* or NULL */
	char *after;       /* or NULL */
	char *detail;      /* or NULL */
} store_event;

void store_event_free(store_event *event);
/* The timeline of one invoice, oldest first. */
GPtrArray *store_event_list_for_invoice(store *db, int64_t invoice_id, GError **error);
/* All events (for tests and audits), oldest first. */
int64_t store_event_count(store *db, GError **error);

/* ---- messages (store/message.c) ----------------------------------------- */

typedef enum { MESSAGE_IN, MESSAGE_OUT } message_direction;

typedef struct {
	int64_t id;
	char *message_id;         /* without <> */
	message_direction direction;
	char *folder;             /* "filter", an IMAP folder name, ... */
	int64_t sent_at;          /* Unix seconds from the Date header, 0 when unknown */
	dm_date date;             /* the Date header's calendar day, DM_DATE_NONE when unknown */
	char *from_address;
	char *subject;
	char *subject_key;        /* the subject without reply prefixes, folded (threading) */
	char *in_reply_to;
	char *thread_index;       /* the decoded Thread-Index key (hex), or NULL */
	int64_t thread_id;        /* set by store_message_add */
	int64_t client_id;        /* 0 when the message belongs to no known client */
	char *class_name;         /* "promised", "none", ... */
	dm_date class_date;       /* promised date or return date, DM_DATE_NONE when none */
	char *rule_id;            /* the rule that decided the class, or NULL */
	char *language;           /* detected language, or NULL */
	char *draft_message_id;   /* X-Dunmail-Draft of a sent draft, or NULL */
	dm_date read_on;          /* the day the user dealt with it (see below), DM_DATE_NONE */
	char *client_name;        /* filled by find/list, NULL when no client */
	GPtrArray *references;    /* char *: References ids, oldest first (not filled by find/list) */
} store_message;

store_message *store_message_new(void);
void store_message_free(store_message *message);

/*
 * Stores a message with its references, in the thread of the first stored
 * message it refers to (or a new thread).  When the Message-ID is already
 * stored nothing changes: *inserted is false and message->id is the
 * existing row, so processing a message twice never counts it twice.
 */
bool store_message_add(store *db, store_message *message, bool *inserted, GError **error);
/* NULL (and no error) when the Message-ID is not stored. */
store_message *store_message_find(store *db, const char *message_id, GError **error);
int64_t store_message_count(store *db, GError **error);

/*
 * Unread: a client's message of class "unrecognised" (a person wrote and
 * no rule could read it) that the user has not dealt with yet (read_on
 * not set).  It holds the reminders to its client until the user records
 * what it says: a promise, a dispute or a payment of one of the client's
 * invoices, a class for a message (`message set`), or `tasks done`.
 */
bool store_message_is_unread(const store_message *message);

typedef struct {
	int64_t client_id; /* 0 for all */
	bool unread_only;  /* only unread messages (see store_message_is_unread) */
} store_message_filter;

/* Messages, oldest first (by the Date header, then as stored). */
GPtrArray *store_message_list(store *db, const store_message_filter *filter, GError **error);

/*
 * The user says what a message means: its class becomes class_name with
 * class_date (a promise's date, a return date; DM_DATE_NONE), its rule is
 * cleared, and it counts as read on read_on unless it was read already.
 * One "class" event (before, after) on each invoice it is linked to, or on
 * its client when it is linked to none.  Applying the class to the
 * invoices is the caller's (filter/apply.h: apply_reading).
 */
bool store_message_set_class(store *db, int64_t message_row, const char *class_name,
			     dm_date class_date, dm_date read_on, const store_source *source,
			     GError **error);

/*
 * Marks every unread message of a client read on the day on; *marked says
 * how many.  When there were some, one "read" event on the client.
 */
bool store_client_mark_replies_read(store *db, int64_t client_id, dm_date on,
				    const store_source *source, int *marked, GError **error);

/*
 * Threading fallbacks for mail without usable references: the Message-ID
 * of the nearest stored message whose Thread-Index key the given key
 * extends, and of the newest stored message of a client with the same
 * subject key.  NULL (no error) when there is none; the caller frees.
 */
char *store_message_find_by_thread_index(store *db, const char *key, GError **error);
char *store_message_find_by_subject(store *db, int64_t client_id, const char *subject_key,
				    GError **error);

/* how: "thread", "number" or "sender". A repeated link is ignored. */
bool store_message_link_invoice(store *db, int64_t message_row, int64_t invoice_id,
				const char *how, GError **error);
/* Invoice ids linked to a stored message. */
GArray *store_message_invoices(store *db, int64_t message_row, GError **error);

/*
 * The invoices a conversation is about, from the Message-IDs a new message
 * refers to (nearest first): the e-mail that sent an invoice, a stored
 * message linked to invoices, or one of dunmail's drafts.  Returns the
 * invoice ids of the nearest id that has any (a GArray of int64_t, maybe
 * empty), and in *client_id the client of that conversation (0 if none).
 */
GArray *store_invoices_for_references(store *db, const char *const *message_ids,
				      int64_t *client_id, GError **error);

/*
 * Flags a client address after a bounce (the next reminder uses another
 * contact), with an event on the client.  False with no error when no
 * client has the address.
 */
bool store_client_flag_bounced(store *db, const char *address, dm_date on,
			       const store_source *source, bool *flagged, GError **error);

#endif
