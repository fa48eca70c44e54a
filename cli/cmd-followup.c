/*
 * dunmail followup [--dry-run] [--drafts maildir:DIR|imap] [--format F]
 * dunmail tasks [--format F]
 * dunmail tasks done NUMBER|MESSAGE-ID
 *
 * The morning job: the planner (policy/plan.h) decides what is due as of
 * today (--now) from the store; followup writes one draft per planned
 * e-mail in the client's language into a Maildir (flag D) or the IMAP
 * Drafts folder (flag \Draft, cli/followup-imap.h) and records it, and
 * lists the calls, letters and tasks; tasks lists only the latter.
 * Running it twice drafts nothing new: a waiting draft blocks its level, a
 * draft the user deleted unsent is not made again, and a new level
 * replaces an older unsent draft of the same invoices.
 */
#include "cli/cli.h"
#include "cli/followup-imap.h"
#include "cli/followup-letter.h"
#include "cli/followup-snapshot.h"
#include "common/money.h"
#include "common/util.h"
#include "draft/maildir.h"
#include "draft/message.h"
#include "draft/template.h"
#include "policy/plan.h"
#include "policy/policy.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

typedef struct {
	cli_context *ctx;
	dm_config *config;
	store *db;
	policy_set *policies;
	template_set *templates;
	followup_snapshot *snapshot;
	plan *plan;
	char *maildir;  /* where drafts go, or NULL (dry run, IMAP) */
	char *letters;  /* where letters go, or NULL (dry run, tasks) */
	followup_imap *imap; /* drafts go to its Drafts folder, or NULL */
	bool dry_run;
} followup_run;

static void
followup_run_clear(followup_run *run)
{
	if (run->plan != NULL)
		plan_free(run->plan);
	followup_snapshot_free(run->snapshot);
	if (run->templates != NULL)
		template_set_free(run->templates);
	if (run->policies != NULL)
		policy_set_free(run->policies);
	g_free(run->maildir);
	g_free(run->letters);
	followup_imap_close(run->imap);
}

/*
 * Where drafts go: "maildir:DIR" (or a bare directory) or "imap", from
 * --drafts, else [followup] drafts, else [imap] drafts = yes.  *dir is the
 * Maildir, NULL when *imap is set.
 */
static bool
drafts_location(const dm_config *config, const char *option, char **dir, bool *imap,
		GError **error)
{
	const char *value = option;
	bool imap_wanted = false;

	*dir = NULL;
	*imap = false;
	if (!followup_imap_configured(config, &imap_wanted, error))
		return false;
	if (value == NULL) {
		char *configured =
		    g_key_file_get_string(config_keyfile(config), "followup", "drafts", NULL);
		if (configured == NULL && imap_wanted) {
			*imap = true;
			return true;
		}
		if (configured == NULL) {
			g_set_error(error, DM_ERROR, DM_ERROR_USAGE,
				    "where should drafts go? use --drafts maildir:DIR or --drafts imap,"
				    " or set [followup] drafts = maildir:DIR or imap");
			return false;
		}
		*dir = g_strstrip(configured);
		/* Two settings that disagree: guessing would put drafts where
		 * the user does not look. */
		if (imap_wanted && strcmp(*dir, "imap") != 0) {
			g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
				    "%s:%d: [imap] drafts = yes, but [followup] drafts = %s: keep"
				    " one of them",
				    config_path(config) != NULL ? config_path(config) : "configuration",
				    config_key_line(config, "followup", "drafts"), *dir);
			g_free(*dir);
			*dir = NULL;
			return false;
		}
	} else {
		*dir = g_strdup(value);
	}
	if (strcmp(*dir, "imap") == 0) {
		g_free(*dir);
		*dir = NULL;
		*imap = true;
		return true;
	}
	if (g_str_has_prefix(*dir, "maildir:"))
		memmove(*dir, *dir + 8, strlen(*dir + 8) + 1);
	else if (g_str_has_prefix(*dir, "imap:")) {
		g_set_error(error, DM_ERROR, DM_ERROR_USAGE,
			    "drafts = %s: write just \"imap\"; the folder is found by its"
			    " \\Drafts attribute or named by [imap] drafts_folder",
			    *dir);
		g_free(*dir);
		*dir = NULL;
		return false;
	}
	if (**dir == '~') {
		char *home = g_build_filename(g_get_home_dir(), *dir + 1, NULL);
		g_free(*dir);
		*dir = home;
	}
	return true;
}

