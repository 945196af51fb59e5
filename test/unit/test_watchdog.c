/*
 * test_watchdog.c: the watchdog's pure parts: message frames and their
 * HMAC, the node state machine (election, split brain, quorum, isolation)
 * driven with a fake clock, and the cluster built from 3.x and 4.3
 * parameter names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "config_test_util.h"
#include "utils/log.h"
#include "watchdog/watchdog.h"
#include "../../src/watchdog/wd_fsm.h"
#include "../../src/watchdog/wd_message.h"
#include "../../src/watchdog/wd_vote.h"

/* ---- frames ------------------------------------------------------------------ */

static void
test_frame_roundtrip(void **state)
{
	WdMessage	m, d;
	uint8_t		buf[WD_MAX_FRAME];
	size_t		len, used;

	wd_msg_init(&m, WD_MSG_DECLARE, 2, WD_STATE_LEADER, 2, 7, 1234567890123LL);
	m.seq = 42;
	m.payload_len = 5;
	memcpy(m.payload, "hello", 5);
	for (int k = 0; k < 2; k++)
	{
		const char *key = k ? "secret" : "";

		len = wd_msg_encode(&m, key, buf, sizeof(buf));
		assert_int_equal(len, WD_FRAME_HEADER + WD_BODY_FIXED + 5 + (k ? WD_MAC_LEN : 0));
		for (size_t part = 0; part < len; part++)
			assert_int_equal(wd_msg_decode(buf, part, key, &d, &used), WD_DECODE_NEED_MORE);
		assert_int_equal(wd_msg_decode(buf, len, key, &d, &used), WD_DECODE_OK);
		assert_int_equal(used, len);
		assert_int_equal(d.type, WD_MSG_DECLARE);
		assert_int_equal(d.sender, 2);
		assert_int_equal(d.state, WD_STATE_LEADER);
		assert_int_equal(d.leader, 2);
		assert_int_equal(d.priority, 7);
		assert_true(d.start_us == 1234567890123LL);
		assert_int_equal(d.seq, 42);
		assert_memory_equal(d.payload, "hello", 5);
	}
	/* no leader travels as -1 */
	m.leader = -1;
	len = wd_msg_encode(&m, "", buf, sizeof(buf));
	assert_int_equal(wd_msg_decode(buf, len, "", &d, &used), WD_DECODE_OK);
	assert_int_equal(d.leader, -1);
}

static void
test_frame_authentication(void **state)
{
	WdMessage	m, d;
	uint8_t		buf[WD_MAX_FRAME];
	size_t		len, used;

	wd_msg_init(&m, WD_MSG_INFO, 1, WD_STATE_STANDBY, 0, 1, 1);
	len = wd_msg_encode(&m, "right", buf, sizeof(buf));
	assert_int_equal(wd_msg_decode(buf, len, "wrong", &d, &used), WD_DECODE_AUTH_FAILED);
	assert_int_equal(used, len);
	buf[WD_FRAME_HEADER + 3] ^= 1;	/* a changed state byte */
	assert_int_equal(wd_msg_decode(buf, len, "right", &d, &used), WD_DECODE_AUTH_FAILED);
	/* unsigned frames are refused by a node with a key */
	len = wd_msg_encode(&m, "", buf, sizeof(buf));
	assert_int_equal(wd_msg_decode(buf, len, "right", &d, &used), WD_DECODE_AUTH_FAILED);
	/* garbage */
	assert_int_equal(wd_msg_decode((const uint8_t *) "GET / HTTP/1.0\r\n", 16, "", &d, &used),
					 WD_DECODE_BAD);
	/* two frames in one buffer */
	len = wd_msg_encode(&m, "k", buf, sizeof(buf));
	memcpy(buf + len, buf, len);
	assert_int_equal(wd_msg_decode(buf, 2 * len, "k", &d, &used), WD_DECODE_OK);
	assert_int_equal(used, len);
	assert_int_equal(wd_msg_decode(buf + used, len, "k", &d, &used), WD_DECODE_OK);
}

/* ---- the state machine: three nodes wired by a fake network ------------------------- */

#define N 3
static WdFsm nodes[N];
static bool up[N];
static bool cut[N][N];			/* cut[a][b]: a's messages do not reach b */
static int64_t now;

