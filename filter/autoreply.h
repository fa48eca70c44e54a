/*
 * Machine-written answers to a reminder: out-of-office replies and bounces.
 *
 * Auto-replies are recognised by their headers first (Auto-Submitted other
 * than "no", X-Autoreply, X-Autorespond, Precedence: auto_reply,
 * X-Auto-Response-Suppress, Exchange's auto-reply markers), then by subject
 * in English, Polish, Bulgarian, Dutch, Romanian, Spanish, German, French
 * and Italian.  Bounces are recognised by a delivery-status report
 * (multipart/report or a message/delivery-status part) or by a mailer
 * daemon sender (MAILER-DAEMON, postmaster, "Mail Delivery Subsystem")
 * with a bounce subject or bounce text.  A vacation reply's return date is
 * not read here: the rules and the date resolver find it in the text.
 */
#ifndef DUNMAIL_FILTER_AUTOREPLY_H
#define DUNMAIL_FILTER_AUTOREPLY_H

#include "filter/mime.h"

#include <stdbool.h>

typedef enum {
	AUTOREPLY_NONE,
	AUTOREPLY_VACATION, /* out of office or another automatic answer */
	AUTOREPLY_BOUNCE,   /* delivery failure */
	/* A delivery report that is no failure: every recipient delivered,
	 * relayed, expanded or delayed (still being tried).  Not a person's
	 * reply, not an absence, and the address is fine. */
	AUTOREPLY_REPORT,
} autoreply_kind;

/*
 * Every string is owned by the result and released by
 * autoreply_result_clear().  A zero-initialised result is "nothing found".
 */
typedef struct {
	autoreply_kind kind;
	/* Why: "header Auto-Submitted: auto-replied", "subject: Automatic reply". */
	char *reason;
	/* Mass mail (Precedence bulk/junk/list, List-Id): not a person's reply. */
	bool bulk;
	/* Bounces: the recipients that failed, lower-case, NULL-terminated; else NULL. */
	char **failed_recipients;
	/* Bounces: the enhanced status code "5.1.1" (4.x.x = delayed), or NULL. */
	char *status;
	/* Bounces: Message-ID (without <>) of the message that bounced, or NULL. */
	char *original_message_id;
} autoreply_result;

/*
 * Classifies a parsed message.  Fills *result (which the caller clears
 * first or passes zeroed) and returns true for a vacation reply or bounce.
 * result->bulk is set either way.
 */
bool autoreply_detect(const mail *m, autoreply_result *result);

/* Frees the strings of a result and zeroes it; it can be used again. */
void autoreply_result_clear(autoreply_result *result);

#endif
