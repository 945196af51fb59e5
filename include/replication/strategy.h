/*
 * strategy.h: the clustering mode as one strategy object, chosen once at
 * start (and on reload), so the rest of the code asks the strategy what to
 * do instead of asking which mode it is in.
 *
 * A strategy holds the mode's behaviour: which routing rules its sessions
 * use (router rule set), whether writes are replicated by pgpool itself
 * (main node first, then the others), how the node taking writes is found,
 * which workers watch the nodes, and how SHOW pool_nodes / pcp_node_info
 * name a node's role.  Nothing outside src/replication/ and src/config/
 * compares backend_clustering_mode.
 *
 * Session-side mode strategies: the multi-node session does not test the
 * flags below either.  src/session/multi_mode.h turns them, in one place
 * (multi_mode()), into a table of behaviour per family of modes:
 * replicating (native replication, snapshot isolation) and
 * primary/standby (streaming with its failover survival, read_your_writes
 * and the query cache's primary read; logical/slony; raw on one node).
 * A new mode picks its family there or adds one.
 */
#ifndef PGPOOL_REPLICATION_STRATEGY_H
#define PGPOOL_REPLICATION_STRATEGY_H

#include <stdbool.h>

#include "config/config.h"
#include "router/router.h"

typedef struct ModeStrategy
{
	const char *name;			/* as backend_clustering_mode spells it */
	bool		several_nodes;	/* sessions hold a connection to every up node */
	bool		has_primary;	/* one node takes writes; roles are primary/standby */
	bool		replicate_writes;	/* pgpool runs writes on every node, main node first */
	bool		wal_streams;	/* standbys stream WAL: delay checks, follow_primary_command */
	bool		snapshot_isolation; /* readers never see a commit on some nodes only */
	RouterRuleSet rules;		/* routing rule table of the mode's sessions */

	/*
	 * Find the node that takes writes among the nodes that are up, record
	 * it (node_table->primary_node_id) with each node's role; return it or -1.
	 */
	int			(*find_primary) (const PoolConfig *cfg);
} ModeStrategy;

/* The strategy of a configuration (cfg's backend_clustering_mode). */
const ModeStrategy *strategy_for(const PoolConfig *cfg);

/* Pick the strategy of cfg for this process (at start and on reload). */
void		strategy_select(const PoolConfig *cfg);

/* The strategy in force in this process. */
const ModeStrategy *strategy_current(void);

/* strategy_current()->find_primary(cfg) */
int			strategy_find_primary(const PoolConfig *cfg);

/* Role of node id as SHOW pool_nodes and pcp_node_info print it. */
const char *strategy_role_name(int id);

/* Sessions of this mode talk to every up node (and there is more than one). */
bool		strategy_uses_several_nodes(void);

/* find_primary implementations (find_primary.c) */
int			find_primary_by_recovery(const PoolConfig *cfg);

/* Ask node n pg_is_in_recovery() (1 yes, 0 no, -1 no answer) and store the answer. */
int			node_in_recovery(const PoolConfig *cfg, int n, bool quiet);
int			find_primary_first_up(const PoolConfig *cfg);
int			find_primary_main_node(const PoolConfig *cfg);

#endif
