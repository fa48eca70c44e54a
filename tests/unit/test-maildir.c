/*
 * Tests for draft/maildir: drafts land in cur/ with ":2,D" and nothing is
 * left in tmp/, names stay unique, a draft is found and removed after a
 * mail client renamed or moved it, and failures name the path.
 */
#include "tests/unit/testutil.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "draft/maildir.h"

static const char *const test_message = "From: a@example.com\nSubject: Reminder\n\nPlease pay.\n";

static size_t
test_count_entries(const char *dir, const char *sub)
{
	char *path = g_build_filename(dir, sub, NULL);
	GDir *folder = g_dir_open(path, 0, NULL);
	size_t count = 0;
	if (folder != NULL) {
		while (g_dir_read_name(folder) != NULL)
			count++;
		g_dir_close(folder);
	}
	g_free(path);
	return count;
}

static char *
test_write(const char *dir)
{
	GError *error = NULL;
	char *name = maildir_draft_write(dir, test_message, strlen(test_message), &error);
	if (name == NULL)
		fail_msg("write failed: %s", error->message);
	return name;
}

static void
test_write_creates_maildir(void **state)
{
	char *tmp = test_tmpdir();
	char *dir = g_build_filename(tmp, "Mail", "Drafts", NULL);
	char *name = test_write(dir);

	assert_true(g_str_has_suffix(name, ":2,D"));
	assert_null(strchr(name, '/'));
	/* time.M<usec>P<pid>R<random>Q<n>.host:2,D */
	assert_true(g_regex_match_simple(
	    "^[0-9]+\\.M[0-9]{6}P[0-9]+R[0-9a-f]{16}Q[0-9]+\\.[^/:]+:2,D$", name, 0, 0));
	const char *subs[] = {"tmp", "new", "cur"};
	for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
		char *sub = g_build_filename(dir, subs[i], NULL);
		struct stat st;
		assert_int_equal(stat(sub, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0700);
		g_free(sub);
	}
	char *path = g_build_filename(dir, "cur", name, NULL);
	size_t length = 0;
	char *data = test_read_file(path, &length);
	assert_int_equal(length, strlen(test_message));
	assert_memory_equal(data, test_message, length);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(test_count_entries(dir, "tmp"), 0);
	assert_int_equal(test_count_entries(dir, "new"), 0);
	assert_int_equal(test_count_entries(dir, "cur"), 1);

	g_free(data);
	g_free(path);
	g_free(name);
	g_free(dir);
	test_rmtree(tmp);
	g_free(tmp);
}

static void
test_unique_names(void **state)
{
	char *dir = test_tmpdir();
	GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < 500; i++) {
		char *name = test_write(dir);
		assert_false(g_hash_table_contains(names, name));
		g_hash_table_add(names, name);
	}
	assert_int_equal(test_count_entries(dir, "cur"), 500);
	assert_int_equal(test_count_entries(dir, "tmp"), 0);
	g_hash_table_destroy(names);

	/* Several processes writing at once (the filter runs per message) never collide. */
	for (int child = 0; child < 4; child++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			for (int i = 0; i < 100; i++) {
				char *name = maildir_draft_write(dir, "x\n", 2, NULL);
				if (name == NULL)
					_exit(1);
				g_free(name);
			}
			/* The child's copy of the parent's string, freed so that
			 * memcheck sees no leak in the child either. */
			g_free(dir);
			_exit(0);
		}
	}
	for (int child = 0; child < 4; child++) {
		int status = 0;
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(test_count_entries(dir, "cur"), 900);
	test_rmtree(dir);
	g_free(dir);
}

static void
test_exists_after_client_renames(void **state)
{
	char *dir = test_tmpdir();
	char *name = test_write(dir);
	char *path = NULL;
	GError *error = NULL;
	assert_true(maildir_draft_exists(dir, name, &path, &error));
	assert_null(error);
	char *expected = g_build_filename(dir, "cur", name, NULL);
	assert_string_equal(path, expected);
	g_free(path);
	g_free(expected);

	/* The user opened it (flag S added), then the client moved it to new/. */
	char *unique = g_strndup(name, strcspn(name, ":"));
	char *from = g_build_filename(dir, "cur", name, NULL);
	char *seen_name = g_strconcat(unique, ":2,DS", NULL);
	char *seen = g_build_filename(dir, "cur", seen_name, NULL);
	assert_int_equal(rename(from, seen), 0);
	assert_true(maildir_draft_exists(dir, name, &path, &error));
	assert_string_equal(path, seen);
	g_free(path);
	assert_true(maildir_draft_exists(dir, unique, NULL, &error));
	char *moved = g_build_filename(dir, "new", seen_name, NULL);
	assert_int_equal(rename(seen, moved), 0);
	assert_true(maildir_draft_exists(dir, name, &path, &error));
	assert_string_equal(path, moved);
	g_free(path);

	/* A name that only shares a prefix is another message. */
	char *prefix = g_strndup(unique, strlen(unique) - 1);
	assert_false(maildir_draft_exists(dir, prefix, NULL, &error));
	assert_null(error);
	char *longer = g_strconcat(unique, "x:2,D", NULL);
	assert_false(maildir_draft_exists(dir, longer, NULL, &error));
	assert_null(error);

	/* Unsafe names are refused, not looked up. */
	const char *bad[] = {"", "../cur/x", ".hidden", "cur/x:2,D"};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_false(maildir_draft_exists(dir, bad[i], NULL, &error));
		assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_INPUT));
		g_clear_error(&error);
	}
	/* A Maildir that does not exist yet holds no draft. */
	char *missing = g_build_filename(dir, "nowhere", NULL);
	assert_false(maildir_draft_exists(missing, name, NULL, &error));
	assert_null(error);

	g_free(missing);
	g_free(longer);
	g_free(prefix);
	g_free(moved);
	g_free(seen);
	g_free(seen_name);
	g_free(from);
	g_free(unique);
	g_free(name);
	test_rmtree(dir);
	g_free(dir);
}

