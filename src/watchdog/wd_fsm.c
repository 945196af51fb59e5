/*
 * wd_fsm.c: the watchdog node state machine (see wd_fsm.h).  Every state
 * change goes through set_state(), which logs it in the manual's words and
 * asks for an INFO to every peer, so the peers' view follows at once.
 * Runs inside the watchdog process; pure apart from the log lines.
 */
#include "wd_fsm.h"

#include "utils/log.h"

#include <string.h>

#define WD_REJOIN_MS 300		/* JOINING after the leader was lost: a short look around */

/* Isolated by the trusted servers or by the monitored interfaces. */
static inline bool
cut_off(const WdFsm *f)
{
	return f->isolated || f->net_trouble;
}

static void
emit(WdOut *out, int to, char type)
{
	if (out && out->n < WD_OUT_MAX)
	{
		out->msg[out->n].to = to;
		out->msg[out->n].type = type;
		out->n++;
	}
}

static void
set_state(WdFsm *f, int state, int64_t now_ms, WdOut *out)
{
	if (f->state == state)
		return;
	plog(PL_LOG, "watchdog node state changed from [%s] to [%s]", wd_state_name(f->state),
		 wd_state_name(state));
	f->state = state;
	f->state_since_ms = now_ms;
	emit(out, -1, WD_MSG_INFO);
}

bool
wd_fsm_better(int prio_a, int64_t start_a, int id_a, int prio_b, int64_t start_b, int id_b)
{
	if (prio_a != prio_b)
		return prio_a > prio_b;
	if (start_a != start_b)
		return start_a < start_b;
	return id_a < id_b;
}

/* Is node a (maybe this node) a better leader than node b? */
static bool
node_better(const WdFsm *f, int a, int b)
{
	int			pa = a == f->self ? f->priority : f->peers[a].priority;
	int			pb = b == f->self ? f->priority : f->peers[b].priority;
	int64_t		sa = a == f->self ? f->start_us : f->peers[a].start_us;
	int64_t		sb = b == f->self ? f->start_us : f->peers[b].start_us;

	return wd_fsm_better(pa, sa, a, pb, sb, b);
}

void
wd_fsm_init(WdFsm *f, int nnodes, int self, int priority, int64_t start_us, bool half_votes,
			int64_t silence_ms, int64_t now_ms)
{
	memset(f, 0, sizeof(*f));
	f->nnodes = nnodes;
	f->self = self;
	f->priority = priority;
	f->start_us = start_us;
	f->half_votes = half_votes;
	f->silence_ms = silence_ms;
	f->state = WD_STATE_LOADING;
	f->state_since_ms = now_ms;
	f->leader = -1;
	f->init_ms = now_ms;
	for (int i = 0; i < nnodes; i++)
		f->peers[i].leader = -1;
}

void
wd_fsm_set_membership(WdFsm *f, bool remove_shutdown, int lost_removal_s, int noshow_removal_s)
{
	f->remove_shutdown = remove_shutdown;
	f->lost_removal_ms = 1000LL * lost_removal_s;
	f->noshow_removal_ms = 1000LL * noshow_removal_s;
}

int
wd_fsm_member_count(const WdFsm *f)
{
	int			n = 0;

	for (int i = 0; i < f->nnodes; i++)
		if (i == f->self || f->peers[i].membership == WD_MEMBER)
			n++;
	return n;
}

static void
revoke(WdPeer *p, int i, int why, const char *detail)
{
	if (p->membership == why)
		return;
	p->membership = why;
	plog_ex(PL_LOG, detail, NULL, "watchdog node %d is no longer a member of the cluster: %s", i,
			wd_membership_name(why));
}

/*
 * Membership: a node alive is a member; one that shut down (with
 * wd_remove_shutdown_nodes), was lost or never showed up for longer than
 * its timeout is not, so the quorum is counted without it.
 */
static void
update_membership(WdFsm *f, int64_t now_ms)
{
	for (int i = 0; i < f->nnodes; i++)
	{
		WdPeer	   *p = &f->peers[i];

		if (i == f->self)
			continue;
		if (wd_fsm_peer_alive(f, i))
		{
			if (p->membership != WD_MEMBER)
				plog(PL_LOG, "watchdog node %d is a member of the cluster again", i);
			p->membership = WD_MEMBER;
			p->down_since_ms = 0;
			continue;
		}
		if (p->down_since_ms == 0)
			p->down_since_ms = now_ms;
		if (p->seen && p->shutdown && f->remove_shutdown)
			revoke(p, i, WD_REVOKED_SHUTDOWN, "the node was shut down (wd_remove_shutdown_nodes)");
		else if (p->seen && !p->shutdown && f->lost_removal_ms > 0 &&
				 now_ms - p->down_since_ms >= f->lost_removal_ms)
			revoke(p, i, WD_REVOKED_LOST, "the node was lost for longer than wd_lost_node_removal_timeout");
		else if (!p->seen && f->noshow_removal_ms > 0 && now_ms - f->init_ms >= f->noshow_removal_ms)
			revoke(p, i, WD_REVOKED_NO_SHOW,
				   "the node did not show up within wd_no_show_node_removal_timeout");
	}
}