static bool
followup_prepare(followup_run *run, bool dry_run, GError **error)
{
	char *shipped;
	size_t n_clients;
	const plan_client *clients;

	run->dry_run = dry_run;
	if ((run->config = cli_config(run->ctx, error)) == NULL)
		return false;
	if ((run->db = cli_store(run->ctx, dry_run ? STORE_OPEN_READONLY : STORE_OPEN_EXISTING,
				 error)) == NULL)
		return false;
	shipped = policy_shipped_path();
	run->policies = policy_set_load(shipped, run->config, error);
	g_free(shipped);
	if (run->policies == NULL)
		return false;
	if ((run->templates = template_set_load_from_rules(config_rules_directories(run->config),
							   config_rules_languages(run->config), error)) ==
	    NULL)
		return false;
	if (!dry_run) {
		/* Promises whose day and grace have passed are broken now, so the
		 * reminder can refer to them. */
		int broken = 0;
		if (!store_promise_break_overdue(run->db, dm_date_today(),
						 policy_set_default(run->policies)->promise_grace_days,
						 &broken, error))
			return false;
	}
	if ((run->snapshot = followup_snapshot_load(run->db, error)) == NULL)
		return false;
	clients = followup_snapshot_clients(run->snapshot, &n_clients);
	run->plan = plan_compute(run->policies, clients, n_clients, dm_date_today());
	for (char **w = run->plan->warnings; w != NULL && *w != NULL; w++)
		dm_log_warning("%s", *w);
	return true;
}

/* "A-1, A-2": the item's invoice numbers. */
static char *
join_numbers(const plan_item *item)
{
	GString *text = g_string_new(NULL);

	for (size_t i = 0; i < item->n_invoices; i++)
		g_string_append_printf(text, "%s%s", i > 0 ? ", " : "",
				       item->invoices[i].invoice->number);
	return g_string_free(text, FALSE);
}

/* Template values for one planned e-mail. */
static template_values *
item_values(const followup_run *run, const plan_item *item, bool for_dry_run)
{
	template_values *values = template_values_new();
	const char *payment = config_identity_payment_details(run->config);
	const char *signature = config_identity_signature(run->config);
	const char *name = config_identity_name(run->config);
	dm_date today = dm_date_today();
	int64_t total = 0;
	const char *currency = item->n_invoices > 0 ? item->invoices[0].invoice->currency : "EUR";
	char *numbers = join_numbers(item);

	template_values_set_text(values, "client_name", item->client->name);
	template_values_set_text(values, "sender_name", name != NULL ? name : "");
	template_values_set_text(values, "signature",
				 signature != NULL ? signature : name != NULL ? name : "");
	if (payment != NULL)
		template_values_set_text(values, "payment_details", payment);
	else if (for_dry_run)
		template_values_set_text(values, "payment_details", "-");
	template_values_set_text(values, "currency", currency);
	template_values_set_date(values, "pay_by", dm_date_add_working_days(today, 7, NULL, 0));
	template_values_set_number(values, "invoice_count", (int64_t)item->n_invoices);
	/* Non-empty only for several invoices: {?other_invoice_count} holds the plural. */
	template_values_set_number(values, "other_invoice_count",
				   item->n_invoices > 0 ? (int64_t)item->n_invoices - 1 : 0);
	template_values_set_text(values, "invoice_numbers", numbers);
	g_free(numbers);
	if (item->promise_broken)
		template_values_set_date(values, "promise_date", item->promised_date);
	/* The firm levels offer instalments unless the policy says not to. */
	template_values_set_text(values, "offer_plan", item->plan_offer ? "yes" : "");
	for (size_t i = 0; i < item->n_invoices; i++) {
		const plan_item_invoice *pi = &item->invoices[i];
		const plan_invoice *inv = pi->invoice;
		template_values *row = template_values_add_item(values, "invoices");
		int64_t due_now = pi->fees ? pi->charges.total_due : inv->balance;
		total += due_now;
		template_values_set_text(row, "invoice_number", inv->number);
		template_values_set_money(row, "amount", inv->amount, inv->currency);
		template_values_set_money(row, "balance", inv->balance, inv->currency);
		template_values_set_date(row, "issued_date", inv->issued);
		template_values_set_date(row, "due_date", inv->due);
		template_values_set_days(row, "days_overdue", pi->days_overdue);
		/* A list of several invoices shows each one's charges.  They are set
		 * (zero when none) so that a row never shows the first invoice's. */
		template_values_set_money(row, "late_fee", pi->fees ? pi->charges.late_fee : 0,
					  inv->currency);
		template_values_set_money(row, "interest", pi->fees ? pi->charges.interest : 0,
					  inv->currency);
		template_values_set_money(row, "compensation",
					  pi->fees ? pi->charges.compensation : 0, inv->currency);
		if (i > 0)
			continue;
		/* The first invoice also fills the single-invoice placeholders. */
		template_values_set_text(values, "invoice_number", inv->number);
		template_values_set_money(values, "amount", inv->amount, inv->currency);
		template_values_set_money(values, "balance", inv->balance, inv->currency);
		template_values_set_date(values, "issued_date", inv->issued);
		template_values_set_date(values, "due_date", inv->due);
		template_values_set_days(values, "days_overdue", pi->days_overdue);
		template_values_set_days(values, "days_until_due", -pi->days_overdue);
		if (pi->fees) {
			template_values_set_money(values, "late_fee", pi->charges.late_fee,
						  inv->currency);
			template_values_set_money(values, "interest", pi->charges.interest,
						  inv->currency);
			template_values_set_money(values, "compensation", pi->charges.compensation,
						  inv->currency);
		}
		if (pi->discount) {
			template_values_set_percent(values, "discount_percent", inv->discount_bp);
			template_values_set_date(values, "discount_until", pi->discount_until);
			template_values_set_money(values, "discount_amount", pi->discount_amount,
						  inv->currency);
		}
	}
	template_values_set_money(values, "total_due", total, currency);
	return values;
}

