/*
 * Message-ID values, Outlook Thread-Index keys, and the single-message
 * question "which known message does this one answer".
 */
#include "filter/thread.h"

#include <string.h>

#include "common/util.h"

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skips a parenthesised comment (comments nest, "\" quotes a character). */
static const char *
skip_comment(const char *p)
{
	int depth = 0;
	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	return p;
}

static const char *
skip_quoted(const char *p)
{
	for (p++; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return p;
}

/* The ids found so far, and a set of them: References can be very long. */
typedef struct {
	GPtrArray *ids;
	GHashTable *seen;
} IdList;

static void
add_id(IdList *list, GString *id)
{
	if (g_hash_table_contains(list->seen, id->str))
		return;
	char *copy = g_strdup(id->str);
	g_ptr_array_add(list->ids, copy);
	g_hash_table_add(list->seen, copy);
}

/*
 * Reads "<...>" starting at p.  A missing ">" ends the id at the next "<"
 * or at the end, because broken mailers truncate rather than nest.  White
 * space inside comes from folding and is dropped; content without "@" is
 * taken only when it had no white space, so that "<Your message of ...>"
 * style prose is not mistaken for an id.
 */
static const char *
scan_bracketed(const char *p, IdList *ids)
{
	GString *id = g_string_new(NULL);
	bool had_space = false;
	for (p++; *p != '\0' && *p != '>' && *p != '<'; p++) {
		if (is_space(*p))
			had_space = true;
		else
			g_string_append_c(id, *p);
	}
	if (*p == '>')
		p++;
	if (id->len > 0 && (strchr(id->str, '@') != NULL || !had_space))
		add_id(ids, id);
	g_string_free(id, TRUE);
	return p;
}

/*
 * A value without any "<" (a broken mailer's bare "id@host") is read as a
 * list of bare words; words with "@" are ids.
 */
static void
scan_bare(const char *value, IdList *ids)
{
	const char *p = value;
	while (*p != '\0') {
		if (is_space(*p) || *p == ',' || *p == ';') {
			p++;
		} else if (*p == '(') {
			p = skip_comment(p);
		} else if (*p == '"') {
			p = skip_quoted(p);
		} else {
			GString *word = g_string_new(NULL);
			while (*p != '\0' && !is_space(*p) && *p != ',' && *p != ';' && *p != '(' &&
			       *p != '"')
				g_string_append_c(word, *p++);
			if (strchr(word->str, '@') != NULL && word->str[0] != '@' &&
			    word->str[word->len - 1] != '@')
				add_id(ids, word);
			g_string_free(word, TRUE);
		}
	}
}

GPtrArray *
thread_references_split(const char *value)
{
	IdList list = {g_ptr_array_new_with_free_func(g_free),
	               g_hash_table_new(g_str_hash, g_str_equal)};
	if (value == NULL) {
		/* Nothing to read. */
	} else if (strchr(value, '<') == NULL) {
		scan_bare(value, &list);
	} else {
		const char *p = value;
		while (*p != '\0') {
			if (*p == '<')
				p = scan_bracketed(p, &list);
			else if (*p == '(')
				p = skip_comment(p);
			else if (*p == '"')
				p = skip_quoted(p);
			else
				p++;
		}
	}
	g_hash_table_unref(list.seen);
	return list.ids;
}

char *
thread_id_normalise(const char *value)
{
	GPtrArray *ids = thread_references_split(value);
	char *first = ids->len > 0 ? g_strdup(ids->pdata[0]) : NULL;
	g_ptr_array_unref(ids);
	return first;
}

/* ---- Thread-Index ----------------------------------------------------- */

static bool
is_base64_char(char c)
{
	return g_ascii_isalnum(c) || c == '+' || c == '/';
}

char *
thread_index_normalise(const char *value, GError **error)
{
	if (value == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "Thread-Index: the header is missing");
		return NULL;
	}
	/* Collect the base64 text without folding white space, checking it. */
	GString *text = g_string_new(NULL);
	size_t padding = 0;
	for (const char *p = value; *p != '\0'; p++) {
		if (is_space(*p))
			continue;
		if (*p == '=' && text->len > 0) {
			padding++;
		} else if (is_base64_char(*p) && padding == 0) {
			g_string_append_c(text, *p);
			continue;
		} else {
			g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			            "Thread-Index: \"%s\" is not base64 (at character %d)", value,
			            (int)(p - value) + 1);
			g_string_free(text, TRUE);
			return NULL;
		}
	}
	if (padding > 2 || (text->len + padding) % 4 == 1 ||
	    (padding > 0 && (text->len + padding) % 4 != 0)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "Thread-Index: \"%s\" is not base64",
		            value);
		g_string_free(text, TRUE);
		return NULL;
	}
	gsize length = 0;
	/* g_base64_decode accepts unpadded input: a missing "=" is common. */
	while (text->len % 4 != 0)
		g_string_append_c(text, '=');
	guchar *bytes = g_base64_decode(text->str, &length);
	g_string_free(text, TRUE);
	if (length < THREAD_INDEX_HEADER_SIZE ||
	    (length - THREAD_INDEX_HEADER_SIZE) % THREAD_INDEX_BLOCK_SIZE != 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "Thread-Index: \"%s\" has %zu bytes, not 22 plus 5-byte blocks", value,
		            (size_t)length);
		g_free(bytes);
		return NULL;
	}
	GString *key = g_string_sized_new(length * 2);
	for (gsize i = 0; i < length; i++)
		g_string_append_printf(key, "%02x", bytes[i]);
	g_free(bytes);
	return g_string_free(key, FALSE);
}