bool
wd_fsm_peer_alive(const WdFsm *f, int i)
{
	const WdPeer *p = &f->peers[i];

	if (i == f->self || i < 0 || i >= f->nnodes)
		return i == f->self && !cut_off(f);
	return p->seen && p->connected && !p->lost && !p->shutdown &&
		p->state != WD_STATE_NETWORK_ISOLATION && p->state != WD_STATE_IN_NETWORK_TROUBLE &&
		p->state != WD_STATE_SHUTDOWN &&
		p->state != WD_STATE_LOST && p->state != WD_STATE_DEAD;
}

int
wd_fsm_node_state(const WdFsm *f, int i)
{
	const WdPeer *p = &f->peers[i];

	if (i == f->self)
		return f->state;
	if (!p->seen)
		return WD_STATE_DEAD;
	if (p->shutdown)
		return WD_STATE_SHUTDOWN;
	if (p->lost || !p->connected)
		return WD_STATE_LOST;
	return p->state;
}

int
wd_fsm_alive_count(const WdFsm *f)
{
	int			n = 0;

	for (int i = 0; i < f->nnodes; i++)
		if (wd_fsm_peer_alive(f, i))
			n++;
	return n;
}

int
wd_fsm_quorum(const WdFsm *f)
{
	int			alive = wd_fsm_alive_count(f);
	int			members = wd_fsm_member_count(f);

	if (alive * 2 > members)
		return WD_QUORUM_EXISTS;
	if (alive * 2 == members)
		return WD_QUORUM_EDGE;
	return WD_QUORUM_ABSENT;
}

int
wd_fsm_quorum_required(const WdFsm *f)
{
	int			members = wd_fsm_member_count(f);

	if (f->half_votes && members % 2 == 0)
		return members / 2;
	return members / 2 + 1;
}

bool
wd_fsm_should_escalate(const WdFsm *f)
{
	int			q = wd_fsm_quorum(f);

	if (f->state != WD_STATE_LEADER || cut_off(f) ||
		!(q == WD_QUORUM_EXISTS || (q == WD_QUORUM_EDGE && f->half_votes)))
		return false;
	int			followers = 0;

	for (int i = 0; i < f->nnodes; i++)
	{
		if (i == f->self || !wd_fsm_peer_alive(f, i))
			continue;
		if (f->peers[i].state == WD_STATE_LEADER ||
			(f->peers[i].leader >= 0 && f->peers[i].leader != f->self))
			return false;
		if (f->peers[i].leader == f->self)
			followers++;
	}
	/*
	 * A majority must say it follows this node: a peer follows one leader
	 * at a time, so two leaders cannot both have one, even while messages
	 * between them are late (a loaded host, a healing partition).
	 */
	return followers + 1 >= wd_fsm_quorum_required(f);
}

bool
wd_fsm_escalate_now(const WdFsm *f, int64_t now_ms)
{
	return wd_fsm_should_escalate(f) && f->quorum_since_ms > 0 &&
		now_ms - f->quorum_since_ms >= WD_SETTLE_MS && now_ms - f->conflict_ms >= WD_SETTLE_MS;
}

/* Keep quorum_since_ms and conflict_ms (every tick). */
static void
note_quorum(WdFsm *f, int64_t now_ms)
{
	int			q = wd_fsm_quorum(f);
	bool		ok = !cut_off(f) && (q == WD_QUORUM_EXISTS || (q == WD_QUORUM_EDGE && f->half_votes));

	if (!ok)
		f->quorum_since_ms = 0;
	else if (f->quorum_since_ms == 0)
		f->quorum_since_ms = now_ms;
	for (int i = 0; i < f->nnodes; i++)
		if (i != f->self && wd_fsm_peer_alive(f, i) &&
			(f->peers[i].state == WD_STATE_LEADER ||
			 (f->peers[i].leader >= 0 && f->peers[i].leader != f->self)) &&
			f->state == WD_STATE_LEADER)
			f->conflict_ms = now_ms;
}

/* Follow node id as the leader. */
static void
follow(WdFsm *f, int id, int64_t now_ms, WdOut *out)
{
	if (f->leader != id)
		plog(PL_LOG, "setting the remote node %d as watchdog cluster leader", id);
	f->leader = id;
	set_state(f, WD_STATE_STANDBY, now_ms, out);
}

