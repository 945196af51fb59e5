/*
 * relay_queue.h: the order in which backend replies reach the client when a
 * session talks to several nodes.
 *
 * Every request that ends in ReadyForQuery (a simple Query, a function call,
 * or an extended-protocol batch up to Sync) becomes one entry: the nodes it
 * was sent to, the lead node whose reply the client sees, and which nodes
 * have answered.  Entries complete in order; a lead's reply is forwarded
 * only while its entry is at the head, so pipelined requests to different
 * nodes still reach the client in the order it sent them.  Pure logic, no I/O.
 */
#ifndef PGPOOL_SESSION_RELAY_QUEUE_H
#define PGPOOL_SESSION_RELAY_QUEUE_H

#include <stdbool.h>

#include "session/node_mask.h"

#define RELAY_QUEUE_SIZE 256

typedef struct RelayEntry
{
	NodeMask	nodes;			/* nodes that owe a ReadyForQuery */
	NodeMask	done;			/* nodes whose ReadyForQuery arrived */
	int			lead;			/* node whose reply goes to the client; -1: none */
	bool		open;			/* extended batch still taking messages (no Sync yet) */
	bool		hold;			/* several nodes: compare kinds before forwarding the lead's reply */
	bool		drop_lead_rfq;	/* the lead's ReadyForQuery is not forwarded (split batch) */
	bool		ordered;		/* replicated write: other nodes get it once the lead answered */
	bool		barrier;		/* ends a transaction: sent once every earlier request is complete */
	char		rfq_override;	/* status the client's ReadyForQuery shows (0: the lead's) */
	uint64_t	drop_parse;		/* ParseCompletes (by ordinal) answering pgpool's own Parses */
	uint8_t		parse_seen;		/* ParseCompletes of the lead already forwarded or dropped */
	uint8_t		si_window;		/* snapshot isolation window it runs in (SiWindow), 0: none */
	uint64_t	seq;			/* position in the session's stream of requests */
	NodeMask	failed;			/* nodes that answered with an ErrorResponse */
	NodeMask	counted;		/* nodes that reported affected tuples */
	char		kind[MAX_BACKENDS];	/* first significant reply type per node, 0 if none yet */
	int64_t		tuples[MAX_BACKENDS];	/* rows INSERTed/UPDATEd/DELETEd per node */
} RelayEntry;

typedef struct RelayQueue
{
	RelayEntry	entries[RELAY_QUEUE_SIZE];
	int			head;			/* index of the oldest entry */
	int			count;
	uint64_t	next_seq;
} RelayQueue;

void		relay_queue_init(RelayQueue *q);
bool		relay_queue_full(const RelayQueue *q);
bool		relay_queue_empty(const RelayQueue *q);

/* Append an entry; NULL if full. */
RelayEntry *relay_queue_push(RelayQueue *q, const NodeMask *nodes, int lead);

/* Entries that can still be pushed. */
int			relay_queue_room(const RelayQueue *q);

RelayEntry *relay_queue_head(RelayQueue *q);
/* The newest entry, or NULL. */
RelayEntry *relay_queue_tail(RelayQueue *q);

/* The oldest entry that still waits for node n's ReadyForQuery, or NULL. */
RelayEntry *relay_queue_current(RelayQueue *q, int node);

/* Record node n's ReadyForQuery on e, then drop completed entries from the head. */
void		relay_queue_node_done(RelayQueue *q, RelayEntry *e, int node);

/* Pop completed entries from the head. */
void		relay_queue_pop_completed(RelayQueue *q);

static inline bool
relay_entry_complete(const RelayEntry *e)
{
	return !e->open && node_mask_equal(&e->nodes, &e->done);
}

/* Only the lead is left to answer. */
bool		relay_entry_others_done(const RelayEntry *e);

/* Some waiting entry's reply to the client comes from node n. */
bool		relay_queue_leads(RelayQueue *q, int n);

/* Node n left the session: no entry waits for it any more. */
void		relay_queue_forget_node(RelayQueue *q, int n);

/* Note one reply message of node n for e: error, kind, affected tuples. */
void		relay_entry_note_message(RelayEntry *e, int n, char type, const char *body, size_t len);

/*
 * Affected rows of a CommandComplete tag ("INSERT 0 5", "UPDATE 3",
 * "DELETE 2", "MERGE 1"); false for other tags.
 */
bool		relay_tag_affected(const char *tag, size_t len, int64_t *rows);

#endif
