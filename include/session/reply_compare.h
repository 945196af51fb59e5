/*
 * reply_compare.h: did every node that ran a request answer alike?
 *
 * Native replication sends a write to every node; their answers must
 * agree in kind (all succeeded, or all failed) and in the number of rows
 * INSERT/UPDATE/DELETE touched.  When they do not, the nodes that differ
 * from the majority are the suspects (a tie goes the lead's way: the main
 * node breaks ties).  Pure logic over a RelayEntry, no I/O.
 */
#ifndef PGPOOL_SESSION_REPLY_COMPARE_H
#define PGPOOL_SESSION_REPLY_COMPARE_H

#include "session/relay_queue.h"

typedef enum ReplyVerdict
{
	REPLY_SAME = 0,
	REPLY_KIND_MISMATCH,		/* some nodes failed, others did not */
	REPLY_TUPLES_MISMATCH		/* all succeeded, affected rows differ */
} ReplyVerdict;

/*
 * Compare the answers of e's nodes (every one has answered); lead is the
 * node whose reply the client sees.  On a mismatch, *minority is the set of
 * nodes that differ from the majority.
 */
ReplyVerdict reply_compare(const RelayEntry *e, int lead, NodeMask *minority);

/* "0[C] 1[E]": each node's first reply kind, for the kind mismatch report. */
void		reply_kind_details(const RelayEntry *e, char *buf, size_t cap);

/* "node 0: 1 row, node 1: 0 rows" style list of affected rows. */
void		reply_tuple_details(const RelayEntry *e, char *buf, size_t cap);

#endif
