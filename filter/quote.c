/*
 * Quote and signature stripping (see quote.h for the contract).
 *
 * The body is split into lines and read top-down once.  Each line is
 * classified with anchored PCRE2 patterns (quote-patterns.c) that run under
 * a match limit and only on lines short enough to be a header, so the cost
 * stays linear in the input even for hostile mail.  The first unmarked
 * quote (header block, separator, attribution not followed by ">" lines,
 * mobile signature, "-- ") ends the author's text; ">" blocks and the
 * attribution above them are dropped one by one so that bottom-posted and
 * inline replies keep their own text.  A closing valediction is looked for
 * last, in what the author kept.
 */
#include "filter/quote.h"

#include <glib.h>
#include <stdbool.h>


#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/*
 * The line patterns.  They are matched against one line (or one wrapped
 * attribution joined with spaces), case-insensitively, with Unicode
 * letter classes.  Each is anchored and its repetitions are bounded, and
 * the match limit below stops any that would still backtrack too long.
 */
typedef enum {
	QUOTE_PATTERN_HEADER,
	QUOTE_PATTERN_HEADER_SENDER,
	QUOTE_PATTERN_ATTRIBUTION,
	QUOTE_PATTERN_ATTRIBUTION_HINT,
	QUOTE_PATTERN_HAS_DIGIT,
	QUOTE_PATTERN_ATTRIBUTION_START,
	QUOTE_PATTERN_ADDRESS_CLOSE,
	QUOTE_PATTERN_SEPARATOR,
	QUOTE_PATTERN_UNDERSCORE_RULE,
	QUOTE_PATTERN_RULE,
	QUOTE_PATTERN_SIGNATURE_DASHES,
	QUOTE_PATTERN_MOBILE_SIGNATURE,
	QUOTE_PATTERN_SIGNOFF,
	QUOTE_PATTERN_POSTSCRIPT,
	QUOTE_PATTERN_DASH_NAME,
	QUOTE_PATTERN_COUNT
} QuotePattern;

/* Keys that name the sender in a quoted header block, in the languages dunmail's clients write. */
#define QUOTE_SENDER_KEYS                                                                          \
	"from|od|von|de|van|de la|от|da|fra|från|lähettäjä|от кого|remitente|afzender|expéditeur|"  \
	"absender|nadawca|expeditor|подател"

/* The other header keys: sent, date, to, cc, subject and their translations. */
#define QUOTE_OTHER_KEYS                                                                           \
	"sent|date|to|cc|bcc|subject|reply-to|wysłano|wysłane|data|do|dw|temat|gesendet|datum|an|"   \
	"betreff|kopie|envoyé|envoyé le|à|a|objet|sujet|copie à|verzonden|aan|onderwerp|enviado|"    \
	"enviado el|enviada|enviada em|fecha|para|asunto|cc para|trimis|către|catre|subiect|"        \
	"изпратено|дата|до|относно|копие|inviato|oggetto|sendt|dato|til|emne|skickat|till|ämne|"     \
	"kopia|lähetetty|päivämäärä|vastaanottaja|aihe|отправлено|кому|тема|assunto|message du|"    \
	"date d'envoi"

/* The verbs of attribution lines ("... wrote:"), longest first where one is a prefix of another. */
#define QUOTE_WROTE_VERBS                                                                          \
	"wrote|writes|has written|napisał\\(a\\)|napisała|napisał|napisali|написал\\(а\\)|"           \
	"написала|написал|написа|heeft geschreven|schreef|a scris|escribió|escribio|schrieb|"        \
	"a écrit|a ecrit|ha scritto|escreveu|skrev|kirjoitti|írta|napsal\\(a\\)|napsal|napisao|"     \
	"написав|yazdı"

/* Words that open an attribution line ("On ...", "W dniu ...", "Am ..."). */
#define QUOTE_ATTRIBUTION_LEADS                                                                    \
	"on|op|am|le|el|w dniu|dnia|il|in data|em|den|på|на|в|pe|în|la|dne|quoting|zitat von|"      \
	"citando|citat"

