/*
 * reply_compare.c: agreement of the nodes' answers to one request (see
 * the header).  Runs in a child process for every request sent to more
 * than one node.
 */
#include "session/reply_compare.h"

#include <stdio.h>

/* Nodes of e whose answer is "failed" (want_failed) or "succeeded". */
static NodeMask
nodes_failed(const RelayEntry *e, bool want_failed)
{
	NodeMask	m;

	node_mask_clear(&m);
	NODE_MASK_FOREACH(&e->nodes, n)
		if (node_mask_has(&e->failed, n) == want_failed)
			node_mask_add(&m, n);
	return m;
}

static ReplyVerdict
compare_kinds(const RelayEntry *e, int lead, NodeMask *minority)
{
	NodeMask	bad = nodes_failed(e, true);
	NodeMask	good = nodes_failed(e, false);
	int			nbad = node_mask_count(&bad), ngood = node_mask_count(&good);

	if (nbad == 0 || ngood == 0)
		return REPLY_SAME;
	if (nbad > ngood || (nbad == ngood && node_mask_has(&bad, lead)))
		*minority = good;
	else
		*minority = bad;
	return REPLY_KIND_MISMATCH;
}

/* Rows per node; -1 for a node whose answer carried no count. */
static void
rows_of(const RelayEntry *e, int64_t *rows)
{
	NODE_MASK_FOREACH(&e->nodes, n)
		rows[n] = node_mask_has(&e->counted, n) ? e->tuples[n] : -1;
}

/* The row count most nodes reported (ties: the lead's). */
static int64_t
majority_rows(const RelayEntry *e, const int64_t *rows, int lead)
{
	int64_t		best = rows[lead];
	int			best_votes = 0;

	NODE_MASK_FOREACH(&e->nodes, n)
	{
		int			votes = 0;

		NODE_MASK_FOREACH(&e->nodes, o)
			if (rows[o] == rows[n])
				votes++;
		if (votes > best_votes || (votes == best_votes && rows[n] == rows[lead]))
		{
			best = rows[n];
			best_votes = votes;
		}
	}
	return best;
}

ReplyVerdict
reply_compare(const RelayEntry *e, int lead, NodeMask *minority)
{
	int64_t		rows[MAX_BACKENDS];
	int64_t		want;
	ReplyVerdict v;

	node_mask_clear(minority);
	if ((v = compare_kinds(e, lead, minority)) != REPLY_SAME)
		return v;
	if (node_mask_empty(&e->counted))
		return REPLY_SAME;
	rows_of(e, rows);
	want = majority_rows(e, rows, lead);
	NODE_MASK_FOREACH(&e->nodes, n)
		if (rows[n] != want)
			node_mask_add(minority, n);
	return node_mask_empty(minority) ? REPLY_SAME : REPLY_TUPLES_MISMATCH;
}

void
reply_kind_details(const RelayEntry *e, char *buf, size_t cap)
{
	size_t		used = 0;

	buf[0] = '\0';
	NODE_MASK_FOREACH(&e->nodes, n)
	{
		char		k = e->kind[n];

		if (used >= cap)
			break;
		used += (size_t) snprintf(buf + used, cap - used, "%s%d[%c]", used ? " " : "", n, k ? k : '-');
	}
}

void
reply_tuple_details(const RelayEntry *e, char *buf, size_t cap)
{
	size_t		used = 0;

	buf[0] = '\0';
	NODE_MASK_FOREACH(&e->nodes, n)
	{
		if (used >= cap)
			break;
		if (node_mask_has(&e->counted, n))
			used += (size_t) snprintf(buf + used, cap - used, "%snode %d: %lld", used ? ", " : "", n,
									  (long long) e->tuples[n]);
		else
			used += (size_t) snprintf(buf + used, cap - used, "%snode %d: none", used ? ", " : "", n);
	}
}
