/*
 * wd_vote.c: failover votes (see wd_vote.h).  Pure; the watchdog process
 * (wd_failover.c) keeps one WdVote per backend node while it is leader.
 */
#include "wd_vote.h"

#include <string.h>

WdVoteResult
wd_vote_cast(WdVote *v, int voter, int need, bool allow_multiple, int64_t now_ms)
{
	uint32_t	bit = 1u << (voter & 31);

	if (v->count == 0)
	{
		v->voters = 0;
		v->since_ms = now_ms;
	}
	if ((v->voters & bit) && !allow_multiple)
		return WD_VOTE_DUPLICATE;
	v->voters |= bit;
	v->count++;
	if (v->count < need)
		return WD_VOTE_NOTED;
	memset(v, 0, sizeof(*v));
	return WD_VOTE_CONSENSUS;
}

bool
wd_vote_expire(WdVote *v, int64_t now_ms, int64_t window_ms)
{
	if (v->count == 0 || now_ms - v->since_ms <= window_ms)
		return false;
	memset(v, 0, sizeof(*v));
	return true;
}
