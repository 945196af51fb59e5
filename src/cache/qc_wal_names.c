/*
 * qc_wal_names.c: names of the WAL invalidation worker's publication and
 * slots, and LSN text.
 *
 * Slot names are unique in the whole cluster while logical decoding is per
 * database, so each database's slot carries the database's oid:
 * "<memqcache_wal_slot_name>_<oid>".  Publications are per database and
 * all share the base name.  Both are kept to [a-z0-9_] so they need no
 * quoting anywhere (SQL, replication commands, publication_names).
 */
#include "cache/qc_wal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

/* PostgreSQL's NAMEDATALEN - 1 */
#define QCW_NAME_MAX 63
/* "_" and the digits of the largest oid */
#define QCW_OID_SUFFIX_MAX 11

void
qc_wal_publication_name(const PoolConfig *cfg, char *out, size_t len)
{
	const char *src = cfg->memqcache_wal_slot_name && cfg->memqcache_wal_slot_name[0] ?
		cfg->memqcache_wal_slot_name : "pgpool_query_cache";
	size_t		max = QCW_NAME_MAX - QCW_OID_SUFFIX_MAX;
	size_t		i;

	if (max > len - 1)
		max = len - 1;
	for (i = 0; src[i] && i < max; i++)
	{
		unsigned char c = (unsigned char) tolower((unsigned char) src[i]);

		out[i] = (isdigit(c) || (c >= 'a' && c <= 'z')) ? (char) c : '_';
	}
	out[i] = '\0';
}

void
qc_wal_slot_name(const PoolConfig *cfg, uint32_t dboid, char *out, size_t len)
{
	char		base[QCW_NAME_MAX + 1];

	qc_wal_publication_name(cfg, base, sizeof(base));
	snprintf(out, len, "%s_%" PRIu32, base, dboid);
}

bool
qc_wal_lsn_parse(const char *text, uint64_t *lsn)
{
	unsigned int hi, lo;
	int			used = 0;

	if (text == NULL || sscanf(text, "%X/%X%n", &hi, &lo, &used) != 2 || text[used] != '\0')
		return false;
	*lsn = ((uint64_t) hi << 32) | lo;
	return true;
}

