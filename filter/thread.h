/*
 * Threading: which message answers which.
 *
 * dunmail links a client's reply to an invoice first through its thread:
 * the reply answers the e-mail that sent the invoice or one of dunmail's
 * reminders.  This module is pure: the caller hands in header values and
 * gets threads back; the store keeps whatever it wants of the result.
 *
 * - Message-ID, In-Reply-To and References values are parsed tolerantly:
 *   comments, quoted strings and other garbage between ids are skipped,
 *   folded white space inside an id is removed, a value without any angle
 *   brackets is read as bare ids, duplicates are dropped.  Ids are returned
 *   without their angle brackets and compared byte for byte.
 * - thread_build() is the JWZ algorithm as RFC 5256 THREAD=REFERENCES
 *   specifies it (dummy containers for missing messages, loops refused,
 *   duplicate Message-IDs kept apart, dummies pruned, siblings ordered by
 *   sent date then by input position), with two optional fallbacks:
 *   Outlook's Thread-Index for messages that carry no reference at all, and
 *   grouping by base subject, only among messages with equal group keys.
 * - thread_subject_base() strips reply and forward prefixes in the
 *   languages dunmail's clients write, list tags and "(fwd)" trailers.
 * - thread_find_replied() answers the filter's question for one new
 *   message: which known messages does it answer, nearest first.
 *
 * Memory: every returned pointer belongs to the caller unless stated
 * otherwise; strings are freed with g_free, arrays with g_ptr_array_unref
 * (their elements go with them), forests with thread_forest_free.
 */
#ifndef DUNMAIL_FILTER_THREAD_H
#define DUNMAIL_FILTER_THREAD_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Message-ID values ---------------------------------------------- */

/*
 * The first id in a Message-ID (or In-Reply-To) header value, without its
 * angle brackets and with white space removed, or NULL when the value holds
 * none.  value may be NULL.
 */
char *thread_id_normalise(const char *value);

/*
 * Every id in a References (or In-Reply-To) value, in header order, each
 * normalised as above; a repeated id keeps its first place.  value may be
 * NULL.  Never NULL: an empty array when there is no id.  Elements are
 * char * freed with the array.
 */
GPtrArray *thread_references_split(const char *value);

/* ---- Outlook Thread-Index ------------------------------------------- */

/* Bytes of the conversation part of a Thread-Index, and of each reply block. */
#define THREAD_INDEX_HEADER_SIZE 22
#define THREAD_INDEX_BLOCK_SIZE 5

/*
 * Decodes a Thread-Index value (base64, folding white space allowed) into
 * its key: the bytes as lower-case hex, which is what the other Thread-Index
 * functions and ThreadLookup take.  Fails with DM_ERROR_INPUT when the value
 * is not base64 or not 22 bytes plus whole 5-byte blocks.
 */
char *thread_index_normalise(const char *value, GError **error);

/* How many 5-byte reply blocks a key has (0 for a conversation's start). */
size_t thread_index_depth(const char *key);

/*
 * The key of the message this key's message answers (the key less its last
 * block), or NULL when the key starts a conversation or is not a key.
 */
char *thread_index_parent_key(const char *key);

/* True when reply_key extends original_key by one or more blocks. */
bool thread_index_is_reply_of(const char *reply_key, const char *original_key);

/* ---- Subjects ------------------------------------------------------- */

/*
 * The base subject of a decoded UTF-8 Subject value, after RFC 5256
 * section 2.1 extended to the reply and forward prefixes of dunmail's
 * languages: Re, Fw, Fwd, AW, WG, Odp, PD, Antw, Antw., Doorst, SV, VS, VB,
 * VL, R, RIF, I, RV, RES, ENC, TR, Réf, Ref, Отг, Отн, Пр, Препр, Отв, Пер,
 * YNT, İLT, ΑΠ, ΣΧΕΤ, ΠΡΘ, 回复, 转发 (any case), counters ("Re[2]:",
 * "Re(2):"), "Re :" with French spacing (also a no-break space), fullwidth
 * colons, "[list]" tags, "(fwd)" trailers and "[fwd: ...]" wrappers.  White space is collapsed to
 * single spaces; case is kept.  subject may be NULL (gives "").
 * is_reply_or_forward, when not NULL, tells whether anything of the above
 * but list tags and white space was removed.
 */
char *thread_subject_base(const char *subject, bool *is_reply_or_forward);

/*
 * The base subject case-folded and Unicode-normalised: equal keys mean
 * "same subject" for grouping.
 */
char *thread_subject_key(const char *subject);

/* ---- Threading a set of messages ------------------------------------ */

