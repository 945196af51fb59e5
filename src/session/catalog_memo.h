/*
 * catalog_memo.h: a per-process memo of catalog answers keyed by a string
 * (database, user, relation name ...): open addressing on a hash of the key,
 * entries older than relcache_expire seconds (0: never) are misses, and the
 * whole memo is emptied when it is half full or when DDL passes (callers
 * decide).  Values belong to the memo and are freed with its free function.
 */
#ifndef PGPOOL_SESSION_CATALOG_MEMO_H
#define PGPOOL_SESSION_CATALOG_MEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef struct CatalogMemoSlot
{
	char	   *key;			/* NULL: empty */
	uint32_t	hash;
	void	   *value;
	time_t		stored;
} CatalogMemoSlot;

typedef struct CatalogMemo
{
	CatalogMemoSlot *slots;
	int			size;			/* power of two */
	int			used;
	void		(*free_value) (void *value);
} CatalogMemo;

/* size is rounded up to a power of two; allocated once, here. */
void		catalog_memo_init(CatalogMemo *m, int size, void (*free_value) (void *));
void	   *catalog_memo_get(CatalogMemo *m, const char *key);
/* Store value under key (replacing an older one); the memo owns value. */
void		catalog_memo_put(CatalogMemo *m, const char *key, void *value);
void		catalog_memo_clear(CatalogMemo *m);

#endif
