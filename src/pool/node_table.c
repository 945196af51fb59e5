/*
 * node_table.c: backend node status shared by every pgpool process.
 */
#include "pool/node_table.h"
#include "pool/status_file.h"
#include "utils/shmem.h"
#include "utils/str.h"

#include <string.h>

NodeTable  *node_table;

size_t
node_table_shmem_size(void)
{
	return shmem_align(sizeof(NodeTable));
}

static void
recompute_main_node(void)
{
	node_table->main_node_id = -1;
	for (int i = 0; i < node_table->num_backends; i++)
		if (node_is_up(i))
		{
			node_table->main_node_id = i;
			break;
		}
}

static void
fill_node(BackendNode *n, const BackendConfig *b)
{
	str_copy(n->hostname, b->hostname ? b->hostname : "", sizeof(n->hostname));
	n->port = b->port;
	n->weight = b->weight;
	n->flag = b->flag;
}

void
node_table_shmem_init(const PoolConfig *cfg)
{
	node_table = shmem_alloc(sizeof(NodeTable));
	node_table->num_backends = cfg->num_backends;
	node_table->primary_node_id = -1;
	for (int i = 0; i < cfg->num_backends; i++)
	{
		BackendNode *n = &node_table->nodes[i];

		if (!cfg->backends[i].defined)
		{
			n->status = NODE_STATUS_UNUSED;
			continue;
		}
		fill_node(n, &cfg->backends[i]);
		n->status = NODE_STATUS_CONNECT_WAIT;
		n->role = NODE_ROLE_MAIN;
		n->status_changed = time(NULL);
	}
	recompute_main_node();
}

void
node_table_reload(const PoolConfig *cfg)
{
	shmem_lock(SHMEM_LOCK_NODES);
	for (int i = 0; i < cfg->num_backends; i++)
	{
		BackendNode *n = &node_table->nodes[i];

		if (!cfg->backends[i].defined)
			continue;
		if (i >= node_table->num_backends || n->status == NODE_STATUS_UNUSED)
		{
			/* a node added by reload starts detached until attached */
			fill_node(n, &cfg->backends[i]);
			n->status = NODE_STATUS_DOWN;
			n->status_changed = time(NULL);
			continue;
		}
		n->weight = cfg->backends[i].weight;
		n->flag = cfg->backends[i].flag;
	}
	if (cfg->num_backends > node_table->num_backends)
		node_table->num_backends = cfg->num_backends;
	recompute_main_node();
	shmem_unlock(SHMEM_LOCK_NODES);
}

void
node_table_note_connected(int id)
{
	BackendNode *n = &node_table->nodes[id];

	/* unlocked read first: this runs for every new backend connection */
	if (n->status != NODE_STATUS_CONNECT_WAIT)
		return;
	shmem_lock(SHMEM_LOCK_NODES);
	if (n->status == NODE_STATUS_CONNECT_WAIT)
		n->status = NODE_STATUS_UP;
	shmem_unlock(SHMEM_LOCK_NODES);
}

void
node_table_set_status(int id, NodeStatus status)
{
	if (id < 0 || id >= node_table->num_backends)
		return;
	bool		changed;

	shmem_lock(SHMEM_LOCK_NODES);
	changed = node_table->nodes[id].status != (int) status || node_table->nodes[id].quarantine;
	if (changed)
	{
		node_table->nodes[id].status = status;
		node_table->nodes[id].quarantine = false;
		node_table->nodes[id].status_changed = time(NULL);
	}
	recompute_main_node();
	shmem_unlock(SHMEM_LOCK_NODES);
	/* "waiting" and "up" are the same to the file: only real changes rewrite it */
	if (changed && (status == NODE_STATUS_DOWN || status == NODE_STATUS_CONNECT_WAIT))
		status_file_save(pool_config->logdir);
}

void
node_table_set_quarantine(int id, bool on)
{
	BackendNode *n;

	if (id < 0 || id >= node_table->num_backends)
		return;
	n = &node_table->nodes[id];
	shmem_lock(SHMEM_LOCK_NODES);
	if (on && n->status != NODE_STATUS_DOWN)
	{
		n->status = NODE_STATUS_DOWN;
		n->quarantine = true;
		n->status_changed = time(NULL);
	}
	else if (!on && n->status == NODE_STATUS_DOWN && n->quarantine)
	{
		n->status = NODE_STATUS_CONNECT_WAIT;
		n->quarantine = false;
		n->status_changed = time(NULL);
	}
	recompute_main_node();
	shmem_unlock(SHMEM_LOCK_NODES);
	/* a quarantine is this pgpool's passing view: pgpool_status is not rewritten */
}

const char *
node_status_name_of(int id)
{
	if (node_is_quarantined(id))
		return "quarantine";
	return node_status_name(node_table->nodes[id].status);
}

const char *
node_status_name(int status)
{
	switch (status)
	{
		case NODE_STATUS_CONNECT_WAIT:
			return "waiting";
		case NODE_STATUS_UP:
			return "up";
		case NODE_STATUS_DOWN:
			return "down";
		default:
			return "unused";
	}
}
