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

/* A promise without a date ("we will pay soon") holds this many days. */
#define APPLY_UNDATED_PROMISE_DAYS 7

#endif
