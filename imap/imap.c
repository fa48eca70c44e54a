/*
 * The IMAP client: libetpan speaks the protocol, this file owns the
 * transport.
 *
 * Why our own transport instead of libetpan's mailstream_ssl: libetpan
 * completes the TLS handshake without checking the certificate, and offers
 * only the raw chain afterwards.  Checking that chain ourselves would mean
 * re-implementing GnuTLS's path building, time checks and host name rules.
 * Running the GnuTLS session here instead lets gnutls_session_set_verify_cert
 * fail the handshake itself, so there is no window in which an unverified
 * connection exists in libetpan's hands; it also gives us SNI, one timeout
 * rule for connect, handshake, reads and writes (libetpan's is a global),
 * and an exact cause for "connection lost" versus "timed out".  libetpan gets
 * the result as a mailstream_low with our driver.
 */
#include "imap/imap.h"

#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IMAP_DEFAULT_TIMEOUT 60
#define IMAP_DEFAULT_BATCH 50
#define IMAP_STREAM_BUFFER 8192
/* How often imap_idle looks at the stop flag, in milliseconds. */
#define IMAP_IDLE_TICK_MS 200
/* How often imap_idle sends NOOP when the server has no IDLE, in seconds. */
#define IMAP_POLL_SECONDS 5

/* What the transport saw, so errors can say "timed out" or "connection lost". */
typedef struct {
	bool timed_out;
	bool closed;
	int saved_errno;
} transport_status;

/* The data behind our mailstream_low driver. */
typedef struct {
	int fd;
	gnutls_session_t tls; /* NULL on a plain connection */
	gnutls_certificate_credentials_t credentials;
	int timeout_ms;
	transport_status *status; /* owned by the session, outlives the stream */
} transport;

struct imap_session {
	mailimap *imap;
	char *place; /* "imap://user@host:port", the prefix of every error */
	char *host;
	char *ca_file;
	int timeout_seconds;
	transport_status status;
	bool broken; /* the connection is gone or out of step: refuse further commands */
	GHashTable *capabilities; /* upper-case names -> themselves */
};

/* ---------------------------------------------------------------- transport */

static int
transport_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r;

	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	return r;
}

static ssize_t
transport_read(mailstream_low *low, void *buf, size_t count)
{
	transport *t = low->data;
	ssize_t r;

	for (;;) {
		if (t->tls == NULL || gnutls_record_check_pending(t->tls) == 0) {
			int w = transport_wait(t->fd, POLLIN, t->timeout_ms);

			if (w == 0) {
				t->status->timed_out = true;
				return -1;
			}
			if (w < 0) {
				t->status->saved_errno = errno;
				return -1;
			}
		}
		if (t->tls != NULL) {
			r = gnutls_record_recv(t->tls, buf, count);
			if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
				continue;
			if (r == GNUTLS_E_REHANDSHAKE) {
				/* TLS 1.2 renegotiation is not needed by IMAP; refuse it politely.
				 */
				gnutls_alert_send(t->tls, GNUTLS_AL_WARNING,
				                  GNUTLS_A_NO_RENEGOTIATION);
				continue;
			}
			if (r < 0) {
				t->status->closed = true;
				return -1;
			}
		} else {
			r = recv(t->fd, buf, count, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				t->status->saved_errno = errno;
				t->status->closed = true;
				return -1;
			}
		}
		/*
		 * End of stream is an error for libetpan's purposes: its line
		 * reader treats a zero-byte read as "line complete", which would
		 * turn a dropped connection into a parse error.
		 */
		if (r == 0) {
			t->status->closed = true;
			return -1;
		}
		return r;
	}
}

static ssize_t
transport_write(mailstream_low *low, const void *buf, size_t count)
{
	transport *t = low->data;
	ssize_t r;
	int w;

	for (;;) {
		w = transport_wait(t->fd, POLLOUT, t->timeout_ms);
		if (w == 0) {
			t->status->timed_out = true;
			return -1;
		}
		if (w < 0) {
			t->status->saved_errno = errno;
			return -1;
		}
		if (t->tls != NULL) {
			r = gnutls_record_send(t->tls, buf, count);
			if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
				continue;
		} else {
			r = send(t->fd, buf, count, MSG_NOSIGNAL);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				t->status->saved_errno = errno;
		}
		if (r < 0) {
			t->status->closed = true;
			return -1;
		}
		return r;
	}
}

static int
transport_close(mailstream_low *low)
{
	transport *t = low->data;

	if (t->fd < 0)
		return 0;
	/* A close_notify is courtesy; never wait for the answer. */
	if (t->tls != NULL && !t->status->closed && !t->status->timed_out)
		gnutls_bye(t->tls, GNUTLS_SHUT_WR);
	close(t->fd);
	t->fd = -1;
	return 0;
}

static int
transport_get_fd(mailstream_low *low)
{
	transport *t = low->data;

	return t->fd;
}

static void
transport_free(mailstream_low *low)
{
	transport *t = low->data;

	if (t->tls != NULL)
		gnutls_deinit(t->tls);
	if (t->credentials != NULL)
		gnutls_certificate_free_credentials(t->credentials);
	g_free(t);
	/* mailstream_low_new() allocated the low with malloc; its driver frees it. */
	free(low);
}

static mailstream_low_driver transport_driver = {
    .mailstream_read = transport_read,
    .mailstream_write = transport_write,
    .mailstream_close = transport_close,
    .mailstream_get_fd = transport_get_fd,
    .mailstream_free = transport_free,
};

/* GnuTLS writes through this so a peer that went away cannot raise SIGPIPE. */
static ssize_t
transport_tls_push(gnutls_transport_ptr_t ptr, const void *data, size_t size)
{
	int fd = (int)(intptr_t)ptr;
	ssize_t r = send(fd, data, size, MSG_NOSIGNAL);

	if (r < 0)
		gnutls_transport_set_errno(NULL, errno);
	return r;
}

static mailstream_low *
transport_new_low(transport *t)
{
	mailstream_low *low = mailstream_low_new(t, &transport_driver);

	if (low == NULL)
		g_error("out of memory");
	return low;
}

/* ------------------------------------------------------------------ errors */

static bool
address_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			return in6->sin6_addr.s6_addr[12] == 127;
	}
	return false;
}

