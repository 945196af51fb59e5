/*
 * passwd_write.c: adding or replacing one user's line of pool_passwd, for
 * the pg_md5 and pg_enc tools.  The file is rewritten through a temporary
 * file and rename(2), so a reader never sees half a file; a new file is
 * created readable by its owner only.
 */
#include "auth/auth_passwd.h"

#include "utils/log.h"
#include "utils/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Does this line belong to user? */
static bool
line_is_user(const char *line, const char *user)
{
	size_t		ulen = strlen(user);

	return strncmp(line, user, ulen) == 0 && line[ulen] == ':';
}

/* Copy the old file's lines except user's into out; false on a read error. */
static bool
copy_other_lines(const char *path, const char *user, FILE *out, mode_t *mode)
{
	FILE	   *in = fopen(path, "r");
	char		buf[4096];
	struct stat st;

	if (in == NULL)
		return errno == ENOENT;
	if (fstat(fileno(in), &st) == 0)
		*mode = st.st_mode & 0777;
	while (fgets(buf, sizeof(buf), in))
	{
		size_t		len = strlen(buf);

		if (line_is_user(buf, user))
			continue;
		fputs(buf, out);
		if (len > 0 && buf[len - 1] != '\n')
			fputc('\n', out);
	}
	auth_wipe(buf, sizeof(buf));
	fclose(in);
	return true;
}

bool
auth_passwd_write_entry(const char *path, const char *user, const char *stored, const char **err)
{
	char		tmp[4096];
	mode_t		mode = 0600;
	FILE	   *out;
	int			fd;
	bool		ok;

	if (user[0] == '\0' || strchr(user, ':') || strchr(user, '\n'))
	{
		*err = "invalid user name";
		return false;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int) getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || (out = fdopen(fd, "w")) == NULL)
	{
		*err = log_fmt("could not create \"%s\": %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	ok = copy_other_lines(path, user, out, &mode);
	if (!ok)
		*err = log_fmt("could not read \"%s\": %s", path, strerror(errno));
	if (ok && fprintf(out, "%s:%s\n", user, stored) < 0)
	{
		*err = log_fmt("could not write \"%s\": %s", tmp, strerror(errno));
		ok = false;
	}
	if (fclose(out) != 0 && ok)
	{
		*err = log_fmt("could not write \"%s\": %s", tmp, strerror(errno));
		ok = false;
	}
	if (ok && (chmod(tmp, mode) != 0 || rename(tmp, path) != 0))
	{
		*err = log_fmt("could not replace \"%s\": %s", path, strerror(errno));
		ok = false;
	}
	if (!ok)
		unlink(tmp);
	return ok;
}