/* The phrases of "-----Original Message-----" and forwarded-message separators. */
#define QUOTE_SEPARATOR_PHRASES                                                                    \
	"original message|original e-?mail|ursprüngliche nachricht|originalnachricht|"              \
	"message d'origine|message original|oorspronkelijk bericht|origineel bericht|"              \
	"wiadomość oryginalna|oryginalna wiadomość|mensaje original|mesaj original|"                \
	"mesajul original|оригинално съобщение|оригинално писмо|messaggio originale|"               \
	"mensagem original|oprindelig besked|oprindelig meddelelse|opprinnelig melding|"            \
	"ursprungligt meddelande|originalmeddelande|alkuperäinen viesti|исходное сообщение|"        \
	"forwarded message|weitergeleitete nachricht|message transféré|doorgestuurd bericht|"       \
	"wiadomość przekazana|przekazana wiadomość|mensaje reenviado|mesaj redirecționat|"          \
	"mesaj redirectionat|mesaj transmis|препратено съобщение|препратено писмо|"                 \
	"messaggio inoltrato|mensagem encaminhada|videresendt besked|videresendt meddelelse|"       \
	"videresendt melding|vidarebefordrat meddelande|välitetty viesti|"                          \
	"пересылаемое сообщение|begin forwarded message|début du message réexpédié|"               \
	"anfang der weitergeleiteten nachricht|inicio del mensaje reenviado"

/* Closing valedictions that open a signature block. */
#define QUOTE_SIGNOFFS                                                                             \
	"(?:best |kind |kindest |warm |warmest |many |with kind |with best )?regards|sincerely|"   \
	"yours sincerely|sincerely yours|yours truly|yours faithfully|best wishes|best|cheers|"     \
	"thanks and regards|thanks & regards|all the best|pozdrawiam(?: serdecznie)?|"             \
	"serdecznie pozdrawiam|z poważaniem|z powazaniem|z wyrazami szacunku|pozdrowienia|"        \
	"mit freundlichen grüßen|mit freundlichen grüssen|mit freundlichem gruß|"                  \
	"freundliche grüße|freundliche grüsse|viele grüße|beste grüße|liebe grüße|"                \
	"herzliche grüße|grüße|gruß|mfg|lg|cordialement|bien cordialement|bien à vous|"            \
	"salutations distinguées|sincères salutations|met vriendelijke groet(?:en)?|"              \
	"vriendelijke groet(?:en)?|hartelijke groet(?:en)?|groet(?:en)?|mvg|"                      \
	"saludos(?: cordiales)?|un saludo(?: cordial)?|atentamente|cordialmente|cu stimă|"         \
	"cu stima|cu respect|toate cele bune|numai bine|с уважение|поздрави|поздрав|"              \
	"всичко хубаво|med venlig hilsen|venlig hilsen|de bedste hilsner|mvh|hilsen|kh|"           \
	"med vennlig hilsen|vennlig hilsen|med vänlig hälsning|med vänliga hälsningar|"            \
	"vänliga hälsningar|hälsningar|ystävällisin terveisin|terveisin|distinti saluti|"          \
	"cordiali saluti|saluti|un saluto|atenciosamente|cumprimentos|с уважением|всего доброго"

/* Device and app lines that mobile clients append ("Sent from my iPhone", translations). */
#define QUOTE_WORDS "[\\p{L}\\p{N}][\\p{L}\\p{N} '’&\\-]{0,40}"
/* "Sent via PayPal on Sunday" is a payment, not a device's signature. */
#define QUOTE_NOT_A_DEVICE                                                                         \
	"(?!(?:the |our |my )?(?:paypal|wise|revolut|stripe|bank|card|transfer|sepa|bacs|faster "   \
	"payment|chaps|swift|online banking|direct debit|cheque|the link|payment)\\b)"
#define QUOTE_MOBILE_SIGNATURES                                                                    \
	"sent from (?:my )?" QUOTE_NOT_A_DEVICE QUOTE_WORDS "|sent (?:with|via) " QUOTE_NOT_A_DEVICE   \
	QUOTE_WORDS "|"                                                                                 \
	"get outlook for (?:ios|android)|obtener outlook para (?:ios|android)|"                   \
	"envoyé (?:de|depuis) (?:mon )?" QUOTE_WORDS "|envoyé à partir de " QUOTE_WORDS "|"        \
	"von meinem " QUOTE_WORDS " gesendet|gesendet (?:von|mit) (?:meinem )?" QUOTE_WORDS "|"    \
	"wysłane z (?:mojego )?" QUOTE_WORDS "|wysłano z (?:mojego )?" QUOTE_WORDS "|"             \
	"(?:verzonden|verstuurd) (?:vanaf|met|van) (?:mijn )?" QUOTE_WORDS "|"                     \
	"enviado desde (?:mi )?" QUOTE_WORDS "|enviado (?:do|a partir do) (?:meu )?" QUOTE_WORDS   \
	"|trimis de pe " QUOTE_WORDS "|изпратено от (?:моя )?" QUOTE_WORDS "|"                      \
	"inviato da (?:il mio )?" QUOTE_WORDS "|отправлено (?:с|из) " QUOTE_WORDS "|"              \
	"sendt fra (?:min )?" QUOTE_WORDS "|skickat från (?:min )?" QUOTE_WORDS "|"                \
	"lähetetty " QUOTE_WORDS

