/*
 * pcp_listen.c: the PCP sockets, opened by the parent before it forks:
 * TCP on pcp_listen_addresses:pcp_port ('*' every address, '' none, or a
 * comma-separated list) and the UNIX socket
 * <pcp_socket_dir>/.s.PGSQL.<pcp_port>.  Only pcp_main uses them; other
 * processes close their inherited copies.
 */
#include "pcp/pcp_server.h"

#include "utils/log.h"
#include "utils/net_listen.h"
#include "utils/str.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define PCP_MAX_LISTEN 16
#define PCP_BACKLOG 64

static int	listen_fds[PCP_MAX_LISTEN];
static int	nlisten;
static char socket_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];

bool
pcp_listen_open(const PoolConfig *cfg)
{
	int			n = net_listen_tcp_list(cfg->pcp_listen_addresses, cfg->pcp_port, PCP_BACKLOG, "PCP",
										listen_fds, PCP_MAX_LISTEN - 1);
	int			fd;

	if (n < 0)
		return false;
	nlisten = n;
	fd = net_listen_unix(cfg->pcp_socket_dir, cfg->pcp_port, PCP_BACKLOG, "PCP",
						 socket_path, sizeof(socket_path));
	if (fd < 0)
	{
		pcp_listen_close(cfg);
		return false;
	}
	listen_fds[nlisten++] = fd;
	return true;
}

void
pcp_listen_close_inherited(void)
{
	for (int i = 0; i < nlisten; i++)
		close(listen_fds[i]);
	nlisten = 0;
}

void
pcp_listen_close(const PoolConfig *cfg)
{
	(void) cfg;
	pcp_listen_close_inherited();
	if (socket_path[0])
		unlink(socket_path);
	socket_path[0] = '\0';
}

int
pcp_listen_fds(const int **fds)
{
	*fds = listen_fds;
	return nlisten;
}
