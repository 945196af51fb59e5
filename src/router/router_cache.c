/*
 * router_cache.c: router_analyze() and the per-process cache of statement
 * facts keyed by statement text.
 *
 * Runs in children.  Applications send the same few statement texts over
 * and over (pgbench sends five), so the hit path is what matters: a 64-bit
 * hash of the text, one bucket chain, a length and memcmp check.  A miss
 * parses (router_parse.c, router_text.c) and inserts.  The cache is bounded
 * by entries and bytes; eviction is CLOCK (second chance): a hit sets the
 * entry's referenced bit and the hand clears bits until it finds an entry
 * not used since its last pass.
 *
 * Entries are reference counted so a caller can keep facts (a named
 * prepared statement) across evictions: the table holds one reference,
 * router_facts_retain() adds one.  Texts longer than max_text_len are
 * analysed into a scratch entry that is not cached; it lives until the next
 * router_analyze() unless retained.
 */
#include <stdlib.h>
#include <string.h>

#include "router_int.h"
#include "utils/mem_reserve.h"
#include "utils/str.h"

#define DEFAULT_MAX_ENTRIES		1024
#define DEFAULT_MAX_BYTES		(8 * 1024 * 1024)
#define DEFAULT_MAX_TEXT_LEN	(32 * 1024)

typedef struct RouterCache
{
	RouterEntry **buckets;		/* hash chains; nbuckets is a power of two */
	size_t		nbuckets;
	RouterEntry **slots;		/* entries in clock order (NULL: free slot) */
	int			nslots;			/* = max_entries */
	int			hand;
	int			entries;
	size_t		bytes;
	int			max_entries;
	size_t		max_bytes;
	size_t		max_text_len;
	RouterEntry *scratch;		/* last uncached result */
	char	   *textbuf;		/* NUL-terminated copy for the parser */
	size_t		textbuf_cap;
	RouterCacheStats stats;
} RouterCache;

static RouterCache cache = {
	.max_entries = DEFAULT_MAX_ENTRIES,
	.max_bytes = DEFAULT_MAX_BYTES,
	.max_text_len = DEFAULT_MAX_TEXT_LEN,
};

/* ---- hashing ------------------------------------------------------------- */

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

/*
 * Hash eight bytes at a time (multiply-rotate per word, a final avalanche):
 * ~1 ns per word, so even a 2 kB catalog query hashes in well under 1 us.
 */
static uint64_t
text_hash(const char *s, size_t len)
{
	const uint64_t k = UINT64_C(0x9e3779b97f4a7c15);
	uint64_t	h = len * k;
	uint64_t	w;

	while (len >= 8)
	{
		memcpy(&w, s, 8);
		h = (h ^ (w * k)) * UINT64_C(0xbf58476d1ce4e5b9);
		h = (h << 31) | (h >> 33);
		s += 8;
		len -= 8;
	}
	w = 0;
	if (len > 0)
		memcpy(&w, s, len);
	h ^= w * k;
	return mix64(h);
}

/* ---- table --------------------------------------------------------------- */

static void
entry_unref(RouterEntry *e)
{
	if (--e->refcount == 0)
		free(e);
}

static void
cache_alloc_table(void)
{
	size_t		nb = 16;

	while (nb < (size_t) cache.max_entries * 2)
		nb *= 2;
	cache.buckets = mem_alloc0(nb * sizeof(RouterEntry *));
	cache.nbuckets = nb;
	cache.slots = mem_alloc0((size_t) cache.max_entries * sizeof(RouterEntry *));
	cache.nslots = cache.max_entries;
	cache.hand = 0;
}

