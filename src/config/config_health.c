/*
 * config_health.c: a node's effective health check settings (see
 * config/health_settings.h).
 */
#include "config/health_settings.h"

void
health_settings_for(const PoolConfig *cfg, int node, HealthSettings *hs)
{
	const BackendConfig *b = &cfg->backends[node];

	hs->period = b->health_check_period >= 0 ? b->health_check_period : cfg->health_check_period;
	hs->timeout = b->health_check_timeout >= 0 ? b->health_check_timeout : cfg->health_check_timeout;
	hs->user = b->health_check_user ? b->health_check_user : cfg->health_check_user;
	hs->password = b->health_check_password ? b->health_check_password : cfg->health_check_password;
	hs->database = b->health_check_database ? b->health_check_database : cfg->health_check_database;
	hs->max_retries = b->health_check_max_retries >= 0 ? b->health_check_max_retries : cfg->health_check_max_retries;
	hs->retry_delay = b->health_check_retry_delay >= 0 ? b->health_check_retry_delay : cfg->health_check_retry_delay;
	hs->connect_timeout_ms = b->connect_timeout >= 0 ? b->connect_timeout : cfg->connect_timeout;
	if (hs->user == NULL)
		hs->user = "";
	if (hs->password == NULL)
		hs->password = "";
	if (hs->database == NULL)
		hs->database = "";
}

int
health_settings_detach_bound(const HealthSettings *hs)
{
	return hs->period + hs->max_retries * (hs->timeout + hs->retry_delay);
}
