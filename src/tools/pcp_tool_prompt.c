/*
 * pcp_tool_prompt.c: read a password from the terminal without echoing it
 * (pcp_* tools with -W or without a password, pg_md5 -p).
 */
#include "pcp_tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

char *
pcp_tool_prompt(const char *prompt)
{
	FILE	   *in = fopen("/dev/tty", "r+");
	FILE	   *out = in;
	struct termios saved, quiet;
	bool		echo_off = false;
	char		buf[1024];
	char	   *result = NULL;

	if (in == NULL)
	{
		in = stdin;
		out = stderr;
	}
	if (tcgetattr(fileno(in), &saved) == 0)
	{
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		echo_off = tcsetattr(fileno(in), TCSAFLUSH, &quiet) == 0;
	}
	fputs(prompt, out);
	fflush(out);
	if (fgets(buf, sizeof(buf), in))
	{
		buf[strcspn(buf, "\r\n")] = '\0';
		result = strdup(buf);
	}
	if (echo_off)
	{
		tcsetattr(fileno(in), TCSAFLUSH, &saved);
		fputc('\n', out);
	}
	if (in != stdin)
		fclose(in);
	return result;
}
