/*
 * Writing, finding and removing drafts in a Maildir, following the
 * delivery protocol of https://cr.yp.to/proto/maildir.html: unique name,
 * write into tmp/, fsync, link into place, unlink the tmp/ file.
 */
#include "draft/maildir.h"

#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

/* How often a name collision (another writer, same microsecond) is retried. */
#define MAILDIR_ATTEMPTS 8

/* The flags of a fresh draft: Maildir info version 2, flag D. */
#define MAILDIR_DRAFT_INFO ":2,D"

/*
 * A full disk or quota clears by itself or by the user's hand; the caller
 * may try again later.  Everything else is a lasting failure.
 */
static int
maildir_error_code(int errno_value)
{
	switch (errno_value) {
	case ENOSPC:
	case EDQUOT:
	case EAGAIN:
	case EINTR:
	case EBUSY:
		return DM_ERROR_TEMPORARY;
	default:
		return DM_ERROR_IO;
	}
}

static void
maildir_set_errno_error(GError **error, const char *path, const char *doing, int errno_value)
{
	g_set_error(error, DM_ERROR, maildir_error_code(errno_value), "%s: %s%s%s", path,
	            doing != NULL ? doing : "", doing != NULL ? ": " : "", g_strerror(errno_value));
}

/* Creates dir (with parents) or checks that it is a directory. */
static bool
maildir_ensure_directory(const char *dir, bool parents, GError **error)
{
	int rc = parents ? g_mkdir_with_parents(dir, 0700) : mkdir(dir, 0700);
	if (rc != 0 && errno != EEXIST) {
		maildir_set_errno_error(error, dir, "cannot create the folder", errno);
		return false;
	}
	struct stat st;
	if (stat(dir, &st) != 0) {
		maildir_set_errno_error(error, dir, NULL, errno);
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		g_set_error(error, DM_ERROR, DM_ERROR_IO, "%s: not a folder", dir);
		return false;
	}
	return true;
}

static bool
maildir_ensure(const char *dir, GError **error)
{
	static const char *const subdirs[] = {"tmp", "new", "cur"};
	if (!maildir_ensure_directory(dir, true, error))
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
		char *path = g_build_filename(dir, subdirs[i], NULL);
		bool ok = maildir_ensure_directory(path, false, error);
		g_free(path);
		if (!ok)
			return false;
	}
	return true;
}

/* The host name with "/" and ":" escaped, as Maildir readers expect. */
static char *
maildir_host_name(void)
{
	GString *host = g_string_new(NULL);
	for (const char *p = g_get_host_name(); *p != '\0'; p++) {
		if (*p == '/')
			g_string_append(host, "\\057");
		else if (*p == ':')
			g_string_append(host, "\\072");
		else
			g_string_append_c(host, *p);
	}
	return g_string_free(host, FALSE);
}

/* A unique part: time, pid, 64 random bits and a per-process count. */
static char *
maildir_unique_name(void)
{
	static gint count = 0;
	struct timeval now;
	gettimeofday(&now, NULL);
	guint64 random = 0;
	if (getrandom(&random, sizeof random, 0) != (ssize_t)sizeof random)
		random = ((guint64)g_random_int() << 32) | g_random_int();
	char *host = maildir_host_name();
	char *unique = g_strdup_printf("%lld.M%06ldP%ldR%016" G_GINT64_MODIFIER "xQ%d.%s",
	                               (long long)now.tv_sec, (long)now.tv_usec, (long)getpid(),
	                               random, g_atomic_int_add(&count, 1) + 1, host);
	g_free(host);
	return unique;
}

static bool
maildir_write_all(int fd, const char *path, const char *data, size_t length, GError **error)
{
	while (length > 0) {
		ssize_t n = write(fd, data, length);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			maildir_set_errno_error(error, path, "cannot write", errno);
			return false;
		}
		data += n;
		length -= (size_t)n;
	}
	return true;
}