/*
 * One message to thread.  Every string is a raw header value as found in
 * the message (NULL when the header is absent) except subject, which is
 * the decoded UTF-8 text.  The strings are only read during the call.
 */
typedef struct {
	const char *message_id;
	const char *in_reply_to;
	const char *references;
	const char *thread_index;
	const char *subject;
	/*
	 * Messages are joined by subject only when their group keys are equal
	 * strings (dunmail passes the client id); NULL never joins by subject.
	 */
	const char *group_key;
	/* Sent date in Unix seconds: the Date header, else the arrival time. */
	int64_t date;
} ThreadMessage;

typedef enum {
	/* Link messages without any reference through their Thread-Index. */
	THREAD_USE_THREAD_INDEX = 1 << 0,
	/* RFC 5256 step 5: gather threads with the same base subject. */
	THREAD_JOIN_BY_SUBJECT = 1 << 1,
} ThreadFlags;

/* How a node came under its parent: the strength of the evidence. */
typedef enum {
	THREAD_LINK_NONE,       /* a root */
	THREAD_LINK_REFERENCES, /* References or In-Reply-To */
	THREAD_LINK_THREAD_INDEX,
	THREAD_LINK_SUBJECT,
} ThreadLink;

/* ThreadNode.message of a node that stands for a missing message. */
#define THREAD_DUMMY (-1)

typedef struct ThreadNode ThreadNode;
/* A read-only node of a forest; it lives as long as its forest. */
struct ThreadNode {
	ThreadNode *parent;       /* NULL for a root */
	ThreadNode *first_child;  /* children in order, by next_sibling */
	ThreadNode *next_sibling; /* the roots are siblings too */
	int message;              /* index into the caller's array, or THREAD_DUMMY */
	ThreadLink link;
};

typedef struct ThreadForest ThreadForest;

/*
 * Threads n messages (n <= INT_MAX) the RFC 5256 REFERENCES way, plus what
 * flags ask.  A dummy node remains only as a root with several children.
 * Of a References header only the last 1000 ids are read.  Never fails.
 */
ThreadForest *thread_build(const ThreadMessage *messages, size_t n, ThreadFlags flags);

/*
 * RFC 5256 ORDEREDSUBJECT: one thread per base subject (among equal group
 * keys; a message with a NULL group key is a thread of its own), the
 * earliest message as parent of the others.  Only subject and date are read.
 */
ThreadForest *thread_build_by_subject(const ThreadMessage *messages, size_t n);

void thread_forest_free(ThreadForest *forest);

/* The first root (the others follow by next_sibling), NULL when empty. */
const ThreadNode *thread_forest_roots(const ThreadForest *forest);

/* The node of message index (< n). */
const ThreadNode *thread_forest_node(const ThreadForest *forest, size_t message);

/* The nearest ancestor that is a real message, or -1. */
int thread_forest_parent(const ThreadForest *forest, size_t message);

/*
 * The forest in RFC 5256 thread-list syntax with 1-based message numbers,
 * e.g. "(3 2)(1)" or "(1 (2 4)(3))"; "" for an empty forest.
 */
char *thread_forest_format(const ThreadForest *forest);

/* ---- One new message ------------------------------------------------ */

/*
 * How the caller tells which messages it knows.  has_message_id gets a
 * normalised id.  find_by_thread_index (may be NULL) gets a Thread-Index
 * key (see thread_index_normalise) and returns the normalised Message-ID of
 * the known message with exactly that Thread-Index as a new string, or NULL.
 */
typedef struct {
	bool (*has_message_id)(const char *message_id, void *user_data);
	char *(*find_by_thread_index)(const char *thread_index_key, void *user_data);
	void *user_data;
} ThreadLookup;

/*
 * The known Message-IDs a new message answers, nearest first: the
 * In-Reply-To id, then the References from last to first, then the known
 * Thread-Index ancestors from nearest to farthest; each id once.  Any
 * argument but lookup may be NULL.  Never NULL: an empty array when the
 * message answers nothing known.  Elements are char *.
 */
GPtrArray *thread_find_replied(const char *in_reply_to, const char *references,
                               const char *thread_index, const ThreadLookup *lookup);

/*
 * The same with hash sets: known_ids holds normalised Message-IDs as keys;
 * known_thread_indexes (may be NULL) maps Thread-Index keys to normalised
 * Message-IDs.  The tables are only read.
 */
GPtrArray *thread_find_replied_in_set(const char *in_reply_to, const char *references,
                                      const char *thread_index, GHashTable *known_ids,
                                      GHashTable *known_thread_indexes);

#endif
