#include "tests/unit/testutil.h"

#include "common/util.h"
#include "draft/locale.h"
#include "draft/template.h"

#define NBSP "\u00a0"
#define NNBSP "\u202f"

static char *
shipped_dir(void)
{
	return g_build_filename(test_root(), "rules", "templates", NULL);
}

static template_set *
load_shipped(void)
{
	char *dir = shipped_dir();
	const char *dirs[] = {dir, NULL};
	GError *error = NULL;
	template_set *set = template_set_load(dirs, NULL, &error);

	if (set == NULL)
		fail_msg("%s", error->message);
	g_free(dir);
	return set;
}

/* Writes <dir>/<lang>/<kind>.txt. */
static void
write_template(const char *dir, const char *lang, const char *kind, const char *text)
{
	char *folder = g_build_filename(dir, lang, NULL);
	char *file = g_strdup_printf("%s.txt", kind);
	char *path = g_build_filename(folder, file, NULL);

	assert_int_equal(g_mkdir_with_parents(folder, 0700), 0);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(path);
	g_free(file);
	g_free(folder);
}

/* Every value a shipped template may ask for, for one invoice. */
static template_values *
full_values(int64_t balance, const char *currency)
{
	template_values *v = template_values_new();

	template_values_set_text(v, "client_name", "Acme Sp. z o.o.");
	template_values_set_text(v, "contact_name", "Anna Nowak");
	template_values_set_text(v, "client_address", "ul. Długa 5\n00-001 Warszawa");
	template_values_set_text(v, "invoice_number", "2026/11/042");
	template_values_set_text(v, "currency", currency);
	template_values_set_text(v, "payment_details", "IBAN PL61 1090 1014 0000 0712 1981 2874");
	template_values_set_text(v, "sender_name", "Jan Kowalski");
	template_values_set_text(v, "sender_company", "Kowalski Design");
	template_values_set_text(v, "sender_address", "ul. Krótka 1\n30-001 Kraków");
	template_values_set_text(v, "signature", "Jan Kowalski\nKowalski Design");
	template_values_set_money(v, "amount", balance, currency);
	template_values_set_money(v, "balance", balance, currency);
	template_values_set_money(v, "total_due", balance + 12514 + 4000, currency);
	template_values_set_money(v, "interest", 12514, currency);
	template_values_set_money(v, "compensation", 4000, currency);
	template_values_set_money(v, "late_fee", 0, currency);
	template_values_set_money(v, "discount_amount", 2500, currency);
	template_values_set_percent(v, "discount_percent", 200);
	template_values_set_date(v, "issued_date", dm_date_from_ymd(2026, 11, 8));
	template_values_set_date(v, "due_date", dm_date_from_ymd(2026, 11, 22));
	template_values_set_date(v, "discount_until", dm_date_from_ymd(2026, 11, 18));
	template_values_set_date(v, "promise_date", dm_date_from_ymd(2026, 12, 1));
	template_values_set_date(v, "pay_by", dm_date_from_ymd(2026, 12, 14));
	template_values_set_date(v, "letter_date", dm_date_from_ymd(2026, 12, 7));
	template_values_set_days(v, "days_overdue", 1);
	template_values_set_days(v, "days_until_due", 7);
	template_values_set_number(v, "invoice_count", 2);
	template_values_set_number(v, "other_invoice_count", 1);
	template_values_set_text(v, "invoice_numbers", "2026/10/007, 2026/11/042");
	for (int i = 0; i < 2; i++) {
		template_values *item = template_values_add_item(v, "invoices");
		template_values_set_text(item, "invoice_number",
		                         i == 0 ? "2026/10/007" : "2026/11/042");
		template_values_set_money(item, "balance", 50000 + i, currency);
		template_values_set_date(item, "issued_date", dm_date_from_ymd(2026, 10, 1 + i));
		template_values_set_date(item, "due_date", dm_date_from_ymd(2026, 10, 15 + i));
		template_values_set_days(item, "days_overdue", 30 - i);
	}
	return v;
}

