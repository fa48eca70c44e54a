/*
 * The classify pipeline: from the raw bytes of one message to what it
 * means, without touching the store.  MIME decoding (filter/mime.h),
 * auto-reply and bounce detection (filter/autoreply.h), quote and
 * signature stripping (filter/quote.h), the rule packs (filter/rules.h),
 * dates (filter/when.h) and language detection (filter/language.h) are
 * run here in that order.  `dunmail filter`, `dunmail classify`,
 * `dunmail scan` and `dunmail rules test` all go through it.
 */
#ifndef DUNMAIL_FILTER_CLASSIFY_H
#define DUNMAIL_FILTER_CLASSIFY_H

#include "common/config.h"
#include "common/date.h"
#include "filter/mime.h"
#include "filter/rules.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* How much of a body is read for the reply (bytes): see classify_message. */
#define CLASSIFY_TEXT_LIMIT (128 * 1024)

/* The compiled rules, date words and language profiles, loaded once per run. */
typedef struct classifier classifier;

/*
 * Loads what the config names.  A rule pack that does not compile is left
 * out (the others still work) and its errors are kept for
 * classifier_load_errors(); the filter logs them.  Returns NULL only when
 * nothing at all could be loaded.  Strings from the config are copied.
 */
classifier *classifier_new(const dm_config *config, GError **error);
void classifier_free(classifier *c);
/* "file:line: message" lines of the packs left out, or NULL when all loaded. */
const char *classifier_load_errors(const classifier *c);
size_t classifier_rule_count(const classifier *c);
/* Pattern profiling for `rules test --profile` (see rules_set_profiling). */
void classifier_set_profiling(classifier *c, bool on);
char *classifier_profile_report(const classifier *c, size_t top);
/*
 * Readies a classifier for classify_message from several threads at once:
 * every language's rules are prepared now (preparing changes the rule
 * set's tables; compiling a pattern later does not) and the libraries
 * initialise in this thread.
 */
void classifier_prepare_threads(classifier *c);

typedef struct {
	mail *mail;              /* the parsed message; owned */
	char *message_id;        /* the Message-ID, or a stable one made from the content */
	bool outgoing;           /* From is one of the user's own addresses */
	int64_t sent_at;         /* Date header as Unix seconds, 0 when missing */
	dm_date date;            /* the Date header's day in the sender's zone (else today) */
	rules_class klass;
	dm_date class_date;      /* promised date or return date, DM_DATE_NONE when none */
	char *rule_id;           /* the rule (or detector) that decided; NULL for none */
	char *language;          /* detected language code, or NULL */
	char *reply_text;        /* what the author wrote, quotes and signature removed */
	char *evidence;          /* the text the deciding rule matched, or NULL */
	char *draft_id;          /* X-Dunmail-Draft of a sent draft, or NULL */
	GPtrArray *failed_recipients; /* char *: for bounces */
	char *bounced_message_id;     /* the Message-ID the bounce reports on, or NULL */
	GPtrArray *explain;      /* char *: one line per step, filled when asked */
} classify_result;

/*
 * Classifies raw bytes.  explain asks for the explanation lines.  A message
 * GMime cannot make sense of still yields a result (class none); false
 * only when there is nothing to read at all (then error says why).
 */
bool classify_message(const classifier *c, const dm_config *config, const char *data,
		      size_t length, bool explain, classify_result *result, GError **error);
void classify_result_clear(classify_result *result);

#endif
