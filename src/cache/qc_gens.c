/*
 * qc_gens.c: the invalidation clock and the table generations (parent
 * creates; children, the WAL worker and PCP read and stamp).
 *
 * One region: a header holding the clock and the key epoch, then
 * QC_GEN_SLOTS slots.  A table write takes v = ++clock and raises the
 * slot of hash(database, oid) to v; an entry made from a query sent when
 * the clock read as_of is valid while every one of its tables' slots is
 * <= as_of.  A database-wide invalidation stamps the slot of
 * hash(database, 0), which every entry checks for the databases of its
 * tables (an entry that reads no table depends on no database).
 *
 * Values never go back: the clock starts at the wall clock in
 * microseconds and a reset moves it to max(clock, now) + 1, stamping every
 * slot with that value, so entries made before a reset are all invalid
 * and no as_of of an old life can pass for a new one.
 *
 * shmem method: the region is carved from the segment.  memcached method:
 * it is <memqcache_oiddir>/pgpool_query_cache.gens mapped MAP_SHARED, so
 * every pgpool of the host sharing the directory and memcached sees the
 * others' stamps; the key epoch in it is part of every memcached key, and
 * bumping it makes every entry stored before unreachable (pgpool -c).
 * All accesses are GCC __atomic builtins; nothing here takes a lock
 * except flock while the file is created.
 */
#include "qc_int.h"
#include "utils/log.h"
#include "utils/shmem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define QC_GENS_MAGIC 0x534e454743514750ULL	/* "PGQCGENS" */
#define QC_GENS_VERSION 1
#define QC_GENS_FILE "pgpool_query_cache.gens"

typedef struct QcGensHdr
{
	uint64_t	magic;
	uint32_t	version;
	uint32_t	nslots;
	uint64_t	clock;
	uint64_t	epoch;
	uint64_t	reset_at;		/* clock value of the last reset */
	uint64_t	pad[3];
	uint64_t	slots[QC_GEN_SLOTS];
} QcGensHdr;

static QcGensHdr *gens;

static uint64_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static inline size_t
gens_slot(uint32_t db_hash, uint32_t oid)
{
	return (size_t) (qc_mix64(((uint64_t) db_hash << 32) | oid) & (QC_GEN_SLOTS - 1));
}

/* Raise *p to v unless it is already higher (two stamps racing on a slot). */
static void
atomic_raise(uint64_t *p, uint64_t v)
{
	uint64_t	cur = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (cur < v &&
		   !__atomic_compare_exchange_n(p, &cur, v, true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
}

size_t
qc_gens_shmem_size(void)
{
	return shmem_align(sizeof(QcGensHdr));
}

/* Clock past both its old value and the wall clock; every slot at it. */
static void
gens_reinit(QcGensHdr *g, bool fresh)
{
	uint64_t	now = now_usec();
	uint64_t	v, e;

	if (fresh)
		memset(g, 0, sizeof(*g));
	v = __atomic_load_n(&g->clock, __ATOMIC_SEQ_CST);
	e = __atomic_load_n(&g->epoch, __ATOMIC_SEQ_CST);

	v = (v > now ? v : now) + 1;
	atomic_raise(&g->clock, v);
	v = __atomic_load_n(&g->clock, __ATOMIC_SEQ_CST);
	for (size_t i = 0; i < QC_GEN_SLOTS; i++)
		atomic_raise(&g->slots[i], v);
	__atomic_store_n(&g->reset_at, v, __ATOMIC_SEQ_CST);
	atomic_raise(&g->epoch, e + 1 > now ? e + 1 : now);
	g->nslots = QC_GEN_SLOTS;
	g->version = QC_GENS_VERSION;
	__atomic_store_n(&g->magic, QC_GENS_MAGIC, __ATOMIC_SEQ_CST);
}

void
qc_gens_init_shmem(void)
{
	gens = shmem_alloc(sizeof(QcGensHdr));
	gens_reinit(gens, true);
}

static bool
gens_mkdir(const char *dir)
{
	char		path[1024];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int) sizeof(path))
		return false;
	for (char *p = path + 1;; p++)
	{
		char		c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return false;
		*p = c;
		if (c == '\0')
			return true;
	}
}

