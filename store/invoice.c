/* Invoices and their status changes; every change writes an event. */
#include "store/store-private.h"
#include "common/money.h"

#include <string.h>

static const char *const status_names[] = {
    [INVOICE_OPEN] = "open",	 [INVOICE_PROMISED] = "promised",
    [INVOICE_DISPUTED] = "disputed", [INVOICE_PAID] = "paid",
    [INVOICE_PARTIAL] = "partial",	 [INVOICE_WRITTEN_OFF] = "written_off",
};

const char *
invoice_status_name(invoice_status status)
{
	if ((size_t)status >= G_N_ELEMENTS(status_names))
		return "open";
	return status_names[status];
}

bool
invoice_status_parse(const char *name, invoice_status *status)
{
	for (size_t i = 0; i < G_N_ELEMENTS(status_names); i++) {
		if (name != NULL && strcmp(name, status_names[i]) == 0) {
			*status = (invoice_status)i;
			return true;
		}
	}
	return false;
}

bool
invoice_status_is_open(invoice_status status)
{
	return status == INVOICE_OPEN || status == INVOICE_PROMISED ||
	       status == INVOICE_DISPUTED || status == INVOICE_PARTIAL;
}

store_invoice *
store_invoice_new(void)
{
	store_invoice *invoice = g_new0(store_invoice, 1);

	invoice->issuer = g_strdup("");
	invoice->issued = DM_DATE_NONE;
	invoice->due = DM_DATE_NONE;
	invoice->promised_date = DM_DATE_NONE;
	invoice->paid_on = DM_DATE_NONE;
	invoice->balance = -1;
	return invoice;
}

void
store_invoice_free(store_invoice *invoice)
{
	if (invoice == NULL)
		return;
	g_free(invoice->issuer);
	g_free(invoice->number);
	g_free(invoice->client_name);
	g_free(invoice->sent_message_id);
	g_free(invoice->dispute_note);
	g_free(invoice);
}

bool
store_invoice_add(store *db, store_invoice *invoice, const store_source *source, GError **error)
{
	static const char sql[] =
	    "INSERT INTO invoices (issuer, number, client_id, amount, balance, currency, issued,"
	    " due, status, sent_message_id, created, discount_bp, discount_days, parent_id)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *stmt;
	char *now = NULL, *detail = NULL;

	if (invoice->balance < 0)
		invoice->balance = invoice->amount;
	if (!store_begin(db, error))
		return false;
	db->invoice_generation = store_next_generation();
	if ((stmt = store_statement(db, sql, error)) == NULL)
		goto fail;
	now = store_timestamp();
	store_bind_text(stmt, 1, invoice->issuer != NULL ? invoice->issuer : "");
	store_bind_text(stmt, 2, invoice->number);
	sqlite3_bind_int64(stmt, 3, invoice->client_id);
	sqlite3_bind_int64(stmt, 4, invoice->amount);
	sqlite3_bind_int64(stmt, 5, invoice->balance);
	store_bind_text(stmt, 6, invoice->currency);
	store_bind_date(stmt, 7, invoice->issued);
	store_bind_date(stmt, 8, invoice->due);
	store_bind_text(stmt, 9, invoice_status_name(invoice->status));
	store_bind_text(stmt, 10, invoice->sent_message_id);
	store_bind_text(stmt, 11, now);
	sqlite3_bind_int(stmt, 12, invoice->discount_bp);
	sqlite3_bind_int(stmt, 13, invoice->discount_days);
	if (invoice->parent_id != 0)
		sqlite3_bind_int64(stmt, 14, invoice->parent_id);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		int code = sqlite3_extended_errcode(db->sql);
		sqlite3_reset(stmt);
		if (code == SQLITE_CONSTRAINT_UNIQUE)
			g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
				    "invoice %s already exists", invoice->number);
		else if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
			g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND,
				    "invoice %s: no client with id %lld", invoice->number,
				    (long long)invoice->client_id);
		else if ((code & 0xff) == SQLITE_CONSTRAINT)
			g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
				    "invoice %s: %s (amount must be positive, the due date not"
				    " before the issue date)",
				    invoice->number, sqlite3_errmsg(db->sql));
		else
			store_set_sql_error(db, error, "adding an invoice");
		goto fail;
	}
	sqlite3_reset(stmt);
	invoice->id = sqlite3_last_insert_rowid(db->sql);
	{
		char *amount = dm_money_format_plain(invoice->amount, invoice->currency);
		detail = g_strdup_printf("%s %s", amount, invoice->currency);
		g_free(amount);
	}
	if (!store_event_write(db, invoice->id, invoice->client_id, "created", NULL,
			       invoice_status_name(invoice->status), detail, source, error))
		goto fail;
	if (!store_commit(db, error))
		goto fail;
	g_free(now);
	g_free(detail);
	return true;
