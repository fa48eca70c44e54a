/*
 * One mail message, read with GMime 3 and reduced to what dunmail needs:
 * identifiers for threading, decoded headers, the UTF-8 text of the reply
 * and the list of attachments.
 *
 * The filter keeps the raw bytes and passes them on unchanged; mail_parse
 * works on its own copy.  Everything is decoded once, in mail_parse, so the
 * accessors below are cheap and take a const mail.
 *
 * Lifetimes: every string and array returned by an accessor belongs to the
 * mail object and stays valid until mail_free().  All text is valid UTF-8.
 *
 * What dunmail accepts on purpose (bare LF, 8-bit headers, undeclared
 * charsets, broken MIME) is listed in VIOLATIONS.md.
 */
#ifndef DUNMAIL_FILTER_MIME_H
#define DUNMAIL_FILTER_MIME_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mail mail;

/*
 * How deep mail_parse follows nested multiparts and enclosed messages.
 * Deeper parts are ignored: real mail never nests this far, and a bound
 * keeps hostile input from exhausting the stack.
 */
#define MAIL_MAX_DEPTH 32

/*
 * Parses raw message bytes (LF or CRLF line ends, an optional leading mbox
 * "From " line).  Returns NULL only when there is nothing usable: empty
 * input, or no header at all (DM_ERROR_INPUT, "message: ...").  A damaged
 * message still yields what could be read.  Free with mail_free().
 */
mail *mail_parse(const char *data, size_t length, GError **error);
void mail_free(mail *m);

/* Message-ID without <>, or NULL if none. */
const char *mail_message_id(const mail *m);
/* The first id of In-Reply-To, without <>, or NULL. */
const char *mail_in_reply_to(const mail *m);
/* References ids, oldest first, without <>; NULL-terminated, never NULL. */
const char *const *mail_references(const mail *m);
/* Outlook's Thread-Index header as written, or NULL. */
const char *mail_thread_index(const mail *m);
/* RFC 2047-decoded subject, "" if none. */
const char *mail_subject(const mail *m);
/* The first From mailbox, lower-case addr-spec, or NULL. */
const char *mail_from_address(const mail *m);
/* The decoded display name of that mailbox, or NULL when it has none. */
const char *mail_from_name(const mail *m);
/* Lower-case addr-specs of To and Cc; NULL-terminated, never NULL. */
const char *const *mail_to_addresses(const mail *m);
const char *const *mail_cc_addresses(const mail *m);
/*
 * The Date header as Unix seconds and the writer's UTC offset in minutes.
 * Returns false (outputs untouched) when it is missing or unreadable.
 * Either output may be NULL.
 */
bool mail_date(const mail *m, int64_t *unix_seconds, int *utc_offset_minutes);

/*
 * The first header of that name (case-insensitive), unfolded and decoded
 * (RFC 2047; raw 8-bit bytes as UTF-8 or the charset guess), or NULL.
 */
const char *mail_header(const mail *m, const char *name);
/* All top-level headers in order, decoded like mail_header. */
size_t mail_header_count(const mail *m);
const char *mail_header_name(const mail *m, size_t i);
const char *mail_header_value(const mail *m, size_t i);

/*
 * The UTF-8 text of the main text part, "" if none: in multipart/alternative
 * the text/plain part, else the HTML part converted with html_to_text (quote
 * containers dropped); in other multiparts the first inline text part.  An
 * enclosed message/rfc822 is never the reply's own text.  Line ends are LF.
 */
const char *mail_body_text(const mail *m);
/* True when mail_body_text came from an HTML part (there was no plain one). */
bool mail_body_from_html(const mail *m);

/*
 * Attachments: every part other than the body text and its alternatives,
 * outside enclosed messages (an enclosed message counts as one attachment,
 * type "message/rfc822").  The name is RFC 2231/2047-decoded, NULL if the
 * part has none; the type is lower-case "type/subtype".
 */
size_t mail_attachment_count(const mail *m);
const char *mail_attachment_name(const mail *m, size_t i);
const char *mail_attachment_type(const mail *m, size_t i);

/*
 * True when the message is a multipart/report (at the top, or directly
 * inside a top-level multipart/mixed); *report_type (may be NULL) gets the
 * lower-case report-type parameter, "" when absent.
 */
bool mail_is_multipart_report(const mail *m, const char **report_type);

/*
 * The UTF-8 text of the first part of that MIME type (lower-case, e.g.
 * "message/delivery-status", "text/rfc822-headers"), outside enclosed
 * messages, or NULL.  For "message/rfc822" it is the header block of the
 * enclosed message.  Bounce detection reads the reports through this.
 */
const char *mail_part_text(const mail *m, const char *mime_type);

#endif
