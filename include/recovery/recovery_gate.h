/*
 * recovery_gate.h: the gate of online recovery's 2nd stage, in shared memory.
 *
 * In native replication and snapshot isolation the 2nd stage must run while
 * no client writes: the PCP worker running pcp_recovery_node closes the
 * gate, new transactions wait at it while running ones finish, and once no
 * child is inside a transaction or a request the 2nd stage runs; then the
 * node is attached and the gate opens again.
 *
 * Children publish what they do in the process table (proc_table.h):
 * CHILD_STATE_IDLE (no transaction open, nothing in flight),
 * CHILD_STATE_IDLE_IN_TRANSACTION, CHILD_STATE_ACTIVE (a request in
 * flight).  The gate adds one flag per child: "paused at the gate".  A child
 * is quiet when it is paused, or its state is anything but
 * IDLE_IN_TRANSACTION / ACTIVE (idle clients never need to pause).
 *
 * Child side (the session), when a client message would start work while
 * the session is idle (no transaction, nothing in flight):
 *
 *     proc_info(my_child_index)->state = CHILD_STATE_ACTIVE;   (1) publish
 *     if (recovery_gate_closed())                              (2) check
 *         recovery_gate_child_wait();                          (3) pause
 *
 * in that order: (1) before (2) is what makes the handshake safe (the
 * recovery side closes the gate, then reads the states; a full barrier on
 * each side means one of them sees the other).  At every ReadyForQuery the
 * session publishes IDLE or IDLE_IN_TRANSACTION again.  While waiting for a
 * client's next message, recovery_gate_idle_timeout_ms() says how long the
 * client may stay idle (client_idle_limit_in_recovery); the gate wakes every
 * child with SIGUSR1 when it closes so a session in poll() re-evaluates it.
 *
 * Recovery side: recovery_gate_acquire / _release (one recovery at a time),
 * _close / _open, _busy_children / _wait_quiet.
 *
 * Interface routines:
 *   recovery_gate_shmem_size, recovery_gate_shmem_init   - the parent
 *   recovery_gate_closed, recovery_gate_child_wait,
 *   recovery_gate_idle_timeout_ms                        - children
 *   recovery_gate_acquire, recovery_gate_release, recovery_gate_close,
 *   recovery_gate_open, recovery_gate_busy_children,
 *   recovery_gate_wait_quiet                             - the PCP worker
 */
#ifndef PGPOOL_RECOVERY_RECOVERY_GATE_H
#define PGPOOL_RECOVERY_RECOVERY_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Shared memory for num_children children (the parent adds it to the segment). */
size_t		recovery_gate_shmem_size(int num_children);

/* Carve and clear the gate (parent, before forking; after proc_table_shmem_init). */
void		recovery_gate_shmem_init(int num_children);

/* ---- child side ------------------------------------------------------------ */

/*
 * Is the gate closed?  One shared-memory read after a full barrier, so it
 * is ordered after the caller's store of CHILD_STATE_ACTIVE.  false when
 * the gate was never set up (tools, unit tests of other modules).
 */
bool		recovery_gate_closed(void);

/*
 * Block while the gate is closed, marked "paused" in shared memory (this
 * child counts as quiet meanwhile); returns as soon as it opens.  The
 * caller's state stays what it published (ACTIVE).  Polls every 5 ms, with
 * signals as the caller has them (a handled signal cuts one sleep short).
 */
void		recovery_gate_child_wait(void);

/*
 * How long a client waiting for its next message may stay idle before the
 * session must disconnect it (client_idle_limit_in_recovery), counted from
 * idle_since_ms (CLOCK_MONOTONIC milliseconds of its last message): -1 when
 * no limit applies (gate open or the parameter 0), 0 when the client must
 * go now (-1 disconnects at once), else the milliseconds left.
 */
int			recovery_gate_idle_timeout_ms(int64_t idle_since_ms);

/* ---- recovery side (the PCP worker running pcp_recovery_node) ---------------- */

/*
 * Take the right to run a recovery of node_id.  false when another one is
 * running; *other_node and *other_pid say which (a holder whose process
 * died is taken over).
 */
bool		recovery_gate_acquire(int node_id, int *other_node, pid_t *other_pid);

/* Give it back, opening the gate if it is still closed. */
void		recovery_gate_release(void);

/* Close the gate (new transactions wait) and wake every child (SIGUSR1). */
void		recovery_gate_close(void);

/* Open the gate: paused children go on. */
void		recovery_gate_open(void);

/*
 * Children inside a transaction or a request and not paused at the gate;
 * *first_pid (may be NULL) gets one of them for the log.
 */
int			recovery_gate_busy_children(pid_t *first_pid);

/*
 * Wait until no child is busy, at most timeout_ms (< 0: for ever).
 * Returns the number still busy (0: quiet).
 */
int			recovery_gate_wait_quiet(int timeout_ms);

/* A child with this published state and paused flag keeps the 2nd stage waiting. */
bool		recovery_gate_state_is_busy(int state, bool paused);

#endif
