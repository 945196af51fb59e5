/*
 * multi_mode.c: which session-side strategy (multi_mode.h) the clustering
 * mode in force uses.  Runs in a child process (and follows a reload:
 * the choice is made at each call from the strategy in force).
 */
#include "multi_mode.h"

#include "replication/strategy.h"

/*
 * The one place the session layer reads the mode's flags: they pick the
 * family (see replication/strategy.h); everything else asks the family.
 */
const MultiMode *
multi_mode(void)
{
	const ModeStrategy *st = strategy_current();

	if (st->replicate_writes)
		return st->snapshot_isolation ? &multi_mode_snapshot : &multi_mode_native;
	if (st->has_primary)
		return st->wal_streams ? &multi_mode_streaming : &multi_mode_primary_standby;
	return &multi_mode_raw;
}
