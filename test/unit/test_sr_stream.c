/*
 * test_sr_stream.c: the sr_check worker's judgement of whether a standby
 * streams from the primary (src/health/sr_stream_check.c), over a node
 * table in memory and made-up answers of the nodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "health/sr_stream.h"
#include "pool/node_table.h"

static NodeTable nodes;
static StreamInfo info[3];
static char detail[512];

static void
set_node(int id, const char *host, int port)
{
	strcpy(nodes.nodes[id].hostname, host);
	nodes.nodes[id].port = port;
	nodes.nodes[id].status = NODE_STATUS_UP;
}

/* node id answered: in recovery, addr:addr_port, a receiver in status from sender */
static void
answer(int id, bool recovery, const char *status, const char *sender, int sender_port)
{
	memset(&info[id], 0, sizeof(info[id]));
	info[id].known = true;
	info[id].in_recovery = recovery;
	strcpy(info[id].addr, "127.0.0.1");
	info[id].addr_port = nodes.nodes[id].port;
	strcpy(info[id].status, status);
	strcpy(info[id].sender_host, sender);
	info[id].sender_port = sender_port;
}

static int
setup(void **state)
{
	(void) state;
	memset(&nodes, 0, sizeof(nodes));
	nodes.num_backends = 3;
	set_node(0, "127.0.0.1", 5432);
	set_node(1, "localhost", 5433);
	set_node(2, "/tmp", 5434);
	node_table = &nodes;
	answer(0, false, "", "", 0);
	answer(1, true, "streaming", "127.0.0.1", 5432);
	answer(2, true, "streaming", "localhost", 5432);
	return 0;
}

static const char *
judge(int n)
{
	detail[0] = '\0';
	return sr_stream_judge(n, 0, info, detail, sizeof(detail));
}

static void
test_streaming(void **state)
{
	(void) state;
	/* 127.0.0.1, localhost and a socket directory are all the same host here */
	assert_string_equal(judge(1), "");
	assert_string_equal(judge(2), "");
	answer(2, true, "streaming", "/var/run/postgresql", 5432);
	assert_string_equal(judge(2), "");
}

static void
test_not_streaming(void **state)
{
	(void) state;
	answer(1, true, "", "", 0);
	assert_string_equal(judge(1), "not streaming");
	assert_string_equal(detail, "its WAL receiver is not running");
	answer(1, true, "waiting", "127.0.0.1", 5432);
	assert_string_equal(judge(1), "not streaming");
	assert_string_equal(detail, "its WAL receiver is waiting");
	answer(1, false, "", "", 0);
	assert_string_equal(judge(1), "not in recovery");
}

static void
test_other_node(void **state)
{
	(void) state;
	answer(2, true, "streaming", "127.0.0.1", 6000);
	assert_string_equal(judge(2), "streaming from another node");
	assert_string_equal(detail, "it streams from 127.0.0.1:6000, which is no configured node");
	/* a node that is down, e.g. the detached old primary */
	answer(2, true, "streaming", "127.0.0.1", 5433);
	nodes.nodes[1].status = NODE_STATUS_DOWN;
	assert_string_equal(judge(2), "streaming from another node");
	assert_string_equal(detail, "it streams from 127.0.0.1:5433, a node that is down");
}

static void
test_cascading(void **state)
{
	(void) state;
	answer(2, true, "streaming", "127.0.0.1", 5433);
	assert_string_equal(judge(2), "");
	answer(1, true, "", "", 0);
	assert_string_equal(judge(2), "streaming from another node");
	assert_string_equal(detail, "its upstream node 1 is not streaming");
	/* a loop of standbys never reaches the primary */
	answer(1, true, "streaming", "127.0.0.1", 5434);
	assert_string_equal(judge(2), "streaming from another node");
	assert_string_equal(detail, "its upstream chain does not reach the primary");
}

static void
test_unknown(void **state)
{
	(void) state;
	info[1].known = false;
	assert_null(judge(1));
	/* without pg_read_all_stats only the receiver's pid is visible */
	answer(1, true, "", "", 0);
	info[1].hidden = true;
	assert_null(judge(1));
}

static void
test_server_address(void **state)
{
	(void) state;
	/* configured by another address (NAT): the primary's inet_server_addr()/port match */
	set_node(0, "192.0.2.99", 15432);
	strcpy(info[0].addr, "192.0.2.10");
	info[0].addr_port = 5432;
	set_node(1, "192.0.2.11", 5433);
	answer(1, true, "streaming", "192.0.2.10", 5432);
	strcpy(info[1].addr, "192.0.2.11");
	assert_string_equal(judge(1), "");
	/* a loopback sender is the standby's own host, not the primary's */
	answer(1, true, "streaming", "localhost", 5432);
	strcpy(info[1].addr, "192.0.2.11");
	assert_string_equal(judge(1), "streaming from another node");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_streaming, setup),
		cmocka_unit_test_setup(test_not_streaming, setup),
		cmocka_unit_test_setup(test_other_node, setup),
		cmocka_unit_test_setup(test_cascading, setup),
		cmocka_unit_test_setup(test_unknown, setup),
		cmocka_unit_test_setup(test_server_address, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
