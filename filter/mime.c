/*
 * Reading one message with GMime 3.  mail_parse decodes everything up front
 * into plain UTF-8 strings owned by the mail object, so the GMime objects
 * are released before it returns and callers never see them.
 */
#include "filter/mime.h"

#include "common/util.h"
#include "filter/charset.h"
#include "filter/html.h"

#include <gmime/gmime.h>
#include <string.h>

typedef struct {
	char *name;
	char *type;
} mail_attachment;

struct mail {
	char *message_id;
	char *in_reply_to;
	GPtrArray *references; /* char *, NULL-terminated */
	char *thread_index;
	char *subject;
	char *from_address;
	char *from_name;
	GPtrArray *to; /* char *, NULL-terminated */
	GPtrArray *cc;
	bool has_date;
	int64_t date;
	int date_offset;
	GPtrArray *header_names;  /* char *, top-level headers in order */
	GPtrArray *header_values; /* char *, decoded */
	char *body_text;
	bool body_from_html;
	GArray *attachments; /* mail_attachment */
	bool is_report;
	char *report_type;
	GHashTable *part_texts; /* lower-case type -> UTF-8 text of its first part */
};

/* Types whose text bounce detection needs (see mail_part_text). */
static const char *const mime_report_types[] = {
    "message/delivery-status", "message/global-delivery-status",
    "text/rfc822-headers",     "message/rfc822",
    "message/global",          NULL};

static gpointer
mime_init_once(gpointer unused)
{
	g_mime_init();
	return NULL;
}

static void
mime_ensure_init(void)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, mime_init_once, NULL);
}

/* CRLF and lone CR to LF, so that every module sees one kind of line end. */
static char *
mime_normalise_line_ends(char *text)
{
	char *w = text;
	for (const char *r = text; *r != '\0'; r++) {
		if (*r == '\r') {
			*w++ = '\n';
			if (r[1] == '\n')
				r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return text;
}

/* ---- headers --------------------------------------------------------------- */

/* A raw header value unfolded, 8-bit bytes made UTF-8, but not yet 2047-decoded. */
static char *
mime_header_raw_utf8(const char *raw)
{
	GString *unfolded = g_string_new(NULL);
	char *text;

	if (raw == NULL)
		raw = "";
	for (const char *p = raw; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n')
			continue;
		g_string_append_c(unfolded, *p);
	}
	text = charset_to_utf8(unfolded->str, unfolded->len, NULL);
	g_string_free(unfolded, TRUE);
	charset_preload_for_words(text);
	return g_strstrip(text);
}

static char *
mime_header_decode(GMimeParserOptions *options, const char *raw)
{
	char *utf8 = mime_header_raw_utf8(raw);
	char *decoded;

	/* Most header values hold no encoded word; they are final already. */
	if (strstr(utf8, "=?") == NULL)
		return utf8;
	decoded = g_mime_utils_header_decode_text(options, utf8);
	g_free(utf8);
	return charset_make_valid(g_strstrip(decoded));
}

static const char *
mime_raw_header(GMimeObject *object, const char *name)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(object);
	int count = g_mime_header_list_get_count(headers);

	for (int i = 0; i < count; i++) {
		GMimeHeader *header = g_mime_header_list_get_header_at(headers, i);
		if (g_ascii_strcasecmp(g_mime_header_get_name(header), name) == 0)
			return g_mime_header_get_raw_value(header);
	}
	return NULL;
}

static GPtrArray *
mime_string_array(void)
{
	GPtrArray *array = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(array, NULL);
	return array;
}

/* Appends before the terminating NULL. */
static void
mime_string_array_add(GPtrArray *array, char *value)
{
	g_ptr_array_insert(array, (gint)array->len - 1, value);
}

static void
mime_read_references(GMimeParserOptions *options, const char *raw, GPtrArray *into, bool first_only)
{
	char *value;
	GMimeReferences *refs;

	if (raw == NULL)
		return;
	value = mime_header_raw_utf8(raw);
	refs = g_mime_references_parse(options, value);
	if (refs != NULL) {
		int count = g_mime_references_length(refs);
		for (int i = 0; i < count && (!first_only || i == 0); i++) {
			const char *id = g_mime_references_get_message_id(refs, i);
			if (id != NULL && *id != '\0')
				mime_string_array_add(into, g_strdup(id));
		}
		g_mime_references_free(refs);
	}
	g_free(value);
}

/* Depth-first mailboxes of an address list (groups opened), in order. */
static void
mime_collect_mailboxes(InternetAddressList *list, GPtrArray *mailboxes, int depth)
{
	int count = list != NULL ? internet_address_list_length(list) : 0;

	if (depth > 4)
		return;
	for (int i = 0; i < count; i++) {
		InternetAddress *address = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(address))
			mime_collect_mailboxes(
			    internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)),
			    mailboxes, depth + 1);
		else if (INTERNET_ADDRESS_IS_MAILBOX(address))
			g_ptr_array_add(mailboxes, address);
	}
}

