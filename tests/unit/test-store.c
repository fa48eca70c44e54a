/* The store: migrations, constraints, status changes and their events. */
#include "tests/unit/testutil.h"

#include "common/util.h"
#include "store/schema.h"
#include "store/store.h"
#include "tests/unit/store-fixture.h"

#include <sqlite3.h>
#include <sys/stat.h>

static store_invoice *
add_invoice(fixture *f, const char *number, int64_t amount)
{
	return test_invoice_store(f->db, test_invoice_new(f->client_id, number, amount));
}

static void
test_created_private_with_schema(void **state)
{
	fixture *f = *state;
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(store_schema_version(f->db), STORE_SCHEMA_VERSION);
	assert_true(store_check_integrity(f->db, NULL));
}

static void
test_reopen_keeps_data(void **state)
{
	fixture *f = *state;
	GError *error = NULL;
	store_client *client;
	store *again;

	store_invoice_free(add_invoice(f, "FV/1", 125000));
	store_close(f->db);
	f->db = NULL;
	again = store_open(f->path, STORE_OPEN_EXISTING, &error);
	assert_non_null(again);
	client = store_client_find(again, "nowak sp. z o.o.", &error);
	assert_non_null(client);
	assert_string_equal(client->language, "pl");
	assert_int_equal(client->emails->len, 1);
	assert_int_equal(client->cc->len, 1);
	store_client_free(client);
	f->db = again;
}

static void
test_missing_database(void **state)
{
	fixture *f = *state;
	GError *error = NULL;
	char *path = g_build_filename(f->dir, "none.db", NULL);

	assert_null(store_open(path, STORE_OPEN_EXISTING, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_NOT_FOUND));
	assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_error_free(error);
	g_free(path);
}

static void
test_foreign_sqlite_refused(void **state)
{
	fixture *f = *state;
	GError *error = NULL;
	char *path = g_build_filename(f->dir, "other.db", NULL);
	sqlite3 *other;

	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_null(store_open(path, STORE_OPEN_CREATE, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_DATABASE));
	assert_non_null(strstr(error->message, "not a dunmail database"));
	g_clear_error(&error);
	/* A text file is no database either. */
	g_file_set_contents(path, "hello, this is not SQLite\n", -1, NULL);
	assert_null(store_open(path, STORE_OPEN_EXISTING, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_DATABASE));
	g_error_free(error);
	g_free(path);
}

static void
test_newer_schema_refused(void **state)
{
	fixture *f = *state;
	GError *error = NULL;
	sqlite3 *raw;

	store_close(f->db);
	f->db = NULL;
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	assert_null(store_open(f->path, STORE_OPEN_EXISTING, &error));
	assert_non_null(strstr(error->message, "newer dunmail"));
	g_error_free(error);
	/* Put it back so teardown has something to close. */
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	sqlite3_exec(raw, "PRAGMA user_version = " G_STRINGIFY(STORE_SCHEMA_VERSION), NULL, NULL,
		     NULL);
	sqlite3_close(raw);
	f->db = store_open(f->path, STORE_OPEN_EXISTING, NULL);
	assert_non_null(f->db);
}

