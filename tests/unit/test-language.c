/*
 * Text folding (shared with the rule engine) and language detection from
 * the shipped stop-word profiles on short, real-looking replies.
 */
#include "tests/unit/testutil.h"

#include "common/util.h"
#include "filter/language.h"

static const char *const all_languages[] = {"en", "pl", "bg", "nl", "ro", "es", "de", "fr", NULL};

static language_profiles *profiles;

static int
load_profiles(void **state)
{
	char *dir = g_build_filename(test_root(), "rules", NULL);
	const char *dirs[] = {dir, NULL};
	GError *error = NULL;
	profiles = language_profiles_load(dirs, all_languages, &error);
	g_free(dir);
	if (profiles == NULL) {
		fprintf(stderr, "%s\n", error->message);
		g_error_free(error);
		return -1;
	}
	return 0;
}

static int
free_profiles(void **state)
{
	language_profiles_free(profiles);
	return 0;
}

static void
assert_folds(const char *text, const char *expected)
{
	char *folded = language_fold_text(text, strlen(text), NULL);
	assert_string_equal(folded, expected);
	g_free(folded);
}

static void
test_fold(void **state)
{
	/* Romanian: both comma-below and cedilla forms, ă â î. */
	assert_folds("plătim, mulțumim, mulţumim, până, în", "platim, multumim, multumim, pana, in");
	assert_folds("Şi Ș Ţ Ț", "Si S T T");
	/* Polish, including ł which has no decomposition. */
	assert_folds("zapłacimy w piątek, Łódź", "zaplacimy w piatek, Lodz");
	/* German: umlauts as a Germans types them without the keyboard. */
	assert_folds("überwiesen, Grüße, Ärger, größer", "ueberwiesen, Gruesse, Aerger, groesser");
	/* A decomposed umlaut folds like a precomposed one. */
	assert_folds("u\xcc\x88" "berwiesen", "ueberwiesen");
	/* French: accents, œ, typographic apostrophe, no-break space. */
	assert_folds("réglé jusqu’au « cœur »\xc2\xa0!", "regle jusqu'au \" coeur \" !");
	/* Cyrillic keeps its letters; й loses the breve on both sides alike. */
	assert_folds("Сумата беше преведена, най-късно", "Сумата беше преведена, наи-късно");
	/* ASCII and regex escapes pass unchanged (case included). */
	assert_folds("\\S+\\W\\b(?<date>x)", "\\S+\\W\\b(?<date>x)");
}

static void
test_fold_offsets(void **state)
{
	const char *text = "Zapłacę w piątek, Grüße";
	GArray *offsets = NULL;
	char *folded = language_fold_text(text, strlen(text), &offsets);
	assert_string_equal(folded, "Zaplace w piatek, Gruesse");
	assert_int_equal(offsets->len, strlen(folded) + 1);
	assert_int_equal(g_array_index(offsets, size_t, offsets->len - 1), strlen(text));
	/* "piatek" in the folded text is "piątek" in the original. */
	const char *at = strstr(folded, "piatek");
	size_t start = (size_t)(at - folded), end = start + strlen("piatek");
	size_t from = g_array_index(offsets, size_t, start), to = g_array_index(offsets, size_t, end);
	assert_int_equal(to - from, strlen("piątek"));
	assert_memory_equal(text + from, "piątek", to - from);
	/* Both bytes of "ue" point back at ü. */
	const char *ue = strstr(folded, "ue");
	size_t u = (size_t)(ue - folded);
	assert_int_equal(g_array_index(offsets, size_t, u), g_array_index(offsets, size_t, u + 1));
	g_array_unref(offsets);
	g_free(folded);
}

typedef struct {
	const char *language;
	const char *text;
} sample;

