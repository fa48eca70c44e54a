/*
 * Tests for draft/message: every draft is parsed back with GMime and its
 * header list compared, name by name, with what was set, so an injected
 * header of any kind fails the test.
 */
#include "tests/unit/testutil.h"

#include <gmime/gmime.h>

#include "common/util.h"
#include "draft/message.h"

/* 2023-11-14 22:13:20 UTC, written at +02:00. */
#define TEST_DATE 1700000000
#define TEST_OFFSET 120

static const char *const polish_subject =
    "Przypomnienie: faktura FV/2023/11/001 — zaległa płatność";
static const char *const bulgarian_subject = "Напомняне: неплатена фактура № 0000001234";
static const char *const polish_body = "Szanowni Państwo,\n"
                                       "\n"
                                       "uprzejmie przypominamy o zaległej płatności 1 250,00 zł.\n"
                                       "Добър ден, г-н Петров.\n"
                                       "\n"
                                       "Z poważaniem\n"
                                       "Łukasz Żółkiewski\n";

/* A draft with every field set the ordinary way. */
static draft_message *
test_draft_full(void)
{
	draft_message *d = draft_message_new();
	draft_message_set_from(d, "Łukasz Żółkiewski", "lukasz@example.pl");
	draft_message_set_to(d, "Иван Петров", "ivan.petrov@example.bg");
	draft_message_add_cc(d, "Zarząd", "zarzad@example.pl");
	draft_message_add_cc(d, NULL, "ksiegowosc@example.bg");
	draft_message_set_subject(d, polish_subject);
	draft_message_set_body(d, polish_body);
	draft_message_set_date(d, TEST_DATE, TEST_OFFSET);
	draft_message_set_in_reply_to(d, "<reply-2@client.example.bg>");
	const char *const refs[] = {"<root@example.pl>", "reply-1@client.example.bg", NULL};
	draft_message_set_references(d, refs);
	draft_message_set_draft_id(d, "42");
	draft_message_add_invoice_number(d, "FV/2023/11/001");
	draft_message_add_invoice_number(d, "FV/2023/11/002");
	return d;
}

/* A draft with only what is required. */
static draft_message *
test_draft_minimal(void)
{
	draft_message *d = draft_message_new();
	draft_message_set_from(d, "Anna", "anna@example.com");
	draft_message_set_to(d, "Client", "billing@client.example");
	draft_message_set_subject(d, "Invoice 7: payment reminder");
	draft_message_set_body(d, "Dear client,\nplease pay.\n");
	draft_message_set_date(d, TEST_DATE, 0);
	draft_message_set_draft_id(d, "7");
	draft_message_add_invoice_number(d, "INV-7");
	return d;
}

static GBytes *
test_render(const draft_message *d, bool crlf, char **message_id)
{
	GBytes *bytes = NULL;
	GError *error = NULL;
	if (!draft_message_render(d, crlf, &bytes, message_id, &error))
		fail_msg("render failed: %s", error->message);
	assert_non_null(bytes);
	return bytes;
}

static void
test_render_fails(const draft_message *d, const char *expected_part)
{
	GBytes *bytes = NULL;
	char *id = NULL;
	GError *error = NULL;
	assert_false(draft_message_render(d, false, &bytes, &id, &error));
	assert_null(bytes);
	assert_null(id);
	assert_non_null(error);
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
	if (strstr(error->message, expected_part) == NULL)
		fail_msg("error \"%s\" does not name \"%s\"", error->message, expected_part);
	g_error_free(error);
}

static GMimeMessage *
test_parse(GBytes *bytes)
{
	gsize length = 0;
	const char *data = g_bytes_get_data(bytes, &length);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, length);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	assert_non_null(message);
	return message;
}

static void
test_append_header_names(GString *names, GMimeObject *object)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(object);
	for (int i = 0; i < g_mime_header_list_get_count(list); i++) {
		GMimeHeader *header = g_mime_header_list_get_header_at(list, i);
		g_string_append_printf(names, "%s%s", names->len > 0 ? "|" : "",
		                       g_mime_header_get_name(header));
	}
}

/*
 * The header names of the parsed message joined with "|": the message's
 * own, then its body part's (GMime files Content-* under the part).
 */