/* The item's template in the client's language (else English) with these values. */
static bool
render_values(const followup_run *run, const plan_item *item, const template_values *values,
	      char **subject, char **body, GError **error)
{
	bool fallback = false;
	bool ok = template_render(run->templates,
				  item->client->language ? item->client->language : "en",
				  item->template_kind, values, subject, body, &fallback, error);

	if (ok && fallback)
		dm_log_info("%s: no %s template in \"%s\", wrote it in English", item->client->name,
			    item->template_kind, item->client->language);
	if (!ok && error != NULL && *error != NULL &&
	    strstr((*error)->message, "payment_details") != NULL)
		g_prefix_error(error, "set [identity] payment_details in the configuration: ");
	return ok;
}

static bool
render_item(const followup_run *run, const plan_item *item, bool dry_run, char **subject,
	    char **body, GError **error)
{
	template_values *values = item_values(run, item, dry_run);
	bool ok = render_values(run, item, values, subject, body, error);

	template_values_free(values);
	return ok;
}

static char *
join_cc(const plan_item *item)
{
	GString *text = g_string_new(NULL);

	for (const char *const *cc = item->cc; cc != NULL && *cc != NULL; cc++)
		g_string_append_printf(text, "%s%s", text->len > 0 ? ", " : "", *cc);
	return g_string_free(text, FALSE);
}


static const char *
item_channel(const plan_item *item)
{
	/* A call because every address bounced says so: "fix_address". */
	return item->kind == PLAN_TASK || item->task == PLAN_TASK_FIX_ADDRESS
		   ? plan_task_kind_name(item->task)
		   : plan_item_kind_name(item->kind);
}

static void
plan_columns(printer *p)
{
	printer_column(p, "client", "Client", false);
	printer_column(p, "invoices", "Invoices", false);
	printer_column(p, "level", "Level", true);
	printer_column(p, "channel", "Channel", false);
	printer_column(p, "to", "To", false);
	printer_column(p, "cc", "Cc", false);
	printer_column(p, "subject", "Subject", false);
	printer_column(p, "reason", "Reason", false);
}

/* to: where the contact goes; the e-mail address, or the file of a letter. */
static void
plan_row(printer *p, const plan_item *item, const char *to, const char *subject)
{
	char *numbers = join_numbers(item), *cc = join_cc(item);

	printer_row_begin(p);
	printer_string(p, item->client->name);
	printer_string(p, numbers);
	printer_int(p, item->level);
	printer_string(p, item_channel(item));
	printer_string(p, to);
	printer_string(p, *cc != '\0' ? cc : NULL);
	printer_string(p, subject);
	printer_string(p, item->reason);
	printer_row_end(p);
	g_free(numbers);
	g_free(cc);
}

/*
 * Older drafts of the same client and invoices that wait unsent are
 * replaced; except_id is the new draft itself when it is recorded already
 * (IMAP: the new one is appended first, so a failure keeps the old one).
 */
