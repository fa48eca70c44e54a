/*
 * Fetching and classifying ahead of the store (see scan-feed.h).
 *
 * Two batch slots take turns: while the caller stores the messages of one,
 * the fetch thread fills the other.  Every message is pushed to the
 * classifying pool the moment it has arrived, so by the time the caller
 * reaches it, it is usually classified already.  The IMAP session is only
 * used by one fetch thread at a time: a batch is fetched only after the
 * previous fetch was joined.
 */
#include "cli/scan-feed.h"

#include <glib.h>

typedef struct {
	scan_message message;
	GBytes *data; /* the raw message, until it is classified */
	bool ready;   /* classified (or failed to be); guarded by feed->lock */
} scan_feed_item;

typedef struct {
	scan_feed *feed;
	size_t first, n;  /* uids[first .. first + n) */
	GPtrArray *items; /* scan_feed_item *, in UID order; NULL: slot unused */
	bool fetched;
	GError *error;
	GThread *thread;
} scan_fetch_job;

struct scan_feed {
	imap_session *session;
	const classifier *classifier;
	const dm_config *config;
	const uint32_t *uids;
	size_t n, batch;
	size_t next; /* index of the first UID no fetch has asked for */
	volatile sig_atomic_t *stop;
	GThreadPool *pool;
	GMutex lock;
	GCond ready;
	scan_fetch_job jobs[2];
	int current;  /* jobs[current] is the batch handed out, once started */
	bool started; /* a batch was handed out */
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
	g_clear_pointer(&item->data, g_bytes_unref);
	g_mutex_lock(&feed->lock);
	item->ready = true;
	g_cond_broadcast(&feed->ready);
	g_mutex_unlock(&feed->lock);
}

/* In the fetch thread, for each message as it arrives. */
static bool
scan_feed_arrived(uint32_t uid, const char *data, size_t length, void *user)
{
	scan_fetch_job *job = user;
	scan_feed_item *item;

	if (*job->feed->stop)
		return false;
	item = g_new0(scan_feed_item, 1);
	item->message.uid = uid;
	item->data = g_bytes_new(data, length);
	g_ptr_array_add(job->items, item);
	g_thread_pool_push(job->feed->pool, item, NULL);
	return true;
}

static gpointer
scan_feed_fetch(gpointer data)
{
	scan_fetch_job *job = data;
	scan_feed *feed = job->feed;

	job->fetched = imap_fetch(feed->session, feed->uids + job->first, job->n, feed->batch,
	                          scan_feed_arrived, job, &job->error);
	return NULL;
}

/* Starts fetching the next UIDs into a slot; nothing when all were asked for. */
static void
scan_feed_start(scan_feed *feed, scan_fetch_job *job)
{
	if (feed->next >= feed->n)
		return;
	job->feed = feed;
	job->first = feed->next;
	job->n = MIN(feed->batch, feed->n - feed->next);
	feed->next += job->n;
	job->items = g_ptr_array_new_with_free_func(scan_feed_item_free);
	job->fetched = false;
	job->error = NULL;
	job->thread = g_thread_new("fetch", scan_feed_fetch, job);
}

static void
scan_feed_wait_ready(scan_feed *feed, scan_feed_item *item)
{
	g_mutex_lock(&feed->lock);
	while (!item->ready)
		g_cond_wait(&feed->ready, &feed->lock);
	g_mutex_unlock(&feed->lock);
}

/* Empties a slot: its fetch joined, its messages classified, then freed. */
static void
scan_feed_release(scan_feed *feed, scan_fetch_job *job)
{
	if (job->thread != NULL)
		g_thread_join(job->thread);
	job->thread = NULL;
	if (job->items != NULL) {
		for (guint i = 0; i < job->items->len; i++)
			scan_feed_wait_ready(feed, g_ptr_array_index(job->items, i));
		g_ptr_array_unref(job->items);
	}
	job->items = NULL;
	g_clear_error(&job->error);
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
	/* Exclusive threads, started now and kept: each keeps its own
	 * per-thread matchers warm for the whole folder. */
	feed->pool = g_thread_pool_new(scan_feed_classify, feed, (gint)MAX(threads, 1), TRUE, NULL);
	scan_feed_start(feed, &feed->jobs[0]);
	return feed;
}

bool
scan_feed_next(scan_feed *feed, size_t *count, bool *complete, GError **error)
{
	scan_fetch_job *job;

	*count = 0;
	*complete = false;
	if (feed->started) {
		scan_feed_release(feed, &feed->jobs[feed->current]);
		feed->current = 1 - feed->current;
	}
	feed->started = true;
	job = &feed->jobs[feed->current];
	if (job->items == NULL)
		return false;
	g_thread_join(job->thread);
	job->thread = NULL;
	*count = job->items->len;
	*complete = job->fetched && !*feed->stop;
	if (!job->fetched && job->error != NULL)
		g_propagate_error(error, g_steal_pointer(&job->error));
	/* The next batch travels while this one is stored. */
	if (*complete)
		scan_feed_start(feed, &feed->jobs[1 - feed->current]);
	return true;
}

uint32_t
scan_feed_batch_last_uid(const scan_feed *feed)
{
	const scan_fetch_job *job = &feed->jobs[feed->current];

	return job->n > 0 ? feed->uids[job->first + job->n - 1] : 0;
}

scan_message *
scan_feed_message(scan_feed *feed, size_t i)
{
	scan_feed_item *item = g_ptr_array_index(feed->jobs[feed->current].items, (guint)i);

	scan_feed_wait_ready(feed, item);
	return &item->message;
}

void
scan_feed_free(scan_feed *feed)
{
	if (feed == NULL)
		return;
	scan_feed_release(feed, &feed->jobs[0]);
	scan_feed_release(feed, &feed->jobs[1]);
	g_thread_pool_free(feed->pool, FALSE, TRUE);
	g_mutex_clear(&feed->lock);
	g_cond_clear(&feed->ready);
	g_free(feed);
}
