/*
 * test_recovery_gate.c: unit tests for the 2nd stage's gate
 * (src/recovery/recovery_gate.c) over a real SysV segment and forked
 * processes standing in for children: which published states keep the
 * 2nd stage waiting, one recovery at a time (and a dead holder's right
 * taken over), a child that starts work while the gate is closed pausing
 * until it opens, and client_idle_limit_in_recovery's timeout.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "pool/proc_table.h"
#include "recovery/recovery_gate.h"
#include "utils/shmem.h"

#define NCHILD 3

static PoolConfig cfg;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A pid that is certainly gone: a child that exited and was reaped. */
static pid_t
dead_pid(void)
{
	pid_t		pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void
set_child(int i, pid_t pid, int state)
{
	proc_info(i)->pid = pid;
	proc_info(i)->state = state;
}

static void
test_without_shmem(void **state)
{
	int			node;
	pid_t		pid;

	(void) state;
	assert_false(recovery_gate_closed());
	recovery_gate_child_wait();	/* returns at once */
	assert_true(recovery_gate_acquire(1, &node, &pid));
	recovery_gate_release();
}

static void
test_busy_states(void **state)
{
	(void) state;
	assert_false(recovery_gate_state_is_busy(CHILD_STATE_WAIT_FOR_CONNECTION, false));
	assert_false(recovery_gate_state_is_busy(CHILD_STATE_CONNECTING, false));
	assert_false(recovery_gate_state_is_busy(CHILD_STATE_IDLE, false));
	assert_true(recovery_gate_state_is_busy(CHILD_STATE_IDLE_IN_TRANSACTION, false));
	assert_true(recovery_gate_state_is_busy(CHILD_STATE_ACTIVE, false));
	assert_false(recovery_gate_state_is_busy(CHILD_STATE_ACTIVE, true));
	assert_false(recovery_gate_state_is_busy(CHILD_STATE_EXITING, false));
}

static void
test_busy_children(void **state)
{
	pid_t		first = 0;

	(void) state;
	set_child(0, getpid(), CHILD_STATE_IDLE);
	set_child(1, getpid(), CHILD_STATE_IDLE_IN_TRANSACTION);
	set_child(2, getpid(), CHILD_STATE_ACTIVE);
	assert_int_equal(recovery_gate_busy_children(&first), 2);
	assert_int_equal(first, getpid());
	/* a child that died mid-transaction does not hold the stage */
	set_child(2, dead_pid(), CHILD_STATE_ACTIVE);
	assert_int_equal(recovery_gate_busy_children(NULL), 1);
	set_child(1, getpid(), CHILD_STATE_IDLE);
	assert_int_equal(recovery_gate_busy_children(NULL), 0);
	assert_int_equal(recovery_gate_wait_quiet(0), 0);
	set_child(1, getpid(), CHILD_STATE_ACTIVE);
	assert_int_equal(recovery_gate_wait_quiet(50), 1);
	set_child(1, 0, CHILD_STATE_UNUSED);
	set_child(2, 0, CHILD_STATE_UNUSED);
}

static void
test_one_recovery_at_a_time(void **state)
{
	int			node = -1;
	pid_t		pid = 0, holder;
	int			status;

	(void) state;
	assert_true(recovery_gate_acquire(1, &node, &pid));
	assert_false(recovery_gate_acquire(2, &node, &pid));
	assert_int_equal(node, 1);
	assert_int_equal(pid, getpid());
	recovery_gate_close();
	assert_true(recovery_gate_closed());
	recovery_gate_release();
	assert_false(recovery_gate_closed());	/* release opens the gate */
	assert_true(recovery_gate_acquire(2, &node, &pid));
	recovery_gate_release();

	/* a holder that dies with the gate closed: the next one takes over, the gate opens */
	holder = fork();
	if (holder == 0)
	{
		int			n;
		pid_t		p;

		if (!recovery_gate_acquire(1, &n, &p))
			_exit(1);
		recovery_gate_close();
		_exit(0);
	}
	waitpid(holder, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(recovery_gate_closed());
	assert_true(recovery_gate_acquire(0, &node, &pid));
	assert_false(recovery_gate_closed());
	recovery_gate_release();
}

/* A child starts a request while the gate is closed: it pauses until the gate opens. */
static void
test_child_pauses(void **state)
{
	pid_t		child;
	int			status;
	int			fds[2];
	char		c;

	(void) state;
	assert_int_equal(pipe(fds), 0);
	set_child(0, getpid(), CHILD_STATE_IDLE);
	assert_true(recovery_gate_acquire(1, &(int) {0}, &(pid_t) {0}));
	recovery_gate_close();
	child = fork();
	if (child == 0)
	{
		int64_t		t0;

		my_child_index = 1;
		proc_info(1)->pid = getpid();
		/* the session's order: publish ACTIVE, then look at the gate */
		proc_info(1)->state = CHILD_STATE_ACTIVE;
		if (!recovery_gate_closed())
			_exit(2);
		t0 = now_ms();
		if (write(fds[1], "x", 1) != 1)
			_exit(3);
		recovery_gate_child_wait();
		_exit(now_ms() - t0 >= 150 ? 0 : 4);
	}
	assert_int_equal(read(fds[0], &c, 1), 1);
	/* quiet once it is paused, although its state says ACTIVE */
	assert_int_equal(recovery_gate_wait_quiet(2000), 0);
	assert_int_equal(proc_info(1)->state, CHILD_STATE_ACTIVE);
	usleep(200 * 1000);
	assert_int_equal(waitpid(child, &status, WNOHANG), 0);	/* still waiting */
	recovery_gate_release();
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	set_child(1, 0, CHILD_STATE_UNUSED);
	close(fds[0]);
	close(fds[1]);
}

static void
test_idle_timeout(void **state)
{
	int64_t		now = now_ms();
	int			ms;

	(void) state;
	cfg.client_idle_limit_in_recovery = 5;
	assert_int_equal(recovery_gate_idle_timeout_ms(now), -1);	/* gate open */
	assert_true(recovery_gate_acquire(1, &(int) {0}, &(pid_t) {0}));
	recovery_gate_close();
	ms = recovery_gate_idle_timeout_ms(now);
	assert_true(ms > 4000 && ms <= 5000);
	assert_int_equal(recovery_gate_idle_timeout_ms(now - 6000), 0);
	cfg.client_idle_limit_in_recovery = -1;
	assert_int_equal(recovery_gate_idle_timeout_ms(now), 0);	/* at once */
	cfg.client_idle_limit_in_recovery = 0;
	assert_int_equal(recovery_gate_idle_timeout_ms(now), -1);	/* disabled */
	recovery_gate_release();
}

int
main(void)
{
	const struct CMUnitTest before[] = {
		cmocka_unit_test(test_without_shmem),
		cmocka_unit_test(test_busy_states),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_children),
		cmocka_unit_test(test_one_recovery_at_a_time),
		cmocka_unit_test(test_child_pauses),
		cmocka_unit_test(test_idle_timeout),
	};
	int			failed;

	/* closing the gate wakes the "children" (this process) with SIGUSR1 */
	signal(SIGUSR1, SIG_IGN);
	pool_config = &cfg;
	failed = cmocka_run_group_tests_name("recovery gate, no shared memory", before, NULL, NULL);
	if (!shmem_create(proc_table_shmem_size(NCHILD, 1) + recovery_gate_shmem_size(NCHILD) + 4096))
		return 77;
	proc_table_shmem_init(NCHILD, 1);
	recovery_gate_shmem_init(NCHILD);
	failed += cmocka_run_group_tests_name("recovery gate", tests, NULL, NULL);
	shmem_destroy();
	return failed;
}