static InternetAddressList *
mime_parse_addresses(GMimeParserOptions *options, const char *raw)
{
	char *value;
	InternetAddressList *list;

	if (raw == NULL)
		return NULL;
	value = mime_header_raw_utf8(raw);
	list = internet_address_list_parse(options, value);
	g_free(value);
	return list;
}

static void
mime_read_address_list(GMimeParserOptions *options, GMimeObject *message, const char *name,
                       GPtrArray *into)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(message);
	int count = g_mime_header_list_get_count(headers);

	/* Some senders repeat To or Cc; every occurrence counts. */
	for (int h = 0; h < count; h++) {
		GMimeHeader *header = g_mime_header_list_get_header_at(headers, h);
		if (g_ascii_strcasecmp(g_mime_header_get_name(header), name) != 0)
			continue;
		InternetAddressList *list =
		    mime_parse_addresses(options, g_mime_header_get_raw_value(header));
		GPtrArray *mailboxes = g_ptr_array_new();
		mime_collect_mailboxes(list, mailboxes, 0);
		for (guint i = 0; i < mailboxes->len; i++) {
			const char *addr = internet_address_mailbox_get_addr(mailboxes->pdata[i]);
			if (addr != NULL && *addr != '\0')
				mime_string_array_add(into, dm_address_normalise(addr));
		}
		g_ptr_array_free(mailboxes, TRUE);
		if (list != NULL)
			g_object_unref(list);
	}
}

static void
mime_read_from(mail *m, GMimeParserOptions *options, GMimeObject *message)
{
	InternetAddressList *list = mime_parse_addresses(options, mime_raw_header(message, "From"));
	GPtrArray *mailboxes = g_ptr_array_new();

	mime_collect_mailboxes(list, mailboxes, 0);
	if (mailboxes->len > 0) {
		InternetAddress *first = mailboxes->pdata[0];
		const char *addr =
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(first));
		const char *name = internet_address_get_name(first);
		if (addr != NULL && *addr != '\0')
			m->from_address = dm_address_normalise(addr);
		if (name != NULL && *name != '\0')
			m->from_name = charset_make_valid(g_strstrip(g_strdup(name)));
	}
	g_ptr_array_free(mailboxes, TRUE);
	if (list != NULL)
		g_object_unref(list);
}

static char *
mime_strip_angles(const char *value)
{
	char *copy = g_strstrip(g_strdup(value));
	char *start = copy;
	char *result;

	if (*start == '<')
		start++;
	size_t len = strlen(start);
	if (len > 0 && start[len - 1] == '>')
		start[len - 1] = '\0';
	result = g_strstrip(g_strdup(start));
	g_free(copy);
	if (*result == '\0') {
		g_free(result);
		return NULL;
	}
	return result;
}

static void
mime_append_headers(mail *m, GMimeParserOptions *options, GMimeHeaderList *headers)
{
	int count = g_mime_header_list_get_count(headers);

	for (int i = 0; i < count; i++) {
		GMimeHeader *header = g_mime_header_list_get_header_at(headers, i);
		g_ptr_array_add(m->header_names,
		                charset_make_valid(g_strdup(g_mime_header_get_name(header))));
		g_ptr_array_add(m->header_values,
		                mime_header_decode(options, g_mime_header_get_raw_value(header)));
	}
}

