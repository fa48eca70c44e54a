/*
 * Auto-reply and bounce detection.  Headers decide when they can (they are
 * what RFC 3834 and RFC 3464 ask senders to write); subjects and the
 * human-readable text are the fallback for the many systems that do not.
 */
#include "filter/autoreply.h"

#include "common/util.h"

#include <string.h>

/* More failed recipients than this in one bounce are not worth keeping. */
#define AUTOREPLY_MAX_RECIPIENTS 32

/*
 * Subjects of vacation replies, compared after case folding and removal of
 * accents (so "Răspuns automat" and "Raspuns automat" both match).  Polish
 * ł has no decomposition and is written both ways.
 */
static const char *const autoreply_vacation_subjects[] = {
    /* en */
    "out of office", "out of the office", "automatic reply", "auto reply", "autoreply",
    "auto-reply", "auto response", "autoresponse", "autorespons", "automatic response",
    "away from the office", "away from office",
    /* pl */
    "autoodpowiedz", "odpowiedz automatyczna", "automatyczna odpowiedz", "poza biurem",
    "nieobecnosc",
    /* bg */
    "автоматичен отговор", "извън офиса", "отсъствие от офиса",
    /* nl */
    "automatisch antwoord", "afwezig", "niet aanwezig", "buiten kantoor",
    /* ro */
    "raspuns automat", "absent din birou", "in afara biroului",
    /* es */
    "respuesta automatica", "fuera de la oficina", "fuera de oficina",
    /* de */
    "automatische antwort", "abwesenheitsnotiz", "abwesend", "nicht im buro",
    /* fr */
    "reponse automatique", "absence du bureau", "absent du bureau", "message d'absence",
    "hors du bureau",
    /* it */
    "risposta automatica", "fuori ufficio", NULL};

/* Subjects of delivery failure notices, folded the same way. */
static const char *const autoreply_bounce_subjects[] = {"undeliverable",
                                                        "undelivered",
                                                        "returned mail",
                                                        "returned to sender",
                                                        "returning message to sender",
                                                        "returning to sender",
                                                        "delivery status notification",
                                                        "delivery failure",
                                                        "delivery failed",
                                                        "delivery has failed",
                                                        "mail delivery failed",
                                                        "failure notice",
                                                        "could not be delivered",
                                                        "mail failed",
                                                        "delayed mail",
                                                        "delivery delayed",
                                                        "mail delivery status",
                                                        "non-deliverable",
                                                        "nondeliverable",
                                                        "delivery notification",
                                                        "message you sent blocked",
                                                        "unzustellbar",
                                                        "nicht zustellbar",
                                                        "non remis",
                                                        "non distribuable",
                                                        "niedostarczon",
                                                        "nie mozna dostarczyc",
                                                        "no se puede entregar",
                                                        "no entregado",
                                                        "onbestelbaar",
                                                        "kan niet worden bezorgd",
                                                        "nu a putut fi livrat",
                                                        "nelivrat",
                                                        "недоставено",
                                                        "не може да бъде доставено",
                                                        NULL};

/* Phrases of the human part of a bounce, for senders that write no report. */
static const char *const autoreply_bounce_phrases[] = {"final-recipient:",
                                                       "could not be delivered",
                                                       "couldn't be delivered",
                                                       "following address(es) failed",
                                                       "following addresses had permanent",
                                                       "did not reach",
                                                       "delivery to the following recipient",
                                                       "user unknown",
                                                       "no such user",
                                                       "mailbox is full",
                                                       "mailbox unavailable",
                                                       "undeliverable",
                                                       "unable to deliver",
                                                       "permanent error",
                                                       "failed addresses",
                                                       "delivery has failed",
                                                       "recipient address rejected",
                                                       NULL};

static const char *const autoreply_daemon_locals[] = {
    "mailer-daemon", "mailer_daemon", "mailerdaemon", "mail-daemon", "postmaster", NULL};