static void
test_shipped_templates_load_in_every_language(void **state)
{
	template_set *set = load_shipped();
	const char *const *langs = locale_languages();
	const char *const *kinds = template_kinds();

	(void)state;
	for (size_t l = 0; langs[l] != NULL; l++)
		for (size_t k = 0; kinds[k] != NULL; k++)
			if (!template_set_has(set, langs[l], kinds[k]))
				fail_msg("no %s template for %s", kinds[k], langs[l]);
	assert_non_null(strstr(template_set_path(set, "pl", "reminder1"), "pl/reminder1.txt"));
	assert_null(template_set_path(set, "it", "reminder1"));
	template_set_free(set);
}

static void
test_every_kind_renders_completely(void **state)
{
	template_set *set = load_shipped();
	const char *const *langs = locale_languages();
	const char *const *kinds = template_kinds();
	template_values *v = full_values(125000, "EUR");

	(void)state;
	for (size_t l = 0; langs[l] != NULL; l++) {
		for (size_t k = 0; kinds[k] != NULL; k++) {
			char *subject = NULL, *body = NULL;
			bool fallback = true;
			GError *error = NULL;
			if (!template_render(set, langs[l], kinds[k], v, &subject, &body, &fallback,
			                     &error))
				fail_msg("%s/%s: %s", langs[l], kinds[k], error->message);
			assert_false(fallback);
			/* No tag may survive, and nothing may be left blank. */
			assert_null(strchr(subject, '{'));
			assert_null(strchr(body, '{'));
			assert_null(strchr(subject, '\n'));
			assert_true(subject[0] != '\0');
			assert_true(g_str_has_suffix(body, "\n"));
			assert_null(strstr(body, "\n\n\n\n"));
			g_free(subject);
			g_free(body);
		}
	}
	template_values_free(v);
	template_set_free(set);
}

/*
 * A dispute acknowledgement or a letter about several invoices names every
 * one of them, in every language; about one, only that one.
 */
static void
test_several_invoices_are_all_named(void **state)
{
	template_set *set = load_shipped();
	const char *const *langs = locale_languages();
	const char *kinds[] = {TEMPLATE_KIND_DISPUTE_ACK, TEMPLATE_KIND_LETTER};

	(void)state;
	for (size_t l = 0; langs[l] != NULL; l++) {
		for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
			for (int several = 0; several < 2; several++) {
				template_values *v = full_values(125000, "EUR");
				char *subject = NULL, *body = NULL;
				bool fallback = true;
				GError *error = NULL;

				if (!several) {
					template_values_set_number(v, "other_invoice_count", 0);
					template_values_set_text(v, "invoice_numbers", "2026/11/042");
				}
				if (!template_render(set, langs[l], kinds[k], v, &subject, &body,
				                     &fallback, &error))
					fail_msg("%s/%s: %s", langs[l], kinds[k], error->message);
				if (strstr(subject, "2026/11/042") == NULL ||
				    strstr(body, "2026/11/042") == NULL)
					fail_msg("%s/%s: 2026/11/042 not named:\n%s\n%s", langs[l],
					         kinds[k], subject, body);
				if ((strstr(subject, "2026/10/007") != NULL) != several ||
				    (strstr(body, "2026/10/007") != NULL) != several)
					fail_msg("%s/%s (%s): 2026/10/007 %s:\n%s\n%s", langs[l],
					         kinds[k], several ? "several" : "one",
					         several ? "missing" : "named", subject, body);
				g_free(subject);
				g_free(body);
				template_values_free(v);
			}
		}
	}
	template_set_free(set);
}

typedef struct {
	const char *lang;
	const char *currency;
	int64_t balance;
	const char *money;
	const char *date;
	const char *days;
	const char *greeting;
} reminder_case;

