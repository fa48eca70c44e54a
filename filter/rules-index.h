/*
 * The word index of a rule set: which patterns a reply cannot match, found
 * by looking its words up once instead of running every pattern.
 *
 * When a pack is read, each pattern is read for what it requires: concepts
 * named outside any group ({pay-done}), words it starts a group's every
 * branch with ((?:follow|come\s+through) requires "follow" or "come"), and
 * literal words outside groups.  Each requirement is a set of anchors, any
 * of which will do; an anchor is a concept (its items' first words) or a
 * word prefix.  When a reply is classified, its folded words (and their
 * prefixes) are looked up in the index of each language tried, which marks
 * the anchors present; a pattern runs only when every one of its
 * requirements has an anchor present.  The index only ever says "may
 * match": an anchor that cannot be keyed (a /regex/ item) counts as present.
 *
 * Private to filter/rules*.c.
 */
#ifndef DUNMAIL_FILTER_RULES_INDEX_H
#define DUNMAIL_FILTER_RULES_INDEX_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "filter/lexicon.h"

/* One language's index. */
typedef struct rules_index rules_index;

rules_index *rules_index_new(void);
void rules_index_free(gpointer index);

/*
 * The requirements of one pattern, as written in its pack (unexpanded):
 * a GPtrArray of GArray of guint anchor ids (each array: any of them), or
 * NULL when nothing can be said.  Anchors are added to the index.
 */
GPtrArray *rules_index_requirements(rules_index *index, const lexicon *lx, const char *language,
                                    const char *source);

/*
 * A line's top-level alternatives, each a pattern of its own ("a|b" gives
 * "a" and "b"; a leading option setting such as "(?s)" goes with each), or
 * NULL when it has no alternation at its top level.  Matching the pieces
 * one by one finds what the whole finds, and each piece has requirements
 * of its own.  Free with g_strfreev.
 */
char **rules_index_split_alternatives(const char *source);

/*
 * What a pattern's match must start with: the anchors (a GArray of guint
 * ids), one of which begins every match, when the pattern starts with a
 * concept, a word after "\b", or a group whose every branch does; NULL
 * when nothing can be said.  Such a pattern need not be searched for along
 * the whole text: it is tried only where those words start
 * (rules_index_next_lead).  Call before the first rules_index_scan.
 */
GArray *rules_index_lead(rules_index *index, const lexicon *lx, const char *language,
                         const char *source);

/* What a folded text holds of an index's anchors. */
typedef struct rules_index_hits rules_index_hits;

/* Looks up the words of a folded text once: which anchors are present, and where leads start. */
rules_index_hits *rules_index_scan(const rules_index *index, const char *folded);
void rules_index_hits_free(gpointer hits);

/*
 * Does the text meet every requirement?  And how far into it can a match
 * start (*horizon): every requirement's words are consumed at or after a
 * match's start, so a match starts at or before the last word of each
 * requirement; SIZE_MAX when nothing bounds it.
 */
bool rules_index_reach(const GPtrArray *requirements, const rules_index_hits *hits,
                       size_t *horizon);

/*
 * The first byte offset in [from, to) where a word of one of the lead
 * anchors starts in the text, or SIZE_MAX.
 */
size_t rules_index_next_lead(const rules_index_hits *hits, const GArray *lead, size_t from,
                             size_t to);

#endif