/* The best live peer that says it is the leader, or -1. */
static int
known_leader(const WdFsm *f)
{
	int			best = -1;

	for (int i = 0; i < f->nnodes; i++)
		if (i != f->self && wd_fsm_peer_alive(f, i) && f->peers[i].state == WD_STATE_LEADER &&
			(best < 0 || node_better(f, i, best)))
			best = i;
	return best;
}

/* A standby whose leader died, left or resigned starts over. */
static void
check_leader(WdFsm *f, int64_t now_ms, WdOut *out)
{
	if (f->state != WD_STATE_STANDBY)
		return;
	if (f->leader >= 0 && f->leader != f->self && wd_fsm_peer_alive(f, f->leader) &&
		f->peers[f->leader].state == WD_STATE_LEADER)
		return;
	plog(PL_LOG, "we have lost the cluster leader node %d", f->leader);
	f->leader = -1;
	set_state(f, WD_STATE_JOINING, now_ms, out);
	/* the others are starting over too: look around only briefly */
	f->state_since_ms = now_ms - (WD_JOIN_MS - WD_REJOIN_MS);
}

/* Peer id says it is the leader. */
static void
on_leader_claim(WdFsm *f, int id, int64_t now_ms, WdOut *out)
{
	if (cut_off(f))
		return;
	if (f->state == WD_STATE_LEADER)
	{
		if (!node_better(f, id, f->self))
		{
			emit(out, id, WD_MSG_DECLARE);	/* the other one resigns when it hears this */
			return;
		}
		plog_ex(PL_LOG, log_fmt("node %d has a higher priority or started earlier", id), NULL,
				"resigning from leader: another leader node was found in the cluster");
		follow(f, id, now_ms, out);
		return;
	}
	if (f->leader < 0 || f->leader == id || !wd_fsm_peer_alive(f, f->leader) ||
		f->peers[f->leader].state != WD_STATE_LEADER || node_better(f, id, f->leader))
		follow(f, id, now_ms, out);
}

/* Answer a candidacy. */
static void
on_stand(WdFsm *f, int id, int64_t now_ms, WdOut *out)
{
	bool		has_leader = f->state == WD_STATE_STANDBY && f->leader >= 0 &&
		wd_fsm_peer_alive(f, f->leader);
	bool		contender = f->state == WD_STATE_STANDING || f->state == WD_STATE_JOINING ||
		f->state == WD_STATE_INITIALIZING;

	if (cut_off(f))
		return;
	if (f->state == WD_STATE_LEADER || has_leader)
	{
		emit(out, id, WD_MSG_REJECT);
		emit(out, id, WD_MSG_INFO);
		return;
	}
	if (contender && node_better(f, f->self, id))
	{
		emit(out, id, WD_MSG_REJECT);
		if (f->state != WD_STATE_STANDING)
		{
			f->rejected = false;
			set_state(f, WD_STATE_STANDING, now_ms, out);
			emit(out, -1, WD_MSG_STAND);
		}
		return;
	}
	emit(out, id, WD_MSG_ACCEPT);
	f->leader = -1;
	set_state(f, WD_STATE_PARTICIPATING, now_ms, out);
}

void
wd_fsm_on_message(WdFsm *f, const WdMessage *m, int64_t now_ms, WdOut *out)
{
	WdPeer	   *p;
	bool		was_alive;

	if (m->sender < 0 || m->sender >= f->nnodes || m->sender == f->self)
		return;
	p = &f->peers[m->sender];
	was_alive = wd_fsm_peer_alive(f, m->sender);
	p->seen = true;
	p->connected = true;
	p->state = m->state;
	p->leader = m->leader;
	p->priority = m->priority;
	p->start_us = m->start_us;
	p->last_ms = now_ms;
	p->shutdown = m->type == WD_MSG_QUIT;
	if (!was_alive && wd_fsm_peer_alive(f, m->sender))
	{
		plog(PL_LOG, "remote node %d is alive: state [%s]", m->sender, wd_state_name(m->state));
		emit(out, m->sender, WD_MSG_INFO);
	}
	switch (m->type)
	{
		case WD_MSG_INFO:
		case WD_MSG_DECLARE:
			if (m->state == WD_STATE_LEADER)
				on_leader_claim(f, m->sender, now_ms, out);
			break;
		case WD_MSG_STAND:
			on_stand(f, m->sender, now_ms, out);
			break;
		case WD_MSG_REJECT:
			if (f->state == WD_STATE_STANDING)
				f->rejected = true;
			break;
		case WD_MSG_QUIT:
			plog(PL_LOG, "remote node %d is shutting down", m->sender);
			break;
		default:
			break;
	}
	check_leader(f, now_ms, out);
}

static void
stand_for_leader(WdFsm *f, int64_t now_ms, WdOut *out)
{
	set_state(f, WD_STATE_INITIALIZING, now_ms, out);
	f->rejected = false;
	f->leader = -1;
	set_state(f, WD_STATE_STANDING, now_ms, out);
	emit(out, -1, WD_MSG_STAND);
}

