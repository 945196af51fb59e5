/*
 * recovery_gate.c: the 2nd stage's gate in shared memory (see
 * recovery_gate.h for the protocol).  The parent carves it; children use
 * the child side from their session; the PCP worker running
 * pcp_recovery_node uses the recovery side.
 *
 * No semaphore: the fields are single words read and written with GCC's
 * __atomic builtins.  The handshake between a child starting work and the
 * recovery side closing the gate is Dekker's: each side stores its own
 * word (state = ACTIVE / closed = 1), issues a full barrier, then reads the
 * other's; at least one of them sees the other's store.
 */
#include "recovery/recovery_gate.h"
#include "utils/clock.h"

#include "config/config.h"
#include "pool/proc_table.h"
#include "utils/shmem.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct RecoveryGate
{
	int32_t		running;		/* a recovery holds the gate */
	int32_t		node_id;		/* the node it recovers */
	int32_t		owner;			/* pid of the PCP worker running it */
	int32_t		closed;			/* new transactions must wait */
	int32_t		num_children;
	int32_t		paused[];		/* per child: waiting at the gate */
} RecoveryGate;

static RecoveryGate *gate;

#define GATE_POLL_MS 5

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

size_t
recovery_gate_shmem_size(int num_children)
{
	return shmem_align(sizeof(RecoveryGate) + sizeof(int32_t) * (size_t) num_children);
}

void
recovery_gate_shmem_init(int num_children)
{
	size_t		n = sizeof(RecoveryGate) + sizeof(int32_t) * (size_t) num_children;

	gate = shmem_alloc(n);
	memset(gate, 0, n);
	gate->num_children = num_children;
}

/* ---- child side ------------------------------------------------------------ */

bool
recovery_gate_closed(void)
{
	if (gate == NULL)
		return false;
	/* orders the caller's store of its state before this load */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&gate->closed, __ATOMIC_SEQ_CST) != 0;
}

/* The holder died without opening the gate (killed PCP worker): open it. */
static bool
owner_gone(void)
{
	pid_t		owner = (pid_t) __atomic_load_n(&gate->owner, __ATOMIC_SEQ_CST);

	return owner > 0 && kill(owner, 0) < 0 && errno == ESRCH;
}

void
recovery_gate_child_wait(void)
{
	int			me = my_child_index;
	bool		mark = gate != NULL && me >= 0 && me < gate->num_children;

	if (gate == NULL)
		return;
	if (mark)
		__atomic_store_n(&gate->paused[me], 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&gate->closed, __ATOMIC_SEQ_CST))
	{
		if (owner_gone())
		{
			__atomic_store_n(&gate->closed, 0, __ATOMIC_SEQ_CST);
			break;
		}
		sleep_ms(GATE_POLL_MS);
	}
	if (mark)
		__atomic_store_n(&gate->paused[me], 0, __ATOMIC_SEQ_CST);
}

int
recovery_gate_idle_timeout_ms(int64_t idle_since_ms)
{
	int			limit = pool_config ? pool_config->client_idle_limit_in_recovery : 0;
	int64_t		left;

	if (limit == 0 || !recovery_gate_closed())
		return -1;
	if (limit < 0)
		return 0;
	left = (int64_t) limit * 1000 - (clock_monotonic_ms() - idle_since_ms);
	return left > 0 ? (int) left : 0;
}

/* ---- recovery side ------------------------------------------------------------ */

bool
recovery_gate_acquire(int node_id, int *other_node, pid_t *other_pid)
{
	int32_t		expected = 0;

	if (gate == NULL)
		return true;
	if (!__atomic_compare_exchange_n(&gate->running, &expected, 1, false,
									 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
	{
		if (!owner_gone())
		{
			*other_node = __atomic_load_n(&gate->node_id, __ATOMIC_SEQ_CST);
			*other_pid = (pid_t) __atomic_load_n(&gate->owner, __ATOMIC_SEQ_CST);
			return false;
		}
		/* taken over from a dead holder: its gate may still be closed */
		__atomic_store_n(&gate->closed, 0, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&gate->node_id, node_id, __ATOMIC_SEQ_CST);
	__atomic_store_n(&gate->owner, (int32_t) getpid(), __ATOMIC_SEQ_CST);
	return true;
}

void
recovery_gate_release(void)
{
	if (gate == NULL)
		return;
	recovery_gate_open();
	__atomic_store_n(&gate->owner, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&gate->node_id, -1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&gate->running, 0, __ATOMIC_SEQ_CST);
}

void
recovery_gate_close(void)
{
	if (gate == NULL)
		return;
	__atomic_store_n(&gate->closed, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* sessions waiting in poll() for an idle client re-evaluate their timeout */
	if (proc_table != NULL)
		for (int i = 0; i < proc_table->num_children; i++)
		{
			pid_t		pid = proc_info(i)->pid;

			if (pid > 0)
				kill(pid, SIGUSR1);
		}
}

void
recovery_gate_open(void)
{
	if (gate != NULL)
		__atomic_store_n(&gate->closed, 0, __ATOMIC_SEQ_CST);
}

bool
recovery_gate_state_is_busy(int state, bool paused)
{
	if (paused)
		return false;
	return state == CHILD_STATE_IDLE_IN_TRANSACTION || state == CHILD_STATE_ACTIVE;
}

int
recovery_gate_busy_children(pid_t *first_pid)
{
	int			busy = 0;

	if (proc_table == NULL)
		return 0;
	/* pairs with the child's barrier between its state store and its gate load */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < proc_table->num_children; i++)
	{
		ProcInfo   *p = proc_info(i);
		bool		paused = gate != NULL && i < gate->num_children &&
			__atomic_load_n(&gate->paused[i], __ATOMIC_SEQ_CST) != 0;
		int			state = __atomic_load_n(&p->state, __ATOMIC_SEQ_CST);

		if (p->pid <= 0 || !recovery_gate_state_is_busy(state, paused))
			continue;
		/* a child that died mid-transaction is not coming back to finish it */
		if (kill(p->pid, 0) < 0 && errno == ESRCH)
			continue;
		if (busy++ == 0 && first_pid != NULL)
			*first_pid = p->pid;
	}
	return busy;
}

int
recovery_gate_wait_quiet(int timeout_ms)
{
	int64_t		deadline = timeout_ms < 0 ? -1 : clock_monotonic_ms() + timeout_ms;
	int			busy;

	while ((busy = recovery_gate_busy_children(NULL)) > 0)
	{
		if (deadline >= 0 && clock_monotonic_ms() >= deadline)
			break;
		sleep_ms(GATE_POLL_MS);
	}
	return busy;
}
