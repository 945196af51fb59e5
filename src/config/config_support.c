/*
 * config_support.c: telling the user about settings pgpool accepts but does
 * not honour.
 *
 * Every parameter of pgpool-II 3.x and 4.3 is accepted so that existing
 * pgpool.conf files load, but not every feature behind them exists in this
 * build; the table marks those rows (ConfigParam.support).  A file that sets
 * such a parameter to anything but its default gets one WARNING per setting,
 * naming the file and line, at start and on every reload (run by the parent,
 * which is the one process that reports configuration problems).
 *
 * To know the line, config_load records where each setting came from in
 * PoolConfig.sources; this file keeps that list too.
 */
#include "config_int.h"

#include <stdlib.h>
#include <string.h>

#include "utils/log.h"
#include "utils/str.h"

/* ---- where each setting came from ---- */

void
config_sources_free(ConfigSources *src)
{
	if (src == NULL)
		return;
	free(src->path);
	free(src->settings);
	free(src);
}

ConfigSources *
config_sources_copy(const ConfigSources *src)
{
	ConfigSources *dst;

	if (src == NULL)
		return NULL;
	dst = mem_alloc0(sizeof(*dst));
	dst->path = str_dup(src->path);
	dst->count = dst->capacity = src->count;
	if (src->count > 0)
	{
		dst->settings = mem_alloc0((size_t) src->count * sizeof(ConfigSetting));
		memcpy(dst->settings, src->settings, (size_t) src->count * sizeof(ConfigSetting));
	}
	return dst;
}

void
config_sources_begin(PoolConfig *cfg, const char *path)
{
	config_sources_free(cfg->sources);
	cfg->sources = mem_alloc0(sizeof(ConfigSources));
	cfg->sources->path = str_dup(path);
}

void
config_sources_record(PoolConfig *cfg, int row, int index, int line)
{
	ConfigSources *src = cfg->sources;

	if (src == NULL)
		return;
	for (int i = 0; i < src->count; i++)
		if (src->settings[i].row == row && src->settings[i].index == index)
		{
			src->settings[i].line = line;	/* the later line wins, as its value does */
			return;
		}
	if (src->count == src->capacity)
	{
		ConfigSetting *grown;

		src->capacity = src->capacity ? src->capacity * 2 : 64;
		grown = mem_alloc0((size_t) src->capacity * sizeof(ConfigSetting));
		if (src->count > 0)
			memcpy(grown, src->settings, (size_t) src->count * sizeof(ConfigSetting));
		free(src->settings);
		src->settings = grown;
	}
	src->settings[src->count++] = (ConfigSetting) {.row = row, .index = index, .line = line};
}

/* ---- the warnings ---- */

const char *
config_support_label(const ConfigParam *p)
{
	switch (p->support)
	{
		case CONFIG_SUPPORTED:
			return NULL;
		case CONFIG_NOT_IMPLEMENTED:
			return "not implemented";
		case CONFIG_NO_EFFECT:
			return "obsolete, no effect";
	}
	return NULL;
}

static int
by_line(const void *a, const void *b)
{
	const ConfigSetting *x = a;
	const ConfigSetting *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

/* The default as pgpool.conf would spell it, for the HINT. */
static const char *
default_text(const ConfigParam *p)
{
	const char *v = p->default_value ? p->default_value : "";

	if (p->type == CONFIG_STRING || p->type == CONFIG_ENUM)
		return log_fmt("'%s'", v);
	return v;
}

static void
warn_one(const ConfigParam *p, const ConfigSetting *s, const char *path)
{
	const char *name = s->index >= 0 ? log_fmt("%s%d", p->name, s->index) : p->name;
	const char *where = log_fmt("in file \"%s\" line %d", path, s->line);

	if (p->support == CONFIG_NO_EFFECT)
		plog_ex(PL_WARNING, where,
				"The parameter is accepted only so that old configuration files load.",
				"parameter \"%s\" is obsolete and has no effect", name);
	else
		plog_ex(PL_WARNING, where,
				log_fmt("Its value is ignored; remove the line or set the default (%s) "
						"to silence this warning.", default_text(p)),
				"parameter \"%s\" is not supported by this version of pgpool and has no effect",
				name);
}

/* See config.h. */
int
config_report_unsupported(const PoolConfig *cfg)
{
	const ConfigSources *src = cfg->sources;
	PoolConfig *defaults;
	ConfigSetting *sorted;
	int			warned = 0;

	if (src == NULL || src->count == 0)
		return 0;
	defaults = mem_alloc0(sizeof(*defaults));
	config_init_defaults(defaults);
	sorted = mem_alloc0((size_t) src->count * sizeof(ConfigSetting));
	memcpy(sorted, src->settings, (size_t) src->count * sizeof(ConfigSetting));
	qsort(sorted, (size_t) src->count, sizeof(ConfigSetting), by_line);
	for (int i = 0; i < src->count; i++)
	{
		const ConfigParam *p = &config_params[sorted[i].row];

		/* the default, however spelled, asks for nothing this build lacks */
		if (p->support == CONFIG_SUPPORTED ||
			config_value_equal(cfg, defaults, p, sorted[i].index))
			continue;
		warn_one(p, &sorted[i], src->path);
		warned++;
	}
	free(sorted);
	config_free(defaults);
	free(defaults);
	return warned;
}
