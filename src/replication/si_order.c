/*
 * si_order.c: snapshot and commit windows across pgpool's children (see
 * si_order.h).  A child announces its window in shared memory, then looks
 * at the others (both sequentially consistent, so of a snapshot and a
 * commit entering at once at least one sees the other).
 */
#include "replication/si_order.h"

#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "replication/node_query.h"
#include "utils/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static ProcInfo *
me(void)
{
	return proc_table && my_child_index >= 0 ? proc_info(my_child_index) : NULL;
}

static bool
someone_holds(SiWindow kind)
{
	for (int i = 0; i < proc_table->num_children; i++)
		if (i != my_child_index && __atomic_load_n(&proc_info(i)->si_window, __ATOMIC_SEQ_CST) == (int) kind)
			return true;
	return false;
}

static void
pause_briefly(void)
{
	struct timespec ts = {0, 50000 + (random() % 200) * 1000L};

	nanosleep(&ts, NULL);
}

void
si_order_enter(SiWindow kind)
{
	SiWindow	other = kind == SI_WINDOW_COMMIT ? SI_WINDOW_SNAPSHOT : SI_WINDOW_COMMIT;
	ProcInfo   *p = me();

	if (p == NULL)
		return;
	for (;;)
	{
		__atomic_store_n(&p->si_window, (int) kind, __ATOMIC_SEQ_CST);
		if (!someone_holds(other))
			return;
		/* a commit keeps its claim and waits for snapshots to finish; a snapshot steps back */
		if (kind == SI_WINDOW_SNAPSHOT)
			__atomic_store_n(&p->si_window, SI_WINDOW_NONE, __ATOMIC_SEQ_CST);
		while (someone_holds(other))
			pause_briefly();
	}
}

void
si_order_leave(void)
{
	ProcInfo   *p = me();

	if (p)
		__atomic_store_n(&p->si_window, SI_WINDOW_NONE, __ATOMIC_SEQ_CST);
}

bool
si_order_check_nodes(const PoolConfig *cfg)
{
	bool		ok = true;

	for (int n = 0; n < node_table->num_backends; n++)
	{
		PGconn	   *conn;
		char		level[64];

		if (!node_is_up(n))
			continue;
		if ((conn = node_query_connect(cfg, n)) == NULL)
		{
			plog_ex(PL_WARNING, NULL, "Set sr_check_user (and sr_check_password) to a user that can log in.",
					"could not check default_transaction_isolation of DB node %d", n);
			continue;
		}
		if (node_query_value(conn, "SHOW default_transaction_isolation", level, sizeof(level)) &&
			strcmp(level, "repeatable read") != 0)
		{
			plog_ex(PL_FATAL, log_fmt("DB node %d has default_transaction_isolation = '%s'", n, level),
					"Set default_transaction_isolation = 'repeatable read' in every node's postgresql.conf.",
					"snapshot_isolation mode requires REPEATABLE READ on every backend");
			ok = false;
		}
		PQfinish(conn);
	}
	return ok;
}
