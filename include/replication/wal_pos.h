/*
 * wal_pos.h: WAL positions for read_your_writes.
 *
 * The wal_pos worker samples the primary's pg_current_wal_insert_lsn() and
 * every standby's pg_last_wal_replay_lsn() together and publishes them in
 * shared memory; sessions compare them to decide whether a standby has
 * replayed what they (or, with read_your_writes = global, anyone writing a
 * table through this pgpool) committed.  Times are CLOCK_MONOTONIC
 * microseconds, shared by every process of the machine.
 *
 * The pure rules (LSN text, page boundaries, the read decision) come
 * first; they need no shared memory and are unit tested.
 */
#ifndef PGPOOL_REPLICATION_WAL_POS_H
#define PGPOOL_REPLICATION_WAL_POS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- pure rules (wal_pos_rule.c) ---- */

#define WAL_POS_PAGE_SIZE 8192
#define WAL_POS_PAGE_HEADER_MAX 40	/* a long page header (the first page of a segment) */

/* "16/B374D848" into *lsn; false if it is not one. */
bool		wal_pos_lsn_parse(const char *text, uint64_t *lsn);

/*
 * The position a standby must have replayed to hold everything before
 * insert_lsn: pg_current_wal_insert_lsn() just past a page header (the
 * last record ended at the page boundary, where a standby's replay
 * position stops) counts as the page's start.
 */
uint64_t	wal_pos_required_lsn(uint64_t insert_lsn);

/* Has a standby that replayed up to replay_lsn everything before insert_lsn? */
bool		wal_pos_reached(uint64_t replay_lsn, uint64_t insert_lsn);

/* What a session knows when a read may go to a standby. */
typedef struct WalPosReadIn
{
	bool		write_pending;	/* a write routed to the primary has not committed yet */
	int64_t		required_us;	/* reads must see commits made before this time (0: none) */
	int64_t		sample_us;		/* the primary sample usable here was sent then (0: none) */
	uint64_t	sample_lsn;		/* its pg_current_wal_insert_lsn() */
	bool		replay_known;	/* the standby's replay position is of this primary */
	uint64_t	replay_lsn;
} WalPosReadIn;

typedef enum WalPosVerdict
{
	WAL_POS_STANDBY = 0,		/* the standby has it: read there */
	WAL_POS_PENDING,			/* a write not committed yet: the primary */
	WAL_POS_NO_SAMPLE,			/* no primary sample since required_us: ask for one */
	WAL_POS_BEHIND				/* the standby has not replayed that far yet */
} WalPosVerdict;

WalPosVerdict wal_pos_decide(const WalPosReadIn *in);

/* The hash slot of a table (database + relation name) for read_your_writes = global. */
uint32_t	wal_pos_slot_of(const char *database, const char *relation);

/* The database-wide slot (DDL, unknown tables). */
uint32_t	wal_pos_slot_of_database(const char *database);

#define WAL_POS_SLOTS 4096

/* ---- shared memory (wal_pos.c) ---- */

/* A consistent primary sample: LSN of the time it was sent, and the primary's epoch. */
typedef struct WalPosSample
{
	int64_t		sent_us;		/* 0: none */
	uint64_t	lsn;
	uint32_t	epoch;
} WalPosSample;

/* CLOCK_MONOTONIC in microseconds. */
int64_t		wal_pos_now_us(void);

size_t		wal_pos_shmem_size(void);
void		wal_pos_shmem_init(void);

/* The latest primary sample (sent_us 0 if none, or no shared memory). */
WalPosSample wal_pos_sample(void);

/* Standby n's replay position, if it was sampled under this epoch. */
bool		wal_pos_replay(int n, uint32_t epoch, uint64_t *lsn);

/* Ask the worker for a primary sample sent after now_us. */
void		wal_pos_demand(int64_t now_us);

/* The global slots: the latest commit time stamped on slot, and stamping one. */
int64_t		wal_pos_slot_time(uint32_t slot);
void		wal_pos_slot_stamp(uint32_t slot, int64_t at_us);

/* ---- worker side ---- */

/* The newest demand time. */
int64_t		wal_pos_demand_time(void);

/* A new primary (or none): samples of the old one no longer count. */
void		wal_pos_new_epoch(void);

/* Publish the primary's insert LSN of a sample sent at sent_us. */
void		wal_pos_publish_primary(uint64_t lsn, int64_t sent_us);

/* Publish standby n's replay LSN. */
void		wal_pos_publish_replay(int n, uint64_t lsn, int64_t at_us);

#endif
