/*
 * A fresh store with one client, for the unit tests that need a database
 * (cmocka setup and teardown), and invoices made the same way everywhere.
 * Include after tests/unit/testutil.h.
 */
#ifndef DUNMAIL_TESTS_STORE_FIXTURE_H
#define DUNMAIL_TESTS_STORE_FIXTURE_H

#include "common/date.h"
#include "store/store.h"

typedef struct {
	char *dir;  /* scratch directory, removed at teardown */
	char *path; /* dir/sub/dunmail.db: the store creates the folder */
	store *db;
	int64_t client_id; /* "Nowak Sp. z o.o.": billing@, domain, cc, Polish */
} fixture;

static int
setup(void **state)
{
	fixture *f = g_new0(fixture, 1);
	GError *error = NULL;
	store_client *client;

	f->dir = test_tmpdir();
	f->path = g_build_filename(f->dir, "sub", "dunmail.db", NULL);
	f->db = store_open(f->path, STORE_OPEN_CREATE, &error);
	assert_non_null(f->db);
	client = store_client_new("Nowak Sp. z o.o.");
	g_ptr_array_add(client->emails, g_strdup("billing@nowak.example.pl"));
	g_ptr_array_add(client->domains, g_strdup("nowak.example.pl"));
	g_ptr_array_add(client->cc, g_strdup("ceo@nowak.example.pl"));
	client->language = g_strdup("pl");
	assert_true(store_client_add(f->db, client, &error));
	f->client_id = client->id;
	store_client_free(client);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	store_close(f->db);
	test_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->path);
	g_free(f);
	return 0;
}

/* An invoice of the client in PLN, issued 2026-10-01, due 2026-10-31; not stored yet. */
static inline store_invoice *
test_invoice_new(int64_t client_id, const char *number, int64_t amount)
{
	store_invoice *invoice = store_invoice_new();

	invoice->number = g_strdup(number);
	invoice->client_id = client_id;
	invoice->amount = amount;
	g_strlcpy(invoice->currency, "PLN", sizeof invoice->currency);
	invoice->issued = dm_date_from_ymd(2026, 10, 1);
	invoice->due = dm_date_from_ymd(2026, 10, 31);
	return invoice;
}

/* Stores an invoice made by test_invoice_new or fails the test; returns it (free it). */
static inline store_invoice *
test_invoice_store(store *db, store_invoice *invoice)
{
	store_source source = {.command = "test"};
	GError *error = NULL;

	if (!store_invoice_add(db, invoice, &source, &error))
		fail_msg("%s", error->message);
	return invoice;
}

#endif
