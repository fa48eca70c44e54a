/*
 * The messages of one folder scan, fetched and classified ahead of the
 * store (cli/scan-feed.c).
 *
 * Three things run at once: one thread fetches batches over the IMAP
 * session (up to two ahead of the caller), a pool with one thread per core
 * classifies each message as soon as it has arrived, and the caller stores
 * an earlier batch, in UID order.  Storing is the only part that cannot be spread over cores (one
 * SQLite writer), so it no longer waits for the classification of a whole
 * batch, nor the classification for the store.
 */
#ifndef DUNMAIL_CLI_SCAN_FEED_H
#define DUNMAIL_CLI_SCAN_FEED_H

#include "common/config.h"
#include "filter/classify.h"
#include "imap/imap.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct scan_feed scan_feed;

/*
 * How much of each message is fetched.  Classification reads the first
 * CLASSIFY_TEXT_LIMIT bytes of text, which come before any attachment, so
 * a 20 MB message costs the server, the network and the memory of a
 * batch 256 KiB; the batches fetched ahead stay bounded however large the
 * mail is.
 */
#define SCAN_READ_LIMIT (256 * 1024)

/* One fetched message and what classifying it gave. */
typedef struct {
	uint32_t uid;
	size_t read, size;      /* bytes fetched, of the message's size */
	bool classified;        /* result holds the classification (else error) */
	classify_result result; /* cleared by whoever consumes it; then set classified false */
	GError *error;          /* why it could not be classified */
} scan_message;

/*
 * Starts fetching uids[0..n) in batches of batch over session, which is
 * then the feed's until scan_feed_free.  The uids, config, classifier and
 * stop flag must outlive the feed.  A set *stop ends the fetch early.
 * threads classify (at least one); with more than one, the classifier must
 * have been readied with classifier_prepare_threads.
 */
scan_feed *scan_feed_new(imap_session *session, const classifier *c, const dm_config *config,
                         const uint32_t *uids, size_t n, size_t batch, unsigned threads,
                         volatile sig_atomic_t *stop);

/*
 * Waits for the next batch to be fetched.  False when every batch was
 * handed out (or the fetch broke off before it).  *count is the number of its
 * messages (UIDs that vanished meanwhile are missing, so it may be 0);
 * *complete tells whether every UID of the batch was asked for and
 * answered (false when the fetch broke off, with *error set, or was
 * stopped).  The messages of the previous batch are freed.
 */
bool scan_feed_next(scan_feed *feed, size_t *count, bool *complete, GError **error);

/* The UID the current batch ends with (its last asked-for UID). */
uint32_t scan_feed_batch_last_uid(const scan_feed *feed);

/* Message i of the current batch, once classified (waits until it is). */
scan_message *scan_feed_message(scan_feed *feed, size_t i);

/* Waits for whatever is still fetched or classified, then frees. */
void scan_feed_free(scan_feed *feed);

#endif
