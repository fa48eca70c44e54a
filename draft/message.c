/*
 * Draft messages with GMime 3.  The setters only copy; draft_message_render
 * checks and cleans every value, builds a GMimeMessage with the headers in
 * a fixed order (g_mime_message_new(FALSE) keeps the order they are set
 * in) and serializes it.
 */
#include "draft/message.h"

#include "common/util.h"

#include <gmime/gmime.h>
#include <string.h>
#include <sys/random.h>

typedef struct {
	char *name; /* NULL for a bare address */
	char *address;
} draft_mailbox;

struct draft_message {
	draft_mailbox from;
	draft_mailbox to;
	GArray *cc; /* draft_mailbox */
	char *subject;
	char *body;
	bool has_date;
	int64_t date;
	int utc_offset;
	char *in_reply_to;
	GPtrArray *references; /* char * */
	char *draft_id;
	char *message_id;           /* chosen by the caller, or NULL for a random one */
	GPtrArray *invoice_numbers; /* char * */
};

/* Longest message id kept for threading; real ids are far shorter. */
#define DRAFT_MAX_ID_LENGTH 500
/* RFC 5321 limits a forward path to 256 octets, the address to 254. */
#define DRAFT_MAX_ADDRESS_LENGTH 254

static gpointer
draft_mime_init_once(gpointer unused)
{
	g_mime_init();
	return NULL;
}

static void
draft_mime_ensure_init(void)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, draft_mime_init_once, NULL);
}

static void
draft_mailbox_clear(draft_mailbox *mailbox)
{
	g_clear_pointer(&mailbox->name, g_free);
	g_clear_pointer(&mailbox->address, g_free);
}

static void
draft_mailbox_clear_element(gpointer element)
{
	draft_mailbox_clear(element);
}

static void
draft_mailbox_set(draft_mailbox *mailbox, const char *name, const char *address)
{
	draft_mailbox_clear(mailbox);
	mailbox->name = g_strdup(name);
	mailbox->address = g_strdup(address);
}

draft_message *
draft_message_new(void)
{
	draft_message *message = g_new0(draft_message, 1);
	message->cc = g_array_new(FALSE, TRUE, sizeof(draft_mailbox));
	g_array_set_clear_func(message->cc, draft_mailbox_clear_element);
	message->references = g_ptr_array_new_with_free_func(g_free);
	message->invoice_numbers = g_ptr_array_new_with_free_func(g_free);
	return message;
}

void
draft_message_free(draft_message *message)
{
	if (message == NULL)
		return;
	draft_mailbox_clear(&message->from);
	draft_mailbox_clear(&message->to);
	g_array_free(message->cc, TRUE);
	g_free(message->subject);
	g_free(message->body);
	g_free(message->in_reply_to);
	g_ptr_array_free(message->references, TRUE);
	g_free(message->draft_id);
	g_free(message->message_id);
	g_ptr_array_free(message->invoice_numbers, TRUE);
	g_free(message);
}

void
draft_message_set_from(draft_message *message, const char *name, const char *address)
{
	draft_mailbox_set(&message->from, name, address);
}

void
draft_message_set_to(draft_message *message, const char *name, const char *address)
{
	draft_mailbox_set(&message->to, name, address);
}

void
draft_message_add_cc(draft_message *message, const char *name, const char *address)
{
	draft_mailbox mailbox = {g_strdup(name), g_strdup(address)};
	g_array_append_val(message->cc, mailbox);
}

void
draft_message_set_subject(draft_message *message, const char *subject)
{
	g_free(message->subject);
	message->subject = g_strdup(subject);
}

void
draft_message_set_body(draft_message *message, const char *body)
{
	g_free(message->body);
	message->body = g_strdup(body);
}

void
draft_message_set_date(draft_message *message, int64_t unix_seconds, int utc_offset_minutes)
{
	message->has_date = true;
	message->date = unix_seconds;
	message->utc_offset = utc_offset_minutes;
}

void
draft_message_set_in_reply_to(draft_message *message, const char *message_id)
{
	g_free(message->in_reply_to);
	message->in_reply_to = g_strdup(message_id);
}

void
draft_message_set_references(draft_message *message, const char *const *message_ids)
{
	g_ptr_array_set_size(message->references, 0);
	for (size_t i = 0; message_ids != NULL && message_ids[i] != NULL; i++)
		g_ptr_array_add(message->references, g_strdup(message_ids[i]));
}

void
draft_message_set_message_id(draft_message *message, const char *message_id)
{
	g_free(message->message_id);
	message->message_id = g_strdup(message_id);
}

