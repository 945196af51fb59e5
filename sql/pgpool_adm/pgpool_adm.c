/*
 * pgpool_adm.c: SQL functions of the pgpool_adm extension, each one PCP
 * command sent to pgpool with libpcp (compiled into this module).  Runs in
 * the backend that calls the function.
 *
 * Every function has two forms: (..., host, port, username, password) and
 * (..., pcp_server) naming a foreign server; adm_connect() tells them apart
 * by the number of arguments.
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "pgpool_adm.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(_pcp_node_count);
PG_FUNCTION_INFO_V1(_pcp_node_info);
PG_FUNCTION_INFO_V1(_pcp_pool_status);
PG_FUNCTION_INFO_V1(_pcp_attach_node);
PG_FUNCTION_INFO_V1(_pcp_detach_node);

#define NODE_INFO_COLS 11

/* pcp_node_count(host, port, username, password | pcp_server) */
Datum
_pcp_node_count(PG_FUNCTION_ARGS)
{
	PcpConn    *conn = adm_connect(fcinfo, 0, ADM_PCP_TIMEOUT);
	PcpErrorCode code;
	int			count = 0;

	code = pcp_node_count(conn, &count);
	if (code != PCP_OK)
		adm_fail(conn, code, "pcp_node_count");
	pcp_disconnect(conn);
	PG_RETURN_INT32(count);
}

/* The status digit as the text the function shows. */
static const char *
node_status_text(int status)
{
	switch (status)
	{
		case 0:
			return "Initializing";
		case 1:
			return "Waiting for connection";
		case 2:
			return "Connection in use";
		case 3:
			return "Down";
		default:
			return "Unknown";
	}
}

/* "primary" -> "Primary", as the role column shows it */
static text *
capitalized(const char *s)
{
	char	   *copy = pstrdup(s);

	if (copy[0])
		copy[0] = pg_toupper((unsigned char) copy[0]);
	return cstring_to_text(copy);
}

static Datum
node_info_tuple(FunctionCallInfo fcinfo, const PcpNodeInfo *info)
{
	TupleDesc	tupdesc;
	Datum		values[NODE_INFO_COLS];
	bool		nulls[NODE_INFO_COLS];
	TimestampTz changed = time_t_to_timestamptz(info->last_status_change);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (tupdesc->natts != NODE_INFO_COLS)
		elog(ERROR, "pcp_node_info: expected %d result columns, the function has %d",
			 NODE_INFO_COLS, tupdesc->natts);

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(info->hostname);
	values[1] = Int32GetDatum(info->port);
	values[2] = CStringGetTextDatum(node_status_text(info->status));
	values[3] = CStringGetTextDatum(info->pg_status);
	values[4] = Float4GetDatum((float4) info->weight);
	values[5] = PointerGetDatum(capitalized(info->role));
	values[6] = PointerGetDatum(capitalized(info->pg_role));
	values[7] = Int64GetDatum((int64) info->replication_delay);
	values[8] = CStringGetTextDatum(info->replication_state);
	values[9] = CStringGetTextDatum(info->replication_sync_state);
	if (info->last_status_change == 0)
		nulls[10] = true;
	else
		values[10] = DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(changed));
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* pcp_node_info(node_id, host, port, username, password | pcp_server) */
Datum
_pcp_node_info(PG_FUNCTION_ARGS)
{
	int			node_id = PG_GETARG_INT32(0);
	PcpConn    *conn = adm_connect(fcinfo, 1, ADM_PCP_TIMEOUT);
	PcpNodeInfo info;
	PcpErrorCode code;

	code = pcp_node_info(conn, node_id, &info);
	if (code != PCP_OK)
		adm_fail(conn, code, "pcp_node_info");
	pcp_disconnect(conn);
	PG_RETURN_DATUM(node_info_tuple(fcinfo, &info));
}

/* pcp_pool_status(host, port, username, password | pcp_server): item, value, description */
Datum
_pcp_pool_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PcpConn    *conn;
	PcpParamList list = {0, NULL};
	PcpErrorCode code;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	conn = adm_connect(fcinfo, 0, ADM_PCP_TIMEOUT);
	code = pcp_pool_status(conn, &list);
	if (code != PCP_OK)
		adm_fail(conn, code, "pcp_pool_status");
	pcp_disconnect(conn);

	PG_TRY();
	{
		for (i = 0; i < list.count; i++)
		{
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			values[0] = CStringGetTextDatum(list.items[i].name ? list.items[i].name : "");
			values[1] = CStringGetTextDatum(list.items[i].value ? list.items[i].value : "");
			values[2] = CStringGetTextDatum(list.items[i].desc ? list.items[i].desc : "");
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_FINALLY();
	{
		pcp_free_param_list(&list);
	}
	PG_END_TRY();
	return (Datum) 0;
}

/* pcp_attach_node(node_id, host, port, username, password | pcp_server) */
Datum
_pcp_attach_node(PG_FUNCTION_ARGS)
{
	int			node_id = PG_GETARG_INT32(0);
	PcpConn    *conn = adm_connect(fcinfo, 1, ADM_PCP_TIMEOUT);
	PcpErrorCode code;

	code = pcp_attach_node(conn, node_id);
	if (code != PCP_OK)
		adm_fail(conn, code, "pcp_attach_node");
	pcp_disconnect(conn);
	PG_RETURN_BOOL(true);
}

/*
 * pcp_detach_node(node_id, gracefully, host, port, username, password |
 * pcp_server).  A graceful detach waits for pgpool's clients (at most
 * recovery_timeout), so it gets no reply timeout of its own.
 */
Datum
_pcp_detach_node(PG_FUNCTION_ARGS)
{
	int			node_id = PG_GETARG_INT32(0);
	bool		graceful = PG_GETARG_BOOL(1);
	PcpConn    *conn = adm_connect(fcinfo, 2, graceful ? 0 : ADM_PCP_TIMEOUT);
	PcpErrorCode code;

	code = pcp_detach_node(conn, node_id, graceful);
	if (code != PCP_OK)
		adm_fail(conn, code, "pcp_detach_node");
	pcp_disconnect(conn);
	PG_RETURN_BOOL(true);
}
