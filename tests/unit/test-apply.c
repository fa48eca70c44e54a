/*
 * What a reading of a message changes in the store (filter/apply.h): the
 * user's reading (apply_reading) does to the invoices exactly what a rule's
 * would, and refuses what no reading can say.
 */
#include "tests/unit/testutil.h"

#include "common/util.h"
#include "filter/apply.h"
#include "store/store.h"
#include "tests/unit/store-fixture.h"

/* An unrecognised reply of the client of 2026-11-02, linked to the invoice. */
static store_message *
unread_reply(fixture *f, const char *message_id, int64_t invoice_id)
{
	store_message *message = store_message_new();
	bool inserted = false;

	message->message_id = g_strdup(message_id);
	message->direction = MESSAGE_IN;
	message->folder = g_strdup("filter");
	message->client_id = f->client_id;
	message->class_name = g_strdup("unrecognised");
	message->date = dm_date_from_ymd(2026, 11, 2);
	message->subject = g_strdup("Re: FV/1");
	assert_true(store_message_add(f->db, message, &inserted, NULL));
	assert_true(store_message_link_invoice(f->db, message->id, invoice_id, "number", NULL));
	store_message_free(message);
	return store_message_find(f->db, message_id, NULL);
}

static const store_event *
last_event(GPtrArray *events, const char *kind)
{
	for (guint i = events->len; i > 0; i--) {
		const store_event *event = g_ptr_array_index(events, i - 1);
		if (strcmp(event->kind, kind) == 0)
			return event;
	}
	fail_msg("no %s event", kind);
	return NULL;
}

/* Read as a promise: the invoice is promised with the date, the events name the command. */
static void
test_reading_as_promise(void **state)
{
	fixture *f = *state;
	store_invoice *invoice =
	    test_invoice_store(f->db, test_invoice_new(f->client_id, "FV/1", 100));
	store_message *message = unread_reply(f, "r1@x", invoice->id);
	store_source source = {.command = "message set", .message_row = message->id};
	apply_summary summary;
	GError *error = NULL;
	GPtrArray *events;
	store_invoice *now;
	store_message *read;

	dm_date_set_today(dm_date_from_ymd(2026, 11, 4));
	if (!apply_reading(f->db, message, RULES_CLASS_PROMISED, dm_date_from_ymd(2026, 11, 20),
	                   &source, &summary, &error))
		fail_msg("%s", error->message);
	assert_int_equal(summary.changes, 1);
	now = store_invoice_get(f->db, invoice->id, NULL);
	assert_int_equal(now->status, INVOICE_PROMISED);
	assert_int_equal(now->promised_date, dm_date_from_ymd(2026, 11, 20));
	store_invoice_free(now);
	read = store_message_find(f->db, "r1@x", NULL);
	assert_string_equal(read->class_name, "promised");
	assert_int_equal(read->read_on, dm_date_from_ymd(2026, 11, 4));
	store_message_free(read);
	events = store_event_list_for_invoice(f->db, invoice->id, NULL);
	assert_string_equal(last_event(events, "class")->command, "message set");
	assert_string_equal(last_event(events, "promise")->command, "message set");
	assert_string_equal(last_event(events, "promise")->detail, "promised to pay by 2026-11-20");
	g_ptr_array_unref(events);
	store_message_free(message);
	store_invoice_free(invoice);
}

/* Read as a dispute, then as a payment claim: each as a rule would apply it. */
static void
test_reading_as_dispute_and_paid(void **state)
{
	fixture *f = *state;
	store_invoice *a = test_invoice_store(f->db, test_invoice_new(f->client_id, "FV/2", 100));
	store_invoice *b = test_invoice_store(f->db, test_invoice_new(f->client_id, "FV/3", 100));
	store_message *disputing = unread_reply(f, "r2@x", a->id);
	store_message *paying = unread_reply(f, "r3@x", b->id);
	store_source source = {.command = "message set"};
	apply_summary summary;
	store_invoice *now;

	assert_true(apply_reading(f->db, disputing, RULES_CLASS_DISPUTED, DM_DATE_NONE, &source,
	                          &summary, NULL));
	assert_true(
	    apply_reading(f->db, paying, RULES_CLASS_PAID, DM_DATE_NONE, &source, &summary, NULL));
	now = store_invoice_get(f->db, a->id, NULL);
	assert_int_equal(now->status, INVOICE_DISPUTED);
	store_invoice_free(now);
	now = store_invoice_get(f->db, b->id, NULL);
	assert_int_equal(now->status, INVOICE_PAID);
	assert_int_equal(now->balance, 100);
	store_invoice_free(now);
	/* A second dispute is refused by the invoice, not by the reading. */
	assert_true(apply_reading(f->db, disputing, RULES_CLASS_DISPUTED, DM_DATE_NONE, &source,
	                          &summary, NULL));
	store_message_free(disputing);
	store_message_free(paying);
	store_invoice_free(a);
	store_invoice_free(b);
}

/* What no reading can say, each refused with the message named and nothing changed. */
static void
test_reading_refused(void **state)
{
	fixture *f = *state;
	store_invoice *invoice =
	    test_invoice_store(f->db, test_invoice_new(f->client_id, "FV/4", 100));
	store_message *message = unread_reply(f, "r4@x", invoice->id);
	store_source source = {.command = "message set"};
	apply_summary summary;
	GError *error = NULL;
	store_message *still;

	assert_false(apply_reading(f->db, message, RULES_CLASS_UNRECOGNISED, DM_DATE_NONE, &source,
	                           &summary, &error));
	assert_non_null(strstr(error->message, "<r4@x>: \"unrecognised\" cannot be set by hand"));
	g_clear_error(&error);
	assert_false(apply_reading(f->db, message, RULES_CLASS_DISPUTED,
	                           dm_date_from_ymd(2026, 11, 9), &source, &summary, &error));
	assert_non_null(strstr(error->message, "not with disputed"));
	g_clear_error(&error);
	assert_false(apply_reading(f->db, message, RULES_CLASS_PROMISED,
	                           dm_date_from_ymd(2026, 11, 1), &source, &summary, &error));
	assert_non_null(
	    strstr(error->message, "a promise made on 2026-11-02 cannot be to pay by 2026-11-01"));
	g_clear_error(&error);
	still = store_message_find(f->db, "r4@x", NULL);
	assert_true(store_message_is_unread(still));
	store_message_free(still);

	message->direction = MESSAGE_OUT;
	assert_false(apply_reading(f->db, message, RULES_CLASS_NONE, DM_DATE_NONE, &source,
	                           &summary, &error));
	assert_non_null(strstr(error->message, "is your own (outgoing)"));
	g_clear_error(&error);
	store_message_free(message);
	store_invoice_free(invoice);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reading_as_promise, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reading_as_dispute_and_paid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reading_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
