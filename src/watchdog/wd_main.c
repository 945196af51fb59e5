/*
 * wd_main.c: the watchdog process.  One loop: wait for peer traffic (up to
 * 200 ms), feed messages, lifecheck verdicts and ticks to the state machine
 * (wd_fsm.c), send what it asks for, beacon this node's state every second,
 * hold the VIP exactly while the machine says so (wd_escalate.c), and
 * publish the view in shared memory for pcp_watchdog_info.
 */
#include "wd_fsm.h"
#include "wd_int.h"

#include "cache/qcache.h"
#include "utils/worker.h"
#include "utils/clock.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "utils/shmem.h"
#include "utils/signals.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define WD_BEACON_MS 1000

static WdFsm fsm;
static uint32_t seq;
static volatile sig_atomic_t got_shutdown;
static volatile sig_atomic_t got_reload;

int64_t
wd_now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t) tv.tv_sec * 1000000 + tv.tv_usec;
}

int
wd_count_watchdog(const PoolConfig *cfg)
{
	return cfg->use_watchdog ? 1 : 0;
}

static void
on_shutdown(int sig)
{
	(void) sig;
	got_shutdown = 1;
}

static void
on_reload(int sig)
{
	(void) sig;
	got_reload = 1;
}

static void
on_wake(int sig)
{
	(void) sig;					/* only ends the wait: the loop drains the request ring */
}

void
wd_send(int to, char type, const char *payload)
{
	WdMessage	m;
	char		status[WD_MAX_PAYLOAD];

	wd_msg_init(&m, type, fsm.self, fsm.state, fsm.leader, fsm.priority, fsm.start_us);
	m.seq = ++seq;
	/* every INFO carries the backend status: the standbys take the leader's */
	if (payload == NULL && type == WD_MSG_INFO)
	{
		wd_failover_status_payload(status, sizeof(status));
		payload = status;
	}
	if (payload)
	{
		size_t		len = strlen(payload);

		m.payload_len = (uint16_t) (len < WD_MAX_PAYLOAD ? len : WD_MAX_PAYLOAD);
		memcpy(m.payload, payload, m.payload_len);
	}
	wd_net_send(to, &m);
}

static void
send_msg(int to, char type)
{
	wd_send(to, type, NULL);
}

static void
send_out(const WdOut *out)
{
	for (int i = 0; i < out->n; i++)
		send_msg(out->msg[i].to, out->msg[i].type);
}

static void
on_message(void *arg, const WdMessage *m)
{
	WdOut		out = {0};

	(void) arg;
	wd_fsm_on_message(&fsm, m, clock_monotonic_ms(), &out);
	send_out(&out);
	wd_failover_on_message(&fsm, m);
}

static void
on_disconnect(void *arg, int peer)
{
	WdOut		out = {0};

	(void) arg;
	wd_fsm_on_disconnect(&fsm, peer, clock_monotonic_ms(), &out);
	send_out(&out);
}

/* The lifecheck process's verdicts, from shared memory. */
static void
take_lifecheck(WdOut *out)
{
	int64_t		now = clock_monotonic_ms();

	for (int i = 0; i < fsm.nnodes; i++)
		if (i != fsm.self)
			wd_fsm_set_lost(&fsm, i, wd_shared->nodes[i].lifecheck_lost != 0, now, out);
	wd_fsm_set_isolated(&fsm, wd_shared->isolated != 0, now, out);
	wd_fsm_set_membership(&fsm, pool_config->wd_remove_shutdown_nodes,
						  pool_config->wd_lost_node_removal_timeout,
						  pool_config->wd_no_show_node_removal_timeout);
}

/* wd_monitoring_interfaces_list, once a second. */
static void
check_interfaces(int64_t now, WdOut *out)
{
	static int64_t next;

	if (now < next)
		return;
	next = now + 1000;
	wd_fsm_set_network_trouble(&fsm, wd_netif_check(pool_config->wd_monitoring_interfaces_list) == 0,
							   now, out);
}

