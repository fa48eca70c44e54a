/*
 * The [imap] section: value checks with "file:line" for every problem, and
 * the password, from a command or (in a private file only) from the file.
 */
#include "cli/imap-config.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GROUP "imap"

/* Longest password command output kept; the rest is read and dropped. */
#define PASSWORD_OUTPUT_MAX 4096

/* The trimmed value of [imap] key, or NULL when absent. */
static char *
imap_config_value(const dm_config *config, const char *key)
{
	char *value = g_key_file_get_string(config_keyfile(config), GROUP, key, NULL);

	return value != NULL ? g_strstrip(value) : NULL;
}

static const char *
imap_config_file(const dm_config *config)
{
	return config_path(config) != NULL ? config_path(config) : "configuration";
}

/* Appends "file:line: imap.key: message" (the line of key, or of nothing). */
static void G_GNUC_PRINTF(4, 5) imap_config_problem(const dm_config *config, GString *errors,
                                                    const char *key, const char *fmt, ...)
{
	int line = key != NULL ? config_key_line(config, GROUP, key) : 0;
	va_list ap;

	if (line > 0)
		g_string_append_printf(errors, "%s:%d: ", imap_config_file(config), line);
	else
		g_string_append_printf(errors, "%s: ", imap_config_file(config));
	if (key != NULL)
		g_string_append_printf(errors, "imap.%s: ", key);
	va_start(ap, fmt);
	g_string_append_vprintf(errors, fmt, ap);
	va_end(ap);
	g_string_append_c(errors, '\n');
}

/*
 * An integer key within [min, max]; absent keys keep *value.  The line scan
 * in common/config.c already refused what is not a whole number >= 0.
 */
static void
imap_config_integer(const dm_config *config, GString *errors, const char *key, int min, int max,
                    int *value)
{
	char *text = imap_config_value(config, key);
	gint64 number;

	if (text == NULL)
		return;
	number = g_ascii_strtoll(text, NULL, 10);
	if (number < min || number > max)
		imap_config_problem(config, errors, key, "%s is out of range (%d to %d)", text, min,
		                    max);
	else
		*value = (int)number;
	g_free(text);
}

/* The hosts for which imap.c allows tls = none: the traffic never leaves the machine. */
static bool
imap_config_host_is_loopback(const char *host)
{
	return g_ascii_strcasecmp(host, "localhost") == 0 || g_str_has_prefix(host, "127.") ||
	       strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0;
}

/*
 * Checks every key and fills imap (when not NULL) with what it read, the
 * password excepted.  *security is set when a literal password sits in a
 * file that others can read, so the caller can pick DM_ERROR_SECURITY.
 */
