/*
 * node_mask.h: a set of backend node ids (0 .. MAX_BACKENDS-1).
 */
#ifndef PGPOOL_SESSION_NODE_MASK_H
#define PGPOOL_SESSION_NODE_MASK_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

typedef struct NodeMask
{
	uint64_t	w[(MAX_BACKENDS + 63) / 64];
} NodeMask;

static inline void
node_mask_clear(NodeMask *m)
{
	for (unsigned i = 0; i < sizeof(m->w) / sizeof(m->w[0]); i++)
		m->w[i] = 0;
}

static inline void
node_mask_add(NodeMask *m, int n)
{
	m->w[n / 64] |= UINT64_C(1) << (n % 64);
}

static inline void
node_mask_remove(NodeMask *m, int n)
{
	m->w[n / 64] &= ~(UINT64_C(1) << (n % 64));
}

static inline bool
node_mask_has(const NodeMask *m, int n)
{
	return (m->w[n / 64] >> (n % 64)) & 1;
}

static inline bool
node_mask_empty(const NodeMask *m)
{
	for (unsigned i = 0; i < sizeof(m->w) / sizeof(m->w[0]); i++)
		if (m->w[i])
			return false;
	return true;
}

static inline bool
node_mask_equal(const NodeMask *a, const NodeMask *b)
{
	for (unsigned i = 0; i < sizeof(a->w) / sizeof(a->w[0]); i++)
		if (a->w[i] != b->w[i])
			return false;
	return true;
}

/* true if every node of a is in b */
static inline bool
node_mask_subset(const NodeMask *a, const NodeMask *b)
{
	for (unsigned i = 0; i < sizeof(a->w) / sizeof(a->w[0]); i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

static inline int
node_mask_count(const NodeMask *m)
{
	int			n = 0;

	for (unsigned i = 0; i < sizeof(m->w) / sizeof(m->w[0]); i++)
		n += __builtin_popcountll(m->w[i]);
	return n;
}

static inline NodeMask
node_mask_single(int n)
{
	NodeMask	m;

	node_mask_clear(&m);
	node_mask_add(&m, n);
	return m;
}

#define NODE_MASK_FOREACH(m, n) \
	for (int n = 0; n < MAX_BACKENDS; n++) if (node_mask_has((m), n))

#endif