static const char *const autoreply_daemon_names[] = {"mail delivery subsystem",
                                                     "mail delivery system",
                                                     "mail delivery service",
                                                     "mail administrator",
                                                     "mailer-daemon",
                                                     "postmaster",
                                                     NULL};

/* Case-folded, accents removed: the form every phrase table above is written in. */
static char *
autoreply_fold(const char *text)
{
	char *folded = g_utf8_casefold(text != NULL ? text : "", -1);
	char *decomposed = g_utf8_normalize(folded, -1, G_NORMALIZE_NFD);
	GString *out = g_string_new(NULL);

	if (decomposed != NULL) {
		for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char(p)) {
			gunichar c = g_utf8_get_char(p);
			if (g_unichar_type(c) == G_UNICODE_NON_SPACING_MARK)
				continue;
			g_string_append_unichar(out, c == 0x0142 ? 'l' : c);
		}
	}
	g_free(decomposed);
	g_free(folded);
	return g_string_free(out, FALSE);
}

/*
 * The phrase tables are constant, so each phrase is folded once per
 * process (keyed by its address) instead of once per message: folding
 * every table for every message cost more than the rest of detection.
 */
static GMutex autoreply_fold_lock;
static GHashTable *autoreply_folded_phrases;

static const char *
autoreply_folded_phrase(const char *phrase)
{
	const char *folded;

	g_mutex_lock(&autoreply_fold_lock);
	if (autoreply_folded_phrases == NULL)
		autoreply_folded_phrases = g_hash_table_new_full(g_direct_hash, g_direct_equal,
		                                                 NULL, g_free);
	folded = g_hash_table_lookup(autoreply_folded_phrases, phrase);
	if (folded == NULL) {
		char *made = autoreply_fold(phrase);
		g_hash_table_insert(autoreply_folded_phrases, (gpointer)phrase, made);
		folded = made;
	}
	g_mutex_unlock(&autoreply_fold_lock);
	return folded;
}

/* The first phrase of the table found in folded text, or NULL. */
static const char *
autoreply_find_phrase(const char *folded, const char *const *phrases)
{
	for (size_t i = 0; phrases[i] != NULL; i++)
		if (strstr(folded, autoreply_folded_phrase(phrases[i])) != NULL)
			return phrases[i];
	return NULL;
}

static bool
autoreply_in_list(const char *word, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (g_ascii_strcasecmp(word, list[i]) == 0)
			return true;
	return false;
}

/* A header value's first token ("auto-replied" of "auto-replied; owner=x"), lower-case. */
static char *
autoreply_header_token(const char *value)
{
	char *copy = g_ascii_strdown(value, -1);
	char *semicolon = strchr(copy, ';');

	if (semicolon != NULL)
		*semicolon = '\0';
	return g_strstrip(copy);
}

static void
autoreply_set(autoreply_result *result, autoreply_kind kind, char *reason)
{
	result->kind = kind;
	g_free(result->reason);
	result->reason = reason;
}

/* ---- bounces ---------------------------------------------------------------- */

static bool
autoreply_is_daemon_sender(const mail *m)
{
	const char *address = mail_from_address(m);
	const char *name = mail_from_name(m);

	if (address != NULL) {
		const char *at = strchr(address, '@');
		char *local =
		    at != NULL ? g_strndup(address, (gsize)(at - address)) : g_strdup(address);
		bool daemon = autoreply_in_list(local, autoreply_daemon_locals);
		g_free(local);
		if (daemon)
			return true;
	}
	if (name != NULL) {
		char *folded = autoreply_fold(name);
		bool daemon = autoreply_find_phrase(folded, autoreply_daemon_names) != NULL;
		g_free(folded);
		if (daemon)
			return true;
	}
	return false;
}

static void
autoreply_add_recipient(GPtrArray *recipients, const char *address)
{
	char *normal = dm_address_normalise(address);

	if (*normal == '\0' || strchr(normal, '@') == NULL ||
	    recipients->len >= AUTOREPLY_MAX_RECIPIENTS) {
		g_free(normal);
		return;
	}
	for (guint i = 0; i < recipients->len; i++) {
		if (strcmp(recipients->pdata[i], normal) == 0) {
			g_free(normal);
			return;
		}
	}
	g_ptr_array_add(recipients, normal);
}

