/*
 * Threading: Message-ID parsing, Thread-Index keys, base subjects, the
 * RFC 5256 REFERENCES and ORDEREDSUBJECT algorithms (checked against the
 * imaptest threading scripts when ../shared/fixtures is present), and the
 * single-message "what does this answer" question.
 */
#include "tests/unit/testutil.h"

#include <gmime/gmime.h>

#include "common/util.h"
#include "filter/thread.h"

/* ---- helpers ------------------------------------------------------------ */

static char *
format_build(const ThreadMessage *messages, size_t n, ThreadFlags flags)
{
	ThreadForest *forest = thread_build(messages, n, flags);
	char *text = thread_forest_format(forest);
	thread_forest_free(forest);
	return text;
}

static void
assert_threads(const ThreadMessage *messages, size_t n, ThreadFlags flags, const char *expected)
{
	char *text = format_build(messages, n, flags);
	if (strcmp(text, expected) != 0)
		fail_msg("threads %s, expected %s", text, expected);
	g_free(text);
}

/* The base64 Thread-Index of a conversation byte and n reply blocks. */
static char *
make_thread_index(guchar conversation, const guchar *blocks, size_t n_blocks)
{
	guchar bytes[THREAD_INDEX_HEADER_SIZE + 4 * THREAD_INDEX_BLOCK_SIZE];
	size_t length = THREAD_INDEX_HEADER_SIZE + n_blocks * THREAD_INDEX_BLOCK_SIZE;
	assert_true(n_blocks <= 4);
	for (size_t i = 0; i < THREAD_INDEX_HEADER_SIZE; i++)
		bytes[i] = (guchar)(conversation + i * 7);
	for (size_t b = 0; b < n_blocks; b++)
		memset(bytes + THREAD_INDEX_HEADER_SIZE + b * THREAD_INDEX_BLOCK_SIZE, blocks[b],
		       THREAD_INDEX_BLOCK_SIZE);
	return g_base64_encode(bytes, length);
}

/* ---- Message-ID values ------------------------------------------------ */

static void
test_id_normalise(void **state)
{
	static const struct {
		const char *value;
		const char *id;
	} cases[] = {
	    {"<abc@example.com>", "abc@example.com"},
	    {"  <abc@example.com>\r\n", "abc@example.com"},
	    /* Folded inside the id by a mailer that wraps long lines. */
	    {"<1234.5678\r\n\t.JavaMail@host.example>", "1234.5678.JavaMail@host.example"},
	    /* Missing brackets. */
	    {"abc@example.com", "abc@example.com"},
	    {" abc@example.com (added by relay)", "abc@example.com"},
	    /* Garbage around and between. */
	    {"(comment <no@id>) <real@id>", "real@id"},
	    {"\"<quoted@id>\" <real@id>", "real@id"},
	    {"Your message of Mon, 1 Jan 2024 <m1@x.pl>", "m1@x.pl"},
	    /* An id without "@" is accepted when it is one word. */
	    {"<20240101.abcdef>", "20240101.abcdef"},
	    {"<message from Jan of Monday> <m2@x.pl>", "m2@x.pl"},
	    /* An unterminated id ends where the next one starts. */
	    {"<a@b <c@d>", "a@b"},
	    {"<>", NULL},
	    {"", NULL},
	    {"no id here", NULL},
	    {NULL, NULL},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *id = thread_id_normalise(cases[i].value);
		if (g_strcmp0(id, cases[i].id) != 0)
			fail_msg("\"%s\": got \"%s\", expected \"%s\"", cases[i].value, id,
			         cases[i].id);
		g_free(id);
	}
}

static void
test_references_split(void **state)
{
	GPtrArray *ids = thread_references_split(
	    "<a@x>\r\n <b@x>,<c@x> (comment <z@z>) <b@x>\r\n\t<d@\r\n x>   <a@x>");
	assert_int_equal(ids->len, 4);
	assert_string_equal(ids->pdata[0], "a@x");
	assert_string_equal(ids->pdata[1], "b@x");
	assert_string_equal(ids->pdata[2], "c@x");
	assert_string_equal(ids->pdata[3], "d@x");
	g_ptr_array_unref(ids);

	ids = thread_references_split("a@x b@x, a@x");
	assert_int_equal(ids->len, 2);
	assert_string_equal(ids->pdata[0], "a@x");
	assert_string_equal(ids->pdata[1], "b@x");
	g_ptr_array_unref(ids);

	ids = thread_references_split(NULL);
	assert_non_null(ids);
	assert_int_equal(ids->len, 0);
	g_ptr_array_unref(ids);

	ids = thread_references_split("   ");
	assert_int_equal(ids->len, 0);
	g_ptr_array_unref(ids);
}

/* ---- Thread-Index ------------------------------------------------------- */

