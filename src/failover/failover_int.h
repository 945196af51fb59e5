/*
 * failover_int.h: the failover queue's layout, shared by the files of
 * src/failover only.
 */
#ifndef PGPOOL_FAILOVER_FAILOVER_INT_H
#define PGPOOL_FAILOVER_FAILOVER_INT_H

#include "failover/failover.h"

#define FAILOVER_QUEUE_SIZE 64
#define FAILOVER_RESULT_SLOTS 256	/* results outlive their queue slot */

typedef struct FailoverRequest
{
	uint32_t	ticket;
	int			kind;			/* FailoverKind */
	int			node_id;
	int			flags;			/* FAILOVER_FLAG_* */
	pid_t		requester;
	uint32_t	origin_ticket;	/* also finished with this request's result, 0 none */
} FailoverRequest;

typedef struct FailoverTicketResult
{
	uint32_t	ticket;
	int			result;			/* FailoverResult */
} FailoverTicketResult;

typedef struct FailoverQueue
{
	pid_t		parent_pid;
	uint32_t	last_ticket;
	uint32_t	current_ticket; /* the request the parent is handling, 0 if none */
	int			head;			/* oldest queued request */
	int			count;
	FailoverRequest requests[FAILOVER_QUEUE_SIZE];
	FailoverTicketResult results[FAILOVER_RESULT_SLOTS];	/* by ticket % slots */
} FailoverQueue;

extern FailoverQueue *failover_queue;

/* Parent: take the oldest request; false if none. */
bool		failover_queue_pop(FailoverRequest *out);

/* Parent: publish a ticket's result. */
void		failover_queue_finish(uint32_t ticket, FailoverResult result);

/*
 * Streaming replication, after the primary was detached: find the new
 * primary (new_primary < 0: search for it) and run follow_primary_command
 * for the other standbys.
 */
void		failover_follow_primary(int failed_node, int old_main, int old_primary, int new_primary);

#endif
