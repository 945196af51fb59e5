/*
 * sr_stream.h: does a standby stream from the primary?  The sr_check
 * worker's judgement (src/health/sr_stream_check.c), apart from the
 * queries so that it can be tested alone.
 */
#ifndef PGPOOL_HEALTH_SR_STREAM_H
#define PGPOOL_HEALTH_SR_STREAM_H

#include <stdbool.h>
#include <stddef.h>

/* What one node says about itself and its WAL receiver. */
typedef struct StreamInfo
{
	bool		known;			/* the node answered */
	bool		in_recovery;
	char		addr[64];		/* host(inet_server_addr()), "" over a socket */
	int			addr_port;		/* inet_server_port(), 0 over a socket */
	char		status[32];		/* pg_stat_wal_receiver.status, "" without a receiver */
	bool		hidden;			/* a receiver whose details we may not see */
	char		sender_host[256];
	int			sender_port;
} StreamInfo;

/*
 * Why standby n (of node_table) gets no reads: "" if it streams from the
 * primary (directly or cascading through configured nodes that are up),
 * NULL if it cannot be told, else the replication_state to show ("not
 * streaming", "streaming from another node", "not in recovery"), with a
 * sentence for the log in detail.  info holds every node's answer.
 */
const char *sr_stream_judge(int n, int primary, const StreamInfo *info, char *detail, size_t len);

#endif
