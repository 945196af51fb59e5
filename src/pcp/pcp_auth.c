/*
 * pcp_auth.c: pcp.conf (lines "user:md5hex(password)", '#' comments) and
 * the salted challenge.  The file is read at every authentication, so
 * edits apply to the next connection without a reload.
 */
#include "pcp_int.h"

#include "utils/log.h"
#include "utils/str.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define PCP_CONF_MAX_SIZE (1024 * 1024)

bool
pcp_conf_parse_line(char *line, char **user, char **md5hex)
{
	char	   *colon;
	char	   *p = str_trim(line);

	*user = *md5hex = NULL;
	if (*p == '\0' || *p == '#')
		return false;
	*user = p;
	colon = strchr(p, ':');
	if (colon == NULL || colon == p)
		return false;
	*colon = '\0';
	*md5hex = colon + 1;
	if (strlen(*md5hex) != PCP_MD5_HEX_LEN)
		return false;
	for (const char *h = *md5hex; *h; h++)
		if (!isxdigit((unsigned char) *h))
			return false;
	return true;
}

bool
pcp_conf_find(const char *text, const char *user, char out[33], int *bad_line)
{
	char	   *copy = str_dup(text);
	char	   *rest = copy;
	char	   *line;
	bool		found = false;
	int			lineno = 0;

	*bad_line = 0;
	/* strsep, unlike strtok, keeps empty lines, so line numbers stay right */
	while (!found && (line = strsep(&rest, "\n")) != NULL)
	{
		char	   *u, *h;

		lineno++;
		if (!pcp_conf_parse_line(line, &u, &h))
		{
			if (u != NULL && *bad_line == 0)
				*bad_line = lineno;
			continue;
		}
		if (strcmp(u, user) != 0)
			continue;
		for (int i = 0; i < PCP_MD5_HEX_LEN; i++)
			out[i] = (char) tolower((unsigned char) h[i]);
		out[PCP_MD5_HEX_LEN] = '\0';
		found = true;
	}
	free(copy);
	return found;
}

/* Read a whole small file; NULL (errno set) on failure. */
static char *
read_file(const char *path)
{
	int			fd = open(path, O_RDONLY | O_CLOEXEC);
	char	   *buf;
	size_t		len = 0;

	if (fd < 0)
		return NULL;
	buf = mem_alloc(PCP_CONF_MAX_SIZE + 1);
	for (;;)
	{
		ssize_t		n = read(fd, buf + len, PCP_CONF_MAX_SIZE - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t) n;
		if (len == PCP_CONF_MAX_SIZE)
			break;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

bool
pcp_auth_check(const char *path, const char *user, const char *salt, const char *response,
			   char *why, size_t whylen)
{
	char	   *text = read_file(path);
	char		stored[33], expected[33];
	int			bad_line;
	bool		found;

	if (text == NULL)
	{
		snprintf(why, whylen, "could not read PCP password file \"%s\": %s", path, strerror(errno));
		return false;
	}
	found = pcp_conf_find(text, user, stored, &bad_line);
	free(text);
	if (bad_line > 0)
		plog_ex(PL_WARNING, log_fmt("file \"%s\", line %d", path, bad_line),
				"Each line must be \"username:md5hex\"; make the hash with pg_md5.",
				"invalid line in PCP password file");
	if (!found)
	{
		snprintf(why, whylen, "user \"%s\" is not in \"%s\"", user, path);
		return false;
	}
	pcp_auth_response(stored, salt, expected);
	if (!pcp_secure_equal(expected, response))
	{
		snprintf(why, whylen, "password does not match for user \"%s\"", user);
		return false;
	}
	return true;
}

void
pcp_make_salt(char out[PCP_SALT_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[PCP_SALT_LEN / 2];
	size_t		got = 0;

	while (got < sizeof(raw))
	{
		ssize_t		n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t) n;
	}
	if (got < sizeof(raw))
	{
		/* no kernel randomness: still unique per connection, if guessable */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		srandom((unsigned) (ts.tv_nsec ^ getpid()));
		for (size_t i = got; i < sizeof(raw); i++)
			raw[i] = (unsigned char) random();
	}
	for (size_t i = 0; i < sizeof(raw); i++)
	{
		out[i * 2] = hex[raw[i] >> 4];
		out[i * 2 + 1] = hex[raw[i] & 0x0f];
	}
	out[PCP_SALT_LEN] = '\0';
}
