/*
 * MIME reading: headers, transfer encodings, charsets, body choice,
 * attachments, and damaged input, over tests/mail/mime/ and the MimeKit
 * message collection in ../shared/fixtures.
 */
#include "tests/unit/testutil.h"

#include "common/util.h"
#include "filter/charset.h"
#include "filter/mime.h"

static mail *
parse_file(const char *name)
{
	char *path = g_build_filename(test_root(), "tests", "mail", "mime", name, NULL);
	size_t length = 0;
	char *data = test_read_file(path, &length);
	GError *error = NULL;
	mail *m = mail_parse(data, length, &error);

	if (m == NULL)
		fail_msg("%s: %s", path, error->message);
	g_free(data);
	g_free(path);
	return m;
}

static size_t
count_strings(const char *const *list)
{
	size_t n = 0;
	while (list[n] != NULL)
		n++;
	return n;
}

static void
test_headers(void **state)
{
	mail *m = parse_file("quoted-printable.eml");
	int64_t seconds = 0;
	int offset = 0;

	assert_string_equal(mail_message_id(m), "reply-1@example.pl");
	assert_string_equal(mail_in_reply_to(m), "reminder-7@dunmail.example");
	const char *const *refs = mail_references(m);
	assert_int_equal(count_strings(refs), 2);
	assert_string_equal(refs[0], "invoice-7@dunmail.example");
	assert_string_equal(refs[1], "reminder-7@dunmail.example");
	assert_string_equal(mail_from_address(m), "anna.kowalska@example.pl");
	assert_string_equal(mail_from_name(m), "Anna Kowalska");
	const char *const *to = mail_to_addresses(m);
	assert_int_equal(count_strings(to), 2);
	assert_string_equal(to[0], "billing@dunmail.example");
	assert_string_equal(to[1], "accounts@dunmail.example");
	assert_int_equal(count_strings(mail_cc_addresses(m)), 1);
	assert_string_equal(mail_cc_addresses(m)[0], "boss@example.pl");
	assert_true(mail_date(m, &seconds, &offset));
	assert_int_equal(seconds, 1715671800); /* 2024-05-14 07:30:00 UTC */
	assert_int_equal(offset, 120);
	assert_null(mail_thread_index(m));
	assert_string_equal(mail_header(m, "content-transfer-encoding"), "quoted-printable");
	assert_null(mail_header(m, "X-Not-There"));
	assert_string_equal(mail_header_name(m, 0), "From");
	assert_int_equal(mail_header_count(m), 11);
	assert_string_equal(mail_header_name(m, 9), "Content-Type");
	assert_false(mail_is_multipart_report(m, NULL));
	mail_free(m);
}

static void
test_quoted_printable_body(void **state)
{
	mail *m = parse_file("quoted-printable.eml");
	assert_string_equal(mail_body_text(m),
	                    "Dzień dobry,\nzapłacimy fakturę FV/2024/17 w piątek 17 maja.\n"
	                    "Pozdrawiam, Anna\n");
	assert_false(mail_body_from_html(m));
	assert_int_equal(mail_attachment_count(m), 0);
	mail_free(m);
}

static void
test_base64_body(void **state)
{
	mail *m = parse_file("base64.eml");
	assert_string_equal(mail_body_text(m),
	                    "Guten Tag,\ndie Rechnung wurde am 3. März überwiesen.\n"
	                    "Mit freundlichen Grüßen\n");
	mail_free(m);
}

static void
test_undeclared_windows_1250(void **state)
{
	mail *m = parse_file("cp1250-undeclared.eml");
	assert_string_equal(
	    mail_body_text(m),
	    "Dzień dobry,\nfaktura zostanie zapłacona w piątek. Już zleciłam przelew.\n"
	    "Pozdrawiam, Łukasz Wiśniewski\n");
	mail_free(m);
}

static void
test_undeclared_windows_1251(void **state)
{
	mail *m = parse_file("cp1251-undeclared.eml");
	assert_string_equal(mail_body_text(m),
	                    "Здравейте,\nще платим фактурата до петък.\nПоздрави, Иван\n");
	mail_free(m);
}

