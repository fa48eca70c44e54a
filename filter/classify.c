#include "filter/classify.h"
#include "common/util.h"
#include "filter/autoreply.h"
#include "filter/html.h"
#include "filter/language.h"
#include "filter/quote.h"
#include "filter/sentence.h"
#include "filter/when.h"

#include <string.h>

struct classifier {
	rules *rules;
	when_words *words;
	language_profiles *profiles;
	char *load_errors;
};

/*
 * Loads the rule packs of all languages at once.  When that fails, a user
 * directory with a broken pack must not switch anything else off: each
 * language is loaded from the shipped directory plus every user directory
 * that still compiles with it, and only the broken directories are left
 * out for that language.
 */
static rules *
load_rules_tolerantly(const char *const *dirs, const char *const *languages, GString *errors)
{
	GError *error = NULL;
	GPtrArray *good_dirs, *good_languages;
	/* Patterns are compiled on first use: a filter run reads one language. */
	rules *set = rules_load_lazy(dirs, languages, &error);

	if (set != NULL)
		return set;
	g_string_append_printf(errors, "%s\n", error->message);
	g_clear_error(&error);
	/* Which directories compile for which language: keep (dir, language)
	 * pairs that work by loading each language with a growing list. */
	good_dirs = g_ptr_array_new();
	for (const char *const *dir = dirs; dir != NULL && *dir != NULL; dir++) {
		bool fine = true;
		g_ptr_array_add(good_dirs, (gpointer)*dir);
		g_ptr_array_add(good_dirs, NULL);
		for (const char *const *lang = languages; *lang != NULL && fine; lang++) {
			const char *one[] = {*lang, NULL};
			rules *probe = rules_load((const char *const *)good_dirs->pdata, one, NULL);
			fine = probe != NULL;
			if (probe != NULL)
				rules_free(probe);
		}
		g_ptr_array_remove_index(good_dirs, good_dirs->len - 1);
		if (!fine)
			g_ptr_array_remove_index(good_dirs, good_dirs->len - 1);
	}
	g_ptr_array_add(good_dirs, NULL);
	set = rules_load_lazy((const char *const *)good_dirs->pdata, languages, NULL);
	if (set == NULL) {
		/* The shipped packs themselves fail for some language: keep the others. */
		good_languages = g_ptr_array_new();
		for (const char *const *lang = languages; *lang != NULL; lang++) {
			const char *one[] = {*lang, NULL};
			rules *probe = rules_load((const char *const *)good_dirs->pdata, one, NULL);
			if (probe != NULL) {
				g_ptr_array_add(good_languages, (gpointer)*lang);
				rules_free(probe);
			}
		}
		g_ptr_array_add(good_languages, NULL);
		set = rules_load_lazy((const char *const *)good_dirs->pdata,
				      (const char *const *)good_languages->pdata, NULL);
		g_ptr_array_free(good_languages, TRUE);
	}
	g_ptr_array_free(good_dirs, TRUE);
	return set;
}

classifier *
classifier_new(const dm_config *config, GError **error)
{
	classifier *c = g_new0(classifier, 1);
	const char *const *dirs = config_rules_directories(config);
	const char *const *languages = config_rules_languages(config);
	GString *errors = g_string_new(NULL);
	GError *local = NULL;

	c->rules = load_rules_tolerantly(dirs, languages, errors);
	c->words = when_words_load(dirs, languages, &local);
	if (c->words == NULL) {
		g_string_append_printf(errors, "%s\n", local->message);
		g_clear_error(&local);
	}
	c->profiles = language_profiles_load(dirs, languages, &local);
	if (c->profiles == NULL) {
		g_string_append_printf(errors, "%s\n", local->message);
		g_clear_error(&local);
	}
	if (errors->len > 0) {
		g_string_truncate(errors, errors->len - 1);
		c->load_errors = g_string_free(errors, FALSE);
	} else {
		g_string_free(errors, TRUE);
	}
	if (c->rules == NULL && c->words == NULL && c->profiles == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG, "no rule pack could be loaded:\n%s",
			    c->load_errors);
		classifier_free(c);
		return NULL;
	}
	return c;
}

