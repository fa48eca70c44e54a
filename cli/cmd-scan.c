/*
 * dunmail scan [--since YYYY-MM-DD] [--folder NAME]... [--idle] [--format F]
 *
 * Reads INBOX, Sent and the configured folders over IMAP and feeds every
 * message it has not seen yet to the same pipeline as "dunmail filter".
 * Incremental: per folder the store keeps UIDVALIDITY and the last UID
 * done, saved after every fetch batch, so a scan that is killed resumes
 * where it stopped; a message done twice anyway is recognised by its
 * Message-ID and changes nothing.  Messages are fetched with BODY.PEEK[],
 * so scanning never marks mail read.
 *
 * A message the pipeline cannot read is logged and skipped; a connection
 * failure ends a one-shot scan with EX_TEMPFAIL, leaving the bookmarks at
 * the last finished batch.  With --idle the command stays connected,
 * waits in IDLE on INBOX, scans again when mail arrives (and at every IDLE
 * restart, which also catches what was filed into Sent), reconnects with
 * exponential backoff after failures and exits 0 on SIGTERM or SIGINT.
 */
#include "cli/cli.h"
#include "cli/imap-config.h"
#include "cli/scan-feed.h"
#include "common/date.h"
#include "common/util.h"
#include "filter/pipeline.h"
#include "imap/imap.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

/* Reconnection waits: doubling from the first to the last. */
#define SCAN_BACKOFF_FIRST 1
#define SCAN_BACKOFF_LAST 300

/* Set by SIGTERM and SIGINT; every loop of the scan looks at it. */
static volatile sig_atomic_t scan_stop;

typedef struct {
	char *name;
	uint32_t messages; /* in the folder (EXISTS), as of the last look */
	unsigned fetched;  /* UIDs fetched beyond the bookmark */
	unsigned stored;   /* of those, new to the store (not a known Message-ID) */
	unsigned skipped;  /* the pipeline failed on them */
	bool rescanned;    /* UIDVALIDITY changed: read again from UID 1 */
	bool failed;       /* the folder could not be scanned (missing, refused) */
} scan_folder_stats;

typedef struct {
	dm_config *config;
	store *db;
	classifier *classifier;
	imap_config *imap;
	char *since;      /* IMAP's "22-Nov-2026", or NULL */
	bool progress;    /* stderr is a terminal */
	GPtrArray *stats; /* of scan_folder_stats, one per folder, in scan order */
	/* The folder being fetched. */
	scan_folder_stats *current;
	uint32_t last_done; /* the last UID the pipeline finished (stored or skipped) */
	size_t done, total;
	double started, shown;
	GError *store_error; /* a store failure that must end the scan, not skip a message */
	guint threads;       /* classifying threads (the machine's cores) */
} scan_run;

static void
scan_on_signal(int signal_number)
{
	(void)signal_number;
	scan_stop = 1;
}