fail:
	store_rollback(db);
	g_free(now);
	g_free(detail);
	invoice->id = 0;
	return false;
}

#define INVOICE_COLUMNS                                                                            \
	"i.id, i.issuer, i.number, i.client_id, c.name, i.amount, i.balance, i.currency,"          \
	" i.issued, i.due, i.status, i.promised_date, i.level, i.sent_message_id,"                 \
	" i.dispute_note, i.status_before_dispute, i.discount_bp, i.discount_days,"                \
	" coalesce(i.parent_id, 0), i.paid_on, coalesce(i.disputed_amount, 0)"

static store_invoice *
invoice_from_row(sqlite3_stmt *stmt)
{
	store_invoice *invoice = store_invoice_new();
	const char *currency = (const char *)sqlite3_column_text(stmt, 7);

	g_free(invoice->issuer);
	invoice->id = sqlite3_column_int64(stmt, 0);
	invoice->issuer = store_column_text(stmt, 1);
	invoice->number = store_column_text(stmt, 2);
	invoice->client_id = sqlite3_column_int64(stmt, 3);
	invoice->client_name = store_column_text(stmt, 4);
	invoice->amount = sqlite3_column_int64(stmt, 5);
	invoice->balance = sqlite3_column_int64(stmt, 6);
	g_strlcpy(invoice->currency, currency != NULL ? currency : "", sizeof invoice->currency);
	invoice->issued = store_column_date(stmt, 8);
	invoice->due = store_column_date(stmt, 9);
	invoice_status_parse((const char *)sqlite3_column_text(stmt, 10), &invoice->status);
	invoice->promised_date = store_column_date(stmt, 11);
	invoice->level = sqlite3_column_int(stmt, 12);
	invoice->sent_message_id = store_column_text(stmt, 13);
	invoice->dispute_note = store_column_text(stmt, 14);
	invoice->status_before_dispute = INVOICE_OPEN;
	invoice_status_parse((const char *)sqlite3_column_text(stmt, 15),
			     &invoice->status_before_dispute);
	invoice->discount_bp = sqlite3_column_int(stmt, 16);
	invoice->discount_days = sqlite3_column_int(stmt, 17);
	invoice->parent_id = sqlite3_column_int64(stmt, 18);
	invoice->paid_on = store_column_date(stmt, 19);
	invoice->disputed_amount = sqlite3_column_int64(stmt, 20);
	return invoice;
}

static store_invoice *
query_one(store *db, const char *sql, const char *text, int64_t number, GError **error)
{
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	store_invoice *invoice = NULL;
	int rc;

	if (stmt == NULL)
		return NULL;
	if (text != NULL)
		store_bind_text(stmt, 1, text);
	else
		sqlite3_bind_int64(stmt, 1, number);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		invoice = invoice_from_row(stmt);
	else if (rc != SQLITE_DONE)
		store_set_sql_error(db, error, "reading an invoice");
	else if (text != NULL)
		g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND, "no invoice numbered \"%s\"",
			    text);
	else
		g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND, "no invoice with id %lld",
			    (long long)number);
	sqlite3_reset(stmt);
	return invoice;
}

store_invoice *
store_invoice_find(store *db, const char *number, GError **error)
{
	return query_one(db,
			 "SELECT " INVOICE_COLUMNS " FROM invoices i JOIN clients c ON"
			 " c.id = i.client_id WHERE i.issuer = '' AND i.number = ?",
			 number, 0, error);
}

store_invoice *
store_invoice_get(store *db, int64_t id, GError **error)
{
	return query_one(db,
			 "SELECT " INVOICE_COLUMNS " FROM invoices i JOIN clients c ON"
			 " c.id = i.client_id WHERE i.id = ?",
			 NULL, id, error);
}

