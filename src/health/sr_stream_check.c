/*
 * sr_stream_check.c: find standbys that do not stream from the primary.
 *
 * Run by the sr_check worker every sr_check_period.  A standby whose WAL
 * receiver is gone (a broken primary_conninfo, a failover without
 * follow_primary_command, a primary that died) or streams from a node that
 * is not the primary (a standby following a detached old primary) falls
 * further behind with no bound, and delay_threshold sees it only once the
 * primary has written more than the threshold (never without one).  Such a standby is marked stale in the node
 * table and gets no reads until it streams from the primary again.
 * Cascading replication counts as streaming when the chain of configured,
 * up nodes ends at the primary.
 */
#include "health/health.h"
#include "health/sr_stream.h"

#include "pool/node_table.h"
#include "replication/node_query.h"
#include "utils/log.h"
#include "utils/str.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* upstream_of() results that are not node ids */
#define UPSTREAM_NONE	(-1)	/* no WAL receiver, or not streaming */
#define UPSTREAM_OTHER	(-2)	/* streams from a host that is no configured node */
#define UPSTREAM_UNKNOWN (-3)	/* cannot tell: no answer or details hidden */

static void
ask_node(const PoolConfig *cfg, int n, StreamInfo *si)
{
	PGconn	   *conn = node_query_connect(cfg, n);
	PGresult   *res;

	memset(si, 0, sizeof(*si));
	if (conn == NULL)
		return;
	res = PQexec(conn, "SELECT pg_is_in_recovery(), coalesce(host(inet_server_addr()), ''), "
				 "coalesce(inet_server_port(), 0), r.pid IS NOT NULL, coalesce(r.status, ''), "
				 "coalesce(r.sender_host, ''), coalesce(r.sender_port, 0) "
				 "FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON true");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) >= 1)
	{
		si->known = true;
		si->in_recovery = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		str_copy(si->addr, PQgetvalue(res, 0, 1), sizeof(si->addr));
		si->addr_port = atoi(PQgetvalue(res, 0, 2));
		str_copy(si->status, PQgetvalue(res, 0, 4), sizeof(si->status));
		/* without pg_read_all_stats only the receiver's pid is visible */
		si->hidden = strcmp(PQgetvalue(res, 0, 3), "t") == 0 && si->status[0] == '\0';
		str_copy(si->sender_host, PQgetvalue(res, 0, 5), sizeof(si->sender_host));
		si->sender_port = atoi(PQgetvalue(res, 0, 6));
	}
	else
		plog_ex(PL_LOG, PQerrorMessage(conn), NULL,
				"could not ask DB node %d about its WAL receiver", n);
	PQclear(res);
	PQfinish(conn);
}

/* This machine: a socket directory, localhost or a loopback address. */
static bool
host_is_local(const char *h)
{
	return h[0] == '\0' || h[0] == '/' || strcasecmp(h, "localhost") == 0 ||
		strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0;
}

/* Does any address of a equal any address of b? */
static bool
hosts_resolve_alike(const char *a, const char *b)
{
	struct addrinfo hints = {0}, *ra = NULL, *rb = NULL;
	bool		alike = false;

	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(a, NULL, &hints, &ra) != 0 || getaddrinfo(b, NULL, &hints, &rb) != 0)
	{
		if (ra)
			freeaddrinfo(ra);
		return false;
	}
	for (struct addrinfo *x = ra; x && !alike; x = x->ai_next)
		for (struct addrinfo *y = rb; y && !alike; y = y->ai_next)
		{
			char		hx[NI_MAXHOST], hy[NI_MAXHOST];

			if (getnameinfo(x->ai_addr, x->ai_addrlen, hx, sizeof(hx), NULL, 0, NI_NUMERICHOST) == 0 &&
				getnameinfo(y->ai_addr, y->ai_addrlen, hy, sizeof(hy), NULL, 0, NI_NUMERICHOST) == 0)
				alike = strcmp(hx, hy) == 0;
		}
	freeaddrinfo(ra);
	freeaddrinfo(rb);
	return alike;
}

static bool
same_host(const char *a, const char *b)
{
	if (strcasecmp(a, b) == 0 || (host_is_local(a) && host_is_local(b)))
		return true;
	return a[0] && b[0] && a[0] != '/' && b[0] != '/' && hosts_resolve_alike(a, b);
}

