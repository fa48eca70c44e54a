/*
 * One message through the whole path: classify (filter/classify.h), match
 * to the store (filter/match.h), apply (filter/apply.h).  Every way mail
 * enters dunmail goes through it, so a message means the same whichever
 * way it arrived.
 */
#ifndef DUNMAIL_FILTER_PIPELINE_H
#define DUNMAIL_FILTER_PIPELINE_H

#include "filter/apply.h"
#include "filter/classify.h"
#include "filter/match.h"

typedef struct {
	char *invoice_numbers; /* "FV/1, FV/2", or NULL when none; for X-Dunmail-Invoice */
	char *class_value;     /* "promised 2026-11-27", "none"; for X-Dunmail-Class */
	apply_summary summary;
} pipeline_outcome;

bool pipeline_process(const classifier *c, const dm_config *config, store *db, const char *data,
		      size_t length, const char *folder, pipeline_outcome *outcome,
		      GError **error);
void pipeline_outcome_clear(pipeline_outcome *outcome);

/*
 * The second half of pipeline_process, for a message classified already:
 * match and apply.  A scan classifies a batch on every core first and then
 * applies the results in order.  The result is cleared.
 */
bool pipeline_apply(store *db, classify_result *result, const char *folder,
		    pipeline_outcome *outcome, GError **error);

#endif