GPtrArray *
store_invoice_list(store *db, const store_invoice_filter *filter, GError **error)
{
	static const char sql[] =
	    "SELECT " INVOICE_COLUMNS " FROM invoices i JOIN clients c ON c.id = i.client_id"
	    " WHERE (?1 IS NULL OR i.status = ?1) AND (?2 = 0 OR i.client_id = ?2)"
	    " AND (?3 = 0 OR i.status IN ('open', 'promised', 'disputed', 'partial'))"
	    " ORDER BY i.due, i.number";
	sqlite3_stmt *stmt = store_statement(db, sql, error);
	GPtrArray *invoices;
	int rc;

	/* Three parameters: store_query_records binds only one. */
	if (stmt == NULL)
		return NULL;
	if (filter != NULL && filter->by_status)
		store_bind_text(stmt, 1, invoice_status_name(filter->status));
	sqlite3_bind_int64(stmt, 2, filter != NULL ? filter->client_id : 0);
	sqlite3_bind_int(stmt, 3, filter != NULL && filter->open_only ? 1 : 0);
	invoices = g_ptr_array_new_with_free_func((GDestroyNotify)store_invoice_free);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(invoices, invoice_from_row(stmt));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_set_sql_error(db, error, "listing invoices");
		g_ptr_array_unref(invoices);
		return NULL;
	}
	return invoices;
}

/*
 * Writes the invoice's changed columns and one event with the status
 * before and after.  The caller holds a transaction.
 */
static bool
update_invoice(store *db, const store_invoice *before, const store_invoice *after,
	       const char *kind, const char *detail, const store_source *source, GError **error)
{
	static const char sql[] =
	    "UPDATE invoices SET balance = ?, status = ?, promised_date = ?, dispute_note = ?,"
	    " status_before_dispute = ?, level = ?, paid_on = ?, disputed_amount = ? WHERE id = ?";
	sqlite3_stmt *stmt = store_statement(db, sql, error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, after->balance);
	store_bind_text(stmt, 2, invoice_status_name(after->status));
	store_bind_date(stmt, 3, after->promised_date);
	store_bind_text(stmt, 4, after->dispute_note);
	if (after->status == INVOICE_DISPUTED)
		store_bind_text(stmt, 5, invoice_status_name(after->status_before_dispute));
	sqlite3_bind_int(stmt, 6, after->level);
	store_bind_date(stmt, 7, after->paid_on);
	if (after->status == INVOICE_DISPUTED && after->disputed_amount > 0)
		sqlite3_bind_int64(stmt, 8, after->disputed_amount);
	sqlite3_bind_int64(stmt, 9, after->id);
	if (!store_step_done(db, stmt, error, "updating an invoice"))
		return false;
	return store_event_write(db, after->id, after->client_id, kind,
				 invoice_status_name(before->status),
				 invoice_status_name(after->status), detail, source, error);
}

/* Loads the invoice inside a transaction, lets change() edit a copy, and stores it. */
typedef bool (*invoice_change)(store_invoice *invoice, const void *data, char **kind,
			       char **detail, GError **error);

static bool
change_invoice(store *db, int64_t invoice_id, invoice_change change, const void *data,
	       const store_source *source, GError **error)
{
	store_invoice *before = NULL, *after = NULL;
	char *kind = NULL, *detail = NULL;
	bool ok = false;

	if (!store_begin(db, error))
		return false;
	if ((before = store_invoice_get(db, invoice_id, error)) == NULL ||
	    (after = store_invoice_get(db, invoice_id, error)) == NULL)
		goto out;
	if (!change(after, data, &kind, &detail, error))
		goto out;
	ok = update_invoice(db, before, after, kind, detail, source, error);
out:
	store_invoice_free(before);
	store_invoice_free(after);
	g_free(kind);
	g_free(detail);
	if (ok)
		return store_commit(db, error);
	store_rollback(db);
	return false;
}

static bool
refuse_closed(const store_invoice *invoice, const char *what, GError **error)
{
	if (invoice->status == INVOICE_PAID && invoice->balance == 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
			    "invoice %s is already paid: cannot %s", invoice->number, what);
		return true;
	}
	if (invoice->status == INVOICE_WRITTEN_OFF) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
			    "invoice %s is written off: cannot %s", invoice->number, what);
		return true;
	}
	return false;
}

struct payment {
	int64_t amount;
	dm_date on;
};