static void
test_reminder_formatting_per_language(void **state)
{
	static const reminder_case cases[] = {
	    {"en", "EUR", 125000, "€1,250.00", "22 November 2026", "1 day", "Dear Anna Nowak,"},
	    {"en", "GBP", 98000, "£980.00", "22 November 2026", "1 day", "Dear Anna Nowak,"},
	    {"pl", "PLN", 125000, "1" NBSP "250,00" NBSP "zł", "22 listopada 2026", "1 dzień",
	     "Dzień dobry,"},
	    {"bg", "BGN", 240000, "2" NBSP "400,00" NBSP "лв.", "22 ноември 2026 г.", "1 ден",
	     "Здравейте, Anna Nowak,"},
	    {"bg", "EUR", 240000, "2" NBSP "400,00" NBSP "€", "22 ноември 2026 г.", "1 ден",
	     "Здравейте, Anna Nowak,"},
	    {"nl", "EUR", 125000, "€" NBSP "1.250,00", "22 november 2026", "1 dag",
	     "Beste Anna Nowak,"},
	    {"ro", "RON", 125000, "1.250,00" NBSP "lei", "22 noiembrie 2026", "1 zi",
	     "Bună ziua, Anna Nowak,"},
	    {"es", "EUR", 125000, "1.250,00" NBSP "€", "22 de noviembre de 2026", "1 día",
	     "Buenos días, Anna Nowak:"},
	    {"de", "EUR", 125000, "1.250,00" NBSP "€", "22. November 2026", "1 Tag",
	     "Guten Tag Anna Nowak,"},
	    {"fr", "EUR", 125000, "1" NNBSP "250,00" NBSP "€", "22 novembre 2026", "1 jour",
	     "Bonjour Anna Nowak,"},
	};
	template_set *set = load_shipped();

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const reminder_case *c = &cases[i];
		template_values *v = full_values(c->balance, c->currency);
		char *subject = NULL, *body = NULL;
		GError *error = NULL;

		if (!template_render(set, c->lang, "reminder1", v, &subject, &body, NULL, &error))
			fail_msg("%s: %s", c->lang, error->message);
		if (strstr(body, c->money) == NULL || strstr(body, c->date) == NULL ||
		    strstr(body, c->days) == NULL || !g_str_has_prefix(body, c->greeting))
			fail_msg("%s reminder1 lacks %s / %s / %s / %s:\n%s", c->lang, c->money,
			         c->date, c->days, c->greeting, body);
		assert_non_null(strstr(subject, "2026/11/042"));
		assert_non_null(strstr(body, "IBAN PL61"));
		assert_true(g_str_has_suffix(body, "Jan Kowalski\nKowalski Design\n"));
		g_free(subject);
		g_free(body);
		template_values_free(v);
	}
	template_set_free(set);
}

static void
test_final_notice_lists_charges_only_when_due(void **state)
{
	template_set *set = load_shipped();
	template_values *v = full_values(1000000, "EUR");
	char *subject = NULL, *body = NULL;
	GError *error = NULL;

	(void)state;
	assert_true(template_render(set, "de", "final", v, &subject, &body, NULL, &error));
	assert_non_null(strstr(body, "Verzugszinsen: 125,14" NBSP "€\n"));
	assert_non_null(strstr(body, "Verzugspauschale (§ 288 Abs. 5 BGB): 40,00" NBSP "€\n"));
	assert_non_null(strstr(body, "Gesamtbetrag: 10.165,14" NBSP "€\n"));
	/* The late fee is zero: its line is left out, not printed as 0,00 €. */
	assert_null(strstr(body, "Mahngebühr"));
	assert_non_null(strstr(body, "bis spätestens 14. Dezember 2026."));
	g_free(subject);
	g_free(body);
	template_values_free(v);
	template_set_free(set);
}

static void
test_prenote_mentions_the_discount_only_when_there_is_one(void **state)
{
	template_set *set = load_shipped();
	template_values *v = full_values(125000, "PLN");
	char *subject = NULL, *body = NULL;
	GError *error = NULL;

	(void)state;
	assert_true(template_render(set, "pl", "prenote", v, &subject, &body, NULL, &error));
	assert_string_equal(subject, "Faktura 2026/11/042 – termin płatności 22 listopada 2026");
	assert_non_null(strstr(body, "skonto w wysokości 2%, czyli 25,00" NBSP "zł."));
	assert_non_null(strstr(body, "(za 7 dni)"));
	g_free(subject);
	g_free(body);
	template_values_set_percent(v, "discount_percent", 0);
	assert_true(template_render(set, "pl", "prenote", v, &subject, &body, NULL, &error));
	assert_null(strstr(body, "skonto"));
	/* The section's own blank line goes with it: one blank line remains. */
	assert_non_null(strstr(body, "(za 7 dni).\n\nDane do przelewu:\n"));
	g_free(subject);
	g_free(body);
	template_values_free(v);
	template_set_free(set);
}