static void
test_declared_iso_8859_2(void **state)
{
	mail *m = parse_file("iso-8859-2.eml");
	assert_string_equal(mail_body_text(m), "Płatność nastąpi jutro. Żółć.\n");
	mail_free(m);
}

static void
test_wrong_declared_charset_falls_back(void **state)
{
	/* Declared utf-8, written in windows-1250. */
	mail *m = parse_file("wrong-charset.eml");
	assert_string_equal(mail_body_text(m), "Zapłacę jutro, ściśle.\n");
	mail_free(m);
}

static void
test_text_to_utf8(void **state)
{
	char *text;

	text = charset_to_utf8("caf\xe9", 4, NULL);
	assert_string_equal(text, "café");
	g_free(text);
	/* An unknown charset name is treated as undeclared. */
	text = charset_to_utf8("Zap\xb3"
	                         "ac\xea",
	                         7, "x-no-such-charset");
	assert_string_equal(text, "Zapłacę");
	g_free(text);
	/* GMime's aliases: "latin2" is ISO-8859-2. */
	text = charset_to_utf8("\xa3\xf3\x64\xbc", 4, "latin2");
	assert_string_equal(text, "Łódź");
	g_free(text);
	/* A Spanish ¿ at a sentence start is windows-1252, not Polish ż. */
	text = charset_to_utf8("\xbf"
	                         "Cu\xe1ndo?",
	                         8, NULL);
	assert_string_equal(text, "¿Cuándo?");
	g_free(text);
	/* Cut multi-byte sequences in a declared charset end up valid. */
	text = charset_to_utf8("ok \xe2\x82", 5, "utf-8");
	assert_true(g_utf8_validate(text, -1, NULL));
	assert_true(g_str_has_prefix(text, "ok "));
	g_free(text);
	text = charset_to_utf8("a\0b", 3, NULL);
	assert_string_equal(text, "a b");
	g_free(text);
}

static void
test_rfc2047_subject_and_name(void **state)
{
	mail *m = parse_file("rfc2047-subject.eml");
	assert_string_equal(mail_subject(m), "Re: Płatność za fakturę nr 17 – termin płatności");
	assert_string_equal(mail_from_name(m), "Paweł Nowak");
	assert_string_equal(mail_from_address(m), "pawel@example.pl");
	assert_null(mail_in_reply_to(m));
	assert_int_equal(count_strings(mail_references(m)), 0);
	mail_free(m);
}

static void
test_8bit_headers(void **state)
{
	mail *m = parse_file("8bit-headers.eml");
	assert_string_equal(mail_subject(m), "Płatność – faktura 17");
	assert_string_equal(mail_from_name(m), "Józef Ćwikła");
	assert_string_equal(mail_header(m, "Subject"), "Płatność – faktura 17");
	mail_free(m);
}

static void
test_rfc2231_attachment_names(void **state)
{
	mail *m = parse_file("rfc2231-filename.eml");
	assert_string_equal(mail_body_text(m), "Please find the remittance attached.\n");
	assert_int_equal(mail_attachment_count(m), 2);
	assert_string_equal(mail_attachment_name(m, 0), "remittance.pdf");
	assert_string_equal(mail_attachment_type(m, 0), "application/pdf");
	assert_string_equal(mail_attachment_name(m, 1), "potwierdzenie przelewu łódź.pdf");
	assert_null(mail_attachment_name(m, 2));
	mail_free(m);
}

static void
test_gmail_html_only(void **state)
{
	mail *m = parse_file("gmail-html-only.eml");
	assert_true(mail_body_from_html(m));
	assert_string_equal(
	    mail_body_text(m),
	    "Hi,\n\nwe will pay invoice INV-2024-031 on Friday.\n\nBest regards,\nJohn");
	mail_free(m);
}