static bool
host_is_ip_literal(const char *host)
{
	unsigned char buffer[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buffer) == 1 || inet_pton(AF_INET6, host, buffer) == 1;
}

/* The server's last response text, for error messages; "" when none. */
static const char *
session_server_text(imap_session *s)
{
	if (s->imap != NULL && s->imap->imap_response != NULL)
		return s->imap->imap_response;
	return "";
}

/* The transport-level reason a command failed, or NULL when the transport is fine. */
static char *
session_transport_reason(imap_session *s)
{
	if (s->status.timed_out)
		return g_strdup_printf("no answer within %d seconds (timed out)",
		                       s->timeout_seconds);
	if (s->status.closed) {
		if (s->status.saved_errno != 0)
			return g_strdup_printf("connection lost: %s",
			                       g_strerror(s->status.saved_errno));
		return g_strdup("connection lost (the server closed it)");
	}
	return NULL;
}

/*
 * Turns a libetpan result into a GError.  what names the command
 * ("SELECT \"Drafts\"").  Failures that leave the stream in an unknown
 * state mark the session broken.
 */
static void
session_fail(imap_session *s, int r, const char *what, GError **error)
{
	char *reason = session_transport_reason(s);
	const char *text = session_server_text(s);

	if (reason != NULL || r == MAILIMAP_ERROR_STREAM) {
		s->broken = true;
		g_set_error(error, DM_ERROR, DM_ERROR_TEMPORARY, "%s: %s: %s", s->place, what,
		            reason != NULL ? reason : "connection lost");
	} else if (r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION) {
		s->broken = true;
		g_set_error(error, DM_ERROR, DM_ERROR_TEMPORARY,
		            "%s: the server refused the session%s%s", s->place,
		            *text != '\0' ? ": " : "", text);
	} else if (r == MAILIMAP_ERROR_FATAL) {
		s->broken = true;
		g_set_error(error, DM_ERROR, DM_ERROR_TEMPORARY,
		            "%s: %s: the server ended the session%s%s", s->place, what,
		            *text != '\0' ? ": " : "", text);
	} else if (r == MAILIMAP_ERROR_PARSE || r == MAILIMAP_ERROR_PROTOCOL) {
		s->broken = true;
		g_set_error(error, DM_ERROR, DM_ERROR_PROTOCOL,
		            "%s: %s: the server's answer cannot be read", s->place, what);
	} else if (r == MAILIMAP_ERROR_LOGIN) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG, "%s: login refused%s%s", s->place,
		            *text != '\0' ? ": " : "", text);
	} else {
		g_set_error(error, DM_ERROR, DM_ERROR_PROTOCOL, "%s: %s failed%s%s", s->place, what,
		            *text != '\0' ? ": " : "", text);
	}
	g_free(reason);
}

static bool
session_check_alive(imap_session *s, GError **error)
{
	if (s->broken) {
		g_set_error(error, DM_ERROR, DM_ERROR_TEMPORARY,
		            "%s: the connection was lost earlier; reconnect", s->place);
		return false;
	}
	return true;
}

static bool
session_check_selected(imap_session *s, const char *what, GError **error)
{
	if (!session_check_alive(s, error))
		return false;
	if (s->imap->imap_state != MAILIMAP_STATE_SELECTED) {
		g_set_error(error, DM_ERROR, DM_ERROR_INTERNAL, "%s: %s: no folder is selected",
		            s->place, what);
		return false;
	}
	return true;
}

/* --------------------------------------------------------------- connecting */

static int
socket_connect_one(const struct addrinfo *ai, int timeout_ms, int *saved_errno, bool *timed_out)
{
	int fd, flags, r, soerr = 0;
	socklen_t len = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*saved_errno = errno;
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	if (r < 0 && errno != EINPROGRESS) {
		*saved_errno = errno;
		goto fail;
	}
	if (r < 0) {
		r = transport_wait(fd, POLLOUT, timeout_ms);
		if (r == 0) {
			*timed_out = true;
			goto fail;
		}
		if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
			*saved_errno = errno;
			goto fail;
		}
		if (soerr != 0) {
			*saved_errno = soerr;
			goto fail;
		}
	}
	/* Blocking from here on: every read and write polls with the timeout first. */
	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;

fail:
	close(fd);
	return -1;
}

/*
 * Resolves and connects, trying each address in turn.  For tls = none, every
 * address must be loopback: a name that resolves elsewhere is refused before
 * any connection is made.
 */
static int
session_open_socket(imap_session *s, int port, bool loopback_only, GError **error)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *list = NULL, *ai;
	char service[16];
	int r, fd = -1, saved_errno = 0;
	bool timed_out = false;

	g_snprintf(service, sizeof(service), "%d", port);
	r = getaddrinfo(s->host, service, &hints, &list);
	if (r != 0) {
		g_set_error(error, DM_ERROR, r == EAI_AGAIN ? DM_ERROR_TEMPORARY : DM_ERROR_CONFIG,
		            "%s: cannot resolve host \"%s\": %s", s->place, s->host,
		            gai_strerror(r));
		return -1;
	}
	if (loopback_only) {
		for (ai = list; ai != NULL; ai = ai->ai_next) {
			if (!address_is_loopback(ai->ai_addr)) {
				g_set_error(
				    error, DM_ERROR, DM_ERROR_CONFIG,
				    "%s: tls = none is only allowed to a loopback host (127.0.0.1, "
				    "::1), and \"%s\" is not one; use tls = implicit or starttls",
				    s->place, s->host);
				freeaddrinfo(list);
				return -1;
			}
		}
	}
	for (ai = list; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = socket_connect_one(ai, s->timeout_seconds * 1000, &saved_errno, &timed_out);
	freeaddrinfo(list);
	if (fd >= 0)
		return fd;
	if (timed_out && saved_errno == 0)
		g_set_error(error, DM_ERROR, DM_ERROR_TEMPORARY,
		            "%s: connect timed out after %d seconds", s->place, s->timeout_seconds);
	else
		g_set_error(error, DM_ERROR, DM_ERROR_TEMPORARY, "%s: cannot connect: %s", s->place,
		            g_strerror(saved_errno != 0 ? saved_errno : ECONNREFUSED));
	return -1;
}