/* A database written by the first release migrates, keeping its rows. */
static void
test_migration_from_version_1(void **state)
{
	fixture *f = *state;
	char *path = g_build_filename(f->dir, "v1.db", NULL);
	GError *error = NULL;
	sqlite3 *raw;
	store *db;
	store_invoice *invoice;

	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, store_migrations[0], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(raw,
			 "PRAGMA user_version = 1; PRAGMA application_id = 1146441293;"
			 "INSERT INTO clients (name, created) VALUES ('Old', '2026-01-01');"
			 "INSERT INTO invoices (number, client_id, amount, balance, currency, issued,"
			 " due, created) VALUES ('OLD-1', 1, 500, 500, 'EUR', '2026-01-01',"
			 " '2026-01-31', '2026-01-01')",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(raw);
	db = store_open(path, STORE_OPEN_EXISTING, &error);
	if (db == NULL)
		fail_msg("%s", error->message);
	assert_int_equal(store_schema_version(db), STORE_SCHEMA_VERSION);
	invoice = store_invoice_find(db, "OLD-1", &error);
	assert_non_null(invoice);
	assert_int_equal(invoice->balance, 500);
	assert_int_equal(invoice->discount_bp, 0);
	assert_int_equal(invoice->parent_id, 0);
	store_invoice_free(invoice);
	assert_true(store_check_integrity(db, NULL));
	store_close(db);
	g_free(path);
}

/* A database of schema 2 migrates, keeping its clients, who have no postal address yet. */
static void
test_migration_from_version_2(void **state)
{
	fixture *f = *state;
	char *path = g_build_filename(f->dir, "v2.db", NULL);
	GError *error = NULL;
	store_client *client;
	sqlite3 *raw;
	store *db;

	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, store_migrations[0], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, store_migrations[1], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(raw,
			 "PRAGMA user_version = 2; PRAGMA application_id = 1146441293;"
			 "INSERT INTO clients (name, language, created) VALUES ('Old', 'de',"
			 " '2026-01-01')",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(raw);
	/* A command that only reads (a report) upgrades it too, then reads. */
	db = store_open(path, STORE_OPEN_READONLY, &error);
	if (db == NULL)
		fail_msg("%s", error->message);
	assert_int_equal(store_schema_version(db), STORE_SCHEMA_VERSION);
	client = store_client_find(db, "Old", &error);
	assert_non_null(client);
	assert_string_equal(client->language, "de");
	assert_null(client->postal_address);
	store_client_free(client);
	assert_true(store_check_integrity(db, NULL));
	store_close(db);
	g_free(path);
}

/*
 * A database of schema 3 migrates: its messages have not been read by
 * anybody (an unrecognised one holds the reminders from now on), and its
 * disputes are about the whole invoice.
 */
static void
test_migration_from_version_3(void **state)
{
	fixture *f = *state;
	char *path = g_build_filename(f->dir, "v3.db", NULL);
	store_message_filter unread = {.unread_only = true};
	GError *error = NULL;
	store_invoice *invoice;
	store_message *message;
	GPtrArray *messages;
	sqlite3 *raw;
	store *db;

	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(sqlite3_exec(raw, store_migrations[i], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(raw,
			 "PRAGMA user_version = 3; PRAGMA application_id = 1146441293;"
			 "INSERT INTO clients (name, created) VALUES ('Old', '2026-01-01');"
			 "INSERT INTO invoices (number, client_id, amount, balance, currency, issued,"
			 " due, status, dispute_note, created) VALUES ('OLD-1', 1, 500, 500, 'EUR',"
			 " '2026-01-01', '2026-01-31', 'disputed', 'wrong hours', '2026-01-01');"
			 "INSERT INTO messages (message_id, direction, date, client_id, class,"
			 " processed) VALUES ('old@x', 'in', '2026-02-02', 1, 'unrecognised',"
			 " '2026-02-02 10:00:00')",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(raw);
	db = store_open(path, STORE_OPEN_EXISTING, &error);
	if (db == NULL)
		fail_msg("%s", error->message);
	assert_int_equal(store_schema_version(db), STORE_SCHEMA_VERSION);
	invoice = store_invoice_find(db, "OLD-1", &error);
	assert_non_null(invoice);
	assert_int_equal(invoice->status, INVOICE_DISPUTED);
	assert_string_equal(invoice->dispute_note, "wrong hours");
	assert_int_equal(invoice->disputed_amount, 0);
	store_invoice_free(invoice);
	message = store_message_find(db, "old@x", &error);
	assert_non_null(message);
	assert_int_equal(message->read_on, DM_DATE_NONE);
	assert_true(store_message_is_unread(message));
	assert_string_equal(message->client_name, "Old");
	store_message_free(message);
	messages = store_message_list(db, &unread, &error);
	assert_non_null(messages);
	assert_int_equal(messages->len, 1);
	g_ptr_array_unref(messages);
	assert_true(store_check_integrity(db, NULL));
	store_close(db);
	g_free(path);
}

static void
test_plan_splits_balance_and_settles(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "plan"};
	store_invoice *invoice = add_invoice(f, "FV/9", 100000), *now;
	GPtrArray *parts;
	GError *error = NULL;
	int64_t sum = 0;

	assert_true(store_invoice_plan(f->db, invoice->id, 3, 30, dm_date_from_ymd(2026, 12, 1),
				       &source, &error));
	parts = store_invoice_instalments(f->db, invoice->id, NULL);
	assert_int_equal(parts->len, 3);
	for (guint i = 0; i < parts->len; i++) {
		store_invoice *part = g_ptr_array_index(parts, i);
		sum += part->amount;
		assert_int_equal(part->parent_id, invoice->id);
		assert_int_equal(part->due, dm_date_from_ymd(2026, 12, 1) + 30 * (int)i);
	}
	assert_int_equal(sum, 100000); /* 333.34 + 333.33 + 333.33 */
	assert_int_equal(((store_invoice *)g_ptr_array_index(parts, 0))->amount, 33334);
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->balance, 0);
	store_invoice_free(now);
	/* Paying the planned invoice itself is refused; its instalments are paid. */
	assert_false(store_invoice_record_payment(f->db, invoice->id, 0, dm_date_today(), &source,
						  &error));
	g_clear_error(&error);
	for (guint i = 0; i < parts->len; i++)
		assert_true(store_invoice_record_payment(
		    f->db, ((store_invoice *)g_ptr_array_index(parts, i))->id, 0,
		    dm_date_from_ymd(2026, 12, 1), &source, &error));
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_PAID);
	store_invoice_free(now);
	g_ptr_array_unref(parts);
	store_invoice_free(invoice);
}

static void
test_promise_broken_after_grace(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "test"};
	store_invoice *invoice = add_invoice(f, "FV/10", 5000), *now;
	GPtrArray *promises;
	int broken = 0;

	/* Promised for Friday 2026-11-20; two working days of grace run to Tuesday. */
	assert_true(store_invoice_promise(f->db, invoice->id, dm_date_from_ymd(2026, 11, 20),
					  dm_date_from_ymd(2026, 11, 16), &source, NULL));
	assert_true(store_promise_break_overdue(f->db, dm_date_from_ymd(2026, 11, 24), 2, &broken,
						NULL));
	assert_int_equal(broken, 0);
	assert_true(store_promise_break_overdue(f->db, dm_date_from_ymd(2026, 11, 25), 2, &broken,
						NULL));
	assert_int_equal(broken, 1);
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_OPEN);
	store_invoice_free(now);
	assert_int_equal(store_invoice_broken_promise(f->db, invoice->id, NULL),
			 dm_date_from_ymd(2026, 11, 20));
	promises = store_promise_list(f->db, NULL);
	assert_int_equal(promises->len, 1);
	assert_string_equal(((store_promise *)g_ptr_array_index(promises, 0))->state, "broken");
	g_ptr_array_unref(promises);
	store_invoice_free(invoice);
}

