/*
 * health_settings.h: a node's effective health check settings (per-node
 * values override the global ones).  Pure configuration: the health check
 * workers use it, and so does a session that waits for a failover to end.
 */
#ifndef PGPOOL_CONFIG_HEALTH_SETTINGS_H
#define PGPOOL_CONFIG_HEALTH_SETTINGS_H

#include "config/config.h"

typedef struct HealthSettings
{
	int			period;			/* seconds, 0: off */
	int			timeout;		/* seconds, 0: none */
	const char *user;
	const char *password;
	const char *database;		/* "": postgres, then template1 */
	int			max_retries;
	int			retry_delay;
	int			connect_timeout_ms;
} HealthSettings;

void		health_settings_for(const PoolConfig *cfg, int node, HealthSettings *out);

/* Seconds a failing node can take to be detached: period + max_retries x (timeout + retry_delay). */
int			health_settings_detach_bound(const HealthSettings *hs);

#endif