/* Names the reasons of a failed certificate check, most useful first. */
static char *
tls_describe_status(unsigned int status, const char *host)
{
	GString *out = g_string_new(NULL);

	if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
		g_string_append_printf(
		    out, "; host name mismatch: the certificate is not for \"%s\"", host);
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		g_string_append(out, "; unknown issuer: not signed by a trusted CA (set ca_file?)");
	if (status & GNUTLS_CERT_EXPIRED)
		g_string_append(out, "; certificate expired");
	if (status & GNUTLS_CERT_NOT_ACTIVATED)
		g_string_append(out, "; certificate not yet valid");
	if (status & GNUTLS_CERT_REVOKED)
		g_string_append(out, "; certificate revoked");
	if (status & GNUTLS_CERT_SIGNER_NOT_CA)
		g_string_append(out, "; the issuer is not a CA");
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		g_string_append(out, "; signed with an insecure algorithm");
	if (out->len == 0) {
		gnutls_datum_t text = {NULL, 0};

		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text,
		                                                 0) == 0) {
			g_string_append_printf(out, "; %s", (const char *)text.data);
			gnutls_free(text.data);
		} else {
			g_string_append_printf(out, "; status 0x%x", status);
		}
	}
	g_string_erase(out, 0, 2);
	return g_string_free(out, FALSE);
}

/*
 * Runs a verified TLS handshake on fd and returns the transport for it.  On
 * failure the fd is left open (the caller owns it).
 */
static transport *
session_start_tls(imap_session *s, int fd, GError **error)
{
	transport *t = g_new0(transport, 1);
	int r;

	t->fd = fd;
	t->timeout_ms = s->timeout_seconds * 1000;
	t->status = &s->status;
	gnutls_certificate_allocate_credentials(&t->credentials);
	if (s->ca_file != NULL) {
		r = gnutls_certificate_set_x509_trust_file(t->credentials, s->ca_file,
		                                           GNUTLS_X509_FMT_PEM);
		if (r <= 0) {
			g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
			            "%s: ca_file \"%s\": no usable PEM certificates%s%s", s->place,
			            s->ca_file, r < 0 ? ": " : "", r < 0 ? gnutls_strerror(r) : "");
			goto fail;
		}
	} else {
		r = gnutls_certificate_set_x509_system_trust(t->credentials);
		if (r <= 0) {
			g_set_error(error, DM_ERROR, DM_ERROR_SECURITY,
			            "%s: the system trust store has no certificates; set ca_file",
			            s->place);
			goto fail;
		}
	}
	gnutls_init(&t->tls, GNUTLS_CLIENT);
	gnutls_set_default_priority(t->tls);
	gnutls_credentials_set(t->tls, GNUTLS_CRD_CERTIFICATE, t->credentials);
	/* SNI carries host names only, never address literals (RFC 6066 section 3). */
	if (!host_is_ip_literal(s->host))
		gnutls_server_name_set(t->tls, GNUTLS_NAME_DNS, s->host, strlen(s->host));
	/* The handshake itself fails unless the chain and the host name verify. */
	gnutls_session_set_verify_cert(t->tls, s->host, 0);
	gnutls_transport_set_int(t->tls, fd);
	gnutls_transport_set_push_function(t->tls, transport_tls_push);
	gnutls_handshake_set_timeout(t->tls, (unsigned int)t->timeout_ms);
	do {
		r = gnutls_handshake(t->tls);
	} while (r < 0 && gnutls_error_is_fatal(r) == 0);
	if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
		char *why =
		    tls_describe_status(gnutls_session_get_verify_cert_status(t->tls), s->host);

		g_set_error(error, DM_ERROR, DM_ERROR_SECURITY,
		            "%s: certificate not accepted, not logging in: %s", s->place, why);
		g_free(why);
		goto fail;
	}
	if (r == GNUTLS_E_TIMEDOUT) {
		g_set_error(error, DM_ERROR, DM_ERROR_TEMPORARY,
		            "%s: TLS handshake timed out after %d seconds", s->place,
		            s->timeout_seconds);
		goto fail;
	}
	if (r == GNUTLS_E_PREMATURE_TERMINATION || r == GNUTLS_E_PUSH_ERROR ||
	    r == GNUTLS_E_PULL_ERROR) {
		g_set_error(error, DM_ERROR, DM_ERROR_TEMPORARY,
		            "%s: connection lost during the TLS handshake: %s", s->place,
		            gnutls_strerror(r));
		goto fail;
	}
	if (r < 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_SECURITY,
		            "%s: TLS handshake failed: %s (does the port match the tls setting?)",
		            s->place, gnutls_strerror(r));
		goto fail;
	}
	return t;

fail:
	if (t->tls != NULL)
		gnutls_deinit(t->tls);
	gnutls_certificate_free_credentials(t->credentials);
	g_free(t);
	return NULL;
}

static bool
session_load_capabilities(imap_session *s, GError **error)
{
	struct mailimap_capability_data *data = NULL;
	clistiter *it;
	int r;

	r = mailimap_capability(s->imap, &data);
	if (r != MAILIMAP_NO_ERROR) {
		session_fail(s, r, "CAPABILITY", error);
		return false;
	}
	g_hash_table_remove_all(s->capabilities);
	for (it = clist_begin(data->cap_list); it != NULL; it = clist_next(it)) {
		struct mailimap_capability *cap = clist_content(it);
		char *name;

		if (cap->cap_type == MAILIMAP_CAPABILITY_AUTH_TYPE &&
		    cap->cap_data.cap_auth_type != NULL)
			name = g_strconcat("AUTH=", cap->cap_data.cap_auth_type, NULL);
		else if (cap->cap_type == MAILIMAP_CAPABILITY_NAME &&
		         cap->cap_data.cap_name != NULL)
			name = g_strdup(cap->cap_data.cap_name);
		else
			continue;
		char *upper = g_ascii_strup(name, -1);
		g_free(name);
		g_hash_table_replace(s->capabilities, upper, upper);
	}
	mailimap_capability_data_free(data);
	return true;
}

static void
session_free(imap_session *s)
{
	if (s->imap != NULL)
		mailimap_free(s->imap);
	g_hash_table_destroy(s->capabilities);
	g_free(s->place);
	g_free(s->host);
	g_free(s->ca_file);
	g_free(s);
}

