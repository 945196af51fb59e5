/*
 * pcp_tool.h: what the pcp_* programs share: their arguments (the manual's
 * positional form and pgpool-II 4.x options), password look-up, and one
 * printer per command.  Each program is pcp_tool_main.c built with its own
 * PCP_TOOL_NAME.
 */
#ifndef PGPOOL_TOOLS_PCP_TOOL_H
#define PGPOOL_TOOLS_PCP_TOOL_H

#include <stdbool.h>
#include <stdio.h>

#include "libpcp/pcp.h"
#include "libpcp/pcp_wire.h"

typedef enum PcpSyntax
{
	PCP_SYNTAX_OPTIONS = 0,		/* pcp_node_info -h host -p port -U user -n 0 */
	PCP_SYNTAX_LEGACY			/* pcp_node_info 10 host port user password 0 */
} PcpSyntax;

typedef struct PcpToolArgs
{
	const PcpCommandInfo *cmd;
	PcpSyntax	syntax;
	int			timeout;		/* seconds; the legacy form's first argument */
	char	   *host;			/* NULL: UNIX socket in /tmp */
	int			port;
	char	   *user;
	char	   *password;		/* given on the command line (legacy form) */
	bool		no_password;	/* -w */
	bool		force_prompt;	/* -W */
	bool		verbose;
	bool		debug;
	bool		all;			/* -a */
	bool		graceful;		/* -g */
	bool		switchover;		/* -s for pcp_promote_node */
	char		scope;			/* -s c|l for stop/reload */
	bool		have_target;	/* a node id / pid / mode was given */
	int			node_id;
	int			pid;
	char		mode;			/* 's', 'f', 'i' */
	bool		help;
	bool		version;
} PcpToolArgs;

/*
 * Parse a tool's command line.  Returns PCP_OK or PCP_ERR_INVAL with the
 * reason in err.  Strings in out point into argv or are malloc'd (user).
 */
PcpErrorCode pcp_tool_parse_args(const PcpCommandInfo *cmd, int argc, char **argv,
								 PcpToolArgs *out, char *err, size_t errlen);

void		pcp_tool_usage(const PcpCommandInfo *cmd, FILE *out);

/* The whole program: parse, connect, run, print; returns the exit status. */
int			pcp_tool_main(const char *tool, int argc, char **argv);

/* Ask for a password on the terminal without echo; malloc'd, NULL on EOF. */
char	   *pcp_tool_prompt(const char *prompt);

/* "YYYY-MM-DD HH:MM:SS" in local time, "" for 0; buf of 32 bytes. */
const char *pcp_tool_time(time_t t, char *buf);

/* Printers: run the command on conn and print its result; return the error code. */
#define PCP_COMMAND(id, name, tool, arg, flags) \
	PcpErrorCode pcp_print_##name(PcpConn *conn, const PcpToolArgs *a);
#include "libpcp/pcp_commands.def"
#undef PCP_COMMAND

#endif