static void
test_draft_sent_raises_level(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "test"};
	store_invoice *invoice = add_invoice(f, "FV/11", 5000), *now;
	store_draft *draft = store_draft_new(), *found;

	draft->client_id = f->client_id;
	draft->kind = g_strdup("reminder2");
	draft->level = 3;
	draft->message_id = g_strdup("d1@studio.example");
	draft->planned_on = dm_date_from_ymd(2026, 11, 22);
	g_array_append_val(draft->invoice_ids, invoice->id);
	assert_true(store_draft_add(f->db, draft, NULL));
	assert_true(store_draft_set_state(f->db, draft->id, DRAFT_WRITTEN, "maildir:x", NULL));
	assert_true(store_draft_mark_sent(f->db, "d1@studio.example", &source, NULL));
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->level, 3);
	store_invoice_free(now);
	found = store_draft_find(f->db, "d1@studio.example", NULL);
	assert_int_equal(found->state, DRAFT_SENT);
	assert_int_equal(found->invoice_ids->len, 1);
	store_draft_free(found);
	/* Unknown ids are not an error: the copy may be of another database's draft. */
	assert_true(store_draft_mark_sent(f->db, "other@x", &source, NULL));
	store_draft_free(draft);
	store_invoice_free(invoice);
}

static void
test_duplicate_client_and_address(void **state)
{
	fixture *f = *state;
	GError *error = NULL;
	store_client *dup = store_client_new("NOWAK SP. Z O.O.");
	store_client *other = store_client_new("Other");

	g_ptr_array_add(dup->emails, g_strdup("x@y.example"));
	assert_false(store_client_add(f->db, dup, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_CONFLICT));
	g_clear_error(&error);
	g_ptr_array_add(other->emails, g_strdup("billing@nowak.example.pl"));
	assert_false(store_client_add(f->db, other, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_CONFLICT));
	g_clear_error(&error);
	/* Nothing half-added: "Other" does not exist. */
	assert_null(store_client_find(f->db, "Other", &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_NOT_FOUND));
	g_error_free(error);
	store_client_free(dup);
	store_client_free(other);
}

static void
test_find_by_address_and_domain(void **state)
{
	fixture *f = *state;
	store_client *client;

	client = store_client_find_by_address(f->db, "<Billing@Nowak.Example.PL>", NULL);
	assert_non_null(client);
	assert_string_equal(client->name, "Nowak Sp. z o.o.");
	store_client_free(client);
	client = store_client_find_by_address(f->db, "someone.else@nowak.example.pl", NULL);
	assert_non_null(client);
	store_client_free(client);
	assert_null(store_client_find_by_address(f->db, "x@elsewhere.example", NULL));
}

