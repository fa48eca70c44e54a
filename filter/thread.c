/*
 * The JWZ threading algorithm as RFC 5256 section 3 (THREAD=REFERENCES)
 * words it, the ORDEREDSUBJECT variant, and the forest they produce.
 *
 * The steps are numbered as in the RFC so that a reader can follow along:
 * (1) link messages through their references, (2) gather the roots,
 * (3) prune dummies, (4) sort the roots, (5) gather roots by subject,
 * (6) sort every level.  Outlook's Thread-Index is an extra pass between
 * (1) and (2).
 */
#include "filter/thread.h"

#include <limits.h>
#include <string.h>

/* How many of a message's references thread_build() reads, the last ones. */
#define THREAD_MAX_REFERENCES 1000

struct ThreadForest {
	GPtrArray *nodes; /* every node ever made, owned (pruned ones too) */
	ThreadNode **by_message;
	size_t n_messages;
	ThreadNode root;               /* hidden parent of the roots while building */
	const ThreadMessage *messages; /* only during the build */
	char **subject_keys;           /* per message, made on demand during the build */
	bool *subject_replies;
};

static ThreadNode *
node_new(ThreadForest *forest, int message)
{
	ThreadNode *node = g_new0(ThreadNode, 1);
	node->message = message;
	g_ptr_array_add(forest->nodes, node);
	return node;
}

static void
node_unlink(ThreadNode *node)
{
	if (node->parent == NULL)
		return;
	ThreadNode **link = &node->parent->first_child;
	while (*link != node)
		link = &(*link)->next_sibling;
	*link = node->next_sibling;
	node->parent = NULL;
	node->next_sibling = NULL;
	node->link = THREAD_LINK_NONE;
}

static void
node_append_child(ThreadNode *parent, ThreadNode *child, ThreadLink link)
{
	ThreadNode **tail = &parent->first_child;
	while (*tail != NULL)
		tail = &(*tail)->next_sibling;
	*tail = child;
	child->parent = parent;
	child->next_sibling = NULL;
	child->link = link;
}

/* True when making child a child of parent would close a loop. */
static bool
link_makes_loop(const ThreadNode *parent, const ThreadNode *child)
{
	for (const ThreadNode *n = parent; n != NULL; n = n->parent) {
		if (n == child)
			return true;
	}
	return false;
}

/* ---- (1) references ---------------------------------------------------- */

/* The node of an id, made as a dummy when no message has it yet. */
static ThreadNode *
node_for_id(ThreadForest *forest, GHashTable *by_id, const char *id)
{
	ThreadNode *node = g_hash_table_lookup(by_id, id);
	if (node == NULL) {
		node = node_new(forest, THREAD_DUMMY);
		g_hash_table_insert(by_id, g_strdup(id), node);
	}
	return node;
}

/* The ids a message refers to: References, else In-Reply-To's first id. */
static GPtrArray *
message_references(const ThreadMessage *message, const char *own_id)
{
	GPtrArray *refs = thread_references_split(message->references);
	if (refs->len == 0) {
		char *parent = thread_id_normalise(message->in_reply_to);
		if (parent != NULL)
			g_ptr_array_add(refs, parent);
	}
	/*
	 * Only the nearest THREAD_MAX_REFERENCES count: real chains are far
	 * shorter, and a hostile header must not make linking quadratic.
	 */
	if (refs->len > THREAD_MAX_REFERENCES)
		g_ptr_array_remove_range(refs, 0, refs->len - THREAD_MAX_REFERENCES);
	/* A message citing itself would only close a loop on itself. */
	for (guint i = refs->len; own_id != NULL && i > 0; i--) {
		if (strcmp(refs->pdata[i - 1], own_id) == 0)
			g_ptr_array_remove_index(refs, i - 1);
	}
	return refs;
}

