/*
 * wal_pos_rule.c: the pure rules of read_your_writes (see wal_pos.h):
 * LSN text, the page-boundary rule, the read decision and the hash slots
 * of read_your_writes = global.  No shared memory, no I/O; unit tested.
 */
#include "replication/wal_pos.h"

#include <stdlib.h>
#include <string.h>

bool
wal_pos_lsn_parse(const char *text, uint64_t *lsn)
{
	const char *slash;
	char	   *end;
	unsigned long long hi, lo;

	if (text == NULL || (slash = strchr(text, '/')) == NULL || slash == text)
		return false;
	hi = strtoull(text, &end, 16);
	if (end != slash || hi > 0xFFFFFFFFULL)
		return false;
	lo = strtoull(slash + 1, &end, 16);
	if (end == slash + 1 || *end != '\0' || lo > 0xFFFFFFFFULL)
		return false;
	*lsn = ((uint64_t) hi << 32) | (uint64_t) lo;
	return true;
}

uint64_t
wal_pos_required_lsn(uint64_t insert_lsn)
{
	uint64_t	offset = insert_lsn % WAL_POS_PAGE_SIZE;

	/*
	 * No record ends within a page header: a position there means the last
	 * record ended at the page boundary, where replay stops.
	 */
	if (offset <= WAL_POS_PAGE_HEADER_MAX)
		return insert_lsn - offset;
	return insert_lsn;
}

bool
wal_pos_reached(uint64_t replay_lsn, uint64_t insert_lsn)
{
	return replay_lsn >= wal_pos_required_lsn(insert_lsn);
}

WalPosVerdict
wal_pos_decide(const WalPosReadIn *in)
{
	if (in->write_pending)
		return WAL_POS_PENDING;
	if (in->required_us <= 0)
		return WAL_POS_STANDBY;
	/* the sample must be sent after the commit: only then does it cover it */
	if (in->sample_us <= 0 || in->sample_us < in->required_us)
		return WAL_POS_NO_SAMPLE;
	if (!in->replay_known || !wal_pos_reached(in->replay_lsn, in->sample_lsn))
		return WAL_POS_BEHIND;
	return WAL_POS_STANDBY;
}

/* FNV-1a over database, a separator, and relation. */
static uint32_t
slot_hash(const char *database, const char *relation)
{
	uint32_t	h = 2166136261u;
	const char *parts[2] = {database ? database : "", relation};

	for (int k = 0; k < 2; k++)
	{
		for (const unsigned char *p = (const unsigned char *) parts[k]; *p; p++)
			h = (h ^ *p) * 16777619u;
		h = (h ^ 0xFFu) * 16777619u;
	}
	return h;
}

uint32_t
wal_pos_slot_of(const char *database, const char *relation)
{
	return slot_hash(database, relation ? relation : "") % WAL_POS_SLOTS;
}

uint32_t
wal_pos_slot_of_database(const char *database)
{
	/* no relation name is empty: the database's own slot */
	return slot_hash(database, "") % WAL_POS_SLOTS;
}