static void
mime_read_headers(mail *m, GMimeParserOptions *options, GMimeObject *message)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(message);
	const char *raw;

	mime_append_headers(m, options, headers);
	/*
	 * GMime moves the Content-* headers of the message to its top MIME part;
	 * for callers they are still headers of the message.
	 */
	if (GMIME_IS_MESSAGE(message) &&
	    g_mime_message_get_mime_part(GMIME_MESSAGE(message)) != NULL)
		mime_append_headers(m, options,
		                    g_mime_object_get_header_list(
		                        g_mime_message_get_mime_part(GMIME_MESSAGE(message))));

	raw = mime_raw_header(message, "Message-ID");
	if (raw != NULL) {
		GPtrArray *ids = mime_string_array();
		mime_read_references(options, raw, ids, true);
		if (ids->len > 1)
			m->message_id = g_strdup(ids->pdata[0]);
		else {
			/* Not an msg-id at all (no @, no <>): keep what was written. */
			char *value = mime_header_raw_utf8(raw);
			m->message_id = mime_strip_angles(value);
			g_free(value);
		}
		g_ptr_array_free(ids, TRUE);
	}
	{
		GPtrArray *ids = mime_string_array();
		mime_read_references(options, mime_raw_header(message, "In-Reply-To"), ids, true);
		if (ids->len > 1)
			m->in_reply_to = g_strdup(ids->pdata[0]);
		g_ptr_array_free(ids, TRUE);
	}
	mime_read_references(options, mime_raw_header(message, "References"), m->references, false);

	raw = mime_raw_header(message, "Thread-Index");
	if (raw != NULL) {
		m->thread_index = mime_header_raw_utf8(raw);
		if (*m->thread_index == '\0')
			g_clear_pointer(&m->thread_index, g_free);
	}
	raw = mime_raw_header(message, "Subject");
	m->subject = raw != NULL ? mime_header_decode(options, raw) : g_strdup("");
	mime_read_from(m, options, message);
	mime_read_address_list(options, message, "To", m->to);
	mime_read_address_list(options, message, "Cc", m->cc);

	raw = mime_raw_header(message, "Date");
	if (raw != NULL) {
		char *value = mime_header_raw_utf8(raw);
		GDateTime *date = g_mime_utils_header_decode_date(value);
		if (date != NULL) {
			m->has_date = true;
			m->date = g_date_time_to_unix(date);
			m->date_offset =
			    (int)(g_date_time_get_utc_offset(date) / G_TIME_SPAN_MINUTE);
			g_date_time_unref(date);
		}
		g_free(value);
	}
}

/* ---- parts ----------------------------------------------------------------- */

static char *
mime_content_type_string(GMimeObject *object)
{
	GMimeContentType *type = g_mime_object_get_content_type(object);
	const char *media = type != NULL ? g_mime_content_type_get_media_type(type) : NULL;
	const char *sub = type != NULL ? g_mime_content_type_get_media_subtype(type) : NULL;
	char *joined = g_strdup_printf("%s/%s", media != NULL && *media ? media : "text",
	                               sub != NULL && *sub ? sub : "plain");
	char *lower = g_ascii_strdown(joined, -1);

	g_free(joined);
	return lower;
}

static bool
mime_is_attachment_disposition(GMimeObject *object)
{
	const char *disposition = g_mime_object_get_disposition(object);
	return disposition != NULL && g_ascii_strcasecmp(disposition, "attachment") == 0;
}

/* Text for reading: transfer encoding removed, charset converted, LF line ends. */
static char *
mime_part_to_utf8(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *stream;
	GByteArray *bytes;
	char *text;
	const char *charset;

	if (content == NULL)
		return g_strdup("");
	stream = g_mime_stream_mem_new();
	/* Writing a data wrapper decodes base64 / quoted-printable / uuencode. */
	g_mime_data_wrapper_write_to_stream(content, stream);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	text = charset_to_utf8((const char *)bytes->data, bytes->len, charset);
	g_object_unref(stream);
	return mime_normalise_line_ends(text);
}

static char *
mime_object_name(GMimeObject *object)
{
	const char *name = NULL;

	if (GMIME_IS_PART(object))
		name = g_mime_part_get_filename(GMIME_PART(object));
	else {
		/* GMime decodes RFC 2231 and 2047 in both parameters. */
		name = g_mime_object_get_content_disposition_parameter(object, "filename");
		if (name == NULL)
			name = g_mime_object_get_content_type_parameter(object, "name");
	}
	if (name == NULL || *name == '\0')
		return NULL;
	/* Parameters may hold raw 8-bit bytes; GMime leaves them as they came. */
	return charset_to_utf8(name, strlen(name), NULL);
}

typedef struct {
	GMimeObject *part;
	bool html;
} mime_body_choice;

