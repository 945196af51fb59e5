/*
 * proc_kinds.c: the one table of process kinds the parent forks, and the
 * pids of the live ones, so respawning and shutdown treat every kind alike.
 * Health check, streaming-replication check, PCP, query cache WAL
 * invalidation, read_your_writes' WAL positions and watchdog processes
 * become rows here.
 */
#include "main/pgpool_main.h"
#include "cache/qc_wal.h"
#include "health/health.h"
#include "pcp/pcp_server.h"
#include "watchdog/watchdog.h"
#include "utils/log.h"
#include "utils/str.h"
#include "utils/worker.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SIGHUP in a worker: re-read pgpool.conf quietly (the parent logs what changed). */
static void
reload_in_worker(void)
{
	(void) main_reload_config(true);
}

static int
count_children(const PoolConfig *cfg)
{
	return cfg->num_init_children;
}

/* Workers must not keep the client sockets open: shutdown closes them to refuse clients. */
static void
close_listen_fds(const int *listen_fds, int nlisten)
{
	for (int i = 0; i < nlisten; i++)
		close(listen_fds[i]);
}

static void
run_health_check(int index, const int *listen_fds, int nlisten)
{
	close_listen_fds(listen_fds, nlisten);
	health_check_main(index);
}

static void
run_sr_check(int index, const int *listen_fds, int nlisten)
{
	close_listen_fds(listen_fds, nlisten);
	sr_check_main(index);
}

static void
run_qc_wal(int index, const int *listen_fds, int nlisten)
{
	close_listen_fds(listen_fds, nlisten);
	qc_wal_main(index);
}

static void
run_wal_pos(int index, const int *listen_fds, int nlisten)
{
	close_listen_fds(listen_fds, nlisten);
	wal_pos_worker_main(index);
}

static int
count_pcp(const PoolConfig *cfg)
{
	(void) cfg;
	return 1;
}

static void
run_pcp_main(int index, const int *listen_fds, int nlisten)
{
	PcpServerEnv env = {pgpool_options.pcp_file, main_reload_config};

	(void) index;
	close_listen_fds(listen_fds, nlisten);
	pcp_main(&env);
}

/* Watchdog processes: close the client sockets, then run body(index). */
#define WD_RUNNER(fn, body) \
static void \
fn(int index, const int *listen_fds, int nlisten) \
{ \
	close_listen_fds(listen_fds, nlisten); \
	body(index); \
}
WD_RUNNER(run_watchdog, wd_main)
WD_RUNNER(run_wd_lifecheck, wd_lifecheck_main)
WD_RUNNER(run_wd_hb_receiver, wd_hb_receiver_main)
WD_RUNNER(run_wd_hb_sender, wd_hb_sender_main)

static const ProcKind kinds[] = {
	{"child", count_children, child_main, true},
	{"health_check", health_check_count, run_health_check, true},
	{"sr_check_worker", sr_check_count, run_sr_check, true},
	{"pcp_main", count_pcp, run_pcp_main, true},
	{"qc_wal_worker", qc_wal_count, run_qc_wal, true},
	{"wal_pos_worker", wal_pos_worker_count, run_wal_pos, true},
	{"watchdog", wd_count_watchdog, run_watchdog, true},
	{"watchdog lifecheck", wd_count_lifecheck, run_wd_lifecheck, true},
	{"heartbeat receiver", wd_count_hb_receiver, run_wd_hb_receiver, true},
	{"heartbeat sender", wd_count_hb_sender, run_wd_hb_sender, true},
};

#define NUM_KINDS ((int) (sizeof(kinds) / sizeof(kinds[0])))

static pid_t *pids[NUM_KINDS];
static int	npids[NUM_KINDS];

int
proc_kinds_count(void)
{
	return NUM_KINDS;
}

const ProcKind *
proc_kind_at(int kind)
{
	return &kinds[kind];
}

pid_t
proc_kinds_spawn(int kind, int index, const int *listen_fds, int nlisten)
{
	pid_t		pid;

	if (pids[kind] == NULL)
	{
		npids[kind] = kinds[kind].count(pool_config);
		pids[kind] = mem_alloc0(sizeof(pid_t) * (npids[kind] > 0 ? npids[kind] : 1));
	}
	pid = fork();
	if (pid < 0)
	{
		plog(PL_LOG, "could not fork a %s process: %m", kinds[kind].name);
		return -1;
	}
	if (pid == 0)
	{
		sigset_t	none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		worker_set_reload(reload_in_worker);
		if (kinds[kind].main != run_pcp_main)
			pcp_listen_close_inherited();
		kinds[kind].main(index, listen_fds, nlisten);
		exit(0);
	}
	pids[kind][index] = pid;
	return pid;
}

bool
proc_kinds_forget(pid_t pid, int *kind, int *index)
{
	for (int k = 0; k < NUM_KINDS; k++)
		for (int i = 0; i < npids[k]; i++)
			if (pids[k][i] == pid)
			{
				pids[k][i] = 0;
				*kind = k;
				*index = i;
				return true;
			}
	return false;
}

int
proc_kinds_signal_all(int sig)
{
	int			live = 0;

	for (int k = 0; k < NUM_KINDS; k++)
		for (int i = 0; i < npids[k]; i++)
			if (pids[k][i] > 0)
			{
				kill(pids[k][i], sig);
				live++;
			}
	return live;
}

int
proc_kinds_live(void)
{
	return proc_kinds_signal_all(0);
}
