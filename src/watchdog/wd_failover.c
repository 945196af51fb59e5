/*
 * wd_failover.c: backend failover across the pgpools of a watchdog
 * cluster.  Runs in the watchdog process, except wd_failover_route() (the
 * parent's failover_route_hook) and wd_request_cluster_command() (a PCP
 * worker), which only put a request on the ring in WdShared and wake the
 * watchdog with SIGUSR2.
 *
 * A request (a failed health check, a child that lost a backend,
 * pcp_detach_node / pcp_attach_node / pcp_promote_node) goes to the
 * leader.  The leader refuses it without the quorum when
 * failover_when_quorum_exists is on; a failure-driven detach with
 * failover_require_consensus waits until as many pgpools as the quorum
 * needs saw the failure (one vote each, more with
 * allow_multiple_failover_requests_from_node).  Then the leader sends
 * FAILOVER to every pgpool and queues the request in its own parent: every
 * pgpool applies the same status, only the leader runs failover_command.
 * The leader's INFO carries its backend status, and a standby takes it
 * when its own differs for a while (a pgpool that joins, a lost message).
 */
#include "wd_int.h"
#include "wd_vote.h"

#include "pool/node_table.h"
#include "utils/clock.h"
#include "utils/log.h"
#include "utils/shmem.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WD_PENDING_MAX 64
#define WD_PENDING_MS 10000		/* a routed request unanswered this long times out */
#define WD_VOTE_MIN_MS 15000	/* votes for a node are forgotten after this (at least) */
#define WD_SYNC_MS 2000			/* a difference with the leader's status older than this is taken */

typedef struct Pending
{
	uint32_t	ticket;
	int			requester;		/* pid, for the quarantine's log line */
	int64_t		deadline_ms;
} Pending;

static Pending pending[WD_PENDING_MAX];
static WdVote votes[MAX_BACKENDS];
static int64_t mismatch_since[MAX_BACKENDS];

static const char *
kind_name(int kind)
{
	return kind == FAILOVER_DETACH ? "DEGENERATE_BACKEND_REQUEST" :
		kind == FAILOVER_ATTACH ? "FAILBACK_REQUEST" : "PROMOTE_NODE_REQUEST";
}

/* ---- the ring (any process) --------------------------------------------------- */

static bool
ring_put(const WdRequest *r)
{
	bool		ok = false;

	if (wd_shared == NULL)
		return false;
	shmem_lock(SHMEM_LOCK_WATCHDOG);
	if (wd_shared->req_count < WD_REQ_RING)
	{
		wd_shared->req[(wd_shared->req_head + wd_shared->req_count) % WD_REQ_RING] = *r;
		wd_shared->req_count++;
		ok = true;
	}
	shmem_unlock(SHMEM_LOCK_WATCHDOG);
	if (ok && wd_shared->watchdog_pid > 0)
		kill(wd_shared->watchdog_pid, SIGUSR2);
	return ok;
}

static bool
ring_take(WdRequest *out)
{
	bool		found = false;

	shmem_lock(SHMEM_LOCK_WATCHDOG);
	if (wd_shared->req_count > 0)
	{
		*out = wd_shared->req[wd_shared->req_head];
		wd_shared->req_head = (wd_shared->req_head + 1) % WD_REQ_RING;
		wd_shared->req_count--;
		found = true;
	}
	shmem_unlock(SHMEM_LOCK_WATCHDOG);
	return found;
}

bool
wd_failover_route(FailoverKind kind, int node_id, int flags, uint32_t ticket, pid_t requester)
{
	WdRequest	r = {WD_REQ_FAILOVER, kind, node_id, flags, ticket, 0, (int) requester};

	if (!ring_put(&r))
	{
		plog(PL_LOG, "failover request for node %d not sent to the watchdog: its queue is full", node_id);
		failover_finish_ticket(ticket, FAILOVER_QUEUE_FULL);
	}
	return true;
}

bool
wd_request_cluster_command(WdRequestWhat what, char mode)
{
	WdRequest	r = {what, 0, -1, 0, 0, mode, 0};
	struct timespec ts = {0, 20 * 1000000L};

	if (!ring_put(&r))
		return false;
	/* the local stop follows our reply: let the watchdog send it first */
	for (int i = 0; i < 50 && wd_shared->req_count > 0; i++)
		nanosleep(&ts, NULL);
	return true;
}

/* ---- tickets waiting for the leader's answer ------------------------------------ */

static void
pending_add(uint32_t ticket, int requester)
{
	for (int i = 0; i < WD_PENDING_MAX; i++)
		if (pending[i].ticket == 0)
		{
			pending[i].ticket = ticket;
			pending[i].requester = requester;
			pending[i].deadline_ms = clock_monotonic_ms() + WD_PENDING_MS;
			return;
		}
}