static bool
apply_payment(store_invoice *invoice, const void *data, char **kind, char **detail,
	      GError **error)
{
	const struct payment *payment = data;
	int64_t amount = payment->amount != 0 ? payment->amount : invoice->balance;
	char iso[DM_DATE_ISO_SIZE];
	char *text;

	if (refuse_closed(invoice, "record a payment", error))
		return false;
	if (invoice->balance == 0 && amount == 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
			    "invoice %s has nothing left to pay (a payment plan carries its"
			    " balance: pay the instalments)",
			    invoice->number);
		return false;
	}
	if (amount <= 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "a payment must be positive");
		return false;
	}
	if (amount > invoice->balance) {
		char *balance = dm_money_format_plain(invoice->balance, invoice->currency);
		char *paid = dm_money_format_plain(amount, invoice->currency);
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "payment of %s %s exceeds the balance of invoice %s (%s %s)", paid,
			    invoice->currency, invoice->number, balance, invoice->currency);
		g_free(balance);
		g_free(paid);
		return false;
	}
	invoice->balance -= amount;
	if (invoice->status == INVOICE_DISPUTED && invoice->balance > 0) {
		/* The client paid what it does not contest: the rest stays in
		 * dispute (unchased), and goes back to partial when resolved. */
		invoice->status_before_dispute = INVOICE_PARTIAL;
		if (invoice->disputed_amount > invoice->balance)
			invoice->disputed_amount = invoice->balance;
	} else {
		invoice->status = invoice->balance == 0 ? INVOICE_PAID : INVOICE_PARTIAL;
	}
	if (invoice->balance == 0)
		invoice->paid_on = payment->on;
	invoice->promised_date = invoice->balance == 0 ? DM_DATE_NONE : invoice->promised_date;
	text = dm_money_format_plain(amount, invoice->currency);
	*kind = g_strdup("payment");
	*detail = g_strdup_printf("received %s %s on %s", text, invoice->currency,
				  dm_date_format_iso(payment->on, iso));
	g_free(text);
	return true;
}

