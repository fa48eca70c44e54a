/*
 * Language detection and the text folding shared with the rule engine.
 *
 * Clients write with and without diacritics ("plătim" / "platim",
 * "überwiesen" / "ueberwiesen", "à partir" / "a partir"), so both the rule
 * engine and the detector compare a *folded* copy of the text:
 * language_fold_text() maps every character to a base form that does not
 * depend on how it was typed.  Case is left alone (PCRE2 matches
 * caselessly, and the detector lower-cases its tokens), so that regular
 * expression escapes such as \S or \W survive folding unchanged.
 *
 * Detection uses a small stop-word profile per language, read from
 * rules/<lang>/words (see dunmail-rules(5)): the language whose
 * characteristic words and letters occur most often in the text wins.
 */
#ifndef DUNMAIL_FILTER_LANGUAGE_H
#define DUNMAIL_FILTER_LANGUAGE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Folds UTF-8 text (which must be valid: use g_utf8_make_valid first):
 *   - letters with diacritics lose them (ă â → a, ș ş → s, ę → e, é → e,
 *     й → и), Polish ł and Danish ø become l and o;
 *   - German ä ö ü become ae oe ue and ß becomes ss, the way Germans write
 *     without an umlaut keyboard;
 *   - compatibility forms become their plain form (no-break spaces become
 *     spaces, ligatures are split, full-width letters become ASCII);
 *   - typographic apostrophes and quotes become ' and ", dashes become -.
 * ASCII is copied unchanged.
 *
 * When offsets is not NULL, *offsets receives a new GArray of size_t with
 * one entry per byte of the result plus one: entry i is the byte offset in
 * text of the character that produced folded byte i, and the last entry is
 * length.  So a match [s, e) in the folded text is the text range
 * [offsets[s], offsets[e]).  Free the result with g_free and the array
 * with g_array_unref.
 */
char *language_fold_text(const char *text, size_t length, GArray **offsets);

/* The stop-word profiles of a set of languages. */
typedef struct language_profiles language_profiles;

/*
 * Reads <dir>/<lang>/words for each language from each directory (later
 * directories add words to earlier ones; a missing file is fine as long as
 * some directory has words for the language).  Errors name "file:line".
 * Returns NULL on error.  Free with language_profiles_free.
 */
language_profiles *language_profiles_load(const char *const *dirs, const char *const *languages,
                                          GError **error);
void language_profiles_free(language_profiles *profiles);

/* How many languages have a profile. */
size_t language_profiles_count(const language_profiles *profiles);

/*
 * The code of the language ("pl", "bg", ...) that best fits text (UTF-8,
 * invalid bytes tolerated), or NULL when the text has too few words in any
 * profile to tell.  The returned string belongs to profiles and lives as
 * long as it does.
 */
const char *language_detect(const language_profiles *profiles, const char *text);
/*
 * The same, and *second receives the runner-up (a language with enough
 * words of its profile in the text, or NULL): mixed replies ("Dzień dobry,
 * the invoice was paid") and neighbours (nl/de) are tried in that order.
 */
const char *language_detect_ranked(const language_profiles *profiles, const char *text,
                                   const char **second);

#endif