void
classifier_free(classifier *c)
{
	if (c == NULL)
		return;
	if (c->rules != NULL)
		rules_free(c->rules);
	if (c->words != NULL)
		when_words_free(c->words);
	if (c->profiles != NULL)
		language_profiles_free(c->profiles);
	g_free(c->load_errors);
	g_free(c);
}

const char *
classifier_load_errors(const classifier *c)
{
	return c->load_errors;
}

void
classifier_prepare_threads(classifier *c)
{
	static const char probe[] = "From: a@b.example\nSubject: x\n\nx\n";
	mail *m;
	char *text;

	if (c->rules != NULL)
		rules_prepare_for_threads(c->rules);
	/* GMime and libxml2 set themselves up on first use; do it here, once. */
	m = mail_parse(probe, sizeof probe - 1, NULL);
	if (m != NULL)
		mail_free(m);
	text = html_to_text("<p>x</p>", 8, true);
	g_free(text);
}

size_t
classifier_rule_count(const classifier *c)
{
	return c->rules != NULL ? rules_count(c->rules) : 0;
}

void
classifier_set_profiling(classifier *c, bool on)
{
	if (c->rules != NULL)
		rules_set_profiling(c->rules, on);
}

char *
classifier_profile_report(const classifier *c, size_t top)
{
	return c->rules != NULL ? rules_profile_report(c->rules, top) : g_strdup("");
}

void
classify_result_clear(classify_result *result)
{
	if (result->mail != NULL)
		mail_free(result->mail);
	g_free(result->message_id);
	g_free(result->rule_id);
	g_free(result->language);
	g_free(result->reply_text);
	g_free(result->evidence);
	g_free(result->draft_id);
	g_free(result->bounced_message_id);
	if (result->failed_recipients != NULL)
		g_ptr_array_unref(result->failed_recipients);
	if (result->explain != NULL)
		g_ptr_array_unref(result->explain);
	memset(result, 0, sizeof *result);
}