static char *
test_header_names(GMimeMessage *message)
{
	GString *names = g_string_new(NULL);
	test_append_header_names(names, GMIME_OBJECT(message));
	test_append_header_names(names, g_mime_message_get_mime_part(message));
	return g_string_free(names, FALSE);
}

/*
 * The same read straight from the bytes, without GMime: every header line
 * starts at column 0 with a name and a colon; continuation lines start with
 * white space.  The header section ends at the first empty line.
 */
static char *
test_raw_header_names(GBytes *bytes)
{
	gsize length = 0;
	const char *data = g_bytes_get_data(bytes, &length);
	char *text = g_strndup(data, length);
	char **lines = g_strsplit(text, "\n", -1);
	GString *names = g_string_new(NULL);
	for (size_t i = 0; lines[i] != NULL; i++) {
		char *line = lines[i];
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0)
			break;
		if (line[0] == ' ' || line[0] == '\t')
			continue;
		const char *colon = strchr(line, ':');
		if (colon == NULL)
			fail_msg("header line without a colon: \"%s\"", line);
		g_string_append_printf(names, "%s%.*s", names->len > 0 ? "|" : "",
		                       (int)(colon - line), line);
	}
	g_strfreev(lines);
	g_free(text);
	return g_string_free(names, FALSE);
}

static void
test_assert_header_names(GMimeMessage *message, const char *expected)
{
	char *names = test_header_names(message);
	assert_string_equal(names, expected);
	g_free(names);
}

static void
test_assert_raw_header_names(GBytes *bytes, const char *expected)
{
	char *names = test_raw_header_names(bytes);
	assert_string_equal(names, expected);
	g_free(names);
}

static const char *
test_header(GMimeMessage *message, const char *name)
{
	return g_mime_object_get_header(GMIME_OBJECT(message), name);
}

static char *
test_body(GMimeMessage *message)
{
	GMimeObject *part = g_mime_message_get_mime_part(message);
	assert_true(GMIME_IS_TEXT_PART(part));
	return g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

static void
test_assert_mailbox(InternetAddressList *list, int index, const char *name, const char *address)
{
	assert_true(index < internet_address_list_length(list));
	InternetAddress *ia = internet_address_list_get_address(list, index);
	assert_true(INTERNET_ADDRESS_IS_MAILBOX(ia));
	assert_string_equal(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)),
	                    address);
	const char *got = internet_address_get_name(ia);
	if (name == NULL)
		assert_true(got == NULL || got[0] == '\0');
	else
		assert_string_equal(got, name);
}

/* The header section (up to the blank line) is 7-bit: 8-bit text is RFC 2047-encoded. */
static void
test_assert_headers_ascii(GBytes *bytes)
{
	gsize length = 0;
	const char *data = g_bytes_get_data(bytes, &length);
	for (gsize i = 0; i < length; i++) {
		if (data[i] == '\n' && i + 1 < length &&
		    (data[i + 1] == '\n' || data[i + 1] == '\r'))
			return;
		if ((unsigned char)data[i] >= 0x80)
			fail_msg("8-bit byte in the headers at offset %zu", i);
	}
}

#define FULL_HEADERS                                                                               \
	"From|To|Cc|Subject|Date|Message-Id|In-Reply-To|References|X-Dunmail-Draft|"               \
	"X-Dunmail-Invoice|MIME-Version|Content-Type|Content-Transfer-Encoding"
#define MINIMAL_HEADERS                                                                            \
	"From|To|Subject|Date|Message-Id|X-Dunmail-Draft|X-Dunmail-Invoice|MIME-Version|"          \
	"Content-Type|Content-Transfer-Encoding"