static bool
settings_check(const imap_settings *settings, GError **error)
{
	if (settings->host == NULL || settings->host[0] == '\0') {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG, "imap: no host configured");
		return false;
	}
	if (settings->user == NULL || settings->user[0] == '\0') {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG, "imap://%s: no user configured",
		            settings->host);
		return false;
	}
	if (settings->password == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG, "imap://%s@%s: no password",
		            settings->user, settings->host);
		return false;
	}
	if (settings->port < 0 || settings->port > 65535 || settings->timeout_seconds < 0) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG,
		            "imap://%s@%s: port %d or timeout %d out of range", settings->user,
		            settings->host, settings->port, settings->timeout_seconds);
		return false;
	}
	if (settings->tls != IMAP_TLS_IMPLICIT && settings->tls != IMAP_TLS_STARTTLS &&
	    settings->tls != IMAP_TLS_NONE) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFIG, "imap://%s@%s: unknown tls mode %d",
		            settings->user, settings->host, (int)settings->tls);
		return false;
	}
	return true;
}

imap_session *
imap_connect(const imap_settings *settings, GError **error)
{
	imap_session *s;
	transport *t = NULL;
	mailstream *stream;
	int port, fd, r;

	if (!settings_check(settings, error))
		return NULL;
	port = settings->port != 0                  ? settings->port
	       : settings->tls == IMAP_TLS_IMPLICIT ? 993
	                                            : 143;
	s = g_new0(imap_session, 1);
	s->host = g_strdup(settings->host);
	s->ca_file = g_strdup(settings->ca_file);
	s->timeout_seconds =
	    settings->timeout_seconds > 0 ? settings->timeout_seconds : IMAP_DEFAULT_TIMEOUT;
	s->capabilities = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->place = g_strdup_printf(strchr(settings->host, ':') != NULL ? "imap://%s@[%s]:%d"
	                                                               : "imap://%s@%s:%d",
	                           settings->user, settings->host, port);

	fd = session_open_socket(s, port, settings->tls == IMAP_TLS_NONE, error);
	if (fd < 0)
		goto fail;
	if (settings->tls == IMAP_TLS_IMPLICIT) {
		t = session_start_tls(s, fd, error);
		if (t == NULL) {
			close(fd);
			goto fail;
		}
	} else {
		t = g_new0(transport, 1);
		t->fd = fd;
		t->timeout_ms = s->timeout_seconds * 1000;
		t->status = &s->status;
	}
	stream = mailstream_new(transport_new_low(t), IMAP_STREAM_BUFFER);
	if (stream == NULL)
		g_error("out of memory");
	s->imap = mailimap_new(0, NULL);
	if (s->imap == NULL)
		g_error("out of memory");
	/* mailimap_connect owns the stream from here, also when it fails. */
	r = mailimap_connect(s->imap, stream);
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED && r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		session_fail(s, r, "greeting", error);
		goto fail;
	}

	if (settings->tls == IMAP_TLS_STARTTLS) {
		mailstream_low *plain;

		if (!session_load_capabilities(s, error))
			goto fail;
		if (!imap_has_capability(s, "STARTTLS")) {
			g_set_error(error, DM_ERROR, DM_ERROR_SECURITY,
			            "%s: the server does not offer STARTTLS; not logging in",
			            s->place);
			goto fail;
		}
		r = mailimap_starttls(s->imap);
		if (r != MAILIMAP_NO_ERROR) {
			GError *local = NULL;

			/* A refused STARTTLS is a security failure: we will not go on in the clear.
			 */
			session_fail(s, r, "STARTTLS", &local);
			if (local->code == DM_ERROR_PROTOCOL)
				local->code = DM_ERROR_SECURITY;
			g_propagate_error(error, local);
			goto fail;
		}
		/*
		 * Anything already buffered after the STARTTLS answer was sent
		 * in the clear and would be read as if it came over TLS: the
		 * classic STARTTLS injection.  Refuse.
		 */
		if (s->imap->imap_stream->read_buffer_len != 0) {
			s->broken = true;
			g_set_error(
			    error, DM_ERROR, DM_ERROR_SECURITY,
			    "%s: the server sent data after accepting STARTTLS (injection?); "
			    "not logging in",
			    s->place);
			goto fail;
		}
		t = session_start_tls(s, fd, error);
		if (t == NULL) {
			s->broken = true;
			goto fail;
		}
		/* Swap the transports: the plain one lets go without closing the socket. */
		plain = mailstream_get_low(s->imap->imap_stream);
		mailstream_set_low(s->imap->imap_stream, transport_new_low(t));
		mailstream_low_free(plain);
	}

	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED || settings->tls == IMAP_TLS_STARTTLS) {
		if (!session_load_capabilities(s, error))
			goto fail;
		if (imap_has_capability(s, "LOGINDISABLED")) {
			g_set_error(
			    error, DM_ERROR, DM_ERROR_CONFIG,
			    "%s: the server refuses LOGIN on this connection (LOGINDISABLED); "
			    "use tls = implicit or starttls",
			    s->place);
			goto fail;
		}
		r = mailimap_login(s->imap, settings->user, settings->password);
		if (r != MAILIMAP_NO_ERROR) {
			session_fail(s, r, "LOGIN", error);
			goto fail;
		}
	}
	/* Servers may announce more after login (RFC 3501 6.2.3). */
	if (!session_load_capabilities(s, error))
		goto fail;
	return s;

fail:
	session_free(s);
	return NULL;
}

void
imap_close(imap_session *session)
{
	if (session == NULL)
		return;
	if (!session->broken && session->imap != NULL &&
	    session->imap->imap_state != MAILIMAP_STATE_DISCONNECTED)
		mailimap_logout(session->imap);
	session_free(session);
}

bool
imap_has_capability(imap_session *session, const char *name)
{
	char *upper = g_ascii_strup(name, -1);
	bool found = g_hash_table_contains(session->capabilities, upper);

	g_free(upper);
	return found;
}

/* ------------------------------------------------------------------ folders */

/* The wire name of a UTF-8 folder name, or NULL with DM_ERROR_INPUT. */
static char *
session_encode_folder(imap_session *s, const char *folder, GError **error)
{
	char *wire = folder != NULL ? imap_folder_name_encode(folder) : NULL;

	if (wire == NULL || wire[0] == '\0') {
		g_free(wire);
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "%s: folder name is empty or not UTF-8", s->place);
		return NULL;
	}
	return wire;
}

