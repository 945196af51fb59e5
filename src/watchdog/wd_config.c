/*
 * wd_config.c: the watchdog cluster as configured, from either spelling of
 * the parameters (pgpool-II 4.3's hostnameN list plus the pgpool_node_id
 * file, or 3.x's wd_hostname plus other_pgpool_*N), into one
 * WdClusterConfig.  Pure functions over a PoolConfig (the parent runs them
 * once at start; unit-tested in test/unit/test_watchdog.c).
 */
#include "watchdog/watchdog.h"

#include "utils/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
wd_config_uses_node_list(const PoolConfig *cfg)
{
	for (int i = 0; i < cfg->num_wd_nodes; i++)
		if (cfg->wd_nodes[i].defined)
			return true;
	return false;
}

static void
set_addr(WdNodeAddr *a, const char *host, int wd_port, int pgpool_port)
{
	memset(a, 0, sizeof(*a));
	str_copy(a->host, host ? host : "", sizeof(a->host));
	a->wd_port = wd_port;
	a->pgpool_port = pgpool_port;
	str_copy(a->hb_host, a->host, sizeof(a->hb_host));
	a->hb_port = 9694;
}

static void
set_heartbeat(WdNodeAddr *a, const char *host, int port, const char *device)
{
	if (host && host[0])
		str_copy(a->hb_host, host, sizeof(a->hb_host));
	if (port > 0)
		a->hb_port = port;
	str_copy(a->hb_device, device ? device : "", sizeof(a->hb_device));
}

/* pgpool-II 4.3: every member listed, this one picked by node_id. */
static bool
cluster_from_node_list(const PoolConfig *cfg, int node_id, WdClusterConfig *out, char *err,
					   size_t errlen)
{
	int			n = 0;

	for (int i = 0; i < cfg->num_wd_nodes && i < WD_MAX_NODES; i++)
	{
		const WdNodeConfig *w = &cfg->wd_nodes[i];

		if (!w->defined)
		{
			snprintf(err, errlen, "hostname%d is not set but hostname%d is", i, cfg->num_wd_nodes - 1);
			return false;
		}
		set_addr(&out->nodes[i], w->hostname, w->wd_port, w->pgpool_port);
		if (i < cfg->num_heartbeats && cfg->heartbeats[i].defined)
			set_heartbeat(&out->nodes[i], cfg->heartbeats[i].hostname, cfg->heartbeats[i].port,
						  cfg->heartbeats[i].device);
		n++;
	}
	if (node_id < 0 || node_id >= n)
	{
		snprintf(err, errlen, "pgpool_node_id %d is not one of the %d configured watchdog nodes (hostname0 ...)",
				 node_id, n);
		return false;
	}
	out->nnodes = n;
	out->self = node_id;
	return true;
}

/* pgpool-II 3.x: this node from wd_hostname/wd_port/port, then the others. */
static bool
cluster_from_others(const PoolConfig *cfg, WdClusterConfig *out, char *err, size_t errlen)
{
	int			n = 1;

	set_addr(&out->nodes[0], cfg->wd_hostname, cfg->wd_port, cfg->port);
	set_heartbeat(&out->nodes[0], NULL, cfg->wd_heartbeat_port, NULL);
	for (int i = 0; i < cfg->num_other_pgpool && n < WD_MAX_NODES; i++)
	{
		const OtherPgpoolConfig *o = &cfg->other_pgpool[i];

		if (!o->defined)
		{
			snprintf(err, errlen, "other_pgpool_hostname%d is not set", i);
			return false;
		}
		set_addr(&out->nodes[n], o->hostname, o->wd_port, o->pgpool_port);
		if (i < cfg->num_heartbeat_destinations && cfg->heartbeat_destinations[i].defined)
			set_heartbeat(&out->nodes[n], cfg->heartbeat_destinations[i].hostname,
						  cfg->heartbeat_destinations[i].port, NULL);
		n++;
	}
	out->nnodes = n;
	out->self = 0;
	return true;
}

bool
wd_config_cluster(const PoolConfig *cfg, int node_id, WdClusterConfig *out, char *err,
				  size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (wd_config_uses_node_list(cfg))
		return cluster_from_node_list(cfg, node_id, out, err, errlen);
	return cluster_from_others(cfg, out, err, errlen);
}

int
wd_config_read_node_id(const char *config_file, char *err, size_t errlen)
{
	char		path[1024];
	char		buf[64];
	const char *slash = config_file ? strrchr(config_file, '/') : NULL;
	FILE	   *f;
	char	   *end;
	long		id;

	if (slash)
		snprintf(path, sizeof(path), "%.*s/pgpool_node_id", (int) (slash - config_file), config_file);
	else
		snprintf(path, sizeof(path), "pgpool_node_id");
	if ((f = fopen(path, "r")) == NULL)
	{
		snprintf(err, errlen, "could not open the pgpool_node_id file \"%s\": %s", path, strerror(errno));
		return -1;
	}
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	errno = 0;
	id = strtol(str_trim(buf), &end, 10);
	if (errno || end == buf || *str_trim(end) != '\0' || id < 0 || id >= WD_MAX_NODES)
	{
		snprintf(err, errlen, "invalid watchdog node id in \"%s\": \"%s\"", path, str_trim(buf));
		return -1;
	}
	return (int) id;
}