static void
test_full_draft_parsed_back(void **state)
{
	draft_message *d = test_draft_full();
	char *id = NULL;
	GBytes *bytes = test_render(d, false, &id);
	GMimeMessage *m = test_parse(bytes);

	test_assert_header_names(m, FULL_HEADERS);
	test_assert_raw_header_names(bytes, FULL_HEADERS);
	test_assert_headers_ascii(bytes);
	test_assert_mailbox(g_mime_message_get_from(m), 0, "Łukasz Żółkiewski",
	                    "lukasz@example.pl");
	test_assert_mailbox(g_mime_message_get_to(m), 0, "Иван Петров", "ivan.petrov@example.bg");
	assert_int_equal(internet_address_list_length(g_mime_message_get_cc(m)), 2);
	test_assert_mailbox(g_mime_message_get_cc(m), 0, "Zarząd", "zarzad@example.pl");
	test_assert_mailbox(g_mime_message_get_cc(m), 1, NULL, "ksiegowosc@example.bg");
	assert_string_equal(g_mime_message_get_subject(m), polish_subject);
	assert_string_equal(test_header(m, "Date"), "Wed, 15 Nov 2023 00:13:20 +0200");

	/* The id is <dunmail.{32 hex}@{domain of From}>, and the one returned. */
	assert_non_null(id);
	assert_true(g_regex_match_simple("^dunmail\\.[0-9a-f]{32}@example\\.pl$", id, 0, 0));
	assert_string_equal(g_mime_message_get_message_id(m), id);

	assert_string_equal(test_header(m, "In-Reply-To"), "<reply-2@client.example.bg>");
	GMimeReferences *refs = g_mime_references_parse(NULL, test_header(m, "References"));
	assert_int_equal(g_mime_references_length(refs), 3);
	assert_string_equal(g_mime_references_get_message_id(refs, 0), "root@example.pl");
	assert_string_equal(g_mime_references_get_message_id(refs, 1), "reply-1@client.example.bg");
	assert_string_equal(g_mime_references_get_message_id(refs, 2), "reply-2@client.example.bg");
	g_mime_references_free(refs);

	assert_string_equal(test_header(m, DRAFT_MESSAGE_HEADER_DRAFT), "42");
	assert_string_equal(test_header(m, DRAFT_MESSAGE_HEADER_INVOICE),
	                    "FV/2023/11/001, FV/2023/11/002");

	GMimeObject *part = g_mime_message_get_mime_part(m);
	GMimeContentType *type = g_mime_object_get_content_type(part);
	assert_true(g_mime_content_type_is_type(type, "text", "plain"));
	assert_string_equal(g_mime_content_type_get_parameter(type, "charset"), "utf-8");
	char *body = test_body(m);
	assert_string_equal(body, polish_body);
	g_free(body);

	g_object_unref(m);
	g_bytes_unref(bytes);
	g_free(id);
	draft_message_free(d);
}

static void
test_bulgarian_subject_and_utf8_names(void **state)
{
	draft_message *d = test_draft_minimal();
	draft_message_set_subject(d, bulgarian_subject);
	draft_message_set_to(d, "ЕТ „Петров и син“ ООД", "office@petrov.example.bg");
	draft_message_set_from(d, "Müller & Söhne, GmbH", "buchhaltung@example.de");
	GBytes *bytes = test_render(d, false, NULL);
	test_assert_headers_ascii(bytes);
	gsize length = 0;
	const char *data = g_bytes_get_data(bytes, &length);
	/* Encoded as UTF-8, not as a legacy Cyrillic or Latin charset GMime might pick. */
	assert_non_null(g_strstr_len(data, (gssize)length, "=?UTF-8?"));
	assert_null(g_strstr_len(data, (gssize)length, "iso-8859"));
	GMimeMessage *m = test_parse(bytes);
	test_assert_header_names(m, MINIMAL_HEADERS);
	test_assert_raw_header_names(bytes, MINIMAL_HEADERS);
	assert_string_equal(g_mime_message_get_subject(m), bulgarian_subject);
	test_assert_mailbox(g_mime_message_get_to(m), 0, "ЕТ „Петров и син“ ООД",
	                    "office@petrov.example.bg");
	test_assert_mailbox(g_mime_message_get_from(m), 0, "Müller & Söhne, GmbH",
	                    "buchhaltung@example.de");
	g_object_unref(m);
	g_bytes_unref(bytes);

	/*
	 * Long Cyrillic text spans several encoded-words; GMime 3.2.13 cannot
	 * read back the base64 pairs its encoder makes of them (gmime#133), so
	 * the draft must come out in Q words that it can read.
	 */
	static const char *const long_name =
	    "Иван Петров Иванов, управител на ЕТ „Петров и син“ ООД, град Пловдив";
	draft_message_set_to(d, long_name, "office@petrov.example.bg");
	draft_message_add_cc(d, long_name, "boss@petrov.example.bg");
	draft_message_add_cc(d, "Счетоводство", "acc@petrov.example.bg");
	bytes = test_render(d, true, NULL);
	data = g_bytes_get_data(bytes, &length);
	assert_non_null(g_strstr_len(data, (gssize)length, "=?UTF-8?Q?"));
	test_assert_headers_ascii(bytes);
	m = test_parse(bytes);
	test_assert_raw_header_names(bytes, "From|To|Cc|Subject|Date|Message-Id|X-Dunmail-Draft|"
	                                    "X-Dunmail-Invoice|MIME-Version|Content-Type|"
	                                    "Content-Transfer-Encoding");
	assert_string_equal(g_mime_message_get_subject(m), bulgarian_subject);
	test_assert_mailbox(g_mime_message_get_to(m), 0, long_name, "office@petrov.example.bg");
	assert_int_equal(internet_address_list_length(g_mime_message_get_cc(m)), 2);
	test_assert_mailbox(g_mime_message_get_cc(m), 0, long_name, "boss@petrov.example.bg");
	test_assert_mailbox(g_mime_message_get_cc(m), 1, "Счетоводство", "acc@petrov.example.bg");
	g_object_unref(m);
	g_bytes_unref(bytes);
	draft_message_free(d);
}

