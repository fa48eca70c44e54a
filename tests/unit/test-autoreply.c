/*
 * Auto-reply and bounce detection over tests/mail/autoreply/ and the
 * sisimai set of RFC 3464 bounces and RFC 3834 auto-replies.
 */
#include "tests/unit/testutil.h"

#include "filter/autoreply.h"

static mail *
parse_path(const char *path)
{
	size_t length = 0;
	char *data = test_read_file(path, &length);
	GError *error = NULL;
	mail *m = mail_parse(data, length, &error);

	if (m == NULL)
		fail_msg("%s: %s", path, error->message);
	g_free(data);
	return m;
}

static void
detect_file(const char *name, autoreply_result *result)
{
	char *path = g_build_filename(test_root(), "tests", "mail", "autoreply", name, NULL);
	mail *m = parse_path(path);

	autoreply_detect(m, result);
	mail_free(m);
	g_free(path);
}

static size_t
count_strings(char **list)
{
	size_t n = 0;
	while (list != NULL && list[n] != NULL)
		n++;
	return n;
}

static void
test_vacation_by_subject(void **state)
{
	static const struct {
		const char *file;
		const char *reason;
	} cases[] = {
	    {"pl-subject-only.eml", "subject: autoodpowiedz"},
	    {"bg-subject-only.eml", "subject: автоматичен отговор"},
	    {"ro-no-diacritics.eml", "subject: raspuns automat"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		autoreply_result result = {0};
		detect_file(cases[i].file, &result);
		assert_int_equal(result.kind, AUTOREPLY_VACATION);
		assert_string_equal(result.reason, cases[i].reason);
		assert_null(result.failed_recipients);
		autoreply_result_clear(&result);
	}
}

static void
test_vacation_by_header(void **state)
{
	autoreply_result result = {0};

	detect_file("de-exchange.eml", &result);
	assert_int_equal(result.kind, AUTOREPLY_VACATION);
	/* Headers are checked before the subject. */
	assert_string_equal(result.reason, "header X-MS-Exchange-Inbox-Rules-Loop");
	autoreply_result_clear(&result);

	detect_file("precedence-auto-reply.eml", &result);
	assert_int_equal(result.kind, AUTOREPLY_VACATION);
	assert_string_equal(result.reason, "header Precedence: auto_reply");
	assert_false(result.bulk);
	autoreply_result_clear(&result);
}

static void
test_not_autoreplies(void **state)
{
	autoreply_result result = {0};

	detect_file("human-reply.eml", &result);
	assert_int_equal(result.kind, AUTOREPLY_NONE);
	assert_null(result.reason);
	assert_false(result.bulk);
	autoreply_result_clear(&result);

	/* A mailing list is noted, but it is not a person's automatic answer. */
	detect_file("list-not-autoreply.eml", &result);
	assert_int_equal(result.kind, AUTOREPLY_NONE);
	assert_true(result.bulk);
	autoreply_result_clear(&result);
}

static void
test_bounce_without_mime(void **state)
{
	autoreply_result result = {0};

	detect_file("bounce-plain-exim.eml", &result);
	assert_int_equal(result.kind, AUTOREPLY_BOUNCE);
	assert_int_equal(count_strings(result.failed_recipients), 1);
	assert_string_equal(result.failed_recipients[0], "ksiegowosc@firma.pl");
	assert_string_equal(result.status, "5.1.1");
	assert_string_equal(result.original_message_id, "reminder-17@dunmail.example");
	autoreply_result_clear(&result);
	assert_null(result.reason);
}

static void
test_bounce_with_report(void **state)
{
	autoreply_result result = {0};

	detect_file("bounce-dsn-rfc822.eml", &result);
	assert_int_equal(result.kind, AUTOREPLY_BOUNCE);
	assert_string_equal(result.reason, "multipart/report; report-type=delivery-status");
	/* Original-Recipient wins over the alias expansion; the delivered one is left out. */
	assert_int_equal(count_strings(result.failed_recipients), 1);
	assert_string_equal(result.failed_recipients[0], "accounts@example.com");
	assert_string_equal(result.status, "5.2.2");
	/* The enclosed message's folded Message-ID links the bounce to the reminder. */
	assert_string_equal(result.original_message_id, "reminder-18@dunmail.example");
	autoreply_result_clear(&result);
}

/* A delivery-status report built around one Action line. */
static mail *
dsn_with_actions(const char *groups)
{
	char *text = g_strdup_printf(
	    "From: MAILER-DAEMON@mx.client.example\nTo: you@studio.example\n"
	    "Subject: Delivery Status Notification\nMessage-ID: <dsn-1@mx.client.example>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nA report on your message.\n\n"
	    "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.client.example\n"
	    "\n%s\n"
	    "--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <reminder-1@studio.example>\n"
	    "Subject: Payment reminder\n\n--b--\n",
	    groups);
	mail *m = mail_parse(text, strlen(text), NULL);

	assert_non_null(m);
	g_free(text);
	return m;
}

/*
 * RFC 3464 reports say more than "failed": a message delivered, relayed or
 * expanded arrived, and a delayed one is still being tried.  None of them
 * is a bounce (the client's address is fine) nor an auto-reply.
 */
static void
test_delivery_reports_are_not_bounces(void **state)
{
	static const struct {
		const char *groups;
		autoreply_kind kind;
		const char *failed; /* the failed recipient, or NULL */
		const char *status;
	} cases[] = {
	    {"Final-Recipient: rfc822; ap@client.example\nAction: delivered\nStatus: 2.0.0\n",
	     AUTOREPLY_REPORT, NULL, NULL},
	    {"Final-Recipient: rfc822; ap@client.example\nAction: relayed\nStatus: 2.0.0\n",
	     AUTOREPLY_REPORT, NULL, NULL},
	    {"Final-Recipient: rfc822; ap@client.example\nAction: Delayed\nStatus: 4.4.7\n",
	     AUTOREPLY_REPORT, NULL, "4.4.7"},
	    {"Final-Recipient: rfc822; ap@client.example\nAction: delayed\nStatus: 4.4.7\n\n"
	     "Final-Recipient: rfc822; boss@client.example\nAction: failed\nStatus: 5.1.1\n",
	     AUTOREPLY_BOUNCE, "boss@client.example", "5.1.1"},
	    {"Final-Recipient: rfc822; ap@client.example\nAction: failed\nStatus: 5.1.1\n",
	     AUTOREPLY_BOUNCE, "ap@client.example", "5.1.1"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		mail *m = dsn_with_actions(cases[i].groups);
		autoreply_result result = {0};
		assert_true(autoreply_detect(m, &result));
		if (result.kind != cases[i].kind)
			fail_msg("case %zu: kind %d, expected %d", i, result.kind, cases[i].kind);
		if (cases[i].failed == NULL) {
			assert_null(result.failed_recipients);
		} else {
			assert_int_equal(count_strings(result.failed_recipients), 1);
			assert_string_equal(result.failed_recipients[0], cases[i].failed);
		}
		if (cases[i].status != NULL)
			assert_string_equal(result.status, cases[i].status);
		assert_string_equal(result.original_message_id, "reminder-1@studio.example");
		autoreply_result_clear(&result);
		mail_free(m);
	}
}

static void
test_result_reused(void **state)
{
	autoreply_result result = {0};

	detect_file("bounce-dsn-rfc822.eml", &result);
	/* Detecting again into a filled result releases the old contents. */
	detect_file("human-reply.eml", &result);
	assert_int_equal(result.kind, AUTOREPLY_NONE);
	assert_null(result.failed_recipients);
	assert_null(result.status);
	autoreply_result_clear(&result);
}

static char *
sisimai_dir(void)
{
	char *fixtures = test_shared_fixtures();
	char *dir;

	if (fixtures == NULL)
		return NULL;
	dir = g_build_filename(fixtures, "sisimai-dsn-autoreply", NULL);
	g_free(fixtures);
	return dir;
}

/* Does the file carry a delivery-status recipient field at all? */
static bool
has_dsn_recipient(const char *path)
{
	char *data = test_read_file(path, NULL);
	bool found =
	    strstr(data, "Final-Recipient:") != NULL || strstr(data, "Original-Recipient:") != NULL;
	g_free(data);
	return found;
}

/*
 * sisimai calls a delay a bounce (reason "delayed"); dunmail does not: the
 * server still tries, and the client's address is fine.  These reports say
 * only "Action: delayed".
 */
static const char *const sisimai_delayed_only[] = {"rfc3464-07.eml", "rfc3464-09.eml",
                                                   "rfc3464-34.eml", "rfc3464-55.eml", NULL};

static bool
sisimai_is_delayed_only(const char *name)
{
	return g_strv_contains(sisimai_delayed_only, name);
}

static void
test_sisimai_rfc3464_bounces(void **state)
{
	char *dir = sisimai_dir();
	size_t total = 0, bounces = 0, reports = 0, with_recipient = 0, with_dsn = 0,
	       with_status = 0;

	if (dir == NULL)
		skip();
	GDir *listing = g_dir_open(dir, 0, NULL);
	const char *name;
	assert_non_null(listing);
	while ((name = g_dir_read_name(listing)) != NULL) {
		if (!g_str_has_prefix(name, "rfc3464-"))
			continue;
		char *path = g_build_filename(dir, name, NULL);
		mail *m = parse_path(path);
		autoreply_result result = {0};
		total++;
		autoreply_detect(m, &result);
		if (sisimai_is_delayed_only(name)) {
			if (result.kind != AUTOREPLY_REPORT)
				fail_msg("%s: a delay, not a delivery report (kind %d)", name,
				         result.kind);
			assert_null(result.failed_recipients);
			assert_true(result.status != NULL && result.status[0] == '4');
			reports++;
			autoreply_result_clear(&result);
			mail_free(m);
			g_free(path);
			continue;
		}
		if (result.kind != AUTOREPLY_BOUNCE)
			fail_msg("%s: not detected as a bounce", name);
		bounces++;
		if (has_dsn_recipient(path)) {
			with_dsn++;
			if (count_strings(result.failed_recipients) == 0)
				fail_msg("%s: no failed recipient read from its report", name);
		}
		if (count_strings(result.failed_recipients) > 0)
			with_recipient++;
		if (result.status != NULL)
			with_status++;
		for (size_t i = 0; i < count_strings(result.failed_recipients); i++)
			assert_non_null(strchr(result.failed_recipients[i], '@'));
		autoreply_result_clear(&result);
		mail_free(m);
		g_free(path);
	}
	g_dir_close(listing);
	print_message("sisimai rfc3464: %zu/%zu bounces and %zu delays, %zu with a failed recipient"
	              " (%zu of them have a report), %zu with a status\n",
	              bounces, total, reports, with_recipient, with_dsn, with_status);
	assert_int_equal(total, 36);
	assert_int_equal(reports, 4);
	assert_int_equal(with_recipient, bounces);
	g_free(dir);
}

static void
test_sisimai_rfc3464_details(void **state)
{
	/* Values read from the files themselves, as dunmail must report them. */
	static const struct {
		const char *file;
		const char *recipient;
		const char *status;
		const char *original_id;
	} cases[] = {
	    {"rfc3464-01.eml", "userunknown@bouncehammer.jp", "5.1.1",
	     "E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org"},
	    {"rfc3464-37.eml", "kijitora@neko.nyaan.example.com", NULL,
	     "ffffffffffff000000002222000000000@e3.example.com"},
	    {"rfc3464-38.eml", "kijitora-nyaan@example.jp", NULL, NULL},
	    {"rfc3464-39.eml", "kijitora@nyaan.example.net", NULL, NULL},
	};
	char *dir = sisimai_dir();

	if (dir == NULL)
		skip();
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *path = g_build_filename(dir, cases[i].file, NULL);
		mail *m = parse_path(path);
		autoreply_result result = {0};
		assert_true(autoreply_detect(m, &result));
		assert_int_equal(result.kind, AUTOREPLY_BOUNCE);
		assert_non_null(result.failed_recipients);
		assert_string_equal(result.failed_recipients[0], cases[i].recipient);
		if (cases[i].status != NULL)
			assert_string_equal(result.status, cases[i].status);
		else
			assert_null(result.status);
		if (cases[i].original_id != NULL)
			assert_string_equal(result.original_message_id, cases[i].original_id);
		autoreply_result_clear(&result);
		mail_free(m);
		g_free(path);
	}
	g_free(dir);
}

static void
test_sisimai_rfc3834_autoreplies(void **state)
{
	char *dir = sisimai_dir();
	size_t total = 0, vacations = 0;

	if (dir == NULL)
		skip();
	GDir *listing = g_dir_open(dir, 0, NULL);
	const char *name;
	assert_non_null(listing);
	while ((name = g_dir_read_name(listing)) != NULL) {
		if (!g_str_has_prefix(name, "rfc3834-"))
			continue;
		char *path = g_build_filename(dir, name, NULL);
		mail *m = parse_path(path);
		autoreply_result result = {0};
		total++;
		autoreply_detect(m, &result);
		if (result.kind != AUTOREPLY_VACATION)
			fail_msg("%s: not detected as an auto-reply (kind %d)", name, result.kind);
		vacations++;
		assert_non_null(result.reason);
		autoreply_result_clear(&result);
		mail_free(m);
		g_free(path);
	}
	g_dir_close(listing);
	print_message("sisimai rfc3834: %zu/%zu auto-replies\n", vacations, total);
	assert_int_equal(total, 6);
	g_free(dir);
}

static void
test_mimekit_reports(void **state)
{
	/* A read receipt and an abuse report are reports, but not bounces. */
	static const struct {
		const char *file;
		autoreply_kind kind;
	} cases[] = {
	    {"disposition-notification.txt", AUTOREPLY_NONE},
	    {"feedback-report.txt", AUTOREPLY_NONE},
	    {"delivery-status2.txt", AUTOREPLY_BOUNCE},
	    {"bounce.txt", AUTOREPLY_BOUNCE},
	    {"simple-multipart.eml", AUTOREPLY_NONE},
	};
	char *fixtures = test_shared_fixtures();

	if (fixtures == NULL)
		skip();
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *path = g_build_filename(fixtures, "mimekit-messages", cases[i].file, NULL);
		mail *m = parse_path(path);
		autoreply_result result = {0};
		autoreply_detect(m, &result);
		if (result.kind != cases[i].kind)
			fail_msg("%s: kind %d, expected %d", cases[i].file, result.kind,
			         cases[i].kind);
		autoreply_result_clear(&result);
		mail_free(m);
		g_free(path);
	}
	g_free(fixtures);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vacation_by_subject),
	    cmocka_unit_test(test_vacation_by_header),
	    cmocka_unit_test(test_not_autoreplies),
	    cmocka_unit_test(test_bounce_without_mime),
	    cmocka_unit_test(test_bounce_with_report),
	    cmocka_unit_test(test_result_reused),
	    cmocka_unit_test(test_delivery_reports_are_not_bounces),
	    cmocka_unit_test(test_sisimai_rfc3464_bounces),
	    cmocka_unit_test(test_sisimai_rfc3464_details),
	    cmocka_unit_test(test_sisimai_rfc3834_autoreplies),
	    cmocka_unit_test(test_mimekit_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
