/*
 * libFuzzer target: one message through the MIME reader and everything
 * that reads the parsed mail.
 *
 * The input is the raw message.  mail_parse must either refuse it with an
 * error or give a mail whose every accessor keeps the promises of
 * filter/mime.h (valid UTF-8, NULL-terminated lists, counts that match);
 * autoreply_detect then reads the same mail, and the bytes are also fed
 * to the charset converter and to the HTML converter, with and without
 * quote dropping, since HTML bodies reach it from hostile senders.  A broken promise aborts, so the
 * fuzzer reports it like a crash.  Everything is freed: a leak is a
 * finding too.
 */
#include "filter/autoreply.h"
#include "filter/charset.h"
#include "filter/html.h"
#include "filter/mime.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts when a promised-UTF-8 string is not; NULL is allowed where noted. */
static void
check_text(const char *text, bool may_be_null)
{
	if (text == NULL) {
		if (!may_be_null)
			abort();
		return;
	}
	if (!g_utf8_validate(text, -1, NULL))
		abort();
}

/* A NULL-terminated list that the header promises is never NULL. */
static void
check_list(const char *const *list)
{
	if (list == NULL)
		abort();
	for (size_t i = 0; list[i] != NULL; i++)
		check_text(list[i], false);
}

static void
check_mail(const mail *m)
{
	static const char *const part_types[] = {
		"message/delivery-status", "text/rfc822-headers", "message/rfc822",
		"text/plain", "text/html", "message/disposition-notification",
	};
	const char *report_type = NULL;
	int64_t seconds = 0;
	int offset = 0;

	check_text(mail_message_id(m), true);
	check_text(mail_in_reply_to(m), true);
	check_list(mail_references(m));
	check_text(mail_thread_index(m), true);
	check_text(mail_subject(m), false);
	check_text(mail_from_address(m), true);
	check_text(mail_from_name(m), true);
	check_list(mail_to_addresses(m));
	check_list(mail_cc_addresses(m));
	(void)mail_date(m, &seconds, &offset);
	(void)mail_date(m, NULL, NULL);

	/* Headers a reader of dunmail looks up by name, in odd case. */
	check_text(mail_header(m, "subject"), true);
	check_text(mail_header(m, "AUTO-SUBMITTED"), true);
	check_text(mail_header(m, "X-Dunmail-Draft"), true);
	check_text(mail_header(m, "content-type"), true);
	for (size_t i = 0; i < mail_header_count(m); i++) {
		check_text(mail_header_name(m, i), false);
		check_text(mail_header_value(m, i), false);
	}

	check_text(mail_body_text(m), false);
	if (strchr(mail_body_text(m), '\r') != NULL)
		abort(); /* the body promises LF line ends */
	(void)mail_body_from_html(m);

	for (size_t i = 0; i < mail_attachment_count(m); i++) {
		check_text(mail_attachment_name(m, i), true);
		check_text(mail_attachment_type(m, i), false);
	}
	if (mail_is_multipart_report(m, &report_type))
		check_text(report_type, false);
	(void)mail_is_multipart_report(m, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(part_types); i++)
		check_text(mail_part_text(m, part_types[i]), true);
}

static void
check_autoreply(const mail *m)
{
	autoreply_result result = {0};

	if (autoreply_detect(m, &result)) {
		if (result.kind == AUTOREPLY_NONE)
			abort();
		check_text(result.reason, false);
	}
	if (result.failed_recipients != NULL)
		for (size_t i = 0; result.failed_recipients[i] != NULL; i++)
			check_text(result.failed_recipients[i], false);
	check_text(result.status, true);
	check_text(result.original_message_id, true);
	autoreply_result_clear(&result);
	/* A cleared result must be reusable. */
	(void)autoreply_detect(m, &result);
	autoreply_result_clear(&result);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	mail *m = mail_parse((const char *)data, size, &error);
	char *text;

	if (m == NULL) {
		/* A refusal must say why, in dunmail's error domain. */
		if (error == NULL || error->message == NULL)
			abort();
		g_clear_error(&error);
	} else {
		if (error != NULL)
			abort();
		check_mail(m);
		check_autoreply(m);
		mail_free(m);
	}

	text = charset_to_utf8((const char *)data, size, NULL);
	check_text(text, false);
	g_free(text);
	text = charset_to_utf8((const char *)data, size, "utf-8");
	check_text(text, false);
	g_free(text);

	/*
	 * html_to_text is promised UTF-8 (mail_body_text converts first), so
	 * only then must its output be UTF-8; on other bytes it must merely
	 * stay inside its buffers, which it claims to do by replacing them.
	 */
	bool valid = g_utf8_validate((const char *)data, (gssize)size, NULL);
	for (int drop = 0; drop <= 1; drop++) {
		text = html_to_text((const char *)data, size, drop != 0);
		if (text == NULL)
			abort();
		if (valid)
			check_text(text, false);
		g_free(text);
	}
	return 0;
}
