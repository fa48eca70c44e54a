/*
 * Building a follow-up reminder as a MIME message (RFC 5322 + MIME, with
 * GMime 3) that the user reviews and sends from any mail client.
 *
 * A draft_message collects what goes into the message through setters and
 * is turned into bytes by draft_message_render().  Setters copy their
 * arguments and never fail; everything is checked at render time, where a
 * problem is reported as one DM_ERROR_INPUT error naming the field.
 *
 * Header injection is impossible by construction:
 *   - display names and the subject are text: every control character
 *     (C0, DEL, C1, U+2028, U+2029) becomes a space, runs of white space
 *     collapse, and GMime encodes the result (RFC 2047), so a name or a
 *     subject can never end a header line, whatever it contains;
 *   - addresses, the draft id, invoice numbers and message ids are
 *     identifiers: one containing a control character (or, for an address,
 *     anything that is not a plain addr-spec) is refused, because silently
 *     changing an identifier would send mail to, or file it under, something
 *     nobody asked for;
 *   - all headers are set through GMime's address and header APIs.
 *
 * Threading: In-Reply-To is the id of the message the draft answers, and
 * References is the chain of that conversation followed by that id,
 * bounded to DRAFT_MESSAGE_MAX_REFERENCES ids (the first, the thread root,
 * is always kept, then the most recent ones).  Message ids are given with
 * or without <>.  Ids that come from other people's mail and are malformed
 * (empty, containing white space, control characters or <>) are left out
 * of the threading headers rather than failing the draft: a client's broken
 * mailer must not stop the reminder.
 */
#ifndef DUNMAIL_DRAFT_MESSAGE_H
#define DUNMAIL_DRAFT_MESSAGE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The most ids written into References (RFC 5322 sets no limit; mailers do). */
#define DRAFT_MESSAGE_MAX_REFERENCES 20

/* The headers dunmail adds to recognise its own drafts. */
#define DRAFT_MESSAGE_HEADER_DRAFT "X-Dunmail-Draft"
#define DRAFT_MESSAGE_HEADER_INVOICE "X-Dunmail-Invoice"

typedef struct draft_message draft_message;

/* A new, empty draft.  Free with draft_message_free. */
draft_message *draft_message_new(void);
void draft_message_free(draft_message *message);

/*
 * The sender (the user's identity) and the recipient (the client's billing
 * contact).  name may be NULL or "" for a bare address.  Both are required
 * at render time.  Setting again replaces.
 */
void draft_message_set_from(draft_message *message, const char *name, const char *address);
void draft_message_set_to(draft_message *message, const char *name, const char *address);

/* Adds an escalation contact to Cc (in call order).  name may be NULL. */
void draft_message_add_cc(draft_message *message, const char *name, const char *address);

/* UTF-8 subject and body (LF, CRLF or CR line ends; written as the output asks). */
void draft_message_set_subject(draft_message *message, const char *subject);
void draft_message_set_body(draft_message *message, const char *body);

/*
 * The Date header: Unix seconds and the UTC offset in minutes (east is
 * positive, -720..840).  Without it the current time in the local zone is
 * used; tests pin it to get the same bytes on every run.
 */
void draft_message_set_date(draft_message *message, int64_t unix_seconds, int utc_offset_minutes);

/*
 * Threading: the id of the message being answered, and the References
 * chain of the conversation up to it (oldest first, NULL-terminated; NULL
 * clears it).  Either may be left unset for a first reminder.
 */
void draft_message_set_in_reply_to(draft_message *message, const char *message_id);
void draft_message_set_references(draft_message *message, const char *const *message_ids);

/* X-Dunmail-Draft: the store's id of this draft (required at render time). */
void draft_message_set_draft_id(draft_message *message, const char *draft_id);
/*
 * The Message-ID to use (without <>), so a caller can record the draft
 * under it before it is written anywhere; checked like the draft id.
 * Without it, render makes a random one.
 */
void draft_message_set_message_id(draft_message *message, const char *message_id);

/*
 * X-Dunmail-Invoice: the invoice numbers the draft is about, written
 * comma-separated in call order.  At least one is required; a number may
 * not contain a comma (the separator) or a control character.
 */
void draft_message_add_invoice_number(draft_message *message, const char *number);

/*
 * Builds the message and serializes it.  crlf chooses the line ends: LF for
 * a Maildir file, CRLF for IMAP APPEND and SMTP.  The headers are, in this
 * order: From, To, Cc (only when there are Cc contacts), Subject, Date,
 * Message-Id, In-Reply-To and References (only when threading was given),
 * X-Dunmail-Draft, X-Dunmail-Invoice, MIME-Version, Content-Type
 * (text/plain; charset=utf-8), Content-Transfer-Encoding (what GMime
 * chooses: 7bit or 8bit, quoted-printable when a line is over 998 octets).
 * Names and the subject are RFC 2047-encoded in UTF-8 by GMime; when
 * GMime's own decoder would not read its encoding back (GMime 3.2.13
 * garbles adjacent base64 words, gmime#133), Q-encoded words are written.
 *
 * Every render makes a new Message-ID, <dunmail.{32 random hex
 * digits}@{domain of the From address}>.
 *
 * On success *bytes (g_bytes_unref) holds the message and *message_id
 * (g_free; may be NULL when not wanted) its Message-ID without <>.  On
 * failure (DM_ERROR_INPUT, "draft: To: ...") the outputs are untouched.
 */
bool draft_message_render(const draft_message *message, bool crlf, GBytes **bytes,
                          char **message_id, GError **error);

#endif
