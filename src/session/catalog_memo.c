/*
 * catalog_memo.c: per-process memo of catalog answers (see catalog_memo.h).
 * Runs in children.
 */
#include "catalog_memo.h"

#include "config/config.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

void
catalog_memo_init(CatalogMemo *m, int size, void (*free_value) (void *))
{
	int			n = 16;

	while (n < size)
		n <<= 1;
	m->slots = mem_alloc0(sizeof(CatalogMemoSlot) * (size_t) n);
	m->size = n;
	m->used = 0;
	m->free_value = free_value;
}

static CatalogMemoSlot *
find_slot(CatalogMemo *m, const char *key, uint32_t h)
{
	for (int i = 0; i < m->size; i++)
	{
		CatalogMemoSlot *sl = &m->slots[(h + (uint32_t) i) & (uint32_t) (m->size - 1)];

		if (sl->key == NULL || (sl->hash == h && strcmp(sl->key, key) == 0))
			return sl;
	}
	return NULL;
}

void *
catalog_memo_get(CatalogMemo *m, const char *key)
{
	CatalogMemoSlot *sl;
	int			expire = pool_config ? pool_config->relcache_expire : 0;

	if (m->slots == NULL)
		return NULL;
	sl = find_slot(m, key, str_hash(key));
	if (sl == NULL || sl->key == NULL)
		return NULL;
	if (expire > 0 && time(NULL) - sl->stored >= expire)
		return NULL;
	return sl->value;
}

void
catalog_memo_put(CatalogMemo *m, const char *key, void *value)
{
	uint32_t	h = str_hash(key);
	CatalogMemoSlot *sl;

	if (m->slots == NULL)
		return;
	if (m->used * 2 >= m->size)
		catalog_memo_clear(m);	/* simpler than deleting from open addressing; refills fast */
	sl = find_slot(m, key, h);
	if (sl->key)
	{
		if (m->free_value && sl->value)
			m->free_value(sl->value);
	}
	else
	{
		sl->key = str_dup(key);
		sl->hash = h;
		m->used++;
	}
	sl->value = value;
	sl->stored = time(NULL);
}

void
catalog_memo_clear(CatalogMemo *m)
{
	for (int i = 0; i < m->size; i++)
	{
		CatalogMemoSlot *sl = &m->slots[i];

		if (sl->key == NULL)
			continue;
		free(sl->key);
		if (m->free_value && sl->value)
			m->free_value(sl->value);
		memset(sl, 0, sizeof(*sl));
	}
	m->used = 0;
}
