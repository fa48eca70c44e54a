#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>

static bool log_to_syslog;
static bool log_verbose;

GQuark
dm_error_quark(void)
{
	return g_quark_from_static_string("dunmail-error");
}

int
dm_error_exit_code(const GError *error)
{
	if (error == NULL || error->domain != DM_ERROR)
		return EX_SOFTWARE;
	switch ((DmErrorCode)error->code) {
	case DM_ERROR_USAGE:
		return EX_USAGE;
	case DM_ERROR_INPUT:
	case DM_ERROR_CONFLICT:
		return EX_DATAERR;
	case DM_ERROR_NOT_FOUND:
		return EX_NOINPUT;
	case DM_ERROR_CONFIG:
		return EX_CONFIG;
	case DM_ERROR_TEMPORARY:
		return EX_TEMPFAIL;
	case DM_ERROR_DATABASE:
		return EX_DATAERR;
	case DM_ERROR_IO:
		return EX_IOERR;
	case DM_ERROR_PROTOCOL:
		return EX_PROTOCOL;
	case DM_ERROR_SECURITY:
		return EX_NOPERM;
	case DM_ERROR_INTERNAL:
		return EX_SOFTWARE;
	}
	return EX_SOFTWARE;
}

void
dm_log_use_syslog(const char *ident)
{
	openlog(ident, LOG_PID, LOG_MAIL);
	log_to_syslog = true;
}

void
dm_log_set_verbose(bool verbose)
{
	log_verbose = verbose;
}

static void log_emit(int priority, const char *prefix, const char *fmt, va_list ap)
    G_GNUC_PRINTF(3, 0);

static void
log_emit(int priority, const char *prefix, const char *fmt, va_list ap)
{
	char *text = g_strdup_vprintf(fmt, ap);

	fprintf(stderr, "dunmail: %s%s\n", prefix, text);
	if (log_to_syslog)
		syslog(priority, "%s%s", prefix, text);
	g_free(text);
}

void
dm_log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_ERR, "", fmt, ap);
	va_end(ap);
}

void
dm_log_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

void
dm_log_info(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_emit(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

char *
dm_address_normalise(const char *address)
{
	char *copy, *start, *end;

	if (address == NULL)
		return NULL;
	copy = g_strstrip(g_strdup(address));
	start = copy;
	if (*start == '<')
		start++;
	end = start + strlen(start);
	if (end > start && end[-1] == '>')
		end[-1] = '\0';
	start = g_ascii_strdown(g_strstrip(start), -1);
	g_free(copy);
	return start;
}

char *
dm_address_domain(const char *address)
{
	const char *at;
	char *normal, *domain;

	if (address == NULL || (at = strrchr(address, '@')) == NULL)
		return NULL;
	normal = dm_address_normalise(at + 1);
	domain = *normal != '\0' ? g_strdup(normal) : NULL;
	g_free(normal);
	return domain;
}