/* Forget a ticket; returns its requester's pid (0 if unknown). */
static int
pending_done(uint32_t ticket)
{
	int			pid = 0;

	for (int i = 0; i < WD_PENDING_MAX; i++)
		if (pending[i].ticket == ticket)
		{
			pid = pending[i].requester;
			pending[i].ticket = 0;
		}
	return pid;
}

/*
 * A failure-driven detach the cluster did not carry out for want of quorum
 * or consensus: this pgpool alone stops using the node (quarantine) until
 * its health check succeeds again or the cluster detaches it.
 */
static void
quarantine_if_refused(int kind, int node, int flags, int requester, FailoverResult res)
{
	if (kind != FAILOVER_DETACH || (flags & FAILOVER_FLAG_FROM_PCP) ||
		(res != FAILOVER_NO_QUORUM && res != FAILOVER_NO_CONSENSUS) ||
		node < 0 || node >= node_table->num_backends || node_table->nodes[node].status == NODE_STATUS_DOWN)
		return;
	plog_ex(PL_LOG, res == FAILOVER_NO_QUORUM ? "watchdog does not hold the quorum" :
			"watchdog is taking time to build consensus", NULL,
			"degenerate backend request for 1 node(s) from pid [%d], is changed to quarantine node request by watchdog",
			requester);
	failover_request(FAILOVER_DETACH, node,
					 FAILOVER_FLAG_CLUSTER | FAILOVER_FLAG_NO_COMMAND | FAILOVER_FLAG_QUARANTINE);
}

/* ---- the leader ----------------------------------------------------------------- */

static void
send_failover(int to, int kind, int node, int flags, int origin, uint32_t ticket, int result)
{
	char		pl[96];

	snprintf(pl, sizeof(pl), "%d %d %d %d %u %d", kind, node, flags, origin, ticket, result);
	wd_send(to, WD_MSG_FAILOVER_DO, pl);
}

/* Tell the origin its request was not carried out. */
static void
refuse(const WdFsm *f, int origin, int kind, int node, int flags, uint32_t ticket, FailoverResult res,
	   int requester)
{
	if (origin == f->self)
	{
		quarantine_if_refused(kind, node, flags, requester, res);
		failover_finish_ticket(ticket, res);
	}
	else
		send_failover(origin, kind, node, flags, origin, ticket, res);
}

static int64_t
vote_window_ms(void)
{
	int64_t		cycle = 1000LL * (pool_config->health_check_period +
								  pool_config->health_check_max_retries *
								  pool_config->health_check_retry_delay);

	return cycle * 3 > WD_VOTE_MIN_MS ? cycle * 3 : WD_VOTE_MIN_MS;
}

/* Count origin's vote for detaching node: true when the votes make the consensus. */
static bool
count_vote(const WdFsm *f, int origin, int node)
{
	WdVote	   *v = &votes[node];
	int			need = wd_fsm_quorum_required(f);

	switch (wd_vote_cast(v, origin, need, pool_config->allow_multiple_failover_requests_from_node,
						 clock_monotonic_ms()))
	{
		case WD_VOTE_DUPLICATE:
			plog_ex(PL_LOG, log_fmt("watchdog node %d has already voted for the failover of backend node %d",
									origin, node), NULL,
					"duplicate failover request from the same pgpool-II node ignored");
			return false;
		case WD_VOTE_NOTED:
			plog_ex(PL_LOG, log_fmt("failover request noted: %d of the %d votes needed for backend node %d",
									v->count, need, node), NULL,
					"failover requires the majority vote, waiting for consensus");
			return false;
		case WD_VOTE_CONSENSUS:
			break;
	}
	plog_ex(PL_LOG, log_fmt("%d node(s) voted in the favor", need), NULL,
			"we have got the consensus to perform the failover");
	return true;
}

/* The leader decides on a request from origin (maybe itself). */
static void
leader_consider(const WdFsm *f, int origin, int kind, int node, int flags, uint32_t ticket,
				int requester)
{
	int			q = wd_fsm_quorum(f);
	bool		quorum = q == WD_QUORUM_EXISTS || (q == WD_QUORUM_EDGE && f->half_votes);

	if (node < 0 || node >= MAX_BACKENDS || kind < FAILOVER_DETACH || kind > FAILOVER_PROMOTE)
	{
		refuse(f, origin, kind, node, flags, ticket, FAILOVER_INVALID_NODE, requester);
		return;
	}
	plog(PL_LOG, "watchdog received the failover command from pgpool-II node %d: %s for backend node %d",
		 origin, kind_name(kind), node);
	if (pool_config->failover_when_quorum_exists && !quorum)
	{
		plog_ex(PL_LOG, "Rejecting the failover request", NULL,
				"failover requires the quorum to hold, which is not present at the moment");
		refuse(f, origin, kind, node, flags, ticket, FAILOVER_NO_QUORUM, requester);
		return;
	}
	if (kind == FAILOVER_DETACH && !(flags & FAILOVER_FLAG_FROM_PCP) &&
		pool_config->failover_require_consensus && !count_vote(f, origin, node))
	{
		refuse(f, origin, kind, node, flags, ticket, FAILOVER_NO_CONSENSUS, requester);
		return;
	}
	plog(PL_LOG, "processing the failover command [%s] for backend node %d on all pgpool-II nodes",
		 kind_name(kind), node);
	send_failover(-1, kind, node, flags, origin, ticket, FAILOVER_DONE);
	mismatch_since[node] = 0;
	failover_request_linked((FailoverKind) kind, node, flags | FAILOVER_FLAG_CLUSTER,
							origin == f->self ? ticket : 0);
}

