/*
 * other_nodes.c: connect a new pool slot to the nodes besides the main one.
 *
 * pgpool logs in to the other nodes itself (session_auth.h: TLS when
 * ssl = on, then each node's own request answered from pool_passwd or the
 * client's clear-text password).  A node marked up that cannot be reached
 * or refuses the login ends the session and is failed over (pgpool-II
 * 4.3): no session goes on without a node.  Runs in a child process.
 */
#include "session/multi.h"
#include "session/session_auth.h"

#include "config/config.h"
#include "pool/backend_connect.h"
#include "pool/node_table.h"
#include "replication/strategy.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdio.h>
#include <string.h>

/*
 * Node n, marked up, refused this session's connection or login: as in
 * pgpool-II 4.3, failover is requested for it (unless backend_flagN says
 * DISALLOW_TO_FAILOVER) and the session ends.  Going on without the node
 * would hide a node that lacks the session's database or user.
 */
static SessionStatus
other_node_failed(Session *s, int n, bool reached, const char *why)
{
	const BackendNode *node = &node_table->nodes[n];
	bool		may_failover = !(pool_config->backends[n].flag & BACKEND_FLAG_DISALLOW_TO_FAILOVER);

	plog_ex(PL_LOG, log_fmt("node %d (%s:%d) %s: %s", n, node->hostname, node->port,
							reached ? "refused the login" : "could not be reached", why ? why : ""),
			NULL, "failed to create a backend %d connection for user \"%s\"", n, s->startup.user);
	if (may_failover)
	{
		plog(PL_LOG, "executing failover on backend %d", n);
		if (session_hooks.request_detach && node_is_up(n))
			session_hooks.request_detach(n);
	}
	session_send_error(s, "FATAL", "08006", "failed to create a backend connection",
					   may_failover ? "executing failover on backend" :
					   log_fmt("not executing failover on backend %d: DISALLOW_TO_FAILOVER", n));
	return SESSION_BACKEND_ERROR;
}

SessionStatus
session_connect_other_nodes(Session *s)
{
	PoolSlot   *slot = s->slot;

	for (int n = 0; n < node_table->num_backends; n++)
	{
		BackendNode *node = &node_table->nodes[n];
		const char *why = NULL;
		int			fd;

		if (n == slot->main_node || !node_is_up(n) || slot->backends[n].connected)
			continue;
		fd = backend_connect(node->hostname, node->port, pool_config->connect_timeout, &why);
		if (fd >= 0)
		{
			pq_conn_init(&slot->backends[n].conn, fd);
			if (session_backend_login_node(s, n, &why))
				continue;
			pq_conn_close(&slot->backends[n].conn);
			slot->backends[n].conn.fd = -1;
		}
		return other_node_failed(s, n, fd >= 0, why);
	}
	return SESSION_OK;
}
