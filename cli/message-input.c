#include "cli/message-input.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Reading uses malloc, not GLib, on purpose: under a memory limit GLib
 * aborts, and a filter that aborts before it has the message loses the
 * delivery attempt.  A failed allocation is a read error: the caller
 * exits EX_TEMPFAIL and the MTA tries again later.
 */
void
message_input_read(int fd, int64_t cap, message_input *input)
{
	guint8 *data = NULL;
	size_t length = 0, size = 0;

	input->data = NULL;
	input->oversize = false;
	input->read_error = false;
	for (;;) {
		ssize_t n;
		if (size - length < 65536) {
			size_t bigger = size == 0 ? 262144 : size * 2;
			guint8 *grown = realloc(data, bigger);
			if (grown == NULL) {
				input->read_error = true;
				break;
			}
			data = grown;
			size = bigger;
		}
		n = read(fd, data + length, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			input->read_error = true;
			break;
		}
		if (n == 0)
			break;
		length += (size_t)n;
		if ((int64_t)length > cap) {
			input->oversize = true;
			break;
		}
	}
	if (input->read_error) {
		free(data);
		input->data = g_byte_array_new();
		return;
	}
	/* The GByteArray takes the buffer as it is, without copying. */
	input->data = g_byte_array_new_take(data != NULL ? data : (guint8 *)g_malloc(1), length);
}

void
message_input_clear(message_input *input)
{
	if (input->data != NULL)
		g_byte_array_unref(input->data);
	input->data = NULL;
}

bool
message_output_write(int fd, const void *data, size_t length)
{
	const guint8 *p = data;

	while (length > 0) {
		ssize_t n = write(fd, p, length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		length -= (size_t)n;
	}
	return true;
}

bool
message_output_copy_rest(int in, int out)
{
	guint8 buffer[65536];

	for (;;) {
		ssize_t n = read(in, buffer, sizeof buffer);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			return true;
		if (!message_output_write(out, buffer, (size_t)n))
			return false;
	}
}
