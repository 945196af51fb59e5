/*
 * wd_shmem.c: the watchdog's shared state (WdShared): set up by the parent
 * before forking, written by the watchdog process (states, leader, quorum)
 * and by the lifecheck / heartbeat processes (their own fields), read by
 * the PCP server for pcp_watchdog_info.  Also the state names.
 */
#include "watchdog/watchdog.h"

#include "utils/log.h"
#include "utils/shmem.h"
#include "utils/str.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

WdShared   *wd_shared;
static WdClusterConfig cluster;

const char *
wd_state_name(int state)
{
	static const char *const names[WD_STATE_COUNT] = {
		"DEAD", "LOADING", "JOINING", "INITIALIZING", "LEADER", "PARTICIPATING IN ELECTION",
		"STANDING FOR LEADER", "STANDBY", "LOST", "IN NETWORK TROUBLE", "SHUTDOWN",
		"ADD MESSAGE SENT", "NETWORK ISOLATION",
	};

	return state >= 0 && state < WD_STATE_COUNT ? names[state] : "UNKNOWN";
}

const char *
wd_membership_name(int m)
{
	static const char *const names[] = {"MEMBER", "REVOKED-SHUTDOWN", "REVOKED-NO-SHOW",
	"REVOKED-LOST"};

	return m >= 0 && m <= WD_REVOKED_LOST ? names[m] : "UNKNOWN";
}

const char *
wd_quorum_name(int q)
{
	if (q == WD_QUORUM_EXISTS)
		return "QUORUM EXIST";
	if (q == WD_QUORUM_EDGE)
		return "QUORUM IS ON THE EDGE";
	return "QUORUM ABSENT";
}

size_t
wd_shmem_size(void)
{
	return shmem_align(sizeof(WdShared));
}

const WdClusterConfig *
wd_cluster(void)
{
	return &cluster;
}

/* pgpool-II's node name: "host:pgpool_port Linux nodename". */
static void
node_name(const WdNodeAddr *a, char *out, size_t cap)
{
	struct utsname u;

	if (uname(&u) != 0)
		str_copy(u.nodename, "localhost", sizeof(u.nodename));
	snprintf(out, cap, "%s:%d Linux %s", a->host, a->pgpool_port, u.nodename);
}

bool
wd_shmem_init(const PoolConfig *cfg, const char *config_file)
{
	char		err[256];
	int			node_id = 0;

	wd_shared = shmem_alloc(sizeof(WdShared));
	memset(wd_shared, 0, sizeof(WdShared));
	wd_shared->leader = -1;
	wd_shared->quorum = WD_QUORUM_ABSENT;
	if (!cfg->use_watchdog)
		return true;
	if (wd_config_uses_node_list(cfg) &&
		(node_id = wd_config_read_node_id(config_file, err, sizeof(err))) < 0)
	{
		plog(PL_FATAL, "%s", err);
		return false;
	}
	if (!wd_config_cluster(cfg, node_id, &cluster, err, sizeof(err)))
	{
		plog(PL_FATAL, "invalid watchdog configuration: %s", err);
		return false;
	}
	wd_shared->nnodes = cluster.nnodes;
	wd_shared->self = cluster.self;
	for (int i = 0; i < cluster.nnodes; i++)
	{
		WdNodeShared *n = &wd_shared->nodes[i];

		node_name(&cluster.nodes[i], n->name, sizeof(n->name));
		str_copy(n->host, cluster.nodes[i].host, sizeof(n->host));
		n->pgpool_port = cluster.nodes[i].pgpool_port;
		n->wd_port = cluster.nodes[i].wd_port;
		n->priority = i == cluster.self ? cfg->wd_priority : -1;
		n->state = i == cluster.self ? WD_STATE_LOADING : WD_STATE_DEAD;
		str_copy(n->delegate_ip, i == cluster.self && cfg->delegate_ip ? cfg->delegate_ip : "",
				 sizeof(n->delegate_ip));
	}
	plog(PL_LOG, "watchdog: this is node %d of %d (%s)", cluster.self, cluster.nnodes,
		 wd_shared->nodes[cluster.self].name);
	return true;
}

void
wd_shared_snapshot(WdShared *out)
{
	if (wd_shared == NULL)
	{
		memset(out, 0, sizeof(*out));
		out->leader = -1;
		return;
	}
	shmem_lock(SHMEM_LOCK_WATCHDOG);
	memcpy(out, wd_shared, sizeof(*out));
	shmem_unlock(SHMEM_LOCK_WATCHDOG);
}
