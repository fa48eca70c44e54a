/*
 * Fetching and classifying ahead of the store (see scan-feed.h).
 *
 * One fetch thread owns the IMAP session for the folder and fetches batch
 * after batch, up to SCAN_FEED_AHEAD batches ahead of the one being
 * stored, so the server is never kept waiting for the store.  Every message
 * is pushed to the classifying pool the moment it has arrived; by the time
 * the caller reaches it, it is usually classified already.
 */
#include "cli/scan-feed.h"

#include <glib.h>

/* Batches fetched beyond the one being stored: enough to cover a round trip. */
#define SCAN_FEED_AHEAD 2

typedef struct {
	scan_message message;
	GBytes *data; /* the raw message, until it is classified */
	bool ready;   /* classified (or failed to be); guarded by feed->lock */
} scan_feed_item;

typedef struct {
	size_t first, n;  /* uids[first .. first + n) */
	GPtrArray *items; /* scan_feed_item *, in UID order */
	bool fetched;     /* imap_fetch returned true (all answered, or stopped) */
	GError *error;
} scan_batch;

struct scan_feed {
	imap_session *session;
	const classifier *classifier;
	const dm_config *config;
	const uint32_t *uids;
	size_t n, batch;
	volatile sig_atomic_t *stop;
	GThreadPool *pool;
	GThread *fetcher;
	GMutex lock;
	GCond ready;     /* an item was classified */
	GCond changed;   /* a batch was fetched or handed out; the fetcher ended */
	GQueue fetched;  /* scan_batch *, fetched and waiting for the caller */
	bool closing;    /* the caller wants no more batches */
	bool fetcher_done;
	scan_batch *current; /* the batch handed out */
};

static void
scan_feed_item_free(gpointer data)
{
	scan_feed_item *item = data;

	if (item->message.classified)
		classify_result_clear(&item->message.result);
	g_clear_error(&item->message.error);
	if (item->data != NULL)
		g_bytes_unref(item->data);
	g_free(item);
}

/* In a pool thread: classify one message and tell whoever waits for it. */
static void
scan_feed_classify(gpointer data, gpointer user)
{
	scan_feed_item *item = data;
	scan_feed *feed = user;
	gsize length;
	const char *bytes = g_bytes_get_data(item->data, &length);

	item->message.classified = classify_message(feed->classifier, feed->config, bytes, length,
	                                            false, &item->message.result,
	                                            &item->message.error);
	g_bytes_unref(item->data);
	item->data = NULL;
	g_mutex_lock(&feed->lock);
	item->ready = true;
	g_cond_broadcast(&feed->ready);
	g_mutex_unlock(&feed->lock);
}

typedef struct {
	scan_feed *feed;
	scan_batch *batch;
} scan_arrival;

/* In the fetch thread, for each message as it arrives. */
static bool
scan_feed_arrived(const imap_fetched *fetched, void *user)
{
	scan_arrival *arrival = user;
	scan_feed_item *item;

	if (*arrival->feed->stop)
		return false;
	item = g_new0(scan_feed_item, 1);
	item->message.uid = fetched->uid;
	item->message.read = fetched->length;
	item->message.size = fetched->size;
	item->data = g_bytes_new(fetched->data, fetched->length);
	g_ptr_array_add(arrival->batch->items, item);
	g_thread_pool_push(arrival->feed->pool, item, NULL);
	return true;
}

/* The fetch thread: batch after batch, never more than SCAN_FEED_AHEAD waiting. */
static gpointer
scan_feed_fetch(gpointer data)
{
	scan_feed *feed = data;

	for (size_t next = 0; next < feed->n;) {
		scan_batch *batch;
		scan_arrival arrival;
		bool go_on, fetched;

		g_mutex_lock(&feed->lock);
		while (g_queue_get_length(&feed->fetched) >= SCAN_FEED_AHEAD && !feed->closing)
			g_cond_wait(&feed->changed, &feed->lock);
		go_on = !feed->closing && !*feed->stop;
		g_mutex_unlock(&feed->lock);
		if (!go_on)
			break;
		batch = g_new0(scan_batch, 1);
		batch->first = next;
		batch->n = MIN(feed->batch, feed->n - next);
		batch->items = g_ptr_array_new_with_free_func(scan_feed_item_free);
		arrival = (scan_arrival){feed, batch};
		fetched = imap_fetch(feed->session, feed->uids + next, batch->n, feed->batch,
		                     SCAN_READ_LIMIT, scan_feed_arrived, &arrival, &batch->error);
		batch->fetched = fetched;
		next += batch->n;
		/* Once queued, the batch is the caller's: it may be freed at once. */
		g_mutex_lock(&feed->lock);
		g_queue_push_tail(&feed->fetched, batch);
		g_cond_broadcast(&feed->changed);
		g_mutex_unlock(&feed->lock);
		/* A broken session or a signal: the batches after it cannot follow. */
		if (!fetched || *feed->stop)
			break;
	}
	g_mutex_lock(&feed->lock);
	feed->fetcher_done = true;
	g_cond_broadcast(&feed->changed);
	g_mutex_unlock(&feed->lock);
	return NULL;
}

