/*
 * How fast `dunmail scan` can pull mail over IMAP: fetches the same folder
 * from a private Dovecot (tests/dovecot/start.sh) with several batch sizes,
 * over plain loopback and over implicit TLS, and prints messages per second.
 * The batch size is the trade-off imap_fetch exposes: one UID FETCH per
 * message pays a round trip each, huge batches hold many messages in memory.
 *
 * Usage: bench-imap-fetch [MESSAGES [BODY_LINES]]   (defaults 400, 150)
 * Exits 77 when Dovecot is not installed.  Run from the project root.
 */
#include "common/util.h"
#include "imap/imap.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

typedef struct {
	size_t messages;
	size_t bytes;
} bench_totals;

static bool
bench_count(const imap_fetched *fetched, void *user)
{
	bench_totals *totals = user;

	totals->messages++;
	totals->bytes += fetched->length;
	return true;
}

static char *
bench_message(size_t n, size_t body_lines)
{
	GString *m = g_string_new(NULL);

	g_string_append_printf(m,
	                       "From: Client %zu <client%zu@example.org>\r\n"
	                       "To: billing@example.com\r\n"
	                       "Subject: Re: Invoice 2026-%05zu\r\n"
	                       "Message-ID: <bench-%zu@example.org>\r\n"
	                       "Date: Sun, 22 Nov 2026 10:00:00 +0100\r\n"
	                       "\r\n",
	                       n, n, n, n);
	for (size_t i = 0; i < body_lines; i++)
		g_string_append(
		    m, "> We will pay the invoice by the end of the month, as agreed.\r\n");
	return g_string_free(m, FALSE);
}

static imap_session *
bench_connect(const char *dir, int port, imap_tls tls, const char *ca)
{
	imap_settings settings = {.host = "127.0.0.1",
	                          .port = port,
	                          .tls = tls,
	                          .user = "alice",
	                          .password = "secret",
	                          .ca_file = (char *)ca,
	                          .timeout_seconds = 30};
	GError *error = NULL;
	imap_session *session = imap_connect(&settings, &error);

	/* No exit() here: main must still stop the server. */
	if (session == NULL) {
		fprintf(stderr, "bench-imap-fetch: %s\n", error->message);
		g_error_free(error);
	}
	return session;
}

static int
bench_run(const char *dir, int port_plain, int port_tls, size_t n, size_t body_lines)
{
	static const size_t batches[] = {1, 10, 50, 200};
	char *ca = g_build_filename(dir, "ca.pem", NULL);
	imap_session *session = bench_connect(dir, port_plain, IMAP_TLS_NONE, NULL);
	GError *error = NULL;
	GArray *uids;

	if (session == NULL)
		return 1;

	for (size_t i = 0; i < n; i++) {
		char *message = bench_message(i, body_lines);

		if (!imap_append(session, "INBOX", message, strlen(message), NULL, NULL, NULL, NULL,
		                 &error)) {
			fprintf(stderr, "bench-imap-fetch: %s\n", error->message);
			return 1;
		}
		g_free(message);
	}
	imap_close(session);

	for (int mode = 0; mode < 2; mode++) {
		imap_tls tls = mode == 0 ? IMAP_TLS_NONE : IMAP_TLS_IMPLICIT;

		session = bench_connect(dir, mode == 0 ? port_plain : port_tls, tls,
		                        mode == 0 ? NULL : ca);
		if (session == NULL)
			return 1;
		if (!imap_select(session, "INBOX", true, NULL, NULL, NULL, &error) ||
		    (uids = imap_list_uids(session, 1, NULL, &error)) == NULL) {
			fprintf(stderr, "bench-imap-fetch: %s\n", error->message);
			return 1;
		}
		for (size_t b = 0; b < G_N_ELEMENTS(batches); b++) {
			bench_totals totals = {0};
			gint64 start = g_get_monotonic_time();
			double seconds;

			if (!imap_fetch(session, (const uint32_t *)(const void *)uids->data,
			                uids->len, batches[b], 0, bench_count, &totals, &error)) {
				fprintf(stderr, "bench-imap-fetch: %s\n", error->message);
				return 1;
			}
			seconds = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
			printf("imap-fetch tls=%-8s batch=%-4zu %5zu messages %7.2f MB %7.3f s "
			       "%8.0f msg/s\n",
			       mode == 0 ? "none" : "implicit", batches[b], totals.messages,
			       (double)totals.bytes / 1e6, seconds,
			       (double)totals.messages / seconds);
		}
		g_array_unref(uids);
		imap_close(session);
	}
	g_free(ca);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 400;
	size_t body_lines = argc > 2 ? strtoul(argv[2], NULL, 10) : 150;
	char *parent = g_dir_make_tmp("dunmail-bench-XXXXXX", NULL);
	char *dir = g_build_filename(parent, "dovecot", NULL);
	char *start_cmd = g_strdup_printf("sh tests/dovecot/start.sh '%s'", dir);
	char *stop_cmd = g_strdup_printf("sh tests/dovecot/stop.sh '%s'; rm -rf '%s'", dir, parent);
	char *out = NULL;
	int status = 0, port_plain = 0, port_tls = 0, rc;

	/* Dovecot's own processes must enter the folder above the server's. */
	g_chmod(parent, 0711);
	if (!g_spawn_command_line_sync(start_cmd, &out, NULL, &status, NULL)) {
		fprintf(stderr, "bench-imap-fetch: cannot run tests/dovecot/start.sh\n");
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		fprintf(stderr, "bench-imap-fetch: dovecot is not installed, skipped\n");
		rc = system(stop_cmd);
		return 77;
	}
	if (status != 0 || sscanf(out, "%d %d", &port_plain, &port_tls) != 2) {
		fprintf(stderr, "bench-imap-fetch: the test server did not start\n");
		rc = system(stop_cmd);
		return 1;
	}
	rc = bench_run(dir, port_plain, port_tls, n, body_lines);
	if (system(stop_cmd) != 0)
		fprintf(stderr, "bench-imap-fetch: stopping the test server failed\n");
	g_free(out);
	g_free(start_cmd);
	g_free(stop_cmd);
	g_free(dir);
	g_free(parent);
	return rc;
}
