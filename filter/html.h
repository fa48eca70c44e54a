/*
 * HTML mail to plain text, with libxml2's forgiving HTML parser.
 *
 * Block elements end lines, <br> is a newline, <li> starts a "- " line,
 * table cells are separated by a tab, entities are decoded, <head>,
 * <script> and <style> are dropped and runs of white space collapse to one
 * space.  Lines carry no trailing spaces, at most one blank line separates
 * paragraphs, and the text has no leading or trailing blank lines.
 *
 * With drop_quotes the quoted original that mail clients append is removed:
 * Gmail's div.gmail_quote / div.gmail_attr, every <blockquote> (Apple Mail
 * and Thunderbird use type="cite"), Thunderbird's div.moz-cite-prefix,
 * Yahoo's div.yahoo_quoted, and for Outlook the reply header
 * (div#divRplyFwdMsg, div#appendonsend, div.OutlookMessageHeader, the
 * desktop client's border-top header block) together with everything after
 * it in the document.
 */
#ifndef DUNMAIL_FILTER_HTML_H
#define DUNMAIL_FILTER_HTML_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Converts UTF-8 HTML (a <meta> charset is ignored: the caller decoded it)
 * of the given length to UTF-8 text.  Never fails: unreadable input gives
 * "".  Returns a new string the caller frees with g_free.
 */
char *html_to_text(const char *html, size_t length, bool drop_quotes);

#endif