static double
scan_clock(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void
scan_folder_stats_free(void *data)
{
	scan_folder_stats *stats = data;

	g_free(stats->name);
	g_free(stats);
}

static scan_folder_stats *
scan_stats_for(scan_run *run, const char *folder)
{
	scan_folder_stats *stats;

	for (guint i = 0; i < run->stats->len; i++) {
		stats = g_ptr_array_index(run->stats, i);
		if (strcmp(stats->name, folder) == 0)
			return stats;
	}
	stats = g_new0(scan_folder_stats, 1);
	stats->name = g_strdup(folder);
	g_ptr_array_add(run->stats, stats);
	return stats;
}

/* "INBOX: 1200/20000 messages, 850/s" on one terminal line, at most 5 times a second. */
static void
scan_show_progress(scan_run *run, bool last)
{
	double now, elapsed;

	if (!run->progress || run->total == 0)
		return;
	now = scan_clock();
	if (!last && now - run->shown < 0.2)
		return;
	run->shown = now;
	elapsed = now - run->started;
	fprintf(stderr, "\r%s: %zu/%zu messages, %.0f/s\033[K%s", run->current->name, run->done,
	        run->total, elapsed > 0 ? (double)run->done / elapsed : 0.0, last ? "\n" : "");
	fflush(stderr);
}

/*
 * The batch's messages into the store, in UID order.  A message the
 * pipeline cannot handle is skipped; a store that is busy or broken stops
 * the scan instead, because skipping would advance the bookmark past mail
 * that was never recorded.
 */
static void
scan_apply_batch(scan_run *run, scan_feed *feed, size_t count)
{
	for (size_t i = 0; i < count && run->store_error == NULL && !scan_stop; i++) {
		scan_message *item = scan_feed_message(feed, i);
		pipeline_outcome outcome;
		GError *error = NULL;
		bool ok;

		if (!item->classified) {
			error = g_steal_pointer(&item->error);
			ok = false;
		} else {
			ok = pipeline_apply(run->db, &item->result, run->current->name, &outcome,
					    &error);
			item->classified = false; /* pipeline_apply cleared the result */
		}
		if (!ok) {
			/* A failure that rolled the batch's transaction back loses the
			 * messages before it too: that is a store failure, whatever its code. */
			if (item->error == NULL && error != NULL &&
			    (!store_in_transaction(run->db) ||
			     (error->domain == DM_ERROR &&
			      (error->code == DM_ERROR_TEMPORARY || error->code == DM_ERROR_DATABASE ||
			       error->code == DM_ERROR_IO)))) {
				g_prefix_error(&error, "%s UID %u: ", run->current->name, item->uid);
				run->store_error = error;
				return;
			}
			dm_log_warning("scan: %s UID %u: message skipped: %s", run->current->name,
				       item->uid, error != NULL ? error->message : "unreadable");
			g_clear_error(&error);
			run->current->skipped++;
		} else {
			if (!outcome.summary.duplicate)
				run->current->stored++;
			pipeline_outcome_clear(&outcome);
		}
		if (item->read < item->size)
			dm_log_info("scan: %s UID %u: read the first %zu KiB of %zu KiB "
				    "(the rest is attachments)",
				    run->current->name, item->uid, item->read / 1024,
				    item->size / 1024);
		run->current->fetched++;
		run->last_done = item->uid;
		run->done++;
		scan_show_progress(run, false);
	}
}

/*
 * Scans one folder from its bookmark on.  False with error when the
 * session or the store failed.  A signal ends the fetch early with true;
 * the bookmark then stands at the last message done.
 */
static bool
scan_folder(scan_run *run, imap_session *session, const char *folder, GError **error)
{
	scan_folder_stats *stats = scan_stats_for(run, folder);
	uint32_t validity = 0, uidnext = 0, exists = 0, saved_validity = 0, last_uid = 0;
	uint32_t first = 1, bookmark;
	const char *since;
	const uint32_t *uids;
	GArray *list;
	bool known, ok = true;

	run->current = stats;
	if (!imap_select(session, folder, true, &validity, &uidnext, &exists, error))
		return false;
	stats->messages = exists;
	if (!store_folder_get(run->db, folder, &known, &saved_validity, &last_uid, error))
		return false;
	if (known && saved_validity == validity) {
		if (last_uid == UINT32_MAX)
			return true;
		first = last_uid + 1;
	} else {
		if (known) {
			/* The server renumbered the folder: every remembered UID is void.
			 * Reading it all again is safe, Message-IDs keep it from counting twice. */
			fprintf(stderr,
			        "dunmail: %s: UIDVALIDITY changed (%u, was %u): rescanning from "
			        "UID 1\n",
			        folder, validity, saved_validity);
			stats->rescanned = true;
		}
		last_uid = 0;
	}
	/* --since applies to every folder it is given for, not only on a first
	 * reading: a first scan that was interrupted must resume with the same
	 * limit, or the old mail it left out would be fetched on the next run. */
	since = run->since;
	bookmark = known && saved_validity == validity ? last_uid : 0;
	if ((list = imap_list_uids(session, first, since, error)) == NULL)
		return false;
	uids = (const uint32_t *)(const void *)list->data;
	run->done = 0;
	run->total = list->len;
	run->started = scan_clock();
	run->shown = 0;
	dm_log_info("scan: %s: %u messages, %u new from UID %u", folder, exists, list->len, first);
	scan_feed *feed = scan_feed_new(session, run->classifier, run->config, uids, list->len,
	                                (size_t)run->imap->batch, run->threads, &scan_stop);
	size_t count;
	bool complete;
	GError *local = NULL;

	while (ok && run->store_error == NULL && !scan_stop &&
	       scan_feed_next(feed, &count, &complete, &local)) {
		run->last_done = 0;
		/* One transaction per batch: a commit per message would cost more
		 * than classifying it.  The bookmark is saved in the same
		 * transaction, so the store and the bookmark move together. */
		if (!store_begin(run->db, error)) {
			ok = false;
			break;
		}
		/* Whatever arrived is applied, even when the fetch broke off:
		 * those messages are done and the bookmark may pass them. */
		scan_apply_batch(run, feed, count);
		if (run->store_error != NULL) {
			/* The batch was rolled back: the bookmark stays where it was. */
			store_rollback(run->db);
			run->last_done = 0;
		}
		/* A whole batch done moves the bookmark past UIDs the server no longer
		 * had; a partial one (signal, failure) only to the last message done. */
		if (complete && !scan_stop && run->store_error == NULL)
			run->last_done = scan_feed_batch_last_uid(feed);
		if (run->last_done > bookmark || !known || saved_validity != validity) {
			GError *save_error = NULL;
			bookmark = MAX(bookmark, run->last_done);
			if (!store_folder_set(run->db, folder, validity, bookmark, &save_error)) {
				store_rollback(run->db);
				g_propagate_error(error, save_error);
				ok = false;
				break;
			}
			known = true;
			saved_validity = validity;
		}
		if (store_in_transaction(run->db) && !store_commit(run->db, error)) {
			ok = false;
			break;
		}
		if (local != NULL) {
			g_propagate_error(error, g_steal_pointer(&local));
			ok = false;
			break;
		}
		if (!complete)
			break;
	}
	/* Waits for a batch still travelling that will not be stored any more. */
	scan_feed_free(feed);
	g_clear_error(&local);
	if (ok && run->store_error != NULL) {
		g_propagate_error(error, g_steal_pointer(&run->store_error));
		ok = false;
	}
	/* Done with the whole list: everything below UIDNEXT as of SELECT was
	 * considered (even what --since left out), so the next scan starts there. */
	if (ok && !scan_stop) {
		uint32_t end = uidnext > 0 ? MAX(bookmark, uidnext - 1) : bookmark;
		if ((end != bookmark || !known || saved_validity != validity) &&
		    !store_folder_set(run->db, folder, validity, end, error))
			ok = false;
	}
	scan_show_progress(run, true);
	g_array_unref(list);
	return ok;
}

static void
scan_add_folder(GPtrArray *folders, const char *name)
{
	for (guint i = 0; i < folders->len; i++) {
		const char *known = g_ptr_array_index(folders, i);
		/* INBOX is case-insensitive (RFC 3501 5.1); other names are not. */
		if (strcmp(known, name) == 0 || (g_ascii_strcasecmp(name, "INBOX") == 0 &&
		                                 g_ascii_strcasecmp(known, "INBOX") == 0))
			return;
	}
	g_ptr_array_add(folders, g_strdup(name));
}

/*
 * The folders of one pass: --folder when given, else INBOX, Sent (found by
 * SPECIAL-USE or its fallback name) and [imap] folders.
 */
static GPtrArray *
scan_folder_list(scan_run *run, imap_session *session, char **only)
{
	GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);
	GError *error = NULL;
	char *sent;

	if (only != NULL && only[0] != NULL) {
		for (char **f = only; *f != NULL; f++)
			scan_add_folder(folders, *f);
		return folders;
	}
	scan_add_folder(folders, "INBOX");
	sent = imap_find_special_folder(session, "\\Sent", run->imap->sent_folder, &error);
	if (sent != NULL) {
		scan_add_folder(folders, sent);
		g_free(sent);
	} else {
		/* Without Sent only outgoing mail is missed; the replies still count. */
		dm_log_warning("scan: no Sent folder: %s; set sent_folder in [imap]",
		               error->message);
		g_clear_error(&error);
	}
	for (char **f = run->imap->folders; *f != NULL; f++)
		scan_add_folder(folders, *f);
	return folders;
}