static void
test_line_ends(void **state)
{
	draft_message *d = test_draft_full();
	/* The body's own line ends do not matter: CR and CRLF become the output's. */
	draft_message_set_body(d, "line one\r\nline two\rline three\nżółw");
	GBytes *lf = test_render(d, false, NULL);
	GBytes *crlf = test_render(d, true, NULL);

	gsize length = 0;
	const char *data = g_bytes_get_data(lf, &length);
	assert_null(memchr(data, '\r', length));
	data = g_bytes_get_data(crlf, &length);
	size_t newlines = 0;
	for (gsize i = 0; i < length; i++) {
		if (data[i] == '\n') {
			assert_true(i > 0 && data[i - 1] == '\r');
			newlines++;
		} else if (data[i] == '\r') {
			assert_true(i + 1 < length && data[i + 1] == '\n');
		}
	}
	assert_true(newlines > 10);
	assert_memory_equal(data + length - 2, "\r\n", 2);

	GMimeMessage *a = test_parse(lf);
	GMimeMessage *b = test_parse(crlf);
	test_assert_header_names(a, FULL_HEADERS);
	test_assert_header_names(b, FULL_HEADERS);
	test_assert_raw_header_names(lf, FULL_HEADERS);
	test_assert_raw_header_names(crlf, FULL_HEADERS);
	char *body_a = test_body(a);
	char *body_b = test_body(b);
	assert_string_equal(body_a, "line one\nline two\nline three\nżółw\n");
	/* GMime hands CRLF content back as it is; without the CRs it is the same text. */
	char **parts = g_strsplit(body_b, "\r", -1);
	char *joined = g_strjoinv("", parts);
	assert_string_equal(joined, body_a);
	g_strfreev(parts);
	g_free(joined);
	g_free(body_a);
	g_free(body_b);
	g_object_unref(a);
	g_object_unref(b);
	g_bytes_unref(lf);
	g_bytes_unref(crlf);
	draft_message_free(d);
}

static void
test_ascii_and_long_bodies(void **state)
{
	draft_message *d = test_draft_minimal();
	GBytes *bytes = test_render(d, false, NULL);
	GMimeMessage *m = test_parse(bytes);
	GMimeObject *part = g_mime_message_get_mime_part(m);
	/* charset=utf-8 even for ASCII: a user editing the draft may add any letter. */
	assert_string_equal(
	    g_mime_content_type_get_parameter(g_mime_object_get_content_type(part), "charset"),
	    "utf-8");
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(part)),
	                 GMIME_CONTENT_ENCODING_7BIT);
	g_object_unref(m);
	g_bytes_unref(bytes);

	/* A line longer than RFC 5322's 998 octets must be encoded, not written as is. */
	GString *text = g_string_new("Zestawienie: ");
	while (text->len < 3000)
		g_string_append(text, "ąę ");
	g_string_append_c(text, '\n');
	draft_message_set_body(d, text->str);
	bytes = test_render(d, false, NULL);
	gsize length = 0;
	const char *data = g_bytes_get_data(bytes, &length);
	size_t line = 0;
	for (gsize i = 0; i < length; i++) {
		line = data[i] == '\n' ? 0 : line + 1;
		assert_true(line <= 998);
	}
	m = test_parse(bytes);
	part = g_mime_message_get_mime_part(m);
	GMimeContentEncoding encoding = g_mime_part_get_content_encoding(GMIME_PART(part));
	assert_true(encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	            encoding == GMIME_CONTENT_ENCODING_BASE64);
	char *body = test_body(m);
	assert_string_equal(body, text->str);
	g_free(body);
	g_string_free(text, TRUE);
	g_object_unref(m);
	g_bytes_unref(bytes);
	draft_message_free(d);
}