static const char *const quote_pattern_sources[QUOTE_PATTERN_COUNT] = {
	[QUOTE_PATTERN_HEADER] = "^[ \\t]*\\*{0,2}[ \\t]*(?:" QUOTE_SENDER_KEYS "|" QUOTE_OTHER_KEYS
				 ")[ \\t]*\\*{0,2}[ \\t]*:",
	[QUOTE_PATTERN_HEADER_SENDER] = "^[ \\t]*\\*{0,2}[ \\t]*(?:" QUOTE_SENDER_KEYS
					")[ \\t]*\\*{0,2}[ \\t]*:",
	/*
	 * Four shapes: the verb closes the line ("On <date>, Anna <a@x> wrote:");
	 * the verb sits before the name ("Op <date> schreef Anna <a@x>:");
	 * a date and an address alone ("<date>, Anna <a@x>:", the Russian and
	 * several webmail forms); Zoho's "---- On <date> a@x wrote ----".  A
	 * date (a digit) is always required, and a closing verb also needs a
	 * leading "On"-word, an address or a time, so prose is not taken.
	 */
	[QUOTE_PATTERN_ATTRIBUTION] =
	    "^[ \\t]*(?:"
	    "(?=.*\\d)(?=(?:" QUOTE_ATTRIBUTION_LEADS ")\\s|.*@|.*\\d[:.]\\d\\d).{0,400}?"
	    "(?<!\\p{L})(?:" QUOTE_WROTE_VERBS ")[ \\t]*:?"
	    "|(?=.*\\d).{0,300}?(?<!\\p{L})(?:" QUOTE_WROTE_VERBS
	    ")\\s+[^<>.!?;:]{0,80}(?:<[^<>]{0,200}>|\\([^()]{0,200}\\)|\\[[^\\[\\]]{0,200}\\])?[ \\t]*:"
	    "|(?=.*\\d).{0,300}?(?:<[^<>]{0,200}@[^<>]{0,200}>|\\([^()\\s]{0,200}@[^()\\s]{0,200}\\)|"
	    "[^\\s<>()]{1,100}@[^\\s<>()]{1,100})[ \\t]*:"
	    "|-{2,}[ \\t]*(?:" QUOTE_ATTRIBUTION_LEADS ")\\s.{0,400}?(?:" QUOTE_WROTE_VERBS
	    ")[ \\t]*:?[ \\t]*-{2,}"
	    ")[ \\t]*$",
	/*
	 * What every shape above contains: a verb or an address.  It is looked
	 * for first because it is cheap and most lines have neither; the full
	 * pattern, with its lazy scan and lookarounds, cost 9,000 instructions
	 * per line.
	 */
	[QUOTE_PATTERN_ATTRIBUTION_HINT] = "@|" QUOTE_WROTE_VERBS,
	[QUOTE_PATTERN_HAS_DIGIT] = "\\d",
	/* How an attribution begins: "On", "W dniu", a date, or a short weekday ("ср, 30", "tir. 18."). */
	[QUOTE_PATTERN_ATTRIBUTION_START] = "^[ \\t]*(?:(?:" QUOTE_ATTRIBUTION_LEADS ")\\s|\\d|\\p{L}{2,4}\\.?,?\\s+\\d)",
	/* The ">:" that Gmail wraps onto its own line after a long address; it looks like a quote. */
	[QUOTE_PATTERN_ADDRESS_CLOSE] = "^[ \\t]*>[ \\t]*:[ \\t]*$",
	[QUOTE_PATTERN_SEPARATOR] = "^[\\s\\-_=*>]*(?:" QUOTE_SEPARATOR_PHRASES ")[\\s\\-_=*:]*$",
	[QUOTE_PATTERN_UNDERSCORE_RULE] = "^\\s*_{5,}\\s*$",
	[QUOTE_PATTERN_RULE] = "^\\s*[-_=*~]{3,}\\s*$",
	[QUOTE_PATTERN_SIGNATURE_DASHES] = "^(?:--|__)[ \\t]*$",
	[QUOTE_PATTERN_MOBILE_SIGNATURE] = "^[ \\t]*(?:" QUOTE_MOBILE_SIGNATURES
					   ")[ \\t]*(?:<[^<>\\s]{0,300}>)?[ \\t]*[.!]?[ \\t]*$",
	[QUOTE_PATTERN_SIGNOFF] = "^[ \\t]*(?:" QUOTE_SIGNOFFS ")[ \\t]*[,.!]*[ \\t]*$",
	/* "-Anna Kowalska" or "/Anna" as the very last line: a signed name, not a list item. */
	[QUOTE_PATTERN_DASH_NAME] = "^[ \\t]*[-/]\\p{L}[\\p{L} .'’\\-]{0,40}$",
	[QUOTE_PATTERN_POSTSCRIPT] = "^[ \\t]*p\\.?[ \\t]?s\\.?(?:[ \\t:]|$)",
};