static void
link_by_references(ThreadForest *forest, GHashTable *by_id, int index, bool *had_references)
{
	const ThreadMessage *message = &forest->messages[index];
	char *id = thread_id_normalise(message->message_id);
	ThreadNode *node = id != NULL ? g_hash_table_lookup(by_id, id) : NULL;

	/*
	 * (1A) A dummy made for this id earlier becomes this message.  A second
	 * message with the same id, or one without an id, gets a node of its
	 * own that nobody can refer to, as RFC 5256 says for duplicates.
	 */
	if (node != NULL && node->message == THREAD_DUMMY) {
		node->message = index;
	} else {
		node = node_new(forest, index);
		if (id != NULL && !g_hash_table_contains(by_id, id))
			g_hash_table_insert(by_id, g_strdup(id), node);
	}
	forest->by_message[index] = node;

	/*
	 * (1B) Chain the references, never reparenting a node that already has
	 * a parent: earlier messages' references may be more accurate.
	 */
	GPtrArray *refs = message_references(message, id);
	*had_references = refs->len > 0;
	ThreadNode *previous = NULL;
	for (guint i = 0; i < refs->len; i++) {
		ThreadNode *current = node_for_id(forest, by_id, refs->pdata[i]);
		if (previous != NULL && current->parent == NULL &&
		    !link_makes_loop(previous, current))
			node_append_child(previous, current, THREAD_LINK_REFERENCES);
		previous = current;
	}

	/*
	 * (1C) The message's own last reference is its parent: this overrides
	 * a parent guessed from another message's References, unless it would
	 * close a loop, in which case the message becomes a root.
	 */
	node_unlink(node);
	if (previous != NULL && !link_makes_loop(previous, node))
		node_append_child(previous, node, THREAD_LINK_REFERENCES);
	g_ptr_array_unref(refs);
	g_free(id);
}

/*
 * A message with no reference at all but an Outlook Thread-Index answers
 * the message whose Thread-Index is its own less one block, or the nearest
 * shorter one that exists; when none does, the replies of one conversation
 * meet under a dummy for its missing start.
 */
static void
link_by_thread_index(ThreadForest *forest, const bool *had_references)
{
	size_t n = forest->n_messages;
	GHashTable *by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char **keys = g_new0(char *, n);
	for (size_t i = 0; i < n; i++) {
		keys[i] = thread_index_normalise(forest->messages[i].thread_index, NULL);
		if (keys[i] != NULL && !g_hash_table_contains(by_key, keys[i]))
			g_hash_table_insert(by_key, g_strdup(keys[i]), forest->by_message[i]);
	}
	for (size_t i = 0; i < n; i++) {
		ThreadNode *node = forest->by_message[i];
		if (keys[i] == NULL || had_references[i] || node->parent != NULL)
			continue;
		char *ancestor = thread_index_parent_key(keys[i]);
		while (ancestor != NULL) {
			ThreadNode *parent = g_hash_table_lookup(by_key, ancestor);
			if (parent == NULL && thread_index_depth(ancestor) == 0) {
				parent = node_new(forest, THREAD_DUMMY);
				g_hash_table_insert(by_key, g_strdup(ancestor), parent);
			}
			if (parent != NULL) {
				if (!link_makes_loop(parent, node))
					node_append_child(parent, node, THREAD_LINK_THREAD_INDEX);
				g_free(ancestor);
				break;
			}
			char *next = thread_index_parent_key(ancestor);
			g_free(ancestor);
			ancestor = next;
		}
	}
	for (size_t i = 0; i < n; i++)
		g_free(keys[i]);
	g_free(keys);
	g_hash_table_unref(by_key);
}

/* ---- (2) roots and (3) pruning --------------------------------------- */

static void
gather_roots(ThreadForest *forest)
{
	for (guint i = 0; i < forest->nodes->len; i++) {
		ThreadNode *node = forest->nodes->pdata[i];
		if (node->parent == NULL)
			node_append_child(&forest->root, node, THREAD_LINK_NONE);
	}
}

/*
 * Dummies without children go; a dummy's children take its place, except
 * that several children are not promoted to the root level, where the dummy
 * stays to hold them together.  Promoted children are examined in turn.
 */
static void
prune_dummies(ThreadForest *forest, ThreadNode *parent)
{
	bool at_root = parent == &forest->root;
	ThreadNode **link = &parent->first_child;
	while (*link != NULL) {
		ThreadNode *node = *link;
		if (node->message == THREAD_DUMMY && node->first_child == NULL) {
			*link = node->next_sibling;
			node->parent = NULL;
			node->next_sibling = NULL;
			continue;
		}
		if (node->message == THREAD_DUMMY &&
		    (!at_root || node->first_child->next_sibling == NULL)) {
			ThreadNode *first = node->first_child;
			ThreadNode *last = first;
			for (ThreadNode *child = first; child != NULL;
			     child = child->next_sibling) {
				child->parent = parent;
				if (at_root)
					child->link = THREAD_LINK_NONE;
				last = child;
			}
			last->next_sibling = node->next_sibling;
			*link = first;
			node->first_child = NULL;
			node->next_sibling = NULL;
			node->parent = NULL;
			continue;
		}
		prune_dummies(forest, node);
		link = &node->next_sibling;
	}
}