/* "rfc822; user@example.org" -> "user@example.org" */
static const char *
autoreply_strip_address_type(const char *value)
{
	const char *semicolon = strchr(value, ';');
	return semicolon != NULL ? semicolon + 1 : value;
}

static char *
autoreply_find_status(const char *text)
{
	GRegex *regex =
	    g_regex_new("(?<![\\d.])([245]\\.\\d{1,3}\\.\\d{1,3})(?!\\.?\\d)", 0, 0, NULL);
	GMatchInfo *match = NULL;
	char *status = NULL;

	if (g_regex_match(regex, text, 0, &match))
		status = g_match_info_fetch(match, 1);
	g_match_info_free(match);
	g_regex_unref(regex);
	return status;
}

/*
 * Reads the per-recipient groups of a delivery-status report (RFC 3464:
 * blocks separated by blank lines, fields may be folded).  Original-
 * Recipient is preferred: it is the address dunmail wrote, before the
 * receiving side expanded aliases.  Recipients that were delivered,
 * relayed or expanded did not fail, and delayed ones have not failed yet:
 * *failed counts the others.  Returns false when the text has no recipient
 * group at all.
 */
static bool
autoreply_read_delivery_status(const char *text, GPtrArray *recipients, char **status,
                               size_t *failed_groups)
{
	char **lines = g_strsplit(text, "\n", -1);
	GString *unfolded = g_string_new(NULL);
	bool found = false;
	size_t failed = 0;
	char *delay_status = NULL;

	/* Unfold continuation lines so that every field is one line. */
	for (size_t i = 0; lines[i] != NULL; i++) {
		char *line = lines[i];
		g_strchomp(line);
		if ((line[0] == ' ' || line[0] == '\t') && line[strspn(line, " \t")] != '\0' &&
		    unfolded->len > 0 && unfolded->str[unfolded->len - 1] != '\n')
			g_string_append(unfolded, line + strspn(line, " \t") - 1);
		else {
			if (unfolded->len > 0)
				g_string_append_c(unfolded, '\n');
			g_string_append(unfolded, line);
		}
	}
	g_strfreev(lines);

	char **groups = g_regex_split_simple("\\n[ \\t]*\\n", unfolded->str, 0, 0);
	for (size_t g = 0; groups[g] != NULL; g++) {
		char **fields = g_strsplit(groups[g], "\n", -1);
		char *final_recipient = NULL, *original_recipient = NULL, *action = NULL,
		     *group_status = NULL;
		for (size_t f = 0; fields[f] != NULL; f++) {
			char *colon = strchr(fields[f], ':');
			if (colon == NULL)
				continue;
			*colon = '\0';
			char *name = g_strstrip(fields[f]);
			char *value = g_strstrip(colon + 1);
			if (g_ascii_strcasecmp(name, "Final-Recipient") == 0 &&
			    final_recipient == NULL)
				final_recipient = g_strdup(autoreply_strip_address_type(value));
			else if (g_ascii_strcasecmp(name, "Original-Recipient") == 0 &&
			         original_recipient == NULL)
				original_recipient = g_strdup(autoreply_strip_address_type(value));
			else if (g_ascii_strcasecmp(name, "Action") == 0 && action == NULL)
				action = g_ascii_strdown(value, -1);
			else if (g_ascii_strcasecmp(name, "Status") == 0 && group_status == NULL)
				group_status = autoreply_find_status(value);
		}
		if (final_recipient != NULL || original_recipient != NULL) {
			bool delivered = action != NULL && (g_str_has_prefix(action, "delivered") ||
			                                    g_str_has_prefix(action, "relayed") ||
			                                    g_str_has_prefix(action, "expanded"));
			bool delayed = action != NULL && g_str_has_prefix(action, "delayed");
			found = true;
			/* A delay says when the server will give up: its status is the
			 * report's unless some recipient failed. */
			if (delayed && delay_status == NULL && group_status != NULL)
				delay_status = g_strdup(group_status);
			if (!delivered && !delayed) {
				failed++;
				const char *chosen = original_recipient;
				if (chosen == NULL || strchr(chosen, '@') == NULL)
					chosen = final_recipient;
				if (chosen != NULL)
					autoreply_add_recipient(recipients, chosen);
				if (*status == NULL && group_status != NULL)
					*status = g_strdup(group_status);
			}
		}
		g_free(final_recipient);
		g_free(original_recipient);
		g_free(action);
		g_free(group_status);
		g_strfreev(fields);
	}
	g_strfreev(groups);
	g_string_free(unfolded, TRUE);
	*failed_groups = failed;
	if (failed == 0 && *status == NULL)
		*status = g_steal_pointer(&delay_status);
	g_free(delay_status);
	return found;
}

