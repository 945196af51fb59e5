/*
 * multi_prepared.c: SQL-level prepared statements (PREPARE name AS ...) of
 * a multi-node session.
 *
 * PREPARE goes where its statement would go (the router routes it by the
 * query it prepares: a SELECT to the load-balance node, a write or a read
 * of a temporary table to the primary); the session remembers where each
 * name exists.  EXECUTE, EXPLAIN EXECUTE and CREATE TABLE AS EXECUTE are
 * routed by the prepared query, and run where it was prepared; when the
 * route needs a node that lacks the statement (EXECUTE of a SELECT after a
 * write in the transaction, CREATE TABLE AS on the primary), pgpool
 * prepares it there first, out of the client's sight.  DEALLOCATE name
 * goes where the name exists, DEALLOCATE ALL everywhere.  Runs in a child
 * process.
 */
#include "session/multi.h"
#include "multi_int.h"

#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

static int
find(const MultiState *m, const char *name)
{
	for (int i = 0; i < m->nprepared; i++)
		if (strcmp(m->prepared[i].facts->name, name) == 0)
			return i;
	return -1;
}

const StmtFacts *
multi_prepared_facts(const MultiState *m, const StmtFacts *facts)
{
	int			i;

	if ((facts->kind != ROUTER_STMT_EXECUTE && facts->inner_kind != ROUTER_STMT_EXECUTE) ||
		facts->name == NULL || (i = find(m, facts->name)) < 0)
		return NULL;
	return m->prepared[i].facts;
}

static void
forget(MultiState *m, const char *name)
{
	for (int i = 0; i < m->nprepared; i++)
		if (name == NULL || strcmp(m->prepared[i].facts->name, name) == 0)
		{
			router_facts_release(m->prepared[i].facts);
			m->prepared[i--] = m->prepared[--m->nprepared];
		}
}

void
multi_prepared_free(MultiState *m)
{
	forget(m, NULL);
	free(m->prepared);
	m->prepared = NULL;
}

/* The lead of nodes: the primary if among them, else the lowest. */
static int
lead_of(const MultiState *m, const NodeMask *nodes)
{
	if (node_mask_has(nodes, m->primary))
		return m->primary;
	NODE_MASK_FOREACH(nodes, n)
		return n;
	return m->primary;
}

void
multi_prepared_route(Session *s, const StmtFacts *facts, MultiRoute *r)
{
	MultiState *m = s->multi;
	int			i;

	if (facts->nstmts != 1)
		return;
	if (facts->kind == ROUTER_STMT_PREPARE && facts->name)
	{
		forget(m, facts->name);
		m->prepared = mem_realloc(m->prepared, sizeof(*m->prepared) * (m->nprepared + 1));
		m->prepared[m->nprepared].facts = router_facts_retain(facts);
		m->prepared[m->nprepared++].nodes = r->nodes;
	}
	else if (facts->kind == ROUTER_STMT_DEALLOCATE && !(facts->flags & ROUTER_F_ALL) && facts->name)
	{
		/* where the name exists; unknown to pgpool: the primary reports the error */
		r->nodes = node_mask_single(m->primary);
		if ((i = find(m, facts->name)) >= 0)
			for (unsigned w = 0; w < sizeof(r->nodes.w) / sizeof(r->nodes.w[0]); w++)
				r->nodes.w[w] = m->prepared[i].nodes.w[w] & m->connected.w[w];
		if (node_mask_empty(&r->nodes))
			r->nodes = node_mask_single(m->primary);
		r->lead = lead_of(m, &r->nodes);
		forget(m, facts->name);
	}
	else if (facts->kind == ROUTER_STMT_DEALLOCATE || (facts->kind == ROUTER_STMT_DISCARD &&
														(facts->flags & ROUTER_F_ALL)))
		forget(m, NULL);
}

bool
multi_prepared_ensure(Session *s, const StmtFacts *facts, const NodeMask *nodes)
{
	MultiState *m = s->multi;
	int			i;
	PqBuf		q;
	bool		ok = true;

	if ((facts->kind != ROUTER_STMT_EXECUTE && facts->inner_kind != ROUTER_STMT_EXECUTE) ||
		facts->name == NULL || (i = find(m, facts->name)) < 0)
		return true;
	pqbuf_init(&q);
	pq_put_query(&q, m->prepared[i].facts->text);
	NODE_MASK_FOREACH(nodes, n)
	{
		NodeMask	one = node_mask_single(n);

		if (node_mask_has(&m->prepared[i].nodes, n))
			continue;
		if (relay_queue_push(&m->queue, &one, -1) == NULL)
		{
			ok = false;
			break;
		}
		multi_send(s, &one, q.data, q.len);
		node_mask_add(&m->prepared[i].nodes, n);
		plog(PL_DEBUG1, "prepared statement \"%s\" prepared again on node %d", facts->name, n);
	}
	pqbuf_free(&q);
	return ok;
}