static void
test_blocks_and_conditionals(void **state)
{
	char *dir = test_tmpdir();
	const char *dirs[] = {dir, NULL};
	template_set *set;
	template_values *v = template_values_new();
	char *subject = NULL, *body = NULL;
	GError *error = NULL;

	(void)state;
	write_template(dir, "en", "statement",
	               "# a comment line before the subject\n"
	               "Subject: {invoice_count} open invoices for {client_name}\n"
	               "\n"
	               "{?contact_name}Dear {contact_name},{/contact_name}"
	               "{^contact_name}Hello,{/contact_name}\n"
	               "  {#invoices}\n"
	               "- {invoice_number}: {balance}, due {due_date_short}"
	               "{?days_overdue} ({days_overdue_text} late){/days_overdue}\n"
	               "{/invoices}\n"
	               "{?late_fee}\n"
	               "Fee: {late_fee}\n"
	               "{/late_fee}\n"
	               "Braces: {{literal}\n");
	write_template(dir, "en", "short", "Subject: s\n\n{due_date}\n");
	write_template(dir, "en", "short-date", "Subject: s\n\n{due_date_short}\n");
	set = template_set_load(dirs, NULL, &error);
	assert_non_null(set);
	template_values_set_text(v, "client_name", "Acme");
	template_values_set_number(v, "invoice_count", 2);
	template_values_set_money(v, "late_fee", 0, "EUR");
	for (int i = 0; i < 2; i++) {
		template_values *item = template_values_add_item(v, "invoices");
		template_values_set_text(item, "invoice_number", i == 0 ? "A-1" : "A-2");
		template_values_set_money(item, "balance", i == 0 ? 125000 : 5, "EUR");
		template_values_set_date(item, "due_date", dm_date_from_ymd(2026, 11, 22 + i));
		template_values_set_days(item, "days_overdue", i == 0 ? 14 : 0);
	}
	assert_true(template_render(set, "en", "statement", v, &subject, &body, NULL, &error));
	assert_string_equal(subject, "2 open invoices for Acme");
	assert_string_equal(body, "Hello,\n"
	                          "- A-1: €1,250.00, due 22/11/2026 (14 days late)\n"
	                          "- A-2: €0.05, due 23/11/2026\n"
	                          "Braces: {literal}\n");
	g_free(subject);
	g_free(body);
	/* Now with a contact and a fee; the per-invoice values hide none of it. */
	template_values_set_text(v, "contact_name", "Ann");
	template_values_set_money(v, "late_fee", 1500, "EUR");
	assert_true(template_render(set, "en", "statement", v, &subject, &body, NULL, &error));
	assert_true(g_str_has_prefix(body, "Dear Ann,\n- A-1"));
	assert_non_null(strstr(body, "\nFee: €15.00\nBraces"));
	g_free(subject);
	g_free(body);
	/* Rendered for Polish: no Polish template, so English with English formats. */
	bool fallback = false;
	assert_true(
	    template_render(set, "pl-PL", "statement", v, &subject, &body, &fallback, &error));
	assert_true(fallback);
	assert_non_null(strstr(body, "€1,250.00"));
	g_free(subject);
	g_free(body);
	/* "_short" of a value that is not a date cannot be written. */
	template_values_set_text(v, "due_date", "soon");
	assert_true(template_render(set, "en", "short", v, &subject, &body, NULL, &error));
	assert_string_equal(body, "soon\n");
	g_free(subject);
	g_free(body);
	assert_false(template_render(set, "en", "short-date", v, &subject, &body, NULL, &error));
	assert_non_null(strstr(error->message, "short-date.txt:3: {due_date_short} needs a date"));
	g_clear_error(&error);
	template_values_free(v);
	template_set_free(set);
	test_rmtree(dir);
	g_free(dir);
}