static void
test_references_bounded_and_cleaned(void **state)
{
	draft_message *d = test_draft_minimal();
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < 30; i++)
		g_ptr_array_add(ids, g_strdup_printf("<m%d@example.com>", i));
	/* Malformed ids from a client's mailer, and a repeat, are left out. */
	g_ptr_array_add(ids, g_strdup("<bad id@example.com>"));
	g_ptr_array_add(ids, g_strdup("<x@y>\r\nBcc: victim@example.com"));
	g_ptr_array_add(ids, g_strdup("<>"));
	g_ptr_array_add(ids, g_strdup("m29@example.com"));
	g_ptr_array_add(ids, NULL);
	draft_message_set_references(d, (const char *const *)ids->pdata);
	draft_message_set_in_reply_to(d, "  <m5@example.com>  ");
	GBytes *bytes = test_render(d, false, NULL);
	GMimeMessage *m = test_parse(bytes);
	test_assert_header_names(m, "From|To|Subject|Date|Message-Id|In-Reply-To|References|"
	                            "X-Dunmail-Draft|X-Dunmail-Invoice|MIME-Version|Content-Type|"
	                            "Content-Transfer-Encoding");
	assert_string_equal(test_header(m, "In-Reply-To"), "<m5@example.com>");
	GMimeReferences *refs = g_mime_references_parse(NULL, test_header(m, "References"));
	assert_int_equal(g_mime_references_length(refs), DRAFT_MESSAGE_MAX_REFERENCES);
	/* The root stays first, the answered message moves to the end, the newest stay. */
	assert_string_equal(g_mime_references_get_message_id(refs, 0), "m0@example.com");
	assert_string_equal(
	    g_mime_references_get_message_id(refs, DRAFT_MESSAGE_MAX_REFERENCES - 1),
	    "m5@example.com");
	assert_string_equal(
	    g_mime_references_get_message_id(refs, DRAFT_MESSAGE_MAX_REFERENCES - 2),
	    "m29@example.com");
	for (int i = 0; i < g_mime_references_length(refs); i++) {
		const char *ref = g_mime_references_get_message_id(refs, i);
		assert_null(strchr(ref, ' '));
		for (int j = i + 1; j < g_mime_references_length(refs); j++)
			assert_string_not_equal(ref, g_mime_references_get_message_id(refs, j));
	}
	g_mime_references_free(refs);
	g_object_unref(m);
	g_bytes_unref(bytes);

	/* An unusable In-Reply-To is dropped, not written. */
	draft_message_set_references(d, NULL);
	draft_message_set_in_reply_to(d, "<a@b>\r\nBcc: victim@example.com");
	bytes = test_render(d, false, NULL);
	m = test_parse(bytes);
	test_assert_header_names(m, MINIMAL_HEADERS);
	test_assert_raw_header_names(bytes, MINIMAL_HEADERS);
	g_object_unref(m);
	g_bytes_unref(bytes);
	g_ptr_array_free(ids, TRUE);
	draft_message_free(d);
}

static void
test_message_id_new_each_time(void **state)
{
	draft_message *d = test_draft_minimal();
	char *first = NULL, *second = NULL;
	GBytes *a = test_render(d, false, &first);
	GBytes *b = test_render(d, false, &second);
	assert_string_not_equal(first, second);
	assert_true(g_str_has_suffix(first, "@example.com"));
	g_free(first);
	g_free(second);
	g_bytes_unref(a);
	g_bytes_unref(b);

	/* An internationalised domain is written as punycode: Message-IDs are ASCII. */
	draft_message_set_from(d, "Żółw", "biuro@żółw.pl");
	a = test_render(d, false, &first);
	assert_true(g_str_has_suffix(first, "@xn--w-uga1v8h.pl"));
	test_assert_headers_ascii(a);
	g_free(first);
	g_bytes_unref(a);
	draft_message_free(d);
}