static void
explain(classify_result *result, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
explain(classify_result *result, const char *fmt, ...)
{
	va_list ap;

	if (result->explain == NULL)
		return;
	va_start(ap, fmt);
	g_ptr_array_add(result->explain, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* A message without Message-ID gets one derived from its bytes, so that
 * seeing it twice (filter and scan) still counts it once. */
static char *
content_message_id(const char *data, size_t length)
{
	char *hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, length);
	char *id = g_strdup_printf("%.32s@dunmail.content", hash);

	g_free(hash);
	return id;
}

/* The latest date named in a text that is not before the anchor: an
 * out-of-office note says "from 20 November until 30 November". */
static bool
latest_future_date(const when_words *words, const char *language, const char *text,
		   dm_date anchor, dm_date *date)
{
	const char *p = text;
	bool found = false;
	when_match match;

	if (p == NULL)
		return false;
	/* An absence "until and including Friday" ends the day before the
	 * person is back: the return day is the working day after it. */
	for (int i = 0; i < 8 && *p != '\0' &&
			when_find_flags(words, language, p, anchor, WHEN_RETURN_DAY, &match, NULL);
	     i++) {
		if (match.date >= anchor && (!found || match.date > *date)) {
			*date = match.date;
			found = true;
		}
		if (match.end == 0)
			break;
		p += match.end;
	}
	return found;
}

/* Does the text hold a letter or a digit, something a person wrote? */
static bool
has_words(const char *text)
{
	for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char(p))
		if (g_unichar_isalnum(g_utf8_get_char(p)))
			return true;
	return false;
}

/* Attachment names that show a payment was made ("remittance.pdf"). */
static bool
attachment_shows_payment(const mail *m, const char **name)
{
	static const char *const words[] = {
	    "remittance", "payment", "paid", "proof", "potwierdzenie", "przelew", "zaplat",
	    "uberweisung", "ueberweisung", "zahlung", "betaling", "betalingsbewijs", "virement",
	    "paiement", "comprobante", "transferencia", "pago", "dovada", "plata", "ordin",
	    "платеж", "плащане", "превод", NULL};
	for (size_t i = 0; i < mail_attachment_count(m); i++) {
		const char *attachment = mail_attachment_name(m, i);
		char *folded, *lower;
		bool hit = false;
		if (attachment == NULL)
			continue;
		folded = language_fold_text(attachment, strlen(attachment), NULL);
		lower = g_utf8_strdown(folded, -1);
		for (const char *const *w = words; *w != NULL && !hit; w++)
			hit = strstr(lower, *w) != NULL;
		g_free(folded);
		g_free(lower);
		if (hit) {
			*name = attachment;
			return true;
		}
	}
	return false;
}

/* Sentences a promise's date is looked for in: its own, then the next one. */
#define CLASSIFY_DATE_SENTENCES 2

/*
 * Does text[i] end a sentence?  A blank line does; a single line break is
 * only the mail client's wrapping.  A dot inside a number or after a day
 * number ("30.11.", "am 3. Dezember") does not.
 */
static bool
sentence_end_at(const char *text, size_t length, size_t i)
{
	char c = text[i];

	if (c == '!' || c == '?' || c == ';')
		return true;
	if (c == '\n')
		return text[i + 1] == '\n' || (text[i + 1] == '\r' && text[i + 2] == '\n');
	if (c != '.')
		return false;
	return sentence_dot_ends(text, length, i);
}

/*
 * The date of a promise: of the date expressions in the sentence of the
 * words the rule matched ([start, end) of text), the one nearest to them
 * that is not in the past; failing that, the first in the next sentence
 * ("We will pay the invoice. Probably on Friday."), and last the one
 * nearest in the sentence before ("The run is on the 26th. On that day we
 * will pay.").  Words before the
 * payment words count as much as words after them ("am Freitag überweisen
 * wir", "w piątek zapłacimy").
 */
/*
 * The date expression of text[from, to) nearest to [start, end) that is
 * not before the anchor.
 */
static bool
nearest_in(const when_words *words, const char *language, const char *text, size_t from,
	   size_t to, size_t start, size_t end, dm_date anchor, dm_date *date, char **how)
{
	size_t best_distance = SIZE_MAX;
	char *piece = g_strndup(text + from, to - from);
	const char *p = piece;
	bool found = false;

	for (int i = 0; i < 16 && *p != '\0'; i++) {
		when_match match;
		char *explained = NULL;
		size_t s, e, distance;
		/* Next to the payment words a bare day is the payment run's day:
		 * "it goes with the 15th", "am 25. überweisen wir". */
		if (!when_find_flags(words, language, p, anchor, WHEN_BARE_DAY, &match, &explained) &&
		    !when_find_flags(words, NULL, p, anchor, WHEN_BARE_DAY, &match, &explained))
			break;
		s = from + (size_t)(p - piece) + match.start;
		e = from + (size_t)(p - piece) + match.end;
		distance = e <= start ? start - e : s >= end ? s - end : 0;
		if (match.date >= anchor && distance < best_distance) {
			best_distance = distance;
			*date = match.date;
			g_free(*how);
			*how = explained;
			explained = NULL;
			found = true;
		}
		g_free(explained);
		if (match.end == 0)
			break;
		p += match.end;
	}
	g_free(piece);
	return found;
}

static bool
nearest_date(const rules *set, const when_words *words, const char *language, const char *text,
	     size_t start, size_t end, dm_date anchor, dm_date *date, char **how)
{
	size_t length = strlen(text), from = start, to = end, clause_from, clause_to;
	size_t own_start = start, own_end = end, own_from;

	if (start > length || end > length || start > end)
		return false;
	/* "Can't do it today, but we'll clear it after the weekend": the
	 * promise's own clause first. */
	rules_clause_of(set, language, text, start, end, &clause_from, &clause_to);
	if (nearest_in(words, language, text, clause_from, clause_to, start, end, anchor, date,
		       how))
		return true;
	while (from > 0 && !sentence_end_at(text, length, from - 1))
		from--;
	own_from = from;
	for (int sentence = 0; sentence < CLASSIFY_DATE_SENTENCES; sentence++) {
		while (to < length && !sentence_end_at(text, length, to))
			to++;
		if (nearest_in(words, language, text, from, to, start, end, anchor, date, how))
			return true;
		/* The next sentence: past its end mark. */
		if (to >= length)
			break;
		from = start = end = ++to;
	}
	/* Last, the sentence before, which a promise may point back at: "Our
	 * next payment run is on the 26th. On that day we will pay." */
	if (own_from > 0) {
		size_t before_to = own_from - 1, before_from = before_to;
		while (before_from > 0 && !sentence_end_at(text, length, before_from - 1))
			before_from--;
		if (nearest_in(words, language, text, before_from, before_to, own_start, own_end,
			       anchor, date, how))
			return true;
	}
	return false;
}

static dm_date
message_day(const mail *m, int64_t *sent_at)
{
	int64_t seconds;
	int offset;

	*sent_at = 0;
	if (!mail_date(m, &seconds, &offset))
		return dm_date_today();
	*sent_at = seconds;
	/* The day as the sender saw it: "tomorrow" is relative to their calendar. */
	return (dm_date)((seconds + (int64_t)offset * 60) >= 0
			     ? (seconds + (int64_t)offset * 60) / 86400
			     : ((seconds + (int64_t)offset * 60) - 86399) / 86400);
}

/*
 * The date of the phrase a rule captured.  It is a date by the rule's word:
 * a bare day is a day, and an absence's "until and including" ends the day
 * before the return.  An absence's end may be told after the captured
 * phrase ("bis 23.10. einschließlich", "до 23.10.2026 г. включително"), so
 * for auto-replies the text is read on from the phrase.
 */
static bool
captured_date(const when_words *words, const rules_verdict *verdict, const char *field,
	      dm_date anchor, dm_date *date, char **how)
{
	unsigned flags = verdict->klass == RULES_CLASS_AUTOREPLY ? WHEN_RETURN_DAY : WHEN_BARE_DAY;
	const char *from = field != NULL ? strstr(field, verdict->date_text) : NULL;
	when_match match;

	if (from != NULL && verdict->klass == RULES_CLASS_AUTOREPLY &&
	    when_find_flags(words, verdict->language, from, anchor, flags, &match, how)) {
		if (match.start == 0) {
			*date = match.date;
			return true;
		}
		g_clear_pointer(how, g_free);
	}
	if (when_find_flags(words, verdict->language, verdict->date_text, anchor, flags, &match,
			    how) ||
	    when_find_flags(words, NULL, verdict->date_text, anchor, flags, &match, how)) {
		*date = match.date;
		return true;
	}
	return false;
}

static void
apply_rules(const classifier *c, classify_result *result, const char *second_language,
	    bool want_explain)
{
	rules_verdict verdict = {0};
	GPtrArray *explanations = want_explain ? rules_explain_new() : NULL;
	char iso[DM_DATE_ISO_SIZE];

	if (c->rules == NULL)
		goto out;
	/* The reply's own language first, then the runner-up of the detection
	 * (a mixed reply); every pack only when the language is unknown (a
	 * reply too short to tell), since every pack costs a scan of the text.
	 * Explaining lists every pack's matches but never changes the verdict. */
	if (result->language != NULL) {
		const char *only[] = {result->language, NULL};
		rules_classify_languages(c->rules, only, mail_subject(result->mail),
					 result->reply_text, &verdict, NULL);
		if (verdict.rule_id == NULL && second_language != NULL) {
			const char *next[] = {second_language, NULL};
			rules_verdict_clear(&verdict);
			rules_classify_languages(c->rules, next, mail_subject(result->mail),
						 result->reply_text, &verdict, NULL);
		}
	}
	if (verdict.rule_id == NULL && result->language == NULL) {
		rules_verdict_clear(&verdict);
		rules_classify(c->rules, mail_subject(result->mail), result->reply_text, &verdict,
			       explanations);
	} else if (explanations != NULL) {
		rules_verdict all = {0};
		rules_classify(c->rules, mail_subject(result->mail), result->reply_text, &all,
			       explanations);
		/* The explanation marks the rule that won over every pack; say
		 * which one decided. */
		if (verdict.rule_id != NULL)
			explain(result, "decided by the reply's language (%s%s%s): rule %s",
				result->language, second_language ? " or " : "",
				second_language ? second_language : "", verdict.rule_id);
		else
			explain(result, "no rule of the reply's language (%s%s%s) matched",
				result->language, second_language ? " or " : "",
				second_language ? second_language : "");
		rules_verdict_clear(&all);
	}
	for (guint i = 0; explanations != NULL && i < explanations->len; i++) {
		const rules_explanation *e = g_ptr_array_index(explanations, i);
		explain(result, "rule %s (%s, priority %d) %s on %s: \"%s\"%s%s%s", e->rule_id,
			e->class_name, e->priority,
			e->status == RULES_MATCH_MATCHED   ? (e->winner ? "won" : "matched")
			: e->status == RULES_MATCH_VETOED ? "vetoed"
							   : "hit a match limit",
			e->field, e->matched_text, e->guard_text ? " (guard matched \"" : "",
			e->guard_text ? e->guard_text : "", e->guard_text ? "\")" : "");
	}
	if (verdict.rule_id == NULL)
		goto out;
	/* A short reply ("Überweise morgen früh.") holds too few stop words for
	 * the detector, but the rule that understood it is written in one
	 * language: that is the language the client wrote in. */
	if (result->language == NULL && verdict.language != NULL) {
		result->language = g_strdup(verdict.language);
		explain(result, "language: %s, from the winning rule (too few words to detect)",
			verdict.language);
	}
	/* Header detection of an auto-reply outranks the text; the rules still
	 * supply the return date then. */
	if (result->klass == RULES_CLASS_AUTOREPLY && verdict.klass != RULES_CLASS_AUTOREPLY)
		goto out;
	result->klass = verdict.klass;
	g_free(result->rule_id);
	result->rule_id = g_strdup(verdict.rule_id);
	{
		const char *field = g_strcmp0(verdict.field, "subject") == 0
					? mail_subject(result->mail)
					: result->reply_text;
		if (field != NULL && verdict.match_end > verdict.match_start &&
		    verdict.match_end <= strlen(field))
			result->evidence = g_utf8_make_valid(field + verdict.match_start,
							     (gssize)(verdict.match_end -
								      verdict.match_start));
	}
	if (verdict.date_text != NULL && c->words != NULL) {
		const char *field = g_strcmp0(verdict.field, "subject") == 0
					? mail_subject(result->mail)
					: result->reply_text;
		char *how = NULL;
		if (captured_date(c->words, &verdict, field, result->date, &result->class_date, &how))
			explain(result, "date: %s", how);
		else
			explain(result, "date: no date in \"%s\"", verdict.date_text);
		g_free(how);
	}
	if (result->class_date == DM_DATE_NONE && verdict.klass == RULES_CLASS_PROMISED &&
	    c->words != NULL) {
		const char *field = g_strcmp0(verdict.field, "subject") == 0
					? mail_subject(result->mail)
					: result->reply_text;
		char *how = NULL;
		if (field != NULL && nearest_date(c->rules, c->words, verdict.language, field,
						  verdict.match_start, verdict.match_end,
						  result->date, &result->class_date, &how))
			explain(result, "date: nearest to the payment words: %s", how);
		g_free(how);
	}
	if (result->class_date == DM_DATE_NONE && verdict.klass == RULES_CLASS_AUTOREPLY &&
	    c->words != NULL &&
	    latest_future_date(c->words, verdict.language, result->reply_text, result->date,
			       &result->class_date))
		explain(result, "date: return date %s from the text",
			dm_date_format_iso(result->class_date, iso));
out:
	rules_verdict_clear(&verdict);
	if (explanations != NULL)
		g_ptr_array_unref(explanations);
}

bool
classify_message(const classifier *c, const dm_config *config, const char *data, size_t length,
		 bool want_explain, classify_result *result, GError **error)
{
	autoreply_result detected = {0};
	const char *text, *name, *second_language = NULL;
	char iso[DM_DATE_ISO_SIZE];

	memset(result, 0, sizeof *result);
	result->klass = RULES_CLASS_NONE;
	result->class_date = DM_DATE_NONE;
	if (want_explain)
		result->explain = g_ptr_array_new_with_free_func(g_free);
	if ((result->mail = mail_parse(data, length, error)) == NULL)
		return false;
	result->message_id = mail_message_id(result->mail) != NULL
				 ? g_strdup(mail_message_id(result->mail))
				 : content_message_id(data, length);
	result->outgoing = config_is_own_address(config, mail_from_address(result->mail));
	result->date = message_day(result->mail, &result->sent_at);
	if (mail_header(result->mail, "X-Dunmail-Draft") != NULL)
		result->draft_id = g_strstrip(g_strdup(mail_header(result->mail, "X-Dunmail-Draft")));
	explain(result, "message <%s> from %s, %s, dated %s", result->message_id,
		mail_from_address(result->mail) ? mail_from_address(result->mail) : "(unknown)",
		result->outgoing ? "outgoing (one of your addresses)" : "incoming",
		dm_date_format_iso(result->date, iso));

	text = mail_body_text(result->mail);
	/* What a client writes is a few lines; a body of megabytes is pasted
	 * data or an attack, and reading all of it would only give PCRE2 more
	 * room to backtrack.  The start is what the author wrote (top-posted
	 * replies) or the beginning of the quote. */
	if (strlen(text) > CLASSIFY_TEXT_LIMIT) {
		const char *end = text + CLASSIFY_TEXT_LIMIT;
		while (end > text && ((unsigned char)*end & 0xc0) == 0x80)
			end--;
		char *head = g_strndup(text, (gsize)(end - text));
		result->reply_text = quote_strip(head);
		g_free(head);
		explain(result, "body: only the first %d KB of %zu KB read", CLASSIFY_TEXT_LIMIT / 1024,
			strlen(text) / 1024);
	} else {
		result->reply_text = quote_strip(text);
	}
	if (c->profiles != NULL) {
		const char *language = language_detect_ranked(c->profiles, result->reply_text,
							      &second_language);
		result->language = g_strdup(language);
	}
	explain(result, "language: %s", result->language ? result->language : "not detected");
	if (result->outgoing) {
		/* The user's own mail is recorded as contact, never classified. */
		return true;
	}

	if (autoreply_detect(result->mail, &detected)) {
		if (detected.kind == AUTOREPLY_REPORT) {
			/* Delivered, relayed or delayed: nobody wrote, nothing failed. */
			result->rule_id = g_strdup("detector.delivery-report");
			result->bounced_message_id = g_strdup(detected.original_message_id);
			explain(result, "delivery report, not a failure: %s%s%s",
				detected.reason ? detected.reason : "",
				detected.status ? ", status " : "",
				detected.status ? detected.status : "");
			autoreply_result_clear(&detected);
			return true;
		}
		if (detected.kind == AUTOREPLY_BOUNCE) {
			result->klass = RULES_CLASS_BOUNCE;
			result->rule_id = g_strdup("detector.bounce");
			result->failed_recipients = g_ptr_array_new_with_free_func(g_free);
			for (char **r = detected.failed_recipients; r != NULL && *r != NULL; r++)
				g_ptr_array_add(result->failed_recipients, g_strdup(*r));
			result->bounced_message_id = g_strdup(detected.original_message_id);
			explain(result, "bounce: %s", detected.reason ? detected.reason : "");
			autoreply_result_clear(&detected);
			return true;
		}
		result->klass = RULES_CLASS_AUTOREPLY;
		result->rule_id = g_strdup("detector.autoreply");
		explain(result, "auto-reply: %s", detected.reason ? detected.reason : "");
	}
	autoreply_result_clear(&detected);
	apply_rules(c, result, second_language, want_explain);
	if (result->klass == RULES_CLASS_AUTOREPLY && result->class_date == DM_DATE_NONE &&
	    c->words != NULL &&
	    latest_future_date(c->words, result->language, result->reply_text, result->date,
			       &result->class_date))
		explain(result, "date: return date %s from the text",
			dm_date_format_iso(result->class_date, iso));
	if (result->klass == RULES_CLASS_NONE && result->rule_id == NULL &&
	    attachment_shows_payment(result->mail, &name)) {
		result->klass = RULES_CLASS_PAID;
		result->rule_id = g_strdup("detector.remittance-attachment");
		explain(result, "attachment \"%s\" looks like a proof of payment", name);
	}
	/* A person wrote and no rule read it: "none" would let the reminders
	 * go on as if the client had not answered. */
	if (result->klass == RULES_CLASS_NONE && result->rule_id == NULL &&
	    (has_words(result->reply_text) || mail_attachment_count(result->mail) > 0)) {
		result->klass = RULES_CLASS_UNRECOGNISED;
		explain(result, "no rule read the reply: unrecognised, for you to read");
	}
	explain(result, "class: %s%s%s", rules_class_name(result->klass),
		result->class_date != DM_DATE_NONE ? ", date " : "",
		result->class_date != DM_DATE_NONE ? dm_date_format_iso(result->class_date, iso)
						   : "");
	return true;
}
