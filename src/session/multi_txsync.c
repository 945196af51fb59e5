/*
 * multi_txsync.c: one transaction state on every node of a primary/standby
 * session.
 *
 * BEGIN opens the transaction on every node (a standby gets a plain BEGIN
 * where it would refuse SERIALIZABLE or READ WRITE); transaction control
 * goes only to the nodes with an open transaction.  The client sees the
 * reply of the node the statement was routed to (the primary for
 * transaction control), never a "kind mismatch"; once a request has been
 * answered and nothing else is in flight, the other nodes are brought to
 * the state the client was told: a node still in a transaction the
 * client's node ended is rolled back, a node whose transaction is fine
 * while the client's failed gets a failing statement, so a COMMIT that
 * the primary turns into a rollback rolls back there too (transactional
 * SETs revert everywhere).  COMMIT reaches the standbys only once the
 * primary has answered it: a COMMIT that fails there (deferred
 * constraints) fails on the standbys as well.
 *
 * After a write in the transaction, session SETs run on the primary only
 * (router rule state_after_write); they are replayed on the other nodes
 * once the transaction has committed.  Runs in a child process.
 */
#include "session/multi.h"
#include "multi_mode.h"

#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

static const char abort_sql[] =
	"DO $pgpool$BEGIN RAISE EXCEPTION 'pgpool: the transaction failed on another node'; END$pgpool$";

/* Primary/standby modes only (multi_mode.h): native replication keeps its own rules. */
static bool
applies(void)
{
	return multi_mode()->tx_sync;
}

static char
node_status(const Session *s, int n)
{
	char		st = s->slot->backends[n].tx_status;

	return st ? st : 'I';
}

void
multi_tx_note_status(Session *s, int n, char status)
{
	s->slot->backends[n].tx_status = status;
	if (status == 'E')
		s->multi->router_session.failed_in_transaction = true;
}

NodeMask
multi_tx_open_nodes(const Session *s)
{
	const MultiState *m = s->multi;
	NodeMask	nodes = node_mask_single(m->primary);

	if (!applies())
		return m->connected;
	NODE_MASK_FOREACH(&m->connected, n)
		if (node_status(s, n) != 'I')
		node_mask_add(&nodes, n);
	return nodes;
}

bool
multi_tx_plain_begin_elsewhere(const StmtFacts *f)
{
	return applies() && f->kind == ROUTER_STMT_BEGIN && f->nstmts == 1 &&
		(f->isolation == ROUTER_ISO_SERIALIZABLE || (f->flags & ROUTER_F_READ_WRITE));
}

/* The statement was sent to nodes: what it does to their transaction state. */
void
multi_tx_note_sent(Session *s, const StmtFacts *f, const NodeMask *nodes)
{
	MultiState *m = s->multi;
	char		st = 0;

	multi_state_note_sent(s, f);	/* kept for a new primary after failover */
	if (f->kind == ROUTER_STMT_BEGIN)
		st = 'T';
	else if ((f->kind == ROUTER_STMT_COMMIT || f->kind == ROUTER_STMT_ROLLBACK) &&
			 !(f->flags & ROUTER_F_CHAIN))
		st = 'I';
	else if (f->kind == ROUTER_STMT_PREPARE_TRANSACTION)
		st = 'I';
	if (f->kind == ROUTER_STMT_COMMIT && node_status(s, m->primary) == 'T')
		m->replay_on_commit = m->nreplay > 0;
	if (st == 0 || (f->flags & ROUTER_F_MULTI))
		return;
	NODE_MASK_FOREACH(nodes, n)
		s->slot->backends[n].tx_status = st;
}