/*
 * Hostile text for names and the subject: raw line breaks, Unicode line
 * breaks, and encoded-words whose decoded text holds a line break (also
 * nested, so that one round of decoding yields another encoded-word).
 */
static const char *const hostile_texts[] = {
    "\r\nBcc: x@y",
    "Evil\nBcc: victim@example.com",
    "Evil\rX-Injected: 1",
    "Evil\r\n\r\nbody starts here",
    "=?utf-8?q?a=0D=0AB:?=",
    "=?utf-8?q?a=0D=0ABcc:_victim@example.com?=",
    "=?utf-8?b?YQ0KQmNjOiB2aWN0aW1AZXhhbXBsZS5jb20=?=",
    "=?utf-8?q?=3D=3Futf-8=3Fq=3Fa=3D0D=3D0AB:=3F=3D?=",
    "Evil\xc2\x85"
    "Bcc: nel@example.com",
    "Evil\xe2\x80\xa8"
    "Bcc: ls@example.com",
    "Evil\x0b\x0c\x1b[31m\x7f"
    "X-Injected: 1",
    "\"Evil\" <attacker@example.com>, victim@example.com",
    "Evil\tBcc: tab@example.com",
};

/* No control character and no encoded-word may survive into decoded text. */
static void
test_assert_clean_text(const char *text)
{
	for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029)
			fail_msg("control U+%04X in \"%s\"", c, text);
	}
	assert_null(strstr(text, "=?"));
}

static void
test_injection_in_names_and_subject(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(hostile_texts); i++) {
		const char *evil = hostile_texts[i];
		for (int field = 0; field < 4; field++) {
			draft_message *d = test_draft_full();
			if (field == 0)
				draft_message_set_from(d, evil, "lukasz@example.pl");
			else if (field == 1)
				draft_message_set_to(d, evil, "ivan.petrov@example.bg");
			else if (field == 2)
				draft_message_add_cc(d, evil, "third@example.pl");
			else
				draft_message_set_subject(d, evil);
			for (int crlf = 0; crlf < 2; crlf++) {
				GBytes *bytes = test_render(d, crlf, NULL);
				GMimeMessage *m = test_parse(bytes);
				test_assert_header_names(m, FULL_HEADERS);
				test_assert_raw_header_names(bytes, FULL_HEADERS);
				test_assert_headers_ascii(bytes);
				test_assert_clean_text(g_mime_message_get_subject(m));
				InternetAddressList *lists[] = {g_mime_message_get_from(m),
				                                g_mime_message_get_to(m),
				                                g_mime_message_get_cc(m)};
				/* The addresses are exactly the ones set: no extra recipient. */
				assert_int_equal(internet_address_list_length(lists[0]), 1);
				assert_int_equal(internet_address_list_length(lists[1]), 1);
				assert_int_equal(internet_address_list_length(lists[2]),
				                 field == 2 ? 3 : 2);
				for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
					for (int k = 0; k < internet_address_list_length(lists[l]);
					     k++) {
						InternetAddress *ia =
						    internet_address_list_get_address(lists[l], k);
						assert_true(INTERNET_ADDRESS_IS_MAILBOX(ia));
						const char *name = internet_address_get_name(ia);
						if (name != NULL)
							test_assert_clean_text(name);
					}
				}
				/* GMime hands CRLF content back as it is. */
				char *body = test_body(m);
				char **pieces = g_strsplit(body, "\r", -1);
				g_free(body);
				body = g_strjoinv("", pieces);
				g_strfreev(pieces);
				assert_string_equal(body, polish_body);
				g_free(body);
				g_object_unref(m);
				g_bytes_unref(bytes);
			}
			draft_message_free(d);
		}
	}
}

static void
test_cleaned_text_keeps_words(void **state)
{
	draft_message *d = test_draft_minimal();
	draft_message_set_subject(d, "  Faktura\r\n 12\t—\x1b zaległa  =?płatność ");
	draft_message_set_to(d, "Jan\nKowalski", "jan@example.pl");
	GBytes *bytes = test_render(d, false, NULL);
	GMimeMessage *m = test_parse(bytes);
	assert_string_equal(g_mime_message_get_subject(m), "Faktura 12 — zaległa = ?płatność");
	test_assert_mailbox(g_mime_message_get_to(m), 0, "Jan Kowalski", "jan@example.pl");
	g_object_unref(m);
	g_bytes_unref(bytes);
	draft_message_free(d);
}