char *
imap_find_special_folder(imap_session *session, const char *use, const char *fallback,
                         GError **error)
{
	clist *list = NULL;
	clistiter *it;
	const char *want = use[0] == '\\' ? use + 1 : use;
	char *found = NULL;
	bool fallback_exists = false;
	int r;

	if (!session_check_alive(session, error))
		return NULL;
	r = mailimap_list(session->imap, "", "*", &list);
	if (r != MAILIMAP_NO_ERROR) {
		session_fail(session, r, "LIST", error);
		return NULL;
	}
	for (it = clist_begin(list); it != NULL && found == NULL; it = clist_next(it)) {
		struct mailimap_mailbox_list *mb = clist_content(it);
		char *name = imap_folder_name_decode(mb->mb_name);
		clistiter *f;

		if (name == NULL)
			continue;
		if (fallback != NULL && strcmp(name, fallback) == 0)
			fallback_exists = true;
		if (mb->mb_flag != NULL) {
			for (f = clist_begin(mb->mb_flag->mbf_oflags); f != NULL;
			     f = clist_next(f)) {
				struct mailimap_mbx_list_oflag *o = clist_content(f);

				if (o->of_type == MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT &&
				    o->of_flag_ext != NULL &&
				    g_ascii_strcasecmp(o->of_flag_ext, want) == 0) {
					found = g_strdup(name);
					break;
				}
			}
		}
		g_free(name);
	}
	mailimap_list_result_free(list);
	if (found != NULL)
		return found;
	if (fallback_exists)
		return g_strdup(fallback);
	g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND, "%s: no folder marked %s%s%s%s",
	            session->place, use, fallback != NULL ? " and no folder \"" : "",
	            fallback != NULL ? fallback : "", fallback != NULL ? "\"" : "");
	return NULL;
}

bool
imap_select(imap_session *session, const char *folder, bool readonly, uint32_t *uidvalidity,
            uint32_t *uidnext, uint32_t *exists, GError **error)
{
	char *wire, *what;
	int r;

	if (!session_check_alive(session, error))
		return false;
	wire = session_encode_folder(session, folder, error);
	if (wire == NULL)
		return false;
	r = readonly ? mailimap_examine(session->imap, wire) : mailimap_select(session->imap, wire);
	g_free(wire);
	if (r != MAILIMAP_NO_ERROR) {
		what = g_strdup_printf("%s \"%s\"", readonly ? "EXAMINE" : "SELECT", folder);
		session_fail(session, r, what, error);
		g_free(what);
		return false;
	}
	if (uidvalidity != NULL)
		*uidvalidity = session->imap->imap_selection_info->sel_uidvalidity;
	if (uidnext != NULL)
		*uidnext = session->imap->imap_selection_info->sel_uidnext;
	if (exists != NULL)
		*exists = session->imap->imap_selection_info->sel_exists;
	return true;
}

static bool
session_folder_command(imap_session *s, const char *folder, bool create, GError **error)
{
	char *wire, *what;
	int r;

	if (!session_check_alive(s, error))
		return false;
	wire = session_encode_folder(s, folder, error);
	if (wire == NULL)
		return false;
	r = create ? mailimap_create(s->imap, wire) : mailimap_delete(s->imap, wire);
	g_free(wire);
	if (r != MAILIMAP_NO_ERROR) {
		what = g_strdup_printf("%s \"%s\"", create ? "CREATE" : "DELETE", folder);
		session_fail(s, r, what, error);
		g_free(what);
		return false;
	}
	return true;
}

bool
imap_create_folder(imap_session *session, const char *folder, GError **error)
{
	return session_folder_command(session, folder, true, error);
}

bool
imap_delete_folder(imap_session *session, const char *folder, GError **error)
{
	return session_folder_command(session, folder, false, error);
}

/* ------------------------------------------------------------------- flags */

/* Builds a libetpan flag list from "\\Draft \\Seen keyword"; NULL when a flag is malformed. */
static struct mailimap_flag_list *
flags_parse(const char *flags)
{
	struct mailimap_flag_list *list = mailimap_flag_list_new_empty();
	char **words = g_strsplit_set(flags != NULL ? flags : "", " \t", -1);

	for (char **w = words; *w != NULL; w++) {
		struct mailimap_flag *flag;
		const char *name = *w;

		if (*name == '\0')
			continue;
		/* Atoms only: anything else would break the command line. */
		for (const char *c = name[0] == '\\' ? name + 1 : name; *c != '\0'; c++) {
			if (*c <= ' ' || *c >= 0x7f || strchr("(){%*\"\\]", *c) != NULL)
				goto fail;
		}
		if (name[0] == '\\') {
			if (name[1] == '\0')
				goto fail;
			if (g_ascii_strcasecmp(name, "\\Seen") == 0)
				flag = mailimap_flag_new_seen();
			else if (g_ascii_strcasecmp(name, "\\Draft") == 0)
				flag = mailimap_flag_new_draft();
			else if (g_ascii_strcasecmp(name, "\\Answered") == 0)
				flag = mailimap_flag_new_answered();
			else if (g_ascii_strcasecmp(name, "\\Flagged") == 0)
				flag = mailimap_flag_new_flagged();
			else if (g_ascii_strcasecmp(name, "\\Deleted") == 0)
				flag = mailimap_flag_new_deleted();
			else
				/* The flag takes the string; the list below takes the flag. */
				flag = mailimap_flag_new_flag_extension(strdup(name + 1)); // NOLINT(clang-analyzer-unix.Malloc)
		} else {
			flag = mailimap_flag_new_flag_keyword(strdup(name)); // NOLINT(clang-analyzer-unix.Malloc)
		}
		mailimap_flag_list_add(list, flag);
	}
	g_strfreev(words);
	return list;

fail:
	g_strfreev(words);
	mailimap_flag_list_free(list);
	return NULL;
}

