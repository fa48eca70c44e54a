/*
 * libFuzzer target: quote and signature stripping on arbitrary text.
 *
 * The input is the body text (any bytes: the stripper promises to replace
 * invalid UTF-8, and an embedded NUL simply ends the text).  Both entry
 * points must return valid UTF-8 with LF line ends and no leading or
 * trailing blank line, and must agree with each other; what is stripped
 * can only shrink the text.  A broken promise aborts so that libFuzzer
 * reports it, and the -timeout of the run turns a super-linear line
 * classification into a finding as well.
 */
#include "filter/quote.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_stripped(const char *text, size_t input_length)
{
	size_t length;

	if (text == NULL || !g_utf8_validate(text, -1, NULL))
		abort();
	if (strchr(text, '\r') != NULL)
		abort();
	length = strlen(text);
	if (length > 0 && (text[0] == '\n' || text[length - 1] == '\n'))
		abort();
	/*
	 * Each invalid byte may become U+FFFD (three bytes), so that bounds
	 * the growth; anything longer means text was invented.
	 */
	if (length > 3 * input_length)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	size_t input_length = strlen(text);
	char *signature = NULL;
	char *plain = quote_strip(text);
	char *with_signature = quote_strip_with_signature(text, &signature);
	char *no_signature = quote_strip_with_signature(text, NULL);

	check_stripped(plain, input_length);
	if (strcmp(plain, with_signature) != 0 || strcmp(plain, no_signature) != 0)
		abort();
	if (signature == NULL || !g_utf8_validate(signature, -1, NULL))
		abort();
	if (strlen(signature) > 3 * input_length)
		abort();

	g_free(no_signature);
	g_free(with_signature);
	g_free(signature);
	g_free(plain);
	g_free(text);
	return 0;
}
