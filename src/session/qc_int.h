/*
 * qc_int.h: the query cache inside a session — which statements may be
 * answered from the cache, the relations they read, capturing a backend's
 * answer for the store, and answering from it.  The store itself is
 * cache/ (include/cache/qcache.h); this is the policy and the protocol.
 */
#ifndef PGPOOL_SESSION_QC_INT_H
#define PGPOOL_SESSION_QC_INT_H

#include "cache/qcache.h"
#include "session/multi.h"
#include "utils/pattern_list.h"

/* ---- qc_policy.c: pure verdicts ---- */

/* One relation as the catalog describes it. */
typedef struct QcRel
{
	uint32_t	oid;
	char		relkind;		/* pg_class.relkind */
	char		persistence;	/* pg_class.relpersistence: 'p', 'u', 't' */
	bool		rls;			/* row-level security enabled */
	bool		catalog;		/* in pg_catalog, information_schema or pg_toast */
} QcRel;

/* What a relation name resolves to: the relation, then for a view every relation under it. */
typedef struct QcRelInfo
{
	uint64_t	resolved_at;	/* invalidation clock when asked */
	bool		found;
	int			nrels;
	QcRel		rels[QC_MAX_TABLES];
} QcRelInfo;

/* Table lists of one configuration load. */
typedef struct QcLists
{
	PatternList safe;			/* cache_safe_memqcache_table_list */
	PatternList unsafe;			/* cache_unsafe_memqcache_table_list */
} QcLists;

void		qc_lists_compile(QcLists *l, const struct PoolConfig *cfg);
void		qc_lists_free(QcLists *l);

/* Why the statement text itself is never cached; NULL if it may be. */
const char *qc_policy_statement(const StmtFacts *f);

/*
 * Why the relation named (schema.name or name, as written) keeps the
 * statement out of the cache; NULL if it does not.  force: the statement
 * carries /\*FORCE QUERY CACHE*\/.
 */
const char *qc_policy_relation(const QcLists *l, const RouterRel *named, const QcRelInfo *ri, bool force);

/* Why the functions' worst volatility ('i', 's', 'v'; 0 unknown) keeps it out; NULL if not. */
const char *qc_policy_functions(const StmtFacts *f, char volatility, bool force);

/* ---- qc_rel.c: relation facts from the catalog, cached per process ---- */

/*
 * The relation a name resolves to in this session (search_path, temporary
 * tables), asked of the primary when not cached.  NULL if it cannot be
 * asked now (the primary is busy).
 */
const QcRelInfo *qc_rel_lookup(Session *s, const char *schema, const char *name);

/* Forget every cached answer (DDL, SET search_path, a new user or database). */
void		qc_rel_forget(void);

/* Worst volatility of the functions the statement calls ('i' none; 0 unknown now). */
char		qc_func_volatility(Session *s, const StmtFacts *f);

/* ---- qc_capture.c: a backend's answer, frame by frame ---- */

typedef struct QcCapture
{
	QcKey		key;
	QcTable		tables[QC_MAX_TABLES];
	int			ntables;
	uint64_t	as_of;
	int			bind_ordinal;	/* 0: simple Query; k: the k-th BindComplete of the batch */
	int			binds_seen;
	bool		active;			/* between its start and its CommandComplete */
	bool		complete;		/* CommandComplete seen */
	bool		failed;			/* not storable */
	bool		has_desc;		/* a RowDescription was captured */
	PqBuf		data;			/* RowDescription, DataRows, CommandComplete */
	char		text[128];		/* start of the statement, for logs */
} QcCapture;

void		qc_capture_init(QcCapture *c);
void		qc_capture_free(QcCapture *c);

/*
 * One reply frame of the entry the capture belongs to (frame: type byte,
 * length, body; whole false for a frame that is streamed in parts).
 */
void		qc_capture_frame(QcCapture *c, char type, const char *frame, size_t size, bool whole);

/* Everything the answer needs arrived and nothing spoiled it. */
bool		qc_capture_storable(const QcCapture *c);

/* ---- qc_session.c ---- */

typedef struct QcLocalRun QcLocalRun;

/* Per-session state (MultiState.qc). */
typedef struct QcSession
{
	bool		disabled;		/* SET ROLE, temporary objects: no cache for this session */
	uint64_t	tx_as_of;		/* clock when the open transaction began */
	bool		tx_failed;		/* the transaction saw an error */
	bool		end_pending;	/* a ReadyForQuery said idle: settle once nothing is in flight */
	RouterStmtKind tx_end;		/* the statement that ends the transaction, if sent */
	QcTable		dirty[64];		/* tables written in the transaction */
	int			ndirty;
	bool		dirty_db;		/* a write whose tables are unknown: the whole database */
	uint32_t	dirty_db_hash;
	bool		forget_names;	/* SET search_path ran: relation names resolve differently */
	uint64_t	settings_salt;	/* hash of the session's SET/RESET statements (part of every key) */
	uint64_t	batch_seq;		/* the batch whose Binds are counted */
	int			batch_binds;
	QcCapture **pending;		/* answers waiting for COMMIT */
	int			npending;
	QcCapture  *next;			/* capture for the request being routed */
	QcCapture  *inflight[8];	/* captures of requests in flight, by entry seq */
	uint64_t	inflight_seq[8];
	QcLocalRun *local;			/* an extended-protocol answer from the cache, if open */
} QcSession;

/* Keep (in the cache) a capture whose answer is complete. */
void		qc_session_keep(Session *s, QcCapture *c, char status);

/* ---- qc_local.c: an extended-protocol portal answered from the cache ---- */

/* Start a local run: BindComplete now, then Describe/Execute/Sync from data. */
void		qc_local_open(Session *s, const char *data, size_t len, const char *portal);

/* A message while a local run is open: true if consumed. */
bool		qc_local_message(Session *s, char type, const char *msg, size_t len);

/* End the local run (another message arrived). */
void		qc_local_close(Session *s);

#endif
