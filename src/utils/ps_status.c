/*
 * ps_status.c: rewrite argv's memory so ps(1) shows what a process does.
 *
 * Linux shows /proc/PID/cmdline, which is the argv area.  The environment
 * strings usually follow argv contiguously; they are copied elsewhere so
 * the whole span can hold the title.
 */
#include "utils/ps_status.h"
#include "utils/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

extern char **environ;

static char *title_area;
static size_t title_size;

void
ps_status_init(int argc, char **argv)
{
	char	   *start;
	char	   *end;
	int			nenv = 0;
	char	  **newenv;

	if (argc <= 0 || argv == NULL)
		return;
	start = argv[0];
	end = argv[0] + strlen(argv[0]) + 1;
	for (int i = 1; i < argc; i++)
		if (argv[i] == end)
			end = argv[i] + strlen(argv[i]) + 1;
	for (; environ[nenv] != NULL; nenv++)
		if (environ[nenv] == end)
			end = environ[nenv] + strlen(environ[nenv]) + 1;

	/* Move the environment out of the way. */
	newenv = mem_alloc(sizeof(char *) * (nenv + 1));
	for (int i = 0; i < nenv; i++)
		newenv[i] = str_dup(environ[i]);
	newenv[nenv] = NULL;
	environ = newenv;

	/* Callers keep using argv[i]: give them copies before the area is reused. */
	for (int i = 0; i < argc; i++)
		argv[i] = str_dup(argv[i]);

	title_area = start;
	title_size = end - start;
}

void
ps_status_set(const char *fmt,...)
{
	char		buf[256];
	va_list		ap;
	int			n;

	n = snprintf(buf, sizeof(buf), "pgpool: ");
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (title_area == NULL || title_size < 2)
		return;
	memset(title_area, 0, title_size);
	str_copy(title_area, buf, title_size);
	prctl(PR_SET_NAME, "pgpool", 0, 0, 0);
}