/*
 * Makes a folder's entries durable.  Some file systems cannot fsync a
 * directory (EINVAL); their entries are as durable as they will get.
 */
static bool
maildir_sync_directory(const char *dir, GError **error)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		maildir_set_errno_error(error, dir, NULL, errno);
		return false;
	}
	if (fsync(fd) != 0 && errno != EINVAL) {
		maildir_set_errno_error(error, dir, "cannot flush", errno);
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

/*
 * Writes data into tmp_path and flushes it.  Returns 1 on success, 0 when
 * the name is taken (try another), -1 on failure; a failure removes the
 * file.
 */
static int
maildir_write_tmp(const char *tmp_path, const char *data, size_t length, GError **error)
{
	int fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		maildir_set_errno_error(error, tmp_path, "cannot create", errno);
		return -1;
	}
	if (!maildir_write_all(fd, tmp_path, data, length, error))
		goto fail;
	if (fsync(fd) != 0) {
		maildir_set_errno_error(error, tmp_path, "cannot flush", errno);
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		maildir_set_errno_error(error, tmp_path, "cannot close", errno);
		goto fail;
	}
	return 1;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp_path);
	return -1;
}

/*
 * Moves the written file to its final name without ever replacing another
 * file: link() fails on an existing name, which rename() would overwrite.
 * File systems without hard links get renameat2(RENAME_NOREPLACE).
 * Returns 1 on success, 0 when the final name is taken, -1 on failure.
 */
static int
maildir_move_into_place(const char *tmp_path, const char *final_path, GError **error)
{
	if (link(tmp_path, final_path) == 0) {
		unlink(tmp_path);
		return 1;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != EPERM && errno != ENOSYS && errno != EOPNOTSUPP && errno != EMLINK) {
		maildir_set_errno_error(error, final_path, "cannot link the draft into place",
		                        errno);
		return -1;
	}
	if (renameat2(AT_FDCWD, tmp_path, AT_FDCWD, final_path, RENAME_NOREPLACE) == 0)
		return 1;
	if (errno == EEXIST)
		return 0;
	maildir_set_errno_error(error, final_path, "cannot move the draft into place", errno);
	return -1;
}

char *
maildir_draft_write(const char *dir, const char *data, size_t length, GError **error)
{
	g_return_val_if_fail(dir != NULL && (data != NULL || length == 0), NULL);
	if (!maildir_ensure(dir, error))
		return NULL;
	char *cur = g_build_filename(dir, "cur", NULL);
	for (int attempt = 0; attempt < MAILDIR_ATTEMPTS; attempt++) {
		char *unique = maildir_unique_name();
		char *name = g_strconcat(unique, MAILDIR_DRAFT_INFO, NULL);
		char *tmp_path = g_build_filename(dir, "tmp", unique, NULL);
		char *final_path = g_build_filename(cur, name, NULL);
		g_free(unique);
		int written = maildir_write_tmp(tmp_path, data, length, error);
		int moved = written == 1 ? maildir_move_into_place(tmp_path, final_path, error) : 0;
		if (written == 1 && moved != 1)
			unlink(tmp_path);
		g_free(tmp_path);
		g_free(final_path);
		if (written < 0 || moved < 0) {
			g_free(name);
			g_free(cur);
			return NULL;
		}
		if (moved == 1) {
			bool synced = maildir_sync_directory(cur, error);
			g_free(cur);
			if (!synced) {
				g_free(name);
				return NULL;
			}
			return name;
		}
		g_free(name);
	}
	g_set_error(error, DM_ERROR, DM_ERROR_TEMPORARY,
	            "%s: no unique file name after %d attempts", cur, MAILDIR_ATTEMPTS);
	g_free(cur);
	return NULL;
}