static void
test_invoice_constraints(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "test"};
	store_invoice *invoice = add_invoice(f, "FV/2026/1", 100);
	store_invoice *bad = store_invoice_new();
	GError *error = NULL;

	store_invoice_free(invoice);
	/* Duplicate number. */
	invoice = store_invoice_new();
	invoice->number = g_strdup("FV/2026/1");
	invoice->client_id = f->client_id;
	invoice->amount = 5;
	g_strlcpy(invoice->currency, "PLN", 4);
	invoice->issued = invoice->due = dm_date_from_ymd(2026, 1, 1);
	assert_false(store_invoice_add(f->db, invoice, &source, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_CONFLICT));
	g_clear_error(&error);
	/* The same number from another issuer is a different invoice. */
	g_free(invoice->issuer);
	invoice->issuer = g_strdup("supplier");
	assert_true(store_invoice_add(f->db, invoice, &source, &error));
	store_invoice_free(invoice);
	/* Due before issued, zero amount, unknown client. */
	bad->number = g_strdup("BAD-1");
	bad->client_id = f->client_id;
	bad->amount = 100;
	g_strlcpy(bad->currency, "PLN", 4);
	bad->issued = dm_date_from_ymd(2026, 2, 1);
	bad->due = dm_date_from_ymd(2026, 1, 1);
	assert_false(store_invoice_add(f->db, bad, &source, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
	g_clear_error(&error);
	bad->due = bad->issued;
	bad->amount = 0;
	bad->balance = -1;
	assert_false(store_invoice_add(f->db, bad, &source, &error));
	g_clear_error(&error);
	bad->amount = 100;
	bad->balance = -1;
	bad->client_id = 4242;
	assert_false(store_invoice_add(f->db, bad, &source, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_NOT_FOUND));
	g_clear_error(&error);
	store_invoice_free(bad);
	assert_true(store_check_integrity(f->db, NULL));
}

static void
test_partial_then_full_payment(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "invoice paid"};
	store_invoice *invoice = add_invoice(f, "FV/3", 125000);
	store_invoice *now;
	GPtrArray *events;
	GError *error = NULL;
	const store_event *event;

	assert_true(store_invoice_record_payment(f->db, invoice->id, 25000,
						 dm_date_from_ymd(2026, 11, 2), &source, &error));
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->balance, 100000);
	assert_int_equal(now->status, INVOICE_PARTIAL);
	store_invoice_free(now);
	/* Overpaying is refused and changes nothing. */
	assert_false(store_invoice_record_payment(f->db, invoice->id, 100001,
						  dm_date_from_ymd(2026, 11, 3), &source, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
	g_clear_error(&error);
	/* Amount 0 pays the whole balance. */
	assert_true(store_invoice_record_payment(f->db, invoice->id, 0,
						 dm_date_from_ymd(2026, 11, 4), &source, &error));
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->balance, 0);
	assert_int_equal(now->status, INVOICE_PAID);
	store_invoice_free(now);
	assert_false(store_invoice_record_payment(f->db, invoice->id, 1,
						  dm_date_from_ymd(2026, 11, 5), &source, &error));
	g_clear_error(&error);
	events = store_event_list_for_invoice(f->db, invoice->id, NULL);
	assert_int_equal(events->len, 3);
	event = g_ptr_array_index(events, 1);
	assert_string_equal(event->kind, "payment");
	assert_string_equal(event->before, "open");
	assert_string_equal(event->after, "partial");
	assert_string_equal(event->command, "invoice paid");
	assert_string_equal(event->detail, "received 250.00 PLN on 2026-11-02");
	event = g_ptr_array_index(events, 2);
	assert_string_equal(event->before, "partial");
	assert_string_equal(event->after, "paid");
	g_ptr_array_unref(events);
	store_invoice_free(invoice);
}

static void
test_dispute_and_resolve_restore_status(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "test"};
	store_invoice *invoice = add_invoice(f, "FV/4", 5000);
	store_invoice *now;
	GError *error = NULL;

	assert_true(store_invoice_promise(f->db, invoice->id, dm_date_from_ymd(2026, 12, 4),
					  DM_DATE_NONE, &source, &error));
	assert_true(store_invoice_dispute(f->db, invoice->id, "wrong hours", 0, &source, &error));
	assert_false(store_invoice_dispute(f->db, invoice->id, NULL, 0, &source, &error));
	g_clear_error(&error);
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_DISPUTED);
	assert_string_equal(now->dispute_note, "wrong hours");
	store_invoice_free(now);
	assert_true(store_invoice_resolve(f->db, invoice->id, &source, &error));
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_PROMISED);
	assert_int_equal(now->promised_date, dm_date_from_ymd(2026, 12, 4));
	assert_null(now->dispute_note);
	store_invoice_free(now);
	assert_false(store_invoice_resolve(f->db, invoice->id, &source, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_CONFLICT));
	g_error_free(error);
	store_invoice_free(invoice);
}

