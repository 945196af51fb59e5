/*
 * failover_queue.c: the failover request queue in shared memory.
 *
 * Any pgpool process queues requests (under SHMEM_LOCK_FAILOVER) and wakes
 * the parent with SIGUSR1; the parent takes them off in order.  Each
 * request gets a ticket; the parent writes its result into a ring indexed
 * by ticket so a requester can wait for the outcome without a reply
 * channel.
 */
#include "failover/failover.h"
#include "utils/clock.h"
#include "failover_int.h"

#include "pool/proc_table.h"
#include "utils/log.h"
#include "utils/shmem.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

FailoverQueue *failover_queue;

size_t
failover_shmem_size(void)
{
	return shmem_align(sizeof(FailoverQueue));
}

void
failover_shmem_init(pid_t parent_pid)
{
	failover_queue = shmem_alloc(sizeof(FailoverQueue));
	memset(failover_queue, 0, sizeof(*failover_queue));
	failover_queue->parent_pid = parent_pid;
}

pid_t
failover_parent_pid(void)
{
	return failover_queue ? failover_queue->parent_pid : 0;
}

uint32_t
failover_request(FailoverKind kind, int node_id, int flags)
{
	return failover_request_linked(kind, node_id, flags, 0);
}

uint32_t
failover_request_linked(FailoverKind kind, int node_id, int flags, uint32_t origin_ticket)
{
	FailoverQueue *q = failover_queue;
	uint32_t	ticket = 0;

	if (q == NULL)
		return 0;
	shmem_lock(SHMEM_LOCK_FAILOVER);
	if (q->count < FAILOVER_QUEUE_SIZE)
	{
		FailoverRequest *r = &q->requests[(q->head + q->count) % FAILOVER_QUEUE_SIZE];

		ticket = ++q->last_ticket;
		if (ticket == 0)		/* wrapped: 0 means "not queued" */
			ticket = ++q->last_ticket;
		r->ticket = ticket;
		r->kind = kind;
		r->node_id = node_id;
		r->flags = flags;
		r->requester = getpid();
		r->origin_ticket = origin_ticket;
		q->results[ticket % FAILOVER_RESULT_SLOTS].ticket = ticket;
		q->results[ticket % FAILOVER_RESULT_SLOTS].result = FAILOVER_PENDING;
		q->count++;
	}
	shmem_unlock(SHMEM_LOCK_FAILOVER);
	if (ticket == 0)
	{
		plog(PL_LOG, "failover request for node %d not queued: the request queue is full", node_id);
		return 0;
	}
	if (kind == FAILOVER_ATTACH)
		plog(PL_LOG, "send_failback_request: fail back %d th node request from pid %d", node_id,
			 (int) getpid());
	else
		plog(PL_LOG, "%s request for node %d from pid %d",
			 kind == FAILOVER_DETACH ? "fail over" : "promote", node_id, (int) getpid());
	if (kill(q->parent_pid, SIGUSR1) < 0)
		plog(PL_LOG, "could not send failover request to the main process (pid %d): %m",
			 (int) q->parent_pid);
	return ticket;
}

bool
failover_queue_pop(FailoverRequest *out)
{
	FailoverQueue *q = failover_queue;
	bool		found = false;

	shmem_lock(SHMEM_LOCK_FAILOVER);
	if (q->count > 0)
	{
		*out = q->requests[q->head];
		q->head = (q->head + 1) % FAILOVER_QUEUE_SIZE;
		q->count--;
		q->current_ticket = out->ticket;
		found = true;
	}
	shmem_unlock(SHMEM_LOCK_FAILOVER);
	return found;
}

void
failover_queue_finish(uint32_t ticket, FailoverResult result)
{
	FailoverTicketResult *slot = &failover_queue->results[ticket % FAILOVER_RESULT_SLOTS];

	shmem_lock(SHMEM_LOCK_FAILOVER);
	/*
	 * "Still pending" never replaces an answer: a request handed to the
	 * watchdog may be refused before the parent marks it pending.
	 */
	if (slot->ticket == ticket && !(result == FAILOVER_PENDING && slot->result != FAILOVER_PENDING))
		slot->result = result;
	if (failover_queue->current_ticket == ticket)
		failover_queue->current_ticket = 0;
	shmem_unlock(SHMEM_LOCK_FAILOVER);
}