/* When the last instalment of a plan is paid, the planned invoice is paid too. */
static bool
settle_plan_parent(store *db, int64_t instalment_id, dm_date on, const store_source *source,
		   GError **error)
{
	static const char open_sql[] = "SELECT count(*) FROM invoices WHERE parent_id = ? AND"
				       " balance > 0 AND status <> 'written_off'";
	static const char paid_sql[] = "UPDATE invoices SET status = 'paid', promised_date = NULL,"
				       " paid_on = ? WHERE id = ?";
	store_invoice *instalment = store_invoice_get(db, instalment_id, error);
	store_invoice *parent = NULL;
	sqlite3_stmt *stmt;
	char iso[DM_DATE_ISO_SIZE];
	char *detail;
	int open_left = 1;
	bool ok = false;

	if (instalment == NULL)
		return false;
	if (instalment->parent_id == 0 || instalment->balance > 0) {
		store_invoice_free(instalment);
		return true;
	}
	if ((stmt = store_statement(db, open_sql, error)) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, instalment->parent_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		open_left = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	if (open_left > 0) {
		ok = true;
		goto out;
	}
	if ((parent = store_invoice_get(db, instalment->parent_id, error)) == NULL ||
	    (stmt = store_statement(db, paid_sql, error)) == NULL)
		goto out;
	store_bind_date(stmt, 1, on);
	sqlite3_bind_int64(stmt, 2, parent->id);
	if (!store_step_done(db, stmt, error, "settling a payment plan"))
		goto out;
	detail = g_strdup_printf("every instalment paid, the last on %s",
				 dm_date_format_iso(on, iso));
	ok = store_event_write(db, parent->id, parent->client_id, "payment",
			       invoice_status_name(parent->status), "paid", detail, source, error);
	g_free(detail);
out:
	store_invoice_free(instalment);
	store_invoice_free(parent);
	return ok;
}

bool
store_invoice_record_payment(store *db, int64_t invoice_id, int64_t amount, dm_date on,
			     const store_source *source, GError **error)
{
	struct payment payment = {amount, on};
	static const char settle[] =
	    "UPDATE promises SET state = CASE WHEN promised_date >= ?2 THEN 'kept' ELSE 'broken'"
	    " END, settled_on = ?2 WHERE invoice_id = ?1 AND state = 'open'"
	    " AND (SELECT balance FROM invoices WHERE id = ?1) = 0";
	sqlite3_stmt *stmt;

	if (!store_begin(db, error))
		return false;
	if (!change_invoice(db, invoice_id, apply_payment, &payment, source, error))
		goto fail;
	/* A payment in full settles the open promise: kept when on time. */
	if ((stmt = store_statement(db, settle, error)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, invoice_id);
	store_bind_date(stmt, 2, on);
	if (!store_step_done(db, stmt, error, "settling promises"))
		goto fail;
	if (!settle_plan_parent(db, invoice_id, on, source, error))
		goto fail;
	return store_commit(db, error);
fail:
	store_rollback(db);
	return false;
}

struct dispute {
	const char *note;
	int64_t amount;
};

static bool
apply_dispute(store_invoice *invoice, const void *data, char **kind, char **detail,
	      GError **error)
{
	const struct dispute *dispute = data;
	GString *text;

	if (refuse_closed(invoice, "dispute it", error))
		return false;
	if (invoice->status == INVOICE_DISPUTED) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT, "invoice %s is already disputed",
			    invoice->number);
		return false;
	}
	if (dispute->amount < 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "invoice %s: a disputed amount must be positive", invoice->number);
		return false;
	}
	/* Only what is still owed can be contested: a larger figure is a typo
	 * or the wrong invoice, and would make the dispute read as more than
	 * the client was asked for. */
	if (dispute->amount > invoice->balance) {
		char *balance = dm_money_format_plain(invoice->balance, invoice->currency);
		char *amount = dm_money_format_plain(dispute->amount, invoice->currency);
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "invoice %s: the disputed amount %s %s exceeds its balance of %s %s",
			    invoice->number, amount, invoice->currency, balance,
			    invoice->currency);
		g_free(balance);
		g_free(amount);
		return false;
	}
	invoice->status_before_dispute = invoice->status;
	invoice->status = INVOICE_DISPUTED;
	g_free(invoice->dispute_note);
	invoice->dispute_note = g_strdup(dispute->note);
	invoice->disputed_amount = dispute->amount;
	*kind = g_strdup("status");
	text = g_string_new(NULL);
	if (dispute->amount > 0) {
		char *amount = dm_money_format_plain(dispute->amount, invoice->currency);
		g_string_append_printf(text, "disputes %s %s", amount, invoice->currency);
		g_free(amount);
	}
	if (dispute->note != NULL)
		g_string_append_printf(text, "%s%s", text->len > 0 ? ": " : "", dispute->note);
	/* No amount and no note: no detail (g_string_free gives NULL). */
	*detail = g_string_free(text, text->len == 0);
	return true;
}

bool
store_invoice_dispute(store *db, int64_t invoice_id, const char *note, int64_t amount,
		      const store_source *source, GError **error)
{
	struct dispute dispute = {note, amount};

	return change_invoice(db, invoice_id, apply_dispute, &dispute, source, error);
}

static bool
apply_resolve(store_invoice *invoice, const void *data, char **kind, char **detail,
	      GError **error)
{
	if (invoice->status != INVOICE_DISPUTED) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
			    "invoice %s is not disputed (it is %s)", invoice->number,
			    invoice_status_name(invoice->status));
		return false;
	}
	invoice->status = invoice->status_before_dispute;
	g_free(invoice->dispute_note);
	invoice->dispute_note = NULL;
	invoice->disputed_amount = 0;
	*kind = g_strdup("status");
	*detail = g_strdup("dispute resolved");
	return true;
}

bool
store_invoice_resolve(store *db, int64_t invoice_id, const store_source *source, GError **error)
{
	return change_invoice(db, invoice_id, apply_resolve, NULL, source, error);
}

static bool
apply_promise(store_invoice *invoice, const void *data, char **kind, char **detail,
	      GError **error)
{
	dm_date by = *(const dm_date *)data;
	char iso[DM_DATE_ISO_SIZE];

	if (refuse_closed(invoice, "record a promise", error))
		return false;
	if (invoice->status == INVOICE_DISPUTED) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
			    "invoice %s is disputed: resolve the dispute first", invoice->number);
		return false;
	}
	invoice->status = invoice->status == INVOICE_PARTIAL ? INVOICE_PARTIAL : INVOICE_PROMISED;
	invoice->promised_date = by;
	*kind = g_strdup("promise");
	*detail = g_strdup_printf("promised to pay by %s", dm_date_format_iso(by, iso));
	return true;
}

