/*
 * stmt_map.h: where each prepared statement of a session was parsed.
 *
 * In a session spread over several nodes, a statement parsed on a standby
 * may later have to run on the primary (a write happened in the
 * transaction).  The map keeps each statement's Parse message so it can be
 * parsed again there, transparently.  Process-local, freed with the session.
 */
#ifndef PGPOOL_SESSION_STMT_MAP_H
#define PGPOOL_SESSION_STMT_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/pq_message.h"
#include "session/node_mask.h"

typedef struct StmtInfo
{
	char	   *name;			/* "" for the unnamed statement */
	NodeMask	parsed_on;
	PqBuf		parse_msg;		/* the whole Parse message, type byte included */
	const char *query;			/* points into parse_msg */
	size_t		query_len;
	uint64_t	parse_seq;		/* the request (RelayEntry.seq) that carried its Parse */
} StmtInfo;

typedef struct StmtMap
{
	StmtInfo   *items;
	int			count;
	int			cap;
} StmtMap;

void		stmt_map_init(StmtMap *m);
void		stmt_map_free(StmtMap *m);
StmtInfo   *stmt_map_find(StmtMap *m, const char *name);
/* Record (or replace) a statement from its Parse message (whole, type byte included). */
StmtInfo   *stmt_map_put(StmtMap *m, const char *name, const char *msg, size_t msg_len, const NodeMask *nodes);
void		stmt_map_remove(StmtMap *m, const char *name);

#endif
