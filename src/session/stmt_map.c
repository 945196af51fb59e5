/*
 * stmt_map.c: prepared statements of a multi-node session (see the header).
 */
#include "session/stmt_map.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

void
stmt_map_init(StmtMap *m)
{
	m->items = NULL;
	m->count = m->cap = 0;
}

static void
item_free(StmtInfo *it)
{
	free(it->name);
	pqbuf_free(&it->parse_msg);
}

void
stmt_map_free(StmtMap *m)
{
	for (int i = 0; i < m->count; i++)
		item_free(&m->items[i]);
	free(m->items);
	stmt_map_init(m);
}

StmtInfo *
stmt_map_find(StmtMap *m, const char *name)
{
	for (int i = 0; i < m->count; i++)
		if (strcmp(m->items[i].name, name) == 0)
			return &m->items[i];
	return NULL;
}

StmtInfo *
stmt_map_put(StmtMap *m, const char *name, const char *msg, size_t msg_len, const NodeMask *nodes)
{
	StmtInfo   *it = stmt_map_find(m, name);
	size_t		name_len;

	if (it == NULL)
	{
		if (m->count == m->cap)
		{
			m->cap = m->cap ? m->cap * 2 : 8;
			m->items = mem_realloc(m->items, sizeof(StmtInfo) * m->cap);
		}
		it = &m->items[m->count++];
		it->name = str_dup(name);
		pqbuf_init(&it->parse_msg);
	}
	pqbuf_reset(&it->parse_msg);
	pqbuf_put_bytes(&it->parse_msg, msg, msg_len);
	it->parsed_on = *nodes;
	/* type byte, length word, name, then the query text */
	name_len = strlen(name);
	it->query = it->parse_msg.data + 5 + name_len + 1;
	it->query_len = strnlen(it->query, msg_len - 5 - name_len - 1);
	return it;
}

void
stmt_map_remove(StmtMap *m, const char *name)
{
	StmtInfo   *it = stmt_map_find(m, name);

	if (it == NULL)
		return;
	item_free(it);
	*it = m->items[--m->count];
}