bool
store_invoice_promise(store *db, int64_t invoice_id, dm_date by, dm_date made_on,
		      const store_source *source, GError **error)
{
	static const char replace[] =
	    "UPDATE promises SET state = 'replaced', settled_on = ? WHERE invoice_id = ?"
	    " AND state = 'open'";
	static const char insert[] = "INSERT INTO promises (invoice_id, message_row, made_on,"
				     " promised_date) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *stmt;

	if (!store_begin(db, error))
		return false;
	if (!change_invoice(db, invoice_id, apply_promise, &by, source, error))
		goto fail;
	if ((stmt = store_statement(db, replace, error)) == NULL)
		goto fail;
	store_bind_date(stmt, 1, dm_date_today());
	sqlite3_bind_int64(stmt, 2, invoice_id);
	if (!store_step_done(db, stmt, error, "replacing a promise"))
		goto fail;
	if ((stmt = store_statement(db, insert, error)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, invoice_id);
	if (source != NULL && source->message_row != 0)
		sqlite3_bind_int64(stmt, 2, source->message_row);
	store_bind_date(stmt, 3, made_on != DM_DATE_NONE ? made_on : dm_date_today());
	store_bind_date(stmt, 4, by);
	if (!store_step_done(db, stmt, error, "recording a promise"))
		goto fail;
	return store_commit(db, error);
fail:
	store_rollback(db);
	return false;
}

static bool
apply_claim_paid(store_invoice *invoice, const void *data, char **kind, char **detail,
		 GError **error)
{
	if (refuse_closed(invoice, "record a payment claim", error))
		return false;
	invoice->status = INVOICE_PAID;
	*kind = g_strdup("status");
	*detail = g_strdup("client says it has paid; confirm against the bank");
	return true;
}

bool
store_invoice_claim_paid(store *db, int64_t invoice_id, const store_source *source,
			 GError **error)
{
	return change_invoice(db, invoice_id, apply_claim_paid, NULL, source, error);
}

static bool
apply_write_off(store_invoice *invoice, const void *data, char **kind, char **detail,
		GError **error)
{
	char *balance;

	if (refuse_closed(invoice, "write it off", error))
		return false;
	balance = dm_money_format_plain(invoice->balance, invoice->currency);
	*kind = g_strdup("status");
	*detail = g_strdup_printf("wrote off %s %s", balance, invoice->currency);
	g_free(balance);
	invoice->status = INVOICE_WRITTEN_OFF;
	invoice->promised_date = DM_DATE_NONE;
	return true;
}

bool
store_invoice_write_off(store *db, int64_t invoice_id, const store_source *source,
			GError **error)
{
	return change_invoice(db, invoice_id, apply_write_off, NULL, source, error);
}

bool
store_invoice_add_note(store *db, int64_t invoice_id, const char *text,
		       const store_source *source, GError **error)
{
	store_invoice *invoice;
	bool ok;

	if (text == NULL || *text == '\0') {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "a note needs some text");
		return false;
	}
	if ((invoice = store_invoice_get(db, invoice_id, error)) == NULL)
		return false;
	ok = store_event_write(db, invoice->id, invoice->client_id, "note", NULL, NULL, text,
			       source, error);
	store_invoice_free(invoice);
	return ok;
}