/* The unique part of a name, or NULL (with error set) when the name is unsafe. */
static char *
maildir_unique_part(const char *name, GError **error)
{
	if (name == NULL || name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		char *shown = g_strescape(name != NULL ? name : "", NULL);
		g_set_error(error, DM_ERROR, DM_ERROR_INPUT, "\"%s\" is not a Maildir file name",
		            shown);
		g_free(shown);
		return NULL;
	}
	/* ":" is the standard info separator; some servers are set up to use ";" or "!". */
	return g_strndup(name, strcspn(name, ":;!"));
}

static bool
maildir_entry_matches(const char *entry, const char *unique)
{
	size_t length = strlen(unique);
	return strncmp(entry, unique, length) == 0 &&
	       (entry[length] == '\0' || strchr(":;!", entry[length]) != NULL);
}

/*
 * Searches cur/ then new/ for the unique part.  Returns the full path, or
 * NULL: absent (error unset) or unreadable (error set).  A missing folder
 * holds no draft.
 */
static char *
maildir_find(const char *dir, const char *unique, GError **error)
{
	static const char *const subdirs[] = {"cur", "new"};
	for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
		char *path = g_build_filename(dir, subdirs[i], NULL);
		DIR *folder = opendir(path);
		if (folder == NULL) {
			int saved = errno;
			if (saved != ENOENT)
				maildir_set_errno_error(error, path, "cannot read the folder",
				                        saved);
			g_free(path);
			if (saved != ENOENT)
				return NULL;
			continue;
		}
		char *found = NULL;
		struct dirent *entry;
		errno = 0;
		while ((entry = readdir(folder)) != NULL) {
			if (maildir_entry_matches(entry->d_name, unique)) {
				found = g_build_filename(path, entry->d_name, NULL);
				break;
			}
		}
		int saved = errno;
		closedir(folder);
		if (found == NULL && saved != 0) {
			maildir_set_errno_error(error, path, "cannot read the folder", saved);
			g_free(path);
			return NULL;
		}
		g_free(path);
		if (found != NULL)
			return found;
	}
	return NULL;
}

bool
maildir_draft_exists(const char *dir, const char *name, char **path, GError **error)
{
	char *unique = maildir_unique_part(name, error);
	if (unique == NULL)
		return false;
	char *found = maildir_find(dir, unique, error);
	g_free(unique);
	if (found == NULL)
		return false;
	if (path != NULL)
		*path = found;
	else
		g_free(found);
	return true;
}

/* Does the file name carry the D flag in its Maildir info ("...:2,DS")? */
static bool
maildir_has_draft_flag(const char *file_name)
{
	const char *info = strpbrk(file_name, ":;!");
	if (info == NULL || strncmp(info + 1, "2,", 2) != 0)
		return false;
	return strchr(info + 3, 'D') != NULL;
}

bool
maildir_draft_remove(const char *dir, const char *name, GError **error)
{
	char *unique = maildir_unique_part(name, error);
	if (unique == NULL)
		return false;
	GError *local = NULL;
	char *found = maildir_find(dir, unique, &local);
	if (found == NULL) {
		if (local != NULL)
			g_propagate_error(error, local);
		else
			g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND,
			            "%s: no draft %s in cur/ or new/", dir, unique);
		g_free(unique);
		return false;
	}
	g_free(unique);
	bool ok = false;
	char *base = g_path_get_basename(found);
	char *folder = g_path_get_dirname(found);
	if (!maildir_has_draft_flag(base)) {
		g_set_error(error, DM_ERROR, DM_ERROR_CONFLICT,
		            "%s: no longer marked as a draft, not removed", found);
		goto out;
	}
	if (unlink(found) != 0) {
		if (errno == ENOENT)
			g_set_error(error, DM_ERROR, DM_ERROR_NOT_FOUND, "%s: removed meanwhile",
			            found);
		else
			maildir_set_errno_error(error, found, "cannot remove", errno);
		goto out;
	}
	ok = maildir_sync_directory(folder, error);
out:
	g_free(base);
	g_free(folder);
	g_free(found);
	return ok;
}