/* A session SET that ran on the primary only, to replay elsewhere after COMMIT. */
void
multi_tx_remember_set(Session *s, const StmtFacts *f, const char *rule)
{
	MultiState *m = s->multi;

	if (!applies() || rule == NULL || strcmp(rule, "state_after_write") != 0 ||
		(f->flags & ROUTER_F_SET_LOCAL) || f->kind == ROUTER_STMT_SAVEPOINT ||
		f->kind == ROUTER_STMT_RELEASE || f->kind == ROUTER_STMT_ROLLBACK_TO)
		return;
	m->replay = mem_realloc(m->replay, sizeof(char *) * (m->nreplay + 1));
	m->replay[m->nreplay++] = str_dup(f->text);
}

static void
forget_replay(MultiState *m)
{
	for (int i = 0; i < m->nreplay; i++)
		free(m->replay[i]);
	free(m->replay);
	m->replay = NULL;
	m->nreplay = 0;
	m->replay_on_commit = false;
}

void
multi_tx_free(MultiState *m)
{
	forget_replay(m);
}

static void
replay_sets(Session *s, int lead)
{
	MultiState *m = s->multi;
	PqBuf		sql;

	pqbuf_init(&sql);
	for (int i = 0; i < m->nreplay; i++)
	{
		pqbuf_put_bytes(&sql, m->replay[i], strlen(m->replay[i]));
		pqbuf_put_bytes(&sql, ";", 1);
	}
	pqbuf_put_byte(&sql, 0);
	NODE_MASK_FOREACH(&m->connected, n)
		if (n != lead && multi_hidden_query(s, n, sql.data))
		plog(PL_DEBUG1, "session settings replayed on node %d after COMMIT: %s", n, sql.data);
	pqbuf_free(&sql);
}

/*
 * Request e's lead answered with status and nothing else is in flight:
 * bring every other node to the state the client was told.
 */
void
multi_tx_reconcile(Session *s, const RelayEntry *e, char status)
{
	MultiState *m = s->multi;
	int			lead = e->lead;

	if (!applies() || lead < 0 || relay_queue_head(&m->queue) != e || m->queue.count != 1 ||
		m->batch != NULL)
		return;
	if (status == 'I' && m->nreplay > 0)
	{
		bool		committed = m->replay_on_commit && !node_mask_has(&e->failed, lead);

		if (committed)
			replay_sets(s, lead);
		forget_replay(m);
	}
	NODE_MASK_FOREACH(&m->connected, n)
	{
		char		have = node_status(s, n);

		if (n == lead || have == status)
			continue;
		if (status == 'I')
		{
			plog(PL_DEBUG1, "node %d still in a transaction the client's node ended: ROLLBACK", n);
			if (multi_hidden_query(s, n, "ROLLBACK"))
				s->slot->backends[n].tx_status = 'I';
		}
		else if (status == 'E' && have == 'T')
		{
			plog(PL_DEBUG1, "the transaction failed on node %d: aborting it on node %d too", lead, n);
			multi_hidden_query(s, n, abort_sql);
		}
	}
}

void
multi_tx_send_begin(Session *s, const NodeMask *nodes, char type, const char *msg, size_t len)
{
	MultiState *m = s->multi;
	NodeMask	others = *nodes;
	PqBuf		plain;

	node_mask_remove(&others, m->primary);
	if (node_mask_has(nodes, m->primary))
	{
		NodeMask	primary = node_mask_single(m->primary);

		multi_send(s, &primary, msg, len);
	}
	if (node_mask_empty(&others))
		return;
	pqbuf_init(&plain);
	if (type == PQ_FE_PARSE)
	{
		/* the same statement name, a plain BEGIN, no parameter types */
		size_t		start = pq_begin_message(&plain, PQ_FE_PARSE);

		pqbuf_put_string(&plain, msg + 5);
		pqbuf_put_string(&plain, "BEGIN");
		pqbuf_put_int16(&plain, 0);
		pq_end_message(&plain, start);
	}
	else
		pq_put_query(&plain, "BEGIN");
	multi_send(s, &others, plain.data, plain.len);
	pqbuf_free(&plain);
}