/* Are nodes a and b on the same host, by pgpool's name or their own addresses? */
static bool
same_machine(int a, int b, const StreamInfo *info)
{
	return same_host(node_table->nodes[a].hostname, node_table->nodes[b].hostname) ||
		(info[a].addr[0] && info[b].addr[0] && same_host(info[a].addr, info[b].addr));
}

/*
 * Is node k where standby n's WAL receiver, connected to host:port, lands?
 * Both pgpool's name for k (backend_hostname/port) and k's own answer
 * (inet_server_addr()/port) count.  A loopback address, localhost or a
 * socket directory names the standby's own host, not pgpool's.
 */
static bool
sender_is_node(int n, const char *host, int port, int k, const StreamInfo *info)
{
	const BackendNode *node = &node_table->nodes[k];
	const StreamInfo *ki = &info[k];

	if (port != node->port && !(ki->known && ki->addr_port > 0 && port == ki->addr_port))
		return false;
	if (host_is_local(host))
		return same_machine(n, k, info);
	return same_host(host, node->hostname) || (ki->addr[0] && same_host(host, ki->addr));
}

static int
upstream_of(int n, const StreamInfo *info)
{
	const StreamInfo *si = &info[n];

	if (!si->known || si->hidden)
		return UPSTREAM_UNKNOWN;
	if (strcmp(si->status, "streaming") != 0)
		return UPSTREAM_NONE;
	for (int k = 0; k < node_table->num_backends; k++)
		if (k != n && sender_is_node(n, si->sender_host, si->sender_port, k, info))
			return k;
	return UPSTREAM_OTHER;
}

const char *
sr_stream_judge(int n, int primary, const StreamInfo *info, char *detail, size_t len)
{
	int			at = n;

	if (info[n].known && !info[n].in_recovery)
	{
		snprintf(detail, len, "it is not in recovery");
		return "not in recovery";
	}
	for (int hops = 0; hops < node_table->num_backends; hops++)
	{
		int			up = upstream_of(at, info);

		if (up == UPSTREAM_UNKNOWN)
			return NULL;		/* this node, or one it cascades from, did not tell */
		if (up == UPSTREAM_NONE)
		{
			if (at == n)
				snprintf(detail, len, "its WAL receiver is %s",
						 info[at].status[0] ? info[at].status : "not running");
			else
				snprintf(detail, len, "its upstream node %d is not streaming", at);
			return at == n ? "not streaming" : "streaming from another node";
		}
		if (up == primary)
			return "";
		if (up == UPSTREAM_OTHER || !node_is_up(up))
		{
			snprintf(detail, len, "it streams from %s:%d, %s", info[at].sender_host,
					 info[at].sender_port, up == UPSTREAM_OTHER ? "which is no configured node" :
					 "a node that is down");
			return "streaming from another node";
		}
		at = up;
	}
	snprintf(detail, len, "its upstream chain does not reach the primary");
	return "streaming from another node";
}

static void
note_stream(int n, const char *why, const char *detail)
{
	BackendNode *node = &node_table->nodes[n];
	bool		stale = why[0] != '\0';

	if (stale && (!node->stale || strcmp(node->stale_reason, why) != 0))
		plog(PL_LOG, "standby node %d does not stream from the primary: %s; no reads are sent to it",
			 n, detail);
	else if (!stale && node->stale)
		plog(PL_LOG, "standby node %d streams from the primary again", n);
	str_copy(node->stale_reason, why, sizeof(node->stale_reason));
	node->stale = stale;
}

void
sr_check_streams(const PoolConfig *cfg, int primary)
{
	StreamInfo	info[MAX_BACKENDS];

	for (int n = 0; n < node_table->num_backends; n++)
	{
		if (node_is_up(n))
			ask_node(cfg, n, &info[n]);
		else
			memset(&info[n], 0, sizeof(info[n]));
	}
	for (int n = 0; n < node_table->num_backends; n++)
	{
		char		detail[512] = "";
		const char *why;

		if (n == primary)
		{
			node_table->nodes[n].stale = false; /* a promoted standby reads again */
			continue;
		}
		if (!node_is_up(n) || (why = sr_stream_judge(n, primary, info, detail, sizeof(detail))) == NULL)
			continue;
		note_stream(n, why, detail);
	}
}

void
sr_check_streams_forget(void)
{
	for (int n = 0; n < node_table->num_backends; n++)
		if (node_table->nodes[n].stale)
		{
			plog(PL_LOG, "standby node %d: sr_check_period is 0, its streaming is no longer checked", n);
			node_table->nodes[n].stale = false;
		}
}
