/*
 * adm_conn.c: connect a pgpool_adm function to pgpool's PCP port and turn
 * libpcp's errors into ERRORs.  Runs in the backend calling the function.
 *
 * libpcp allocates with malloc and owns a socket, neither of which an
 * ERROR would release: every path that raises one disconnects first.
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "pgpool_adm.h"

typedef struct AdmTarget
{
	char	   *host;
	int			port;
	char	   *user;
	char	   *password;
} AdmTarget;

static void
take_options(List *options, AdmTarget *t)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		char	   *val = defGetString(def);

		if (strcmp(def->defname, "host") == 0)
			t->host = val;
		else if (strcmp(def->defname, "port") == 0)
			t->port = pg_strtoint32(val);
		else if (strcmp(def->defname, "user") == 0 || strcmp(def->defname, "username") == 0)
			t->user = val;
		else if (strcmp(def->defname, "password") == 0)
			t->password = val;
	}
}

/* host and port from the server, user and password from the user mapping */
static void
target_from_server(const char *name, AdmTarget *t)
{
	ForeignServer *server = GetForeignServerByName(name, false);
	UserMapping *um = GetUserMapping(GetUserId(), server->serverid);

	take_options(server->options, t);
	take_options(um->options, t);
	if (t->user == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("no user for PCP server \"%s\"", name),
				 errhint("Add option \"user\" to the user mapping.")));
}

PcpConn *
adm_connect(FunctionCallInfo fcinfo, int argno, int timeout)
{
	AdmTarget	t = {"", PCP_DEFAULT_PORT, NULL, ""};
	PcpConnectParams params;
	PcpConn    *conn;
	PcpErrorCode code;

	if (PG_NARGS() - argno >= 4)
	{
		t.host = text_to_cstring(PG_GETARG_TEXT_PP(argno));
		t.port = PG_GETARG_INT32(argno + 1);
		t.user = text_to_cstring(PG_GETARG_TEXT_PP(argno + 2));
		t.password = text_to_cstring(PG_GETARG_TEXT_PP(argno + 3));
	}
	else
		target_from_server(text_to_cstring(PG_GETARG_TEXT_PP(argno)), &t);

	memset(&params, 0, sizeof(params));
	params.host = t.host;
	params.port = t.port;
	params.user = t.user;
	params.password = t.password ? t.password : "";
	params.timeout = timeout;
	conn = pcp_connect(&params);
	if (conn == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	code = pcp_conn_status(conn);
	if (code != PCP_OK)
		adm_fail(conn, code, "connect");
	return conn;
}

static int
sqlstate_of(PcpErrorCode code)
{
	switch (code)
	{
		case PCP_ERR_AUTH:
			return ERRCODE_INVALID_PASSWORD;
		case PCP_ERR_CONN:
		case PCP_ERR_NOCONN:
		case PCP_ERR_SOCK:
		case PCP_ERR_HOST:
		case PCP_ERR_EOF:
		case PCP_ERR_READ:
		case PCP_ERR_WRITE:
		case PCP_ERR_TIMEOUT:
			return ERRCODE_CONNECTION_FAILURE;
		case PCP_ERR_NOMEM:
			return ERRCODE_OUT_OF_MEMORY;
		case PCP_ERR_INVAL:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		default:
			return ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;
	}
}

void
adm_fail(PcpConn *conn, PcpErrorCode code, const char *what)
{
	char	   *msg = pstrdup(pcp_error_message(conn));
	char	   *detail = pstrdup(pcp_error_detail(conn));

	pcp_disconnect(conn);
	ereport(ERROR,
			(errcode(sqlstate_of(code)),
			 strcmp(what, "connect") == 0
			 ? errmsg("could not connect to the PCP server: %s", msg)
			 : errmsg("%s failed: %s", what, msg),
			 detail[0] ? errdetail("%s", detail) : 0,
			 errcontext("PCP error %s", pcp_error_name(code))));
}