/* ---- every node ------------------------------------------------------------------ */

static void
route_request(const WdFsm *f, const WdRequest *r)
{
	char		pl[64];

	if (f->state == WD_STATE_LEADER)
	{
		leader_consider(f, f->self, r->kind, r->node_id, r->flags, r->ticket, r->requester);
		return;
	}
	if (f->state != WD_STATE_STANDBY || f->leader < 0)
	{
		plog_ex(PL_LOG, log_fmt("the watchdog cluster has no leader: this node is %s",
								wd_state_name(f->state)), NULL,
				"failover request for backend node %d rejected", r->node_id);
		failover_finish_ticket(r->ticket, FAILOVER_NO_LEADER);
		return;
	}
	if (pool_config->failover_when_quorum_exists && wd_fsm_quorum(f) != WD_QUORUM_EXISTS &&
		!(wd_fsm_quorum(f) == WD_QUORUM_EDGE && f->half_votes))
	{
		/* the leader would refuse too; and a leader this node lost sight of never answers */
		plog_ex(PL_LOG, "Rejecting the failover request", NULL,
				"failover requires the quorum to hold, which is not present at the moment");
		refuse(f, f->self, r->kind, r->node_id, r->flags, r->ticket, FAILOVER_NO_QUORUM, r->requester);
		return;
	}
	snprintf(pl, sizeof(pl), "%d %d %d %u", r->kind, r->node_id, r->flags, r->ticket);
	plog(PL_LOG, "sending the failover request [%s] for backend node %d to the watchdog cluster leader node %d",
		 kind_name(r->kind), r->node_id, f->leader);
	wd_send(f->leader, WD_MSG_FAILOVER_REQ, pl);
	pending_add(r->ticket, r->requester);
}

static void
send_command(const WdRequest *r)
{
	char		pl[4] = {r->what == WD_REQ_STOP ? 'T' : 'H', r->mode ? r->mode : 's', '\0'};

	plog(PL_LOG, "watchdog: sending the %s command to every pgpool-II node of the cluster",
		 r->what == WD_REQ_STOP ? "shutdown" : "reload");
	wd_send(-1, WD_MSG_COMMAND, pl);
}

void
wd_failover_poll(const WdFsm *f)
{
	WdRequest	r;
	int64_t		now = clock_monotonic_ms();
	int64_t		window = vote_window_ms();

	while (ring_take(&r))
	{
		if (r.what == WD_REQ_FAILOVER)
			route_request(f, &r);
		else
			send_command(&r);
	}
	for (int i = 0; i < WD_PENDING_MAX; i++)
		if (pending[i].ticket && now >= pending[i].deadline_ms)
		{
			plog(PL_LOG, "no answer from the watchdog cluster leader to the failover request (ticket %u)",
				 pending[i].ticket);
			failover_finish_ticket(pending[i].ticket, FAILOVER_TIMEOUT);
			pending[i].ticket = 0;
		}
	for (int i = 0; i < MAX_BACKENDS; i++)
		if (wd_vote_expire(&votes[i], now, f->state == WD_STATE_LEADER ? window : -1))
			plog(PL_LOG, "the failover votes for backend node %d expired without consensus", i);
}

void
wd_failover_flush_commands(void)
{
	WdRequest	r;

	while (ring_take(&r))
	{
		if (r.what == WD_REQ_FAILOVER)
			failover_finish_ticket(r.ticket, FAILOVER_NO_LEADER);
		else
			send_command(&r);
	}
}

void
wd_failover_status_payload(char *buf, size_t cap)
{
	size_t		n = 0;

	buf[n++] = 'B';
	for (int i = 0; i < node_table->num_backends && n + 1 < cap; i++)
	{
		int			st = node_table->nodes[i].status;

		/* a quarantine is this pgpool's own: the cluster still sees the node up */
		if (node_table->nodes[i].quarantine)
			st = NODE_STATUS_UP;
		buf[n++] = st == NODE_STATUS_UNUSED ? '-' : st == NODE_STATUS_DOWN ? 'd' : 'u';
	}
	buf[n] = '\0';
}