static void deliver(int from, const WdOut *out);

static void
send_one(int from, int to, char type)
{
	WdMessage	m;
	WdOut		out = {0};

	if (!up[to] || cut[from][to])
		return;
	wd_msg_init(&m, type, from, nodes[from].state, nodes[from].leader, nodes[from].priority,
				nodes[from].start_us);
	wd_fsm_on_message(&nodes[to], &m, now, &out);
	deliver(to, &out);
}

static void
deliver(int from, const WdOut *out)
{
	for (int i = 0; i < out->n; i++)
		for (int to = 0; to < N; to++)
			if (to != from && (out->msg[i].to < 0 || out->msg[i].to == to))
				send_one(from, to, out->msg[i].type);
}

/* Run the cluster for ms milliseconds: ticks every 100 ms, beacons every second. */
static void
run(int ms)
{
	for (int t = 0; t < ms; t += 100)
	{
		now += 100;
		for (int i = 0; i < N; i++)
		{
			WdOut		out = {0};

			if (!up[i])
				continue;
			wd_fsm_on_tick(&nodes[i], now, &out);
			if (now % 1000 == 0)
				out.msg[out.n].to = -1, out.msg[out.n++].type = WD_MSG_INFO;
			deliver(i, &out);
		}
	}
}

static void
start_node(int i, int priority)
{
	wd_fsm_init(&nodes[i], N, i, priority, now * 1000 + i, false, 10000, now);
	up[i] = true;
}

static void
kill_node(int i)
{
	up[i] = false;
	for (int j = 0; j < N; j++)
		if (j != i && up[j])
		{
			WdOut		out = {0};

			wd_fsm_on_disconnect(&nodes[j], i, now, &out);
			deliver(j, &out);
		}
}

static int
count_state(int state)
{
	int			n = 0;

	for (int i = 0; i < N; i++)
		if (up[i] && nodes[i].state == state)
			n++;
	return n;
}

static int
fsm_setup(void **state)
{
	memset(nodes, 0, sizeof(nodes));
	memset(up, 0, sizeof(up));
	memset(cut, 0, sizeof(cut));
	now = 1000000;
	return setup(state);
}

static void
test_election_by_priority(void **state)
{
	start_node(0, 1);
	start_node(1, 5);
	start_node(2, 1);
	run(6000);
	assert_int_equal(count_state(WD_STATE_LEADER), 1);
	assert_int_equal(count_state(WD_STATE_STANDBY), 2);
	assert_int_equal(nodes[1].state, WD_STATE_LEADER);
	assert_int_equal(nodes[0].leader, 1);
	assert_int_equal(wd_fsm_quorum(&nodes[1]), WD_QUORUM_EXISTS);
	assert_true(wd_fsm_should_escalate(&nodes[1]));
	assert_false(wd_fsm_should_escalate(&nodes[0]));
}

static void
test_leader_death_and_rejoin(void **state)
{
	start_node(0, 1);
	now += 10;
	start_node(1, 1);
	now += 10;
	start_node(2, 1);
	run(6000);
	assert_int_equal(nodes[0].state, WD_STATE_LEADER);	/* earliest start */
	kill_node(0);
	run(4000);
	assert_int_equal(nodes[1].state, WD_STATE_LEADER);
	assert_int_equal(nodes[2].state, WD_STATE_STANDBY);
	assert_int_equal(wd_fsm_node_state(&nodes[1], 0), WD_STATE_LOST);
	assert_true(wd_fsm_should_escalate(&nodes[1]));		/* 2 of 3 */
	start_node(0, 1);		/* restarted: later start, joins the leader it finds */
	run(4000);
	assert_int_equal(nodes[0].state, WD_STATE_STANDBY);
	assert_int_equal(nodes[0].leader, 1);
	assert_int_equal(count_state(WD_STATE_LEADER), 1);
}

