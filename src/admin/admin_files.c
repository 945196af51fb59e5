/*
 * admin_files.c: safe handling of pgpool's files for the editors.
 *
 * A new version of a file is first written to a temporary file in the same
 * directory (so the validator reads exactly what would be installed and
 * rename() is atomic), the old content is kept as FILE.bak, and the
 * temporary file is renamed over the original with the original's mode.
 * admin_capture_errors() runs a validator while the log hook collects the
 * ERROR messages the config and auth modules emit, so a refused edit can
 * answer with the same file:line messages pgpool would log.
 *
 * Runs in libmicrohttpd's connection threads; validation holds
 * admin_config_lock (the log hook is process-wide).
 */
#include "admin_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils/log.h"

extern pthread_mutex_t admin_config_lock;

char *
admin_file_read(const char *path, size_t max, size_t *lenp)
{
	int			fd = open(path, O_RDONLY | O_CLOEXEC);
	char	   *buf;
	size_t		len = 0;

	if (fd < 0)
		return NULL;
	if ((buf = malloc(max + 1)) == NULL)
	{
		close(fd);
		return NULL;
	}
	while (len < max)
	{
		ssize_t		n = read(fd, buf + len, max - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t) n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static bool
write_all(int fd, const char *data, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t) n;
	}
	return true;
}

char *
admin_file_temp(const char *path, const char *data, size_t len)
{
	size_t		n = strlen(path) + 32;
	char	   *tmp = malloc(n);
	struct stat st;
	int			fd;

	if (tmp == NULL)
		return NULL;
	snprintf(tmp, n, "%s.admin-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0)
	{
		free(tmp);
		return NULL;
	}
	/* keep the original's mode (pcp.conf stays private) */
	fchmod(fd, stat(path, &st) == 0 ? (st.st_mode & 07777) : 0600);
	if (!write_all(fd, data, len) || fsync(fd) != 0)
	{
		close(fd);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	close(fd);
	return tmp;
}

bool
admin_file_replace(const char *path, const char *data, size_t len, char *errbuf, size_t errlen)
{
	char	   *tmp = admin_file_temp(path, data, len);
	char		bak[4096];
	size_t		oldlen;
	char	   *old;

	if (tmp == NULL)
	{
		snprintf(errbuf, errlen, "could not write a new \"%s\": %s", path, strerror(errno));
		return false;
	}
	snprintf(bak, sizeof(bak), "%s.bak", path);
	if ((old = admin_file_read(path, 16 * 1024 * 1024, &oldlen)) != NULL)
	{
		char	   *btmp = admin_file_temp(bak, old, oldlen);

		free(old);
		if (btmp == NULL || rename(btmp, bak) != 0)
		{
			snprintf(errbuf, errlen, "could not write the backup \"%s\": %s", bak, strerror(errno));
			if (btmp)
				unlink(btmp);
			free(btmp);
			unlink(tmp);
			free(tmp);
			return false;
		}
		free(btmp);
	}
	if (rename(tmp, path) != 0)
	{
		snprintf(errbuf, errlen, "could not replace \"%s\": %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return false;
	}
	free(tmp);
	return true;
}

static json_t *captured;

static void
capture_hook(int level, const char *message, const char *detail, const char *hint)
{
	json_t	   *o;

	if (level != PL_ERROR || captured == NULL)
		return;
	o = json_pack("{s:s}", "message", message);
	if (detail && *detail)
		json_object_set_new(o, "detail", json_string(detail));
	if (hint && *hint)
		json_object_set_new(o, "hint", json_string(hint));
	json_array_append_new(captured, o);
}

bool
admin_capture_errors(bool (*fn) (void *), void *arg, json_t **errors)
{
	bool		ok;

	pthread_mutex_lock(&admin_config_lock);
	captured = json_array();
	log_set_hook(capture_hook);
	ok = fn(arg);
	log_set_hook(NULL);
	*errors = captured;
	captured = NULL;
	pthread_mutex_unlock(&admin_config_lock);
	return ok;
}