static void
test_unknown_placeholders_are_reported_with_file_and_line(void **state)
{
	char *dir = test_tmpdir();
	const char *dirs[] = {dir, NULL};
	template_set *set;
	GError *error = NULL;
	char *path1 = g_build_filename(dir, "de", "reminder1.txt", NULL);
	char *path2 = g_build_filename(dir, "fr", "final.txt", NULL);
	char *expected;

	(void)state;
	write_template(dir, "de", "reminder1",
	               "Subject: Rechnung {invoice_number}\n"
	               "\n"
	               "Guten Tag,\n"
	               "die Rechnung {invoice_numbr} ist offen.\n"
	               "{#invoices}{amount}{/invoices} {x}\n");
	write_template(dir, "fr", "final",
	               "Subject: {?late_fee}Frais{/late_fee} {Facture}\n"
	               "\n"
	               "{#amount}\n"
	               "{?interest}\n"
	               "{/late_fee}\n"
	               "{due_date_text} {days_overdue_text} {due_date_short} {invoices}\n");
	set = template_set_load(dirs, NULL, &error);
	assert_null(set);
	assert_non_null(error);
	assert_int_equal(error->code, DM_ERROR_CONFIG);
	/* Every problem of every file is in the one message, each as file:line. */
	expected = g_strdup_printf("%s:4: unknown placeholder {invoice_numbr}", path1);
	assert_non_null(strstr(error->message, expected));
	g_free(expected);
	expected = g_strdup_printf("%s:5: unknown placeholder {x}", path1);
	assert_non_null(strstr(error->message, expected));
	g_free(expected);
	expected = g_strdup_printf("%s:1: \"{Facture}\" is not a placeholder", path2);
	assert_non_null(strstr(error->message, expected));
	g_free(expected);
	expected = g_strdup_printf("%s:3: {#amount}: amount is not a list", path2);
	assert_non_null(strstr(error->message, expected));
	g_free(expected);
	expected = g_strdup_printf("%s:5: {/late_fee} closes {?interest} opened on line 4", path2);
	assert_non_null(strstr(error->message, expected));
	g_free(expected);
	expected = g_strdup_printf("%s:6: unknown placeholder {due_date_text}", path2);
	assert_non_null(strstr(error->message, expected));
	g_free(expected);
	expected = g_strdup_printf("%s:6: {invoices} is a list", path2);
	assert_non_null(strstr(error->message, expected));
	g_free(expected);
	expected = g_strdup_printf("%s:3: {#amount} is never closed", path2);
	assert_non_null(strstr(error->message, expected));
	g_free(expected);
	/* Derived forms of the right kind are known. */
	assert_null(strstr(error->message, "{days_overdue_text}"));
	assert_null(strstr(error->message, "{due_date_short}"));
	assert_true(template_placeholder_known("due_date_short"));
	assert_false(template_placeholder_known("client_name_short"));
	assert_false(template_placeholder_known("invoices"));
	g_clear_error(&error);
	g_free(path1);
	g_free(path2);
	test_rmtree(dir);
	g_free(dir);
}

static void
test_file_shape_errors(void **state)
{
	char *dir = test_tmpdir();
	const char *dirs[] = {dir, NULL};
	GError *error = NULL;

	(void)state;
	write_template(dir, "en", "a", "Hello {client_name}\n\nBody\n");
	write_template(dir, "en", "b", "Subject: x\nBody right away\n");
	write_template(dir, "en", "c", "Subject: x {client_name\n\nBody\n");
	write_template(dir, "en", "d", "Subject: x\n\n\xff\xfe\n");
	assert_null(template_set_load(dirs, NULL, &error));
	assert_non_null(strstr(error->message, "a.txt:1: the first line must be \"Subject: ...\""));
	assert_non_null(strstr(error->message, "b.txt:2: a blank line must follow"));
	assert_non_null(strstr(error->message, "c.txt:1: \"{\" is not closed"));
	assert_non_null(strstr(error->message, "d.txt:1: not UTF-8"));
	g_clear_error(&error);
	test_rmtree(dir);
	g_free(dir);
}

