/*
 * Quote and signature stripping: from the plain-text body of one reply,
 * keep only what its author wrote in this message, which is what the
 * classifier reads.
 *
 * Removed: ">"-quoted lines (any depth, with or without a space, and the
 * unmarked tails of long quoted lines that a mail client wrapped),
 * attribution lines ("On Mon, 3 Nov 2026 at 10:00, Anna <a@x> wrote:" and
 * their translations, also when wrapped over up to three lines),
 * Outlook-style header blocks (From:/Sent:/To:/Subject: and translations,
 * with or without a "____" rule above), "-----Original Message-----" and
 * forwarded-message separators, and signatures ("-- " and below, mobile
 * "Sent from my iPhone" lines and their translations, and a closing
 * valediction such as "Regards," or "Pozdrawiam," followed by a few short
 * lines).  An unmarked quote (a header block, a separator, an attribution
 * not followed by ">" lines) ends the author's text: everything below it
 * is dropped.  An attribution followed by ">" lines is dropped together
 * with them and the text after the quote is kept, so bottom-posted and
 * inline replies survive.
 *
 * Input: UTF-8 text (invalid sequences are replaced), LF or CRLF line ends.
 * Time and memory are linear in the input: lines are classified one by one
 * with bounded PCRE2 matches, and lines too long to be a header are never
 * matched.  All functions are thread-safe.
 */
#ifndef DUNMAIL_FILTER_QUOTE_H
#define DUNMAIL_FILTER_QUOTE_H

/*
 * The visible reply text: quoted blocks, attribution lines,
 * forwarded/Outlook header blocks, "Original Message" separators and
 * signatures removed, leading and trailing blank lines trimmed, LF line
 * ends.  Never NULL (NULL input gives ""); the caller g_free()s it.
 */
char *quote_strip(const char *text);

/*
 * The same text as quote_strip(), and in *signature (when signature is not
 * NULL) the signature that was removed from the author's own text: from the
 * signature's first line ("-- ", "Sent from my iPhone", "Regards,") up to
 * where the quoted part begins, blank lines trimmed, "" when there was
 * none.  Both strings are never NULL and belong to the caller (g_free()).
 */
char *quote_strip_with_signature(const char *text, char **signature);

#endif
