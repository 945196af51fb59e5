/*
 * proc_table.c: per-child and per-pool-slot state in shared memory.
 */
#include "pool/proc_table.h"
#include "utils/shmem.h"

#include <string.h>

ProcTable  *proc_table;
int			my_child_index = -1;

size_t
proc_table_shmem_size(int num_children, int max_pool)
{
	return shmem_align(sizeof(ProcTable)) +
		shmem_align(sizeof(ProcInfo) * num_children) +
		shmem_align(sizeof(ProcSlot) * num_children * max_pool);
}

void
proc_table_shmem_init(int num_children, int max_pool)
{
	proc_table = shmem_alloc(sizeof(ProcTable));
	proc_table->num_children = num_children;
	proc_table->max_pool = max_pool;
	proc_table->procs = shmem_alloc(sizeof(ProcInfo) * num_children);
	proc_table->slots = shmem_alloc(sizeof(ProcSlot) * num_children * max_pool);
	for (int i = 0; i < num_children; i++)
		proc_table->procs[i].current_slot = -1;
}

void
proc_table_reset_child(int child, pid_t pid)
{
	ProcInfo   *p = proc_info(child);

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->start_time = time(NULL);
	p->state = CHILD_STATE_WAIT_FOR_CONNECTION;
	p->current_slot = -1;
	for (int s = 0; s < proc_table->max_pool; s++)
		memset(proc_slot(child, s), 0, sizeof(ProcSlot));
}

bool
proc_table_find_cancel(int32_t pid, int32_t key, int *child, int *slot)
{
	for (int c = 0; c < proc_table->num_children; c++)
	{
		for (int s = 0; s < proc_table->max_pool; s++)
		{
			ProcSlot   *ps = proc_slot(c, s);

			for (int n = 0; n < MAX_BACKENDS; n++)
			{
				if (!ps->nodes[n].connected)
					continue;
				if (ps->nodes[n].backend_pid == pid && ps->nodes[n].cancel_key == key)
				{
					*child = c;
					*slot = s;
					return true;
				}
			}
		}
	}
	return false;
}

bool
proc_table_find_backend(int32_t pid, int *node)
{
	for (int c = 0; c < proc_table->num_children; c++)
		for (int s = 0; s < proc_table->max_pool; s++)
		{
			ProcSlot   *ps = proc_slot(c, s);

			for (int n = 0; n < MAX_BACKENDS; n++)
				if (ps->nodes[n].connected && ps->nodes[n].backend_pid == pid)
				{
					*node = n;
					return true;
				}
		}
	return false;
}

const char *
child_state_name(int state)
{
	switch (state)
	{
		case CHILD_STATE_WAIT_FOR_CONNECTION:
			return "Wait for connection";
		case CHILD_STATE_CONNECTING:
			return "Connecting";
		case CHILD_STATE_IDLE:
			return "Idle";
		case CHILD_STATE_IDLE_IN_TRANSACTION:
			return "Idle in transaction";
		case CHILD_STATE_ACTIVE:
			return "Active";
		case CHILD_STATE_EXITING:
			return "Exiting";
		default:
			return "Unused";
	}
}