static void
test_write_off_and_message_source_required(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "invoice writeoff"};
	store_source nothing = {0};
	store_invoice *invoice = add_invoice(f, "FV/5", 5000);
	store_invoice *now;
	GError *error = NULL;
	int64_t events_before = store_event_count(f->db, NULL);

	/* An event without a source is refused, and so is the change it explains. */
	assert_false(store_invoice_write_off(f->db, invoice->id, &nothing, &error));
	g_clear_error(&error);
	assert_int_equal(store_event_count(f->db, NULL), events_before);
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_OPEN);
	store_invoice_free(now);
	assert_true(store_invoice_write_off(f->db, invoice->id, &source, &error));
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_WRITTEN_OFF);
	assert_false(invoice_status_is_open(now->status));
	store_invoice_free(now);
	assert_int_equal(store_event_count(f->db, NULL), events_before + 1);
	store_invoice_free(invoice);
}

static void
test_list_filters(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "test"};
	store_invoice *a = add_invoice(f, "A", 100), *b = add_invoice(f, "B", 200);
	store_invoice_filter filter = {.by_status = true, .status = INVOICE_DISPUTED};
	GPtrArray *list;

	assert_true(store_invoice_dispute(f->db, b->id, NULL, 0, &source, NULL));
	list = store_invoice_list(f->db, &filter, NULL);
	assert_int_equal(list->len, 1);
	assert_string_equal(((store_invoice *)g_ptr_array_index(list, 0))->number, "B");
	assert_string_equal(((store_invoice *)g_ptr_array_index(list, 0))->client_name,
			    "Nowak Sp. z o.o.");
	g_ptr_array_unref(list);
	list = store_invoice_list(f->db, NULL, NULL);
	assert_int_equal(list->len, 2);
	g_ptr_array_unref(list);
	store_invoice_free(a);
	store_invoice_free(b);
}

static void
test_language_change_is_an_event(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "test"};
	store_client *client;

	assert_true(store_client_set_language(f->db, f->client_id, "de", &source, NULL));
	client = store_client_get(f->db, f->client_id, NULL);
	assert_string_equal(client->language, "de");
	store_client_free(client);
}

/* Reads back a client's postal address (a copy, NULL when none). */
static char *
postal_address_of(fixture *f, int64_t client_id)
{
	store_client *client = store_client_get(f->db, client_id, NULL);
	char *address;

	assert_non_null(client);
	address = g_strdup(client->postal_address);
	store_client_free(client);
	return address;
}

/*
 * A postal address is stored with the client, replaced whole, and cleared
 * by NULL or "".  Each change is one event; setting the same address
 * again is none.
 */
static void
test_postal_address_set_and_cleared(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "test"};
	store_client *client = store_client_new("Acme Ltd");
	GError *error = NULL;
	int64_t events;
	char *address;

	g_ptr_array_add(client->emails, g_strdup("ap@acme.example"));
	client->postal_address = g_strdup("Acme Ltd\n1 High Street\nLondon EC1A 1BB");
	if (!store_client_add(f->db, client, &error))
		fail_msg("%s", error->message);
	address = postal_address_of(f, client->id);
	assert_string_equal(address, "Acme Ltd\n1 High Street\nLondon EC1A 1BB");
	g_free(address);
	/* The fixture's client has none. */
	assert_null(postal_address_of(f, f->client_id));

	events = store_event_count(f->db, NULL);
	assert_true(store_client_set_postal_address(f->db, client->id, "Acme Ltd\n2 Low Road",
						    &source, &error));
	address = postal_address_of(f, client->id);
	assert_string_equal(address, "Acme Ltd\n2 Low Road");
	g_free(address);
	assert_int_equal(store_event_count(f->db, NULL), events + 1);
	assert_true(store_client_set_postal_address(f->db, client->id, "Acme Ltd\n2 Low Road",
						    &source, NULL));
	assert_int_equal(store_event_count(f->db, NULL), events + 1);

	assert_true(store_client_set_postal_address(f->db, client->id, "", &source, NULL));
	assert_null(postal_address_of(f, client->id));
	assert_int_equal(store_event_count(f->db, NULL), events + 2);
	assert_true(store_client_set_postal_address(f->db, client->id, NULL, &source, NULL));
	assert_int_equal(store_event_count(f->db, NULL), events + 2);

	assert_false(store_client_set_postal_address(f->db, 9999, "x", &source, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_NOT_FOUND));
	g_clear_error(&error);
	store_client_free(client);
}

static store_message *
add_message(fixture *f, const char *message_id, int64_t client_id)
{
	store_message *message = store_message_new();
	bool inserted;

	message->message_id = g_strdup(message_id);
	message->direction = MESSAGE_IN;
	message->folder = g_strdup("INBOX");
	message->client_id = client_id;
	message->class_name = g_strdup("none");
	assert_true(store_message_add(f->db, message, &inserted, NULL));
	assert_true(inserted);
	return message;
}