static void
become_leader(WdFsm *f, int64_t now_ms, WdOut *out)
{
	plog(PL_LOG, "I am announcing my self as leader/coordinator watchdog node");
	f->leader = f->self;
	set_state(f, WD_STATE_LEADER, now_ms, out);
	emit(out, -1, WD_MSG_DECLARE);
	plog(PL_LOG, "I am the cluster leader node");
}

static void
expire_silent_peers(WdFsm *f, int64_t now_ms)
{
	for (int i = 0; i < f->nnodes; i++)
	{
		WdPeer	   *p = &f->peers[i];

		if (i != f->self && p->seen && p->connected && now_ms - p->last_ms > f->silence_ms)
		{
			p->connected = false;
			plog(PL_LOG, "remote node %d is not replying our messages", i);
		}
	}
}

void
wd_fsm_on_tick(WdFsm *f, int64_t now_ms, WdOut *out)
{
	int64_t		in_state = now_ms - f->state_since_ms;
	int			leader;

	expire_silent_peers(f, now_ms);
	check_leader(f, now_ms, out);
	update_membership(f, now_ms);
	note_quorum(f, now_ms);
	if (cut_off(f))
		return;
	switch (f->state)
	{
		case WD_STATE_LOADING:
			set_state(f, WD_STATE_JOINING, now_ms, out);
			break;
		case WD_STATE_JOINING:
			if ((leader = known_leader(f)) >= 0)
				follow(f, leader, now_ms, out);
			else if (in_state >= WD_JOIN_MS)
				stand_for_leader(f, now_ms, out);
			break;
		case WD_STATE_STANDING:
			if (f->rejected)
				set_state(f, WD_STATE_JOINING, now_ms, out);
			else if (in_state >= WD_STAND_MS)
				become_leader(f, now_ms, out);
			break;
		case WD_STATE_PARTICIPATING:
			if ((leader = known_leader(f)) >= 0)
				follow(f, leader, now_ms, out);
			else if (in_state >= WD_PARTICIPATE_MS)
				set_state(f, WD_STATE_JOINING, now_ms, out);
			break;
		default:
			break;
	}
}

void
wd_fsm_on_disconnect(WdFsm *f, int peer, int64_t now_ms, WdOut *out)
{
	if (peer < 0 || peer >= f->nnodes || peer == f->self || !f->peers[peer].connected)
		return;
	f->peers[peer].connected = false;
	if (f->peers[peer].seen)
		plog(PL_LOG, "remote node %d is not reachable: connection closed", peer);
	check_leader(f, now_ms, out);
}

void
wd_fsm_set_lost(WdFsm *f, int peer, bool lost, int64_t now_ms, WdOut *out)
{
	if (peer < 0 || peer >= f->nnodes || peer == f->self || f->peers[peer].lost == lost)
		return;
	f->peers[peer].lost = lost;
	if (lost)
		plog(PL_LOG, "watchdog node %d is lost: the lifecheck failed", peer);
	else
		plog(PL_LOG, "watchdog node %d is alive again: the lifecheck succeeded", peer);
	check_leader(f, now_ms, out);
}

void
wd_fsm_set_isolated(WdFsm *f, bool isolated, int64_t now_ms, WdOut *out)
{
	if (f->isolated == isolated)
		return;
	f->isolated = isolated;
	if (isolated)
	{
		plog_ex(PL_WARNING, NULL, "the node resigns from the cluster until they answer again",
				"none of the trusted servers is reachable: this node is isolated from the network");
		f->leader = -1;
		set_state(f, WD_STATE_NETWORK_ISOLATION, now_ms, out);
		return;
	}
	plog(PL_LOG, "trusted servers are reachable again: rejoining the watchdog cluster");
	set_state(f, f->net_trouble ? WD_STATE_IN_NETWORK_TROUBLE : WD_STATE_JOINING, now_ms, out);
}

void
wd_fsm_set_network_trouble(WdFsm *f, bool trouble, int64_t now_ms, WdOut *out)
{
	if (f->net_trouble == trouble)
		return;
	f->net_trouble = trouble;
	if (trouble)
	{
		plog_ex(PL_WARNING, NULL, "the node resigns from the cluster until an interface is up again",
				"every network interface in wd_monitoring_interfaces_list is down: this node is in network trouble");
		f->leader = -1;
		set_state(f, WD_STATE_IN_NETWORK_TROUBLE, now_ms, out);
		return;
	}
	plog(PL_LOG, "a monitored network interface is up again: rejoining the watchdog cluster");
	set_state(f, f->isolated ? WD_STATE_NETWORK_ISOLATION : WD_STATE_JOINING, now_ms, out);
}