static void
test_injection_in_identifiers_refused(void **state)
{
	static const char *const bad_numbers[] = {
	    "12\r\nBcc: x@y",
	    "12\nX-Injected: 1",
	    "=?utf-8?q?1=0D=0ABcc:_x@y?=",
	    "12, 13",
	    "",
	    " 12",
	    "12\x85",
	    "12\xe2\x80\xa8"
	    "Bcc: y@z",
	    "\xff\xfe",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad_numbers); i++) {
		draft_message *d = test_draft_minimal();
		draft_message_add_invoice_number(d, bad_numbers[i]);
		test_render_fails(d, DRAFT_MESSAGE_HEADER_INVOICE);
		draft_message_free(d);
	}
	static const char *const bad_ids[] = {
	    "7\r\nBcc: x@y", "7\n", "=?utf-8?q?7=0ABcc:_x@y?=", "", "7\x01",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad_ids); i++) {
		draft_message *d = test_draft_minimal();
		draft_message_set_draft_id(d, bad_ids[i]);
		test_render_fails(d, DRAFT_MESSAGE_HEADER_DRAFT);
		draft_message_free(d);
	}
	static const char *const bad_addresses[] = {
	    "billing@client.example\r\nBcc: victim@example.com",
	    "billing@client.example\nBcc: victim@example.com",
	    "Evil <billing@client.example>",
	    "billing@client.example, victim@example.com",
	    "billing@client.example victim@example.com",
	    "\"quoted\"@client.example",
	    "billing@client.example\x85",
	    "billing",
	    "@client.example",
	    "billing@",
	    "billing@localhost",
	    "billing..x@client.example",
	    "billing@client..example",
	    "",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad_addresses); i++) {
		draft_message *d = test_draft_minimal();
		draft_message_set_to(d, "Client", bad_addresses[i]);
		test_render_fails(d, "To:");
		draft_message_add_cc(d, "Boss", "boss@client.example");
		draft_message_set_to(d, "Client", "billing@client.example");
		draft_message_add_cc(d, "Other", bad_addresses[i]);
		test_render_fails(d, "Cc:");
		draft_message_free(d);
	}
	/* Ordinary identifiers with spaces and letters of any language are fine. */
	draft_message *d = test_draft_minimal();
	draft_message_add_invoice_number(d, "FV 12/2023/ŁÓDŹ");
	draft_message_set_draft_id(d, "draft-2023-11-14-0007");
	GBytes *bytes = test_render(d, false, NULL);
	test_assert_headers_ascii(bytes);
	GMimeMessage *m = test_parse(bytes);
	test_assert_header_names(m, MINIMAL_HEADERS);
	test_assert_raw_header_names(bytes, MINIMAL_HEADERS);
	assert_string_equal(test_header(m, DRAFT_MESSAGE_HEADER_INVOICE), "INV-7, FV 12/2023/ŁÓDŹ");
	assert_string_equal(test_header(m, DRAFT_MESSAGE_HEADER_DRAFT), "draft-2023-11-14-0007");
	g_object_unref(m);
	g_bytes_unref(bytes);
	draft_message_free(d);
}

static void
test_missing_and_invalid_fields(void **state)
{
	draft_message *d = draft_message_new();
	test_render_fails(d, "From:");
	draft_message_set_from(d, "Anna", "anna@example.com");
	test_render_fails(d, "To:");
	draft_message_set_to(d, NULL, "billing@client.example");
	test_render_fails(d, "Subject:");
	draft_message_set_subject(d, "Reminder");
	test_render_fails(d, "body:");
	draft_message_set_body(d, "Please pay.");
	test_render_fails(d, DRAFT_MESSAGE_HEADER_DRAFT);
	draft_message_set_draft_id(d, "1");
	test_render_fails(d, DRAFT_MESSAGE_HEADER_INVOICE);
	draft_message_add_invoice_number(d, "1");
	draft_message_set_date(d, TEST_DATE, 900);
	test_render_fails(d, "Date:");
	draft_message_set_date(d, TEST_DATE, -300);
	draft_message_set_subject(d, "Bad \xc3\x28 UTF-8");
	test_render_fails(d, "Subject:");
	draft_message_set_subject(d, "Reminder");
	draft_message_set_body(d, "Bad \xe2\x82 UTF-8");
	test_render_fails(d, "body:");
	draft_message_set_body(d, "Please pay.");
	draft_message_set_to(d, "Bad \xff name", "billing@client.example");
	test_render_fails(d, "To:");
	draft_message_set_to(d, NULL, "billing@client.example");

	/* Now complete: a bare To address, a New York date, a body without final newline. */
	char *id = NULL;
	GBytes *bytes = test_render(d, false, &id);
	GMimeMessage *m = test_parse(bytes);
	test_assert_header_names(m, MINIMAL_HEADERS);
	test_assert_raw_header_names(bytes, MINIMAL_HEADERS);
	test_assert_mailbox(g_mime_message_get_to(m), 0, NULL, "billing@client.example");
	assert_string_equal(test_header(m, "Date"), "Tue, 14 Nov 2023 17:13:20 -0500");
	char *body = test_body(m);
	assert_string_equal(body, "Please pay.\n");
	g_free(body);
	g_object_unref(m);
	g_bytes_unref(bytes);
	g_free(id);
	draft_message_free(d);
	draft_message_free(NULL);
}