static void
imap_config_parse(const dm_config *config, imap_config *imap, GString *errors, bool *security)
{
	GKeyFile *file = config_keyfile(config);
	char *host = imap_config_value(config, "host");
	char *user = imap_config_value(config, "user");
	char *tls = imap_config_value(config, "tls");
	char *password = imap_config_value(config, "password");
	char *command = imap_config_value(config, "password_command");
	char *ca_file = config_expand_home(imap_config_value(config, "ca_file"));
	imap_tls mode = IMAP_TLS_IMPLICIT;
	int port = 0, timeout = 0, batch = IMAP_CONFIG_DEFAULT_BATCH,
	    idle_restart = IMAP_CONFIG_DEFAULT_IDLE_RESTART;

	*security = false;
	if (host == NULL || *host == '\0')
		imap_config_problem(config, errors, NULL, "[imap] has no host");
	if (user == NULL || *user == '\0')
		imap_config_problem(config, errors, NULL, "[imap] has no user");
	if (tls != NULL) {
		if (strcmp(tls, "implicit") == 0)
			mode = IMAP_TLS_IMPLICIT;
		else if (strcmp(tls, "starttls") == 0)
			mode = IMAP_TLS_STARTTLS;
		else if (strcmp(tls, "none") == 0)
			mode = IMAP_TLS_NONE;
		else
			imap_config_problem(config, errors, "tls",
			                    "\"%s\" is not one of implicit, starttls, none", tls);
	}
	if (mode == IMAP_TLS_NONE && host != NULL && *host != '\0' &&
	    !imap_config_host_is_loopback(host))
		imap_config_problem(config, errors, "tls",
		                    "none would send the password in clear text; it is allowed only"
		                    " for a loopback host (localhost, 127.0.0.1, ::1), not \"%s\"",
		                    host);
	imap_config_integer(config, errors, "port", 1, 65535, &port);
	imap_config_integer(config, errors, "timeout", 1, 3600, &timeout);
	imap_config_integer(config, errors, "batch", 1, 1000, &batch);
	/* Servers end IDLE after 30 minutes (RFC 2177): restart well before. */
	imap_config_integer(config, errors, "idle_restart", 1, 28, &idle_restart);
	if (password != NULL && command != NULL)
		imap_config_problem(config, errors, "password",
		                    "set either password or password_command, not both");
	else if (password == NULL && command == NULL)
		imap_config_problem(
		    config, errors, NULL,
		    "[imap] needs password_command (or a password in a file only you"
		    " can read)");
	else if (command != NULL && *command == '\0')
		imap_config_problem(config, errors, "password_command", "the command is empty");
	if (password != NULL && config_path(config) != NULL) {
		struct stat st;
		if (stat(config_path(config), &st) != 0) {
			imap_config_problem(config, errors, "password",
			                    "cannot check the mode of %s: %s", config_path(config),
			                    g_strerror(errno));
			*security = true;
		} else if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
			imap_config_problem(
			    config, errors, "password",
			    "refused: %s is readable by group or others (mode %04o); a literal"
			    " password needs a private file: chmod 600 %s (or use "
			    "password_command)",
			    config_path(config), (unsigned)(st.st_mode & 07777),
			    config_path(config));
			*security = true;
		}
	}
	if (ca_file != NULL && access(ca_file, R_OK) != 0)
		imap_config_problem(config, errors, "ca_file", "cannot read %s: %s", ca_file,
		                    g_strerror(errno));
	if (imap != NULL) {
		char **folders = g_key_file_get_string_list(file, GROUP, "folders", NULL, NULL);
		GPtrArray *list = g_ptr_array_new();
		for (char **f = folders; f != NULL && *f != NULL; f++) {
			char *name = g_strstrip(g_strdup(*f));
			if (*name != '\0')
				g_ptr_array_add(list, name);
			else
				g_free(name);
		}
		g_strfreev(folders);
		g_ptr_array_add(list, NULL);
		imap->folders = (char **)g_ptr_array_free(list, FALSE);
		imap->settings.host = g_steal_pointer(&host);
		imap->settings.user = g_steal_pointer(&user);
		imap->settings.port = port;
		imap->settings.tls = mode;
		imap->settings.ca_file = g_steal_pointer(&ca_file);
		imap->settings.timeout_seconds = timeout;
		imap->sent_folder = imap_config_value(config, "sent_folder");
		if (imap->sent_folder == NULL || *imap->sent_folder == '\0') {
			g_free(imap->sent_folder);
			imap->sent_folder = g_strdup("Sent");
		}
		imap->drafts_folder = imap_config_value(config, "drafts_folder");
		if (imap->drafts_folder == NULL || *imap->drafts_folder == '\0') {
			g_free(imap->drafts_folder);
			imap->drafts_folder = g_strdup("Drafts");
		}
		imap->batch = batch;
		imap->idle_restart_minutes = idle_restart;
	}
	if (password != NULL)
		explicit_bzero(password, strlen(password));
	g_free(password);
	g_free(command);
	g_free(host);
	g_free(user);
	g_free(tls);
	g_free(ca_file);
}

bool
imap_config_check(const dm_config *config, GString *errors)
{
	gsize before = errors->len;
	bool security;

	if (!g_key_file_has_group(config_keyfile(config), GROUP))
		return true;
	imap_config_parse(config, NULL, errors, &security);
	return errors->len == before;
}