/* Lines longer than this are prose or data, never a header: they are not matched at all. */
#define QUOTE_MATCH_MAX_BYTES 1200
/* Backtracking budget of one match; far above what a real line needs. */
#define QUOTE_MATCH_LIMIT 200000

typedef struct {
	pcre2_code *code[QUOTE_PATTERN_COUNT];
	pcre2_match_context *context;
} QuotePatterns;

/* Compiled once per process and never freed: like GLib's type system, shared read-only state. */
static const QuotePatterns *
quote_patterns_get(void)
{
	static QuotePatterns patterns;
	static gsize ready = 0;
	if (g_once_init_enter(&ready)) {
		for (int i = 0; i < QUOTE_PATTERN_COUNT; i++) {
			int code = 0;
			PCRE2_SIZE offset = 0;
			patterns.code[i] = pcre2_compile((PCRE2_SPTR)quote_pattern_sources[i], PCRE2_ZERO_TERMINATED,
							 PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code, &offset, NULL);
			if (patterns.code[i] == NULL) {
				PCRE2_UCHAR message[256];
				pcre2_get_error_message(code, message, sizeof message);
				/* The patterns are constants: a failure is a bug caught by the unit test. */
				g_error("quote.c: pattern %d, offset %zu: %s", i, (size_t)offset, (char *)message);
			}
			pcre2_jit_compile(patterns.code[i], PCRE2_JIT_COMPLETE);
		}
		patterns.context = pcre2_match_context_create(NULL);
		pcre2_set_match_limit(patterns.context, QUOTE_MATCH_LIMIT);
		pcre2_set_depth_limit(patterns.context, QUOTE_MATCH_LIMIT);
		g_once_init_leave(&ready, 1);
	}
	return &patterns;
}

/* Does the pattern match this slice?  Too long, or over the match limit, counts as no. */
static bool
quote_pattern_match(QuotePattern pattern, const char *start, size_t length)
{
	if (length > QUOTE_MATCH_MAX_BYTES)
		return false;
	if (pattern == QUOTE_PATTERN_ATTRIBUTION &&
	    !quote_pattern_match(QUOTE_PATTERN_ATTRIBUTION_HINT, start, length))
		return false;
	const QuotePatterns *patterns = quote_patterns_get();
	/* One match block per thread, kept: every line is matched several times. */
	static GPrivate thread_match = G_PRIVATE_INIT((GDestroyNotify)pcre2_match_data_free);
	pcre2_match_data *match = g_private_get(&thread_match);
	if (match == NULL) {
		match = pcre2_match_data_create(1, NULL);
		g_private_set(&thread_match, match);
	}
	int rc = pcre2_match(patterns->code[pattern], (PCRE2_SPTR)start, length, 0, PCRE2_NO_UTF_CHECK, match,
			     patterns->context);
	return rc >= 0;
}

/* One line of the normalised body: a slice, without its line end. */
typedef struct {
	const char *start;
	size_t length;
	bool quoted; /* a ">" line, or the wrapped tail of one */
	bool drop;   /* removed although before the cut (attribution lines) */
} QuoteLine;