static void
test_missing_values_are_errors(void **state)
{
	template_set *set = load_shipped();
	template_values *v = full_values(125000, "EUR");
	char *subject = NULL, *body = NULL;
	GError *error = NULL;
	char *where;

	(void)state;
	template_values_free(v);
	v = template_values_new();
	template_values_set_text(v, "invoice_number", "7");
	assert_false(template_render(set, "en", "reminder1", v, &subject, &body, NULL, &error));
	assert_null(subject);
	assert_null(body);
	assert_int_equal(error->code, DM_ERROR_INPUT);
	/* All of them, each with the template file and line. */
	where = g_strdup_printf("%s:5: no value for {balance}",
	                        template_set_path(set, "en", "reminder1"));
	assert_non_null(strstr(error->message, where));
	g_free(where);
	assert_non_null(strstr(error->message, "no value for {due_date}"));
	assert_non_null(strstr(error->message, "no value for {signature}"));
	g_clear_error(&error);
	/* A date removed with DM_DATE_NONE is missing again. */
	template_values_free(v);
	v = full_values(125000, "EUR");
	template_values_set_date(v, "promise_date", DM_DATE_NONE);
	assert_false(
	    template_render(set, "fr", "promise-broken", v, &subject, &body, NULL, &error));
	assert_non_null(strstr(error->message, "no value for {promise_date}"));
	g_clear_error(&error);
	/* A kind nobody wrote. */
	assert_false(template_render(set, "pl", "nonesuch", v, &subject, &body, NULL, &error));
	assert_int_equal(error->code, DM_ERROR_NOT_FOUND);
	g_clear_error(&error);
	template_values_free(v);
	template_set_free(set);
}

static void
test_later_dirs_override_and_fallback(void **state)
{
	char *shipped = shipped_dir();
	char *dir = test_tmpdir();
	const char *dirs[] = {shipped, dir, NULL};
	const char *langs[] = {"pl", NULL};
	template_set *set;
	template_values *v = full_values(125000, "PLN");
	char *subject = NULL, *body = NULL;
	bool fallback = true;
	GError *error = NULL;

	(void)state;
	write_template(dir, "pl", "reminder1",
	               "Subject: Nasza faktura {invoice_number}\n\nKwota: {balance}\n");
	set = template_set_load(dirs, langs, &error);
	assert_non_null(set);
	assert_true(template_render(set, "pl", "reminder1", v, &subject, &body, &fallback, &error));
	assert_false(fallback);
	assert_string_equal(subject, "Nasza faktura 2026/11/042");
	assert_string_equal(body, "Kwota: 1" NBSP "250,00" NBSP "zł\n");
	g_free(subject);
	g_free(body);
	/* Other Polish kinds still come from the shipped folder. */
	assert_true(template_render(set, "pl", "reminder2", v, &subject, &body, &fallback, &error));
	assert_false(fallback);
	assert_non_null(strstr(body, "Dane do przelewu"));
	g_free(subject);
	g_free(body);
	/* German was not asked for: English is always loaded as the fallback. */
	assert_false(template_set_has(set, "de", "reminder1"));
	assert_true(template_render(set, "de", "reminder1", v, &subject, &body, &fallback, &error));
	assert_true(fallback);
	assert_non_null(strstr(body, "1,250.00" NBSP "PLN"));
	assert_non_null(strstr(body, "22 November 2026"));
	g_free(subject);
	g_free(body);
	template_values_free(v);
	template_set_free(set);
	test_rmtree(dir);
	g_free(dir);
	g_free(shipped);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped_templates_load_in_every_language),
	    cmocka_unit_test(test_every_kind_renders_completely),
	    cmocka_unit_test(test_several_invoices_are_all_named),
	    cmocka_unit_test(test_reminder_formatting_per_language),
	    cmocka_unit_test(test_final_notice_lists_charges_only_when_due),
	    cmocka_unit_test(test_prenote_mentions_the_discount_only_when_there_is_one),
	    cmocka_unit_test(test_blocks_and_conditionals),
	    cmocka_unit_test(test_unknown_placeholders_are_reported_with_file_and_line),
	    cmocka_unit_test(test_file_shape_errors),
	    cmocka_unit_test(test_missing_values_are_errors),
	    cmocka_unit_test(test_later_dirs_override_and_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