static void
test_thread_index_keys(void **state)
{
	guchar blocks[] = {0x11, 0x22};
	char *root = make_thread_index(1, NULL, 0);
	char *reply = make_thread_index(1, blocks, 1);
	char *reply2 = make_thread_index(1, blocks, 2);
	char *other = make_thread_index(2, blocks, 1);

	GError *error = NULL;
	char *root_key = thread_index_normalise(root, &error);
	assert_non_null(root_key);
	assert_int_equal(strlen(root_key), 44);
	assert_int_equal(thread_index_depth(root_key), 0);
	assert_null(thread_index_parent_key(root_key));

	/* Folding white space and missing padding are tolerated. */
	GString *folded = g_string_new(reply2);
	g_string_insert(folded, 10, "\r\n\t");
	while (folded->len > 0 && folded->str[folded->len - 1] == '=')
		g_string_truncate(folded, folded->len - 1);
	char *reply2_key = thread_index_normalise(folded->str, &error);
	assert_non_null(reply2_key);
	assert_int_equal(thread_index_depth(reply2_key), 2);
	g_string_free(folded, TRUE);

	char *reply_key = thread_index_normalise(reply, NULL);
	char *parent = thread_index_parent_key(reply2_key);
	assert_string_equal(parent, reply_key);
	g_free(parent);
	assert_true(thread_index_is_reply_of(reply2_key, root_key));
	assert_true(thread_index_is_reply_of(reply_key, root_key));
	assert_false(thread_index_is_reply_of(root_key, reply_key));
	assert_false(thread_index_is_reply_of(root_key, root_key));
	char *other_key = thread_index_normalise(other, NULL);
	assert_false(thread_index_is_reply_of(other_key, root_key));
	assert_false(thread_index_is_reply_of("zz", root_key));

	/* Not base64, and base64 of the wrong length. */
	assert_null(thread_index_normalise("AcR!xyz", &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
	assert_non_null(strstr(error->message, "Thread-Index"));
	g_clear_error(&error);
	assert_null(thread_index_normalise("AQID", &error)); /* 3 bytes */
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
	g_clear_error(&error);
	assert_null(thread_index_normalise(NULL, &error));
	g_clear_error(&error);

	g_free(root_key);
	g_free(reply_key);
	g_free(reply2_key);
	g_free(other_key);
	g_free(root);
	g_free(reply);
	g_free(reply2);
	g_free(other);
}

/* ---- subjects ------------------------------------------------------------ */

static void
test_subject_base(void **state)
{
	static const struct {
		const char *subject;
		const char *base;
		bool reply;
	} cases[] = {
	    {"Invoice 2024/117", "Invoice 2024/117", false},
	    {"Re: Invoice 2024/117", "Invoice 2024/117", true},
	    {"RE: Invoice", "Invoice", true},
	    {"Re[2]: Invoice", "Invoice", true},
	    {"Re(3): Invoice", "Invoice", true},
	    {"Re:Re: Invoice", "Invoice", true},
	    {"Re: Re:  RE:Invoice", "Invoice", true},
	    {"AW: WG: Rechnung 17", "Rechnung 17", true},
	    {"Odp: Faktura VAT 12/2024", "Faktura VAT 12/2024", true},
	    {"ODP: Faktura", "Faktura", true},
	    {"PD: Faktura", "Faktura", true},
	    {"Antw: Factuur 9", "Factuur 9", true},
	    {"Antw.: Factuur 9", "Factuur 9", true},
	    {"Doorst: Factuur 9", "Factuur 9", true},
	    {"SV: Faktura", "Faktura", true},
	    {"VS: Lasku", "Lasku", true},
	    {"R: Fattura 3", "Fattura 3", true},
	    {"RIF: Fattura 3", "Fattura 3", true},
	    {"RV: Factura 5", "Factura 5", true},
	    {"TR: Facture 8", "Facture 8", true},
	    {"Réf: Facture 8", "Facture 8", true},
	    {"RÉF : Facture 8", "Facture 8", true},
	    {"Ref: Facture 8", "Facture 8", true},
	    {"Re : Facture 8", "Facture 8", true},
	    /* French typography: a no-break space before the colon. */
	    {"Re\xc2\xa0: Facture 8", "Facture 8", true},
	    {"Отг: Фактура 4", "Фактура 4", true},
	    {"ОТГ: Фактура 4", "Фактура 4", true},
	    {"Отн: Фактура 4", "Фактура 4", true},
	    {"FW: Invoice", "Invoice", true},
	    {"Fwd: Invoice", "Invoice", true},
	    {"fw: fwd: Invoice", "Invoice", true},
	    {"RE： Invoice", "Invoice", true}, /* fullwidth colon */
	    {"RE: Factură 6", "Factură 6", true},
	    {"RE: Factura 6", "Factura 6", true},
	    /* List tags go, but not when nothing would remain. */
	    {"[billing] Re: Invoice", "Invoice", true},
	    {"Re: [billing] Invoice", "Invoice", true},
	    {"[billing] Invoice", "Invoice", false},
	    {"[billing]", "[billing]", false},
	    {"Invoice (fwd)", "Invoice", true},
	    {"Invoice (FWD) (fwd)", "Invoice", true},
	    {"[Fwd: Invoice]", "Invoice", true},
	    {"Re: [Fwd: Re: Invoice]", "Invoice", true},
	    {"  Invoice\t\r\n  17  ", "Invoice 17", false},
	    /* Words that merely start like a prefix are kept. */
	    {"Rechnung: offen", "Rechnung: offen", false},
	    {"Reminder: Invoice", "Reminder: Invoice", false},
	    {"Refund: Invoice", "Refund: Invoice", false},
	    {"Ad: Re: x", "Ad: Re: x", false},
	    {"Re", "Re", false},
	    {"Re:", "", true},
	    {"", "", false},
	    {NULL, "", false},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		bool reply = !cases[i].reply;
		char *base = thread_subject_base(cases[i].subject, &reply);
		if (strcmp(base, cases[i].base) != 0 || reply != cases[i].reply)
			fail_msg("\"%s\": got \"%s\" (reply %d), expected \"%s\" (reply %d)",
			         cases[i].subject, base, reply, cases[i].base, cases[i].reply);
		g_free(base);
	}
	/* Invalid UTF-8 does not stop it. */
	char *base = thread_subject_base("Re: Fak\xfftura", NULL);
	assert_true(g_utf8_validate(base, -1, NULL));
	assert_true(g_str_has_prefix(base, "Fak"));
	g_free(base);
}

static void
test_subject_key(void **state)
{
	char *a = thread_subject_key("RE: FAKTURA 12");
	char *b = thread_subject_key("faktura  12");
	assert_string_equal(a, b);
	g_free(a);
	g_free(b);
	a = thread_subject_key("Отг: ФАКТУРА");
	b = thread_subject_key("фактура");
	assert_string_equal(a, b);
	g_free(a);
	g_free(b);
	/* Composed and decomposed "ă" are the same subject. */
	a = thread_subject_key("Factur\xc4\x83");
	b = thread_subject_key("Factura\xcc\x86");
	assert_string_equal(a, b);
	g_free(a);
	g_free(b);
	a = thread_subject_key("Invoice 1");
	b = thread_subject_key("Invoice 2");
	assert_string_not_equal(a, b);
	g_free(a);
	g_free(b);
}

/* ---- threading -------------------------------------------------------------- */

static void
test_thread_chain_and_missing_parent(void **state)
{
	const ThreadMessage messages[] = {
	    {.message_id = "<inv@dunmail>", .date = 100},
	    /* Answers a message that is not in the set, which answered inv. */
	    {.message_id = "<r2@client>", .references = "<inv@dunmail> <r1@client>", .date = 300},
	    {.message_id = "<r3@client>", .in_reply_to = "<r2@client>", .date = 400},
	};
	ThreadForest *forest = thread_build(messages, 3, 0);
	char *text = thread_forest_format(forest);
	assert_string_equal(text, "(1 2 3)");
	g_free(text);
	/* The missing r1 was pruned: r2 hangs directly under the invoice. */
	assert_int_equal(thread_forest_parent(forest, 1), 0);
	assert_int_equal(thread_forest_parent(forest, 2), 1);
	assert_int_equal(thread_forest_parent(forest, 0), -1);
	const ThreadNode *node = thread_forest_node(forest, 1);
	assert_int_equal(node->link, THREAD_LINK_REFERENCES);
	assert_int_equal(node->parent->message, 0);
	assert_ptr_equal(thread_forest_roots(forest), thread_forest_node(forest, 0));
	assert_null(thread_forest_roots(forest)->next_sibling);
	thread_forest_free(forest);
}

static void
test_thread_siblings_of_missing_root(void **state)
{
	/* Two replies to an invoice mail that is gone meet under a dummy. */
	const ThreadMessage messages[] = {
	    {.message_id = "<b@x>", .in_reply_to = "<gone@x>", .date = 20},
	    {.message_id = "<a@x>", .references = "<gone@x>", .date = 10},
	    {.message_id = "<c@x>", .date = 5},
	};
	ThreadForest *forest = thread_build(messages, 3, 0);
	char *text = thread_forest_format(forest);
	/* Ordered by date: c (5), then the dummy (by its first child a, 10). */
	assert_string_equal(text, "(3)((2)(1))");
	g_free(text);
	const ThreadNode *dummy = thread_forest_roots(forest)->next_sibling;
	assert_int_equal(dummy->message, THREAD_DUMMY);
	assert_int_equal(thread_forest_parent(forest, 0), -1);
	thread_forest_free(forest);
}

static void
test_thread_loops(void **state)
{
	/* Each message claims the other as its parent; one must win. */
	const ThreadMessage pair[] = {
	    {.message_id = "<a@x>", .references = "<b@x>", .date = 1},
	    {.message_id = "<b@x>", .references = "<a@x>", .date = 2},
	};
	assert_threads(pair, 2, 0, "(2 1)");

	/* A three-way cycle, a self-reference and a chain through itself. */
	const ThreadMessage cycle[] = {
	    {.message_id = "<a@x>", .references = "<c@x> <b@x>", .date = 1},
	    {.message_id = "<b@x>", .references = "<a@x> <c@x>", .date = 2},
	    {.message_id = "<c@x>", .references = "<b@x> <a@x>", .date = 3},
	    {.message_id = "<d@x>", .references = "<d@x>", .date = 4},
	    {.message_id = "<e@x>", .references = "<f@x> <e@x> <f@x>", .date = 5},
	};
	ThreadForest *forest = thread_build(cycle, 5, 0);
	/* Every message is in the forest exactly once and no node is its own ancestor. */
	for (size_t i = 0; i < 5; i++) {
		const ThreadNode *node = thread_forest_node(forest, i);
		assert_int_equal(node->message, (int)i);
		size_t depth = 0;
		for (const ThreadNode *n = node->parent; n != NULL; n = n->parent) {
			assert_ptr_not_equal(n, node);
			assert_true(++depth < 10);
		}
	}
	/* The rendering names each message number exactly once. */
	char *text = thread_forest_format(forest);
	int seen[6] = {0};
	for (const char *p = text; *p != '\0'; p++) {
		if (g_ascii_isdigit(*p)) {
			int number = (int)strtol(p, NULL, 10);
			assert_in_range(number, 1, 5);
			seen[number]++;
			while (g_ascii_isdigit(p[1]))
				p++;
		}
	}
	for (int i = 1; i <= 5; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(thread_forest_parent(forest, 3), -1);
	g_free(text);
	thread_forest_free(forest);
}

static void
test_thread_long_references(void **state)
{
	/*
	 * A hostile References header of 5000 ids, the last being the real
	 * parent, and a second one listing them backwards: threading stays
	 * fast and the parent is still found.
	 */
	GString *forward = g_string_new(NULL);
	GString *backward = g_string_new(NULL);
	for (int i = 0; i < 5000; i++)
		g_string_append_printf(forward, "<n%d@x>\r\n ", i);
	for (int i = 4999; i >= 0; i--)
		g_string_append_printf(backward, "<n%d@x> ", i);
	g_string_append(forward, "<root@x>");
	const ThreadMessage messages[] = {
	    {.message_id = "<root@x>", .date = 1},
	    {.message_id = "<reply@x>", .references = forward->str, .date = 2},
	    {.message_id = "<loop@x>", .references = backward->str, .date = 3},
	};
	gint64 start = g_get_monotonic_time();
	ThreadForest *forest = thread_build(messages, 3, THREAD_JOIN_BY_SUBJECT);
	assert_true(g_get_monotonic_time() - start < 5 * G_USEC_PER_SEC);
	assert_int_equal(thread_forest_parent(forest, 1), 0);
	assert_int_equal(thread_forest_node(forest, 1)->link, THREAD_LINK_REFERENCES);
	thread_forest_free(forest);
	g_string_free(forward, TRUE);
	g_string_free(backward, TRUE);
}

static void
test_thread_duplicates_and_no_id(void **state)
{
	const ThreadMessage messages[] = {
	    {.message_id = "<a@x>", .date = 1},
	    {.message_id = "<a@x>", .date = 2}, /* a resent copy */
	    {.references = "<a@x>", .date = 3}, /* no Message-ID at all */
	    {.message_id = "", .in_reply_to = "<a@x>", .date = 4},
	};
	/* Replies attach to the first message with the id; the copy stands alone. */
	assert_threads(messages, 4, 0, "(1 (3)(4))(2)");
}

static void
test_thread_references_over_in_reply_to(void **state)
{
	const ThreadMessage messages[] = {
	    {.message_id = "<a@x>", .date = 1},
	    {.message_id = "<b@x>", .date = 2},
	    {.message_id = "<c@x>", .references = "<a@x>", .in_reply_to = "<b@x>", .date = 3},
	    {.message_id = "<d@x>",
	     .references = "garbage",
	     .in_reply_to = "<b@x> (John)",
	     .date = 4},
	};
	assert_threads(messages, 4, 0, "(1 3)(2 4)");
}

static void
test_thread_index_fallback(void **state)
{
	guchar blocks[] = {0x31, 0x32, 0x33};
	char *root = make_thread_index(1, NULL, 0);
	char *reply = make_thread_index(1, blocks, 1);
	char *reply3 = make_thread_index(1, blocks, 3);
	char *orphan1 = make_thread_index(9, blocks, 1);
	char *orphan2 = make_thread_index(9, blocks + 1, 1);
	const ThreadMessage messages[] = {
	    {.message_id = "<inv@x>", .thread_index = root, .date = 1},
	    /* Outlook dropped the References: only the Thread-Index links. */
	    {.message_id = "<r1@x>", .thread_index = reply, .date = 2},
	    /* Its parent (reply2) is missing: the nearest ancestor is reply. */
	    {.message_id = "<r3@x>", .thread_index = reply3, .date = 4},
	    /* References win over the Thread-Index. */
	    {.message_id = "<other@x>", .date = 0},
	    {.message_id = "<r2b@x>", .thread_index = reply, .references = "<other@x>", .date = 3},
	    /* Two replies of a conversation whose start is not here. */
	    {.message_id = "<o1@x>", .thread_index = orphan1, .date = 5},
	    {.message_id = "<o2@x>", .thread_index = orphan2, .date = 6},
	    /* A broken Thread-Index is ignored. */
	    {.message_id = "<bad@x>", .thread_index = "!!not base64!!", .date = 7},
	};
	size_t n = G_N_ELEMENTS(messages);
	ThreadForest *forest = thread_build(messages, n, THREAD_USE_THREAD_INDEX);
	char *text = thread_forest_format(forest);
	assert_string_equal(text, "(4 5)(1 2 3)((6)(7))(8)");
	g_free(text);
	assert_int_equal(thread_forest_node(forest, 1)->link, THREAD_LINK_THREAD_INDEX);
	assert_int_equal(thread_forest_parent(forest, 2), 1);
	assert_int_equal(thread_forest_node(forest, 4)->link, THREAD_LINK_REFERENCES);
	thread_forest_free(forest);

	/* Without the flag the Thread-Index is not used. */
	assert_threads(messages, n, 0, "(4 5)(1)(2)(3)(6)(7)(8)");
	g_free(root);
	g_free(reply);
	g_free(reply3);
	g_free(orphan1);
	g_free(orphan2);
}

static void
test_thread_subject_group_keys(void **state)
{
	const ThreadMessage messages[] = {
	    {.message_id = "<inv-a@d>", .subject = "Invoice 7", .group_key = "client-a", .date = 1},
	    {.message_id = "<x1@a>",
	     .subject = "RE: Invoice 7",
	     .group_key = "client-a",
	     .date = 2},
	    /* Another client answering a same-named invoice stays apart. */
	    {.message_id = "<x2@b>",
	     .subject = "Re: Invoice 7",
	     .group_key = "client-b",
	     .date = 3},
	    /* No group key: never joined by subject. */
	    {.message_id = "<x3@c>", .subject = "Re: Invoice 7", .date = 4},
	    /* Two originals of one client with one subject meet under a dummy. */
	    {.message_id = "<r1@d>", .subject = "Reminder", .group_key = "client-b", .date = 5},
	    {.message_id = "<r2@d>", .subject = "reminder", .group_key = "client-b", .date = 6},
	    /* Empty subjects are never joined. */
	    {.message_id = "<e1@d>", .subject = "", .group_key = "client-b", .date = 7},
	    {.message_id = "<e2@d>", .subject = "Re:", .group_key = "client-b", .date = 8},
	};
	size_t n = G_N_ELEMENTS(messages);
	ThreadForest *forest = thread_build(messages, n, THREAD_JOIN_BY_SUBJECT);
	char *text = thread_forest_format(forest);
	assert_string_equal(text, "(1 2)(3)(4)((5)(6))(7)(8)");
	g_free(text);
	assert_int_equal(thread_forest_node(forest, 1)->link, THREAD_LINK_SUBJECT);
	assert_int_equal(thread_forest_parent(forest, 1), 0);
	assert_int_equal(thread_forest_node(forest, 4)->link, THREAD_LINK_SUBJECT);
	thread_forest_free(forest);

	assert_threads(messages, n, 0, "(1)(2)(3)(4)(5)(6)(7)(8)");
}

static void
test_thread_by_subject(void **state)
{
	const ThreadMessage messages[] = {
	    {.subject = "Re: Faktura 3", .group_key = "k", .date = 30},
	    {.subject = "Faktura 3", .group_key = "k", .date = 10},
	    {.subject = "Odp: faktura 3", .group_key = "k", .date = 20},
	    {.subject = "Faktura 3", .group_key = "other", .date = 5},
	    {.subject = "Faktura 3", .date = 1},
	};
	ThreadForest *forest = thread_build_by_subject(messages, 5);
	char *text = thread_forest_format(forest);
	assert_string_equal(text, "(5)(4)(2 (3)(1))");
	g_free(text);
	thread_forest_free(forest);
}

static void
test_thread_empty(void **state)
{
	ThreadForest *forest =
	    thread_build(NULL, 0, THREAD_JOIN_BY_SUBJECT | THREAD_USE_THREAD_INDEX);
	assert_null(thread_forest_roots(forest));
	char *text = thread_forest_format(forest);
	assert_string_equal(text, "");
	g_free(text);
	thread_forest_free(forest);
}

/* ---- one new message --------------------------------------------------------- */

static bool
known_in_table(const char *message_id, void *user_data)
{
	return g_hash_table_contains(user_data, message_id);
}

static void
test_find_replied(void **state)
{
	GHashTable *known = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_add(known, "invoice-117@dunmail.example");
	g_hash_table_add(known, "reminder-117-1@dunmail.example");
	ThreadLookup lookup = {.has_message_id = known_in_table, .user_data = known};

	GPtrArray *found =
	    thread_find_replied("<reminder-117-1@dunmail.example>",
	                        "<invoice-117@dunmail.example>\r\n <unknown@client.pl>\r\n "
	                        "<reminder-117-1@dunmail.example>",
	                        NULL, &lookup);
	assert_int_equal(found->len, 2);
	assert_string_equal(found->pdata[0], "reminder-117-1@dunmail.example");
	assert_string_equal(found->pdata[1], "invoice-117@dunmail.example");
	g_ptr_array_unref(found);

	/* In-Reply-To only, in a broken form. */
	found = thread_find_replied("invoice-117@dunmail.example", NULL, NULL, &lookup);
	assert_int_equal(found->len, 1);
	assert_string_equal(found->pdata[0], "invoice-117@dunmail.example");
	g_ptr_array_unref(found);

	found = thread_find_replied("<other@x>", "<other2@x>", NULL, &lookup);
	assert_int_equal(found->len, 0);
	g_ptr_array_unref(found);
	found = thread_find_replied(NULL, NULL, NULL, &lookup);
	assert_int_equal(found->len, 0);
	g_ptr_array_unref(found);
	g_hash_table_unref(known);
}

static void
test_find_replied_thread_index(void **state)
{
	guchar blocks[] = {0x41, 0x42, 0x43};
	char *sent = make_thread_index(3, NULL, 0);
	char *first_reply = make_thread_index(3, blocks, 1);
	char *third_reply = make_thread_index(3, blocks, 3);
	char *sent_key = thread_index_normalise(sent, NULL);
	char *first_key = thread_index_normalise(first_reply, NULL);

	GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_add(ids, "invoice@x");
	g_hash_table_add(ids, "answer@y");
	GHashTable *indexes = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(indexes, sent_key, "invoice@x");
	g_hash_table_insert(indexes, first_key, "answer@y");

	/* No references at all: the Thread-Index ancestors, nearest first. */
	GPtrArray *found = thread_find_replied_in_set(NULL, NULL, third_reply, ids, indexes);
	assert_int_equal(found->len, 2);
	assert_string_equal(found->pdata[0], "answer@y");
	assert_string_equal(found->pdata[1], "invoice@x");
	g_ptr_array_unref(found);

	/* Ids found by references come first and are not repeated. */
	found = thread_find_replied_in_set("<invoice@x>", NULL, third_reply, ids, indexes);
	assert_int_equal(found->len, 2);
	assert_string_equal(found->pdata[0], "invoice@x");
	assert_string_equal(found->pdata[1], "answer@y");
	g_ptr_array_unref(found);

	/* Without the index table, or with a broken value, only ids count. */
	found = thread_find_replied_in_set(NULL, NULL, third_reply, ids, NULL);
	assert_int_equal(found->len, 0);
	g_ptr_array_unref(found);
	found = thread_find_replied_in_set(NULL, NULL, "###", ids, indexes);
	assert_int_equal(found->len, 0);
	g_ptr_array_unref(found);

	g_hash_table_unref(ids);
	g_hash_table_unref(indexes);
	g_free(sent_key);
	g_free(first_key);
	g_free(sent);
	g_free(first_reply);
	g_free(third_reply);
}

/* ---- imaptest threading scripts ------------------------------------------------ */

typedef struct {
	char *message_id;
	char *in_reply_to;
	char *references;
	char *subject;
	int64_t date;
} MboxMessage;

static void
mbox_message_free(gpointer data)
{
	MboxMessage *m = data;
	g_free(m->message_id);
	g_free(m->in_reply_to);
	g_free(m->references);
	g_free(m->subject);
	g_free(m);
}

/* The raw value, so that the module's own parsing of ids is what is tested. */
static char *
header_raw(GMimeMessage *message, const char *name)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
	GMimeHeader *header = g_mime_header_list_get_header(headers, name);
	return header != NULL ? g_strdup(g_mime_header_get_raw_value(header)) : NULL;
}

/*
 * The arrival time from an mbox "From " line such as
 * "From user@domain  Fri Feb 22 23:00:00 2008 +0200" (no zone means UTC).
 */
static int64_t
mbox_marker_time(const char *marker)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char weekday[4], month[4], zone[8] = "+0000";
	int day, hour, minute, second, year;
	const char *p = marker + strlen("From ");
	while (*p != '\0' && *p != ' ')
		p++;
	int fields = sscanf(p, " %3s %3s %d %d:%d:%d %d %7s", weekday, month, &day, &hour, &minute,
	                    &second, &year, zone);
	if (fields < 7)
		fail_msg("cannot read the date of mbox line \"%s\"", marker);
	int month_number = 0;
	for (int i = 0; i < 12; i++) {
		if (strcmp(months[i], month) == 0)
			month_number = i + 1;
	}
	assert_true(month_number > 0);
	GTimeZone *tz = g_time_zone_new_identifier(zone);
	if (tz == NULL)
		tz = g_time_zone_new_utc();
	GDateTime *time = g_date_time_new(tz, year, month_number, day, hour, minute, second);
	int64_t seconds = g_date_time_to_unix(time);
	g_date_time_unref(time);
	g_time_zone_unref(tz);
	return seconds;
}

static GPtrArray *
mbox_read(const char *path)
{
	GPtrArray *messages = g_ptr_array_new_with_free_func(mbox_message_free);
	size_t length = 0;
	char *data = test_read_file(path, &length);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, length);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
	while (!g_mime_parser_eos(parser)) {
		GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
		if (message == NULL)
			break;
		MboxMessage *m = g_new0(MboxMessage, 1);
		m->message_id = header_raw(message, "Message-ID");
		m->in_reply_to = header_raw(message, "In-Reply-To");
		m->references = header_raw(message, "References");
		m->subject = g_strdup(g_mime_message_get_subject(message));
		/* RFC 5256: the sent date, else the internal (arrival) date. */
		GDateTime *date = g_mime_message_get_date(message);
		char *marker = g_mime_parser_get_mbox_marker(parser);
		m->date = date != NULL ? g_date_time_to_unix(date) : mbox_marker_time(marker);
		g_free(marker);
		g_ptr_array_add(messages, m);
		g_object_unref(message);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	g_free(data);
	return messages;
}

/* Marks the messages of an IMAP sequence set such as "1,2" or "2:4". */
static void
mark_sequence_set(const char *set, bool *deleted, size_t count, const char *where)
{
	char **parts = g_strsplit(set, ",", -1);
	for (char **part = parts; *part != NULL; part++) {
		unsigned first = 0, last = 0;
		if (sscanf(*part, "%u:%u", &first, &last) != 2)
			last = first = (unsigned)strtoul(*part, NULL, 10);
		if (first == 0 || last < first || last > count)
			fail_msg("%s: bad sequence set \"%s\"", where, set);
		for (unsigned i = first; i <= last; i++)
			deleted[i - 1] = true;
	}
	g_strfreev(parts);
}

typedef struct {
	unsigned checked;
	unsigned failed;
} ScriptResult;

/*
 * Runs one imaptest script against a simulated mailbox: "messages: all"
 * fills it from the mbox up front, each "ok append" adds the next mbox
 * message, "store N +flags \deleted" plus "expunge" removes messages and
 * renumbers the rest, and each "thread" command is followed by the
 * expected "* thread" line.
 */
static void
run_script(const char *dir, const char *name, ScriptResult *result)
{
	char *script_path = g_build_filename(dir, name, NULL);
	char *mbox_name = g_strconcat(name, ".mbox", NULL);
	char *mbox_path = g_build_filename(dir, mbox_name, NULL);
	char *script = test_read_file(script_path, NULL);
	GPtrArray *source = mbox_read(mbox_path);
	GPtrArray *mailbox = g_ptr_array_new();
	size_t next_source = 0;
	bool in_header = true;
	char *pending = NULL; /* the algorithm of the thread command awaiting its line */

	char **lines = g_strsplit(script, "\n", -1);
	for (size_t number = 1; lines[number - 1] != NULL; number++) {
		char *line = g_strstrip(lines[number - 1]);
		char *where = g_strdup_printf("%s:%zu", name, number);
		if (in_header) {
			if (line[0] == '\0') {
				in_header = false;
			} else if (g_ascii_strncasecmp(line, "messages:", 9) == 0) {
				const char *count = g_strstrip(line + 9);
				size_t wanted = strcmp(count, "all") == 0
				                    ? source->len
				                    : strtoul(count, NULL, 10);
				while (next_source < wanted && next_source < source->len)
					g_ptr_array_add(mailbox, source->pdata[next_source++]);
			}
		} else if (line[0] == '\0') {
			/* Blank lines separate command groups. */
		} else if (g_ascii_strcasecmp(line, "ok append") == 0) {
			if (next_source >= source->len)
				fail_msg("%s: no message left to append", where);
			g_ptr_array_add(mailbox, source->pdata[next_source++]);
		} else if (g_ascii_strncasecmp(line, "ok select", 9) == 0) {
			/* The simulated mailbox is always selected. */
		} else if (g_ascii_strncasecmp(line, "ok store ", 9) == 0) {
			char set[64];
			if (sscanf(line + 9, "%63s", set) != 1 ||
			    strstr(line, "+flags \\deleted") == NULL)
				fail_msg("%s: unsupported store \"%s\"", where, line);
			bool *deleted = g_new0(bool, mailbox->len + 1);
			mark_sequence_set(set, deleted, mailbox->len, where);
			/* Keep the marks on the mailbox order until the expunge. */
			GPtrArray *kept = g_ptr_array_new();
			GPtrArray *gone = g_ptr_array_new();
			for (guint i = 0; i < mailbox->len; i++)
				g_ptr_array_add(deleted[i] ? gone : kept, mailbox->pdata[i]);
			g_free(deleted);
			/* Every script expunges right after storing; check it. */
			char *next = lines[number] != NULL ? g_strstrip(lines[number]) : NULL;
			if (next == NULL || g_ascii_strcasecmp(next, "ok expunge") != 0)
				fail_msg("%s: store without expunge", where);
			number++;
			g_ptr_array_free(mailbox, TRUE);
			g_ptr_array_free(gone, TRUE);
			mailbox = kept;
		} else if (g_ascii_strncasecmp(line, "ok thread ", 10) == 0) {
			char algorithm[32];
			if (sscanf(line + 10, "%31s", algorithm) != 1)
				fail_msg("%s: thread without algorithm", where);
			g_free(pending);
			pending = g_ascii_strdown(algorithm, -1);
		} else if (g_ascii_strncasecmp(line, "* thread", 8) == 0 && pending != NULL) {
			const char *expected = g_strstrip(line + 8);
			size_t n = mailbox->len;
			ThreadMessage *messages = g_new0(ThreadMessage, n > 0 ? n : 1);
			for (size_t i = 0; i < n; i++) {
				const MboxMessage *m = mailbox->pdata[i];
				messages[i] = (ThreadMessage){
				    .message_id = m->message_id,
				    .in_reply_to = m->in_reply_to,
				    .references = m->references,
				    .subject = m->subject,
				    .group_key = "",
				    .date = m->date,
				};
			}
			ThreadForest *forest = NULL;
			if (strcmp(pending, "references") == 0)
				forest = thread_build(messages, n, THREAD_JOIN_BY_SUBJECT);
			else if (strcmp(pending, "orderedsubject") == 0)
				forest = thread_build_by_subject(messages, n);
			else
				fail_msg("%s: unknown algorithm %s", where, pending);
			char *got = thread_forest_format(forest);
			result->checked++;
			if (strcmp(got, expected) != 0) {
				result->failed++;
				print_error("%s: %s gave %s, expected %s\n", where, pending, got,
				            expected);
			}
			g_free(got);
			thread_forest_free(forest);
			g_free(messages);
			g_clear_pointer(&pending, g_free);
		} else {
			fail_msg("%s: unknown script line \"%s\"", where, line);
		}
		g_free(where);
	}
	if (pending != NULL)
		fail_msg("%s: thread command without an expected line", name);
	g_strfreev(lines);
	g_ptr_array_free(mailbox, TRUE);
	g_ptr_array_unref(source);
	g_free(script);
	g_free(script_path);
	g_free(mbox_name);
	g_free(mbox_path);
}

static void
test_imaptest_scripts(void **state)
{
	char *fixtures = test_shared_fixtures();
	if (fixtures == NULL) {
		print_message("../shared/fixtures is absent: imaptest threading scripts skipped\n");
		skip();
	}
	char *dir = g_build_filename(fixtures, "imaptest-thread", NULL);
	g_free(fixtures);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		print_message("%s is absent: imaptest threading scripts skipped\n", dir);
		g_free(dir);
		skip();
	}
	/* Every script file: the names without ".mbox" that have an mbox beside them. */
	GError *error = NULL;
	GDir *listing = g_dir_open(dir, 0, &error);
	if (listing == NULL)
		fail_msg("%s", error->message);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *entry;
	while ((entry = g_dir_read_name(listing)) != NULL) {
		if (!g_str_has_suffix(entry, ".mbox"))
			continue;
		char *name = g_strndup(entry, strlen(entry) - strlen(".mbox"));
		char *script = g_build_filename(dir, name, NULL);
		if (g_file_test(script, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(names, name);
		else
			g_free(name);
		g_free(script);
	}
	g_dir_close(listing);
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);

	ScriptResult result = {0, 0};
	for (guint i = 0; i < names->len; i++)
		run_script(dir, names->pdata[i], &result);
	print_message("imaptest: %u scripts, %u thread results checked, %u wrong\n", names->len,
	              result.checked, result.failed);
	/* The folder holds ten scripts; fewer means the fixtures changed shape. */
	assert_true(names->len >= 10);
	assert_true(result.checked >= 16);
	assert_int_equal(result.failed, 0);
	g_ptr_array_unref(names);
	g_free(dir);
}

static int
setup_gmime(void **state)
{
	g_mime_init();
	return 0;
}

static int
teardown_gmime(void **state)
{
	g_mime_shutdown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_normalise),
	    cmocka_unit_test(test_references_split),
	    cmocka_unit_test(test_thread_index_keys),
	    cmocka_unit_test(test_subject_base),
	    cmocka_unit_test(test_subject_key),
	    cmocka_unit_test(test_thread_chain_and_missing_parent),
	    cmocka_unit_test(test_thread_siblings_of_missing_root),
	    cmocka_unit_test(test_thread_loops),
	    cmocka_unit_test(test_thread_long_references),
	    cmocka_unit_test(test_thread_duplicates_and_no_id),
	    cmocka_unit_test(test_thread_references_over_in_reply_to),
	    cmocka_unit_test(test_thread_index_fallback),
	    cmocka_unit_test(test_thread_subject_group_keys),
	    cmocka_unit_test(test_thread_by_subject),
	    cmocka_unit_test(test_thread_empty),
	    cmocka_unit_test(test_find_replied),
	    cmocka_unit_test(test_find_replied_thread_index),
	    cmocka_unit_test(test_imaptest_scripts),
	};
	return cmocka_run_group_tests(tests, setup_gmime, teardown_gmime);
}
