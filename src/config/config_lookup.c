/*
 * config_lookup.c: finding rows of the parameter table by name and naming
 * their properties, for the parser and for introspection (SHOW pool_status,
 * pcp_pool_status, the generated sample and docs).  Any process may call it;
 * nothing here allocates.
 */
#include "config_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct
{
	const char *title;
	const char *comment;
}			group_texts[CONFIG_GROUP_COUNT] = {
	[CONFIG_GROUP_CONNECTION] = {"CONNECTIONS", "where pgpool and its PCP server accept connections"},
	[CONFIG_GROUP_AUTH] = {"AUTHENTICATION", "how clients prove who they are"},
	[CONFIG_GROUP_SSL] = {"SSL CONNECTIONS", "TLS towards clients and backends"},
	[CONFIG_GROUP_BACKEND] = {"BACKEND NODES",
	"the PostgreSQL servers; N = 0, 1, 2 ... is the node id"},
	[CONFIG_GROUP_POOL] = {"CONCURRENT SESSIONS AND POOLS",
	"child processes and the connections each one caches"},
	[CONFIG_GROUP_LOGGING] = {"LOGS", "what is logged and where"},
	[CONFIG_GROUP_FILES] = {"FILE LOCATIONS", "files pgpool writes"},
	[CONFIG_GROUP_CONNECTION_POOL] = {"CONNECTION POOLING",
	"reuse of backend connections between clients"},
	[CONFIG_GROUP_CLUSTERING] = {"CLUSTERING MODE", "how the backends replicate their data"},
	[CONFIG_GROUP_REPLICATION] = {"NATIVE REPLICATION MODE",
	"pgpool sends every write to every node"},
	[CONFIG_GROUP_LOAD_BALANCE] = {"LOAD BALANCING", "which node answers read-only queries"},
	[CONFIG_GROUP_STREAMING] = {"STREAMING REPLICATION CHECKS",
	"primary detection and replication delay"},
	[CONFIG_GROUP_HEALTH_CHECK] = {"HEALTH CHECK",
	"periodic connection tests of each backend; the *N forms override one node"},
	[CONFIG_GROUP_FAILOVER] = {"FAILOVER AND FAILBACK",
	"what happens when a node goes away or comes back"},
	[CONFIG_GROUP_RECOVERY] = {"ONLINE RECOVERY", "rebuilding a detached node while serving"},
	[CONFIG_GROUP_WATCHDOG] = {"WATCHDOG",
	"several pgpool nodes watching each other, with a virtual IP"},
	[CONFIG_GROUP_CACHE] = {"IN MEMORY QUERY CACHE", "SELECT results kept in memory"},
	[CONFIG_GROUP_MISC] = {"OTHERS", "catalog lookups pgpool makes to route queries"},
	[CONFIG_GROUP_PARALLEL] = {"PARALLEL MODE (3.x)", "partitioned tables and the System DB"},
};

/* Case-insensitive name comparison (pgpool.conf names ignore case). */
bool
config_name_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* Does the row answer to name (its own or a synonym)? */
static bool
param_matches(const ConfigParam *p, const char *name)
{
	if (config_name_eq(p->name, name))
		return true;
	for (const char *const *s = p->synonyms; s && *s; s++)
		if (config_name_eq(*s, name))
			return true;
	return false;
}

/*
 * Look up a plain parameter first, then a numbered one: "wd_port" is the 3.x
 * scalar while "wd_port0" is the 4.x array, and "health_check_period" is the
 * global value while "health_check_period1" overrides node 1.
 */
const ConfigParam *
config_param_find(const char *name, int *index)
{
	size_t		len = strlen(name);
	size_t		base_len = len;
	char		base[128];
	long		n;

	*index = -1;
	for (int i = 0; i < config_params_len; i++)
		if (config_params[i].array == NULL && param_matches(&config_params[i], name))
			return &config_params[i];

	while (base_len > 0 && isdigit((unsigned char) name[base_len - 1]))
		base_len--;
	if (base_len == len || base_len == 0 || base_len >= sizeof(base) || len - base_len > 6)
		return NULL;
	memcpy(base, name, base_len);
	base[base_len] = '\0';
	n = strtol(name + base_len, NULL, 10);

	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];

		if (p->array == NULL || !param_matches(p, base))
			continue;
		*index = (int) n;
		return n < p->array->length ? p : NULL;
	}
	return NULL;
}

/* Number of rows of the table. */
int
config_param_count(void)
{
	return config_params_len;
}

/* Row i of the table, or NULL out of range. */
const ConfigParam *
config_param_at(int i)
{
	if (i < 0 || i >= config_params_len)
		return NULL;
	return &config_params[i];
}

int
config_param_index(const ConfigParam *p)
{
	return (int) (p - config_params);
}

/* Passwords and the watchdog key are never shown. */
bool
config_param_is_secret(const ConfigParam *p)
{
	static const char suffix[] = "password";
	size_t		len = strlen(p->name);

	if (strcmp(p->name, "wd_authkey") == 0)
		return true;
	return len >= sizeof(suffix) - 1 &&
		strcmp(p->name + len - (sizeof(suffix) - 1), suffix) == 0;
}

/* Human name of a type, as in the docs' parameter list. */
const char *
config_type_name(ConfigType type)
{
	switch (type)
	{
		case CONFIG_BOOL:
			return "boolean";
		case CONFIG_INT:
		case CONFIG_INT64:
			return "integer";
		case CONFIG_DOUBLE:
			return "floating point";
		case CONFIG_STRING:
			return "string";
		case CONFIG_ENUM:
			return "enum";
		case CONFIG_BACKEND_FLAG:
			return "backend flag";
	}
	return "unknown";
}

/* "restart" or "reload". */
const char *
config_context_name(ConfigContext ctx)
{
	return ctx == CONFIG_RELOAD ? "reload" : "restart";
}

/* Section title of a group, as in the sample file. */
const char *
config_group_title(ConfigGroup group)
{
	if ((int) group < 0 || group >= CONFIG_GROUP_COUNT)
		return "";
	return group_texts[group].title;
}

/* One-line comment of a group. */
const char *
config_group_comment(ConfigGroup group)
{
	if ((int) group < 0 || group >= CONFIG_GROUP_COUNT)
		return "";
	return group_texts[group].comment;
}

/* Name of a ClusteringMode value as backend_clustering_mode spells it. */
const char *
config_clustering_mode_name(int mode)
{
	int			dummy;
	const ConfigParam *p = config_param_find("backend_clustering_mode", &dummy);

	for (const ConfigEnumEntry *e = p->enum_values; e->name; e++)
		if (e->value == mode)
			return e->name;
	return "unknown";
}