/* ---- (4) and (6) sorting ------------------------------------------------ */

/* The message a node sorts and is named by: a dummy's first child's. */
static int
node_representative(const ThreadNode *node)
{
	while (node != NULL && node->message == THREAD_DUMMY)
		node = node->first_child;
	return node != NULL ? node->message : THREAD_DUMMY;
}

static gint
node_compare(gconstpointer a, gconstpointer b, gpointer user_data)
{
	const ThreadForest *forest = user_data;
	int ma = node_representative(*(ThreadNode *const *)a);
	int mb = node_representative(*(ThreadNode *const *)b);
	/* Childless dummies cannot be here after pruning; keep them last anyway. */
	if (ma == THREAD_DUMMY || mb == THREAD_DUMMY)
		return (ma == THREAD_DUMMY) - (mb == THREAD_DUMMY);
	int64_t da = forest->messages[ma].date;
	int64_t db = forest->messages[mb].date;
	/* RFC 5256 2.2: equal sent dates fall back to the sequence order. */
	if (da != db)
		return da < db ? -1 : 1;
	return (ma > mb) - (ma < mb);
}

static void
sort_children(ThreadForest *forest, ThreadNode *parent)
{
	if (parent->first_child == NULL)
		return;
	GPtrArray *children = g_ptr_array_new();
	for (ThreadNode *child = parent->first_child; child != NULL; child = child->next_sibling) {
		/* Lower levels first: a dummy sorts by its first child. */
		sort_children(forest, child);
		g_ptr_array_add(children, child);
	}
	g_ptr_array_sort_with_data(children, node_compare, forest);
	ThreadNode **link = &parent->first_child;
	for (guint i = 0; i < children->len; i++) {
		ThreadNode *child = children->pdata[i];
		*link = child;
		link = &child->next_sibling;
	}
	*link = NULL;
	g_ptr_array_free(children, TRUE);
}

/* ---- (5) subjects ------------------------------------------------------ */

static void
subject_prepare(ThreadForest *forest, int message)
{
	if (forest->subject_keys[message] != NULL)
		return;
	const ThreadMessage *m = &forest->messages[message];
	char *base = thread_subject_base(m->subject, &forest->subject_replies[message]);
	char *key = thread_subject_key(base);
	/* The group key goes first so that only one client's mail meets. */
	forest->subject_keys[message] = key[0] != '\0' && m->group_key != NULL
	                                    ? g_strconcat(m->group_key, "\n", key, NULL)
	                                    : g_strdup("");
	g_free(key);
	g_free(base);
}

/* The table key of a thread (NULL when it must not be joined) and whether it is a reply. */
static const char *
thread_subject(ThreadForest *forest, const ThreadNode *node, bool *reply)
{
	int message = node_representative(node);
	if (message == THREAD_DUMMY)
		return NULL;
	subject_prepare(forest, message);
	*reply = forest->subject_replies[message];
	const char *key = forest->subject_keys[message];
	return key[0] != '\0' ? key : NULL;
}