static void
test_outlook_html_only(void **state)
{
	mail *m = parse_file("outlook-html-only.eml");
	assert_true(mail_body_from_html(m));
	assert_string_equal(mail_body_text(m),
	                    "Goedemiddag,\n\nDe factuur is betaald op 2 mei. Zie "
	                    "bijlage.\n\nMet vriendelijke groet,\nPieter de Vries");
	assert_string_equal(mail_thread_index(m), "AdqlB3c1mZ0s8Xk4Q2+1c2F0dXJkYXk=");
	mail_free(m);
}

static void
test_alternative_prefers_plain(void **state)
{
	mail *m = parse_file("alternative.eml");
	assert_string_equal(mail_body_text(m), "Plain version: paid.\n");
	assert_false(mail_body_from_html(m));
	assert_int_equal(mail_attachment_count(m), 0);
	mail_free(m);
}

static void
test_enclosed_message_is_not_the_reply(void **state)
{
	mail *m = parse_file("forwarded-rfc822.eml");
	assert_string_equal(mail_body_text(m), "Outer text after the enclosed message.\n");
	assert_int_equal(mail_attachment_count(m), 1);
	assert_string_equal(mail_attachment_type(m, 0), "message/rfc822");
	const char *headers = mail_part_text(m, "message/rfc822");
	assert_non_null(headers);
	assert_non_null(strstr(headers, "<reminder-9@dunmail.example>"));
	mail_free(m);
}

static void
test_crlf_line_ends(void **state)
{
	mail *m = parse_file("crlf.eml");
	assert_string_equal(mail_subject(m), "Re: CRLF");
	assert_string_equal(mail_body_text(m), "Line one.\nLine two.\n");
	assert_string_equal(mail_from_address(m), "anna.kowalska@example.pl");
	mail_free(m);
}

/*
 * Bare CR line ends (old Mac mail, some webmail exports): the headers and
 * the body are read as if the lines ended in LF; a CR inside a CRLF file
 * stays part of its line end.
 */
static void
test_bare_cr_line_ends(void **state)
{
	static const char text[] = "From: Jan Nowak <jan@nowak.example.pl>\rTo: anna@studio.example\r"
				   "Subject: Re: Faktura\rMessage-ID: <cr-1@nowak.example.pl>\r"
				   "Content-Type: text/plain; charset=utf-8\r\r"
				   "Zapłaciliśmy wczoraj.\r\rJan\r";
	mail *m = mail_parse(text, sizeof text - 1, NULL);

	assert_non_null(m);
	assert_string_equal(mail_subject(m), "Re: Faktura");
	assert_string_equal(mail_from_address(m), "jan@nowak.example.pl");
	assert_string_equal(mail_message_id(m), "cr-1@nowak.example.pl");
	assert_string_equal(mail_body_text(m), "Zapłaciliśmy wczoraj.\n\nJan\n");
	mail_free(m);
}

static void
test_mbox_from_line(void **state)
{
	mail *m = parse_file("mbox-from.eml");
	assert_string_equal(mail_from_address(m), "anna.kowalska@example.pl");
	assert_string_equal(mail_subject(m), "Re: mbox");
	assert_string_equal(mail_body_text(m), "Paid yesterday.\n");
	mail_free(m);
}

static void
test_truncated_multipart(void **state)
{
	mail *m = parse_file("truncated-multipart.eml");
	assert_string_equal(mail_body_text(m), "We paid on Monday.\n");
	assert_int_equal(mail_attachment_count(m), 1);
	assert_string_equal(mail_attachment_name(m, 0), "proof.pdf");
	mail_free(m);
}