static void
scan_feed_wait_ready(scan_feed *feed, scan_feed_item *item)
{
	g_mutex_lock(&feed->lock);
	while (!item->ready)
		g_cond_wait(&feed->ready, &feed->lock);
	g_mutex_unlock(&feed->lock);
}

/* Frees a batch once none of its messages is being classified any more. */
static void
scan_batch_release(scan_feed *feed, scan_batch *batch)
{
	if (batch == NULL)
		return;
	for (guint i = 0; i < batch->items->len; i++)
		scan_feed_wait_ready(feed, g_ptr_array_index(batch->items, i));
	g_ptr_array_unref(batch->items);
	g_clear_error(&batch->error);
	g_free(batch);
}

scan_feed *
scan_feed_new(imap_session *session, const classifier *c, const dm_config *config,
              const uint32_t *uids, size_t n, size_t batch, unsigned threads,
              volatile sig_atomic_t *stop)
{
	scan_feed *feed = g_new0(scan_feed, 1);

	feed->session = session;
	feed->classifier = c;
	feed->config = config;
	feed->uids = uids;
	feed->n = n;
	feed->batch = MAX(batch, 1);
	feed->stop = stop;
	g_mutex_init(&feed->lock);
	g_cond_init(&feed->ready);
	g_cond_init(&feed->changed);
	g_queue_init(&feed->fetched);
	/* Exclusive threads, started now and kept: each keeps its own
	 * per-thread matchers warm for the whole folder. */
	feed->pool = g_thread_pool_new(scan_feed_classify, feed, (gint)MAX(threads, 1), TRUE, NULL);
	feed->fetcher = g_thread_new("fetch", scan_feed_fetch, feed);
	return feed;
}

bool
scan_feed_next(scan_feed *feed, size_t *count, bool *complete, GError **error)
{
	scan_batch *batch;

	*count = 0;
	*complete = false;
	scan_batch_release(feed, feed->current);
	feed->current = NULL;
	g_mutex_lock(&feed->lock);
	while (g_queue_is_empty(&feed->fetched) && !feed->fetcher_done)
		g_cond_wait(&feed->changed, &feed->lock);
	batch = g_queue_pop_head(&feed->fetched);
	if (batch != NULL)
		g_cond_broadcast(&feed->changed);
	g_mutex_unlock(&feed->lock);
	if (batch == NULL)
		return false;
	feed->current = batch;
	*count = batch->items->len;
	*complete = batch->fetched && !*feed->stop;
	if (!batch->fetched && batch->error != NULL)
		g_propagate_error(error, g_steal_pointer(&batch->error));
	return true;
}

uint32_t
scan_feed_batch_last_uid(const scan_feed *feed)
{
	const scan_batch *batch = feed->current;

	return batch != NULL && batch->n > 0 ? feed->uids[batch->first + batch->n - 1] : 0;
}

scan_message *
scan_feed_message(scan_feed *feed, size_t i)
{
	scan_feed_item *item = g_ptr_array_index(feed->current->items, (guint)i);

	scan_feed_wait_ready(feed, item);
	return &item->message;
}

void
scan_feed_free(scan_feed *feed)
{
	scan_batch *batch;

	if (feed == NULL)
		return;
	g_mutex_lock(&feed->lock);
	feed->closing = true;
	g_cond_broadcast(&feed->changed);
	g_mutex_unlock(&feed->lock);
	/* A fetch under way finishes its batch (at most one batch of mail). */
	g_thread_join(feed->fetcher);
	scan_batch_release(feed, feed->current);
	while ((batch = g_queue_pop_head(&feed->fetched)) != NULL)
		scan_batch_release(feed, batch);
	g_thread_pool_free(feed->pool, FALSE, TRUE);
	g_mutex_clear(&feed->lock);
	g_cond_clear(&feed->ready);
	g_cond_clear(&feed->changed);
	g_free(feed);
}