static void
join_by_subject(ThreadForest *forest)
{
	GHashTable *table = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *roots = g_ptr_array_new();
	for (ThreadNode *node = forest->root.first_child; node != NULL; node = node->next_sibling)
		g_ptr_array_add(roots, node);

	/*
	 * (5B) One thread per subject goes into the table, preferring a dummy
	 * (it already gathers several) and then a message that is not a reply.
	 */
	for (guint i = 0; i < roots->len; i++) {
		ThreadNode *node = roots->pdata[i];
		bool reply = false, old_reply = false;
		const char *key = thread_subject(forest, node, &reply);
		if (key == NULL)
			continue;
		ThreadNode *old = g_hash_table_lookup(table, key);
		if (old == NULL) {
			g_hash_table_insert(table, (char *)key, node);
			continue;
		}
		thread_subject(forest, old, &old_reply);
		bool dummy = node->message == THREAD_DUMMY;
		bool old_dummy = old->message == THREAD_DUMMY;
		if ((dummy && !old_dummy) || (dummy == old_dummy && old_reply && !reply))
			g_hash_table_insert(table, (char *)key, node);
	}

	/* (5C) Merge every other thread with the same subject into the table's. */
	for (guint i = 0; i < roots->len; i++) {
		ThreadNode *node = roots->pdata[i];
		bool reply = false, table_reply = false;
		if (node->parent != &forest->root)
			continue; /* already merged into a new dummy */
		const char *key = thread_subject(forest, node, &reply);
		if (key == NULL)
			continue;
		ThreadNode *kept = g_hash_table_lookup(table, key);
		if (kept == node)
			continue;
		thread_subject(forest, kept, &table_reply);
		bool dummy = node->message == THREAD_DUMMY;
		bool kept_dummy = kept->message == THREAD_DUMMY;
		if (dummy && kept_dummy) {
			while (node->first_child != NULL) {
				ThreadNode *child = node->first_child;
				node_unlink(child);
				node_append_child(kept, child, THREAD_LINK_SUBJECT);
			}
			node_unlink(node);
		} else if (kept_dummy || (reply && !table_reply && !dummy)) {
			node_unlink(node);
			node_append_child(kept, node, THREAD_LINK_SUBJECT);
		} else {
			ThreadNode *joint = node_new(forest, THREAD_DUMMY);
			node_unlink(node);
			node_unlink(kept);
			node_append_child(&forest->root, joint, THREAD_LINK_NONE);
			node_append_child(joint, kept, THREAD_LINK_SUBJECT);
			node_append_child(joint, node, THREAD_LINK_SUBJECT);
			g_hash_table_insert(table, (char *)key, joint);
		}
	}
	g_ptr_array_free(roots, TRUE);
	g_hash_table_unref(table);
}

/* ---- the forest ------------------------------------------------------- */

static ThreadForest *
forest_new(const ThreadMessage *messages, size_t n)
{
	ThreadForest *forest = g_new0(ThreadForest, 1);
	forest->nodes = g_ptr_array_new_with_free_func(g_free);
	forest->by_message = g_new0(ThreadNode *, n > 0 ? n : 1);
	forest->n_messages = n;
	forest->root.message = THREAD_DUMMY;
	forest->messages = messages;
	forest->subject_keys = g_new0(char *, n > 0 ? n : 1);
	forest->subject_replies = g_new0(bool, n > 0 ? n : 1);
	return forest;
}

/* Ends the build: the roots no longer point at the hidden root. */
static void
forest_finish(ThreadForest *forest)
{
	for (ThreadNode *node = forest->root.first_child; node != NULL; node = node->next_sibling) {
		node->parent = NULL;
		node->link = THREAD_LINK_NONE;
	}
	for (size_t i = 0; i < forest->n_messages; i++)
		g_free(forest->subject_keys[i]);
	g_clear_pointer(&forest->subject_keys, g_free);
	g_clear_pointer(&forest->subject_replies, g_free);
	forest->messages = NULL;
}

ThreadForest *
thread_build(const ThreadMessage *messages, size_t n, ThreadFlags flags)
{
	g_return_val_if_fail(n <= INT_MAX && (messages != NULL || n == 0), NULL);
	ThreadForest *forest = forest_new(messages, n);
	GHashTable *by_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	bool *had_references = g_new0(bool, n > 0 ? n : 1);

	for (size_t i = 0; i < n; i++)
		link_by_references(forest, by_id, (int)i, &had_references[i]);
	if (flags & THREAD_USE_THREAD_INDEX)
		link_by_thread_index(forest, had_references);
	gather_roots(forest);
	prune_dummies(forest, &forest->root);
	sort_children(forest, &forest->root);
	if (flags & THREAD_JOIN_BY_SUBJECT) {
		join_by_subject(forest);
		sort_children(forest, &forest->root);
	}

	g_free(had_references);
	g_hash_table_unref(by_id);
	forest_finish(forest);
	return forest;
}

/* Orders messages by subject key, then date, then position. */
static gint
subject_order_compare(gconstpointer a, gconstpointer b, gpointer user_data)
{
	ThreadForest *forest = user_data;
	int ma = (*(ThreadNode *const *)a)->message;
	int mb = (*(ThreadNode *const *)b)->message;
	int by_subject = strcmp(forest->subject_keys[ma], forest->subject_keys[mb]);
	if (by_subject != 0)
		return by_subject;
	return node_compare(a, b, user_data);
}