/* Attributions wrapped by mail clients span at most this many lines. */
#define QUOTE_ATTRIBUTION_MAX_LINES 3
/* A wrapped quote tail is short and follows a long quoted line. */
#define QUOTE_WRAP_MIN_PREVIOUS 60
#define QUOTE_WRAP_MAX_LINES 2
/* How far below a "From:" line the rest of a header block is looked for. */
#define QUOTE_HEADER_WINDOW 8
/* What may follow a valediction and still be a signature. */
#define QUOTE_SIGNOFF_MAX_LINES 6
#define QUOTE_SIGNOFF_MAX_LENGTH 100

static bool
line_is_blank(const QuoteLine *line)
{
	for (size_t i = 0; i < line->length; i++) {
		char c = line->start[i];
		if (c != ' ' && c != '\t' && c != '\f' && c != '\v')
			return false;
	}
	return true;
}

static bool
line_starts_with_quote_mark(const QuoteLine *line)
{
	size_t i = 0;
	while (i < line->length && (line->start[i] == ' ' || line->start[i] == '\t'))
		i++;
	return i < line->length && line->start[i] == '>';
}

/* Length in characters, not bytes, so that Cyrillic lines count like Latin ones. */
static size_t
line_characters(const QuoteLine *line)
{
	return (size_t)g_utf8_strlen(line->start, (gssize)line->length);
}

/* Splits the (valid UTF-8) text into lines; CR before LF and a lone CR end a line too. */
static GArray *
quote_lines_split(const char *text)
{
	GArray *lines = g_array_new(FALSE, TRUE, sizeof(QuoteLine));
	const char *p = text;
	for (;;) {
		const char *end = p;
		while (*end != '\0' && *end != '\n' && *end != '\r')
			end++;
		QuoteLine line = {.start = p, .length = (size_t)(end - p)};
		g_array_append_val(lines, line);
		if (*end == '\0')
			break;
		if (end[0] == '\r' && end[1] == '\n')
			end++;
		p = end + 1;
	}
	/* A final line end does not open another (empty) line. */
	if (lines->len > 1 && g_array_index(lines, QuoteLine, lines->len - 1).length == 0)
		g_array_set_size(lines, lines->len - 1);
	return lines;
}

/*
 * Marks ">" lines, and the unmarked tails that clients leave when they wrap
 * a long quoted line without adding ">" again: one or two non-blank lines
 * between a long quoted line and another quoted line.
 */
static void
quote_lines_mark_quoted(GArray *lines)
{
	QuoteLine *l = (QuoteLine *)(void *)lines->data;
	size_t n = lines->len;
	for (size_t i = 0; i < n; i++)
		l[i].quoted = line_starts_with_quote_mark(&l[i]);
	for (size_t i = 1; i < n; i++) {
		if (l[i].quoted || !l[i - 1].quoted || line_is_blank(&l[i]))
			continue;
		if (line_characters(&l[i - 1]) < QUOTE_WRAP_MIN_PREVIOUS)
			continue;
		size_t j = i;
		while (j < n && j - i < QUOTE_WRAP_MAX_LINES && !l[j].quoted && !line_is_blank(&l[j]))
			j++;
		if (j < n && l[j].quoted) {
			for (size_t k = i; k < j; k++)
				l[k].quoted = true;
			i = j;
		}
	}
}

static bool
line_is_text(const QuoteLine *line)
{
	return !line->quoted && !line_is_blank(line);
}

static bool
line_matches(QuotePattern pattern, const QuoteLine *line)
{
	return quote_pattern_match(pattern, line->start, line->length);
}

/*
 * The number of lines (1 to 3) of the attribution starting at line i, or 0.
 * A wrapped attribution is not taken when one of its later lines is a
 * whole attribution that begins like one ("On ...", a date), so the
 * author's last sentence above an attribution is never swallowed into it.
 */