/*
 * The human part of a bounce ends where the returned message begins; what
 * follows holds the reminder's own addresses, not the failed ones.
 */
static char *
autoreply_human_part(const char *body)
{
	GRegex *regex = g_regex_new(
	    "^(Received:|Return-Path:|.*message text follows|.*this is a copy of the message"
	    "|.*original message follows|[- ]*original message[- ]*$|.*undelivered message"
	    " headers)",
	    G_REGEX_CASELESS | G_REGEX_MULTILINE, 0, NULL);
	GMatchInfo *match = NULL;
	char *part;

	if (g_regex_match(regex, body, 0, &match)) {
		int start = 0;
		g_match_info_fetch_pos(match, 0, &start, NULL);
		part = g_strndup(body, (gsize)start);
	} else {
		part = g_strdup(body);
	}
	g_match_info_free(match);
	g_regex_unref(regex);
	return part;
}

static bool
autoreply_is_own_address(const mail *m, const char *address)
{
	const char *at = strchr(address, '@');
	const char *from = mail_from_address(m);

	if (at != NULL) {
		char *local = g_strndup(address, (gsize)(at - address));
		bool daemon = autoreply_in_list(local, autoreply_daemon_locals);
		g_free(local);
		if (daemon)
			return true;
	}
	if (from != NULL && strcmp(from, address) == 0)
		return true;
	for (const char *const *to = mail_to_addresses(m); *to != NULL; to++)
		if (strcmp(*to, address) == 0)
			return true;
	return false;
}

/* Addresses the human text names, except the bounce's own sender and recipient. */
static void
autoreply_read_human_recipients(const mail *m, const char *human, GPtrArray *recipients)
{
	GRegex *regex = g_regex_new(
	    "[A-Za-z0-9._%+=/'!#$&*?^`{|}~-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+", 0, 0, NULL);
	GMatchInfo *match = NULL;

	g_regex_match(regex, human, 0, &match);
	while (g_match_info_matches(match)) {
		char *address = g_match_info_fetch(match, 0);
		char *normal = dm_address_normalise(address);
		/* A trailing dot ends the sentence, not the domain. */
		while (g_str_has_suffix(normal, "."))
			normal[strlen(normal) - 1] = '\0';
		if (!autoreply_is_own_address(m, normal))
			autoreply_add_recipient(recipients, normal);
		g_free(normal);
		g_free(address);
		g_match_info_next(match, NULL);
	}
	g_match_info_free(match);
	g_regex_unref(regex);
}

static char *
autoreply_find_message_id(const char *headers)
{
	GRegex *regex = g_regex_new("^Message-ID:[ \\t]*(?:\\n[ \\t]+)?<?([^<>\\s]+@[^<>\\s]+)>?",
	                            G_REGEX_CASELESS | G_REGEX_MULTILINE, 0, NULL);
	GMatchInfo *match = NULL;
	char *id = NULL;

	if (headers != NULL && g_regex_match(regex, headers, 0, &match))
		id = g_match_info_fetch(match, 1);
	g_match_info_free(match);
	g_regex_unref(regex);
	return id;
}