void
failover_finish_ticket(uint32_t ticket, FailoverResult result)
{
	FailoverTicketResult *slot;

	if (failover_queue == NULL || ticket == 0)
		return;
	slot = &failover_queue->results[ticket % FAILOVER_RESULT_SLOTS];
	shmem_lock(SHMEM_LOCK_FAILOVER);
	if (slot->ticket == ticket && slot->result == FAILOVER_PENDING)
		slot->result = result;
	shmem_unlock(SHMEM_LOCK_FAILOVER);
}

/* Our ticket's result; *busy_elsewhere says whether the parent handles another one. */
static FailoverResult
ticket_result(uint32_t ticket, bool *busy_elsewhere)
{
	FailoverTicketResult *slot = &failover_queue->results[ticket % FAILOVER_RESULT_SLOTS];
	FailoverResult r;

	shmem_lock(SHMEM_LOCK_FAILOVER);
	/* a slot reused by a later ticket means ours finished long ago */
	r = slot->ticket == ticket ? (FailoverResult) slot->result : FAILOVER_DONE;
	*busy_elsewhere = failover_queue->current_ticket != 0 && failover_queue->current_ticket != ticket;
	shmem_unlock(SHMEM_LOCK_FAILOVER);
	return r;
}

FailoverResult
failover_wait(uint32_t ticket, int timeout_ms)
{
	int			waited = 0;
	int			busy_for = 0;

	if (ticket == 0)
		return FAILOVER_QUEUE_FULL;
	for (;;)
	{
		bool		busy;
		FailoverResult r = ticket_result(ticket, &busy);
		struct timespec ts = {0, 50 * 1000000L};

		if (r != FAILOVER_PENDING)
			return r;
		busy_for = busy ? busy_for + 50 : 0;
		if (busy_for >= 1000)
			return FAILOVER_QUEUED;
		if (kill(failover_queue->parent_pid, 0) < 0 && errno == ESRCH)
			return FAILOVER_NO_PARENT;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return FAILOVER_TIMEOUT;
		nanosleep(&ts, NULL);
		waited += 50;
	}
}

const char *
failover_result_text(FailoverResult r)
{
	switch (r)
	{
		case FAILOVER_PENDING:
			return "the request is still pending";
		case FAILOVER_DONE:
			return "done";
		case FAILOVER_INVALID_NODE:
			return "invalid node id";
		case FAILOVER_DISALLOWED:
			return "failover is not allowed for this node (backend_flag is DISALLOW_TO_FAILOVER)";
		case FAILOVER_NODE_NOT_UP:
			return "the node is not up";
		case FAILOVER_QUEUE_FULL:
			return "the failover request queue is full";
		case FAILOVER_NO_PARENT:
			return "the pgpool main process is not running";
		case FAILOVER_TIMEOUT:
			return "timed out waiting for the request to be handled";
		case FAILOVER_QUEUED:
			return "queued behind another request the main process is handling";
		case FAILOVER_NO_QUORUM:
			return "the watchdog cluster does not hold the quorum";
		case FAILOVER_NO_CONSENSUS:
			return "the watchdog cluster has not reached the consensus";
		case FAILOVER_NO_LEADER:
			return "the watchdog cluster has no leader";
		case FAILOVER_ROUTED:
			return "routed to the watchdog cluster leader";
	}
	return "unknown result";
}

bool
failover_wait_for_clients(const PoolConfig *cfg)
{
	double		deadline = clock_monotonic_s() + cfg->recovery_timeout;

	if (cfg->client_idle_limit_in_recovery == -1)
		return true;
	for (;;)
	{
		int			connected = 0;
		struct timespec ts = {0, 100 * 1000000L};

		for (int i = 0; i < proc_table->num_children; i++)
			if (proc_info(i)->pid > 0 && proc_info(i)->client_connected)
				connected++;
		if (connected == 0)
			return true;
		if (clock_monotonic_s() >= deadline)
		{
			plog_ex(PL_LOG, log_fmt("%d clients are still connected", connected), NULL,
					"recovery_timeout (%d seconds) expired while waiting for clients to disconnect",
					cfg->recovery_timeout);
			return false;
		}
		nanosleep(&ts, NULL);
	}
}