static bool
replace_older_drafts(followup_run *run, const plan_item *item, int64_t except_id, GError **error)
{
	GPtrArray *drafts = store_draft_list(run->db, item->client->id, error);

	if (drafts == NULL)
		return false;
	for (guint i = 0; i < drafts->len; i++) {
		const store_draft *d = g_ptr_array_index(drafts, i);
		bool overlaps = false;
		if (d->state != DRAFT_WRITTEN && d->state != DRAFT_INTENDED)
			continue;
		if (d->id == except_id)
			continue;
		for (guint j = 0; j < d->invoice_ids->len && !overlaps; j++)
			for (size_t k = 0; k < item->n_invoices && !overlaps; k++)
				overlaps = g_array_index(d->invoice_ids, int64_t, j) ==
					   item->invoices[k].invoice->id;
		if (!overlaps)
			continue;
		if (d->location != NULL && g_str_has_prefix(d->location, "maildir:")) {
			char *dir = g_path_get_dirname(d->location + 8);
			char *top = g_path_get_dirname(dir);
			char *name = g_path_get_basename(d->location + 8);
			GError *local = NULL;
			if (!maildir_draft_remove(top, name, &local)) {
				dm_log_warning("could not remove the older draft: %s", local->message);
				g_clear_error(&local);
			}
			g_free(dir);
			g_free(top);
			g_free(name);
		} else if (d->location != NULL && g_str_has_prefix(d->location, "imap:") &&
			   d->state == DRAFT_WRITTEN) {
			GError *local = NULL;
			if (run->imap == NULL) {
				dm_log_warning("the older draft \"%s\" stays in %s: drafts go to a"
					       " Maildir now; delete it there yourself",
					       d->subject != NULL ? d->subject : d->kind,
					       d->location + 5);
			} else if (!followup_imap_delete(run->imap, d, &local)) {
				/* A server that went away ends the run: the old draft
				 * stays written and the next run's reconcile removes it.
				 * A refusal (no UIDPLUS) only leaves it for the user. */
				if (local->domain == DM_ERROR && local->code == DM_ERROR_TEMPORARY) {
					g_propagate_error(error, local);
					g_ptr_array_unref(drafts);
					return false;
				}
				dm_log_warning("could not remove the older draft: %s",
					       local->message);
				g_clear_error(&local);
			}
		}
		if (!store_draft_set_state(run->db, d->id, DRAFT_REPLACED, NULL, error)) {
			g_ptr_array_unref(drafts);
			return false;
		}
	}
	g_ptr_array_unref(drafts);
	return true;
}

/*
 * Renders, records (intended), writes into the Maildir or appends to the
 * IMAP Drafts folder, records (written).  An older draft of the same
 * invoices goes before a Maildir write but only after an APPEND, so an
 * IMAP run that fails in between still leaves one draft on the server.
 */