/*
 * A reply's Message-IDs, nearest first, lead to the invoices of the nearest
 * one that has any: the e-mail that sent an invoice, a stored message linked
 * to invoices, or a draft.  The client is the first one known on the way.
 */
static void
test_invoices_for_references(void **state)
{
	fixture *f = *state;
	store_invoice *sent = test_invoice_new(f->client_id, "FV/21", 100),
		      *linked = add_invoice(f, "FV/22", 200), *drafted = add_invoice(f, "FV/23", 300);
	store_message *plain = add_message(f, "plain@x", f->client_id);
	store_message *about = add_message(f, "about\"quoted\\@x", 0);
	store_draft *draft = store_draft_new();
	int64_t client_id = -1;
	GArray *ids;

	sent->sent_message_id = g_strdup("invoice-mail@x");
	test_invoice_store(f->db, sent);
	assert_true(store_message_link_invoice(f->db, about->id, linked->id, "number", NULL));
	assert_true(store_message_link_invoice(f->db, about->id, sent->id, "number", NULL));
	draft->client_id = f->client_id;
	draft->kind = g_strdup("reminder1");
	draft->message_id = g_strdup("draft@x");
	draft->planned_on = dm_date_from_ymd(2026, 11, 22);
	g_array_append_val(draft->invoice_ids, drafted->id);
	assert_true(store_draft_add(f->db, draft, NULL));

	/* Unknown ids and a message without invoices are passed; its client counts. */
	{
		const char *refs[] = {"unknown@x", "plain@x", "about\"quoted\\@x", "invoice-mail@x",
				      NULL};
		ids = store_invoices_for_references(f->db, refs, &client_id, NULL);
		assert_non_null(ids);
		/* Both links of the nearest message that has any, in id order. */
		assert_int_equal(ids->len, 2);
		assert_int_equal(g_array_index(ids, int64_t, 0), MIN(sent->id, linked->id));
		assert_int_equal(g_array_index(ids, int64_t, 1), MAX(sent->id, linked->id));
		assert_int_equal(client_id, f->client_id);
		g_array_unref(ids);
	}
	/* The invoice's own e-mail: its client comes from the invoice. */
	{
		const char *refs[] = {"invoice-mail@x", "draft@x", NULL};
		ids = store_invoices_for_references(f->db, refs, &client_id, NULL);
		assert_int_equal(ids->len, 1);
		assert_int_equal(g_array_index(ids, int64_t, 0), sent->id);
		assert_int_equal(client_id, f->client_id);
		g_array_unref(ids);
	}
	{
		const char *refs[] = {"draft@x", NULL};
		ids = store_invoices_for_references(f->db, refs, &client_id, NULL);
		assert_int_equal(ids->len, 1);
		assert_int_equal(g_array_index(ids, int64_t, 0), drafted->id);
		g_array_unref(ids);
	}
	/* Nothing known: no invoices, no client. */
	{
		const char *refs[] = {"unknown@x", "also-unknown@x", NULL};
		ids = store_invoices_for_references(f->db, refs, &client_id, NULL);
		assert_int_equal(ids->len, 0);
		assert_int_equal(client_id, 0);
		g_array_unref(ids);
	}
	store_draft_free(draft);
	store_message_free(plain);
	store_message_free(about);
	store_invoice_free(sent);
	store_invoice_free(linked);
	store_invoice_free(drafted);
}

/* A message of the client on a day, with a class. */
static store_message *
add_reply(fixture *f, const char *message_id, const char *klass, dm_date date)
{
	store_message *message = store_message_new();
	bool inserted;

	message->message_id = g_strdup(message_id);
	message->direction = MESSAGE_IN;
	message->folder = g_strdup("INBOX");
	message->client_id = f->client_id;
	message->class_name = g_strdup(klass);
	message->date = date;
	message->sent_at = (int64_t)date * 86400;
	assert_true(store_message_add(f->db, message, &inserted, NULL));
	assert_true(inserted);
	return message;
}

/*
 * An unrecognised reply stays unread, whatever the client wrote after it,
 * until the user deals with the client's replies: then every one of them
 * up to now is read, on that day, with one event on the client.
 */
