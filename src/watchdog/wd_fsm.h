/*
 * wd_fsm.h: the watchdog node state machine, pure (no I/O, no clock): the
 * watchdog process feeds it messages, lifecheck verdicts and ticks with the
 * current monotonic time, and sends what it asks for.  Escalation follows
 * from wd_fsm_should_escalate().  Unit-tested in test/unit/test_watchdog.c.
 *
 * Election: a node that finds no leader while JOINING stands for leader;
 * peers reject it when they follow a live leader or are better candidates
 * themselves (higher wd_priority, then earlier start, then lower node id),
 * else accept and wait (PARTICIPATING IN ELECTION).  Unrejected after
 * WD_STAND_MS it declares itself LEADER.  Two leaders that meet (a healed
 * partition) compare the same way and the worse one resigns at once.
 */
#ifndef PGPOOL_WATCHDOG_WD_FSM_H
#define PGPOOL_WATCHDOG_WD_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "watchdog/watchdog.h"
#include "wd_message.h"

#define WD_JOIN_MS 1500			/* JOINING: listen this long for a leader */
#define WD_STAND_MS 1000		/* STANDING FOR LEADER: wait this long for rejections */
#define WD_PARTICIPATE_MS 4000	/* PARTICIPATING: wait this long for the declaration */
#define WD_SETTLE_MS 1000		/* quorum regained, or another leader seen: wait before taking the VIP */

typedef struct WdPeer
{
	bool		seen;			/* ever heard from */
	bool		connected;		/* no known disconnection since last heard */
	bool		lost;			/* lifecheck verdict */
	bool		shutdown;		/* said QUIT */
	int			state;			/* as it last said */
	int			leader;
	int			priority;
	int64_t		start_us;
	int64_t		last_ms;		/* when heard from last */
	int			membership;		/* WdMembership: counted in the quorum when WD_MEMBER */
	int64_t		down_since_ms;	/* not alive since (0: alive) */
} WdPeer;

typedef struct WdFsm
{
	int			nnodes;
	int			self;
	int			priority;
	int64_t		start_us;
	bool		half_votes;		/* enable_consensus_with_half_votes */
	int64_t		silence_ms;		/* a peer silent this long is unreachable */
	int			state;
	int64_t		state_since_ms;
	int			leader;
	bool		rejected;		/* our candidacy was rejected */
	bool		isolated;		/* trusted servers unreachable */
	bool		net_trouble;	/* every monitored interface is down */
	int64_t		init_ms;
	/* membership: wd_remove_shutdown_nodes, wd_lost_node_removal_timeout,
	 * wd_no_show_node_removal_timeout (ms; 0 = never) */
	int64_t		quorum_since_ms;	/* the quorum has held since (0: it does not) */
	int64_t		conflict_ms;	/* a live peer last claimed or followed another leader */
	bool		remove_shutdown;
	int64_t		lost_removal_ms;
	int64_t		noshow_removal_ms;
	WdPeer		peers[WD_MAX_NODES];	/* peers[self] unused */
} WdFsm;

/* What the machine wants sent: to one node, or to all (to = -1). */
#define WD_OUT_MAX (WD_MAX_NODES + 8)
typedef struct WdOut
{
	int			n;
	struct
	{
		int			to;
		char		type;
	}			msg[WD_OUT_MAX];
} WdOut;

void		wd_fsm_init(WdFsm *f, int nnodes, int self, int priority, int64_t start_us,
						bool half_votes, int64_t silence_ms, int64_t now_ms);

/* A message from a peer (already authenticated). */
void		wd_fsm_on_message(WdFsm *f, const WdMessage *m, int64_t now_ms, WdOut *out);

/* Timers: call at least every 200 ms. */
void		wd_fsm_on_tick(WdFsm *f, int64_t now_ms, WdOut *out);

/* The connection to a peer failed or closed: it is unreachable until heard again. */
void		wd_fsm_on_disconnect(WdFsm *f, int peer, int64_t now_ms, WdOut *out);

/* Lifecheck verdicts. */
void		wd_fsm_set_lost(WdFsm *f, int peer, bool lost, int64_t now_ms, WdOut *out);
void		wd_fsm_set_isolated(WdFsm *f, bool isolated, int64_t now_ms, WdOut *out);

/* wd_monitoring_interfaces_list: are all the monitored interfaces down? */
void		wd_fsm_set_network_trouble(WdFsm *f, bool trouble, int64_t now_ms, WdOut *out);

/* Membership settings (reloadable): seconds, 0 = never. */
void		wd_fsm_set_membership(WdFsm *f, bool remove_shutdown, int lost_removal_s, int noshow_removal_s);

/* Nodes with membership, this one included: the quorum counts over them. */
int			wd_fsm_member_count(const WdFsm *f);

/* Is the peer alive as far as this node knows? */
bool		wd_fsm_peer_alive(const WdFsm *f, int peer);

/* The state to show for node i (LOST / SHUTDOWN / DEAD for peers not alive). */
int			wd_fsm_node_state(const WdFsm *f, int i);

int			wd_fsm_alive_count(const WdFsm *f);	/* this node included */
int			wd_fsm_quorum(const WdFsm *f);	/* WD_QUORUM_* */
int			wd_fsm_quorum_required(const WdFsm *f);

/*
 * Should this node hold the VIP (leader with quorum, no live peer claiming
 * or following another leader)?
 */
bool		wd_fsm_should_escalate(const WdFsm *f);

/*
 * May it take the VIP now?  Besides, the quorum must have held and no
 * other leader been seen for WD_SETTLE_MS: a leader that gets its quorum
 * back as a partition heals waits to hear of the other side's leader (and
 * resign) instead of taking the address the other leader still holds.
 */
bool		wd_fsm_escalate_now(const WdFsm *f, int64_t now_ms);

/* Is candidate a better leader than b?  (priority, start time, node id) */
bool		wd_fsm_better(int prio_a, int64_t start_a, int id_a, int prio_b, int64_t start_b, int id_b);

#endif