void
draft_message_set_draft_id(draft_message *message, const char *draft_id)
{
	g_free(message->draft_id);
	message->draft_id = g_strdup(draft_id);
}

void
draft_message_add_invoice_number(draft_message *message, const char *number)
{
	g_ptr_array_add(message->invoice_numbers, g_strdup(number));
}

/* ---- checking and cleaning ---------------------------------------------- */

/*
 * Characters that must never reach a header as they are: C0 controls
 * (CR, LF, TAB...), DEL, C1 controls (U+0085 is a line break to some
 * readers) and the Unicode line and paragraph separators.
 */
static bool
draft_is_control(gunichar c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029;
}

static bool
draft_has_control(const char *text)
{
	for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p))
		if (draft_is_control(g_utf8_get_char(p)))
			return true;
	return false;
}

/*
 * Display text for a header (a name, the subject): controls become spaces,
 * runs of spaces collapse, the ends are trimmed.  "=?" becomes "= ?": GMime
 * writes a word that merely looks like an RFC 2047 encoded-word as it is,
 * and every reader would then decode it, so "=?utf-8?q?a=0D=0AB:?=" would
 * come back as a line break.  The caller has checked that text is UTF-8.
 */
static char *
draft_clean_text(const char *text)
{
	GString *out = g_string_sized_new(strlen(text));
	bool space = false;
	for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (draft_is_control(c) || c == ' ') {
			space = true;
			continue;
		}
		if (space && out->len > 0)
			g_string_append_c(out, ' ');
		space = false;
		if (c == '?' && out->len > 0 && out->str[out->len - 1] == '=')
			g_string_append_c(out, ' ');
		g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}

/* Is c allowed in the local part of a plain addr-spec (RFC 5322 atext, or UTF-8)? */
static bool
draft_is_local_char(unsigned char c)
{
	return g_ascii_isalnum(c) || c >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL;
}

/* Is c allowed in a domain name (letters, digits, hyphen, dot, or UTF-8 for IDN)? */
static bool
draft_is_domain_char(unsigned char c)
{
	return g_ascii_isalnum(c) || c >= 0x80 || c == '-' || c == '.';
}

/*
 * A plain addr-spec, local@domain, without quoting, comments or domain
 * literals: nothing dunmail is configured with needs them, and refusing
 * them keeps anything but one mailbox out of an address header.
 */
static bool
draft_address_valid(const char *address)
{
	size_t length = strlen(address);
	if (length == 0 || length > DRAFT_MAX_ADDRESS_LENGTH || !g_utf8_validate(address, -1, NULL))
		return false;
	const char *at = strrchr(address, '@');
	if (at == NULL || at == address || at[1] == '\0')
		return false;
	for (const char *p = address; p < at; p++)
		if (!draft_is_local_char((unsigned char)*p))
			return false;
	if (address[0] == '.' || at[-1] == '.' || strstr(address, "..") != NULL)
		return false;
	const char *domain = at + 1;
	for (const char *p = domain; *p != '\0'; p++)
		if (!draft_is_domain_char((unsigned char)*p))
			return false;
	if (domain[0] == '.' || domain[0] == '-' || address[length - 1] == '.' ||
	    strchr(domain, '.') == NULL)
		return false;
	return true;
}

static bool
draft_check_mailbox(const draft_mailbox *mailbox, const char *header, bool required, GError **error)
{
	if (mailbox->address == NULL) {
		if (required)
			g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "draft: %s: no address",
			            header);
		return !required;
	}
	if (!draft_address_valid(mailbox->address)) {
		char *shown = g_strescape(mailbox->address, NULL);
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "draft: %s: \"%s\" is not a plain e-mail address", header, shown);
		g_free(shown);
		return false;
	}
	if (mailbox->name != NULL && !g_utf8_validate(mailbox->name, -1, NULL)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "draft: %s: the name of <%s> is not valid UTF-8", header,
		            mailbox->address);
		return false;
	}
	return true;
}

/*
 * An identifier written into one of dunmail's headers: non-empty UTF-8
 * without controls, without "=?" (readers would decode it), and without
 * the list separator when there is one.
 */