static size_t
quote_attribution_length(const QuoteLine *l, size_t n, size_t i)
{
	if (!line_is_text(&l[i]))
		return 0;
	if (line_matches(QUOTE_PATTERN_ATTRIBUTION, &l[i]))
		return 1;
	if (!line_matches(QUOTE_PATTERN_HAS_DIGIT, &l[i]))
		return 0;
	GString *joined = g_string_new_len(l[i].start, (gssize)l[i].length);
	size_t found = 0;
	for (size_t k = 1; k < QUOTE_ATTRIBUTION_MAX_LINES && i + k < n; k++) {
		const QuoteLine *next = &l[i + k];
		if (line_is_blank(next))
			break;
		if (next->quoted && !line_matches(QUOTE_PATTERN_ADDRESS_CLOSE, next))
			break;
		if (line_matches(QUOTE_PATTERN_ATTRIBUTION, next) &&
		    line_matches(QUOTE_PATTERN_ATTRIBUTION_START, next))
			break;
		g_string_append_c(joined, ' ');
		g_string_append_len(joined, next->start, (gssize)next->length);
		if (quote_pattern_match(QUOTE_PATTERN_ATTRIBUTION, joined->str, joined->len)) {
			found = k + 1;
			break;
		}
	}
	g_string_free(joined, TRUE);
	return found;
}

/*
 * Is line i the start of an Outlook-style header block?  It must be a
 * header line, and the window below must hold at least two header lines,
 * one of them naming the sender ("From:", "Od:", "Von:" ...), or three of
 * any kind.  A single "From: our database" in prose is not enough.
 */
static bool
quote_header_block_at(const QuoteLine *l, size_t n, size_t i)
{
	if (l[i].quoted || !line_matches(QUOTE_PATTERN_HEADER, &l[i]))
		return false;
	size_t headers = 0;
	bool sender = false;
	for (size_t k = i; k < n && k < i + QUOTE_HEADER_WINDOW; k++) {
		if (l[k].quoted)
			break;
		if (line_matches(QUOTE_PATTERN_HEADER, &l[k])) {
			headers++;
			if (line_matches(QUOTE_PATTERN_HEADER_SENDER, &l[k]))
				sender = true;
		}
	}
	return (headers >= 2 && sender) || headers >= 3;
}

/* Lines that end the author's text when met outside a ">" quote. */
static bool
quote_boundary_at(const QuoteLine *l, size_t n, size_t i)
{
	if (l[i].quoted)
		return true;
	if (line_is_blank(&l[i]))
		return false;
	return line_matches(QUOTE_PATTERN_SEPARATOR, &l[i]) ||
	       line_matches(QUOTE_PATTERN_UNDERSCORE_RULE, &l[i]) ||
	       quote_header_block_at(l, n, i) || quote_attribution_length(l, n, i) > 0;
}

/* Moves a cut above the blank lines and rule lines ("=====", "-----") that introduce it. */
static size_t
quote_cut_extend_up(const QuoteLine *l, size_t cut, size_t floor)
{
	size_t c = cut;
	while (c > floor) {
		const QuoteLine *prev = &l[c - 1];
		if (prev->quoted || prev->drop)
			break;
		if (line_is_blank(prev) || line_matches(QUOTE_PATTERN_RULE, prev))
			c--;
		else
			break;
	}
	return c;
}

/*
 * Finds a closing valediction among the kept lines: a line such as
 * "Regards," followed only by a few short lines (name, title, phone).  A
 * "P.S." below means the author kept writing, so it is not a signature.
 * Returns the index of the valediction line or n.
 */
static size_t
quote_signoff_find(const QuoteLine *l, const bool *keep, size_t end)
{
	size_t following = 0;
	for (size_t i = end; i-- > 0;) {
		if (!keep[i] || line_is_blank(&l[i]))
			continue;
		if (line_matches(QUOTE_PATTERN_SIGNOFF, &l[i]) ||
		    (following == 0 && line_matches(QUOTE_PATTERN_DASH_NAME, &l[i]))) {
			/* Only signs off something: a lone "Regards," is the whole reply. */
			for (size_t k = 0; k < i; k++)
				if (keep[k] && !line_is_blank(&l[k]))
					return i;
			return end;
		}
		if (line_matches(QUOTE_PATTERN_POSTSCRIPT, &l[i]))
			return end;
		if (line_characters(&l[i]) > QUOTE_SIGNOFF_MAX_LENGTH)
			return end;
		if (++following > QUOTE_SIGNOFF_MAX_LINES)
			return end;
	}
	return end;
}

