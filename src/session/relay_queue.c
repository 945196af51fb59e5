/*
 * relay_queue.c: ordering of backend replies across nodes (see the header).
 */
#include "session/relay_queue.h"

#include <stdlib.h>
#include <string.h>

void
relay_queue_init(RelayQueue *q)
{
	q->head = 0;
	q->count = 0;
	q->next_seq = 1;
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
	e->ordered = false;
	e->barrier = false;
	e->rfq_override = 0;
	e->si_window = 0;
	e->drop_parse = 0;
	e->parse_seen = 0;
	e->seq = q->next_seq++;
	node_mask_clear(&e->failed);
	node_mask_clear(&e->counted);
	memset(e->kind, 0, sizeof(e->kind));
	return e;
}

int
relay_queue_room(const RelayQueue *q)
{
	return RELAY_QUEUE_SIZE - q->count;
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

bool
relay_queue_leads(RelayQueue *q, int n)
{
	for (int i = 0; i < q->count; i++)
		if (entry_at(q, i)->lead == n)
			return true;
	return false;
}

void
relay_queue_forget_node(RelayQueue *q, int n)
{
	for (int i = 0; i < q->count; i++)
	{
		RelayEntry *e = entry_at(q, i);

		node_mask_remove(&e->nodes, n);
		node_mask_remove(&e->done, n);
		if (e->lead == n)
			e->lead = -1;
		e->hold = node_mask_count(&e->nodes) > 1 && e->lead >= 0;
	}
	relay_queue_pop_completed(q);
}

bool
relay_tag_affected(const char *tag, size_t len, int64_t *rows)
{
	static const char *const verbs[] = {"INSERT ", "UPDATE ", "DELETE ", "MERGE "};
	const char *last = NULL;
	char		num[24];
	size_t		k;

	len = strnlen(tag, len);
	for (k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (len > strlen(verbs[k]) && strncmp(tag, verbs[k], strlen(verbs[k])) == 0)
			break;
	if (k == sizeof(verbs) / sizeof(verbs[0]))
		return false;
	/* the row count is the last word ("INSERT oid rows") */
	for (size_t i = 0; i < len; i++)
		if (tag[i] == ' ')
			last = tag + i + 1;
	if (last == NULL || (size_t) (tag + len - last) >= sizeof(num) || last == tag + len)
		return false;
	memcpy(num, last, (size_t) (tag + len - last));
	num[tag + len - last] = '\0';
	*rows = strtoll(num, NULL, 10);
	return true;
}

void
relay_entry_note_message(RelayEntry *e, int n, char type, const char *body, size_t len)
{
	int64_t		rows;

	if (e->kind[n] == 0 && type != 'N' && type != 'S' && type != 'A' && type != 'Z')
		e->kind[n] = type;
	if (type == 'E')
		node_mask_add(&e->failed, n);
	else if (type == 'C' && relay_tag_affected(body, len, &rows))
	{
		if (!node_mask_has(&e->counted, n))
			e->tuples[n] = 0;
		node_mask_add(&e->counted, n);
		e->tuples[n] += rows;
	}
}
