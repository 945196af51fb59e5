/*
 * defer_out.h: bytes for one backend node held back until the main node
 * has answered the request they belong to.
 *
 * Native replication runs a write on the main node first and on the other
 * nodes only once the main node has answered, so two sessions that touch
 * the same rows meet on the main node (where one waits for the other) and
 * never lock each other on two different nodes.  A request that ends a
 * transaction waits, on every node, until the requests before it are
 * complete on all nodes, so the main node keeps its locks until the others
 * have done the same work.  Each held run of bytes carries the sequence
 * number of the request it waits for and which event releases it; bytes
 * queued behind held bytes wait with them, so a node always receives its
 * messages in the client's order.  Pure logic, no I/O.
 */
#ifndef PGPOOL_SESSION_DEFER_OUT_H
#define PGPOOL_SESSION_DEFER_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/pq_message.h"

typedef struct DeferMark
{
	uint64_t	seq;			/* the request the run waits for */
	bool		after_all;		/* released when seq completed on every node, not by its lead's answer */
	bool		follow;			/* bytes of later requests queued behind the run before */
	size_t		end;			/* the run ends here (offset in buf) */
} DeferMark;

typedef struct DeferOut
{
	PqBuf		buf;			/* held bytes; [0, head) already released */
	size_t		head;
	DeferMark  *marks;
	int			nmarks;
	int			cap;
} DeferOut;

void		defer_out_init(DeferOut *d);
void		defer_out_free(DeferOut *d);

/* Something is held: later bytes for the node must queue behind it. */
static inline bool
defer_out_pending(const DeferOut *d)
{
	return d->nmarks > 0;
}

/* Hold p[0..n) until request seq's lead answered (or, after_all, seq completed everywhere). */
void		defer_out_hold(DeferOut *d, uint64_t seq, bool after_all, const void *p, size_t n);

/* Queue p[0..n) behind what is held, released with the newest run. */
void		defer_out_follow(DeferOut *d, const void *p, size_t n);

/*
 * Move the runs now released into out, in order: leads have answered every
 * request up to answered, every request up to completed is complete on all
 * nodes.  Returns the bytes moved.
 */
size_t		defer_out_release(DeferOut *d, uint64_t answered, uint64_t completed, PqBuf *out);

/*
 * Replace the bytes held for request seq (its own, not those queued behind
 * them) with p[0..n): the main node failed the request, so this node gets
 * a statement that fails too instead of one that might succeed or block.
 */
void		defer_out_replace(DeferOut *d, uint64_t seq, const void *p, size_t n);

/* Drop everything held (the node left the session). */
void		defer_out_clear(DeferOut *d);

#endif
