/*
 * pcp_passfile.c: the PCP password file (PCPPASSFILE or ~/.pcppass), lines
 * hostname:port:username:password as for PostgreSQL's .pgpass.
 */
#include "libpcp/pcp.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Cut the next ':'-separated field off *p, removing '\' escapes in place.
 * Returns the field, or NULL when the line has no more fields.
 */
static char *
next_field(char **p, bool last)
{
	char	   *start = *p, *r = *p, *w = *p;

	if (start == NULL)
		return NULL;
	while (*r && (last || *r != ':'))
	{
		if (*r == '\\' && r[1])
			r++;
		*w++ = *r++;
	}
	*p = (*r == ':') ? r + 1 : NULL;
	*w = '\0';
	return start;
}

static bool
field_matches(const char *pattern, const char *value)
{
	return strcmp(pattern, "*") == 0 || strcmp(pattern, value) == 0;
}

static char *
passfile_path(void)
{
	const char *env = getenv("PCPPASSFILE");
	const char *home = getenv("HOME");
	char	   *path;

	if (env && env[0])
		return strdup(env);
	if (home == NULL || home[0] == '\0')
	{
		struct passwd *pw = getpwuid(geteuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (home == NULL)
		return NULL;
	path = malloc(strlen(home) + sizeof("/.pcppass"));
	if (path)
		sprintf(path, "%s/.pcppass", home);
	return path;
}

/* Match one line; returns the malloc'd password or NULL. */
static char *
match_line(char *line, const char *host, const char *port, const char *user)
{
	char	   *p = line;
	char	   *fhost, *fport, *fuser, *fpass;
	size_t		n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return NULL;
	fhost = next_field(&p, false);
	fport = next_field(&p, false);
	fuser = next_field(&p, false);
	fpass = next_field(&p, true);
	if (!fhost || !fport || !fuser || !fpass)
		return NULL;
	if (!field_matches(fhost, host) || !field_matches(fport, port) || !field_matches(fuser, user))
		return NULL;
	return strdup(fpass);
}

char *
pcp_passfile_lookup(const char *host, int port, const char *user)
{
	char	   *path = passfile_path();
	char		portstr[16];
	char		line[1024];
	struct stat st;
	char	   *found = NULL;
	FILE	   *f;

	if (path == NULL)
		return NULL;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
	{
		free(path);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
	{
		fprintf(stderr, "WARNING: password file \"%s\" has group or world access; permissions should be u=rw (0600) or less\n",
				path);
		free(path);
		return NULL;
	}
	/* a UNIX socket connection is looked up as "localhost" */
	if (host == NULL || host[0] == '\0' || host[0] == '/')
		host = "localhost";
	snprintf(portstr, sizeof(portstr), "%d", port > 0 ? port : PCP_DEFAULT_PORT);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return NULL;
	while (!found && fgets(line, sizeof(line), f))
		found = match_line(line, host, portstr, user ? user : "");
	fclose(f);
	return found;
}