/*
 * Reads a bounce's failed recipients, status and returned Message-ID.
 * Returns false when its delivery-status report lists recipients and none
 * of them failed (delivered, relayed, expanded or delayed): a report, not
 * a bounce.
 */
static bool
autoreply_read_bounce(const mail *m, autoreply_result *result)
{
	GPtrArray *recipients = g_ptr_array_new_with_free_func(g_free);
	const char *report = mail_part_text(m, "message/delivery-status");
	const char *body = mail_body_text(m);
	char *human = autoreply_human_part(body);
	size_t failed = 0;
	bool reported = false, failure = true;

	if (report == NULL)
		report = mail_part_text(m, "message/global-delivery-status");
	if (report != NULL)
		reported = autoreply_read_delivery_status(report, recipients, &result->status, &failed);
	/* Reports pasted into the text by MTAs that do not write MIME. */
	if (!reported && recipients->len == 0)
		reported = autoreply_read_delivery_status(body, recipients, &result->status, &failed);
	if (reported && failed == 0)
		failure = false;
	if (failure && recipients->len == 0)
		autoreply_read_human_recipients(m, human, recipients);
	if (result->status == NULL)
		result->status = autoreply_find_status(human);

	if (recipients->len > 0) {
		g_ptr_array_add(recipients, NULL);
		result->failed_recipients = (char **)g_ptr_array_free(recipients, FALSE);
	} else {
		g_ptr_array_free(recipients, TRUE);
	}

	const char *const original_types[] = {"text/rfc822-headers", "message/rfc822",
	                                      "message/global", NULL};
	for (size_t i = 0; original_types[i] != NULL && result->original_message_id == NULL; i++)
		result->original_message_id =
		    autoreply_find_message_id(mail_part_text(m, original_types[i]));
	if (result->original_message_id == NULL) {
		/* Without MIME the returned headers follow the human text in the body. */
		result->original_message_id = autoreply_find_message_id(body + strlen(human));
	}
	g_free(human);
	return failure;
}

/* Returns the reason when the message is a bounce, else NULL. */
static char *
autoreply_bounce_reason(const mail *m)
{
	const char *report_type = NULL;
	char *reason = NULL;

	if (mail_is_multipart_report(m, &report_type) &&
	    (strcmp(report_type, "delivery-status") == 0 ||
	     strcmp(report_type, "global-delivery-status") == 0))
		return g_strdup_printf("multipart/report; report-type=%s", report_type);
	if (mail_part_text(m, "message/delivery-status") != NULL ||
	    mail_part_text(m, "message/global-delivery-status") != NULL)
		return g_strdup("message/delivery-status part");
	if (!autoreply_is_daemon_sender(m))
		return NULL;

	char *subject = autoreply_fold(mail_subject(m));
	const char *phrase = autoreply_find_phrase(subject, autoreply_bounce_subjects);
	if (phrase != NULL) {
		reason = g_strdup_printf(
		    "sender %s, subject: %s",
		    mail_from_address(m) ? mail_from_address(m) : mail_from_name(m), phrase);
	} else {
		char *body = autoreply_fold(mail_body_text(m));
		phrase = autoreply_find_phrase(body, autoreply_bounce_phrases);
		if (phrase != NULL)
			reason = g_strdup_printf("sender %s, text: %s",
			                         mail_from_address(m) ? mail_from_address(m)
			                                              : mail_from_name(m),
			                         phrase);
		g_free(body);
	}
	g_free(subject);
	return reason;
}

/* ---- vacation replies -------------------------------------------------------- */