static bool
draft_check_identifier(const char *value, const char *header, bool comma_allowed, GError **error)
{
	const char *why = NULL;
	if (value == NULL || value[0] == '\0')
		why = "is empty";
	else if (!g_utf8_validate(value, -1, NULL))
		why = "is not valid UTF-8";
	else if (draft_has_control(value))
		why = "contains a control character";
	else if (strstr(value, "=?") != NULL)
		why = "contains \"=?\", which mail readers would decode";
	else if (!comma_allowed && strchr(value, ',') != NULL)
		why = "contains a comma, the separator of the list";
	else if (g_ascii_isspace(value[0]) || g_ascii_isspace(value[strlen(value) - 1]))
		why = "starts or ends with a space";
	if (why == NULL)
		return true;
	char *shown = value != NULL ? g_strescape(value, NULL) : g_strdup("");
	g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "draft: %s: \"%s\" %s", header, shown, why);
	g_free(shown);
	return false;
}

/*
 * A message id without <> and surrounding white space, or NULL when it is
 * not usable: ids come from other people's mail, and one with spaces,
 * controls or brackets inside would break the threading headers.
 */
static char *
draft_normalise_message_id(const char *id)
{
	if (id == NULL)
		return NULL;
	char *copy = g_strstrip(g_strdup(id));
	char *start = copy;
	size_t length = strlen(start);
	if (length >= 2 && start[0] == '<' && start[length - 1] == '>') {
		start[length - 1] = '\0';
		start++;
		length -= 2;
	}
	bool usable = length > 0 && length <= DRAFT_MAX_ID_LENGTH;
	for (size_t i = 0; usable && i < length; i++) {
		unsigned char c = (unsigned char)start[i];
		if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>')
			usable = false;
	}
	char *result = usable ? g_strdup(start) : NULL;
	g_free(copy);
	return result;
}

/*
 * The References chain: the conversation's ids followed by the one being
 * answered, each once, at most DRAFT_MESSAGE_MAX_REFERENCES, keeping the
 * root and the most recent.  Returns a new array of char *.
 */
static GPtrArray *
draft_build_references(const draft_message *message, const char *in_reply_to)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i <= message->references->len; i++) {
		const char *raw = i < message->references->len
		                      ? g_ptr_array_index(message->references, i)
		                      : in_reply_to;
		char *id = draft_normalise_message_id(raw);
		if (id == NULL)
			continue;
		if (g_hash_table_contains(seen, id)) {
			/* The answered message must stay last, where readers look for the parent.
			 */
			if (i == message->references->len) {
				for (guint j = 0; j < ids->len; j++) {
					if (strcmp(g_ptr_array_index(ids, j), id) == 0) {
						g_hash_table_remove(seen, id);
						g_ptr_array_remove_index(ids, j);
						break;
					}
				}
			} else {
				g_free(id);
				continue;
			}
		}
		g_ptr_array_add(ids, id);
		g_hash_table_add(seen, id);
	}
	g_hash_table_destroy(seen);
	if (ids->len > DRAFT_MESSAGE_MAX_REFERENCES)
		g_ptr_array_remove_range(ids, 1, ids->len - DRAFT_MESSAGE_MAX_REFERENCES);
	return ids;
}

/* The body as UTF-8 with LF line ends, ending in a newline. */
static char *
draft_normalise_body(const char *body)
{
	GString *out = g_string_sized_new(strlen(body) + 1);
	for (const char *p = body; *p != '\0'; p++) {
		if (*p == '\r') {
			g_string_append_c(out, '\n');
			if (p[1] == '\n')
				p++;
		} else {
			g_string_append_c(out, *p);
		}
	}
	if (out->len == 0 || out->str[out->len - 1] != '\n')
		g_string_append_c(out, '\n');
	return g_string_free(out, FALSE);
}