/* A standby takes the leader's backend status where it differs for WD_SYNC_MS. */
static void
sync_status(const char *payload)
{
	int64_t		now = clock_monotonic_ms();
	int			n = (int) strlen(payload + 1);

	for (int i = 0; i < n && i < node_table->num_backends; i++)
	{
		char		want = payload[1 + i];
		int			st = node_table->nodes[i].status;
		bool		differs = (want == 'd' && (st == NODE_STATUS_UP || st == NODE_STATUS_CONNECT_WAIT ||
											   node_table->nodes[i].quarantine)) ||
			(want == 'u' && st == NODE_STATUS_DOWN && !node_table->nodes[i].quarantine);

		if (!differs)
			mismatch_since[i] = 0;
		else if (mismatch_since[i] == 0)
			mismatch_since[i] = now;
		else if (now - mismatch_since[i] >= WD_SYNC_MS)
		{
			plog(PL_LOG, "backend node %d is %s on the watchdog cluster leader: taking the leader's backend status",
				 i, want == 'd' ? "down" : "up");
			failover_request(want == 'd' ? FAILOVER_DETACH : FAILOVER_ATTACH, i,
							 FAILOVER_FLAG_CLUSTER | FAILOVER_FLAG_NO_COMMAND);
			mismatch_since[i] = now;
		}
	}
}

/* FAILOVER from the leader: apply, or (a refusal) finish our ticket. */
static void
on_failover(const WdFsm *f, const WdMessage *m)
{
	int			kind, node, flags, origin, result;
	unsigned	ticket;

	if (sscanf(m->payload, "%d %d %d %d %u %d", &kind, &node, &flags, &origin, &ticket, &result) != 6)
		return;
	if (result != FAILOVER_DONE)
	{
		int			requester;

		if (origin != f->self)
			return;
		requester = pending_done(ticket);
		plog(PL_LOG, "the watchdog cluster leader node %d did not carry out the failover request for backend node %d: %s",
			 m->sender, node, failover_result_text((FailoverResult) result));
		quarantine_if_refused(kind, node, flags, requester, (FailoverResult) result);
		failover_finish_ticket(ticket, (FailoverResult) result);
		return;
	}
	plog(PL_LOG, "received the failover command [%s] for backend node %d from the watchdog cluster leader node %d",
		 kind_name(kind), node, m->sender);
	if (origin == f->self)
		pending_done(ticket);
	if (node >= 0 && node < MAX_BACKENDS)
		mismatch_since[node] = 0;
	failover_request_linked((FailoverKind) kind, node,
							flags | FAILOVER_FLAG_CLUSTER | FAILOVER_FLAG_NO_COMMAND,
							origin == f->self ? ticket : 0);
}

static void
on_request(const WdFsm *f, const WdMessage *m)
{
	int			kind, node, flags;
	unsigned	ticket;

	if (sscanf(m->payload, "%d %d %d %u", &kind, &node, &flags, &ticket) != 4)
		return;
	if (f->state != WD_STATE_LEADER)
	{
		send_failover(m->sender, kind, node, flags, m->sender, ticket, FAILOVER_NO_LEADER);
		return;
	}
	leader_consider(f, m->sender, kind, node, flags, ticket, 0);
}

static void
on_command(const WdMessage *m)
{
	int			sig;

	if (m->payload[0] == 'H')
		sig = SIGHUP;
	else if (m->payload[0] == 'T')
		sig = m->payload[1] == 'f' ? SIGINT : m->payload[1] == 'i' ? SIGQUIT : SIGTERM;
	else
		return;
	plog(PL_LOG, "watchdog: received the %s command from pgpool-II node %d",
		 sig == SIGHUP ? "reload" : "shutdown", m->sender);
	kill(getppid(), sig);
}

void
wd_failover_on_message(const WdFsm *f, const WdMessage *m)
{
	WdMessage	copy = *m;

	/* payloads are text: make sure of the terminator */
	copy.payload[copy.payload_len < WD_MAX_PAYLOAD ? copy.payload_len : WD_MAX_PAYLOAD - 1] = '\0';
	switch (m->type)
	{
		case WD_MSG_FAILOVER_REQ:
			on_request(f, &copy);
			break;
		case WD_MSG_FAILOVER_DO:
			on_failover(f, &copy);
			break;
		case WD_MSG_COMMAND:
			on_command(&copy);
			break;
		case WD_MSG_INFO:
			if (f->state == WD_STATE_STANDBY && m->sender == f->leader && copy.payload[0] == 'B')
				sync_status(copy.payload);
			break;
		default:
			break;
	}
}