static void
test_split_brain_heals(void **state)
{
	start_node(0, 1);
	start_node(1, 3);
	start_node(2, 2);
	run(6000);
	assert_int_equal(nodes[1].state, WD_STATE_LEADER);
	/* node 1 is cut off: lost for the others, it loses quorum itself */
	for (int i = 0; i < N; i++)
		cut[1][i] = cut[i][1] = true;
	for (int i = 0; i < N; i++)
		if (i != 1)
		{
			wd_fsm_set_lost(&nodes[i], 1, true, now, NULL);
			wd_fsm_set_lost(&nodes[1], i, true, now, NULL);
		}
	run(5000);
	assert_int_equal(nodes[2].state, WD_STATE_LEADER);
	assert_int_equal(nodes[1].state, WD_STATE_LEADER);
	assert_false(wd_fsm_should_escalate(&nodes[1]));	/* no quorum: VIP released */
	assert_true(wd_fsm_should_escalate(&nodes[2]));
	/* healed: the better leader (priority 3) stays, node 2 resigns */
	memset(cut, 0, sizeof(cut));
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			wd_fsm_set_lost(&nodes[i], j, false, now, NULL);
	run(3000);
	assert_int_equal(count_state(WD_STATE_LEADER), 1);
	assert_int_equal(nodes[1].state, WD_STATE_LEADER);
	assert_int_equal(nodes[2].state, WD_STATE_STANDBY);
	assert_int_equal(nodes[0].leader, 1);
}

static void
test_isolation_and_quorum(void **state)
{
	WdFsm		f;

	start_node(0, 1);
	start_node(1, 1);
	start_node(2, 1);
	run(6000);
	f = nodes[0];
	assert_int_equal(f.state, WD_STATE_LEADER);
	wd_fsm_set_isolated(&f, true, now, NULL);
	assert_int_equal(f.state, WD_STATE_NETWORK_ISOLATION);
	assert_false(wd_fsm_should_escalate(&f));
	wd_fsm_set_isolated(&f, false, now, NULL);
	assert_int_equal(f.state, WD_STATE_JOINING);

	/* quorum arithmetic: 4 nodes, 2 alive is the edge */
	wd_fsm_init(&f, 4, 0, 1, 0, false, 10000, now);
	f.peers[1].seen = f.peers[1].connected = true;
	f.peers[1].state = WD_STATE_STANDBY;
	assert_int_equal(wd_fsm_quorum(&f), WD_QUORUM_EDGE);
	assert_int_equal(wd_fsm_quorum_required(&f), 3);
	f.state = WD_STATE_LEADER;
	assert_false(wd_fsm_should_escalate(&f));
	f.half_votes = true;
	assert_int_equal(wd_fsm_quorum_required(&f), 2);
	f.peers[1].leader = -1;
	assert_false(wd_fsm_should_escalate(&f));	/* nobody said it follows this node yet */
	f.peers[1].leader = 0;
	assert_true(wd_fsm_should_escalate(&f));
	assert_true(wd_fsm_better(2, 100, 5, 1, 1, 0));
	assert_true(wd_fsm_better(1, 1, 5, 1, 2, 0));
	assert_true(wd_fsm_better(1, 1, 0, 1, 1, 1));
	assert_string_equal(wd_state_name(WD_STATE_STANDING), "STANDING FOR LEADER");
	assert_string_equal(wd_state_name(WD_STATE_PARTICIPATING), "PARTICIPATING IN ELECTION");
}