static char *
autoreply_vacation_header_reason(const mail *m)
{
	size_t count = mail_header_count(m);

	for (size_t i = 0; i < count; i++) {
		const char *name = mail_header_name(m, i);
		const char *value = mail_header_value(m, i);
		char *token = autoreply_header_token(value);
		char *reason = NULL;

		if (g_ascii_strcasecmp(name, "Auto-Submitted") == 0) {
			if (*token != '\0' && strcmp(token, "no") != 0)
				reason = g_strdup_printf("header Auto-Submitted: %s", token);
		} else if (g_ascii_strcasecmp(name, "X-Autoreply") == 0 ||
		           g_ascii_strcasecmp(name, "X-Autorespond") == 0 ||
		           g_ascii_strcasecmp(name, "X-Autoresponder") == 0 ||
		           g_ascii_strcasecmp(name, "X-Autogenerated") == 0) {
			if (strcmp(token, "no") != 0 && strcmp(token, "false") != 0)
				reason = g_strdup_printf("header %s: %s", name, token);
		} else if (g_ascii_strcasecmp(name, "Precedence") == 0) {
			if (strcmp(token, "auto_reply") == 0 || strcmp(token, "auto-reply") == 0)
				reason = g_strdup_printf("header Precedence: %s", token);
		} else if (g_ascii_strcasecmp(name, "X-Auto-Response-Suppress") == 0) {
			/* Exchange marks its own automatic answers so that they get none back. */
			reason = g_strdup_printf("header X-Auto-Response-Suppress: %s", value);
		} else if (g_ascii_strncasecmp(name, "X-MS-Exchange-", 14) == 0) {
			char *both = g_ascii_strdown(name, -1);
			char *lower_value = g_ascii_strdown(value, -1);
			if (strstr(both, "inbox-rules-loop") != NULL ||
			    strstr(both, "autorepl") != NULL ||
			    strstr(lower_value, "autoreply") != NULL ||
			    strstr(lower_value, "auto-replied") != NULL ||
			    strstr(lower_value, "autoreplied") != NULL)
				reason = g_strdup_printf("header %s", name);
			g_free(both);
			g_free(lower_value);
		}
		g_free(token);
		if (reason != NULL)
			return reason;
	}
	return NULL;
}

static char *
autoreply_vacation_subject_reason(const mail *m)
{
	char *subject = autoreply_fold(mail_subject(m));
	const char *phrase = autoreply_find_phrase(subject, autoreply_vacation_subjects);
	char *reason = NULL;

	if (phrase != NULL)
		reason = g_strdup_printf("subject: %s", phrase);
	else if (g_str_has_prefix(subject, "auto:"))
		reason = g_strdup("subject: Auto:");
	g_free(subject);
	return reason;
}

static bool
autoreply_is_bulk(const mail *m)
{
	const char *precedence = mail_header(m, "Precedence");

	if (precedence != NULL) {
		char *token = autoreply_header_token(precedence);
		bool bulk = strcmp(token, "bulk") == 0 || strcmp(token, "junk") == 0 ||
		            strcmp(token, "list") == 0;
		g_free(token);
		if (bulk)
			return true;
	}
	return mail_header(m, "List-Id") != NULL || mail_header(m, "List-Unsubscribe") != NULL;
}

bool
autoreply_detect(const mail *m, autoreply_result *result)
{
	char *reason;

	autoreply_result_clear(result);
	result->bulk = autoreply_is_bulk(m);

	/* Bounces first: many also carry Auto-Submitted, but they say more. */
	reason = autoreply_bounce_reason(m);
	if (reason != NULL) {
		autoreply_set(result, AUTOREPLY_BOUNCE, reason);
		if (!autoreply_read_bounce(m, result))
			result->kind = AUTOREPLY_REPORT;
		return true;
	}
	reason = autoreply_vacation_header_reason(m);
	if (reason == NULL)
		reason = autoreply_vacation_subject_reason(m);
	if (reason != NULL) {
		autoreply_set(result, AUTOREPLY_VACATION, reason);
		return true;
	}
	return false;
}

void
autoreply_result_clear(autoreply_result *result)
{
	g_free(result->reason);
	g_strfreev(result->failed_recipients);
	g_free(result->status);
	g_free(result->original_message_id);
	memset(result, 0, sizeof *result);
}