static bool
mime_is_body_candidate(GMimeObject *object, bool *html)
{
	GMimeContentType *type;

	if (!GMIME_IS_PART(object) || mime_is_attachment_disposition(object))
		return false;
	type = g_mime_object_get_content_type(object);
	if (type == NULL || g_mime_content_type_is_type(type, "text", "plain")) {
		*html = false;
		return true;
	}
	if (g_mime_content_type_is_type(type, "text", "html")) {
		*html = true;
		return true;
	}
	return false;
}

/*
 * Picks the part that holds the reply's own text.  In alternatives the
 * plain version wins over HTML; elsewhere the first inline text in document
 * order.  Enclosed messages are not searched: they are what was replied
 * to or what bounced.
 */
static mime_body_choice
mime_choose_body(GMimeObject *object, int depth)
{
	mime_body_choice none = {NULL, false};
	bool html = false;

	if (object == NULL || depth > MAIL_MAX_DEPTH)
		return none;
	if (mime_is_body_candidate(object, &html))
		return (mime_body_choice){object, html};
	if (!GMIME_IS_MULTIPART(object))
		return none;

	GMimeMultipart *multipart = GMIME_MULTIPART(object);
	int count = g_mime_multipart_get_count(multipart);
	GMimeContentType *type = g_mime_object_get_content_type(object);
	bool alternative =
	    type != NULL && g_mime_content_type_is_type(type, "multipart", "alternative");
	mime_body_choice html_choice = none;

	for (int i = 0; i < count; i++) {
		mime_body_choice choice =
		    mime_choose_body(g_mime_multipart_get_part(multipart, i), depth + 1);
		if (choice.part == NULL)
			continue;
		if (!alternative || !choice.html)
			return choice;
		if (html_choice.part == NULL)
			html_choice = choice;
	}
	return html_choice;
}

/*
 * Inline text without a file name is message text (the other alternative,
 * the HTML root of a multipart/related, a footer a list appended), not
 * something the sender attached.
 */
static bool
mime_is_inline_text(GMimeObject *object)
{
	bool html;

	return mime_is_body_candidate(object, &html) &&
	       g_mime_object_get_content_disposition_parameter(object, "filename") == NULL &&
	       g_mime_object_get_content_type_parameter(object, "name") == NULL;
}

static void
mime_remember_part_text(mail *m, const char *type, char *text)
{
	if (g_hash_table_contains(m->part_texts, type)) {
		g_free(text);
		return;
	}
	g_hash_table_insert(m->part_texts, g_strdup(type), text);
}

static bool
mime_is_report_type(const char *type)
{
	for (size_t i = 0; mime_report_types[i] != NULL; i++)
		if (strcmp(type, mime_report_types[i]) == 0)
			return true;
	return false;
}

