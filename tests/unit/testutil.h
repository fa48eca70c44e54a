/*
 * Helpers shared by the cmocka unit tests.  Each test file is one program:
 * include <setjmp.h> etc. through this header and call cmocka_run_group_tests.
 */
#ifndef DUNMAIL_TESTUTIL_H
#define DUNMAIL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The project root, so tests find tests/mail and rules/ (make runs them from there). */
static inline const char *
test_root(void)
{
	const char *root = getenv("DUNMAIL_SRCDIR");
	return root != NULL ? root : ".";
}

/* The shared fixtures folder, or NULL when it is absent (then skip). */
static inline char *
test_shared_fixtures(void)
{
	char *path = g_build_filename(test_root(), "..", "shared", "fixtures", NULL);
	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_free(path);
		return NULL;
	}
	return path;
}

/* Reads a whole file or fails the test. Free with g_free. */
static inline char *
test_read_file(const char *path, size_t *length)
{
	char *data = NULL;
	gsize len = 0;
	GError *error = NULL;
	if (!g_file_get_contents(path, &data, &len, &error)) {
		fail_msg("%s", error->message);
	}
	if (length != NULL)
		*length = len;
	return data;
}

/* A fresh temporary directory under $TMPDIR; remove with test_rmtree. */
static inline char *
test_tmpdir(void)
{
	GError *error = NULL;
	char *dir = g_dir_make_tmp("dunmail-test-XXXXXX", &error);
	if (dir == NULL)
		fail_msg("%s", error->message);
	return dir;
}

static inline void
test_rmtree(const char *dir)
{
	char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	g_free(cmd);
}

#endif
