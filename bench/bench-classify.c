/*
 * Classification throughput and start-up cost, for `make bench`.
 *
 *   bench-classify CORPUS_DIR [MESSAGES]
 *
 * Start-up: loading the configuration defaults and compiling all eight
 * rule packs, date words and language profiles (what every filter run
 * pays), the best of several runs.  Throughput: the corpus's .eml files
 * classified round-robin until MESSAGES (default 10000) are done.  Then
 * where a message's time goes: the MIME layer alone (filter/mime.h: parse,
 * headers decoded, body text, freed), and GMime alone (parse and free,
 * nothing read), the floor of any MIME work on this machine.  The scan's
 * benchmark compares these with its per-message budget.
 */
#include "common/config.h"
#include "filter/classify.h"
#include "filter/mime.h"

#include <gmime/gmime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
collect(const char *dir, GPtrArray *files)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			collect(path, files);
			g_free(path);
		} else if (g_str_has_suffix(name, ".eml")) {
			GBytes *bytes;
			char *data;
			gsize length;
			if (g_file_get_contents(path, &data, &length, NULL)) {
				bytes = g_bytes_new_take(data, length);
				g_ptr_array_add(files, bytes);
			}
			g_free(path);
		} else {
			g_free(path);
		}
	}
	g_dir_close(d);
}

typedef void (*bench_step)(const char *data, size_t length);

static void
step_mail_parse(const char *data, size_t length)
{
	mail_free(mail_parse(data, length, NULL));
}

static void
step_gmime_only(const char *data, size_t length)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, length);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);

	if (message != NULL)
		g_object_unref(message);
	g_object_unref(parser);
	g_object_unref(stream);
}

/* Microseconds per message of one step over the corpus, round-robin. */
static double
time_step(GPtrArray *files, int target, bench_step step)
{
	double start = seconds_now();

	for (int done = 0; done < target; done++) {
		gsize length;
		const char *data =
		    g_bytes_get_data(g_ptr_array_index(files, (guint)done % files->len), &length);
		step(data, length);
	}
	return (seconds_now() - start) / target * 1e6;
}

int
main(int argc, char **argv)
{
	GPtrArray *files = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	dm_config *config = config_new_default();
	int target = argc > 2 ? atoi(argv[2]) : 10000;
	double best = 1e9, start, elapsed;
	classifier *c = NULL;
	GError *error = NULL;
	int done = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-classify CORPUS_DIR [MESSAGES]\n");
		return 64;
	}
	collect(argv[1], files);
	if (files->len == 0) {
		fprintf(stderr, "no .eml files under %s\n", argv[1]);
		return 66;
	}
	for (int run = 0; run < 5; run++) {
		start = seconds_now();
		c = classifier_new(config, &error);
		elapsed = seconds_now() - start;
		if (c == NULL) {
			fprintf(stderr, "%s\n", error->message);
			return 78;
		}
		if (elapsed < best)
			best = elapsed;
		if (run < 4)
			classifier_free(c);
	}
	printf("start-up (compile %zu rules, date words, profiles): %.2f ms (best of 5)\n",
	       classifier_rule_count(c), best * 1000);
	start = seconds_now();
	while (done < target) {
		GBytes *bytes = g_ptr_array_index(files, (guint)done % files->len);
		gsize length;
		const char *data = g_bytes_get_data(bytes, &length);
		classify_result result;
		if (classify_message(c, config, data, length, false, &result, NULL))
			classify_result_clear(&result);
		done++;
	}
	elapsed = seconds_now() - start;
	printf("classify: %d messages (%u distinct) in %.2f s = %.0f messages/s (%.1f us each)\n",
	       done, files->len, elapsed, done / elapsed, elapsed / done * 1e6);
	printf("  of which the MIME layer (parse, decode headers and body text, free): %.1f us\n",
	       time_step(files, target, step_mail_parse));
	printf("  of which GMime alone (parse and free, nothing read): %.1f us\n",
	       time_step(files, target, step_gmime_only));
	classifier_free(c);
	config_free(config);
	g_ptr_array_unref(files);
	return 0;
}
