/*
 * relay_queue.c: ordering of backend replies across nodes (see the header).
 */
#include "session/relay_queue.h"

#include <string.h>

void
relay_queue_init(RelayQueue *q)
{
	q->head = 0;
	q->count = 0;
}

bool
relay_queue_full(const RelayQueue *q)
{
	return q->count >= RELAY_QUEUE_SIZE;
}

bool
relay_queue_empty(const RelayQueue *q)
{
	return q->count == 0;
}

static RelayEntry *
entry_at(RelayQueue *q, int i)
{
	return &q->entries[(q->head + i) % RELAY_QUEUE_SIZE];
}

RelayEntry *
relay_queue_push(RelayQueue *q, const NodeMask *nodes, int lead)
{
	RelayEntry *e;

	if (relay_queue_full(q))
		return NULL;
	e = entry_at(q, q->count);
	q->count++;
	e->nodes = *nodes;
	node_mask_clear(&e->done);
	e->lead = lead;
	e->open = false;
	e->hold = node_mask_count(nodes) > 1 && lead >= 0;
	e->drop_lead_rfq = false;
	memset(e->kind, 0, sizeof(e->kind));
	return e;
}

RelayEntry *
relay_queue_head(RelayQueue *q)
{
	return q->count > 0 ? entry_at(q, 0) : NULL;
}

RelayEntry *
relay_queue_tail(RelayQueue *q)
{
	return q->count > 0 ? entry_at(q, q->count - 1) : NULL;
}

RelayEntry *
relay_queue_current(RelayQueue *q, int node)
{
	for (int i = 0; i < q->count; i++)
	{
		RelayEntry *e = entry_at(q, i);

		if (node_mask_has(&e->nodes, node) && !node_mask_has(&e->done, node))
			return e;
	}
	return NULL;
}

void
relay_queue_pop_completed(RelayQueue *q)
{
	while (q->count > 0 && relay_entry_complete(entry_at(q, 0)))
	{
		q->head = (q->head + 1) % RELAY_QUEUE_SIZE;
		q->count--;
	}
}

void
relay_queue_node_done(RelayQueue *q, RelayEntry *e, int node)
{
	node_mask_add(&e->done, node);
	relay_queue_pop_completed(q);
}

bool
relay_entry_others_done(const RelayEntry *e)
{
	NodeMask	rest = e->nodes;

	if (e->lead >= 0)
		node_mask_remove(&rest, e->lead);
	return node_mask_subset(&rest, &e->done);
}
