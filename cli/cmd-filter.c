/*
 * dunmail filter [--annotate | --observe]
 *
 * The procmail / Sieve filter: one message on stdin, the same bytes on
 * stdout.  Mail is never lost: whatever goes wrong inside (no config, a
 * locked or broken database, a rule error, a message GMime cannot read),
 * the original is written out and the exit status is 0; the cause goes to
 * stderr and syslog.  Only when the message cannot be read whole or the
 * output cannot be written does it exit EX_TEMPFAIL (75), so the MTA keeps
 * the message and retries.
 *
 * Without --annotate the message is written before any processing, so
 * even a crash afterwards cannot cost the delivery.  The processing itself
 * runs in a child process: a crash, an abort on memory exhaustion or a
 * hostile message that trips a bug there ends only the child, and the
 * parent still delivers and exits 0.
 */
#include "cli/cli.h"
#include "cli/message-input.h"
#include "common/util.h"
#include "filter/pipeline.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

/* The longest the forked processing may take before it is abandoned. */
#define FILTER_PROCESSING_SECONDS 120
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* Processes the message; every failure is logged here and swallowed. */
static void
process(cli_context *ctx, const message_input *input, pipeline_outcome *outcome)
{
	GError *error = NULL;
	dm_config *config = cli_config(ctx, &error);
	classifier *c = NULL;
	store *db;

	if (config == NULL) {
		dm_log_error("filter: configuration: %s; using the defaults", error->message);
		g_clear_error(&error);
		ctx->config = config_new_default();
		config = ctx->config;
	}
	if (input->oversize) {
		dm_log_warning("filter: message larger than max_size (%" G_GINT64_FORMAT
			       " bytes); passed through unprocessed",
			       config_filter_max_size(config));
		return;
	}
	if ((c = classifier_new(config, &error)) == NULL) {
		dm_log_error("filter: %s", error->message);
		g_clear_error(&error);
		return;
	}
	if (classifier_load_errors(c) != NULL)
		dm_log_error("filter: rule packs left out:\n%s", classifier_load_errors(c));
	if ((db = cli_store(ctx, STORE_OPEN_EXISTING, &error)) == NULL ||
	    !pipeline_process(c, config, db, (const char *)input->data->data, input->data->len,
			      "filter", outcome, &error)) {
		dm_log_error("filter: message not recorded: %s", error->message);
		g_clear_error(&error);
	}
	classifier_free(c);
}

/* The end of the header block, and the line ending the message uses. */
static size_t
header_insert_point(const guint8 *data, size_t length, const char **eol)
{
	const guint8 *nl = memchr(data, '\n', length);
	size_t start = 0;

	*eol = nl != NULL && nl > data && nl[-1] == '\r' ? "\r\n" : "\n";
	/* After an mbox "From " line, the headers begin. */
	if (length >= 5 && memcmp(data, "From ", 5) == 0 && nl != NULL)
		start = (size_t)(nl - data) + 1;
	return start;
}

static bool
write_annotated(const message_input *input, const pipeline_outcome *outcome)
{
	const guint8 *data = input->data->data;
	size_t length = input->data->len;
	const char *eol;
	size_t at = header_insert_point(data, length, &eol);
	GString *headers = g_string_new(NULL);
	bool ok;

	g_string_append_printf(headers, "X-Dunmail-Invoice: %s%s",
			       outcome->invoice_numbers ? outcome->invoice_numbers : "none", eol);
	g_string_append_printf(headers, "X-Dunmail-Class: %s%s",
			       outcome->class_value ? outcome->class_value : "unprocessed", eol);
	ok = message_output_write(STDOUT_FILENO, data, at) &&
	     message_output_write(STDOUT_FILENO, headers->str, headers->len) &&
	     message_output_write(STDOUT_FILENO, data + at, length - at);
	g_string_free(headers, TRUE);
	return ok;
}

/*
 * Runs process() in a child and collects its outcome through a pipe as
 * "numbers\0class\0".  Whatever happens to the child, the parent goes on.
 */
