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
#define STORE_SCHEMA_VERSION 1

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

/* Transactions.  store_begin takes the write lock at once (BEGIN IMMEDIATE). */
bool store_begin(store *db, GError **error);
bool store_commit(store *db, GError **error);
void store_rollback(store *db);

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
	invoice_status status_before_dispute;
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
 * Records a payment: the balance goes down by amount (the whole balance
 * when amount is 0); the status becomes paid or partial.  Fails with
 * DM_ERROR_INPUT when amount exceeds the balance or the invoice is closed.
 */
bool store_invoice_record_payment(store *db, int64_t invoice_id, int64_t amount, dm_date on,
				  const store_source *source, GError **error);
/* Marks a dispute (chasing stops) with an optional note. */
bool store_invoice_dispute(store *db, int64_t invoice_id, const char *note,
			   const store_source *source, GError **error);
/* Ends a dispute: the status goes back to what it was before. */
bool store_invoice_resolve(store *db, int64_t invoice_id, const store_source *source,
			   GError **error);
/* A promise to pay by a date: status promised, promised_date set, a promise row. */
bool store_invoice_promise(store *db, int64_t invoice_id, dm_date by, const store_source *source,
			   GError **error);
/* The client says it paid: status paid (to be confirmed), balance unchanged. */
bool store_invoice_claim_paid(store *db, int64_t invoice_id, const store_source *source,
			      GError **error);
bool store_invoice_write_off(store *db, int64_t invoice_id, const store_source *source,
			     GError **error);
bool store_invoice_add_note(store *db, int64_t invoice_id, const char *text,
			    const store_source *source, GError **error);

/* ---- events (store/event.c) --------------------------------------------- */

typedef struct {
	int64_t id;
	char *at;          /* "YYYY-MM-DD HH:MM:SS" */
	char *kind;        /* created, status, payment, note, promise, level, language */
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
	GPtrArray *references;    /* char *: References ids, oldest first */
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
