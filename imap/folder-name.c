/*
 * IMAP folder names travel in "modified UTF-7" (RFC 3501 section 5.1.3):
 * printable ASCII stands for itself except "&", which is written "&-", and
 * everything else is UTF-16BE in a base64 variant ("," instead of "/", no
 * padding) between "&" and "-".  Users name their folders in their own
 * language ("Wysłane", "Entwürfe"), so the rest of dunmail sees UTF-8 only.
 */
#include "imap/imap.h"

#include <string.h>

static const char folder_base64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static bool
folder_char_is_direct(gunichar c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* Appends "&<base64 of the UTF-16BE units>-" for one run of other characters. */
static void
folder_append_shifted(GString *out, const gunichar2 *units, glong n_units)
{
	guint32 bits = 0;
	int n_bits = 0;

	g_string_append_c(out, '&');
	for (glong i = 0; i < n_units; i++) {
		bits = (bits << 16) | units[i];
		n_bits += 16;
		while (n_bits >= 6) {
			n_bits -= 6;
			g_string_append_c(out, folder_base64[(bits >> n_bits) & 0x3f]);
		}
	}
	if (n_bits > 0)
		g_string_append_c(out, folder_base64[(bits << (6 - n_bits)) & 0x3f]);
	g_string_append_c(out, '-');
}

char *
imap_folder_name_encode(const char *utf8)
{
	GString *out;
	const char *p;

	if (utf8 == NULL || !g_utf8_validate(utf8, -1, NULL))
		return NULL;
	out = g_string_new(NULL);
	p = utf8;
	while (*p != '\0') {
		gunichar c = g_utf8_get_char(p);

		if (c == '&') {
			g_string_append(out, "&-");
			p++;
		} else if (folder_char_is_direct(c)) {
			g_string_append_c(out, (char)c);
			p++;
		} else {
			const char *start = p;
			glong n_units = 0;
			gunichar2 *units;

			while (*p != '\0' && !folder_char_is_direct(g_utf8_get_char(p)))
				p = g_utf8_next_char(p);
			units = g_utf8_to_utf16(start, p - start, NULL, &n_units, NULL);
			folder_append_shifted(out, units, n_units);
			g_free(units);
		}
	}
	return g_string_free(out, FALSE);
}

static int
folder_base64_value(char c)
{
	const char *hit = c != '\0' ? strchr(folder_base64, c) : NULL;

	return hit != NULL ? (int)(hit - folder_base64) : -1;
}

char *
imap_folder_name_decode(const char *mutf7)
{
	GString *out;
	GArray *units;
	const char *p;

	if (mutf7 == NULL)
		return NULL;
	out = g_string_new(NULL);
	units = g_array_new(FALSE, FALSE, sizeof(gunichar2));
	p = mutf7;
	while (*p != '\0') {
		guint32 bits = 0;
		int n_bits = 0;
		char *text;

		if ((unsigned char)*p > 0x7e || (unsigned char)*p < 0x20)
			goto fail;
		if (*p != '&') {
			g_string_append_c(out, *p++);
			continue;
		}
		p++;
		if (*p == '-') {
			g_string_append_c(out, '&');
			p++;
			continue;
		}
		g_array_set_size(units, 0);
		while (*p != '-') {
			int value = folder_base64_value(*p);

			if (value < 0)
				goto fail;
			bits = (bits << 6) | (guint32)value;
			n_bits += 6;
			if (n_bits >= 16) {
				gunichar2 unit;

				n_bits -= 16;
				unit = (gunichar2)((bits >> n_bits) & 0xffff);
				g_array_append_val(units, unit);
			}
			p++;
		}
		p++;
		/* Leftover bits are padding and must be zero; an empty shift is invalid. */
		if (units->len == 0 || n_bits >= 6 || (bits & ((1u << n_bits) - 1)) != 0)
			goto fail;
		text = g_utf16_to_utf8((const gunichar2 *)(void *)units->data, units->len, NULL,
		                       NULL, NULL);
		if (text == NULL)
			goto fail;
		g_string_append(out, text);
		g_free(text);
	}
	g_array_unref(units);
	return g_string_free(out, FALSE);

fail:
	g_array_unref(units);
	g_string_free(out, TRUE);
	return NULL;
}