static void
process_isolated(cli_context *ctx, const message_input *input, pipeline_outcome *outcome)
{
	int fds[2];
	pid_t pid;
	int status = 0;
	GString *reply;
	char buffer[4096];
	ssize_t n;

	if (pipe(fds) != 0) {
		dm_log_error("filter: pipe: %s; processing in-process", g_strerror(errno));
		process(ctx, input, outcome);
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		dm_log_error("filter: fork: %s; processing in-process", g_strerror(errno));
		close(fds[0]);
		close(fds[1]);
		process(ctx, input, outcome);
		return;
	}
	if (pid == 0) {
		pipeline_outcome mine = {0};
		GString *out = g_string_new(NULL);
		close(fds[0]);
		/* A message that keeps the child busy too long is given up: the
		 * MTA waits for us, and the mail is delivered without us. */
		alarm(FILTER_PROCESSING_SECONDS);
		process(ctx, input, &mine);
		g_string_append(out, mine.invoice_numbers ? mine.invoice_numbers : "");
		g_string_append_c(out, '\0');
		g_string_append(out, mine.class_value ? mine.class_value : "");
		g_string_append_c(out, '\0');
		message_output_write(fds[1], out->str, out->len);
		close(fds[1]);
		g_string_free(out, TRUE);
		pipeline_outcome_clear(&mine);
		_exit(0);
	}
	close(fds[1]);
	reply = g_string_new(NULL);
	while ((n = read(fds[0], buffer, sizeof buffer)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		g_string_append_len(reply, buffer, n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		dm_log_error("filter: processing took over %d s and was abandoned; message passed"
			     " through",
			     FILTER_PROCESSING_SECONDS);
	else if (WIFSIGNALED(status))
		dm_log_error("filter: processing died (signal %d); message passed through",
			     WTERMSIG(status));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		dm_log_error("filter: processing failed (exit %d); message passed through",
			     WEXITSTATUS(status));
	/* Two NUL-terminated fields, or nothing when the child died early. */
	if (reply->len >= 2 && reply->str[reply->len - 1] == '\0') {
		const char *numbers = reply->str;
		const char *klass = numbers + strlen(numbers) + 1;
		if ((size_t)(klass - reply->str) < reply->len) {
			outcome->invoice_numbers = *numbers != '\0' ? g_strdup(numbers) : NULL;
			outcome->class_value = *klass != '\0' ? g_strdup(klass) : NULL;
		}
	}
	g_string_free(reply, TRUE);
}

int
cmd_filter(cli_context *ctx, int argc, char **argv)
{
	gboolean annotate = FALSE, observe = FALSE;
	GOptionEntry entries[] = {
	    {"annotate", 0, 0, G_OPTION_ARG_NONE, &annotate,
	     "add X-Dunmail-Invoice and X-Dunmail-Class headers", NULL},
	    {"observe", 0, 0, G_OPTION_ARG_NONE, &observe,
	     "write nothing to stdout (procmail copy recipes, Sieve execute :pipe)", NULL},
	    {NULL}};
	message_input input = {0};
	pipeline_outcome outcome = {0};
	GError *error = NULL;
	dm_config *config;
	int64_t cap;
	int code = EX_OK;
	bool written = false;

	signal(SIGPIPE, SIG_IGN);
	dm_log_use_syslog("dunmail");
	if (!cli_parse_options(&argc, &argv, "[--annotate | --observe]",
			       "Reads one message on stdin, records what it means, and writes it"
			       " out unchanged.",
			       entries, &code)) {
		/* Even a wrong option must not lose the message. */
		annotate = observe = FALSE;
		code = EX_OK;
		dm_log_error("filter: bad options; passing the message through");
	}
	config = cli_config(ctx, &error);
	if (config == NULL)
		g_clear_error(&error); /* reported again, with the cause, by process() */
	cap = config != NULL ? config_filter_max_size(config) : 25 * 1024 * 1024;
	message_input_read(STDIN_FILENO, cap, &input);
	if (input.read_error) {
		/* Half a message must not be delivered as if it were whole. */
		dm_log_error("filter: reading the message failed; the MTA should retry");
		message_input_clear(&input);
		return EX_TEMPFAIL;
	}
	if (annotate && observe) {
		dm_log_warning("filter: --observe and --annotate together: observing only");
		annotate = FALSE;
	}
	if (!annotate && !observe) {
		written = message_output_write(STDOUT_FILENO, input.data->data, input.data->len) &&
			  (!input.oversize || message_output_copy_rest(STDIN_FILENO, STDOUT_FILENO));
		if (!written) {
			dm_log_error("filter: cannot write the message to stdout");
			message_input_clear(&input);
			return EX_TEMPFAIL;
		}
	} else if (input.oversize) {
		/* Keep reading so the sender of the pipe never blocks or sees EPIPE. */
		if (observe) {
			guint8 sink[65536];
			while (read(STDIN_FILENO, sink, sizeof sink) > 0)
				;
		}
	}
	process_isolated(ctx, &input, &outcome);
	if (annotate) {
		written = input.oversize
			      ? message_output_write(STDOUT_FILENO, input.data->data,
						     input.data->len) &&
				    message_output_copy_rest(STDIN_FILENO, STDOUT_FILENO)
			      : write_annotated(&input, &outcome);
		if (!written) {
			dm_log_error("filter: cannot write the message to stdout");
			code = EX_TEMPFAIL;
		}
	}
	pipeline_outcome_clear(&outcome);
	message_input_clear(&input);
	return code;
}
