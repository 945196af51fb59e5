/*
 * status_file.c: pgpool_status, one line per node: "up", "down" or
 * "unused".  Written by the parent whenever a node's status changes and at
 * start; read at start.  A file that would leave no node up is ignored:
 * refusing every client is never what the operator wants.
 */
#include "pool/status_file.h"
#include "pool/node_table.h"
#include "utils/log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/*
 * One line's word, as pgpool-II 4.3 reads it: "up", "down" or "unused",
 * blanks around it ignored (files edited by hand or by scripts).  Only
 * "down" keeps a node detached; anything else leaves it as configured.
 */
static bool
status_line_is_down(const char *line)
{
	size_t		len;

	line += strspn(line, " \t");
	len = strcspn(line, " \t\r\n");
	return len == 4 && strncasecmp(line, "down", 4) == 0;
}

static void
status_path(const char *logdir, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/pgpool_status", logdir && logdir[0] ? logdir : ".");
}

void
status_file_load(const char *logdir, bool discard)
{
	char		path[1024], line[64];
	int			down[MAX_BACKENDS];
	int			n = 0, up = 0;
	FILE	   *f;

	status_path(logdir, path, sizeof(path));
	if (discard)
	{
		plog(PL_LOG, "discarding node status file \"%s\" (-D)", path);
		unlink(path);
		return;
	}
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (n < MAX_BACKENDS && fgets(line, sizeof(line), f))
		down[n++] = status_line_is_down(line);
	fclose(f);
	for (int i = 0; i < node_table->num_backends; i++)
		if (node_is_up(i) && !(i < n && down[i]))
			up++;
	if (up == 0)
	{
		plog(PL_LOG, "ignoring node status file \"%s\": it marks every node down", path);
		return;
	}
	for (int i = 0; i < n && i < node_table->num_backends; i++)
		if (down[i] && node_table->nodes[i].status != NODE_STATUS_UNUSED)
		{
			plog(PL_LOG, "node %d is down according to \"%s\"", i, path);
			node_table_set_status(i, NODE_STATUS_DOWN);
		}
}

void
status_file_save(const char *logdir)
{
	char		path[1024], tmp[1040];
	FILE	   *f;

	status_path(logdir, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
	{
		plog(PL_LOG, "could not write node status file \"%s\": %m", tmp);
		return;
	}
	for (int i = 0; i < node_table->num_backends; i++)
	{
		int			st = node_table->nodes[i].status;

		/* a quarantine is not written: after a restart the node is checked afresh */
		if (node_table->nodes[i].quarantine)
			st = NODE_STATUS_UP;
		fprintf(f, "%s\n", st == NODE_STATUS_DOWN ? "down" : st == NODE_STATUS_UNUSED ? "unused" : "up");
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		plog(PL_LOG, "could not write node status file \"%s\": %m", path);
}
