/*
 * wd_vote.h: the leader's failover votes for one backend node, pure (no
 * I/O, no clock): one vote per pgpool unless multiple requests from a node
 * are allowed; the consensus is reached when the votes reach the number the
 * quorum needs.  Used by wd_failover.c in the watchdog process;
 * unit-tested in test/unit/test_watchdog.c.
 */
#ifndef PGPOOL_WATCHDOG_WD_VOTE_H
#define PGPOOL_WATCHDOG_WD_VOTE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct WdVote
{
	int			count;			/* votes so far (0: none open) */
	uint32_t	voters;			/* bit per watchdog node */
	int64_t		since_ms;		/* when the first vote came */
} WdVote;

typedef enum WdVoteResult
{
	WD_VOTE_DUPLICATE = 0,		/* this node voted already: not counted */
	WD_VOTE_NOTED,				/* counted, not enough yet */
	WD_VOTE_CONSENSUS			/* enough: the votes are cleared */
} WdVoteResult;

/* Cast voter's vote; need is the number of votes that make the consensus. */
WdVoteResult wd_vote_cast(WdVote *v, int voter, int need, bool allow_multiple, int64_t now_ms);

/* Drop votes older than window_ms; true if some were dropped. */
bool		wd_vote_expire(WdVote *v, int64_t now_ms, int64_t window_ms);

#endif
