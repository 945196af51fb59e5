/*
 * proc_table.h: the process table in shared memory.
 *
 * One ProcInfo per child (num_init_children) and, per child, one ProcSlot
 * per connection-pool slot (max_pool) with each backend's pid and cancel
 * key.  A child writes only its own entries; SHOW pool_processes,
 * SHOW pool_pools, pcp_proc_info and cancel routing read them.
 */
#ifndef PGPOOL_POOL_PROC_TABLE_H
#define PGPOOL_POOL_PROC_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config/config.h"

#define PROC_NAME_LEN 64
#define PROC_HOST_LEN 256

typedef enum ChildState
{
	CHILD_STATE_UNUSED = 0,
	CHILD_STATE_WAIT_FOR_CONNECTION,
	CHILD_STATE_CONNECTING,		/* startup and authentication */
	CHILD_STATE_IDLE,
	CHILD_STATE_IDLE_IN_TRANSACTION,
	CHILD_STATE_ACTIVE,
	CHILD_STATE_EXITING
} ChildState;

typedef struct ProcSlotNode
{
	int32_t		backend_pid;
	int32_t		cancel_key;
	bool		connected;
} ProcSlotNode;

typedef struct ProcSlot
{
	char		database[PROC_NAME_LEN];
	char		user[PROC_NAME_LEN];
	int			major;
	int			minor;
	time_t		create_time;
	int			counter;		/* times this pooled connection was handed out */
	bool		in_use;			/* a client is using it now */
	int			load_balance_node;
	ProcSlotNode nodes[MAX_BACKENDS];
} ProcSlot;

typedef struct ProcInfo
{
	pid_t		pid;
	time_t		start_time;
	int			state;			/* ChildState */
	bool		client_connected;
	char		client_host[PROC_HOST_LEN];
	char		client_port[16];
	char		database[PROC_NAME_LEN];
	char		user[PROC_NAME_LEN];
	int			current_slot;	/* -1 when no client */
	int			load_balance_node;
	uint64_t	connection_count;	/* clients served by this process */
	time_t		connected_at;
	int			si_window;		/* snapshot isolation: SI_WINDOW_* this child holds (si_order.h) */
} ProcInfo;


typedef struct ProcTable
{
	int			num_children;
	int			max_pool;
	ProcInfo   *procs;			/* num_children entries */
	ProcSlot   *slots;			/* num_children * max_pool entries */
} ProcTable;

extern ProcTable *proc_table;

/* This child's index in the table, -1 in other processes. */
extern int	my_child_index;

size_t		proc_table_shmem_size(int num_children, int max_pool);
void		proc_table_shmem_init(int num_children, int max_pool);

static inline ProcInfo *
proc_info(int child)
{
	return &proc_table->procs[child];
}

static inline ProcSlot *
proc_slot(int child, int slot)
{
	return &proc_table->slots[child * proc_table->max_pool + slot];
}

/* Clear a child's entries when a new process takes index child. */
void		proc_table_reset_child(int child, pid_t pid);

/* Find the child and slot whose backend `pid` carries cancel key `key` on any node. */
bool		proc_table_find_cancel(int32_t pid, int32_t key, int *child, int *slot);

/* The node whose backend process pid is one of pgpool's connections; false if none. */
bool		proc_table_find_backend(int32_t pid, int *node);

const char *child_state_name(int state);

#endif
