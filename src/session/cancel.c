/*
 * cancel.c: route a CancelRequest to the backends of the session that owns
 * the key.  Any child may receive the request; the process table in shared
 * memory says which pooled connection carries that backend pid and key.
 */
#include "session/session.h"
#include "session/client_log.h"

#include "pool/backend_connect.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "utils/log.h"

#include <unistd.h>

#define CANCEL_TIMEOUT_MS 5000

static void
send_cancel(int node, int32_t pid, int32_t key)
{
	BackendNode *n = &node_table->nodes[node];
	const char *why = NULL;
	PqConn		conn;
	int			fd = backend_connect(n->hostname, n->port, CANCEL_TIMEOUT_MS, &why);

	if (fd < 0)
	{
		plog(PL_LOG, "could not forward cancel request to node %d: %s", node, why);
		return;
	}
	pq_conn_init(&conn, fd);
	pq_put_cancel_request(&conn.wbuf, pid, key);
	if (pq_conn_flush(&conn, CANCEL_TIMEOUT_MS) != PQ_IO_OK)
		plog(PL_LOG, "could not forward cancel request to node %d: %s", node,
			 pq_io_status_text(PQ_IO_ERROR));
	/* wait for the backend to close, so the cancel is delivered before we return */
	(void) pq_conn_fill(&conn, CANCEL_TIMEOUT_MS);
	pq_conn_close(&conn);
}

void
cancel_forward(int32_t pid, int32_t key)
{
	int			child, slot;
	ProcSlot   *ps;

	if (pool_config->log_client_messages)
		client_log_cancel(pid);
	if (!proc_table_find_cancel(pid, key, &child, &slot))
	{
		plog(PL_DEBUG1, "cancel request for backend pid %d ignored: no session with that key", pid);
		return;
	}
	ps = proc_slot(child, slot);
	for (int n = 0; n < node_table->num_backends; n++)
	{
		ProcSlotNode *sn = &ps->nodes[n];

		if (sn->connected)
		{
			plog(PL_DEBUG1, "forwarding cancel request to node %d backend pid %d", n, sn->backend_pid);
			send_cancel(n, sn->backend_pid, sn->cancel_key);
		}
	}
}