static void
mime_walk_parts(mail *m, GMimeObject *object, GMimeObject *body, int depth)
{
	char *type;

	if (object == NULL || depth > MAIL_MAX_DEPTH)
		return;
	type = mime_content_type_string(object);
	if (GMIME_IS_MULTIPART(object)) {
		GMimeMultipart *multipart = GMIME_MULTIPART(object);
		int count = g_mime_multipart_get_count(multipart);
		for (int i = 0; i < count; i++)
			mime_walk_parts(m, g_mime_multipart_get_part(multipart, i), body,
			                depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(object)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
		mail_attachment attachment = {mime_object_name(object), g_strdup(type)};
		g_array_append_val(m->attachments, attachment);
		if (inner != NULL && mime_is_report_type(type)) {
			GMimeHeaderList *headers =
			    g_mime_object_get_header_list(GMIME_OBJECT(inner));
			char *text = g_mime_header_list_to_string(headers, NULL);
			mime_remember_part_text(m, type,
			                        charset_make_valid(mime_normalise_line_ends(text)));
		}
	} else if (GMIME_IS_PART(object)) {
		if (mime_is_report_type(type))
			mime_remember_part_text(m, type, mime_part_to_utf8(GMIME_PART(object)));
		if (object != body && !mime_is_inline_text(object)) {
			mail_attachment attachment = {mime_object_name(object), g_strdup(type)};
			g_array_append_val(m->attachments, attachment);
		}
	}
	g_free(type);
}

static void
mime_read_report(mail *m, GMimeObject *top)
{
	GMimeObject *candidates[2] = {top, NULL};
	GMimeContentType *type = g_mime_object_get_content_type(top);

	/* Some gateways wrap the report in a multipart/mixed. */
	if (type != NULL && g_mime_content_type_is_type(type, "multipart", "mixed") &&
	    GMIME_IS_MULTIPART(top) && g_mime_multipart_get_count(GMIME_MULTIPART(top)) > 0)
		candidates[1] = g_mime_multipart_get_part(GMIME_MULTIPART(top), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(candidates) && candidates[i] != NULL; i++) {
		GMimeContentType *ct = g_mime_object_get_content_type(candidates[i]);
		if (ct != NULL && g_mime_content_type_is_type(ct, "multipart", "report")) {
			const char *report = g_mime_content_type_get_parameter(ct, "report-type");
			m->is_report = true;
			m->report_type = g_ascii_strdown(report != NULL ? report : "", -1);
			g_strstrip(m->report_type);
			return;
		}
	}
}

static void
mime_read_body(mail *m, GMimeObject *top)
{
	mime_body_choice choice = mime_choose_body(top, 0);

	if (choice.part != NULL) {
		char *text = mime_part_to_utf8(GMIME_PART(choice.part));
		if (choice.html) {
			m->body_text = html_to_text(text, strlen(text), true);
			m->body_from_html = true;
			g_free(text);
		} else {
			m->body_text = text;
		}
	} else if (GMIME_IS_MULTIPART(top) &&
	           g_mime_multipart_get_prologue(GMIME_MULTIPART(top)) != NULL) {
		/*
		 * Some MTAs write their whole report before the first boundary, where
		 * a MIME reader shows nothing.  Without any text part, that is the
		 * only text the sender wrote.
		 */
		const char *prologue = g_mime_multipart_get_prologue(GMIME_MULTIPART(top));
		char *text = charset_to_utf8(prologue, strlen(prologue), NULL);
		m->body_text = g_strstrip(mime_normalise_line_ends(text));
	} else {
		m->body_text = g_strdup("");
	}
	mime_walk_parts(m, top, choice.part, 0);
	mime_read_report(m, top);
}

/* ---- the message ------------------------------------------------------------ */

/* The mbox separator is not a header; GMime would take it for a broken one. */
static const char *
mime_skip_mbox_from(const char *data, size_t *length)
{
	if (*length >= 5 && memcmp(data, "From ", 5) == 0) {
		const char *newline = memchr(data, '\n', *length);
		if (newline == NULL) {
			*length = 0;
			return data;
		}
		*length -= (size_t)(newline + 1 - data);
		return newline + 1;
	}
	return data;
}

/*
 * Mail whose lines end in a bare CR (old Mac clients, some exports): GMime
 * sees one endless header line.  When the first line end is a lone CR, the
 * parsed copy gets LF for every lone CR; the raw bytes passed on are not
 * touched.  Returns NULL when the text needs nothing.
 */
static char *
mime_bare_cr_to_lf(const char *data, size_t length)
{
	const char *end = memchr(data, '\r', length);
	char *copy;

	if (end == NULL || (size_t)(end - data) + 1 >= length || end[1] == '\n' ||
	    memchr(data, '\n', (size_t)(end - data)) != NULL)
		return NULL;
	copy = g_memdup2(data, length);
	for (size_t i = 0; i < length; i++)
		if (copy[i] == '\r' && (i + 1 == length || copy[i + 1] != '\n'))
			copy[i] = '\n';
	return copy;
}

mail *
mail_parse(const char *data, size_t length, GError **error)
{
	GMimeParserOptions *options = NULL;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *message = NULL;
	GMimeObject *top;
	mail *m = NULL;
	char *lf_copy = NULL;

	mime_ensure_init();
	if (data == NULL || length == 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "message: empty input");
		return NULL;
	}
	data = mime_skip_mbox_from(data, &length);
	lf_copy = mime_bare_cr_to_lf(data, length);
	if (lf_copy != NULL)
		data = lf_copy;

	options = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(options, TRUE);

	stream = g_mime_stream_mem_new_with_buffer(data, length);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	message = g_mime_parser_construct_message(parser, options);
	if (message == NULL || g_mime_header_list_get_count(
	                           g_mime_object_get_header_list(GMIME_OBJECT(message))) == 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "message: no header found, not a mail message");
		goto fail;
	}

	m = g_new0(mail, 1);
	m->references = mime_string_array();
	m->to = mime_string_array();
	m->cc = mime_string_array();
	m->header_names = g_ptr_array_new_with_free_func(g_free);
	m->header_values = g_ptr_array_new_with_free_func(g_free);
	m->attachments = g_array_new(FALSE, TRUE, sizeof(mail_attachment));
	m->part_texts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	mime_read_headers(m, options, GMIME_OBJECT(message));
	top = g_mime_message_get_mime_part(message);
	if (top != NULL)
		mime_read_body(m, top);
	else
		m->body_text = g_strdup("");