static void
publish(void)
{
	int			alive = 0;

	shmem_lock(SHMEM_LOCK_WATCHDOG);
	for (int i = 0; i < fsm.nnodes; i++)
	{
		wd_shared->nodes[i].state = wd_fsm_node_state(&fsm, i);
		if (i != fsm.self && fsm.peers[i].seen)
			wd_shared->nodes[i].priority = fsm.peers[i].priority;
		if (i != fsm.self && wd_fsm_peer_alive(&fsm, i))
			alive++;
	}
	wd_shared->leader = fsm.leader;
	wd_shared->quorum = wd_fsm_quorum(&fsm);
	wd_shared->quorum_required = wd_fsm_quorum_required(&fsm);
	for (int i = 0; i < fsm.nnodes; i++)
		wd_shared->nodes[i].membership = i == fsm.self ? WD_MEMBER : fsm.peers[i].membership;
	wd_shared->alive_remote = alive;
	wd_shared->member_remote = wd_fsm_member_count(&fsm) - 1;
	shmem_unlock(SHMEM_LOCK_WATCHDOG);
}

static void
follow_escalation(bool *was)
{
	bool		should = *was ? wd_fsm_should_escalate(&fsm) :
		wd_fsm_escalate_now(&fsm, clock_monotonic_ms());

	if (should == *was)
		return;
	if (!should && fsm.state == WD_STATE_LEADER)
		plog(PL_LOG, "the leader node has lost the quorum: releasing the delegate IP");
	*was = should;
	/* the new leader's cache may hold results the old leader's writes made stale */
	if (should && pool_config->clear_memqcache_on_escalation && qc_enabled())
	{
		qc_clear_all();
		plog(PL_LOG, "watchdog: the query cache was cleared on escalation (clear_memqcache_on_escalation)");
	}
	wd_escalate_request(should);
}

static void
shutdown_watchdog(void)
{
	plog(PL_LOG, "watchdog: shutting down");
	wd_failover_flush_commands();
	fsm.state = WD_STATE_SHUTDOWN;
	send_msg(-1, WD_MSG_QUIT);
	wd_ipc_close();
	wd_shared->watchdog_pid = 0;
	wd_net_close();
	wd_escalate_shutdown();
	exit(0);
}

static void
setup(int64_t *silence_ms)
{
	static const SignalAction actions[] = {
		{SIGTERM, on_shutdown, true},
		{SIGINT, on_shutdown, true},
		{SIGQUIT, on_shutdown, true},
		{SIGHUP, on_reload, true},
		{SIGUSR1, SIG_IGN, false},
		{SIGUSR2, on_wake, true},
		{SIGPIPE, SIG_IGN, false},
	};
	const WdClusterConfig *c = wd_cluster();
	const PoolConfig *cfg = pool_config;

	/* a parent killed with SIGKILL must not leave a watchdog holding the VIP */
	worker_become("watchdog", SIGTERM);
	ps_status_set("watchdog");
	signals_install(actions, sizeof(actions) / sizeof(actions[0]), NULL);
	if (!wd_net_open(c, cfg))
		exit(1);
	wd_ipc_open(cfg, c->nodes[c->self].wd_port);
	wd_shared->watchdog_pid = getpid();
	if (cfg->wd_lifecheck_method == WDLM_HEARTBEAT)
		*silence_ms = 2000 + 2000LL * cfg->wd_heartbeat_deadtime;
	else
		*silence_ms = 2000 + 2000LL * cfg->wd_interval * (cfg->wd_life_point + 1);
}

void
wd_main(int index)
{
	const WdClusterConfig *c = wd_cluster();
	sigset_t	wait_mask;
	int64_t		silence_ms, next_beacon = 0;
	bool		escalated = false;
	WdNetHandlers h = {on_message, on_disconnect, NULL};

	(void) index;
	setup(&silence_ms);
	sigemptyset(&wait_mask);
	wd_fsm_init(&fsm, c->nnodes, c->self, pool_config->wd_priority, wd_now_us(),
				pool_config->enable_consensus_with_half_votes, silence_ms, clock_monotonic_ms());
	for (;;)
	{
		WdOut		out = {0};
		int64_t		now;

		wd_net_poll(200, &wait_mask, &h);
		if (got_shutdown)
			shutdown_watchdog();
		if (got_reload)
		{
			got_reload = 0;
			worker_reload();
		}
		take_lifecheck(&out);
		now = clock_monotonic_ms();
		check_interfaces(now, &out);
		wd_fsm_on_tick(&fsm, now, &out);
		send_out(&out);
		if (now >= next_beacon)
		{
			send_msg(-1, WD_MSG_INFO);
			next_beacon = now + WD_BEACON_MS;
		}
		follow_escalation(&escalated);
		wd_escalate_poll();
		wd_failover_poll(&fsm);
		wd_ipc_poll(&fsm);
		publish();
	}
}
