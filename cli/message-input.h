/*
 * Reading one message from standard input for filter and classify.  The
 * bytes are kept exactly as read; a message above the size cap is not
 * kept whole (the filter streams the rest through without processing it).
 */
#ifndef DUNMAIL_CLI_MESSAGE_INPUT_H
#define DUNMAIL_CLI_MESSAGE_INPUT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
	GByteArray *data; /* what was read, at most the cap (+1 byte to know it is over) */
	bool oversize;    /* input is larger than the cap: data holds only its start */
	bool read_error;  /* reading failed midway */
} message_input;

/* Reads fd until EOF or until more than cap bytes were read. */
void message_input_read(int fd, int64_t cap, message_input *input);
void message_input_clear(message_input *input);

/* Writes all bytes; false when the output cannot be written. */
bool message_output_write(int fd, const void *data, size_t length);
/* Copies the rest of in to out (after an oversize read). */
bool message_output_copy_rest(int in, int out);

#endif