static const sample samples[] = {
    {"en", "Hi, thanks for the reminder. We will pay the invoice by the end of the week."},
    {"en", "I am out of the office until Monday. I will reply when I am back."},
    {"pl", "Dzień dobry, dziękuję za przypomnienie. Przelew wyszedł wczoraj, pozdrawiam."},
    {"pl", "Nie zgadzamy się z kwotą na fakturze. Proszę o korektę."},
    {"pl", "Zaplacimy do piatku, przelew jest juz zlecony."},
    {"bg", "Здравейте, сумата беше преведена вчера. Поздрави."},
    {"bg", "В отпуск съм до 30 ноември. Ще отговоря, когато се върна."},
    {"nl", "Beste, wij hebben het bedrag gisteren overgemaakt. Met vriendelijke groet."},
    {"nl", "Ik ben afwezig tot 29 november. Voor dringende zaken kunt u bellen."},
    {"ro", "Bună ziua, am efectuat plata ieri. Vă mulțumim pentru răbdare."},
    {"ro", "Buna ziua, vom plati pana vineri. Multumim si o zi buna."},
    {"es", "Hola, ya hemos realizado la transferencia. Un saludo cordial."},
    {"es", "Estoy fuera de la oficina hasta el 30 de noviembre. Gracias."},
    {"de", "Guten Tag, wir haben die Rechnung bereits überwiesen. Mit freundlichen Grüßen."},
    {"de", "Ich bin bis 3. Dezember nicht im Büro und habe keinen Zugriff auf E-Mails."},
    {"fr", "Bonjour, le virement a été effectué hier. Cordialement."},
    {"fr", "Je suis absente jusqu’au 30 novembre. Merci de votre patience."},
};

static void
test_detect(void **state)
{
	int failures = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
		const char *got = language_detect(profiles, samples[i].text);
		if (g_strcmp0(got, samples[i].language) != 0) {
			fprintf(stderr, "\"%s\": got %s, expected %s\n", samples[i].text,
			        got != NULL ? got : "NULL", samples[i].language);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void
test_too_little_text(void **state)
{
	assert_null(language_detect(profiles, ""));
	assert_null(language_detect(profiles, "OK"));
	assert_null(language_detect(profiles, "12345 678.90 EUR"));
	assert_null(language_detect(profiles, NULL));
	/* Invalid bytes do not crash and do not count as words. */
	assert_null(language_detect(profiles, "\xff\xfe\xc3"));
	assert_string_equal(language_detect(profiles, "\xff Wir haben die Rechnung \xc3 bereits bezahlt."),
	                    "de");
}

static void
test_profiles_errors(void **state)
{
	char *dir = test_tmpdir();
	char *sub = g_build_filename(dir, "xx", NULL);
	g_mkdir_with_parents(sub, 0700);
	char *path = g_build_filename(sub, "words", NULL);
	assert_true(g_file_set_contents(path, "good words\nl'argent ok\n", -1, NULL));
	const char *dirs[] = {dir, NULL};
	const char *languages[] = {"xx", "yy", NULL};
	GError *error = NULL;
	assert_null(language_profiles_load(dirs, languages, &error));
	char *expected = g_strdup_printf("%s:2: \"l'argent\" is not a word", path);
	assert_non_null(strstr(error->message, expected));
	/* All problems at once: the missing yy profile too. */
	assert_non_null(strstr(error->message, "language yy: no yy/words"));
	g_free(expected);
	g_error_free(error);

	const char *only_xx[] = {"xx", NULL};
	assert_true(g_file_set_contents(path, "de het een\nletters ĳ\n", -1, NULL));
	language_profiles *xx = language_profiles_load(dirs, only_xx, &error);
	assert_non_null(xx);
	assert_int_equal(language_profiles_count(xx), 1);
	assert_string_equal(language_detect(xx, "de kat en het huis"), "xx");
	language_profiles_free(xx);

	g_free(path);
	g_free(sub);
	test_rmtree(dir);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fold),
	    cmocka_unit_test(test_fold_offsets),
	    cmocka_unit_test(test_detect),
	    cmocka_unit_test(test_too_little_text),
	    cmocka_unit_test(test_profiles_errors),
	};
	return cmocka_run_group_tests(tests, load_profiles, free_profiles);
}
