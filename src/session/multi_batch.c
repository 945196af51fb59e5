/*
 * multi_batch.c: the extended-protocol batch of a multi-node session.
 *
 * Messages up to Sync form one request on one node set (one RelayQueue
 * entry).  A message that needs other nodes ends the batch with a Sync of
 * pgpool's own, whose ReadyForQuery the client never sees, and opens a new
 * one; a statement needed on a node that lacks it is parsed there again
 * first.  Runs in a child process.
 */
#include "session/multi.h"
#include "multi_mode.h"

#include "utils/log.h"

#include <stdlib.h>
#include <string.h>

static const char sync_msg[] = {'S', 0, 0, 0, 4};

/* Parse an already-known statement again on nodes that lack it; the replies are dropped. */
bool
multi_batch_reparse_on(Session *s, StmtInfo *st, const NodeMask *need)
{
	MultiState *m = s->multi;

	NODE_MASK_FOREACH(need, n)
	{
		NodeMask	one;

		if (node_mask_has(&st->parsed_on, n))
			continue;
		one = node_mask_single(n);
		if (relay_queue_push(&m->queue, &one, -1) == NULL)
			return false;
		multi_send(s, &one, st->parse_msg.data, st->parse_msg.len);
		multi_send(s, &one, sync_msg, sizeof(sync_msg));
		node_mask_add(&st->parsed_on, n);
		plog(PL_DEBUG1, "statement \"%s\" parsed again on node %d", st->name, n);
	}
	return true;
}

/* Mark a new request's entry the way its route says the nodes take it. */
void
multi_batch_mark_entry(RelayEntry *e, const MultiRoute *r)
{
	e->ordered = r->ordered && e->hold;
	e->barrier = r->barrier;
	if (r->barrier)
		multi_mode()->mark_barrier(e);
	if (r->stream)
		e->hold = false;
}

/* End the open batch with a Sync of pgpool's own; its ReadyForQuery is not the client's. */
static void
end_batch_here(Session *s)
{
	MultiState *m = s->multi;

	multi_send(s, &m->batch->nodes, sync_msg, sizeof(sync_msg));
	m->batch->open = false;
	m->batch->drop_lead_rfq = true;
	m->batch = NULL;
	m->batch_locked = false;
}

/*
 * The replicating modes (multi_mode_replicating.c): a replicated write
 * about to run (Bind) in a batch that did not prepare for it: a batch its
 * Parse began outside a transaction (no transaction of pgpool's own
 * around it yet: nothing of the batch has run), or an
 * INSERT that may need insert_lock in a batch another statement began
 * inside the client's transaction (JDBC sends BEGIN with the first
 * statement; a Sync there ends nothing).  The batch is ended here with a
 * Sync of pgpool's own; the Bind waits (true) until the main node can be
 * asked and opens a batch of its own, lock and transaction first.
 */
bool
multi_batch_split_for_write(Session *s, const StmtFacts *f)
{
	MultiState *m = s->multi;
	bool		in_tx = m->router_session.in_transaction;

	if (m->batch == NULL)
		return false;
	/* a write the batch's Parse did not wrap: nothing has run in the batch yet */
	if (!(!in_tx && !m->batch_wrapped && multi_replicate_wants_wrap(s, f)) &&
		!(in_tx && !m->batch_locked && multi_replicate_may_lock(s, f)) &&
		!(in_tx && !multi_replicate_facts_cached(s, f)))
		return false;
	end_batch_here(s);
	return true;
}

/*
 * Open a batch on route r, or keep using the open one; false if the queue
 * is full.  executes: the message runs the statement (Bind), not only
 * parses it (Parse).
 */
bool
multi_batch_for(Session *s, const MultiRoute *r, bool executes)
{
	MultiState *m = s->multi;
	RelayEntry *e;
	bool		hidden;

	/* the statement's nodes are the batch's, or the mode keeps the batch where it is */
	if (m->batch && (node_mask_subset(&r->nodes, &m->batch->nodes) || multi_mode()->batch_pinned(s)))
	{
		/*
		 * Only the statement's own nodes run it (a write inside "BEGIN; UPDATE"
		 * must not reach a standby), plus the lead, whose reply the client reads.
		 */
		m->stmt_nodes = r->nodes;
		for (unsigned i = 0; i < sizeof(m->stmt_nodes.w) / sizeof(m->stmt_nodes.w[0]); i++)
			m->stmt_nodes.w[i] &= m->batch->nodes.w[i];
		node_mask_add(&m->stmt_nodes, m->batch->lead);
		m->batch->ordered |= r->ordered && m->batch->hold;
		m->batch->barrier |= r->barrier;
		return true;
	}
	if (m->batch)
	{
		/* a standby's read-only batch must move: end it here, its ReadyForQuery is not the client's */
		end_batch_here(s);
	}
	/*
	 * A replicated write that opens a batch by running: its insert lock,
	 * and outside a transaction pgpool's own around the batch (committed
	 * after its Sync).  A Parse alone takes no lock (PQprepare must not
	 * wait for another session's insert lock).
	 */
	m->batch_locked = false;
	if (executes)
		multi_mode()->open_write(s, r, &m->batch_wrapped);
	hidden = m->batch_wrapped || m->batch_locked;
	e = relay_queue_push(&m->queue, &r->nodes, r->lead);
	if (e == NULL)
		return false;
	e->open = true;
	multi_batch_mark_entry(e, r);
	if (m->batch_wrapped)
		e->rfq_override = 'I';
	m->batch = e;
	m->batch_nparse = 0;
	m->batch_hidden = hidden;
	m->stmt_nodes = r->nodes;
	return true;
}

MultiRoute
multi_route_primary(Session *s)
{
	MultiRoute	r;

	r.nodes = node_mask_single(s->multi->primary);
	r.lead = s->multi->primary;
	r.write = true;
	r.show_pool = false;
	r.end_others_tx = false;
	r.ordered = false;
	r.reason = "primary";
	r.rule = NULL;
	return r;
}