/* 32 hex digits from the kernel's random source (GLib's generator if that fails). */
static char *
draft_random_hex(void)
{
	guint8 random[16];
	size_t got = 0;
	while (got < sizeof random) {
		ssize_t n = getrandom(random + got, sizeof random - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	for (; got < sizeof random; got++)
		random[got] = (guint8)g_random_int_range(0, 256);
	GString *hex = g_string_sized_new(2 * sizeof random);
	for (size_t i = 0; i < sizeof random; i++)
		g_string_append_printf(hex, "%02x", random[i]);
	return g_string_free(hex, FALSE);
}

/* ---- working around GMime 3.2.13's decoder -------------------------------- */

/*
 * GMime up to 3.2.13 decodes two adjacent base64 encoded-words of one
 * charset by joining their payloads, and loses everything after the first
 * word's "=" padding (jstedfast/gmime#133); its own encoder writes such
 * pairs for longer Cyrillic subjects and names.  dunmail reads mail with
 * GMime, and so do some mail clients, so each encoded header is decoded
 * again here and, when the text does not come back, written with
 * Q-encoded words instead, which have no padding.
 */

/* Longest Q payload per word: the word stays within 72 characters. */
#define DRAFT_Q_PAYLOAD 60

/*
 * Encodes text as Q encoded-words allowed in a phrase (RFC 2047 5(3)),
 * which also suits unstructured text, folded one word per line.  Returns
 * the raw header value GMime expects: a leading space, a final newline.
 */
static char *
draft_encode_q_words(const char *text)
{
	GString *raw = g_string_new(" =?UTF-8?Q?");
	size_t payload = 0;
	for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		const char *next = g_utf8_next_char(p);
		GString *piece = g_string_new(NULL);
		for (const char *b = p; b < next; b++) {
			unsigned char c = (unsigned char)*b;
			if (c == ' ')
				g_string_append_c(piece, '_');
			else if (g_ascii_isalnum(c) || strchr("!*+-/", c) != NULL)
				g_string_append_c(piece, (char)c);
			else
				g_string_append_printf(piece, "=%02X", c);
		}
		/* A character is never split across words (RFC 2047 section 5). */
		if (payload > 0 && payload + piece->len > DRAFT_Q_PAYLOAD) {
			g_string_append(raw, "?=\n =?UTF-8?Q?");
			payload = 0;
		}
		g_string_append_len(raw, piece->str, (gssize)piece->len);
		payload += piece->len;
		g_string_free(piece, TRUE);
	}
	g_string_append(raw, "?=\n");
	return g_string_free(raw, FALSE);
}

static GMimeHeader *
draft_find_header(GMimeMessage *mime, const char *name)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(mime));
	return g_mime_header_list_get_header(list, name);
}

/* Sets the Subject, falling back to Q-encoding when GMime would garble it. */
static void
draft_set_subject(GMimeMessage *mime, const char *subject)
{
	g_mime_message_set_subject(mime, subject, "utf-8");
	char *encoded = g_mime_utils_header_encode_text(NULL, subject, "utf-8");
	char *decoded = g_mime_utils_header_decode_text(NULL, encoded);
	if (strcmp(decoded, subject) != 0) {
		char *raw = draft_encode_q_words(subject);
		g_mime_header_set_raw_value(draft_find_header(mime, "Subject"), raw);
		g_free(raw);
	}
	g_free(encoded);
	g_free(decoded);
}

static bool
draft_same_name(const char *a, const char *b)
{
	return g_strcmp0(a != NULL && a[0] != '\0' ? a : NULL,
	                 b != NULL && b[0] != '\0' ? b : NULL) == 0;
}

/*
 * Checks that an address header reads back as written; otherwise writes
 * it again, every name in Q encoded-words.  names holds the cleaned names
 * in list order ("" for none).
 */
static void
draft_fix_address_header(GMimeMessage *mime, GMimeAddressType type, const char *header,
                         GPtrArray *names)
{
	InternetAddressList *list = g_mime_message_get_addresses(mime, type);
	int count = internet_address_list_length(list);
	if (count == 0)
		return;
	char *encoded = internet_address_list_to_string(list, NULL, TRUE);
	InternetAddressList *back = internet_address_list_parse(NULL, encoded);
	bool same = back != NULL && internet_address_list_length(back) == count;
	for (int i = 0; same && i < count; i++) {
		InternetAddress *ia = internet_address_list_get_address(back, i);
		same = INTERNET_ADDRESS_IS_MAILBOX(ia) &&
		       draft_same_name(internet_address_get_name(ia), g_ptr_array_index(names, i));
	}
	g_clear_object(&back); // NOLINT(bugprone-sizeof-expression): GLib's macro checks the pointer size
	g_free(encoded);
	if (same)
		return;
	GString *raw = g_string_new(NULL);
	for (int i = 0; i < count; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		const char *name = g_ptr_array_index(names, i);
		const char *address =
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		if (i > 0)
			g_string_append(raw, ",\n");
		if (name[0] != '\0') {
			char *words = draft_encode_q_words(name);
			/* The words end with a newline; the address goes on a line of its own. */
			g_string_append(raw, words);
			g_free(words);
			g_string_append_printf(raw, " <%s>", address);
		} else {
			g_string_append_printf(raw, " %s", address);
		}
	}
	g_string_append_c(raw, '\n');
	g_mime_header_set_raw_value(draft_find_header(mime, header), raw->str);
	g_string_free(raw, TRUE);
}

/* ---- building ------------------------------------------------------------ */

