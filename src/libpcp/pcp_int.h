/*
 * pcp_int.h: libpcp internals shared by its connection and command files.
 */
#ifndef PGPOOL_LIBPCP_PCP_INT_H
#define PGPOOL_LIBPCP_PCP_INT_H

#include "libpcp/pcp.h"
#include "libpcp/pcp_wire.h"

struct PcpConn
{
	int			fd;				/* -1 when closed */
	PcpErrorCode status;		/* PCP_OK once authenticated */
	PcpErrorCode last_error;
	char		errmsg[512];
	char		errdetail[512];
	int			timeout;		/* seconds, 0 = none */
	bool		debug;
	char	   *body;			/* the last packet's body */
	size_t		body_cap;
	PcpBuf		out;
};

/* Record an error on conn and return code. */
PcpErrorCode pcp_set_error(PcpConn *conn, PcpErrorCode code, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Send one packet of n fields. */
PcpErrorCode pcp_send_packet(PcpConn *conn, char type, int n, const char *const *fields);

/* Read one packet (fields point into conn->body until the next read). */
PcpErrorCode pcp_recv_packet(PcpConn *conn, PcpPacket *out);

/* Called for each result row; return PCP_OK to go on. */
typedef PcpErrorCode (*PcpRowFn) (PcpConn *conn, const PcpPacket *row, void *arg);

/*
 * Send request id with nargs arguments, feed each 'D' row to fn (may be
 * NULL when no rows are expected) and wait for 'C'.  An 'E' from the
 * server becomes the returned error with its message.
 */
PcpErrorCode pcp_run_command(PcpConn *conn, PcpCommandId id, int nargs,
							 const char *const *args, PcpRowFn fn, void *arg);

#endif