static void
test_unread_replies_until_marked_read(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "invoice promise"};
	store_message_filter unread = {.client_id = f->client_id, .unread_only = true};
	store_message_filter all = {.client_id = f->client_id};
	store_client_activity activity;
	store_message *first, *second, *promise, *read;
	GPtrArray *list;
	GError *error = NULL;
	int marked = -1;

	first = add_reply(f, "u1@x", "unrecognised", dm_date_from_ymd(2026, 11, 2));
	promise = add_reply(f, "p1@x", "promised", dm_date_from_ymd(2026, 11, 3));
	second = add_reply(f, "u2@x", "unrecognised", dm_date_from_ymd(2026, 11, 4));
	assert_true(store_message_is_unread(first));
	assert_false(store_message_is_unread(promise));

	/* Both unread ones, oldest first, though a promise came between. */
	assert_true(store_client_activity_get(f->db, f->client_id, &activity, &error));
	assert_int_equal(activity.unread_replies->len, 2);
	assert_string_equal(((store_message *)g_ptr_array_index(activity.unread_replies, 0))
				->message_id,
			    "u1@x");
	assert_string_equal(((store_message *)g_ptr_array_index(activity.unread_replies, 1))
				->message_id,
			    "u2@x");
	assert_int_equal(activity.last_incoming, dm_date_from_ymd(2026, 11, 4));
	store_client_activity_clear(&activity);
	list = store_message_list(f->db, &all, &error);
	assert_int_equal(list->len, 3);
	g_ptr_array_unref(list);

	assert_true(store_client_mark_replies_read(f->db, f->client_id,
						   dm_date_from_ymd(2026, 11, 5), &source, &marked,
						   &error));
	assert_int_equal(marked, 2);
	list = store_message_list(f->db, &unread, &error);
	assert_int_equal(list->len, 0);
	g_ptr_array_unref(list);
	read = store_message_find(f->db, "u1@x", &error);
	assert_int_equal(read->read_on, dm_date_from_ymd(2026, 11, 5));
	assert_false(store_message_is_unread(read));
	store_message_free(read);
	assert_true(store_client_activity_get(f->db, f->client_id, &activity, &error));
	assert_int_equal(activity.unread_replies->len, 0);
	store_client_activity_clear(&activity);

	/* Nothing left to mark: no second event. */
	{
		int64_t events = store_event_count(f->db, NULL);
		assert_true(store_client_mark_replies_read(f->db, f->client_id,
							   dm_date_from_ymd(2026, 11, 6), &source,
							   &marked, &error));
		assert_int_equal(marked, 0);
		assert_int_equal(store_event_count(f->db, NULL), events);
	}
	store_message_free(first);
	store_message_free(second);
	store_message_free(promise);
}

/*
 * The user's reading of a message: its class changes, the rule goes, it
 * is read, and each linked invoice gets an event naming the source.
 */
static void
test_message_set_class(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "message set"};
	store_invoice *invoice = add_invoice(f, "FV/51", 900);
	store_message *message = add_reply(f, "u5@x", "unrecognised", dm_date_from_ymd(2026, 11, 2));
	store_message *now;
	GPtrArray *events;
	const store_event *last;
	GError *error = NULL;

	source.message_row = message->id;
	assert_true(store_message_link_invoice(f->db, message->id, invoice->id, "number", NULL));
	assert_true(store_message_set_class(f->db, message->id, "promised",
					    dm_date_from_ymd(2026, 11, 20),
					    dm_date_from_ymd(2026, 11, 3), &source, &error));
	now = store_message_find(f->db, "u5@x", &error);
	assert_string_equal(now->class_name, "promised");
	assert_int_equal(now->class_date, dm_date_from_ymd(2026, 11, 20));
	assert_null(now->rule_id);
	assert_int_equal(now->read_on, dm_date_from_ymd(2026, 11, 3));
	store_message_free(now);
	events = store_event_list_for_invoice(f->db, invoice->id, &error);
	last = g_ptr_array_index(events, events->len - 1);
	assert_string_equal(last->kind, "class");
	assert_string_equal(last->command, "message set");
	assert_string_equal(last->message_id, "u5@x");
	assert_string_equal(last->before, "unrecognised");
	assert_string_equal(last->after, "promised");
	assert_string_equal(last->detail, "message <u5@x> of 2026-11-02 read as promised 2026-11-20");
	g_ptr_array_unref(events);
	/* Read once: a later reading keeps the first day. */
	assert_true(store_message_set_class(f->db, message->id, "none", DM_DATE_NONE,
					    dm_date_from_ymd(2026, 11, 9), &source, &error));
	now = store_message_find(f->db, "u5@x", &error);
	assert_int_equal(now->read_on, dm_date_from_ymd(2026, 11, 3));
	assert_int_equal(now->class_date, DM_DATE_NONE);
	store_message_free(now);
	assert_false(store_message_set_class(f->db, 9999, "none", DM_DATE_NONE, DM_DATE_NONE,
					     &source, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_NOT_FOUND));
	g_clear_error(&error);
	store_message_free(message);
	store_invoice_free(invoice);
}

/*
 * A dispute of part of an invoice: never more than the balance; paying the
 * rest leaves the contested part in dispute; resolving forgets the figure.
 */
