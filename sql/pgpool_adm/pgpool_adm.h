/*
 * pgpool_adm.h: the connection side of the pgpool_adm extension.
 */
#ifndef PGPOOL_ADM_H
#define PGPOOL_ADM_H

#include "fmgr.h"
#include "libpcp/pcp.h"

/* Seconds for connect and each reply; 0 (no limit) for a graceful detach. */
#define ADM_PCP_TIMEOUT 60

/*
 * Connect to pgpool's PCP port from the function's arguments starting at
 * argno: either (host text, port integer, username text, password text) or
 * (pcp_server text), a foreign server with options host and port and a user
 * mapping with options user (or username) and password.  ERROR on failure.
 */
extern PcpConn *adm_connect(FunctionCallInfo fcinfo, int argno, int timeout);

/*
 * After a failed command: disconnect and ERROR with the PCP error; what
 * names the command ("pcp_node_info").
 */
extern void adm_fail(PcpConn *conn, PcpErrorCode code, const char *what) pg_attribute_noreturn();

#endif
