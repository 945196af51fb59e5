/*
 * admin_api_log.c: GET /api/log?lines=N, the tail of pgpool's log.
 *
 * Which file: --log-file if given; with logging_collector on, the newest
 * file of log_directory; otherwise logdir/pgpool.log (where /api/start
 * sends pgpool's output).  Only the last ADMIN_LOG_MAX bytes are read.
 * pgpool never logs passwords; the lines are passed on as they are.
 *
 * Runs in a libmicrohttpd connection thread.
 */
#include "admin_int.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ADMIN_LOG_MAX		(256 * 1024)
#define ADMIN_LOG_LINES		200

/* Newest regular file of dir into buf; false if none. */
static bool
newest_file(const char *dir, char *buf, size_t len)
{
	DIR		   *d = opendir(dir);
	struct dirent *e;
	time_t		best = 0;
	bool		found = false;

	if (d == NULL)
		return false;
	while ((e = readdir(d)) != NULL)
	{
		char		path[2048];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime >= best)
		{
			best = st.st_mtime;
			snprintf(buf, len, "%s", path);
			found = true;
		}
	}
	closedir(d);
	return found;
}

void
admin_log_path(const AdminPgpoolInfo *info, char *buf, size_t len)
{
	if (admin_opts.log_file)
		snprintf(buf, len, "%s", admin_opts.log_file);
	else if (info->logging_collector && info->log_directory[0] &&
			 newest_file(info->log_directory, buf, len))
		return;
	else
		snprintf(buf, len, "%s/pgpool.log", info->logdir[0] ? info->logdir : "/tmp");
}

/* The last ADMIN_LOG_MAX bytes of path, malloc'd; NULL if unreadable. */
static char *
read_tail(const char *path, size_t *len)
{
	int			fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char	   *buf;
	off_t		from;
	ssize_t		n;

	if (fd < 0 || fstat(fd, &st) != 0)
	{
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	from = st.st_size > ADMIN_LOG_MAX ? st.st_size - ADMIN_LOG_MAX : 0;
	buf = malloc(ADMIN_LOG_MAX + 1);
	n = buf ? pread(fd, buf, ADMIN_LOG_MAX, from) : -1;
	close(fd);
	if (n < 0)
	{
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t) n;
	return buf;
}

enum MHD_Result
admin_api_log(AdminRequest *r)
{
	const char *arg = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "lines");
	long		want = arg ? strtol(arg, NULL, 10) : ADMIN_LOG_LINES;
	AdminPgpoolInfo info;
	char		path[1100];
	size_t		len = 0;
	char	   *text;
	json_t	   *lines = json_array();
	size_t		start;
	long		found = 0;

	if (want <= 0 || want > 5000)
		want = ADMIN_LOG_LINES;
	admin_pgpool_info(&info);
	admin_log_path(&info, path, sizeof(path));
	if ((text = read_tail(path, &len)) == NULL)
	{
		json_decref(lines);
		return admin_reply_error(r, 404, "could not read pgpool's log file", path);
	}
	/* walk back want lines from the end (ignoring the final newline) */
	start = len;
	if (start > 0 && text[start - 1] == '\n')
		text[--start] = '\0';
	while (start > 0 && found < want)
	{
		start--;
		if (text[start] == '\n')
		{
			found++;
			if (found == want)
			{
				start++;
				break;
			}
		}
	}
	for (char *save = NULL, *l = strtok_r(text + start, "\n", &save); l;
		 l = strtok_r(NULL, "\n", &save))
	{
		json_t	   *s = json_string(l);

		if (s == NULL)			/* not UTF-8: keep the line readable anyway */
		{
			for (char *p = l; *p; p++)
				if ((unsigned char) *p >= 0x80)
					*p = '?';
			s = json_string(l);
		}
		json_array_append_new(lines, s);
	}
	free(text);
	return admin_reply_json(r, 200, json_pack("{s:s,s:o}", "file", path, "lines", lines));
}
