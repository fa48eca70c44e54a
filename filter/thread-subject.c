/*
 * Base subjects: RFC 5256 section 2.1, with the reply and forward prefixes
 * of the languages dunmail's clients write.
 */
#include "filter/thread.h"

#include <string.h>

/*
 * Reply and forward prefixes, case-folded.  Each is a whole word followed
 * (after optional ".", spaces and a "[2]" or "(2)" counter) by a colon, so
 * "Rechnung:" or "Tradução:" never match.  The words come from what
 * Outlook, Gmail, Thunderbird and Apple Mail write in each language.
 */
static const char *const reply_words[] = {
    "re",   "fw",     "fwd",        /* English, and every client's default */
    "aw",   "wg",                   /* German: Antwort, Weitergeleitet */
    "odp",  "pd",                   /* Polish: Odpowiedź, Przekaż dalej */
    "antw", "doorst",               /* Dutch: Antwoord, Doorsturen */
    "sv",   "vs",     "vb",   "vl", /* Nordic: svar, vastaus/videresend, vidarebefordra, välitetty
                                     */
    "r",    "rif",    "i",          /* Italian: Risposta, Riferimento, Inoltro */
    "rv",   "res",    "enc",        /* Spanish reenviado, Portuguese resposta, encaminhado */
    "tr",   "réf",    "ref",        /* French: transféré, référence */
    "отг",  "отн",    "пр",   "препр",         /* Bulgarian */
    "отв",  "пер",                             /* Russian */
    "ynt",  "ilt",                             /* Turkish: yanıt, iletilen ("İlt" below) */
    "απ",   "σχετ",   "πρθ",                   /* Greek */
    "回复", "回覆",   "答复", "转发",  "轉寄", /* Chinese */
};

static bool
is_reply_word(const char *start, const char *end)
{
	char *folded = g_utf8_casefold(start, end - start);
	bool found = false;
	for (size_t i = 0; i < G_N_ELEMENTS(reply_words) && !found; i++)
		found = strcmp(folded, reply_words[i]) == 0;
	/* Turkish "İlt" folds to "i̇lt" (i + combining dot). */
	if (!found && g_str_has_prefix(folded, "i\xcc\x87"))
		found = strcmp(folded + 3, "lt") == 0;
	g_free(folded);
	return found;
}

/* subj-blob: "[" *BLOBCHAR "]" *WSP; returns the end, or NULL. */
static const char *
match_blob(const char *p, const char *end)
{
	if (p >= end || *p != '[')
		return NULL;
	for (p++; p < end && *p != ']'; p++) {
		if (*p == '[')
			return NULL;
	}
	if (p >= end)
		return NULL;
	for (p++; p < end && *p == ' '; p++)
		;
	return p;
}

/* A reply counter such as "(2)" followed by spaces, or NULL. */
static const char *
match_counter(const char *p, const char *end)
{
	if (p >= end || *p != '(')
		return NULL;
	const char *q = p + 1;
	while (q < end && g_ascii_isdigit(*q))
		q++;
	if (q == p + 1 || q >= end || *q != ')')
		return NULL;
	for (q++; q < end && *q == ' '; q++)
		;
	return q;
}

/*
 * subj-refwd: word *WSP [subj-blob] ":", with the word from reply_words,
 * an optional "." after it ("Antw.:") and a fullwidth colon allowed.
 */
static const char *
match_refwd(const char *p, const char *end)
{
	const char *q = p;
	while (q < end) {
		gunichar c = g_utf8_get_char_validated(q, end - q);
		if (c == (gunichar)-1 || c == (gunichar)-2 || !g_unichar_isalpha(c))
			break;
		q = g_utf8_next_char(q);
	}
	if (q == p || !is_reply_word(p, q))
		return NULL;
	if (q < end && *q == '.')
		q++;
	while (q < end && *q == ' ')
		q++;
	const char *after = match_blob(q, end);
	if (after == NULL)
		after = match_counter(q, end);
	if (after != NULL)
		q = after;
	if (q < end && *q == ':')
		return q + 1;
	if (end - q >= 3 && memcmp(q, "\xef\xbc\x9a", 3) == 0) /* U+FF1A fullwidth colon */
		return q + 3;
	return NULL;
}

/* subj-leader without the WSP alternative: *subj-blob subj-refwd. */
static const char *
match_leader(const char *p, const char *end)
{
	const char *q = p;
	for (;;) {
		const char *refwd = match_refwd(q, end);
		if (refwd != NULL)
			return refwd;
		const char *blob = match_blob(q, end);
		if (blob == NULL)
			return NULL;
		q = blob;
	}
}

/*
 * Tabs, line breaks and no-break spaces (French puts one before ":") become
 * spaces, runs of spaces one space; invalid UTF-8 is repaired first.
 */
static GString *
subject_clean(const char *subject)
{
	char *valid = g_utf8_make_valid(subject != NULL ? subject : "", -1);
	GString *text = g_string_new(NULL);
	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x00A0 ||
		             c == 0x202F || c == 0x2007 || c == 0x3000;
		if (space) {
			if (text->len > 0 && text->str[text->len - 1] != ' ')
				g_string_append_c(text, ' ');
		} else {
			g_string_append_unichar(text, c);
		}
	}
	g_free(valid);
	return text;
}

char *
thread_subject_base(const char *subject, bool *is_reply_or_forward)
{
	GString *text = subject_clean(subject);
	const char *start = text->str;
	const char *end = text->str + text->len;
	bool reply = false;

	for (;;) {
		/* (2) Trailers: "(fwd)" and white space, repeatedly. */
		for (;;) {
			if (end > start && end[-1] == ' ') {
				end--;
			} else if (end - start >= 5 &&
			           g_ascii_strncasecmp(end - 5, "(fwd)", 5) == 0) {
				end -= 5;
				reply = true;
			} else {
				break;
			}
		}
		/* (3)-(5) Leaders, and list tags that leave something behind. */
		for (;;) {
			if (start < end && *start == ' ') {
				start++;
				continue;
			}
			const char *after = match_leader(start, end);
			if (after != NULL) {
				start = after;
				reply = true;
				continue;
			}
			after = match_blob(start, end);
			if (after != NULL && after < end) {
				start = after;
				continue;
			}
			break;
		}
		/* (6) "[fwd: ...]" wrappers, then again from (2). */
		if (end - start >= 6 && g_ascii_strncasecmp(start, "[fwd:", 5) == 0 &&
		    end[-1] == ']') {
			start += 5;
			end--;
			reply = true;
			continue;
		}
		break;
	}
	if (is_reply_or_forward != NULL)
		*is_reply_or_forward = reply;
	char *base = g_strndup(start, end - start);
	g_string_free(text, TRUE);
	return base;
}

char *
thread_subject_key(const char *subject)
{
	char *base = thread_subject_base(subject, NULL);
	char *normal = g_utf8_normalize(base, -1, G_NORMALIZE_ALL_COMPOSE);
	char *key = g_utf8_casefold(normal != NULL ? normal : base, -1);
	g_free(normal);
	g_free(base);
	return key;
}