/* Network trouble (all monitored interfaces down) and membership removal. */
static void
test_network_trouble_and_membership(void **state)
{
	start_node(0, 3);
	start_node(1, 2);
	start_node(2, 1);
	run(6000);
	assert_int_equal(nodes[0].state, WD_STATE_LEADER);
	/* the leader's interfaces go down: it resigns, node 1 takes over */
	wd_fsm_set_network_trouble(&nodes[0], true, now, NULL);
	assert_int_equal(nodes[0].state, WD_STATE_IN_NETWORK_TROUBLE);
	assert_false(wd_fsm_should_escalate(&nodes[0]));
	run(4000);
	assert_int_equal(nodes[1].state, WD_STATE_LEADER);
	assert_int_equal(nodes[0].state, WD_STATE_IN_NETWORK_TROUBLE);
	wd_fsm_set_network_trouble(&nodes[0], false, now, NULL);
	run(4000);
	assert_int_equal(nodes[0].state, WD_STATE_STANDBY);
	assert_int_equal(nodes[0].leader, 1);

	/* two nodes lost: no quorum, until wd_lost_node_removal_timeout takes them out */
	wd_fsm_set_membership(&nodes[1], false, 3, 0);
	kill_node(0);
	kill_node(2);
	run(1000);
	assert_false(wd_fsm_should_escalate(&nodes[1]));
	assert_int_equal(wd_fsm_member_count(&nodes[1]), 3);
	run(3000);
	assert_int_equal(wd_fsm_member_count(&nodes[1]), 1);
	assert_int_equal(nodes[1].peers[0].membership, WD_REVOKED_LOST);
	assert_int_equal(wd_fsm_quorum(&nodes[1]), WD_QUORUM_EXISTS);
	assert_true(wd_fsm_should_escalate(&nodes[1]));
	/* back: a member again */
	start_node(0, 3);
	run(4000);
	assert_int_equal(nodes[1].peers[0].membership, WD_MEMBER);
	assert_int_equal(wd_fsm_member_count(&nodes[1]), 2);
	assert_string_equal(wd_membership_name(WD_REVOKED_LOST), "REVOKED-LOST");

	/* a node that never showed up, and a clean shutdown */
	wd_fsm_init(&nodes[2], N, 2, 1, 0, false, 10000, now);
	wd_fsm_set_membership(&nodes[2], true, 0, 2);
	nodes[2].peers[0].seen = nodes[2].peers[0].connected = nodes[2].peers[0].shutdown = true;
	nodes[2].peers[0].state = WD_STATE_SHUTDOWN;
	wd_fsm_on_tick(&nodes[2], now + 100, NULL);
	assert_int_equal(nodes[2].peers[0].membership, WD_REVOKED_SHUTDOWN);
	assert_int_equal(nodes[2].peers[1].membership, WD_MEMBER);
	wd_fsm_on_tick(&nodes[2], now + 2100, NULL);
	assert_int_equal(nodes[2].peers[1].membership, WD_REVOKED_NO_SHOW);
}

/* ---- configuration: 3.x and 4.3 names give the same cluster ------------------------ */

static void
test_config_spellings(void **state)
{
	PoolConfig	a, b;
	WdClusterConfig ca, cb;
	char		err[256];

	config_init_defaults(&a);
	config_init_defaults(&b);
	assert_true(load_text(&a,
						  "use_watchdog = on\nport = 9999\n"
						  "hostname0 = 'h0'\nwd_port0 = 9000\npgpool_port0 = 9999\n"
						  "hostname1 = 'h1'\nwd_port1 = 9001\npgpool_port1 = 9998\n"
						  "hostname2 = 'h2'\nwd_port2 = 9002\npgpool_port2 = 9997\n"
						  "heartbeat_hostname0 = 'h0'\nheartbeat_port0 = 9694\n"
						  "heartbeat_hostname1 = 'h1'\nheartbeat_port1 = 9695\n"
						  "heartbeat_hostname2 = 'h2'\nheartbeat_port2 = 9696\n"));
	assert_true(load_text(&b,
						  "use_watchdog = on\nport = 9999\n"
						  "wd_hostname = 'h0'\nwd_port = 9000\nwd_heartbeat_port = 9694\n"
						  "other_pgpool_hostname0 = 'h1'\nother_pgpool_port0 = 9998\nother_wd_port0 = 9001\n"
						  "other_pgpool_hostname1 = 'h2'\nother_pgpool_port1 = 9997\nother_wd_port1 = 9002\n"
						  "heartbeat_destination0 = 'h1'\nheartbeat_destination_port0 = 9695\n"
						  "heartbeat_destination1 = 'h2'\nheartbeat_destination_port1 = 9696\n"));
	assert_true(wd_config_uses_node_list(&a));
	assert_false(wd_config_uses_node_list(&b));
	assert_true(wd_config_cluster(&a, 0, &ca, err, sizeof(err)));
	assert_true(wd_config_cluster(&b, 0, &cb, err, sizeof(err)));
	assert_int_equal(ca.nnodes, 3);
	assert_int_equal(cb.nnodes, 3);
	assert_int_equal(ca.self, cb.self);
	for (int i = 0; i < 3; i++)
	{
		assert_string_equal(ca.nodes[i].host, cb.nodes[i].host);
		assert_int_equal(ca.nodes[i].wd_port, cb.nodes[i].wd_port);
		assert_int_equal(ca.nodes[i].pgpool_port, cb.nodes[i].pgpool_port);
		assert_string_equal(ca.nodes[i].hb_host, cb.nodes[i].hb_host);
		assert_int_equal(ca.nodes[i].hb_port, cb.nodes[i].hb_port);
	}
	/* 4.3: the pgpool_node_id names this node */
	assert_true(wd_config_cluster(&a, 2, &ca, err, sizeof(err)));
	assert_int_equal(ca.self, 2);
	assert_false(wd_config_cluster(&a, 3, &ca, err, sizeof(err)));
	assert_non_null(strstr(err, "pgpool_node_id 3"));
	config_free(&a);
	config_free(&b);
}

