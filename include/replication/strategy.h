/*
 * strategy.h: the clustering mode as one strategy object, chosen once at
 * start (and on reload), so the rest of the code asks the strategy what to
 * do instead of asking which mode it is in.
 */
#ifndef PGPOOL_REPLICATION_STRATEGY_H
#define PGPOOL_REPLICATION_STRATEGY_H

#include <stdbool.h>

#include "config/config.h"

typedef struct ModeStrategy
{
	const char *name;			/* as backend_clustering_mode spells it */
	bool		several_nodes;	/* sessions hold a connection to every up node */
	bool		has_primary;	/* one node takes writes and must be found */
	bool		load_balance;	/* reads may go to any node by weight */
	bool		replicate_writes;	/* writes go to every node (native replication) */
} ModeStrategy;

/* Pick the strategy of cfg's backend_clustering_mode. */
void		strategy_select(const PoolConfig *cfg);

/* The strategy in force in this process. */
const ModeStrategy *strategy_current(void);

/*
 * Find the primary among the nodes that are up (streaming and logical
 * replication: the node where pg_is_in_recovery() is false), and record it
 * in the node table with each node's role.  Returns the node id or -1.
 */
int			strategy_find_primary(const PoolConfig *cfg);

#endif
