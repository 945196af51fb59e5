/*
 * config_reload.c: taking a reloaded pgpool.conf into the running
 * configuration.  The parent (and each child, on its reload signal) loads
 * the file into a fresh PoolConfig and calls config_apply_reload(): the
 * reloadable values move over, restart-only ones stay with a LOG line.
 *
 * Numbered parameters: a new backend may be added on reload (pgpool-II 4.x),
 * but the host and port of an existing one, or its removal, need a restart;
 * its weight, flag and other settings reload.
 */
#include "config_int.h"

#include <stdio.h>

#include "utils/log.h"

/* How reload treats the "defined" flag of an array's elements. */
typedef enum ElementPolicy
{
	ELEM_ADD_ONLY,				/* elements may appear, never change or go */
	ELEM_RELOAD,				/* elements follow the new file */
	ELEM_RESTART				/* elements stay as they were */
} ElementPolicy;

static ElementPolicy
array_policy(const ConfigArray *a)
{
	ElementPolicy policy = ELEM_RESTART;

	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];

		if (p->array != a || !(p->flags & CONFIG_FLAG_DEFINES))
			continue;
		if (p->flags & CONFIG_FLAG_ADD_ONLY)
			return ELEM_ADD_ONLY;
		if (p->context == CONFIG_RELOAD)
			policy = ELEM_RELOAD;
	}
	return policy;
}

static void
log_needs_restart(const ConfigParam *p, int index)
{
	if (index < 0)
		plog(PL_LOG, "parameter \"%s\" cannot be changed without restarting the server",
			 p->name);
	else
		plog(PL_LOG, "parameter \"%s%d\" cannot be changed without restarting the server",
			 p->name, index);
}

static void
reload_plain(PoolConfig *cur, const PoolConfig *newcfg, const ConfigParam *p)
{
	if (config_value_equal(cur, newcfg, p, -1))
		return;
	if (p->context == CONFIG_RELOAD)
		config_value_copy(cur, newcfg, p, -1);
	else
		log_needs_restart(p, -1);
}

static void
reload_element(PoolConfig *cur, const PoolConfig *newcfg, const ConfigParam *p, int index,
			   ElementPolicy policy)
{
	bool		was = config_element_defined(cur, p, index);
	bool		is = config_element_defined(newcfg, p, index);

	if (config_value_equal(cur, newcfg, p, index))
		return;
	if (p->flags & CONFIG_FLAG_ADD_ONLY)
	{
		if (was)
			log_needs_restart(p, index);
		else
			config_value_copy(cur, newcfg, p, index);
	}
	else if (policy == ELEM_ADD_ONLY && was && !is)
		return;					/* a removed backend keeps its settings */
	else if (p->context == CONFIG_RELOAD)
		config_value_copy(cur, newcfg, p, index);
	else
		log_needs_restart(p, index);
}

/* Update the defined flags of every array after its values were merged. */
static void
reload_defined(PoolConfig *cur, const PoolConfig *newcfg)
{
	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];
		ElementPolicy policy;

		if (p->array == NULL || !(p->flags & CONFIG_FLAG_DEFINES))
			continue;
		policy = array_policy(p->array);
		for (int k = 0; k < p->array->length; k++)
		{
			bool		was = config_element_defined(cur, p, k);
			bool		is = config_element_defined(newcfg, p, k);

			if (policy == ELEM_ADD_ONLY)
				config_element_set_defined(cur, p, k, was || is);
			else if (policy == ELEM_RELOAD)
				config_element_set_defined(cur, p, k, is);
		}
	}
	config_recount(cur);
}

/* Take a freshly loaded configuration for a reload (see config.h). */
void
config_apply_reload(PoolConfig *cur, const PoolConfig *newcfg)
{
	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];
		ElementPolicy policy;

		if (p->array == NULL)
		{
			reload_plain(cur, newcfg, p);
			continue;
		}
		policy = array_policy(p->array);
		for (int k = 0; k < p->array->length; k++)
			reload_element(cur, newcfg, p, k, policy);
	}
	reload_defined(cur, newcfg);
}
