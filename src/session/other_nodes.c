/*
 * other_nodes.c: connect a new pool slot to the nodes besides the main one.
 *
 * pgpool logs in to the other nodes itself (session_auth.h: TLS when
 * ssl = on, then each node's own request answered from pool_passwd or the
 * client's clear-text password).  A node that cannot be reached or refuses
 * is left out of this session and logged.  In native replication a node
 * left out would miss the session's writes: an unreachable node is
 * detached (failover_on_backend_error), and a node that refuses the login
 * ends the session, with the reason, rather than be written past.
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
		if (strategy_current()->replicate_writes &&
			(fd >= 0 || !pool_config->failover_on_backend_error))
		{
			session_send_error(s, "FATAL", "08006",
							   log_fmt("could not connect to DB node %d: every node must take this session's writes", n),
							   log_fmt("node %d (%s:%d): %s", n, node->hostname, node->port, why));
			return SESSION_BACKEND_ERROR;
		}
		plog_ex(PL_LOG, log_fmt("node %d (%s:%d): %s", n, node->hostname, node->port, why), NULL,
				"session of user \"%s\" continues without backend node %d", s->startup.user, n);
		if (fd < 0 && strategy_current()->replicate_writes)
			session_degenerate_node(n);
		else if (fd < 0)
			session_backend_failed(n);
	}
	return SESSION_OK;
}