/* Appends the kept lines in [from, to) to out, without blank runs left by removed blocks. */
static void
quote_lines_join(GString *out, const QuoteLine *l, const bool *keep, size_t from, size_t to)
{
	bool removed_since_text = false;
	bool last_blank = true;
	for (size_t i = from; i < to; i++) {
		if (!keep[i]) {
			removed_since_text = true;
			continue;
		}
		bool blank = line_is_blank(&l[i]);
		if (blank && (out->len == 0 || (last_blank && removed_since_text)))
			continue;
		if (!blank)
			removed_since_text = false;
		if (out->len > 0)
			g_string_append_c(out, '\n');
		g_string_append_len(out, l[i].start, (gssize)l[i].length);
		last_blank = blank;
	}
	/* Trailing blank (or white-space only) lines go. */
	while (out->len > 0) {
		size_t last = out->len - 1;
		char c = out->str[last];
		if (c == '\n' || c == ' ' || c == '\t')
			g_string_truncate(out, last);
		else
			break;
	}
}

/* Has the author written anything above line i (dropped lines do not count)? */
static bool
author_text_before(const QuoteLine *l, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (!l[k].quoted && !l[k].drop && !line_is_blank(&l[k]))
			return true;
	return false;
}

char *
quote_strip_with_signature(const char *text, char **signature)
{
	char *valid = g_utf8_make_valid(text != NULL ? text : "", -1);
	GArray *lines = quote_lines_split(valid);
	QuoteLine *l = (QuoteLine *)(void *)lines->data;
	size_t n = lines->len;
	quote_lines_mark_quoted(lines);

	/* cut: the author's text ends before this line.  sig_*: the signature lines. */
	size_t cut = n;
	size_t sig_start = n;
	size_t sig_end = n;
	for (size_t i = 0; i < n; i++) {
		if (l[i].quoted || line_is_blank(&l[i]))
			continue;
		if (quote_header_block_at(l, n, i) && !author_text_before(l, i)) {
			/* The message's own headers, pasted above the text (a client
			 * writing into a forwarded copy): drop them, read on. */
			while (i < n && !l[i].quoted && !line_is_blank(&l[i]))
				l[i++].drop = true;
			continue;
		}
		if (line_matches(QUOTE_PATTERN_SEPARATOR, &l[i]) ||
		    line_matches(QUOTE_PATTERN_UNDERSCORE_RULE, &l[i]) || quote_header_block_at(l, n, i)) {
			cut = quote_cut_extend_up(l, i, 0);
			break;
		}
		size_t attribution = quote_attribution_length(l, n, i);
		if (attribution > 0) {
			size_t next = i + attribution;
			while (next < n && line_is_blank(&l[next]))
				next++;
			if (next < n && l[next].quoted) {
				/* A ">" quote follows: drop its attribution, keep reading below it. */
				for (size_t k = i; k < i + attribution; k++)
					l[k].drop = true;
				i += attribution - 1;
				continue;
			}
			cut = i;
			break;
		}
		if (line_matches(QUOTE_PATTERN_SIGNATURE_DASHES, &l[i]) ||
		    line_matches(QUOTE_PATTERN_MOBILE_SIGNATURE, &l[i])) {
			/* A signature ends the author's text; mobile clients put the quote right below it. */
			sig_start = i;
			sig_end = i + 1;
			while (sig_end < n && !quote_boundary_at(l, n, sig_end))
				sig_end++;
			cut = i;
			break;
		}
	}

	bool *keep = g_new0(bool, n + 1);
	for (size_t i = 0; i < cut; i++)
		keep[i] = !l[i].quoted && !l[i].drop;

	size_t signoff = quote_signoff_find(l, keep, cut);
	GString *body = g_string_new(NULL);
	quote_lines_join(body, l, keep, 0, signoff);

	if (signature != NULL) {
		GString *sig = g_string_new(NULL);
		if (signoff < cut)
			quote_lines_join(sig, l, keep, signoff, cut);
		if (sig_start < sig_end) {
			bool *all = g_new0(bool, n + 1);
			for (size_t i = sig_start; i < sig_end; i++)
				all[i] = !l[i].quoted;
			GString *tail = g_string_new(NULL);
			quote_lines_join(tail, l, all, sig_start, sig_end);
			if (sig->len > 0 && tail->len > 0)
				g_string_append(sig, "\n\n");
			g_string_append(sig, tail->str);
			g_string_free(tail, TRUE);
			g_free(all);
		}
		*signature = g_string_free(sig, FALSE);
	}

	g_free(keep);
	g_array_free(lines, TRUE);
	g_free(valid);
	return g_string_free(body, FALSE);
}

char *
quote_strip(const char *text)
{
	return quote_strip_with_signature(text, NULL);
}