static bool
write_draft(followup_run *run, const plan_item *item, char **subject_out, GError **error)
{
	const char *const *identity = config_identity_addresses(run->config);
	draft_message *message = NULL;
	store_draft *draft = NULL;
	GPtrArray *references = g_ptr_array_new_with_free_func(g_free);
	char *subject = NULL, *body = NULL, *message_id = NULL, *file = NULL, *location = NULL;
	char *domain = NULL, *uuid = NULL;
	GBytes *bytes = NULL;
	int64_t seconds;
	int utc_offset;
	bool ok = false;

	*subject_out = NULL;
	if (identity[0] == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
			    "set [identity] addresses: drafts need a From address");
		goto out;
	}
	if (!render_item(run, item, false, &subject, &body, error))
		goto out;
	/* The Message-ID is ours to choose, so the draft is recorded under it
	 * before it exists anywhere: a crash leaves an intended draft, not a
	 * stray one. */
	domain = dm_address_domain(identity[0]);
	uuid = g_uuid_string_random();
	message_id = g_strdup_printf("dunmail.%s@%s", uuid, domain != NULL ? domain : "localhost");
	message = draft_message_new();
	draft_message_set_from(message, config_identity_name(run->config), identity[0]);
	draft_message_set_to(message, item->client->name, item->to);
	for (const char *const *cc = item->cc; cc != NULL && *cc != NULL; cc++)
		draft_message_add_cc(message, NULL, *cc);
	draft_message_set_subject(message, subject);
	draft_message_set_body(message, body);
	seconds = dm_date_now_unix(&utc_offset);
	draft_message_set_date(message, seconds, utc_offset);
	draft_message_set_message_id(message, message_id);
	draft_message_set_draft_id(message, message_id);
	for (size_t i = 0; i < item->n_invoices; i++) {
		draft_message_add_invoice_number(message, item->invoices[i].invoice->number);
		if (i == 0 && item->invoices[i].invoice->thread_message_id != NULL) {
			g_ptr_array_set_size(references, 0);
			char *last = store_invoice_last_message_id(
			    run->db, item->invoices[i].invoice->id, references, error);
			if (last == NULL && error != NULL && *error != NULL)
				goto out;
			draft_message_set_in_reply_to(message, last);
			g_ptr_array_add(references, NULL);
			draft_message_set_references(message,
						     (const char *const *)references->pdata);
			g_free(last);
		}
	}
	/* IMAP wants CRLF line ends (RFC 3501); a Maildir file has LF. */
	if (!draft_message_render(message, run->imap != NULL, &bytes, NULL, error))
		goto out;
	if (run->imap == NULL && !replace_older_drafts(run, item, 0, error))
		goto out;
	draft = store_draft_new();
	draft->client_id = item->client->id;
	draft->kind = g_strdup(item->template_kind);
	draft->level = item->level;
	draft->message_id = g_strdup(message_id);
	draft->planned_on = dm_date_today();
	draft->state = DRAFT_INTENDED;
	draft->subject = g_strdup(subject);
	/* An IMAP draft names its folder while still intended, so the next
	 * run's reconcile knows where to look for it after a crash. */
	if (run->imap != NULL)
		draft->location = followup_imap_location(run->imap);
	for (size_t i = 0; i < item->n_invoices; i++)
		g_array_append_val(draft->invoice_ids, item->invoices[i].invoice->id);
	if (!store_draft_add(run->db, draft, error))
		goto out;
	if (run->imap != NULL) {
		uint32_t uidvalidity = 0, uid = 0;
		if (!followup_imap_append(run->imap, bytes, message_id, &uidvalidity, &uid, error))
			goto out;
		if (!store_begin(run->db, error))
			goto out;
		if (!store_draft_set_imap(run->db, draft->id, uidvalidity, uid, error) ||
		    !store_draft_set_state(run->db, draft->id, DRAFT_WRITTEN, NULL, error) ||
		    !store_commit(run->db, error)) {
			store_rollback(run->db);
			goto out;
		}
		if (!replace_older_drafts(run, item, draft->id, error))
			goto out;
	} else {
		gsize length;
		const char *data = g_bytes_get_data(bytes, &length);
		if ((file = maildir_draft_write(run->maildir, data, length, error)) == NULL)
			goto out;
		location = g_strdup_printf("maildir:%s/cur/%s", run->maildir, file);
		if (!store_draft_set_state(run->db, draft->id, DRAFT_WRITTEN, location, error))
			goto out;
	}
	/* The reminder refers to the broken promise: it has been told now. */
	for (size_t i = 0; i < item->n_invoices; i++)
		if (item->invoices[i].promise_broken &&
		    !store_invoice_clear_promised_date(run->db, item->invoices[i].invoice->id, error))
			goto out;
	*subject_out = g_steal_pointer(&subject);
	ok = true;
out:
	if (bytes != NULL)
		g_bytes_unref(bytes);
	draft_message_free(message);
	store_draft_free(draft);
	g_ptr_array_unref(references);
	g_free(subject);
	g_free(body);
	g_free(message_id);
	g_free(file);
	g_free(location);
	g_free(domain);
	g_free(uuid);
	return ok;
}

/*
 * A call or a letter of the ladder is recorded like a draft that waits
 * (location "task:call"), so it is not planned again every morning; the
 * user says it was done with `dunmail tasks done NUMBER`, which raises the
 * level like a sent reminder.
 */
static bool
record_task(followup_run *run, const plan_item *item, const char *letter, GError **error)
{
	store_draft *draft = store_draft_new();
	char *uuid = g_uuid_string_random();
	bool ok;

	draft->client_id = item->client->id;
	draft->kind = g_strdup(item->kind == PLAN_CALL ? "call" : "letter");
	draft->level = item->level;
	draft->message_id = g_strdup_printf("task.%s@dunmail", uuid);
	draft->planned_on = dm_date_today();
	draft->state = DRAFT_WRITTEN;
	/* "task:letter:PATH" keeps the letter's file for `dunmail tasks`. */
	draft->location = letter != NULL ? g_strdup_printf("task:%s:%s", draft->kind, letter)
					 : g_strdup_printf("task:%s", draft->kind);
	for (size_t i = 0; i < item->n_invoices; i++)
		g_array_append_val(draft->invoice_ids, item->invoices[i].invoice->id);
	ok = store_draft_add(run->db, draft, error);
	store_draft_free(draft);
	g_free(uuid);
	return ok;
}

/*
 * Renders the letter of a letter level.  *path is the file written, NULL
 * for a dry run.  A missing postal address is not an error of the run: the
 * letter task still waits, and the warning says what to add.
 */
