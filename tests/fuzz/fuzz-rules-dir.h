/*
 * The shipped rules/ for a fuzz target: DUNMAIL_RULES_DIR when set, else
 * ../../rules from the binary, where `make fuzz-build` puts it
 * (build/fuzz/).  The result is also exported, so that the library's
 * config_shipped_rules_directory() agrees.  g_free the result.
 */
#ifndef DUNMAIL_FUZZ_RULES_DIR_H
#define DUNMAIL_FUZZ_RULES_DIR_H

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

static inline char *
fuzz_rules_directory(const char *target)
{
	const char *env = g_getenv("DUNMAIL_RULES_DIR");
	char *exe, *dir, *rules;

	if (env != NULL && *env != '\0')
		return g_strdup(env);
	exe = g_file_read_link("/proc/self/exe", NULL);
	if (exe == NULL) {
		fprintf(stderr, "%s: cannot read /proc/self/exe; set DUNMAIL_RULES_DIR\n", target);
		exit(1);
	}
	dir = g_path_get_dirname(exe);
	rules = g_build_filename(dir, "..", "..", "rules", NULL);
	g_free(dir);
	g_free(exe);
	g_setenv("DUNMAIL_RULES_DIR", rules, TRUE);
	return rules;
}

#endif
