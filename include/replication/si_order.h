/*
 * si_order.h: snapshot isolation's order between the children of pgpool.
 *
 * A reader must never see a transaction committed on one node and not yet
 * on another.  So a transaction takes its snapshot on every node inside a
 * snapshot window, and a COMMIT runs on the nodes inside a commit window;
 * the two kinds exclude each other (windows of one kind overlap freely).
 * Commits go first: a snapshot that meets a commit steps back and waits.
 * Each child's window lives in its process-table entry, so a child that
 * dies takes its window with it when its replacement resets the entry.
 * Used by children in snapshot_isolation mode.
 */
#ifndef PGPOOL_REPLICATION_SI_ORDER_H
#define PGPOOL_REPLICATION_SI_ORDER_H

#include <stdbool.h>

#include "config/config.h"

typedef enum SiWindow
{
	SI_WINDOW_NONE = 0,
	SI_WINDOW_SNAPSHOT,
	SI_WINDOW_COMMIT
} SiWindow;

/* Enter a window of this kind for child my_child_index; waits while the other kind is held. */
void		si_order_enter(SiWindow kind);

/* Leave the window this child holds (none: nothing happens). */
void		si_order_leave(void);

/*
 * Every node must run REPEATABLE READ for snapshot isolation to mean
 * anything: false (and a FATAL line naming the node and its setting) if a
 * node that is up says otherwise.  Parent, at start.
 */
bool		si_order_check_nodes(const PoolConfig *cfg);

#endif