static void
flags_append_one(GString *out, const struct mailimap_flag *flag)
{
	if (out->len > 0)
		g_string_append_c(out, ' ');
	switch (flag->fl_type) {
	case MAILIMAP_FLAG_ANSWERED:
		g_string_append(out, "\\Answered");
		break;
	case MAILIMAP_FLAG_FLAGGED:
		g_string_append(out, "\\Flagged");
		break;
	case MAILIMAP_FLAG_DELETED:
		g_string_append(out, "\\Deleted");
		break;
	case MAILIMAP_FLAG_SEEN:
		g_string_append(out, "\\Seen");
		break;
	case MAILIMAP_FLAG_DRAFT:
		g_string_append(out, "\\Draft");
		break;
	case MAILIMAP_FLAG_KEYWORD:
		g_string_append(out, flag->fl_data.fl_keyword);
		break;
	case MAILIMAP_FLAG_EXTENSION:
		g_string_append_printf(out, "\\%s", flag->fl_data.fl_extension);
		break;
	default:
		/* \* appears only in PERMANENTFLAGS, never on a message; drop the separator. */
		if (out->len > 0)
			g_string_truncate(out, out->len - 1);
		break;
	}
}

/* ------------------------------------------------------------------ search */

static GArray *
session_uid_search(imap_session *s, struct mailimap_search_key *key, const char *charset,
                   const char *what, GError **error)
{
	clist *result = NULL;
	clistiter *it;
	GArray *uids;
	int r;

	r = mailimap_uid_search(s->imap, charset, key, &result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		session_fail(s, r, what, error);
		return NULL;
	}
	uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	for (it = clist_begin(result); it != NULL; it = clist_next(it))
		g_array_append_val(uids, *(uint32_t *)clist_content(it));
	mailimap_search_result_free(result);
	return uids;
}

static int
uid_compare(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool
text_is_ascii(const char *text)
{
	for (; *text != '\0'; text++) {
		if ((unsigned char)*text >= 0x80)
			return false;
	}
	return true;
}

GArray *
imap_search_header(imap_session *session, const char *name, const char *value, GError **error)
{
	struct mailimap_search_key *key;
	GArray *uids;

	if (!session_check_selected(session, "UID SEARCH", error))
		return NULL;
	if (!g_utf8_validate(value, -1, NULL) || strpbrk(value, "\r\n") != NULL ||
	    strpbrk(name, " \t\r\n:") != NULL || !text_is_ascii(name)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "%s: UID SEARCH: header name or value is not searchable",
		            session->place);
		return NULL;
	}
	/* The search key takes both strings and frees them with itself. */
	key = mailimap_search_key_new_header(strdup(name), strdup(value)); // NOLINT(clang-analyzer-unix.Malloc)
	uids = session_uid_search(session, key, text_is_ascii(value) ? NULL : "UTF-8",
	                          "UID SEARCH HEADER", error);
	if (uids != NULL)
		g_array_sort(uids, uid_compare);
	return uids;
}

/* Parses "22-Nov-2026" (IMAP date) into day, month, year. */
static bool
imap_date_parse(const char *text, int *day, int *month, int *year)
{
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char name[4] = {0};
	const char *dash;

	/* D-Mon-YYYY or DD-Mon-YYYY, read field by field. */
	if (!g_ascii_isdigit(text[0]))
		return false;
	*day = text[0] - '0';
	dash = text + 1;
	if (g_ascii_isdigit(*dash))
		*day = *day * 10 + (*dash++ - '0');
	if (*dash != '-' || !g_ascii_isalpha(dash[1]) || !g_ascii_isalpha(dash[2]) ||
	    !g_ascii_isalpha(dash[3]) || dash[4] != '-')
		return false;
	memcpy(name, dash + 1, 3);
	*year = 0;
	for (int i = 5; i < 9; i++) {
		if (!g_ascii_isdigit(dash[i]))
			return false;
		*year = *year * 10 + (dash[i] - '0');
	}
	if (dash[9] != '\0')
		return false;
	for (int i = 0; i < 12; i++) {
		if (g_ascii_strcasecmp(name, months[i]) == 0) {
			*month = i + 1;
			return *day >= 1 && *day <= 31 && *year >= 1900;
		}
	}
	return false;
}

GArray *
imap_list_uids(imap_session *session, uint32_t first_uid, const char *since_date, GError **error)
{
	struct mailimap_search_key *key;
	GArray *uids;
	int day, month, year;
	guint i;

	if (!session_check_selected(session, "UID SEARCH", error))
		return NULL;
	if (since_date != NULL && !imap_date_parse(since_date, &day, &month, &year)) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT,
		            "%s: UID SEARCH: \"%s\" is not an IMAP date like 22-Nov-2026",
		            session->place, since_date);
		return NULL;
	}
	if (first_uid == 0)
		first_uid = 1;
	key = mailimap_search_key_new_multiple_empty();
	mailimap_search_key_multiple_add(
	    key, mailimap_search_key_new_uid(mailimap_set_new_interval(first_uid, 0)));
	if (since_date != NULL)
		mailimap_search_key_multiple_add(
		    key, mailimap_search_key_new_since(mailimap_date_new(day, month, year)));
	uids = session_uid_search(session, key, NULL, "UID SEARCH UID", error);
	if (uids == NULL)
		return NULL;
	g_array_sort(uids, uid_compare);
	/* "n:*" includes the highest UID even when it is below n. */
	for (i = 0; i < uids->len && g_array_index(uids, uint32_t, i) < first_uid;)
		i++;
	g_array_remove_range(uids, 0, i);
	return uids;
}

/* ------------------------------------------------------------------- fetch */

typedef struct {
	uint32_t uid;
	const char *data;
	size_t length;
	size_t size; /* RFC822.SIZE, 0 when not asked for */
	bool has_body;
	const struct mailimap_msg_att_dynamic *flags;
} fetched_message;

static fetched_message
fetched_message_read(const struct mailimap_msg_att *msg)
{
	fetched_message m = {0};
	clistiter *it;

	for (it = clist_begin(msg->att_list); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);

		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC) {
			m.flags = item->att_data.att_dyn;
			continue;
		}
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID) {
			m.uid = item->att_data.att_static->att_data.att_uid;
		} else if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE) {
			m.size = item->att_data.att_static->att_data.att_rfc822_size;
		} else if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_BODY_SECTION) {
			struct mailimap_msg_att_body_section *b =
			    item->att_data.att_static->att_data.att_body_section;

			if (b->sec_body_part != NULL) {
				m.data = b->sec_body_part;
				m.length = b->sec_length;
				m.has_body = true;
			}
		}
	}
	return m;
}