static bool
scan_error_is_temporary(const GError *error)
{
	return error != NULL && error->domain == DM_ERROR && error->code == DM_ERROR_TEMPORARY;
}

/*
 * One pass over the folders.  A folder the server refuses (missing, no
 * access) is reported and the others go on, with *folder_error keeping the
 * first such error; a failed session or store ends the pass with false.
 */
static bool
scan_pass(scan_run *run, imap_session *session, char **only, GError **folder_error, GError **error)
{
	GPtrArray *folders = scan_folder_list(run, session, only);
	bool ok = true;

	for (guint i = 0; i < folders->len && !scan_stop; i++) {
		const char *folder = g_ptr_array_index(folders, i);
		GError *local = NULL;

		if (scan_folder(run, session, folder, &local))
			continue;
		if (local->domain == DM_ERROR && local->code == DM_ERROR_PROTOCOL) {
			fprintf(stderr, "dunmail: %s: not scanned: %s\n", folder, local->message);
			scan_stats_for(run, folder)->failed = true;
			if (*folder_error == NULL)
				*folder_error = local;
			else
				g_error_free(local);
			continue;
		}
		g_propagate_error(error, local);
		ok = false;
		break;
	}
	g_ptr_array_unref(folders);
	return ok;
}

static void
scan_print_summary(scan_run *run, printer_format format)
{
	printer *p = printer_new(format, stdout);

	printer_column(p, "folder", "FOLDER", false);
	printer_column(p, "messages", "MESSAGES", true);
	printer_column(p, "new", "NEW", true);
	printer_column(p, "stored", "STORED", true);
	printer_column(p, "skipped", "SKIPPED", true);
	printer_column(p, "note", "NOTE", false);
	for (guint i = 0; i < run->stats->len; i++) {
		scan_folder_stats *stats = g_ptr_array_index(run->stats, i);
		printer_row_begin(p);
		printer_string(p, stats->name);
		printer_int(p, stats->messages);
		printer_int(p, stats->fetched);
		printer_int(p, stats->stored);
		printer_int(p, stats->skipped);
		printer_string(p, stats->failed      ? "not scanned"
		                  : stats->rescanned ? "UIDVALIDITY changed, rescanned"
		                                     : NULL);
		printer_row_end(p);
	}
	printer_finish(p);
	printer_free(p);
	fflush(stdout);
}

