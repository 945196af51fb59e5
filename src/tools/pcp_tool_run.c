/*
 * pcp_tool_run.c: the body of every pcp_* program: parse the arguments,
 * find the password, connect, run the command's printer, and exit with the
 * PCP error code (the manual's exit status table).
 */
#include "pcp_tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCP_TOOL_VERSION "4.3.5"	/* the pgpool-II release whose tools these follow */

typedef PcpErrorCode (*PcpPrinter) (PcpConn *conn, const PcpToolArgs *a);

static const PcpPrinter printers[PCP_CMD_COUNT] = {
#define PCP_COMMAND(id, name, tool, arg, flags) [PCP_CMD_##id] = pcp_print_##name,
#include "libpcp/pcp_commands.def"
#undef PCP_COMMAND
};

static char *
ask_password(void *arg)
{
	(void) arg;
	return pcp_tool_prompt("Password: ");
}

/*
 * The password if it is known before connecting: given, or in the password
 * file.  NULL: ask once the server answers (unless -w: empty).
 */
static char *
known_password(const PcpToolArgs *a)
{
	char	   *pw;

	if (a->password)
		return strdup(a->password);
	if (a->force_prompt)
		return NULL;
	pw = pcp_passfile_lookup(a->host, a->port, a->user);
	if (pw == NULL && a->no_password)
		return strdup("");
	return pw;
}

static int
report(const PcpToolArgs *a, PcpErrorCode code, const char *msg, const char *detail)
{
	fprintf(stderr, "ERROR:  %s\n", msg);
	if (detail && detail[0])
		fprintf(stderr, "DETAIL:  %s\n", detail);
	/* the manual: BackendError and friends are displayed */
	if (a->syntax == PCP_SYNTAX_LEGACY)
		fprintf(stderr, "%s\n", pcp_error_class(code));
	return (int) code;
}

int
pcp_tool_main(const char *tool, int argc, char **argv)
{
	const PcpCommandInfo *cmd = pcp_command_by_tool(tool);
	PcpToolArgs a;
	PcpConnectParams params;
	PcpConn    *conn;
	char		err[256];
	char	   *password;
	PcpErrorCode rc;

	if (cmd == NULL)
		return PCP_ERR_UNKNOWN;
	if (pcp_tool_parse_args(cmd, argc, argv, &a, err, sizeof(err)) != PCP_OK)
	{
		fprintf(stderr, "%s: %s\nTry \"%s --help\" for more information.\n", tool, err, tool);
		return PCP_ERR_INVAL;
	}
	if (a.help)
	{
		printf("%s - PCP command of pgpool\n\n", tool);
		pcp_tool_usage(cmd, stdout);
		return 0;
	}
	if (a.version)
	{
		printf("%s (pgpool) %s\n", tool, PCP_TOOL_VERSION);
		return 0;
	}
	password = known_password(&a);
	memset(&params, 0, sizeof(params));
	params.host = a.host;
	params.port = a.port;
	params.user = a.user;
	params.password = password;
	params.ask_password = ask_password;
	params.timeout = a.timeout;
	params.debug = a.debug;
	conn = pcp_connect(&params);
	free(password);
	if (conn == NULL)
		return report(&a, PCP_ERR_NOMEM, "out of memory", NULL);
	rc = pcp_conn_status(conn);
	if (rc == PCP_OK)
		rc = printers[cmd->id](conn, &a);
	if (rc != PCP_OK)
		report(&a, rc, pcp_error_message(conn), pcp_error_detail(conn));
	pcp_disconnect(conn);
	return (int) rc;
}