ThreadForest *
thread_build_by_subject(const ThreadMessage *messages, size_t n)
{
	g_return_val_if_fail(n <= INT_MAX && (messages != NULL || n == 0), NULL);
	ThreadForest *forest = forest_new(messages, n);
	GPtrArray *sorted = g_ptr_array_new();
	for (size_t i = 0; i < n; i++) {
		ThreadNode *node = node_new(forest, (int)i);
		forest->by_message[i] = node;
		/*
		 * ORDEREDSUBJECT groups empty subjects too; a message outside any
		 * group gets a key nobody else has.
		 */
		char *key = thread_subject_key(messages[i].subject);
		forest->subject_keys[i] =
		    messages[i].group_key != NULL
		        ? g_strconcat("g", messages[i].group_key, "\n", key, NULL)
		        : g_strdup_printf("n%zu", i);
		g_free(key);
		g_ptr_array_add(sorted, node);
	}
	g_ptr_array_sort_with_data(sorted, subject_order_compare, forest);
	ThreadNode *first = NULL;
	for (guint i = 0; i < sorted->len; i++) {
		ThreadNode *node = sorted->pdata[i];
		if (first != NULL && strcmp(forest->subject_keys[first->message],
		                            forest->subject_keys[node->message]) == 0) {
			node_append_child(first, node, THREAD_LINK_SUBJECT);
		} else {
			first = node;
			node_append_child(&forest->root, node, THREAD_LINK_NONE);
		}
	}
	g_ptr_array_free(sorted, TRUE);
	/* Threads in the order of their first message; children are in order. */
	GPtrArray *roots = g_ptr_array_new();
	for (ThreadNode *node = forest->root.first_child; node != NULL; node = node->next_sibling)
		g_ptr_array_add(roots, node);
	g_ptr_array_sort_with_data(roots, node_compare, forest);
	ThreadNode **link = &forest->root.first_child;
	for (guint i = 0; i < roots->len; i++) {
		*link = roots->pdata[i];
		link = &((ThreadNode *)roots->pdata[i])->next_sibling;
	}
	*link = NULL;
	g_ptr_array_free(roots, TRUE);
	forest_finish(forest);
	return forest;
}

void
thread_forest_free(ThreadForest *forest)
{
	if (forest == NULL)
		return;
	g_ptr_array_unref(forest->nodes);
	g_free(forest->by_message);
	g_free(forest);
}

const ThreadNode *
thread_forest_roots(const ThreadForest *forest)
{
	return forest->root.first_child;
}

const ThreadNode *
thread_forest_node(const ThreadForest *forest, size_t message)
{
	g_return_val_if_fail(message < forest->n_messages, NULL);
	return forest->by_message[message];
}

int
thread_forest_parent(const ThreadForest *forest, size_t message)
{
	g_return_val_if_fail(message < forest->n_messages, -1);
	for (const ThreadNode *n = forest->by_message[message]->parent; n != NULL; n = n->parent) {
		if (n->message != THREAD_DUMMY)
			return n->message;
	}
	return -1;
}

/*
 * RFC 5256 thread-members / thread-nested: a chain of only children is
 * written "1 2 3"; where a node has several children each child's subtree
 * is parenthesised after it.
 */
static void
format_thread(GString *out, const ThreadNode *node)
{
	bool wrote = false;
	for (;;) {
		if (node->message != THREAD_DUMMY) {
			if (wrote)
				g_string_append_c(out, ' ');
			g_string_append_printf(out, "%d", node->message + 1);
			wrote = true;
		}
		if (node->first_child == NULL)
			return;
		if (node->first_child->next_sibling == NULL) {
			node = node->first_child;
			continue;
		}
		if (wrote)
			g_string_append_c(out, ' ');
		for (const ThreadNode *child = node->first_child; child != NULL;
		     child = child->next_sibling) {
			g_string_append_c(out, '(');
			format_thread(out, child);
			g_string_append_c(out, ')');
		}
		return;
	}
}

char *
thread_forest_format(const ThreadForest *forest)
{
	GString *out = g_string_new(NULL);
	for (const ThreadNode *root = forest->root.first_child; root != NULL;
	     root = root->next_sibling) {
		g_string_append_c(out, '(');
		format_thread(out, root);
		g_string_append_c(out, ')');
	}
	return g_string_free(out, FALSE);
}
