/*
 * multi_hold.c: sending a request's bytes to its nodes in a multi-node
 * session, holding back what must wait.
 *
 * A request the main node runs first (native replication's ordered
 * writes) is held on the other nodes until the main node answered; one
 * that waits for everything before it (a barrier: COMMIT) is held on
 * every node until the earlier requests are complete (see defer_out.h).
 * A request the main node failed reaches the others as a statement that
 * fails too.  Runs in a child process.
 */
#include "session/multi.h"
#include "multi_int.h"

#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

static PqConn *
node_conn(Session *s, int n)
{
	return &s->slot->backends[n].conn;
}

/* Every request up to this one is complete on all its nodes. */
static uint64_t
completed_seq(const MultiState *m)
{
	const RelayEntry *head = relay_queue_head((RelayQueue *) &m->queue);

	return head ? head->seq - 1 : m->queue.next_seq - 1;
}

static void
hold(MultiState *m, int n, uint64_t seq, bool after_all, const char *msg, size_t len)
{
	if (m->defer[n] == NULL)
	{
		m->defer[n] = mem_alloc0(sizeof(DeferOut));
		defer_out_init(m->defer[n]);
	}
	defer_out_hold(m->defer[n], seq, after_all, msg, len);
}

void
multi_send(Session *s, const NodeMask *nodes, const char *msg, size_t len)
{
	MultiState *m = s->multi;
	const RelayEntry *e = relay_queue_tail(&m->queue);
	bool		wait_all = e && e->barrier && completed_seq(m) < e->seq - 1;

	if (e && e->si_window)
		multi_si_on_send(s, e, wait_all);

	NODE_MASK_FOREACH(nodes, n)
	{
		DeferOut   *d = m->defer[n];

		if (e && e->ordered && n != e->lead)
			hold(m, n, e->seq, false, msg, len);
		else if (wait_all)
			hold(m, n, e->seq - 1, true, msg, len);
		else if (d && defer_out_pending(d))
			defer_out_follow(d, msg, len);	/* keep the node's messages in order */
		else
			pqbuf_put_bytes(&node_conn(s, n)->wbuf, msg, len);
	}
}

/*
 * The main node failed request e (a deadlock, a constraint, ...): the other
 * nodes get a statement that fails instead, so their transactions end up
 * aborted too, and a statement the main node refused never succeeds, nor
 * waits for locks, elsewhere.  Statements the request parsed exist on the
 * main node only now.
 */
void
multi_fail_held(Session *s, const RelayEntry *e)
{
	static const char abort_sql[] =
		"DO $pgpool$BEGIN RAISE EXCEPTION 'pgpool: this statement failed on the main node'; END$pgpool$";
	MultiState *m = s->multi;
	PqBuf		q;

	pqbuf_init(&q);
	pq_put_query(&q, abort_sql);
	NODE_MASK_FOREACH(&e->nodes, n)
		if (n != e->lead && m->defer[n])
			defer_out_replace(m->defer[n], e->seq, q.data, q.len);
	pqbuf_free(&q);
	for (int i = 0; i < m->stmts.count; i++)
		if (m->stmts.items[i].parse_seq == e->seq)
			m->stmts.items[i].parsed_on = node_mask_single(e->lead);
}

void
multi_release_held(Session *s)
{
	MultiState *m = s->multi;
	uint64_t	completed = completed_seq(m);

	if (m->si_active || m->si_npending)
		multi_si_progress(s, completed);
	NODE_MASK_FOREACH(&m->connected, n)
		if (m->defer[n] && defer_out_pending(m->defer[n]))
			defer_out_release(m->defer[n], m->lead_answered, completed, &node_conn(s, n)->wbuf);
}

bool
multi_hidden_query(Session *s, int n, const char *sql)
{
	NodeMask	one = node_mask_single(n);
	PqBuf		q;

	if (relay_queue_push(&s->multi->queue, &one, -1) == NULL)
		return false;
	pqbuf_init(&q);
	pq_put_query(&q, sql);
	multi_send(s, &one, q.data, q.len);
	pqbuf_free(&q);
	return true;
}