static void
test_partial_dispute(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "invoice dispute"};
	store_invoice *invoice = add_invoice(f, "FV/52", 100000);
	store_invoice *now;
	GError *error = NULL;

	assert_false(store_invoice_dispute(f->db, invoice->id, "too many hours", 100001, &source,
					   &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
	assert_non_null(strstr(error->message, "invoice FV/52: the disputed amount 1000.01 PLN"
					       " exceeds its balance of 1000.00 PLN"));
	g_clear_error(&error);
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_OPEN);
	store_invoice_free(now);

	assert_true(store_invoice_dispute(f->db, invoice->id, "too many hours", 30000, &source,
					  &error));
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_DISPUTED);
	assert_int_equal(now->disputed_amount, 30000);
	store_invoice_free(now);
	{
		GPtrArray *events = store_event_list_for_invoice(f->db, invoice->id, NULL);
		const store_event *last = g_ptr_array_index(events, events->len - 1);
		assert_string_equal(last->detail, "disputes 300.00 PLN: too many hours");
		g_ptr_array_unref(events);
	}
	/* The client pays what it does not contest. */
	assert_true(store_invoice_record_payment(f->db, invoice->id, 70000,
						 dm_date_from_ymd(2026, 11, 10), &source, &error));
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_DISPUTED);
	assert_int_equal(now->balance, 30000);
	assert_int_equal(now->disputed_amount, 30000);
	store_invoice_free(now);
	assert_true(store_invoice_resolve(f->db, invoice->id, &source, &error));
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_PARTIAL);
	assert_int_equal(now->disputed_amount, 0);
	store_invoice_free(now);
	store_invoice_free(invoice);
}

/*
 * A refused change inside a larger transaction (a promise on a disputed
 * invoice while a scan batch is open) undoes only itself: the message
 * stored before it in the same transaction stays, and the transaction
 * goes on.
 */
static void
test_inner_failure_keeps_outer_transaction(void **state)
{
	fixture *f = *state;
	store_source source = {.command = "test"};
	store_invoice *invoice = add_invoice(f, "FV/41", 700);
	store_message *first, *second, *found;
	GError *error = NULL;

	assert_true(store_invoice_dispute(f->db, invoice->id, "wrong amount", 0, &source, NULL));
	assert_true(store_begin(f->db, NULL));
	first = add_message(f, "before@x", f->client_id);
	assert_false(store_invoice_promise(f->db, invoice->id, dm_date_from_ymd(2026, 12, 1),
					   dm_date_from_ymd(2026, 11, 22), &source, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_CONFLICT));
	g_clear_error(&error);
	assert_true(store_in_transaction(f->db));
	second = add_message(f, "after@x", f->client_id);
	/* A nested failure of our own, rolled back by its caller. */
	assert_true(store_begin(f->db, NULL));
	assert_true(store_invoice_add_note(f->db, invoice->id, "rolled back", &source, NULL));
	store_rollback(f->db);
	assert_true(store_in_transaction(f->db));
	assert_true(store_commit(f->db, NULL));
	assert_false(store_in_transaction(f->db));

	found = store_message_find(f->db, "before@x", NULL);
	assert_non_null(found);
	store_message_free(found);
	found = store_message_find(f->db, "after@x", NULL);
	assert_non_null(found);
	store_message_free(found);
	{
		GPtrArray *events = store_event_list_for_invoice(f->db, invoice->id, NULL);
		for (guint i = 0; i < events->len; i++) {
			const store_event *event = g_ptr_array_index(events, i);
			assert_true(event->detail == NULL || strcmp(event->detail, "rolled back") != 0);
		}
		g_ptr_array_unref(events);
	}
	/* An outer rollback still undoes everything since its store_begin. */
	assert_true(store_begin(f->db, NULL));
	store_message_free(add_message(f, "gone@x", f->client_id));
	store_rollback(f->db);
	assert_false(store_in_transaction(f->db));
	assert_null(store_message_find(f->db, "gone@x", NULL));
	store_message_free(first);
	store_message_free(second);
	store_invoice_free(invoice);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_created_private_with_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_database, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_sqlite_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migration_from_version_1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migration_from_version_2, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migration_from_version_3, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unread_replies_until_marked_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_message_set_class, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial_dispute, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plan_splits_balance_and_settles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_promise_broken_after_grace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_draft_sent_raises_level, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_client_and_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_find_by_address_and_domain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invoice_constraints, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial_then_full_payment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dispute_and_resolve_restore_status, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_write_off_and_message_source_required, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_language_change_is_an_event, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_postal_address_set_and_cleared, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invoices_for_references, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inner_failure_keeps_outer_transaction, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