static void
draft_add_mailbox(GMimeMessage *mime, GMimeAddressType type, const draft_mailbox *mailbox,
                  GPtrArray *names)
{
	char *name = mailbox->name != NULL ? draft_clean_text(mailbox->name) : g_strdup("");
	InternetAddress *address = internet_address_mailbox_new(name, mailbox->address);
	/* UTF-8 for every encoded name, rather than GMime's smallest charset (iso-8859-5...). */
	internet_address_set_charset(address, "utf-8");
	internet_address_list_add(g_mime_message_get_addresses(mime, type), address);
	g_object_unref(address);
	g_ptr_array_add(names, name);
}

static bool
draft_check(const draft_message *message, GError **error)
{
	if (!draft_check_mailbox(&message->from, "From", true, error) ||
	    !draft_check_mailbox(&message->to, "To", true, error))
		return false;
	for (guint i = 0; i < message->cc->len; i++)
		if (!draft_check_mailbox(&g_array_index(message->cc, draft_mailbox, i), "Cc", true,
		                         error))
			return false;
	if (message->subject == NULL || !g_utf8_validate(message->subject, -1, NULL)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "draft: Subject: %s",
		            message->subject == NULL ? "none given" : "not valid UTF-8");
		return false;
	}
	if (message->body == NULL || !g_utf8_validate(message->body, -1, NULL)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "draft: body: %s",
		            message->body == NULL ? "none given" : "not valid UTF-8");
		return false;
	}
	if (message->has_date && (message->utc_offset < -720 || message->utc_offset > 840)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "draft: Date: UTC offset %d minutes is out of range",
		            message->utc_offset);
		return false;
	}
	if (!draft_check_identifier(message->draft_id, DRAFT_MESSAGE_HEADER_DRAFT, true, error))
		return false;
	if (message->message_id != NULL &&
	    (!draft_check_identifier(message->message_id, "Message-ID", true, error) ||
	     strchr(message->message_id, '@') == NULL || strpbrk(message->message_id, "<> ") != NULL)) {
		if (error != NULL && *error == NULL)
			g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
			            "draft: Message-ID: \"%s\" is not an id", message->message_id);
		return false;
	}
	if (message->invoice_numbers->len == 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "draft: %s: no invoice number",
		            DRAFT_MESSAGE_HEADER_INVOICE);
		return false;
	}
	for (guint i = 0; i < message->invoice_numbers->len; i++)
		if (!draft_check_identifier(g_ptr_array_index(message->invoice_numbers, i),
		                            DRAFT_MESSAGE_HEADER_INVOICE, false, error))
			return false;
	return true;
}

static GDateTime *
draft_date_time(const draft_message *message)
{
	if (!message->has_date)
		return g_date_time_new_now_local();
	GDateTime *utc = g_date_time_new_from_unix_utc(message->date);
	if (utc == NULL)
		return NULL;
	GTimeZone *zone = g_time_zone_new_offset(message->utc_offset * 60);
	GDateTime *local = g_date_time_to_timezone(utc, zone);
	g_time_zone_unref(zone);
	g_date_time_unref(utc);
	return local;
}

