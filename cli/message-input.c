#include "cli/message-input.h"

#include <errno.h>
#include <unistd.h>

void
message_input_read(int fd, int64_t cap, message_input *input)
{
	guint8 buffer[65536];

	input->data = g_byte_array_new();
	input->oversize = false;
	input->read_error = false;
	for (;;) {
		ssize_t n = read(fd, buffer, sizeof buffer);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			input->read_error = true;
			return;
		}
		if (n == 0)
			return;
		g_byte_array_append(input->data, buffer, (guint)n);
		if ((int64_t)input->data->len > cap) {
			input->oversize = true;
			return;
		}
	}
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
