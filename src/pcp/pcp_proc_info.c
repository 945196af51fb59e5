/*
 * pcp_proc_info.c: the proc_info command: one row per backend connection
 * of each pool slot of the children asked for, from the process table in
 * shared memory.  Arguments: pid (0 = every child) and all ("1": every
 * slot and node, used or not).
 */
#include "pcp_int.h"

#include "pool/node_table.h"
#include "pool/proc_table.h"

#include <stdio.h>
#include <string.h>

/* Text of the numbers in one row. */
typedef struct ProcRowText
{
	char		start[24], count[24], major[16], minor[16], backend_time[24];
	char		client_time[24], counter[16], backend_pid[16], connected[4];
	char		pid[16], backend_id[16];
} ProcRowText;

static void
send_row(PcpSession *s, const ProcInfo *pi, const ProcSlot *slot, int slot_index, int node)
{
	ProcRowText t;
	const char *row[PCP_PI_NFIELDS];
	bool		in_use = pi->client_connected && pi->current_slot == slot_index;

	snprintf(t.start, sizeof(t.start), "%lld", (long long) pi->start_time);
	snprintf(t.count, sizeof(t.count), "%llu", (unsigned long long) pi->connection_count);
	snprintf(t.major, sizeof(t.major), "%d", slot->major);
	snprintf(t.minor, sizeof(t.minor), "%d", slot->minor);
	snprintf(t.backend_time, sizeof(t.backend_time), "%lld", (long long) slot->create_time);
	snprintf(t.client_time, sizeof(t.client_time), "%lld", in_use ? (long long) pi->connected_at : 0LL);
	snprintf(t.counter, sizeof(t.counter), "%d", slot->counter);
	snprintf(t.backend_pid, sizeof(t.backend_pid), "%d", (int) slot->nodes[node].backend_pid);
	snprintf(t.connected, sizeof(t.connected), "%d", in_use ? 1 : 0);
	snprintf(t.pid, sizeof(t.pid), "%d", (int) pi->pid);
	snprintf(t.backend_id, sizeof(t.backend_id), "%d", node);
	row[PCP_PI_DATABASE] = slot->database;
	row[PCP_PI_USER] = slot->user;
	row[PCP_PI_START] = t.start;
	row[PCP_PI_CLIENT_COUNT] = t.count;
	row[PCP_PI_MAJOR] = t.major;
	row[PCP_PI_MINOR] = t.minor;
	row[PCP_PI_BACKEND_TIME] = t.backend_time;
	row[PCP_PI_CLIENT_TIME] = t.client_time;
	row[PCP_PI_IDLE] = "0";
	row[PCP_PI_DISCONNECT_TIME] = "0";
	row[PCP_PI_POOL_COUNTER] = t.counter;
	row[PCP_PI_BACKEND_PID] = t.backend_pid;
	row[PCP_PI_CONNECTED] = t.connected;
	row[PCP_PI_PID] = t.pid;
	row[PCP_PI_BACKEND_ID] = t.backend_id;
	row[PCP_PI_STATUS] = child_state_name(pi->state);
	pcp_reply_row(s, PCP_PI_NFIELDS, row);
}

/* Rows of one child; returns how many. */
static int
send_child(PcpSession *s, int child, bool all)
{
	ProcInfo	pi = *proc_info(child);	/* a consistent copy */
	int			rows = 0;

	for (int slot = 0; slot < proc_table->max_pool; slot++)
	{
		ProcSlot	ps = *proc_slot(child, slot);

		if (!all && ps.database[0] == '\0')
			continue;
		for (int node = 0; node < node_table->num_backends; node++)
		{
			if (!all && !ps.nodes[node].connected)
				continue;
			send_row(s, &pi, &ps, slot, node);
			rows++;
		}
	}
	return rows;
}

PcpErrorCode
pcp_do_proc_info(PcpSession *s, int argc, const char *const *argv)
{
	int			pid = 0;
	bool		all = argc > 1 && strcmp(argv[1], "1") == 0;
	bool		found = false;

	if (argc > 0 && !pcp_parse_int(argv[0], &pid))
		return pcp_reply_error(s, PCP_ERR_INVAL, NULL, "invalid process id \"%s\"", argv[0]);
	for (int c = 0; c < proc_table->num_children; c++)
	{
		if (proc_info(c)->pid <= 0 || (pid > 0 && proc_info(c)->pid != pid))
			continue;
		found = true;
		send_child(s, c, all);
	}
	if (pid > 0 && !found)
		return pcp_reply_error(s, PCP_ERR_BACKEND, NULL,
							   "process %d is not a pgpool child process", pid);
	return PCP_OK;
}