static bool
scan_any_new(const scan_run *run)
{
	for (guint i = 0; i < run->stats->len; i++) {
		const scan_folder_stats *stats = g_ptr_array_index(run->stats, i);
		if (stats->fetched > 0 || stats->rescanned || stats->failed)
			return true;
	}
	return false;
}

/* Sleeps, waking early when a signal asks to stop. */
static void
scan_sleep(int seconds)
{
	for (int i = 0; i < seconds * 4 && !scan_stop; i++)
		g_usleep(250000);
}

/* "2026-11-22" -> "22-Nov-2026" (RFC 3501 date, English month names). */
static char *
scan_imap_date(const char *iso, GError **error)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	dm_date date;
	int year, month, day;

	if (!dm_date_parse_iso(iso, &date, error))
		return NULL;
	dm_date_to_ymd(date, &year, &month, &day);
	return g_strdup_printf("%d-%s-%04d", day, months[month - 1], year);
}

static void
scan_install_signals(void)
{
	struct sigaction action;

	memset(&action, 0, sizeof action);
	action.sa_handler = scan_on_signal;
	sigemptyset(&action.sa_mask);
	/* No SA_RESTART: a blocking read returns so the flag is seen soon. */
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * The scan loop: connect, pass, and with idle wait for mail and go again.
 * Returns the exit code.
 */
static int
scan_loop(scan_run *run, char **only, bool idle, printer_format format)
{
	imap_session *session = NULL;
	char *where = imap_config_describe(run->imap);
	GError *folder_error = NULL;
	int backoff = SCAN_BACKOFF_FIRST;
	int code = EX_OK;

	while (!scan_stop) {
		GError *error = NULL;
		imap_idle_result waited;

		if (session == NULL) {
			dm_log_info("scan: connecting to %s", where);
			session = imap_connect(&run->imap->settings, &error);
			if (session == NULL) {
				if (!idle || !scan_error_is_temporary(error)) {
					code = cli_fail(error);
					break;
				}
				fprintf(stderr, "dunmail: %s; retrying in %d s\n", error->message,
				        backoff);
				g_clear_error(&error);
				scan_sleep(backoff);
				backoff = MIN(backoff * 2, SCAN_BACKOFF_LAST);
				continue;
			}
		}
		g_ptr_array_set_size(run->stats, 0);
		if (!scan_pass(run, session, only, &folder_error, &error)) {
			bool temporary;
			if (scan_stop) {
				/* The signal broke a read; that is the stop, not a failure. */
				dm_log_info("scan: stopped: %s", error->message);
				g_clear_error(&error);
				fprintf(stderr,
				        "dunmail: interrupted; the next scan resumes here\n");
				break;
			}
			temporary = scan_error_is_temporary(error) ||
			            (error->domain == DM_ERROR && error->code == DM_ERROR_PROTOCOL);
			if (!idle || !temporary) {
				if (run->stats->len > 0)
					scan_print_summary(run, format);
				code = cli_fail(error);
				break;
			}
			fprintf(stderr, "dunmail: %s; reconnecting in %d s\n", error->message,
			        backoff);
			g_clear_error(&error);
			imap_close(session);
			session = NULL;
			scan_sleep(backoff);
			backoff = MIN(backoff * 2, SCAN_BACKOFF_LAST);
			continue;
		}
		if (!idle || scan_any_new(run))
			scan_print_summary(run, format);
		if (!idle) {
			if (scan_stop)
				fprintf(stderr,
				        "dunmail: interrupted; the next scan resumes here\n");
			else if (folder_error != NULL)
				code = dm_error_exit_code(folder_error);
			break;
		}
		backoff = SCAN_BACKOFF_FIRST;
		g_clear_error(&folder_error); /* reported already; idle goes on */
		if (scan_stop)
			break;
		/* Wait on INBOX; a timeout scans too, which catches new mail in Sent
		 * and the arrival that an expunge hid from the message count. */
		if (!imap_select(session, "INBOX", true, NULL, NULL, NULL, &error)) {
			waited = IMAP_IDLE_ERROR;
		} else {
			dm_log_info("scan: waiting for new mail in INBOX");
			waited = imap_idle(session, run->imap->idle_restart_minutes * 60,
			                   &scan_stop, &error);
		}
		if (waited == IMAP_IDLE_STOPPED)
			break;
		if (waited == IMAP_IDLE_ERROR) {
			fprintf(stderr, "dunmail: %s; reconnecting\n", error->message);
			g_clear_error(&error);
			imap_close(session);
			session = NULL;
		}
	}
	g_clear_error(&folder_error);
	imap_close(session);
	g_free(where);
	return code;
}

int
cmd_scan(cli_context *ctx, int argc, char **argv)
{
	char *since = NULL, *format_name = NULL;
	char **only = NULL;
	gboolean idle = FALSE;
	GOptionEntry entries[] = {
	    {"since", 0, 0, G_OPTION_ARG_STRING, &since,
	     "only mail received on or after DATE (for a first scan)", "YYYY-MM-DD"},
	    {"folder", 0, 0, G_OPTION_ARG_STRING_ARRAY, &only,
	     "scan only this folder (repeatable) instead of INBOX, Sent and [imap] folders",
	     "NAME"},
	    {"idle", 0, 0, G_OPTION_ARG_NONE, &idle,
	     "after the scan, wait for new mail and scan again until SIGTERM", NULL},
	    {"format", 0, 0, G_OPTION_ARG_STRING, &format_name,
	     "summary as table (default), csv or json", "FORMAT"},
	    {NULL}};
	scan_run run = {0};
	printer_format format;
	GError *error = NULL;
	int code = EX_OK;

	if (!cli_parse_options(&argc, &argv, "",
	                       "Reads new mail in INBOX, Sent and the [imap] folders over IMAP and"
	                       " records what it means,\nas \"dunmail filter\" does for delivered"
	                       " mail.  Never marks mail read.",
	                       entries, &code))
		goto out;
	if (argc > 1) {
		code = cli_usage("scan: unexpected argument \"%s\" (see --help)", argv[1]);
		goto out;
	}
	if (!cli_output_format(format_name, &format, &error))
		goto fail;
	if (since != NULL) {
		if ((run.since = scan_imap_date(since, &error)) == NULL) {
			code = cli_usage("--since: %s", error->message);
			g_clear_error(&error);
			goto out;
		}
	}
	if ((run.config = cli_config(ctx, &error)) == NULL)
		goto fail;
	if ((run.imap = imap_config_read(run.config, &error)) == NULL)
		goto fail;
	if ((run.db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL)
		goto fail;
	if ((run.classifier = classifier_new(run.config, &error)) == NULL)
		goto fail;
	if (classifier_load_errors(run.classifier) != NULL)
		dm_log_error("scan: rule packs left out:\n%s",
		             classifier_load_errors(run.classifier));
	run.progress = isatty(STDERR_FILENO) == 1;
	run.stats = g_ptr_array_new_with_free_func(scan_folder_stats_free);
	/* Classifying uses every core; the store stays with this thread. */
	run.threads = g_get_num_processors();
	if (run.threads > 1)
		classifier_prepare_threads(run.classifier);
	scan_stop = 0;
	scan_install_signals();
	code = scan_loop(&run, only, idle, format);
	goto out;
fail:
	code = cli_fail(error);
out:
	if (run.stats != NULL)
		g_ptr_array_unref(run.stats);
	classifier_free(run.classifier);
	imap_config_free(run.imap);
	g_free(run.since);
	g_free(since);
	g_free(format_name);
	g_strfreev(only);
	return code;
}
