/*
 * Applying what a message means to the store, in one transaction: the
 * message row and its thread, the links to invoices, and every status
 * change the reply causes (promised with its date, disputed, says paid,
 * bounced address), each as an event naming the message and the rule.
 * A message already stored (same Message-ID) changes nothing.
 */
#ifndef DUNMAIL_FILTER_APPLY_H
#define DUNMAIL_FILTER_APPLY_H

#include "filter/classify.h"
#include "filter/match.h"
#include "store/store.h"

typedef struct {
	bool duplicate;  /* the message was stored before: nothing changed */
	int changes;     /* status changes written */
} apply_summary;

/* folder: where the message was seen ("filter", "INBOX", "Sent", ...). */
bool apply_message(store *db, const classify_result *message, const match_result *match,
		   const char *folder, apply_summary *summary, GError **error);

/*
 * The user read a stored message (dunmail message set): its class becomes
 * klass (class_date: the day a promise is to pay by, or the day an
 * auto-reply's sender is back), it counts as read today, a "class" event
 * names the source, and every invoice it is linked to changes exactly as if
 * a rule had read it (a change the invoice's state refuses is skipped with
 * a warning).  What an earlier class changed stays.  Refused with
 * DM_ERROR_INPUT: an outgoing message, "unrecognised" (only the pipeline
 * says nobody read a message), a date with a class other than promised or
 * autoreply, a promise to pay before the message's day.  summary->changes
 * is the number of invoices the message is linked to.
 */
bool apply_reading(store *db, const store_message *message, rules_class klass,
		   dm_date class_date, const store_source *source, apply_summary *summary,
		   GError **error);

/* A promise without a date ("we will pay soon") holds this many days. */
#define APPLY_UNDATED_PROMISE_DAYS 7

#endif