bool
store_invoice_set_discount(store *db, int64_t invoice_id, int discount_bp, int discount_days,
			   GError **error)
{
	static const char sql[] = "UPDATE invoices SET discount_bp = ?, discount_days = ? WHERE id = ?";
	sqlite3_stmt *stmt = store_statement(db, sql, error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int(stmt, 1, discount_bp);
	sqlite3_bind_int(stmt, 2, discount_days);
	sqlite3_bind_int64(stmt, 3, invoice_id);
	return store_step_done(db, stmt, error, "setting a discount");
}

bool
store_invoice_set_level(store *db, int64_t invoice_id, int level, const store_source *source,
			GError **error)
{
	static const char sql[] = "UPDATE invoices SET level = ? WHERE id = ? AND level < ?";
	store_invoice *invoice;
	sqlite3_stmt *stmt;
	char before[16], after[16];
	bool ok = false;

	if (!store_begin(db, error))
		return false;
	if ((invoice = store_invoice_get(db, invoice_id, error)) == NULL)
		goto out;
	if (invoice->level >= level) {
		ok = true;
		goto out;
	}
	if ((stmt = store_statement(db, sql, error)) == NULL)
		goto out;
	sqlite3_bind_int(stmt, 1, level);
	sqlite3_bind_int64(stmt, 2, invoice_id);
	sqlite3_bind_int(stmt, 3, level);
	if (!store_step_done(db, stmt, error, "recording a reminder level"))
		goto out;
	g_snprintf(before, sizeof before, "%d", invoice->level);
	g_snprintf(after, sizeof after, "%d", level);
	ok = store_event_write(db, invoice_id, invoice->client_id, "level", before, after,
			       "reminder sent", source, error);
out:
	store_invoice_free(invoice);
	if (ok)
		return store_commit(db, error);
	store_rollback(db);
	return false;
}

bool
store_invoice_plan(store *db, int64_t invoice_id, int parts, int every_days, dm_date first,
		   const store_source *source, GError **error)
{
	static const char plan_sql[] = "INSERT INTO plans (invoice_id, parts, every_days, created)"
				       " VALUES (?, ?, ?, ?)";
	static const char move_sql[] = "UPDATE invoices SET balance = 0 WHERE id = ?";
	store_invoice *invoice;
	sqlite3_stmt *stmt;
	char *now = NULL, *detail = NULL;
	char iso[DM_DATE_ISO_SIZE];
	int64_t share, rest;
	bool ok = false;

	if (parts < 2 || parts > 60 || every_days < 1) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "a plan needs 2 to 60 parts at least a day apart");
		return false;
	}
	if (!store_begin(db, error))
		return false;
	if ((invoice = store_invoice_get(db, invoice_id, error)) == NULL)
		goto out;
	if (refuse_closed(invoice, "plan payments", error))
		goto out;
	if (invoice->parent_id != 0 || invoice->balance == 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
			    "invoice %s already has a plan or is an instalment", invoice->number);
		goto out;
	}
	if (invoice->balance < parts) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			    "invoice %s: the balance is too small for %d parts", invoice->number,
			    parts);
		goto out;
	}
	now = store_timestamp();
	if ((stmt = store_statement(db, plan_sql, error)) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, invoice_id);
	sqlite3_bind_int(stmt, 2, parts);
	sqlite3_bind_int(stmt, 3, every_days);
	store_bind_text(stmt, 4, now);
	if (!store_step_done(db, stmt, error, "recording a plan"))
		goto out;
	/* Equal parts; the first carries the remainder so the sum is exact. */
	share = invoice->balance / parts;
	rest = invoice->balance - share * parts;
	for (int i = 0; i < parts; i++) {
		store_invoice *part = store_invoice_new();
		bool added;
		part->number = g_strdup_printf("%s/%d", invoice->number, i + 1);
		part->client_id = invoice->client_id;
		part->amount = share + (i == 0 ? rest : 0);
		g_strlcpy(part->currency, invoice->currency, sizeof part->currency);
		part->issued = MIN(first, dm_date_today());
		part->due = first + i * every_days;
		part->parent_id = invoice->id;
		part->sent_message_id = g_strdup(invoice->sent_message_id);
		added = store_invoice_add(db, part, source, error);
		store_invoice_free(part);
		if (!added)
			goto out;
	}
	if ((stmt = store_statement(db, move_sql, error)) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, invoice_id);
	if (!store_step_done(db, stmt, error, "moving the balance to the plan"))
		goto out;
	detail = g_strdup_printf("payment plan: %d instalments every %d days from %s", parts,
				 every_days, dm_date_format_iso(first, iso));
	ok = store_event_write(db, invoice_id, invoice->client_id, "plan",
			       invoice_status_name(invoice->status),
			       invoice_status_name(invoice->status), detail, source, error);
out:
	g_free(now);
	g_free(detail);
	store_invoice_free(invoice);
	if (ok)
		return store_commit(db, error);
	store_rollback(db);
	return false;
}

GPtrArray *
store_invoice_instalments(store *db, int64_t invoice_id, GError **error)
{
	static const char sql[] = "SELECT " INVOICE_COLUMNS " FROM invoices i JOIN clients c ON"
				  " c.id = i.client_id WHERE i.parent_id = ? ORDER BY i.due, i.id";
	return store_query_records(db, sql, NULL, invoice_id, (store_row_reader)invoice_from_row,
				   (GDestroyNotify)store_invoice_free, "listing instalments", error);
}
