/*
 * Matching a classified message to the store: which client it belongs to
 * and which invoices it is about.  In order of trust:
 *   1. its thread: a reply to the e-mail that sent an invoice, to a stored
 *      message linked to invoices, or to one of dunmail's drafts;
 *   2. invoice numbers (known to the store) in the subject or the text the
 *      author wrote, tolerant of spacing, case and prefixes ("nr", "#", "№");
 *   3. the sender's address or domain: a client with exactly one open
 *      invoice.  With several, the message links to the client only.
 * Reads the store, never writes it.
 */
#ifndef DUNMAIL_FILTER_MATCH_H
#define DUNMAIL_FILTER_MATCH_H

#include "filter/classify.h"
#include "store/store.h"

typedef struct {
	int64_t client_id;    /* 0 when no client is known */
	char *client_name;    /* or NULL */
	GArray *invoice_ids;  /* int64_t */
	GPtrArray *numbers;   /* char *: the invoice numbers, same order */
	const char *how;      /* "thread", "number", "sender" or NULL (static string) */
} match_result;

bool match_message(store *db, const classify_result *message, match_result *match,
		   GError **error);
void match_result_clear(match_result *match);

#endif