bool
draft_message_render(const draft_message *message, bool crlf, GBytes **bytes, char **message_id,
                     GError **error)
{
	g_return_val_if_fail(message != NULL && bytes != NULL, false);
	if (!draft_check(message, error))
		return false;
	GDateTime *date = draft_date_time(message);
	if (date == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "draft: Date: %" G_GINT64_FORMAT " is not a representable time",
		            message->date);
		return false;
	}

	draft_mime_ensure_init();
	GMimeMessage *mime = g_mime_message_new(FALSE);
	GMimeObject *object = GMIME_OBJECT(mime);

	GPtrArray *from_names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *to_names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *cc_names = g_ptr_array_new_with_free_func(g_free);
	draft_add_mailbox(mime, GMIME_ADDRESS_TYPE_FROM, &message->from, from_names);
	draft_add_mailbox(mime, GMIME_ADDRESS_TYPE_TO, &message->to, to_names);
	for (guint i = 0; i < message->cc->len; i++)
		draft_add_mailbox(mime, GMIME_ADDRESS_TYPE_CC,
		                  &g_array_index(message->cc, draft_mailbox, i), cc_names);
	draft_fix_address_header(mime, GMIME_ADDRESS_TYPE_FROM, "From", from_names);
	draft_fix_address_header(mime, GMIME_ADDRESS_TYPE_TO, "To", to_names);
	draft_fix_address_header(mime, GMIME_ADDRESS_TYPE_CC, "Cc", cc_names);
	g_ptr_array_free(from_names, TRUE);
	g_ptr_array_free(to_names, TRUE);
	g_ptr_array_free(cc_names, TRUE);

	char *subject = draft_clean_text(message->subject);
	draft_set_subject(mime, subject);
	g_free(subject);
	g_mime_message_set_date(mime, date);
	g_date_time_unref(date);

	/* The domain is written in ASCII (IDN as punycode): Message-IDs are ASCII. */
	char *domain = dm_address_domain(message->from.address);
	char *ascii_domain = domain != NULL ? g_hostname_to_ascii(domain) : NULL;
	char *random = draft_random_hex();
	char *id = message->message_id != NULL
	               ? g_strdup(message->message_id)
	               : g_strdup_printf("dunmail.%s@%s", random,
	                                 ascii_domain != NULL ? ascii_domain : "localhost");
	g_free(random);
	g_free(ascii_domain);
	g_free(domain);
	g_mime_message_set_message_id(mime, id);

	char *in_reply_to = draft_normalise_message_id(message->in_reply_to);
	GPtrArray *references = draft_build_references(message, in_reply_to);
	if (in_reply_to != NULL) {
		char *value = g_strdup_printf("<%s>", in_reply_to);
		g_mime_object_set_header(object, "In-Reply-To", value, NULL);
		g_free(value);
	}
	if (references->len > 0) {
		GString *value = g_string_new(NULL);
		for (guint i = 0; i < references->len; i++)
			g_string_append_printf(value, "%s<%s>", i > 0 ? " " : "",
			                       (const char *)g_ptr_array_index(references, i));
		g_mime_object_set_header(object, "References", value->str, NULL);
		g_string_free(value, TRUE);
	}
	g_ptr_array_free(references, TRUE);
	g_free(in_reply_to);

	g_mime_object_set_header(object, DRAFT_MESSAGE_HEADER_DRAFT, message->draft_id, "utf-8");
	GString *numbers = g_string_new(NULL);
	for (guint i = 0; i < message->invoice_numbers->len; i++)
		g_string_append_printf(
		    numbers, "%s%s", i > 0 ? ", " : "",
		    (const char *)g_ptr_array_index(message->invoice_numbers, i));
	g_mime_object_set_header(object, DRAFT_MESSAGE_HEADER_INVOICE, numbers->str, "utf-8");
	g_string_free(numbers, TRUE);

	char *body = draft_normalise_body(message->body);
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
	/*
	 * The bytes go in as UTF-8 and stay UTF-8: g_mime_text_part_set_text
	 * would convert them to the "best" charset (iso-8859-1 for German) and
	 * a mail client would show mojibake under our charset=utf-8.  The
	 * encoding is chosen from the bytes with line length in mind, so a line
	 * over 998 octets comes out quoted-printable as RFC 5322 requires.
	 */
	GMimeStream *content = g_mime_stream_mem_new_with_buffer(body, strlen(body));
	GMimeDataWrapper *wrapper =
	    g_mime_data_wrapper_new_with_stream(content, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(part), wrapper);
	g_object_unref(wrapper);
	g_object_unref(content);
	g_free(body);
	g_mime_text_part_set_charset(part, "utf-8");
	GMimeContentEncoding encoding =
	    g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_8BIT);
	g_mime_part_set_content_encoding(GMIME_PART(part), encoding == GMIME_CONTENT_ENCODING_DEFAULT
	                                                       ? GMIME_CONTENT_ENCODING_7BIT
	                                                       : encoding);
	g_mime_message_set_mime_part(mime, GMIME_OBJECT(part));
	g_object_unref(part);

	GMimeFormatOptions *options = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(options, crlf ? GMIME_NEWLINE_FORMAT_DOS
	                                                       : GMIME_NEWLINE_FORMAT_UNIX);
	GMimeStream *stream = g_mime_stream_mem_new();
	ssize_t written = g_mime_object_write_to_stream(object, options, stream);
	g_mime_format_options_free(options);
	g_object_unref(mime);
	if (written < 0) {
		g_object_unref(stream);
		g_free(id);
		g_set_error(error, DM_ERROR, DM_ERROR_INTERNAL,
		            "draft: GMime could not write the message");
		return false;
	}
	GByteArray *array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	*bytes = g_bytes_new(array->data, array->len);
	g_object_unref(stream);

	if (message_id != NULL)
		*message_id = id;
	else
		g_free(id);
	return true;
}
