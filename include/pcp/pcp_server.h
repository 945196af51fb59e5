/*
 * pcp_server.h: pgpool's PCP server.
 *
 * The parent opens the PCP sockets before forking (so a bind failure stops
 * pgpool at start), the pcp_main process accepts on them and forks one
 * worker per connection, and the worker authenticates the client against
 * pcp.conf and runs its commands (see include/libpcp/pcp_wire.h for the
 * protocol).
 */
#ifndef PGPOOL_PCP_PCP_SERVER_H
#define PGPOOL_PCP_PCP_SERVER_H

#include <stdbool.h>

#include "config/config.h"

/*
 * Parent: listen on pcp_listen_addresses:pcp_port and on
 * <pcp_socket_dir>/.s.PGSQL.<pcp_port>.  Logs a FATAL naming the address
 * and returns false if one cannot be bound.
 */
bool		pcp_listen_open(const PoolConfig *cfg);

/* Parent: close the sockets and remove the socket file (idempotent). */
void		pcp_listen_close(const PoolConfig *cfg);

/* Any other forked process: close the inherited sockets, keep the file. */
void		pcp_listen_close_inherited(void);

/* The listening sockets, for pcp_main. */
int			pcp_listen_fds(const int **fds);

/* What the PCP processes need from the pgpool program around them. */
typedef struct PcpServerEnv
{
	const char *pcp_file;		/* pcp.conf (-F), read at each authentication */
	bool		(*reload_config) (bool quiet);	/* re-read pgpool.conf on SIGHUP */
} PcpServerEnv;

/* The pcp_main process: accept, fork a worker per connection; never returns. */
void		pcp_main(const PcpServerEnv *env) __attribute__((noreturn));

#endif
