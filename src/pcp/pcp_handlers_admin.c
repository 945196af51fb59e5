/*
 * pcp_handlers_admin.c: the PCP commands that act: detach, attach and
 * promote go through the failover queue (the parent does the work and the
 * worker waits for the outcome); stop and reload signal the parent once
 * the reply is sent; recovery runs online recovery in this worker (see
 * src/recovery), holding the client's connection until it is done.
 */
#include "cache/qcache.h"
#include "pcp_int.h"

#include "failover/failover.h"
#include "pool/node_table.h"
#include "recovery/recovery.h"
#include "utils/log.h"
#include "watchdog/watchdog.h"

#include <signal.h>
#include <string.h>

/* Queue a request, wait for the parent to handle it, reply accordingly. */
static PcpErrorCode
node_request(PcpSession *s, FailoverKind kind, int node_id, bool graceful, int extra_flags)
{
	int			flags = FAILOVER_FLAG_FROM_PCP | extra_flags | (graceful ? FAILOVER_FLAG_GRACEFUL : 0);
	FailoverResult res;

	if (graceful && !failover_wait_for_clients(pool_config))
		plog(PL_LOG, "PCP: going on with the request for node %d although clients are connected",
			 node_id);
	res = failover_wait(failover_request(kind, node_id, flags), -1);
	if (res == FAILOVER_DONE)
		return PCP_OK;
	if (res == FAILOVER_QUEUED)
	{
		/* the running request's command may be the one that called us */
		plog(PL_LOG, "PCP: request for node %d queued behind another failover request", node_id);
		return PCP_OK;
	}
	return pcp_reply_error(s, PCP_ERR_BACKEND, NULL, "%s request for node %d failed: %s",
						   kind == FAILOVER_DETACH ? "detach" :
						   kind == FAILOVER_ATTACH ? "attach" : "promote",
						   node_id, failover_result_text(res));
}

PcpErrorCode
pcp_do_detach_node(PcpSession *s, int argc, const char *const *argv)
{
	int			id;
	PcpErrorCode rc;

	if ((rc = pcp_check_node(s, argv[0], &id)) != PCP_OK)
		return rc;
	if (node_table->nodes[id].flag & BACKEND_FLAG_DISALLOW_TO_FAILOVER)
		return pcp_reply_error(s, PCP_ERR_BACKEND,
							   log_fmt("backend_flag%d is DISALLOW_TO_FAILOVER", id),
							   "node %d cannot be detached", id);
	return node_request(s, FAILOVER_DETACH, id, strcmp(argv[1], "1") == 0, 0);
}

PcpErrorCode
pcp_do_attach_node(PcpSession *s, int argc, const char *const *argv)
{
	int			id;
	PcpErrorCode rc;

	if ((rc = pcp_check_node(s, argv[0], &id)) != PCP_OK)
		return rc;
	return node_request(s, FAILOVER_ATTACH, id, false, 0);
}

PcpErrorCode
pcp_do_promote_node(PcpSession *s, int argc, const char *const *argv)
{
	int			id;
	PcpErrorCode rc;

	if ((rc = pcp_check_node(s, argv[0], &id)) != PCP_OK)
		return rc;
	if (!node_is_up(id))
		return pcp_reply_error(s, PCP_ERR_BACKEND, NULL, "node %d cannot be promoted: it is down", id);
	/* "0"/"1": graceful; a trailing "s" asks for a switchover */
	return node_request(s, FAILOVER_PROMOTE, id, argv[1][0] == '1',
						strchr(argv[1], 's') ? FAILOVER_FLAG_SWITCHOVER : 0);
}

/* --scope=cluster: the watchdog sends the command to every other pgpool. */
static PcpErrorCode
cluster_command(PcpSession *s, WdRequestWhat what, char mode)
{
	if (!pool_config->use_watchdog)
	{
		s->signal_parent = 0;
		return pcp_reply_error(s, PCP_ERR_INVAL, "Set use_watchdog = on, or use --scope=local.",
							   "the cluster scope needs the watchdog");
	}
	if (!wd_request_cluster_command(what, mode))
	{
		s->signal_parent = 0;
		return pcp_reply_error(s, PCP_ERR_BACKEND, NULL, "the watchdog's request queue is full");
	}
	return PCP_OK;
}

PcpErrorCode
pcp_do_stop_pgpool(PcpSession *s, int argc, const char *const *argv)
{
	const char *m = argv[0];

	if (strcmp(m, "s") == 0 || strcmp(m, "smart") == 0)
		s->signal_parent = SIGTERM;
	else if (strcmp(m, "f") == 0 || strcmp(m, "fast") == 0)
		s->signal_parent = SIGINT;
	else if (strcmp(m, "i") == 0 || strcmp(m, "immediate") == 0)
		s->signal_parent = SIGQUIT;
	else
		return pcp_reply_error(s, PCP_ERR_INVAL, "Valid modes are s(mart), f(ast) and i(mmediate).",
							   "invalid shutdown mode \"%s\"", m);
	plog(PL_LOG, "PCP: user \"%s\" requested %s shutdown%s", s->user,
		 s->signal_parent == SIGTERM ? "smart" : s->signal_parent == SIGINT ? "fast" : "immediate",
		 argc > 1 && strcmp(argv[1], "c") == 0 ? " of the whole watchdog cluster" : "");
	if (argc > 1 && strcmp(argv[1], "c") == 0)
		return cluster_command(s, WD_REQ_STOP, m[0]);
	return PCP_OK;
}

PcpErrorCode
pcp_do_reload_config(PcpSession *s, int argc, const char *const *argv)
{
	plog(PL_LOG, "PCP: user \"%s\" requested a configuration reload%s", s->user,
		 argc > 0 && strcmp(argv[0], "c") == 0 ? " of the whole watchdog cluster" : "");
	s->signal_parent = SIGHUP;
	if (argc > 0 && strcmp(argv[0], "c") == 0)
		return cluster_command(s, WD_REQ_RELOAD, 0);
	return PCP_OK;
}

PcpErrorCode
pcp_do_invalidate_query_cache(PcpSession *s, int argc, const char *const *argv)
{
	if (!qc_enabled())
		return pcp_reply_error(s, PCP_ERR_INVAL, "Set memory_cache_enabled = on to use the query cache.",
							   "query cache is not enabled");
	qc_clear_all();
	plog(PL_LOG, "PCP: user \"%s\" invalidated the whole query cache", s->user);
	return PCP_OK;
}

PcpErrorCode
pcp_do_recovery_node(PcpSession *s, int argc, const char *const *argv)
{
	int			id;
	PcpErrorCode rc;
	RecoveryError err;
	const char *detail;

	if ((rc = pcp_check_node(s, argv[0], &id)) != PCP_OK)
		return rc;
	plog(PL_LOG, "PCP: user \"%s\" requested online recovery of node %d", s->user, id);
	if (recovery_run(id, &err) == RECOVERY_OK)
		return PCP_OK;
	/* the error packet has no HINT field: the tools print it on a line of the DETAIL */
	if (err.detail[0] && err.hint[0])
		detail = log_fmt("%s\nHINT:  %s", err.detail, err.hint);
	else
		detail = err.detail[0] ? err.detail : err.hint[0] ? log_fmt("HINT:  %s", err.hint) : NULL;
	return pcp_reply_error(s, PCP_ERR_BACKEND, detail, "%s", err.message);
}
