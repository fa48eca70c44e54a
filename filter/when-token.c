/*
 * Folding and tokenising: the word files and the mail text are folded the
 * same way (lower case, no diacritics, German umlauts as ae oe ue, like the
 * rule engine), so a phrase and the text it should match compare equal.
 */
#include "filter/when-private.h"

/*
 * The characters that have no decomposition but a plain form clients type:
 * the same choices as the rule engine's folding, so that a phrase it
 * captures and the words here agree (German umlauts become ae oe ue).
 */
static const char *
fold_special(gunichar c)
{
	switch (c) {
	case 0x00E4:
		return "ae"; /* ä */
	case 0x00F6:
		return "oe"; /* ö */
	case 0x00FC:
		return "ue"; /* ü */
	case 0x00DF:
		return "ss"; /* ß */
	case 0x1E9E:
		return "ss"; /* ẞ */
	case 0x0142:
		return "l"; /* ł */
	case 0x0111:
		return "d"; /* đ */
	case 0x00F8:
		return "o"; /* ø */
	case 0x00E6:
		return "ae"; /* æ */
	case 0x0153:
		return "oe"; /* œ */
	case 0x0131:
		return "i"; /* dotless ı */
	default:
		return NULL;
	}
}

/* Appends the folded form of one letter: lower case, no diacritics. */
static void
fold_letter(GString *out, gunichar c)
{
	gunichar parts[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
	const char *special;
	gsize n;

	if (c < 0x80) {
		g_string_append_c(out, g_ascii_tolower((char)c));
		return;
	}
	c = g_unichar_tolower(c);
	special = fold_special(c);
	if (special != NULL) {
		g_string_append(out, special);
		return;
	}
	n = g_unichar_fully_decompose(c, TRUE, parts, G_N_ELEMENTS(parts));
	for (gsize k = 0; k < n; k++) {
		if (g_unichar_ismark(parts[k]))
			continue;
		g_string_append_unichar(out, g_unichar_tolower(parts[k]));
	}
}

typedef enum { CLASS_SPACE, CLASS_WORD, CLASS_DIGITS, CLASS_MARK } char_class;

static char_class
classify(gunichar c)
{
	if (c >= '0' && c <= '9')
		return CLASS_DIGITS;
	if (c < 0x80)
		return g_ascii_isalpha((char)c) ? CLASS_WORD : CLASS_SPACE;
	if (g_unichar_ismark(c))
		return CLASS_MARK;
	return g_unichar_isalpha(c) ? CLASS_WORD : CLASS_SPACE;
}

/*
 * Decodes one character at p (length bytes available).  An invalid or cut
 * sequence reads as one byte of U+FFFD, which is neither letter nor digit,
 * so offsets keep pointing into the caller's text.
 */
gunichar
when_decode_char(const char *p, size_t length, size_t *size)
{
	unsigned char b = (unsigned char)*p;
	gunichar c;

	if (b < 0x80) {
		*size = 1;
		return b;
	}
	c = g_utf8_get_char_validated(p, (gssize)length);
	if (c == (gunichar)-1 || c == (gunichar)-2) {
		*size = 1;
		return 0xFFFD;
	}
	*size = (size_t)(g_utf8_next_char(p) - p);
	return c;
}

/*
 * Splits text into words and digit runs (a change between letters and
 * digits also splits: "2nd" is "2" + "nd"), appending to tokens and their
 * folded forms to folded.  Combining marks stay inside their word, and a
 * combining diaeresis after a, o or u folds like the precomposed umlaut.
 */
void
when_tokenize(const char *text, size_t length, GArray *tokens, GString *folded)
{
	char_class current = CLASS_SPACE;
	token t = {0};
	size_t i = 0, size;

	while (i < length) {
		gunichar c = when_decode_char(text + i, length - i, &size);
		char_class k = classify(c);

		if (k == CLASS_MARK && current == CLASS_WORD) {
			char last = folded->len > t.fold ? folded->str[folded->len - 1] : 0;
			if (c == 0x0308 && (last == 'a' || last == 'o' || last == 'u'))
				g_string_append_c(folded, 'e');
			t.end = (uint32_t)(i + size);
			i += size;
			continue;
		}
		if (k != current && current != CLASS_SPACE) {
			g_string_append_c(folded, '\0');
			g_array_append_val(tokens, t);
			current = CLASS_SPACE;
		}
		if (k == CLASS_WORD || k == CLASS_DIGITS) {
			if (current == CLASS_SPACE) {
				t.start = (uint32_t)i;
				t.fold = (uint32_t)folded->len;
				t.value = 0;
				t.digits = 0;
				current = k;
			}
			if (k == CLASS_WORD) {
				fold_letter(folded, c);
			} else {
				g_string_append_c(folded, (char)c);
				if (t.digits < 255)
					t.digits++;
				if (t.value >= 0)
					t.value =
					    t.digits > 9 ? -1 : t.value * 10 + (int32_t)(c - '0');
			}
			t.end = (uint32_t)(i + size);
		}
		i += size;
	}
	if (current != CLASS_SPACE) {
		g_string_append_c(folded, '\0');
		g_array_append_val(tokens, t);
	}
}