static void
test_remove(void **state)
{
	char *dir = test_tmpdir();
	char *old = test_write(dir);
	char *other = test_write(dir);
	GError *error = NULL;
	assert_true(maildir_draft_remove(dir, old, &error));
	assert_null(error);
	assert_false(maildir_draft_exists(dir, old, NULL, &error));
	assert_null(error);
	assert_true(maildir_draft_exists(dir, other, NULL, &error));
	assert_int_equal(test_count_entries(dir, "cur"), 1);

	/* Gone already (sent or deleted by the user). */
	assert_false(maildir_draft_remove(dir, old, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_NOT_FOUND));
	assert_non_null(strstr(error->message, dir));
	g_clear_error(&error);

	/* Renamed with more flags, still a draft: removed. */
	char *unique = g_strndup(other, strcspn(other, ":"));
	char *from = g_build_filename(dir, "cur", other, NULL);
	char *to = g_strconcat(dir, "/cur/", unique, ":2,DFS", NULL);
	assert_int_equal(rename(from, to), 0);
	assert_true(maildir_draft_remove(dir, other, &error));
	assert_false(g_file_test(to, G_FILE_TEST_EXISTS));

	/* No longer a draft (D cleared): the user's mail is left alone. */
	char *third = test_write(dir);
	g_free(unique);
	unique = g_strndup(third, strcspn(third, ":"));
	g_free(from);
	from = g_build_filename(dir, "cur", third, NULL);
	g_free(to);
	to = g_strconcat(dir, "/cur/", unique, ":2,S", NULL);
	assert_int_equal(rename(from, to), 0);
	assert_false(maildir_draft_remove(dir, third, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_CONFLICT));
	assert_non_null(strstr(error->message, to));
	g_clear_error(&error);
	assert_true(g_file_test(to, G_FILE_TEST_EXISTS));

	g_free(third);
	g_free(to);
	g_free(from);
	g_free(unique);
	g_free(other);
	g_free(old);
	test_rmtree(dir);
	g_free(dir);
}

/*
 * Writes into a Maildir whose tmp/ the writer may not change.  Root passes
 * every permission check, so as root the write runs in a child that has
 * become "nobody"; the child sends the error message back through a pipe.
 */
static char *
test_write_read_only(const char *dir, int *code)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(2);
		GError *error = NULL;
		char *name = maildir_draft_write(dir, test_message, strlen(test_message), &error);
		if (name != NULL)
			_exit(1);
		char *report = g_strdup_printf("%d %s", error->code, error->message);
		ssize_t ignored = write(fds[1], report, strlen(report));
		(void)ignored;
		/* Freed so that a leak checker following the fork finds nothing. */
		g_free(report);
		g_error_free(error);
		_exit(0);
	}
	close(fds[1]);
	char buffer[1024] = {0};
	size_t got = 0;
	ssize_t n;
	while (got < sizeof buffer - 1 &&
	       (n = read(fds[0], buffer + got, sizeof buffer - 1 - got)) > 0)
		got += (size_t)n;
	close(fds[0]);
	int status = 0;
	assert_true(waitpid(pid, &status, 0) == pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	char *space = strchr(buffer, ' ');
	assert_non_null(space);
	*code = atoi(buffer);
	return g_strdup(space + 1);
}

static void
test_read_only_maildir(void **state)
{
	char *top = test_tmpdir();
	char *dir = g_build_filename(top, "Drafts", NULL);
	char *name = test_write(dir);
	char *tmp = g_build_filename(dir, "tmp", NULL);
	/* Not needed any more, and the forked writer below should not inherit it. */
	g_free(name);
	if (geteuid() == 0) {
		/* Let "nobody" reach the Maildir and own it, but not its tmp/. */
		assert_int_equal(chmod(top, 0755), 0);
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_int_equal(chown(tmp, 65534, 65534), 0);
	}
	assert_int_equal(chmod(tmp, 0500), 0);
	int code = -1;
	char *message = test_write_read_only(dir, &code);
	assert_int_equal(code, DM_ERROR_IO);
	/* The message names the file it could not create and why. */
	if (strstr(message, tmp) == NULL || strstr(message, "Permission denied") == NULL)
		fail_msg("unclear error: %s", message);
	assert_int_equal(test_count_entries(dir, "cur"), 1);
	g_free(message);

	/* A file where the Maildir should be. */
	char *file = g_build_filename(top, "plain-file", NULL);
	assert_true(g_file_set_contents(file, "x", 1, NULL));
	GError *error = NULL;
	assert_null(maildir_draft_write(file, "x\n", 2, &error));
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_IO));
	assert_non_null(strstr(error->message, file));
	g_clear_error(&error);

	assert_int_equal(chmod(tmp, 0700), 0);
	g_free(file);
	g_free(tmp);
	g_free(dir);
	test_rmtree(top);
	g_free(top);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_creates_maildir),       cmocka_unit_test(test_unique_names),
	    cmocka_unit_test(test_exists_after_client_renames), cmocka_unit_test(test_remove),
	    cmocka_unit_test(test_read_only_maildir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