static bool
write_letter(followup_run *run, const plan_item *item, char **subject, char **path,
	     GError **error)
{
	const store_client *client = followup_snapshot_client(run->snapshot, item->client->id);
	template_values *values = item_values(run, item, run->letters == NULL);
	char *body = NULL, *numbers = NULL;
	bool ok = true;
	GError *local = NULL;

	*subject = NULL;
	*path = NULL;
	if (client == NULL ||
	    !followup_letter_values(values, run->config, client, dm_date_today(), &local) ||
	    !render_values(run, item, values, subject, &body, &local)) {
		dm_log_warning("%s: the letter cannot be made: %s", item->client->name,
			       local != NULL ? local->message : "unknown client");
		g_clear_error(&local);
		g_clear_pointer(subject, g_free);
		goto out;
	}
	if (run->letters != NULL) {
		numbers = join_numbers(item);
		*path = followup_letter_write(run->letters, dm_date_today(), item->client->name,
					      numbers, body, error);
		ok = *path != NULL;
		if (!ok)
			g_clear_pointer(subject, g_free);
	}
out:
	g_free(numbers);
	g_free(body);
	template_values_free(values);
	return ok;
}

/* Drafts the user deleted from the Maildir without sending are discarded. */
static bool
reconcile_drafts(followup_run *run, GError **error)
{
	GPtrArray *pending = store_draft_list_pending(run->db, error);

	if (pending == NULL)
		return false;
	for (guint i = 0; i < pending->len; i++) {
		const store_draft *d = g_ptr_array_index(pending, i);
		char *dir, *top, *name;
		GError *local = NULL;
		bool exists;
		if (d->location == NULL || !g_str_has_prefix(d->location, "maildir:"))
			continue;
		dir = g_path_get_dirname(d->location + 8);
		top = g_path_get_dirname(dir);
		name = g_path_get_basename(d->location + 8);
		exists = maildir_draft_exists(top, name, NULL, &local);
		if (!exists && local == NULL &&
		    !store_draft_set_state(run->db, d->id, DRAFT_DISCARDED, NULL, error)) {
			g_free(dir);
			g_free(top);
			g_free(name);
			g_ptr_array_unref(pending);
			return false;
		}
		g_clear_error(&local);
		g_free(dir);
		g_free(top);
		g_free(name);
	}
	g_ptr_array_unref(pending);
	return true;
}

/* Calls and letters planned on earlier mornings and not done yet. */
static bool
list_recorded_tasks(followup_run *run, printer *p, GError **error)
{
	GPtrArray *pending = store_draft_list_pending(run->db, error);

	if (pending == NULL)
		return false;
	for (guint i = 0; i < pending->len; i++) {
		const store_draft *d = g_ptr_array_index(pending, i);
		const store_client *client = followup_snapshot_client(run->snapshot, d->client_id);
		GString *numbers = g_string_new(NULL);
		char iso[DM_DATE_ISO_SIZE];
		const char *letter;
		char *reason;
		if (d->location == NULL || !g_str_has_prefix(d->location, "task:") || client == NULL) {
			g_string_free(numbers, TRUE);
			continue;
		}
		for (guint j = 0; j < d->invoice_ids->len; j++) {
			const store_invoice *inv = followup_snapshot_invoice(
			    run->snapshot, g_array_index(d->invoice_ids, int64_t, j));
			if (inv != NULL)
				g_string_append_printf(numbers, "%s%s", numbers->len ? ", " : "",
						       inv->number);
		}
		reason = g_strdup_printf("planned on %s, not done yet (then: dunmail tasks done %s)",
					 dm_date_format_iso(d->planned_on, iso),
					 numbers->len > 0 ? numbers->str : "NUMBER");
		printer_row_begin(p);
		printer_string(p, client->name);
		printer_string(p, numbers->str);
		printer_int(p, d->level);
		printer_string(p, d->kind);
		/* A letter's file: "task:letter:PATH". */
		letter = strchr(d->location + strlen("task:"), ':');
		printer_string(p, letter != NULL ? letter + 1 : NULL);
		printer_null(p);
		printer_null(p);
		printer_string(p, reason);
		printer_row_end(p);
		g_free(reason);
		g_string_free(numbers, TRUE);
	}
	g_ptr_array_unref(pending);
	return true;
}

