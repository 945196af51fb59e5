/*
 * show_procs.c: SHOW pool_processes (one row per child, always
 * num_init_children rows) and SHOW pool_pools (one row per connection-pool
 * slot, always num_init_children * max_pool rows), from the process table
 * in shared memory.  Runs in a child process.
 */
#include "show_int.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"

#include <inttypes.h>
#include <stdbool.h>

/*
 * A child's status in pgpool-II's words.  The child running this SHOW is
 * executing a command whatever its table entry last said.
 */
static const char *
child_status_text(int child)
{
	const ProcInfo *p = proc_info(child);

	if (child == my_child_index)
		return "Execute command";
	switch (p->state)
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
			return "Execute command";
		case CHILD_STATE_EXITING:
			return "Exiting";
		default:
			return "";
	}
}

/* The slot a connected client of this child uses, or NULL. */
static const ProcSlot *
current_slot(int child)
{
	const ProcInfo *p = proc_info(child);

	if (!p->client_connected || p->current_slot < 0 || p->current_slot >= proc_table->max_pool)
		return NULL;
	return proc_slot(child, p->current_slot);
}

/* pool_pid, start_time, client_connection_count: shared by both items. */
static void
child_identity(ShowTable *t, int child)
{
	const ProcInfo *p = proc_info(child);
	char		when[32];

	show_valuef(t, "%d", (int) p->pid);
	show_value(t, show_format_time(p->start_time, when, sizeof(when)));
	show_valuef(t, "%" PRIu64, p->connection_count);
}

void
show_rows_processes(ShowTable *t)
{
	char		when[32];

	if (proc_table == NULL)
		return;
	for (int c = 0; c < proc_table->num_children; c++)
	{
		const ProcSlot *s = current_slot(c);

		show_row_begin(t);
		child_identity(t, c);
		show_value(t, s ? s->database : "");
		show_value(t, s ? s->user : "");
		show_value(t, s ? show_format_time(s->create_time, when, sizeof(when)) : "");
		if (s)
			show_valuef(t, "%d", s->counter);
		else
			show_value(t, "");
		show_value(t, child_status_text(c));
		show_row_end(t);
	}
}

/* The node a pooled connection set talks to: its first connected node. */
static int
slot_backend_id(const ProcSlot *s)
{
	int			n = node_table ? node_table->num_backends : 0;

	for (int id = 0; id < n && id < MAX_BACKENDS; id++)
		if (s->nodes[id].connected)
			return id;
	if (node_table && node_table->main_node_id >= 0)
		return node_table->main_node_id;
	return 0;
}

static void
pool_row(ShowTable *t, int child, int slot)
{
	const ProcInfo *p = proc_info(child);
	const ProcSlot *s = proc_slot(child, slot);
	int			node = slot_backend_id(s);
	bool		used = s->nodes[node].connected;
	bool		in_use = used && s->in_use && p->client_connected && p->current_slot == slot;
	char		when[32];

	child_identity(t, child);
	show_valuef(t, "%d", slot);
	show_valuef(t, "%d", node);
	show_value(t, used ? s->database : "");
	show_value(t, used ? s->user : "");
	show_value(t, used ? show_format_time(s->create_time, when, sizeof(when)) : "");
	show_value(t, "");			/* client_connection_time: not recorded */
	show_value(t, "");			/* client_disconnection_time: not recorded */
	show_value(t, "0");			/* client_idle_duration */
	show_valuef(t, "%d", used ? s->major : 0);
	show_valuef(t, "%d", used ? s->minor : 0);
	show_valuef(t, "%d", used ? s->counter : 0);
	show_valuef(t, "%d", used ? (int) s->nodes[node].backend_pid : 0);
	show_value(t, in_use ? "1" : "0");
	show_value(t, child_status_text(child));
}

void
show_rows_pools(ShowTable *t)
{
	if (proc_table == NULL)
		return;
	for (int c = 0; c < proc_table->num_children; c++)
		for (int s = 0; s < proc_table->max_pool; s++)
		{
			show_row_begin(t);
			pool_row(t, c, s);
			show_row_end(t);
		}
}