static void
test_unusable_input(void **state)
{
	GError *error = NULL;
	char *path = g_build_filename(test_root(), "tests", "mail", "mime", "garbage.bin", NULL);
	size_t length = 0;
	char *data = test_read_file(path, &length);

	assert_null(mail_parse("", 0, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
	assert_non_null(strstr(error->message, "empty"));
	g_clear_error(&error);

	assert_null(mail_parse(data, length, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
	g_clear_error(&error);

	/* Only an mbox line: nothing left. */
	assert_null(mail_parse("From x Mon May 13 2024\n", 23, &error));
	g_clear_error(&error);
	g_free(data);
	g_free(path);
}

static void
test_headers_only_message(void **state)
{
	const char *raw = "Subject: no body\nFrom: <A@B.example>";
	mail *m = mail_parse(raw, strlen(raw), NULL);
	assert_non_null(m);
	assert_string_equal(mail_subject(m), "no body");
	assert_string_equal(mail_from_address(m), "a@b.example");
	assert_null(mail_from_name(m));
	assert_string_equal(mail_body_text(m), "");
	assert_false(mail_date(m, NULL, NULL));
	assert_null(mail_message_id(m));
	mail_free(m);
}

static void
test_deep_nesting_bounded(void **state)
{
	GString *raw = g_string_new("From: a@b.example\nSubject: deep\nMIME-Version: 1.0\n");
	const int levels = 5000;

	for (int i = 0; i < levels; i++)
		g_string_append_printf(
		    raw, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
	g_string_append(raw, "Content-Type: text/plain\n\nhello\n");
	for (int i = levels - 1; i >= 0; i--)
		g_string_append_printf(raw, "--b%d--\n", i);
	mail *m = mail_parse(raw->str, raw->len, NULL);
	assert_non_null(m);
	/* The text sits below MAIL_MAX_DEPTH, so it is not reached. */
	assert_string_equal(mail_body_text(m), "");
	mail_free(m);
	g_string_free(raw, TRUE);
}

static void
test_large_message(void **state)
{
	/* 30 MB of base64 attachment must parse, and quickly enough to be a filter. */
	GString *raw = g_string_new("From: a@b.example\nSubject: big\nMIME-Version: 1.0\n"
	                            "Content-Type: multipart/mixed; boundary=\"x\"\n\n--x\n"
	                            "Content-Type: text/plain\n\nsee attachment\n--x\n"
	                            "Content-Type: application/pdf; name=big.pdf\n"
	                            "Content-Transfer-Encoding: base64\n\n");
	while (raw->len < 30 * 1024 * 1024)
		g_string_append(
		    raw, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\n");
	g_string_append(raw, "--x--\n");
	mail *m = mail_parse(raw->str, raw->len, NULL);
	assert_non_null(m);
	assert_string_equal(mail_body_text(m), "see attachment");
	assert_int_equal(mail_attachment_count(m), 1);
	assert_string_equal(mail_attachment_name(m, 0), "big.pdf");
	mail_free(m);
	g_string_free(raw, TRUE);
}

/*
 * MimeKit's odd messages: each must parse, and where the message has a
 * text part (name -> expected start of the text, NULL when it has none).
 */
static const struct {
	const char *file;
	const char *text_start;
} mimekit_expectations[] = {
    {"body.1.txt", "This is the text body."},
    {"body.2.txt", "This is an html body."},
    {"body.3.txt", "This is the text body."},
    {"body.4.txt", "This is an html body."},
    {"body.5.txt", "This is the text body."},
    {"body.6.txt", "This is the text body."},
    {"body.7.txt", "This is the text body."},
    {"body.8.txt", "This is the text body."},
    {"body.9.txt", "This is an html body."},
    {"bounce.txt", "This is the mail system at host"},
    {"delivery-status-multiple-blank-lines.txt", "This is human readable text"},
    {"delivery-status-no-blank-line.txt", "Processing your mail message"},
    {"delivery-status.txt", "Processing your mail message"},
    {"delivery-status2.txt", "This message was created automatically"},
    {"disposition-notification.txt", "The message sent on 1995 Sep 19"},
    {"empty-multipart.txt", "This part should be on the same level"},
    {"epilogue.txt", "> NeXTSTEP"},
    {"feedback-report.txt", "This is an email abuse report"},
    {"issue1130.txt", "We should have access"},
    {"issue358.txt", "Test headers"},
    {"japanese.txt", "Let's see if both subject and body works fine"},
    {"missing-subtype.txt", NULL},
    {"multipart-digest.txt", NULL},
    {"multipart-related-mhtml.txt", "def"},
    {"rfc2060.txt", "This part specifier should be: 1"},
    {"simple-embedded-message.eml", "This is the message body."},
    {"simple-multipart.eml", "This is the message body."},
    {"stack-overflow.txt", "Message Body"},
};

static void
test_mimekit_messages(void **state)
{
	char *fixtures = test_shared_fixtures();
	size_t parsed = 0, with_text = 0;

	if (fixtures == NULL)
		skip();
	char *dir = g_build_filename(fixtures, "mimekit-messages", NULL);
	GDir *listing = g_dir_open(dir, 0, NULL);
	const char *name;

	assert_non_null(listing);
	/* Every message file parses without crashing and yields valid UTF-8. */
	while ((name = g_dir_read_name(listing)) != NULL) {
		if (!g_str_has_suffix(name, ".txt") && !g_str_has_suffix(name, ".eml"))
			continue;
		char *path = g_build_filename(dir, name, NULL);
		size_t length;
		char *data = test_read_file(path, &length);
		mail *m = mail_parse(data, length, NULL);
		if (m == NULL)
			fail_msg("%s: not parsed", name);
		assert_true(g_utf8_validate(mail_body_text(m), -1, NULL));
		assert_true(g_utf8_validate(mail_subject(m), -1, NULL));
		parsed++;
		mail_free(m);
		g_free(data);
		g_free(path);
	}
	g_dir_close(listing);

	for (size_t i = 0; i < G_N_ELEMENTS(mimekit_expectations); i++) {
		char *path = g_build_filename(dir, mimekit_expectations[i].file, NULL);
		size_t length;
		char *data = test_read_file(path, &length);
		mail *m = mail_parse(data, length, NULL);
		const char *expected = mimekit_expectations[i].text_start;
		const char *text = mail_body_text(m);
		while (*text == '\n' || *text == ' ')
			text++;
		if (expected == NULL) {
			assert_string_equal(mail_body_text(m), "");
		} else {
			if (!g_str_has_prefix(text, expected))
				fail_msg("%s: body \"%.60s\" does not start with \"%s\"",
				         mimekit_expectations[i].file, text, expected);
			with_text++;
		}
		mail_free(m);
		g_free(data);
		g_free(path);
	}
	print_message("mimekit-messages: %zu parsed, %zu text parts found as expected\n", parsed,
	              with_text);
	assert_true(parsed >= G_N_ELEMENTS(mimekit_expectations));
	g_free(dir);
	g_free(fixtures);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_quoted_printable_body),
	    cmocka_unit_test(test_base64_body),
	    cmocka_unit_test(test_undeclared_windows_1250),
	    cmocka_unit_test(test_undeclared_windows_1251),
	    cmocka_unit_test(test_declared_iso_8859_2),
	    cmocka_unit_test(test_wrong_declared_charset_falls_back),
	    cmocka_unit_test(test_text_to_utf8),
	    cmocka_unit_test(test_rfc2047_subject_and_name),
	    cmocka_unit_test(test_8bit_headers),
	    cmocka_unit_test(test_rfc2231_attachment_names),
	    cmocka_unit_test(test_gmail_html_only),
	    cmocka_unit_test(test_outlook_html_only),
	    cmocka_unit_test(test_alternative_prefers_plain),
	    cmocka_unit_test(test_enclosed_message_is_not_the_reply),
	    cmocka_unit_test(test_crlf_line_ends),
	    cmocka_unit_test(test_bare_cr_line_ends),
	    cmocka_unit_test(test_mbox_from_line),
	    cmocka_unit_test(test_truncated_multipart),
	    cmocka_unit_test(test_unusable_input),
	    cmocka_unit_test(test_headers_only_message),
	    cmocka_unit_test(test_deep_nesting_bounded),
	    cmocka_unit_test(test_large_message),
	    cmocka_unit_test(test_mimekit_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
