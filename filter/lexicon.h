/*
 * Concept lexicons: the words of a language grouped by what they mean to a
 * credit controller ("pay-done": paid, settled, transferred, wired, ...),
 * so that a rule pack can say {we}{~3}{pay-done} once instead of listing
 * every phrase a client might type.
 *
 * A lexicon is a text file, <dir>/lexicon (concepts of every language: brand
 * names, "PayPal", "IBAN") and <dir>/<lang>/lexicon (one language's words),
 * read line by line:
 *
 *   # a comment
 *   pay-done = paid, settled, transferred, wired, remitted
 *   pay-done = paid out                  (a second line adds to the concept)
 *   zaplac   = zapłac*, *płacon*         (stems: any ending; any beginning)
 *   pay-any  = {pay-done}, {pay-future}  (another concept of the language)
 *   amount   = /\d+(?:[.,]\d\d)?/         (a PCRE2 fragment between slashes)
 *
 * Items are separated by commas.  A word or phrase matches whole words
 * only; words of a phrase may be separated by any white space; "*" at the
 * end (start) of an item stands for any ending (beginning) of the word.
 * Words are folded as the text is (see language_fold_text): "zapłac*"
 * also matches "zaplacilismy", "überwiesen" also "ueberwiesen".
 *
 * Rule patterns use a concept by name, {pay-done}, and bounded gaps inside
 * one clause: {~N} is the space between two words with up to N other words
 * in it, never crossing the end of a sentence (. ! ? ; or a blank line).
 * So "{we}{~3}{pay-done}" matches "we paid", "we have already paid" and
 * "wir haben die Summe gestern Abend überwiesen" (with German words), but
 * not "we. Paid".  {-N} is the tight gap: the same, but the words are separated
 * by spaces only, no comma or dash between them, for negations that must
 * stay close ("not {-2}paid" is not "No problem, paid").  A concept named
 * "clause-break" is special: its words
 * ("but", "aber", "ale") end a clause for the "unless" vetoes of a rule
 * (see filter/rules.h).  Later directories add words to a concept; they
 * cannot remove any.
 *
 * A lexicon is immutable after loading and may be shared by threads.
 */
#ifndef DUNMAIL_FILTER_LEXICON_H
#define DUNMAIL_FILTER_LEXICON_H

#include <glib.h>
#include <stdbool.h>

/* The largest N of a gap {~N}. */
#define LEXICON_GAP_MAX 24

typedef struct lexicon lexicon;

/*
 * Reads <dir>/lexicon and <dir>/<lang>/lexicon for every directory in dirs
 * (NULL-terminated, shipped rules/ first) and every language code in
 * languages (NULL-terminated).  Missing files are fine.  Every problem of
 * every file is reported at once, one "file:line: message" per line, as
 * DM_ERROR_CONFIG: a bad concept name, an empty item, an unterminated
 * /regex/, a concept that names an unknown one or itself.  Returns NULL on
 * error; free with lexicon_free.
 */
lexicon *lexicon_load(const char *const *dirs, const char *const *languages, GError **error);
/*
 * The same without expanding every concept to check it: a concept that
 * names an unknown one is then reported by the first rule that uses it.
 * For rules_load_lazy.
 */
lexicon *lexicon_load_unchecked(const char *const *dirs, const char *const *languages,
                                GError **error);
void lexicon_free(lexicon *lx);

/* How many concepts a language has (the common ones included). */
guint lexicon_concept_count(const lexicon *lx, const char *language);

/*
 * Expands the concepts {name} and gaps {~N} of a rule pattern written for
 * language into plain PCRE2 (not yet folded).  Braces that are PCRE2's own
 * (quantifiers {2,5}, \p{L}, \x{2019}) and escaped ones (\{) are kept.
 * Returns a new string, or NULL with DM_ERROR_CONFIG naming the unknown
 * concept or the bad gap; lx may be NULL (then only gaps expand).
 */
char *lexicon_expand(const lexicon *lx, const char *language, const char *pattern,
                     GError **error);

/*
 * The PCRE2 source (unfolded) matching a clause-break word of language, or
 * NULL when the language has none.  Belongs to lx.
 */
const char *lexicon_clause_break(const lexicon *lx, const char *language);

/*
 * The words a concept's items start with, for a word index (rules use it
 * to skip patterns a reply has none of the words for): folded, lower case,
 * the first run of letters and digits of each item.  exact receives the
 * first words of whole words and phrases, prefix the stems ("zapłac*" gives
 * "zaplac").  Returns false when some item cannot be keyed (a /regex/, a
 * "*suffix", an item that starts with punctuation): the concept may then
 * be anywhere.  Unknown concepts give false too.  Strings are appended as
 * new copies.
 */
bool lexicon_concept_keys(const lexicon *lx, const char *language, const char *name,
                          GPtrArray *exact, GPtrArray *prefix);

#endif
