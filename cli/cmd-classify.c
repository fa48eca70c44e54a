/*
 * dunmail classify [--json] [--explain] < message.eml
 *
 * The filter's pipeline without changing anything: what dunmail would
 * understand from this message, which invoices it would link, and with
 * --explain which rules matched which text and how the date was resolved.
 */
#include "cli/cli.h"
#include "cli/message-input.h"
#include "common/util.h"
#include "filter/classify.h"
#include "filter/match.h"

#include "common/printer.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

static void
print_json(const classify_result *result, const match_result *match, bool explain)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	char iso[DM_DATE_ISO_SIZE];
	char *text;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "message_id");
	json_builder_add_string_value(b, result->message_id);
	json_builder_set_member_name(b, "direction");
	json_builder_add_string_value(b, result->outgoing ? "out" : "in");
	json_builder_set_member_name(b, "class");
	json_builder_add_string_value(b, rules_class_name(result->klass));
	json_builder_set_member_name(b, "date");
	if (result->class_date != DM_DATE_NONE)
		json_builder_add_string_value(b, dm_date_format_iso(result->class_date, iso));
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "language");
	if (result->language != NULL)
		json_builder_add_string_value(b, result->language);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "invoices");
	json_builder_begin_array(b);
	for (guint i = 0; match->numbers != NULL && i < match->numbers->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(match->numbers, i));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "client");
	if (match->client_name != NULL)
		json_builder_add_string_value(b, match->client_name);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "matched_by");
	if (match->how != NULL)
		json_builder_add_string_value(b, match->how);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "rule");
	if (result->rule_id != NULL)
		json_builder_add_string_value(b, result->rule_id);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "reply_text");
	json_builder_add_string_value(b, result->reply_text != NULL ? result->reply_text : "");
	if (result->failed_recipients != NULL) {
		json_builder_set_member_name(b, "failed_recipients");
		json_builder_begin_array(b);
		for (guint i = 0; i < result->failed_recipients->len; i++)
			json_builder_add_string_value(b,
						      g_ptr_array_index(result->failed_recipients, i));
		json_builder_end_array(b);
	}
	if (explain && result->explain != NULL) {
		json_builder_set_member_name(b, "explain");
		json_builder_begin_array(b);
		for (guint i = 0; i < result->explain->len; i++)
			json_builder_add_string_value(b, g_ptr_array_index(result->explain, i));
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = printer_json_text(root);
	printf("%s\n", text);
	g_free(text);
	json_node_unref(root);
	g_object_unref(b);
}

static void
print_text(const classify_result *result, const match_result *match, bool explain)
{
	char iso[DM_DATE_ISO_SIZE];

	printf("direction: %s\n", result->outgoing ? "out" : "in");
	printf("class:     %s\n", rules_class_name(result->klass));
	if (result->class_date != DM_DATE_NONE)
		printf("date:      %s\n", dm_date_format_iso(result->class_date, iso));
	printf("language:  %s\n", result->language ? result->language : "-");
	printf("rule:      %s\n", result->rule_id ? result->rule_id : "-");
	printf("client:    %s\n", match->client_name ? match->client_name : "-");
	printf("invoices: ");
	for (guint i = 0; match->numbers != NULL && i < match->numbers->len; i++)
		printf(" %s", (const char *)g_ptr_array_index(match->numbers, i));
	printf("%s\n", match->numbers == NULL || match->numbers->len == 0 ? " -" : "");
	if (match->how != NULL)
		printf("matched:   by %s\n", match->how);
	if (explain && result->explain != NULL) {
		printf("\nexplain:\n");
		for (guint i = 0; i < result->explain->len; i++)
			printf("  %s\n", (const char *)g_ptr_array_index(result->explain, i));
	}
	printf("\nreply text:\n%s\n", result->reply_text ? result->reply_text : "");
}

int
cmd_classify(cli_context *ctx, int argc, char **argv)
{
	gboolean json = FALSE, explain = FALSE;
	char *format_name = NULL;
	GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL},
	    {"format", 0, 0, G_OPTION_ARG_STRING, &format_name, "table (text) or json", "FORMAT"},
	    {"explain", 0, 0, G_OPTION_ARG_NONE, &explain,
	     "show which rules matched which text and how the date was resolved", NULL},
	    {NULL}};
	message_input input = {0};
	classify_result result = {0};
	match_result match = {0};
	GError *error = NULL;
	dm_config *config;
	classifier *c = NULL;
	char *db_path = NULL;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "[--json] [--explain] < message.eml",
			       "Classifies one message without changing the store.", entries, &code))
		goto out;
	if (format_name != NULL) {
		printer_format format;
		if (!printer_format_parse(format_name, &format, &error))
			goto fail;
		json = json || format == PRINTER_JSON;
	}
	if ((config = cli_config(ctx, &error)) == NULL)
		goto fail;
	if ((c = classifier_new(config, &error)) == NULL)
		goto fail;
	if (classifier_load_errors(c) != NULL)
		dm_log_warning("rule packs left out:\n%s", classifier_load_errors(c));
	message_input_read(STDIN_FILENO, G_MAXINT64, &input);
	if (input.read_error) {
		g_set_error(&error, DM_ERROR, DM_ERROR_IO, "cannot read the message from stdin");
		goto fail;
	}
	if (!classify_message(c, config, (const char *)input.data->data, input.data->len, explain,
			      &result, &error))
		goto fail;
	/* Matching needs the store; without one the message is only classified. */
	if ((db_path = cli_database_path(ctx, &error)) == NULL)
		goto fail;
	if (g_file_test(db_path, G_FILE_TEST_EXISTS)) {
		store *db = cli_store(ctx, STORE_OPEN_READONLY, &error);
		if (db == NULL || !match_message(db, &result, &match, &error))
			goto fail;
	}
	if (json)
		print_json(&result, &match, explain);
	else
		print_text(&result, &match, explain);
	goto out;
fail:
	code = cli_fail(error);
out:
	match_result_clear(&match);
	classify_result_clear(&result);
	message_input_clear(&input);
	classifier_free(c);
	g_free(db_path);
	g_free(format_name);
	return code;
}