/* A key is lower-case hex of 22 + 5k bytes. */
static bool
key_valid(const char *key)
{
	if (key == NULL)
		return false;
	size_t length = strlen(key);
	if (length < 2 * THREAD_INDEX_HEADER_SIZE ||
	    (length - 2 * THREAD_INDEX_HEADER_SIZE) % (2 * THREAD_INDEX_BLOCK_SIZE) != 0)
		return false;
	for (const char *p = key; *p != '\0'; p++) {
		if (!g_ascii_isxdigit(*p) || g_ascii_isupper(*p))
			return false;
	}
	return true;
}

size_t
thread_index_depth(const char *key)
{
	if (!key_valid(key))
		return 0;
	return (strlen(key) - 2 * THREAD_INDEX_HEADER_SIZE) / (2 * THREAD_INDEX_BLOCK_SIZE);
}

char *
thread_index_parent_key(const char *key)
{
	if (thread_index_depth(key) == 0)
		return NULL;
	return g_strndup(key, strlen(key) - 2 * THREAD_INDEX_BLOCK_SIZE);
}

bool
thread_index_is_reply_of(const char *reply_key, const char *original_key)
{
	if (!key_valid(reply_key) || !key_valid(original_key))
		return false;
	size_t original_length = strlen(original_key);
	return strlen(reply_key) > original_length &&
	       strncmp(reply_key, original_key, original_length) == 0;
}

/* ---- One new message ------------------------------------------------- */

static void
add_unique(GPtrArray *found, const char *id)
{
	for (guint i = 0; i < found->len; i++) {
		if (strcmp(found->pdata[i], id) == 0)
			return;
	}
	g_ptr_array_add(found, g_strdup(id));
}

GPtrArray *
thread_find_replied(const char *in_reply_to, const char *references, const char *thread_index,
                    const ThreadLookup *lookup)
{
	GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
	g_return_val_if_fail(lookup != NULL && lookup->has_message_id != NULL, found);

	/*
	 * In-Reply-To names the direct parent by definition; References may be
	 * truncated in the middle by long threads, but its last entries are the
	 * nearest ancestors, so it is read backwards.
	 */
	char *parent = thread_id_normalise(in_reply_to);
	if (parent != NULL && lookup->has_message_id(parent, lookup->user_data))
		add_unique(found, parent);
	g_free(parent);

	GPtrArray *ids = thread_references_split(references);
	for (guint i = ids->len; i > 0; i--) {
		const char *id = ids->pdata[i - 1];
		if (lookup->has_message_id(id, lookup->user_data))
			add_unique(found, id);
	}
	g_ptr_array_unref(ids);

	if (thread_index == NULL || lookup->find_by_thread_index == NULL)
		return found;
	/*
	 * A broken Thread-Index is ignored: it is only a fallback, and the
	 * message may still be matched by other means.
	 */
	char *key = thread_index_normalise(thread_index, NULL);
	char *ancestor = thread_index_parent_key(key);
	while (ancestor != NULL) {
		char *id = lookup->find_by_thread_index(ancestor, lookup->user_data);
		if (id != NULL)
			add_unique(found, id);
		g_free(id);
		char *next = thread_index_parent_key(ancestor);
		g_free(ancestor);
		ancestor = next;
	}
	g_free(key);
	return found;
}

typedef struct {
	GHashTable *known_ids;
	GHashTable *known_thread_indexes;
} SetLookup;

static bool
set_has_message_id(const char *message_id, void *user_data)
{
	const SetLookup *sets = user_data;
	return g_hash_table_contains(sets->known_ids, message_id);
}

static char *
set_find_by_thread_index(const char *key, void *user_data)
{
	const SetLookup *sets = user_data;
	return g_strdup(g_hash_table_lookup(sets->known_thread_indexes, key));
}

GPtrArray *
thread_find_replied_in_set(const char *in_reply_to, const char *references,
                           const char *thread_index, GHashTable *known_ids,
                           GHashTable *known_thread_indexes)
{
	g_return_val_if_fail(known_ids != NULL, g_ptr_array_new_with_free_func(g_free));
	SetLookup sets = {known_ids, known_thread_indexes};
	ThreadLookup lookup = {
	    .has_message_id = set_has_message_id,
	    .find_by_thread_index = known_thread_indexes != NULL ? set_find_by_thread_index : NULL,
	    .user_data = &sets,
	};
	return thread_find_replied(in_reply_to, references, thread_index, &lookup);
}