bool
imap_fetch(imap_session *session, const uint32_t *uids, size_t n, size_t batch, size_t limit,
           imap_fetch_callback each, void *user, GError **error)
{
	if (!session_check_selected(session, "UID FETCH", error))
		return false;
	if (batch == 0)
		batch = IMAP_DEFAULT_BATCH;
	for (size_t start = 0; start < n; start += batch) {
		size_t end = MIN(n, start + batch);
		struct mailimap_set *set = mailimap_set_new_empty();
		struct mailimap_fetch_type *type = mailimap_fetch_type_new_fetch_att_list_empty();
		GHashTable *by_uid = g_hash_table_new(g_direct_hash, g_direct_equal);
		clist *result = NULL;
		clistiter *it;
		bool go_on = true;
		int r;

		for (size_t i = start; i < end; i++)
			mailimap_set_add_single(set, uids[i]);
		mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid());
		mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_rfc822_size());
		/* BODY.PEEK[]: reading a client's reply must not mark it read for the user. */
		mailimap_fetch_type_new_fetch_att_list_add(
		    type, limit > 0 ? mailimap_fetch_att_new_body_peek_section_partial(
		                          mailimap_section_new(NULL), 0, (uint32_t)MIN(limit, UINT32_MAX))
		                    : mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
		r = mailimap_uid_fetch(session->imap, set, type, &result);
		mailimap_fetch_type_free(type);
		mailimap_set_free(set);
		if (r != MAILIMAP_NO_ERROR) {
			g_hash_table_destroy(by_uid);
			session_fail(session, r, "UID FETCH", error);
			return false;
		}
		/* Servers answer in their own order and may add unsolicited FETCHes (flag changes).
		 */
		for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
			fetched_message m = fetched_message_read(clist_content(it));

			if (m.uid != 0 && m.has_body)
				g_hash_table_insert(by_uid, GUINT_TO_POINTER(m.uid),
				                    clist_content(it));
		}
		for (size_t i = start; i < end && go_on; i++) {
			const struct mailimap_msg_att *msg =
			    g_hash_table_lookup(by_uid, GUINT_TO_POINTER(uids[i]));
			fetched_message m;
			imap_fetched fetched;

			if (msg == NULL)
				continue;
			m = fetched_message_read(msg);
			fetched = (imap_fetched){m.uid, m.data, m.length, MAX(m.size, m.length)};
			go_on = each(&fetched, user);
		}
		mailimap_fetch_list_free(result);
		g_hash_table_destroy(by_uid);
		if (!go_on)
			break;
	}
	return true;
}

bool
imap_uid_flags(imap_session *session, uint32_t uid, char **flags, GError **error)
{
	struct mailimap_set *set;
	struct mailimap_fetch_type *type;
	clist *result = NULL;
	clistiter *it;
	GString *out = NULL;
	int r;

	if (!session_check_selected(session, "UID FETCH FLAGS", error))
		return false;
	set = mailimap_set_new_single(uid);
	type = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_flags());
	r = mailimap_uid_fetch(session->imap, set, type, &result);
	mailimap_fetch_type_free(type);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		session_fail(session, r, "UID FETCH FLAGS", error);
		return false;
	}
	for (it = clist_begin(result); it != NULL && out == NULL; it = clist_next(it)) {
		fetched_message m = fetched_message_read(clist_content(it));
		clistiter *f;

		if (m.uid != uid || m.flags == NULL)
			continue;
		out = g_string_new(NULL);
		/* A message without any flag has no list at all in libetpan. */
		for (f = m.flags->att_list != NULL ? clist_begin(m.flags->att_list) : NULL; f != NULL;
		     f = clist_next(f)) {
			struct mailimap_flag_fetch *ff = clist_content(f);

			if (ff->fl_type == MAILIMAP_FLAG_FETCH_RECENT) {
				g_string_append(out, out->len > 0 ? " \\Recent" : "\\Recent");
			} else if (ff->fl_flag != NULL) {
				flags_append_one(out, ff->fl_flag);
			}
		}
	}
	mailimap_fetch_list_free(result);
	if (out == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND, "%s: no message with UID %u",
		            session->place, uid);
		return false;
	}
	*flags = g_string_free(out, FALSE);
	return true;
}

/* ------------------------------------------------------- append and delete */

/* IMAP wants CRLF line ends in messages; some servers reject bare LF. */
static char *
message_to_crlf(const char *message, size_t length, size_t *out_length)
{
	GString *out = g_string_sized_new(length + length / 40 + 2);

	for (size_t i = 0; i < length; i++) {
		if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r'))
			g_string_append_c(out, '\r');
		g_string_append_c(out, message[i]);
	}
	*out_length = out->len;
	return g_string_free(out, FALSE);
}

bool
imap_append(imap_session *session, const char *folder, const char *message, size_t length,
            const char *flags, const char *message_id, uint32_t *uidvalidity, uint32_t *uid,
            GError **error)
{
	struct mailimap_flag_list *flag_list;
	char *wire, *crlf, *what;
	size_t crlf_length;
	uint32_t got_validity = 0, got_uid = 0;
	int r;

	if (!session_check_alive(session, error))
		return false;
	flag_list = flags_parse(flags);
	if (flag_list == NULL) {
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "%s: APPEND: malformed flags \"%s\"",
		            session->place, flags);
		return false;
	}
	wire = session_encode_folder(session, folder, error);
	if (wire == NULL) {
		mailimap_flag_list_free(flag_list);
		return false;
	}
	crlf = message_to_crlf(message, length, &crlf_length);
	r = mailimap_uidplus_append(session->imap, wire, flag_list, NULL, crlf, crlf_length,
	                            &got_validity, &got_uid);
	mailimap_flag_list_free(flag_list);
	g_free(crlf);
	g_free(wire);
	if (r != MAILIMAP_NO_ERROR) {
		what = g_strdup_printf("APPEND to \"%s\"", folder);
		session_fail(session, r, what, error);
		g_free(what);
		return false;
	}
	if (!imap_has_capability(session, "UIDPLUS") || got_uid == 0) {
		/* No APPENDUID: find the message by its Message-ID. */
		GArray *found;

		if (message_id == NULL || message_id[0] == '\0') {
			g_set_error(
			    error, DM_ERROR, DM_ERROR_PROTOCOL,
			    "%s: APPEND to \"%s\" done, but the server reports no UID (no UIDPLUS) "
			    "and no Message-ID was given to find it",
			    session->place, folder);
			return false;
		}
		if (!imap_select(session, folder, true, &got_validity, NULL, NULL, error))
			return false;
		found = imap_search_header(session, "Message-ID", message_id, error);
		if (found == NULL)
			return false;
		if (found->len == 0) {
			g_array_unref(found);
			g_set_error(
			    error, DM_ERROR, DM_ERROR_PROTOCOL,
			    "%s: APPEND to \"%s\" done, but no message with Message-ID %s is there",
			    session->place, folder, message_id);
			return false;
		}
		/* The newest copy is ours: UIDs only grow. */
		got_uid = g_array_index(found, uint32_t, found->len - 1);
		g_array_unref(found);
	}
	if (uidvalidity != NULL)
		*uidvalidity = got_validity;
	if (uid != NULL)
		*uid = got_uid;
	return true;
}