static bool
gens_map_fd(int fd, const char *path)
{
	struct stat st;
	bool		fresh;
	void	   *p;

	if (fstat(fd, &st) < 0)
		return false;
	fresh = st.st_size != (off_t) sizeof(QcGensHdr);
	if (fresh && ftruncate(fd, 0) < 0)
		return false;
	if (fresh && ftruncate(fd, sizeof(QcGensHdr)) < 0)
		return false;
	p = mmap(NULL, sizeof(QcGensHdr), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return false;
	gens = p;
	if (fresh || gens->magic != QC_GENS_MAGIC || gens->version != QC_GENS_VERSION)
	{
		plog(PL_LOG, "query cache: created table generations file \"%s\"", path);
		gens_reinit(gens, true);
	}
	return true;
}

/* Open or create the file; flock keeps two pgpools starting together apart. */
bool
qc_gens_open_file(const char *dir)
{
	char		path[1100];
	int			fd;
	bool		ok;

	if (!gens_mkdir(dir))
	{
		plog(PL_ERROR, "could not create memqcache_oiddir \"%s\": %m", dir);
		return false;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, QC_GENS_FILE);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
	{
		plog(PL_ERROR, "could not open query cache file \"%s\": %m", path);
		return false;
	}
	flock(fd, LOCK_EX);
	ok = gens_map_fd(fd, path);
	if (!ok)
		plog(PL_ERROR, "could not map query cache file \"%s\": %m", path);
	flock(fd, LOCK_UN);
	close(fd);
	return ok;
}

void
qc_gens_reset(void)
{
	if (gens)
		gens_reinit(gens, false);
}

uint64_t
qc_gens_clock(void)
{
	return gens ? __atomic_load_n(&gens->clock, __ATOMIC_SEQ_CST) : 0;
}

uint64_t
qc_gens_epoch(void)
{
	return gens ? __atomic_load_n(&gens->epoch, __ATOMIC_ACQUIRE) : 0;
}

void
qc_gens_bump_epoch(void)
{
	uint64_t	e, now = now_usec();

	if (!gens)
		return;
	e = __atomic_load_n(&gens->epoch, __ATOMIC_SEQ_CST);
	atomic_raise(&gens->epoch, e + 1 > now ? e + 1 : now);
}

void
qc_gens_stamp_tables(const QcTable *tables, int ntables)
{
	uint64_t	v;

	if (!gens || ntables <= 0)
		return;
	v = __atomic_add_fetch(&gens->clock, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < ntables; i++)
		atomic_raise(&gens->slots[gens_slot(tables[i].db_hash, tables[i].oid)], v);
}

void
qc_gens_stamp_database(uint32_t db_hash)
{
	uint64_t	v;

	if (!gens)
		return;
	v = __atomic_add_fetch(&gens->clock, 1, __ATOMIC_SEQ_CST);
	atomic_raise(&gens->slots[gens_slot(db_hash, 0)], v);
}

uint64_t
qc_gens_database_stamp(uint32_t db_hash)
{
	return gens ? __atomic_load_n(&gens->slots[gens_slot(db_hash, 0)], __ATOMIC_ACQUIRE) : 0;
}

bool
qc_gens_valid(const QcTable *tables, int ntables, uint64_t as_of)
{
	if (!gens)
		return false;
	for (int i = 0; i < ntables; i++)
	{
		size_t		s = gens_slot(tables[i].db_hash, tables[i].oid);

		if (__atomic_load_n(&gens->slots[s], __ATOMIC_ACQUIRE) > as_of)
			return false;
		if (i > 0 && tables[i].db_hash == tables[i - 1].db_hash)
			continue;
		s = gens_slot(tables[i].db_hash, 0);
		if (__atomic_load_n(&gens->slots[s], __ATOMIC_ACQUIRE) > as_of)
			return false;
	}
	return true;
}