fail:
	if (message != NULL)
		g_object_unref(message);
	g_object_unref(parser);
	g_object_unref(stream);
	g_mime_parser_options_free(options);
	g_free(lf_copy);
	return m;
}

void
mail_free(mail *m)
{
	if (m == NULL)
		return;
	g_free(m->message_id);
	g_free(m->in_reply_to);
	g_ptr_array_free(m->references, TRUE);
	g_free(m->thread_index);
	g_free(m->subject);
	g_free(m->from_address);
	g_free(m->from_name);
	g_ptr_array_free(m->to, TRUE);
	g_ptr_array_free(m->cc, TRUE);
	g_ptr_array_free(m->header_names, TRUE);
	g_ptr_array_free(m->header_values, TRUE);
	g_free(m->body_text);
	for (guint i = 0; i < m->attachments->len; i++) {
		mail_attachment *a = &g_array_index(m->attachments, mail_attachment, i);
		g_free(a->name);
		g_free(a->type);
	}
	g_array_free(m->attachments, TRUE);
	g_free(m->report_type);
	g_hash_table_destroy(m->part_texts);
	g_free(m);
}

/* ---- accessors -------------------------------------------------------------- */

const char *
mail_message_id(const mail *m)
{
	return m->message_id;
}

const char *
mail_in_reply_to(const mail *m)
{
	return m->in_reply_to;
}

const char *const *
mail_references(const mail *m)
{
	return (const char *const *)m->references->pdata;
}

const char *
mail_thread_index(const mail *m)
{
	return m->thread_index;
}

const char *
mail_subject(const mail *m)
{
	return m->subject;
}

const char *
mail_from_address(const mail *m)
{
	return m->from_address;
}

const char *
mail_from_name(const mail *m)
{
	return m->from_name;
}

const char *const *
mail_to_addresses(const mail *m)
{
	return (const char *const *)m->to->pdata;
}

const char *const *
mail_cc_addresses(const mail *m)
{
	return (const char *const *)m->cc->pdata;
}

bool
mail_date(const mail *m, int64_t *unix_seconds, int *utc_offset_minutes)
{
	if (!m->has_date)
		return false;
	if (unix_seconds != NULL)
		*unix_seconds = m->date;
	if (utc_offset_minutes != NULL)
		*utc_offset_minutes = m->date_offset;
	return true;
}

const char *
mail_header(const mail *m, const char *name)
{
	for (guint i = 0; i < m->header_names->len; i++)
		if (g_ascii_strcasecmp(m->header_names->pdata[i], name) == 0)
			return m->header_values->pdata[i];
	return NULL;
}

size_t
mail_header_count(const mail *m)
{
	return m->header_names->len;
}

const char *
mail_header_name(const mail *m, size_t i)
{
	return i < m->header_names->len ? m->header_names->pdata[i] : NULL;
}

const char *
mail_header_value(const mail *m, size_t i)
{
	return i < m->header_values->len ? m->header_values->pdata[i] : NULL;
}

const char *
mail_body_text(const mail *m)
{
	return m->body_text;
}

bool
mail_body_from_html(const mail *m)
{
	return m->body_from_html;
}

size_t
mail_attachment_count(const mail *m)
{
	return m->attachments->len;
}

const char *
mail_attachment_name(const mail *m, size_t i)
{
	if (i >= m->attachments->len)
		return NULL;
	return g_array_index(m->attachments, mail_attachment, i).name;
}

const char *
mail_attachment_type(const mail *m, size_t i)
{
	if (i >= m->attachments->len)
		return NULL;
	return g_array_index(m->attachments, mail_attachment, i).type;
}

bool
mail_is_multipart_report(const mail *m, const char **report_type)
{
	if (!m->is_report)
		return false;
	if (report_type != NULL)
		*report_type = m->report_type;
	return true;
}

const char *
mail_part_text(const mail *m, const char *mime_type)
{
	return g_hash_table_lookup(m->part_texts, mime_type);
}