static void
test_date_defaults_to_now(void **state)
{
	draft_message *d = draft_message_new();
	draft_message_set_from(d, NULL, "anna@example.com");
	draft_message_set_to(d, NULL, "billing@client.example");
	draft_message_set_subject(d, "Reminder");
	draft_message_set_body(d, "Please pay.\n");
	draft_message_set_draft_id(d, "1");
	draft_message_add_invoice_number(d, "1");
	gint64 before = g_get_real_time() / G_USEC_PER_SEC;
	GBytes *bytes = test_render(d, false, NULL);
	gint64 after = g_get_real_time() / G_USEC_PER_SEC;
	GMimeMessage *m = test_parse(bytes);
	GDateTime *date = g_mime_message_get_date(m);
	assert_non_null(date);
	gint64 when = g_date_time_to_unix(date);
	assert_true(when >= before && when <= after);
	g_object_unref(m);
	g_bytes_unref(bytes);
	draft_message_free(d);
}

/* The body's bytes are UTF-8 as declared, not converted to a smaller charset. */
static void
test_body_stays_utf8_and_message_id_chosen(void **state)
{
	draft_message *d = test_draft_minimal();
	char *id = NULL;
	GBytes *bytes;
	gsize length;
	const char *data;
	char *text;

	draft_message_set_body(d, "Vielen Dank für Ihren Hinweis. Mit freundlichen Grüßen\n");
	draft_message_set_message_id(d, "dunmail.chosen@example.com");
	bytes = test_render(d, false, &id);
	data = g_bytes_get_data(bytes, &length);
	text = g_strndup(data, length);
	assert_string_equal(id, "dunmail.chosen@example.com");
	assert_non_null(strstr(text, "Message-Id: <dunmail.chosen@example.com>"));
	assert_non_null(strstr(text, "charset=utf-8"));
	/* Either 8bit UTF-8 bytes or quoted-printable of the UTF-8 bytes. */
	assert_true(strstr(text, "f\xc3\xbcr") != NULL || strstr(text, "f=C3=BCr") != NULL);
	assert_null(strstr(text, "f\xfcr"));
	g_free(text);
	g_free(id);
	g_bytes_unref(bytes);
	/* A Message-ID with a header break is refused like any identifier. */
	draft_message_set_message_id(d, "x@y\r\nBcc: z@w");
	test_render_fails(d, "Message-ID");
	draft_message_free(d);
}

int
main(void)
{
	g_mime_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_draft_parsed_back),
	    cmocka_unit_test(test_body_stays_utf8_and_message_id_chosen),
	    cmocka_unit_test(test_bulgarian_subject_and_utf8_names),
	    cmocka_unit_test(test_line_ends),
	    cmocka_unit_test(test_ascii_and_long_bodies),
	    cmocka_unit_test(test_references_bounded_and_cleaned),
	    cmocka_unit_test(test_message_id_new_each_time),
	    cmocka_unit_test(test_injection_in_names_and_subject),
	    cmocka_unit_test(test_cleaned_text_keeps_words),
	    cmocka_unit_test(test_injection_in_identifiers_refused),
	    cmocka_unit_test(test_missing_and_invalid_fields),
	    cmocka_unit_test(test_date_defaults_to_now),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return failed;
}
