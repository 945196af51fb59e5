/*
 * failover_follow.c: after the primary failed (streaming replication),
 * wait for a new primary to appear (failover_command usually promotes a
 * standby), then make every other node follow it: each is detached and
 * follow_primary_command runs for it (for the detached failed primary
 * too, as in pgpool-II 4.3), expected to re-point the standby
 * (pg_rewind or a new base backup) and attach it again with
 * pcp_attach_node.  The commands run in a forked process so the parent
 * keeps handling requests, the attach requests of those very commands
 * among them.
 */
#include "failover/failover.h"
#include "failover_int.h"

#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "replication/strategy.h"
#include "utils/log.h"

#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Poll the nodes for a primary for at most search_primary_node_timeout seconds (0: for ever). */
static int
search_new_primary(void)
{
	int			timeout = pool_config->search_primary_node_timeout;
	time_t		until = time(NULL) + timeout;

	for (;;)
	{
		int			primary = strategy_find_primary(pool_config);

		if (primary >= 0)
			return primary;
		if (timeout > 0 && time(NULL) >= until)
			return -1;
		sleep(1);
	}
}

static void
run_follow_commands(const int *nodes, int count, int new_primary, int old_main, int old_primary)
{
	for (int i = 0; i < count; i++)
	{
		FailoverContext ctx;
		char	   *cmd;

		failover_context_fill(&ctx, pool_config, nodes[i], old_main, new_primary, old_primary);
		cmd = failover_expand_command(pool_config->follow_primary_command, &ctx);
		plog(PL_LOG, "execute command: %s", cmd);
		failover_run_command("follow_primary_command", cmd);
		free(cmd);
	}
}

void
failover_follow_primary(int failed_node, int old_main, int old_primary, int new_primary)
{
	int			follow[MAX_BACKENDS];
	int			count = 0;
	pid_t		pid;

	(void) failed_node;			/* followed like every other node */
	if (new_primary < 0)
		new_primary = search_new_primary();
	if (new_primary < 0)
	{
		plog(PL_LOG, "failover: no new primary node was found within search_primary_node_timeout (%d seconds)",
			 pool_config->search_primary_node_timeout);
		return;
	}
	plog(PL_LOG, "failover: new primary node is %d", new_primary);
	if (pool_config->follow_primary_command == NULL || pool_config->follow_primary_command[0] == '\0')
		return;
	for (int n = 0; n < node_table->num_backends; n++)
	{
		if (n == new_primary || node_table->nodes[n].status == NODE_STATUS_UNUSED)
			continue;
		/*
		 * Every node but the new primary, the detached old primary among
		 * them (the command decides what to do with a node whose server is
		 * not running); a standby that still streams from the dead primary
		 * leaves the load balancing until it follows.
		 */
		if (node_is_up(n))
			node_table_set_status(n, NODE_STATUS_DOWN);
		follow[count++] = n;
	}
	if (count == 0)
		return;
	for (int i = 0; i < proc_table->num_children; i++)
		if (proc_info(i)->pid > 0)
			kill(proc_info(i)->pid, SIGUSR1);
	pid = fork();
	if (pid == 0)
	{
		sigset_t	none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* let go of the listening sockets: a shutdown must be able to close them */
		close_range(3, ~0U, 0);
		log_set_process_name("follow_primary");
		run_follow_commands(follow, count, new_primary, old_main, old_primary);
		_exit(0);
	}
	if (pid < 0)
		plog(PL_LOG, "could not fork the follow_primary_command process: %m");
}