static int
run_followup(cli_context *ctx, int argc, char **argv, bool tasks_only)
{
	gboolean dry_run = FALSE;
	char *format_name = NULL, *drafts = NULL, *letters = NULL;
	GOptionEntry entries[] = {
	    {"dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "plan only: write and record nothing",
	     NULL},
	    {"drafts", 0, 0, G_OPTION_ARG_STRING, &drafts,
	     "where drafts go: maildir:DIR, or imap for the IMAP Drafts folder", "WHERE"},
	    {"letters", 0, 0, G_OPTION_ARG_STRING, &letters,
	     "where letters go (default: letters/ beside the database)", "DIR"},
	    {"format", 0, 0, G_OPTION_ARG_STRING, &format_name, "table, csv or json", "FORMAT"},
	    {NULL}};
	GOptionEntry task_entries[] = {{"format", 0, 0, G_OPTION_ARG_STRING, &format_name,
					"table, csv or json", "FORMAT"},
				       {NULL}};
	followup_run run = {.ctx = ctx};
	printer_format format;
	GError *error = NULL;
	printer *p = NULL;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv,
			       tasks_only ? "" : "[--dry-run] [--drafts maildir:DIR|imap] [--letters DIR]",
			       tasks_only ? "The calls, letters, disputes to resolve, payments to"
					    " confirm, replies to read and replies owed, as of today."
					  : "Plans what is due today and writes the drafts.",
			       tasks_only ? task_entries : entries, &code))
		goto out;
	if (argc != 1) {
		code = cli_usage("%s takes no arguments", tasks_only ? "tasks" : "followup");
		goto out;
	}
	if (!cli_output_format(format_name, &format, &error))
		goto fail;
	if (!tasks_only && !dry_run) {
		dm_config *config = cli_config(ctx, &error);
		bool imap = false;
		if (config == NULL || !drafts_location(config, drafts, &run.maildir, &imap, &error))
			goto fail;
		if ((run.letters = followup_letters_directory(ctx, config, letters, &error)) == NULL)
			goto fail;
		if (cli_store(ctx, STORE_OPEN_EXISTING, &error) == NULL)
			goto fail;
		run.db = ctx->db;
		/* Connect before anything is planned or recorded: a server that
		 * is down ends the run here with EX_TEMPFAIL and nothing changed. */
		if (imap && (run.imap = followup_imap_open(config, &error)) == NULL)
			goto fail;
		if (!reconcile_drafts(&run, &error))
			goto fail;
		if (run.imap != NULL && !followup_imap_reconcile(run.imap, run.db, NULL, &error))
			goto fail;
	}
	if (!followup_prepare(&run, tasks_only || dry_run, &error))
		goto fail;
	p = printer_new(format, stdout);
	plan_columns(p);
	for (size_t i = 0; i < run.plan->n_items; i++) {
		const plan_item *item = &run.plan->items[i];
		char *subject = NULL, *body = NULL, *letter = NULL;
		if (tasks_only && item->kind == PLAN_EMAIL)
			continue;
		if (item->kind == PLAN_LETTER && item->level > 0 && !tasks_only &&
		    !write_letter(&run, item, &subject, &letter, &error))
			goto fail;
		if (item->kind == PLAN_EMAIL && (tasks_only || dry_run)) {
			GError *local = NULL;
			if (!render_item(&run, item, true, &subject, &body, &local)) {
				dm_log_error("%s: %s", item->client->name, local->message);
				g_clear_error(&local);
			}
		} else if (item->kind == PLAN_EMAIL) {
			if (!write_draft(&run, item, &subject, &error))
				goto fail;
		} else if (!dry_run && !tasks_only && item->level > 0 &&
			   (item->kind == PLAN_CALL || item->kind == PLAN_LETTER)) {
			if (!record_task(&run, item, letter, &error)) {
				g_free(letter);
				g_free(subject);
				goto fail;
			}
		}
		/* A reply to read shows its own subject. */
		plan_row(p, item, letter != NULL ? letter : item->to,
			 item->reply != NULL ? item->reply->subject : subject);
		g_free(letter);
		g_free(subject);
		g_free(body);
	}
	if (tasks_only && !list_recorded_tasks(&run, p, &error))
		goto fail;
	printer_finish(p);
	if (format == PRINTER_TABLE && (dry_run || tasks_only) && run.plan->n_skipped > 0) {
		printf("\nNot planned today:\n");
		for (size_t i = 0; i < run.plan->n_skipped; i++)
			printf("  %s: %s\n", run.plan->skipped[i].client->name,
			       run.plan->skipped[i].reason);
	}
	goto out;
fail:
	code = cli_fail(error);
out:
	printer_free(p);
	followup_run_clear(&run);
	g_free(format_name);
	g_free(drafts);
	g_free(letters);
	return code;
}

