/*
 * libFuzzer target: the configuration reader and, when a configuration
 * loads, the policy that is built on top of it.
 *
 * config_load reads a path, so each input is written to one temporary
 * file made at start-up (and removed at exit).  A refusal must be a
 * DM_ERROR_CONFIG whose every line names "file:line" (the promise of
 * common/config.h); an accepted config must answer every accessor.  The
 * shipped policy (rules/policy, read once) is then parsed with that
 * config's [policy] groups on top; whatever it answers, it must not
 * crash, leak or stall.
 */
#include "common/config.h"
#include "common/util.h"
#include "policy/policy.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/fuzz/fuzz-rules-dir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *config_file;
static char *shipped_policy;

static void
remove_config_file(void)
{
	g_unlink(config_file);
	g_free(config_file);
	g_free(shipped_policy);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *rules_dir = fuzz_rules_directory("fuzz-config");
	char *policy_path = g_build_filename(rules_dir, "policy", NULL);
	GError *error = NULL;
	int fd = g_file_open_tmp("dunmail-fuzz-config-XXXXXX.ini", &config_file, &error);

	if (fd < 0 || !g_file_get_contents(policy_path, &shipped_policy, NULL, &error)) {
		fprintf(stderr, "fuzz-config: %s\n", error->message);
		exit(1);
	}
	close(fd);
	atexit(remove_config_file);
	g_free(policy_path);
	g_free(rules_dir);
	return 0;
}

/* Every line of a config error names the file it is about. */
static void
check_config_error(const GError *error)
{
	char **lines;

	if (error == NULL || error->domain != DM_ERROR || error->code != DM_ERROR_CONFIG)
		abort();
	lines = g_strsplit(error->message, "\n", -1);
	for (size_t i = 0; lines[i] != NULL; i++)
		if (!g_str_has_prefix(lines[i], config_file))
			abort();
	g_strfreev(lines);
}

static void
check_config(const dm_config *config)
{
	const char *const *list;

	if (g_strcmp0(config_path(config), config_file) != 0)
		abort();
	(void)config_identity_name(config);
	list = config_identity_addresses(config);
	if (list == NULL)
		abort();
	for (size_t i = 0; list[i] != NULL; i++)
		if (!config_is_own_address(config, list[i]))
			abort();
	(void)config_identity_signature(config);
	(void)config_identity_payment_details(config);
	(void)config_store_path(config);
	(void)config_store_busy_timeout(config);
	if (config_rules_directories(config) == NULL || config_rules_languages(config) == NULL)
		abort();
	(void)config_filter_max_size(config);
	if (config_keyfile(config) == NULL)
		abort();
	(void)config_key_line(config, "identity", "addresses");
	(void)config_key_line(config, "policy", "levels");
}

static void
check_policy(const dm_config *config)
{
	GError *error = NULL;
	policy_set *set = policy_set_parse(shipped_policy, "policy", config, &error);
	const char *const *names;

	if (set == NULL) {
		if (error == NULL || error->domain != DM_ERROR)
			abort();
		g_clear_error(&error);
		return;
	}
	if (policy_set_default(set) == NULL)
		abort();
	names = policy_set_names(set);
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		const policy *p = policy_set_find(set, names[i]);
		if (p == NULL)
			abort();
		for (size_t l = 1; l < p->n_levels; l++)
			if (p->levels[l].offset_days <= p->levels[l - 1].offset_days)
				abort(); /* policy.h: offsets strictly increasing */
	}
	policy_set_free(set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	dm_config *config;

	/* Plain stdio: g_file_set_contents would fsync on every input. */
	FILE *file = fopen(config_file, "wb");
	if (file == NULL || fwrite(data, 1, size, file) != size || fclose(file) != 0) {
		perror(config_file);
		abort();
	}
	config = config_load(config_file, &error);
	if (config == NULL) {
		check_config_error(error);
		g_clear_error(&error);
		return 0;
	}
	if (error != NULL)
		abort();
	check_config(config);
	check_policy(config);
	config_free(config);
	return 0;
}