static double
imap_config_clock(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/*
 * Runs the password command under /bin/sh and keeps the first line of its
 * output.  Not g_spawn_sync: it has no time limit, and a command that
 * hangs (a pinentry nobody answers, a dead password server) must not hang
 * a scan started by cron.  The command inherits stdin and stderr so that
 * a pinentry or its error messages reach the user.  Never puts the output
 * into an error.
 */
static char *
imap_config_run_password_command(const dm_config *config, const char *command, GError **error)
{
	const char *argv[] = {"/bin/sh", "-c", command, NULL};
	GError *local = NULL;
	GString *output = g_string_new(NULL);
	double deadline = imap_config_clock() + IMAP_CONFIG_PASSWORD_COMMAND_TIMEOUT;
	int line = config_key_line(config, GROUP, "password_command");
	const char *file = imap_config_file(config);
	char *password = NULL;
	bool timed_out = false;
	int status = 0, out_fd = -1;
	GPid pid;

	if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
	                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CHILD_INHERITS_STDIN,
	                              NULL, NULL, &pid, NULL, &out_fd, NULL, &local)) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
		            "%s:%d: imap.password_command: cannot run /bin/sh: %s", file, line,
		            local->message);
		g_error_free(local);
		g_string_free(output, TRUE);
		return NULL;
	}
	for (;;) {
		struct pollfd p = {.fd = out_fd, .events = POLLIN};
		char buffer[512];
		double left = deadline - imap_config_clock();
		ssize_t n;
		int ready;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		ready = poll(&p, 1, (int)(left * 1000) + 1);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			continue; /* the deadline check above ends the wait */
		n = read(out_fd, buffer, sizeof buffer);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (output->len < PASSWORD_OUTPUT_MAX)
			g_string_append_len(output, buffer,
			                    MIN((gsize)n, PASSWORD_OUTPUT_MAX - output->len));
		explicit_bzero(buffer, sizeof buffer);
	}
	close(out_fd);
	/* The output ended; give the shell until the deadline to exit. */
	while (!timed_out && waitpid(pid, &status, WNOHANG) == 0) {
		if (imap_config_clock() >= deadline)
			timed_out = true;
		else
			g_usleep(10000);
	}
	if (timed_out) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
		            "%s:%d: imap.password_command: no answer within %d seconds; the command"
		            " was stopped",
		            file, line, IMAP_CONFIG_PASSWORD_COMMAND_TIMEOUT);
		goto out;
	}
	g_spawn_close_pid(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
			            "%s:%d: imap.password_command: the command died (signal %d)",
			            file, line, WTERMSIG(status));
		else
			g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
			            "%s:%d: imap.password_command: the command failed (exit %d)",
			            file, line, WEXITSTATUS(status));
		goto out;
	}
	{
		size_t length = strcspn(output->str, "\r\n");
		if (length == 0) {
			g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
			            "%s:%d: imap.password_command: the command printed no password",
			            file, line);
			goto out;
		}
		password = g_strndup(output->str, length);
	}
out:
	explicit_bzero(output->str, output->allocated_len);
	g_string_free(output, TRUE);
	return password;
}

imap_config *
imap_config_read(const dm_config *config, GError **error)
{
	GString *errors;
	imap_config *imap;
	bool security;
	char *command;

	if (!g_key_file_has_group(config_keyfile(config), GROUP)) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
		            "%s: no [imap] section; set host, user and password_command (see"
		            " dunmail.conf(5))",
		            imap_config_file(config));
		return NULL;
	}
	errors = g_string_new(NULL);
	imap = g_new0(imap_config, 1);
	imap_config_parse(config, imap, errors, &security);
	if (errors->len > 0) {
		g_string_truncate(errors, errors->len - 1);
		g_set_error_literal(error, DM_ERROR, security ? DM_ERROR_SECURITY : DM_ERROR_CONFIG,
		                    errors->str);
		g_string_free(errors, TRUE);
		imap_config_free(imap);
		return NULL;
	}
	g_string_free(errors, TRUE);
	command = imap_config_value(config, "password_command");
	if (command != NULL)
		imap->settings.password = imap_config_run_password_command(config, command, error);
	else
		imap->settings.password = imap_config_value(config, "password");
	g_free(command);
	if (imap->settings.password == NULL) {
		imap_config_free(imap);
		return NULL;
	}
	return imap;
}

void
imap_config_free(imap_config *imap)
{
	if (imap == NULL)
		return;
	if (imap->settings.password != NULL)
		explicit_bzero(imap->settings.password, strlen(imap->settings.password));
	g_free(imap->settings.password);
	g_free(imap->settings.host);
	g_free(imap->settings.user);
	g_free(imap->settings.ca_file);
	g_strfreev(imap->folders);
	g_free(imap->sent_folder);
	g_free(imap->drafts_folder);
	g_free(imap);
}

char *
imap_config_describe(const imap_config *imap)
{
	int port = imap->settings.port != 0                  ? imap->settings.port
	           : imap->settings.tls == IMAP_TLS_IMPLICIT ? 993
	                                                     : 143;

	return g_strdup_printf("imap://%s@%s:%d", imap->settings.user, imap->settings.host, port);
}
