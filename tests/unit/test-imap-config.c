/*
 * The [imap] section (cli/imap-config.c): defaults, every value checked
 * with its file and line, the literal-password rule, password_command,
 * and that the password never shows in an error or a description.
 */
#include "tests/unit/testutil.h"

#include "cli/imap-config.h"
#include "common/util.h"

#include <string.h>
#include <sys/stat.h>

typedef struct {
	char *dir;
	char *path;
} fixture;

static int
setup(void **state)
{
	fixture *f = g_new0(fixture, 1);

	f->dir = test_tmpdir();
	f->path = g_build_filename(f->dir, "config", NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	test_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->path);
	g_free(f);
	return 0;
}

/* Writes the config file with the given mode and loads it. */
static dm_config *
load(fixture *f, const char *text, mode_t mode)
{
	GError *error = NULL;
	dm_config *config;

	assert_true(g_file_set_contents(f->path, text, -1, NULL));
	assert_int_equal(chmod(f->path, mode), 0);
	config = config_load(f->path, &error);
	if (config == NULL)
		fail_msg("config_load: %s", error->message);
	return config;
}

/* The problems imap_config_check reports, or "" when none. */
static char *
problems(const dm_config *config)
{
	GString *errors = g_string_new(NULL);

	imap_config_check(config, errors);
	return g_string_free(errors, FALSE);
}

static void
test_defaults_and_password_command(void **state)
{
	fixture *f = *state;
	dm_config *config = load(f,
	                         "[imap]\n"
	                         "host = imap.example.com\n"
	                         "user = anna@example.com\n"
	                         "password_command = printf 's3cret\\\\nsecond line\\\\n'\n",
	                         0644);
	GError *error = NULL;
	imap_config *imap = imap_config_read(config, &error);
	char *described;

	assert_non_null(imap);
	assert_string_equal(imap->settings.host, "imap.example.com");
	assert_string_equal(imap->settings.user, "anna@example.com");
	/* Only the first line is the password, as mbsync's PassCmd. */
	assert_string_equal(imap->settings.password, "s3cret");
	assert_int_equal(imap->settings.tls, IMAP_TLS_IMPLICIT);
	assert_int_equal(imap->batch, IMAP_CONFIG_DEFAULT_BATCH);
	assert_int_equal(imap->idle_restart_minutes, IMAP_CONFIG_DEFAULT_IDLE_RESTART);
	assert_string_equal(imap->sent_folder, "Sent");
	assert_string_equal(imap->drafts_folder, "Drafts");
	assert_null(imap->folders[0]);
	described = imap_config_describe(imap);
	assert_non_null(strstr(described, "anna@example.com@imap.example.com"));
	assert_null(strstr(described, "s3cret"));
	g_free(described);
	imap_config_free(imap);
	config_free(config);
}

static void
test_every_value_is_checked_with_its_line(void **state)
{
	fixture *f = *state;
	dm_config *config = load(f,
	                         "[imap]\n"
	                         "host = imap.example.com\n"
	                         "user = anna\n"
	                         "tls = sometimes\n"
	                         "port = 70000\n"
	                         "batch = 0\n"
	                         "idle_restart = 29\n"
	                         "timeout = 0\n"
	                         "password_command = echo x\n",
	                         0644);
	char *text = problems(config);
	char *line;

	for (int i = 4; i <= 8; i++) {
		line = g_strdup_printf("%s:%d:", f->path, i);
		if (strstr(text, line) == NULL)
			fail_msg("no problem reported on line %d:\n%s", i, text);
		g_free(line);
	}
	assert_non_null(strstr(text, "\"sometimes\" is not one of implicit, starttls, none"));
	g_free(text);
	config_free(config);

	/* No [imap] at all is fine to check, but there is nothing to connect to. */
	config = load(f, "[identity]\nname = Anna\n", 0644);
	text = problems(config);
	assert_string_equal(text, "");
	g_free(text);
	GError *error = NULL;
	assert_null(imap_config_read(config, &error));
	assert_int_equal(error->code, DM_ERROR_CONFIG);
	g_clear_error(&error);
	config_free(config);
}

static void
test_clear_text_only_on_loopback(void **state)
{
	fixture *f = *state;
	dm_config *config = load(f,
	                         "[imap]\nhost = imap.example.com\nuser = a\ntls = none\n"
	                         "password_command = echo x\n",
	                         0644);
	char *text = problems(config);

	assert_non_null(strstr(text, "clear text"));
	g_free(text);
	config_free(config);
	for (int i = 0; i < 3; i++) {
		const char *hosts[] = {"localhost", "127.0.0.1", "::1"};
		char *body = g_strdup_printf("[imap]\nhost = %s\nuser = a\ntls = none\n"
		                             "password_command = echo x\n",
		                             hosts[i]);
		config = load(f, body, 0644);
		text = problems(config);
		if (*text != '\0')
			fail_msg("%s refused: %s", hosts[i], text);
		g_free(text);
		g_free(body);
		config_free(config);
	}
}

static void
test_literal_password_needs_a_private_file(void **state)
{
	fixture *f = *state;
	const char *body = "[imap]\nhost = h.example\nuser = a\npassword = hunter2\n";
	dm_config *config = load(f, body, 0644);
	GError *error = NULL;
	imap_config *imap = imap_config_read(config, &error);

	assert_null(imap);
	assert_int_equal(error->code, DM_ERROR_SECURITY);
	assert_non_null(strstr(error->message, "chmod 600"));
	assert_null(strstr(error->message, "hunter2"));
	g_clear_error(&error);
	config_free(config);

	config = load(f, body, 0600);
	imap = imap_config_read(config, &error);
	assert_non_null(imap);
	assert_string_equal(imap->settings.password, "hunter2");
	imap_config_free(imap);
	config_free(config);

	/* Both ways at once is a mistake, not a choice. */
	config = load(f, "[imap]\nhost = h.example\nuser = a\npassword = x\npassword_command = echo y\n",
	              0600);
	char *text = problems(config);
	assert_non_null(strstr(text, "not both"));
	g_free(text);
	config_free(config);
}

static void
test_failing_password_command_never_shows_the_password(void **state)
{
	fixture *f = *state;
	const char *commands[] = {"echo hunter2; exit 3", "true", "echo hunter2; kill -9 $$"};
	const char *says[] = {"failed (exit 3)", "printed no password", "died (signal 9)"};

	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		char *body = g_strdup_printf("[imap]\nhost = h.example\nuser = a\n"
		                             "password_command = %s\n",
		                             commands[i]);
		dm_config *config = load(f, body, 0644);
		GError *error = NULL;

		assert_null(imap_config_read(config, &error));
		assert_int_equal(error->code, DM_ERROR_CONFIG);
		if (strstr(error->message, says[i]) == NULL)
			fail_msg("%s: %s", commands[i], error->message);
		assert_non_null(strstr(error->message, ":4: imap.password_command"));
		assert_null(strstr(error->message, "hunter2"));
		g_clear_error(&error);
		g_free(body);
		config_free(config);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_defaults_and_password_command, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_value_is_checked_with_its_line, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_clear_text_only_on_loopback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_literal_password_needs_a_private_file, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_failing_password_command_never_shows_the_password,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
