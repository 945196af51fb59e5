/*
 * wd_int.h: interfaces between the watchdog's files (not for other modules).
 */
#ifndef PGPOOL_WATCHDOG_WD_INT_H
#define PGPOOL_WATCHDOG_WD_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "watchdog/watchdog.h"
#include "wd_fsm.h"
#include "wd_message.h"

/* ---- wd_net.c: TCP between the watchdogs (the watchdog process) ---------- */

typedef struct WdNetHandlers
{
	void		(*on_message) (void *arg, const WdMessage *m);
	void		(*on_disconnect) (void *arg, int peer);	/* the peer's port refused or reset */
	void	   *arg;
} WdNetHandlers;

/* Listen on this node's wd port; connections to peers are made lazily. */
bool		wd_net_open(const WdClusterConfig *c, const PoolConfig *cfg);

/* Send m to peer (-1: every peer); failures surface as on_disconnect later. */
void		wd_net_send(int peer, const WdMessage *m);

/*
 * Wait up to timeout_ms for traffic (signals in wait_mask are taken
 * meanwhile), then dispatch what arrived and (re)connect to peers.
 */
void		wd_net_poll(int timeout_ms, const sigset_t *wait_mask, const WdNetHandlers *h);

void		wd_net_close(void);

/* ---- wd_escalate.c: the VIP and the escalation commands ------------------- */

/*
 * Start escalation (wd_escalation_command, if_up_cmd, arping_cmd) or
 * de-escalation (wd_de_escalation_command, if_down_cmd) in a forked
 * process; one at a time, in order.  wd_escalate_poll() reaps it and starts
 * the next one that was asked for.
 */
void		wd_escalate_request(bool up);
void		wd_escalate_poll(void);
/* Wait for a running one and de-escalate synchronously if holding (shutdown). */
void		wd_escalate_shutdown(void);
/* Replace $_IP_$ with ip and prefix path when cmd is not absolute; malloc'd. */
char	   *wd_escalate_expand(const char *cmd, const char *path, const char *ip);

/* ---- wd_main.c ------------------------------------------------------------- */

/* Send a message of this node (its current state) with a text payload (NULL: none). */
void		wd_send(int to, char type, const char *payload);

/* ---- wd_failover.c: backend failover across pgpools (watchdog process) ----- */

/* Take the requests of this pgpool's processes off the ring; expire old votes and waits. */
void		wd_failover_poll(const WdFsm *f);

/* FAILOVER REQUEST, FAILOVER, COMMAND and the leader's INFO (backend status). */
void		wd_failover_on_message(const WdFsm *f, const WdMessage *m);

/* The backend status vector an INFO carries ("B" + one letter a node). */
void		wd_failover_status_payload(char *buf, size_t cap);

/* Send the cluster commands still on the ring (shutdown: before leaving). */
void		wd_failover_flush_commands(void);

/* ---- wd_ipc.c: the UNIX socket wd_cli talks to (watchdog process) ---------- */

bool		wd_ipc_open(const PoolConfig *cfg, int wd_port);
void		wd_ipc_poll(const WdFsm *f);
void		wd_ipc_close(void);

/* ---- wd_netif.c: wd_monitoring_interfaces_list (watchdog process) ---------- */

/* 1: a monitored interface is up; 0: every one is down; -1: nothing monitored. */
int			wd_netif_check(const char *list);

/* ---- time ------------------------------------------------------------------- */
int64_t		wd_now_us(void);

#endif