static void
table_unlink(RouterEntry *e)
{
	RouterEntry **pp = &cache.buckets[e->hash & (cache.nbuckets - 1)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->next;
	if (*pp == e)
		*pp = e->next;
	e->next = NULL;
	e->in_table = false;
	cache.entries--;
	cache.bytes -= e->size;
}

/* Evict the entry the clock hand settles on. */
static void
cache_evict_one(void)
{
	for (;;)
	{
		RouterEntry *e = cache.slots[cache.hand];

		if (e != NULL && !e->referenced)
		{
			cache.slots[cache.hand] = NULL;
			table_unlink(e);
			entry_unref(e);
			cache.stats.evictions++;
			return;
		}
		if (e != NULL)
			e->referenced = false;
		cache.hand = (cache.hand + 1) % cache.nslots;
	}
}

static void
cache_insert(RouterEntry *e)
{
	size_t		b;

	if (cache.buckets == NULL)
		cache_alloc_table();
	while (cache.entries > 0 &&
		   (cache.entries >= cache.max_entries || cache.bytes + e->size > cache.max_bytes))
		cache_evict_one();
	/* the hand's slot is free after an eviction; otherwise find one */
	while (cache.slots[cache.hand] != NULL)
		cache.hand = (cache.hand + 1) % cache.nslots;
	cache.slots[cache.hand] = e;
	cache.hand = (cache.hand + 1) % cache.nslots;

	b = e->hash & (cache.nbuckets - 1);
	e->next = cache.buckets[b];
	cache.buckets[b] = e;
	e->in_table = true;
	e->referenced = false;
	cache.entries++;
	cache.bytes += e->size;
}

static RouterEntry *
cache_lookup(uint64_t h, const char *sql, size_t len)
{
	RouterEntry *e;

	if (cache.buckets == NULL)
		return NULL;
	for (e = cache.buckets[h & (cache.nbuckets - 1)]; e != NULL; e = e->next)
	{
		if (e->hash == h && e->facts.text_len == len &&
			memcmp(e->facts.text, sql, len) == 0)
			return e;
	}
	return NULL;
}

/* ---- analysis ------------------------------------------------------------ */

static RouterEntry *
analyze_text(const char *sql, size_t len)
{
	RouterBuild b;
	RouterEntry *e;

	if (len + 1 > cache.textbuf_cap)
	{
		cache.textbuf_cap = len + 1 > 1024 ? len + 1 : 1024;
		free(cache.textbuf);
		cache.textbuf = mem_alloc(cache.textbuf_cap);
	}
	memcpy(cache.textbuf, sql, len);
	cache.textbuf[len] = '\0';

	router_build_init(&b);
	router_parse_text(&b, cache.textbuf);
	b.flags |= router_text_flags(cache.textbuf, len);
	e = router_build_freeze(&b, sql, len);
	router_build_free(&b);
	return e;
}

const StmtFacts *
router_analyze(const char *sql, size_t len)
{
	uint64_t	h;
	RouterEntry *e;

	if (sql == NULL)
	{
		sql = "";
		len = 0;
	}
	h = text_hash(sql, len);
	e = cache_lookup(h, sql, len);
	if (e != NULL)
	{
		e->referenced = true;
		cache.stats.hits++;
		return &e->facts;
	}
	cache.stats.misses++;
	if (cache.scratch != NULL)
	{
		entry_unref(cache.scratch);
		cache.scratch = NULL;
	}
	e = analyze_text(sql, len);
	e->hash = h;
	if (len <= cache.max_text_len && e->size <= cache.max_bytes)
		cache_insert(e);
	else
		cache.scratch = e;
	return &e->facts;
}

static RouterEntry *
entry_of(const StmtFacts *f)
{
	return (RouterEntry *) ((char *) f - offsetof(RouterEntry, facts));
}

const StmtFacts *
router_facts_retain(const StmtFacts *facts)
{
	if (facts != NULL)
		entry_of(facts)->refcount++;
	return facts;
}

void
router_facts_release(const StmtFacts *facts)
{
	if (facts != NULL)
		entry_unref(entry_of(facts));
}

/* ---- administration ------------------------------------------------------ */

void
router_cache_reset(void)
{
	int			i;

	for (i = 0; i < cache.nslots; i++)
	{
		RouterEntry *e = cache.slots[i];

		if (e == NULL)
			continue;
		cache.slots[i] = NULL;
		table_unlink(e);
		entry_unref(e);
	}
	free(cache.buckets);
	free(cache.slots);
	cache.buckets = NULL;
	cache.slots = NULL;
	cache.nbuckets = 0;
	cache.nslots = 0;
	cache.entries = 0;
	cache.bytes = 0;
}

/*
 * Allocate the table and the parser's text buffer now (at child start),
 * written once so they are resident: the first statements of the first
 * session must not grow the child.
 */
void
router_cache_prepare(void)
{
	if (cache.buckets == NULL)
		cache_alloc_table();
	mem_touch(cache.buckets, cache.nbuckets * sizeof(RouterEntry *));
	mem_touch(cache.slots, (size_t) cache.nslots * sizeof(RouterEntry *));
	if (cache.textbuf == NULL)
	{
		cache.textbuf_cap = 8192;
		cache.textbuf = mem_alloc(cache.textbuf_cap);
		mem_touch(cache.textbuf, cache.textbuf_cap);
	}
}

void
router_cache_configure(int max_entries, size_t max_bytes, size_t max_text_len)
{
	if (max_bytes > 0)
		cache.max_bytes = max_bytes;
	if (max_text_len > 0)
		cache.max_text_len = max_text_len;
	if (max_entries > 0 && max_entries != cache.max_entries)
	{
		/* the slot array is sized by max_entries: start over */
		router_cache_reset();
		cache.max_entries = max_entries;
		return;
	}
	while (cache.entries > 0 && cache.bytes > cache.max_bytes)
		cache_evict_one();
}

void
router_cache_stats(RouterCacheStats *out)
{
	*out = cache.stats;
	out->entries = cache.entries;
	out->bytes = cache.bytes;
}