int
cmd_followup(cli_context *ctx, int argc, char **argv)
{
	return run_followup(ctx, argc, argv, false);
}

/*
 * tasks done MESSAGE-ID: the user read the reply and it needs nothing
 * recorded; the client's unread replies up to now are read.  False with
 * *found false when no message has that id.
 */
static bool
reply_done(store *db, const char *id, const store_source *source, bool *found, GError **error)
{
	char *bare = g_strdup(id);
	store_message *message;
	int marked = 0;
	bool ok = false;

	*found = false;
	g_strstrip(bare);
	if (*bare == '<' && bare[strlen(bare) - 1] == '>') {
		bare[strlen(bare) - 1] = '\0';
		memmove(bare, bare + 1, strlen(bare));
	}
	if ((message = store_message_find(db, bare, error)) == NULL)
		goto out;
	*found = true;
	if (!store_message_is_unread(message) || message->client_id == 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND,
			    "message <%s> is no reply waiting to be read (its class is %s%s)",
			    message->message_id, message->class_name,
			    message->read_on != DM_DATE_NONE ? ", and it was read" : "");
		goto out;
	}
	if (!store_client_mark_replies_read(db, message->client_id, dm_date_today(), source,
					    &marked, error))
		goto out;
	printf("<%s>: read; %s: %d unread repl%s marked read\n", message->message_id,
	       message->client_name, marked, marked == 1 ? "y" : "ies");
	ok = true;
out:
	store_message_free(message);
	g_free(bare);
	return ok;
}

/*
 * dunmail tasks done NUMBER: the planned call or letter for an invoice was
 * done.  dunmail tasks done MESSAGE-ID: the reply to read was read and
 * says nothing to record.
 */
static int
tasks_done(cli_context *ctx, int argc, char **argv)
{
	store_source source = {.command = "tasks done"};
	store_invoice *invoice = NULL;
	GPtrArray *drafts = NULL;
	GError *error = NULL;
	store *db;
	int done = 0, code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "NUMBER|MESSAGE-ID",
			       "Records that the call or letter planned for an invoice was done,"
			       " or that a reply to read was read and needs nothing recorded.",
			       NULL, &code))
		return code;
	if (argc != 2)
		return cli_usage("tasks done needs one invoice NUMBER or the MESSAGE-ID of a reply");
	if ((db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL)
		goto fail;
	if ((invoice = store_invoice_find(db, argv[1], &error)) == NULL) {
		bool found = false;
		if (!g_error_matches(error, DM_ERROR, DM_ERROR_NOT_FOUND))
			goto fail;
		g_clear_error(&error);
		if (reply_done(db, argv[1], &source, &found, &error))
			goto out;
		if (!found && error == NULL)
			g_set_error(&error, DM_ERROR, DM_ERROR_NOT_FOUND,
				    "no invoice numbered \"%s\" and no message <%s>", argv[1],
				    argv[1]);
		goto fail;
	}
	if ((drafts = store_draft_list(db, invoice->client_id, &error)) == NULL)
		goto fail;
	for (guint i = 0; i < drafts->len; i++) {
		const store_draft *d = g_ptr_array_index(drafts, i);
		bool linked = false;
		if (d->state != DRAFT_WRITTEN || d->location == NULL ||
		    !g_str_has_prefix(d->location, "task:"))
			continue;
		for (guint j = 0; j < d->invoice_ids->len && !linked; j++)
			linked = g_array_index(d->invoice_ids, int64_t, j) == invoice->id;
		if (!linked)
			continue;
		if (!store_draft_mark_sent(db, d->message_id, &source, &error))
			goto fail;
		printf("%s: %s done (level %d)\n", invoice->number, d->kind, d->level);
		done++;
	}
	if (done == 0) {
		g_set_error(&error, DM_ERROR, DM_ERROR_NOT_FOUND,
			    "invoice %s has no planned call or letter (run dunmail followup first)",
			    invoice->number);
		goto fail;
	}
	goto out;
fail:
	code = cli_fail(error);
out:
	if (drafts != NULL)
		g_ptr_array_unref(drafts);
	store_invoice_free(invoice);
	return code;
}

int
cmd_tasks(cli_context *ctx, int argc, char **argv)
{
	if (argc >= 2 && g_strcmp0(argv[1], "done") == 0) {
		char *name = g_strdup("tasks done");
		char *saved = argv[1];
		int code;
		argv[1] = name;
		code = tasks_done(ctx, argc - 1, argv + 1);
		argv[1] = saved;
		g_free(name);
		return code;
	}
	return run_followup(ctx, argc, argv, true);
}