static void
test_node_id_file(void **state)
{
	char		err[256];
	char		conf[512];
	FILE	   *f;

	snprintf(conf, sizeof(conf), "%s/pgpool.conf", tmpdir);
	assert_int_equal(wd_config_read_node_id(conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pgpool_node_id"));
	snprintf(conf, sizeof(conf), "%s/pgpool_node_id", tmpdir);
	f = fopen(conf, "w");
	fputs(" 2 \n", f);
	fclose(f);
	snprintf(conf, sizeof(conf), "%s/pgpool.conf", tmpdir);
	assert_int_equal(wd_config_read_node_id(conf, err, sizeof(err)), 2);
	snprintf(conf, sizeof(conf), "%s/pgpool_node_id", tmpdir);
	f = fopen(conf, "w");
	fputs("two\n", f);
	fclose(f);
	snprintf(conf, sizeof(conf), "%s/pgpool.conf", tmpdir);
	assert_int_equal(wd_config_read_node_id(conf, err, sizeof(err)), -1);
	snprintf(conf, sizeof(conf), "%s/pgpool_node_id", tmpdir);
	unlink(conf);
}

/* Consensus: one vote per pgpool, the quorum's count of votes decides. */
static void
test_failover_votes(void **state)
{
	WdVote		v = {0};

	(void) state;
	assert_int_equal(wd_vote_cast(&v, 2, 2, false, 1000), WD_VOTE_NOTED);
	/* the same pgpool again (its next health check): not a second vote */
	assert_int_equal(wd_vote_cast(&v, 2, 2, false, 2000), WD_VOTE_DUPLICATE);
	assert_int_equal(v.count, 1);
	assert_int_equal(wd_vote_cast(&v, 0, 2, false, 3000), WD_VOTE_CONSENSUS);
	assert_int_equal(v.count, 0);
	/* allow_multiple_failover_requests_from_node: one pgpool can make it */
	assert_int_equal(wd_vote_cast(&v, 1, 2, true, 4000), WD_VOTE_NOTED);
	assert_int_equal(wd_vote_cast(&v, 1, 2, true, 4500), WD_VOTE_CONSENSUS);
	/* old votes are forgotten */
	assert_int_equal(wd_vote_cast(&v, 1, 3, false, 5000), WD_VOTE_NOTED);
	assert_false(wd_vote_expire(&v, 6000, 15000));
	assert_true(wd_vote_expire(&v, 21000, 15000));
	assert_int_equal(wd_vote_cast(&v, 1, 3, false, 21000), WD_VOTE_NOTED);
	assert_int_equal(v.count, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_roundtrip),
		cmocka_unit_test(test_frame_authentication),
		cmocka_unit_test_setup_teardown(test_election_by_priority, fsm_setup, teardown),
		cmocka_unit_test_setup_teardown(test_leader_death_and_rejoin, fsm_setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_brain_heals, fsm_setup, teardown),
		cmocka_unit_test_setup_teardown(test_isolation_and_quorum, fsm_setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_trouble_and_membership, fsm_setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_spellings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_id_file, setup, teardown),
		cmocka_unit_test(test_failover_votes),
	};

	return run_with_tmpdir("watchdog", tests, sizeof(tests) / sizeof(tests[0]));
}