bool
imap_delete_uid(imap_session *session, const char *folder, uint32_t uid, GError **error)
{
	struct mailimap_flag_list *flag_list;
	struct mailimap_store_att_flags *store;
	struct mailimap_set *set;
	int r;

	if (!session_check_alive(session, error))
		return false;
	if (!imap_has_capability(session, "UIDPLUS")) {
		g_set_error(
		    error, DM_ERROR, DM_ERROR_PROTOCOL,
		    "%s: cannot delete UID %u in \"%s\": the server lacks UIDPLUS, and a plain "
		    "EXPUNGE would also remove other messages marked deleted",
		    session->place, uid, folder);
		return false;
	}
	if (!imap_select(session, folder, false, NULL, NULL, NULL, error))
		return false;
	flag_list = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(flag_list, mailimap_flag_new_deleted());
	store = mailimap_store_att_flags_new_add_flags_silent(flag_list);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_store(session->imap, set, store);
	mailimap_store_att_flags_free(store);
	if (r != MAILIMAP_NO_ERROR) {
		mailimap_set_free(set);
		session_fail(session, r, "UID STORE +FLAGS (\\Deleted)", error);
		return false;
	}
	r = mailimap_uid_expunge(session->imap, set);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		session_fail(session, r, "UID EXPUNGE", error);
		return false;
	}
	return true;
}

/* -------------------------------------------------------------------- idle */

static int64_t
now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

/* Whether an answer is already waiting: in libetpan's buffer, in TLS's, or on the socket. */
static int
session_wait_readable(imap_session *s, int timeout_ms)
{
	mailstream_low *low = mailstream_get_low(s->imap->imap_stream);
	transport *t = low->data;

	if (s->imap->imap_stream->read_buffer_len > 0)
		return 1;
	if (t->tls != NULL && gnutls_record_check_pending(t->tls) > 0)
		return 1;
	return transport_wait(t->fd, POLLIN, timeout_ms);
}

static imap_idle_result
session_idle_poll(imap_session *s, int64_t deadline, volatile sig_atomic_t *stop, uint32_t known,
                  GError **error)
{
	int64_t next_noop = now_ms();

	for (;;) {
		int64_t now = now_ms();
		int r;

		if (stop != NULL && *stop)
			return IMAP_IDLE_STOPPED;
		if (now >= next_noop) {
			r = mailimap_noop(s->imap);
			if (r != MAILIMAP_NO_ERROR) {
				session_fail(s, r, "NOOP", error);
				return IMAP_IDLE_ERROR;
			}
			if (s->imap->imap_selection_info->sel_exists > known)
				return IMAP_IDLE_NEW_MAIL;
			known = s->imap->imap_selection_info->sel_exists;
			next_noop = now + IMAP_POLL_SECONDS * 1000;
		}
		if (now >= deadline)
			return IMAP_IDLE_TIMEOUT;
		g_usleep(IMAP_IDLE_TICK_MS * 1000);
	}
}

imap_idle_result
imap_idle(imap_session *session, int timeout_seconds, volatile sig_atomic_t *stop, GError **error)
{
	/* Rounded up, so that the full timeout passes before the millisecond
	 * clock (rounded down) reaches it. */
	int64_t deadline = (g_get_monotonic_time() + 999) / 1000 + (int64_t)timeout_seconds * 1000;
	uint32_t known;
	int r;

	if (!session_check_selected(session, "IDLE", error))
		return IMAP_IDLE_ERROR;
	known = session->imap->imap_selection_info->sel_exists;
	if (!imap_has_capability(session, "IDLE"))
		return session_idle_poll(session, deadline, stop, known, error);

	for (;;) {
		imap_idle_result result = IMAP_IDLE_TIMEOUT;

		r = mailimap_idle(session->imap);
		if (r != MAILIMAP_NO_ERROR) {
			session_fail(session, r, "IDLE", error);
			return IMAP_IDLE_ERROR;
		}
		for (;;) {
			int64_t left = deadline - now_ms();
			int w;

			if (stop != NULL && *stop) {
				result = IMAP_IDLE_STOPPED;
				break;
			}
			if (left <= 0)
				break;
			w = session_wait_readable(session, (int)MIN(left, IMAP_IDLE_TICK_MS));
			if (w > 0) {
				result = IMAP_IDLE_NEW_MAIL; /* tentatively: checked below */
				break;
			}
			if (w < 0 && errno != EINTR) {
				session->status.saved_errno = errno;
				session->status.closed = true;
				session_fail(session, MAILIMAP_ERROR_STREAM, "IDLE", error);
				return IMAP_IDLE_ERROR;
			}
		}
		/* DONE ends IDLE; the answers read meanwhile update EXISTS. */
		r = mailimap_idle_done(session->imap);
		if (r != MAILIMAP_NO_ERROR) {
			session_fail(session, r, "IDLE DONE", error);
			return IMAP_IDLE_ERROR;
		}
		if (result != IMAP_IDLE_NEW_MAIL)
			return result;
		if (session->imap->imap_selection_info->sel_exists > known)
			return IMAP_IDLE_NEW_MAIL;
		/* Flag changes or expunges: keep waiting, from the new count. */
		known = session->imap->imap_selection_info->sel_exists;
		if (deadline - now_ms() <= 0)
			return IMAP_IDLE_TIMEOUT;
	}
}
