/*
 * ryw.h: read_your_writes state of a multi-node session (see
 * src/session/ryw.c).  Kept inside MultiState, zeroed with it.
 */
#ifndef PGPOOL_SESSION_RYW_H
#define PGPOOL_SESSION_RYW_H

#include <stdbool.h>
#include <stdint.h>

#define RYW_MAX_SLOTS 32

typedef struct RywState
{
	uint64_t	pending_seq;	/* newest request with a write not yet committed (0: none) */
	int64_t		commit_us;		/* when the session's newest write was seen committed */
	int64_t		lsn_sample_us;	/* cached primary sample: sent then ... */
	uint64_t	lsn;			/* ... with this insert LSN ... */
	uint32_t	lsn_epoch;		/* ... under this primary */
	uint32_t	slots[RYW_MAX_SLOTS];	/* global: tables the pending writes touched */
	int			nslots;
	bool		all_tables;		/* global: DDL or unknown tables: the database's slot */
	bool		tx_on_primary;	/* a read of the open transaction went to the primary */
} RywState;

#endif
