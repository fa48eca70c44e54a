/* Matching: invoice numbers in text, and the matcher's view of the store's invoices. */
#include "tests/unit/testutil.h"

#include "filter/match.h"
#include "filter/mime.h"
#include "filter/numbers.h"
#include "tests/unit/store-fixture.h"

static GArray *
find(const char *text, const char *const *numbers, size_t n)
{
	number_index *index = number_index_new(numbers, n);
	GArray *found = number_index_find(index, text);

	number_index_free(index);
	return found;
}

static void
assert_found(GArray *found, const guint *expected, size_t n)
{
	assert_int_equal(found->len, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(g_array_index(found, guint, i), expected[i]);
	g_array_unref(found);
}

static void
test_boundaries_case_and_spacing(void **state)
{
	const char *numbers[] = {"FV/2026/031", "INV-2026-0151", "12345", "17", "F-2026-1"};
	/* Spacing around punctuation and case are ignored; a longer number is not the shorter one. */
	const guint both[] = {0, 1};
	assert_found(find("About fv / 2026 / 031 and Inv-2026-0151.", numbers, 5), both, 2);
	assert_found(find("FV/2026/0311 and xINV-2026-0151", numbers, 5), NULL, 0);
	/* A failed occurrence does not hide a later good one. */
	const guint first[] = {0};
	assert_found(find("FV/2026/0311, sorry, FV/2026/031", numbers, 5), first, 1);
	/* Bare numbers need four digits; "17" is a day, not an invoice. */
	const guint bare[] = {2};
	assert_found(find("invoice 12345 due on the 17th, 17 days", numbers, 5), bare, 1);
	assert_found(find("order 123456", numbers, 5), NULL, 0);
	/* "F-2026-1" must not be found inside "F-2026-10". */
	assert_found(find("F-2026-10 is paid", numbers, 5), NULL, 0);
	const guint last[] = {4};
	assert_found(find("F-2026-1: paid", numbers, 5), last, 1);
	assert_found(find(NULL, numbers, 5), NULL, 0);
	assert_found(find("", numbers, 0), NULL, 0);
}

/* Numbers that begin with punctuation or are shorter than the index key. */
static void
test_loose_numbers(void **state)
{
	const char *numbers[] = {"#4711", "A7", "", "  ", "№ 2026/5"};
	const guint hash[] = {0};
	assert_found(find("see invoice#4711 please", numbers, 5), hash, 1);
	const guint short_one[] = {1};
	assert_found(find("Re: a7 overdue", numbers, 5), short_one, 1);
	assert_found(find("ba7 is not it", numbers, 5), NULL, 0);
	const guint numero[] = {4};
	assert_found(find("Faktura №2026/5 zapłacona", numbers, 5), numero, 1);
}

/* Thousands of numbers: the right ones, in index order, whatever the text's order. */
static void
test_many_numbers(void **state)
{
	GPtrArray *numbers = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < 3000; i++)
		g_ptr_array_add(numbers, g_strdup_printf("INV-2026-%04u", i));
	number_index *index = number_index_new((const char *const *)numbers->pdata, numbers->len);
	GArray *found = number_index_find(index, "Paying INV-2026-2999 today; INV-2026-0007 and "
	                                         "inv-2026-1234 next week, INV-2026-12345 is not ours.");
	const guint expected[] = {7, 1234, 2999};

	assert_found(found, expected, 3);
	number_index_free(index);
	g_ptr_array_unref(numbers);
}

static void
add_invoice(store *db, int64_t client_id, const char *number)
{
	store_invoice_free(test_invoice_store(db, test_invoice_new(client_id, number, 1000)));
}

/* A reply from an unknown address that names an invoice number. */
static void
match_text(store *db, const char *number_in_text, match_result *match)
{
	char *raw = g_strdup_printf("From: Accounts <accounts@elsewhere.example>\r\n"
	                            "To: emma@clarke-studio.example\r\n"
	                            "Subject: payment\r\n"
	                            "Message-ID: <m-%s@elsewhere.example>\r\n\r\n"
	                            "We will pay %s on Friday.\r\n",
	                            number_in_text, number_in_text);
	classify_result result = {0};

	result.mail = mail_parse(raw, strlen(raw), NULL);
	assert_non_null(result.mail);
	result.message_id = g_strdup(mail_message_id(result.mail));
	result.reply_text = g_strdup_printf("We will pay %s on Friday.", number_in_text);
	memset(match, 0, sizeof *match);
	assert_true(match_message(db, &result, match, NULL));
	classify_result_clear(&result);
	g_free(raw);
}

/*
 * The matcher keeps an index of the store's invoice numbers; an invoice
 * added afterwards, by this connection or by another process (a second
 * connection here), is found by the next message all the same.
 */
static void
test_new_invoices_are_seen(void **state)
{
	fixture *f = *state;
	match_result match;
	store *other;

	add_invoice(f->db, f->client_id, "FV/2026/10/041");
	match_text(f->db, "FV/2026/10/041", &match);
	assert_int_equal(match.invoice_ids->len, 1);
	assert_int_equal(match.client_id, f->client_id);
	assert_string_equal(g_ptr_array_index(match.numbers, 0), "FV/2026/10/041");
	assert_string_equal(match.how, "number");
	match_result_clear(&match);

	add_invoice(f->db, f->client_id, "FV/2026/10/042");
	match_text(f->db, "FV/2026/10/042", &match);
	assert_int_equal(match.invoice_ids->len, 1);
	match_result_clear(&match);

	other = store_open(f->path, STORE_OPEN_EXISTING, NULL);
	assert_non_null(other);
	add_invoice(other, f->client_id, "FV/2026/10/043");
	store_close(other);
	match_text(f->db, "FV/2026/10/043", &match);
	assert_int_equal(match.invoice_ids->len, 1);
	assert_string_equal(g_ptr_array_index(match.numbers, 0), "FV/2026/10/043");
	match_result_clear(&match);

	match_text(f->db, "FV/2026/10/044", &match);
	assert_int_equal(match.invoice_ids->len, 0);
	assert_int_equal(match.client_id, 0);
	match_result_clear(&match);
}

/* A second store in the same process never sees the first one's index. */
static void
test_index_follows_the_store(void **state)
{
	fixture *f = *state;
	char *path = g_build_filename(f->dir, "second.db", NULL);
	store *second = store_open(path, STORE_OPEN_CREATE, NULL);
	store_client *client = store_client_new("Second");
	match_result match;

	add_invoice(f->db, f->client_id, "FV/2026/10/041");
	match_text(f->db, "FV/2026/10/041", &match);
	assert_int_equal(match.invoice_ids->len, 1);
	match_result_clear(&match);
	match_text(second, "FV/2026/10/041", &match);
	assert_int_equal(match.invoice_ids->len, 0);
	match_result_clear(&match);
	assert_true(store_client_add(second, client, NULL));
	add_invoice(second, client->id, "FV/2026/10/041");
	match_text(second, "FV/2026/10/041", &match);
	assert_int_equal(match.invoice_ids->len, 1);
	assert_int_equal(match.client_id, client->id);
	match_result_clear(&match);
	store_client_free(client);
	store_close(second);
	g_free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_boundaries_case_and_spacing),
	    cmocka_unit_test(test_loose_numbers),
	    cmocka_unit_test(test_many_numbers),
	    cmocka_unit_test_setup_teardown(test_new_invoices_are_seen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_index_follows_the_store, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
