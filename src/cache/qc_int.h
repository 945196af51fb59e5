/*
 * qc_int.h: what the query cache's files share and nobody else sees: the
 * settings copied at start, the shared counters, the generations region,
 * the serialized entry both stores hold, and each store's operations.
 *
 * Every process inherits the parent's copy of these statics through fork;
 * nothing here points into pool_config, which a reload replaces.
 */
#ifndef PGPOOL_CACHE_QC_INT_H
#define PGPOOL_CACHE_QC_INT_H

#include "cache/qcache.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* ---- settings (qc_api.c) ---- */

typedef struct QcSettings
{
	bool		enabled;
	int			method;			/* MemqcacheMethod */
	char		memcached_host[256];
	int			memcached_port;
	int64_t		total_size;
	int			max_num_cache;
	int			expire;			/* seconds, 0: never */
	int			maxcache;		/* bytes of one entry's data */
	int			block_size;
	char		oiddir[1024];
} QcSettings;

extern QcSettings qc_settings;

/* Seconds since the epoch, plus the tests' offset. */
time_t		qc_now(void);

/* Counters every process adds to (shared memory, both methods). */
typedef struct QcCounters
{
	uint64_t	lookups;
	uint64_t	hits;
} QcCounters;

extern QcCounters *qc_counters;

/* 64-bit finalizer (qc_key.c): every input bit reaches every output bit. */
uint64_t	qc_mix64(uint64_t x);

/* ---- generations (qc_gens.c) ---- */

#define QC_GEN_SLOTS 65536		/* power of two */

size_t		qc_gens_shmem_size(void);
void		qc_gens_init_shmem(void);
bool		qc_gens_open_file(const char *dir);
void		qc_gens_reset(void);	/* every slot stamped now, new key epoch */
uint64_t	qc_gens_clock(void);
uint64_t	qc_gens_epoch(void);
void		qc_gens_bump_epoch(void);
void		qc_gens_stamp_tables(const QcTable *tables, int ntables);
void		qc_gens_stamp_database(uint32_t db_hash);
uint64_t	qc_gens_database_stamp(uint32_t db_hash);

/* Was none of the tables (nor their databases) stamped after as_of? */
bool		qc_gens_valid(const QcTable *tables, int ntables, uint64_t as_of);

/* ---- entry (qc_entry.c): header, tables, data; 8-byte aligned ---- */

#define QC_ENTRY_MAGIC 0x31454351u	/* "QCE1" */

typedef struct QcEntryHdr
{
	uint32_t	magic;
	uint32_t	node;			/* shmem: its index node; memcached: 0 */
	QcKey		key;
	uint64_t	as_of;
	int64_t		created;		/* qc_now() when stored */
	uint32_t	ntables;
	uint32_t	len;
	uint32_t	dead;			/* shmem: dropped, bytes not reused yet */
	uint32_t	size;			/* whole entry, aligned */
} QcEntryHdr;

size_t		qc_entry_size(int ntables, size_t len);
void		qc_entry_write(char *dst, const QcKey *key, const QcTable *tables, int ntables,
						   uint64_t as_of, const char *data, size_t len);

/*
 * Check a header read from a store against its source's length: magic,
 * key, ntables, sizes.  The data begins at qc_entry_data_offset().
 */
bool		qc_entry_sane(const QcEntryHdr *h, const QcKey *key, size_t avail);
size_t		qc_entry_data_offset(uint32_t ntables);

/* Neither expired nor invalidated. */
bool		qc_entry_usable(const QcEntryHdr *h, const QcTable *tables);

/* ---- shmem store (qc_shmem_store.c, qc_shmem_read.c) ---- */

size_t		qc_sh_size(const QcSettings *s);
void		qc_sh_init(const QcSettings *s);
bool		qc_sh_lookup(const QcKey *key, PqBuf *out);
bool		qc_sh_store(const QcKey *key, const QcTable *tables, int ntables, uint64_t as_of,
						const char *data, size_t len);
bool		qc_sh_delete(const QcKey *key);
void		qc_sh_clear(void);
void		qc_sh_stats(QcStats *out);

/* ---- memcached store (qc_memcached.c) ---- */

bool		qc_mc_lookup(const QcKey *key, PqBuf *out);
bool		qc_mc_store(const QcKey *key, const QcTable *tables, int ntables, uint64_t as_of,
						const char *data, size_t len);
bool		qc_mc_delete(const QcKey *key);

#endif
