#include "filter/pipeline.h"
#include "common/util.h"

#include <string.h>

void
pipeline_outcome_clear(pipeline_outcome *outcome)
{
	g_free(outcome->invoice_numbers);
	g_free(outcome->class_value);
	memset(outcome, 0, sizeof *outcome);
}

/* Header values must stay on one line whatever the data holds. */
static char *
one_line(char *text)
{
	for (char *p = text; p != NULL && *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || (unsigned char)*p < 0x20)
			*p = ' ';
	return text;
}

bool
pipeline_process(const classifier *c, const dm_config *config, store *db, const char *data,
		 size_t length, const char *folder, pipeline_outcome *outcome, GError **error)
{
	classify_result result;

	memset(outcome, 0, sizeof *outcome);
	if (!classify_message(c, config, data, length, false, &result, error))
		return false;
	return pipeline_apply(db, &result, folder, outcome, error);
}

bool
pipeline_apply(store *db, classify_result *classified, const char *folder,
	       pipeline_outcome *outcome, GError **error)
{
	classify_result result = *classified;
	match_result match = {0};
	char iso[DM_DATE_ISO_SIZE];
	bool ok = false;

	memset(classified, 0, sizeof *classified);
	memset(outcome, 0, sizeof *outcome);
	if (!match_message(db, &result, &match, error))
		goto out;
	if (!apply_message(db, &result, &match, folder, &outcome->summary, error))
		goto out;
	if (match.numbers->len > 0) {
		g_ptr_array_add(match.numbers, NULL);
		outcome->invoice_numbers = one_line(g_strjoinv(", ", (char **)match.numbers->pdata));
		g_ptr_array_remove_index(match.numbers, match.numbers->len - 1);
	}
	outcome->class_value =
	    result.class_date != DM_DATE_NONE
		? g_strdup_printf("%s %s", rules_class_name(result.klass),
				  dm_date_format_iso(result.class_date, iso))
		: g_strdup(result.outgoing ? "outgoing" : rules_class_name(result.klass));
	dm_log_info("message <%s>: %s, %s%s%s", result.message_id, outcome->class_value,
		    outcome->summary.duplicate ? "already stored" : "stored",
		    outcome->invoice_numbers ? ", invoices " : "",
		    outcome->invoice_numbers ? outcome->invoice_numbers : "");
	ok = true;
out:
	match_result_clear(&match);
	classify_result_clear(&result);
	return ok;
}
