/*
 * config_value.c: converting one parameter value between its pgpool.conf
 * text and its PoolConfig field, and describing what a parameter accepts.
 * Used by the parser (text to field) and by SHOW / PCP / docs (field to text).
 */
#include "config_int.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utils/log.h"
#include "utils/str.h"

static const char *const bool_true[] = {"on", "true", "yes", "1", NULL};
static const char *const bool_false[] = {"off", "false", "no", "0", NULL};

static const struct
{
	const char *name;
	int			bit;
}			flag_names[] = {
	{"ALLOW_TO_FAILOVER", BACKEND_FLAG_ALLOW_TO_FAILOVER},
	{"DISALLOW_TO_FAILOVER", BACKEND_FLAG_DISALLOW_TO_FAILOVER},
	{"ALWAYS_PRIMARY", BACKEND_FLAG_ALWAYS_PRIMARY},
	{"ALWAYS_MASTER", BACKEND_FLAG_ALWAYS_PRIMARY}, /* 4.0/4.1 spelling */
};

/* Unit suffixes and their size in the smallest unit of their kind. */
typedef struct UnitDef
{
	const char *suffix;
	int64_t		factor;
} UnitDef;

static const UnitDef memory_units[] = {
	{"B", 1}, {"kB", 1024}, {"MB", 1024 * 1024}, {"GB", INT64_C(1024) * 1024 * 1024},
	{"TB", INT64_C(1024) * 1024 * 1024 * 1024}, {NULL, 0}
};
static const UnitDef time_units[] = {
	{"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}, {NULL, 0}
};

/* Copy text into buf without leading and trailing white space. */
static const char *
trimmed(const char *text, char *buf, size_t len)
{
	str_copy(buf, text, len);
	return str_trim(buf);
}

static bool
parse_bool(const char *text, bool *out)
{
	char		tmp[16];
	const char *s = trimmed(text, tmp, sizeof(tmp));

	for (int i = 0; bool_true[i]; i++)
	{
		if (strcasecmp(s, bool_true[i]) == 0)
		{
			*out = true;
			return true;
		}
		if (strcasecmp(s, bool_false[i]) == 0)
		{
			*out = false;
			return true;
		}
	}
	return false;
}

/* Apply a unit suffix (rest) to v, converting to the parameter's base unit. */
static bool
apply_unit(ConfigUnit unit, const char *rest, int64_t *v)
{
	const UnitDef *units = unit == CONFIG_UNIT_MIN ? time_units : memory_units;
	int64_t		base = unit == CONFIG_UNIT_MIN ? 60 : unit == CONFIG_UNIT_KB ? 1024 : 1;

	if (*rest == '\0')
		return true;
	for (const UnitDef *u = units; u->suffix; u++)
	{
		int64_t		scaled;

		if (strcasecmp(rest, u->suffix) != 0)
			continue;
		if (__builtin_mul_overflow(*v, u->factor, &scaled))
			return false;
		/* round to the nearest base unit, as PostgreSQL does */
		*v = (scaled >= 0 ? scaled + base / 2 : scaled - base / 2) / base;
		return true;
	}
	return false;
}

/* Integer with optional sign, C prefixes (octal flag) and unit suffix. */
static bool
parse_integer(const ConfigParam *p, const char *text, int64_t *out)
{
	char		tmp[64];
	const char *s = trimmed(text, tmp, sizeof(tmp));
	char	   *end;
	long long	v;

	if (*s == '\0' || strlen(text) >= sizeof(tmp))
		return false;
	errno = 0;
	v = strtoll(s, &end, (p->flags & CONFIG_FLAG_OCTAL) ? 0 : 10);
	if (errno != 0 || end == s)
		return false;
	while (isspace((unsigned char) *end))
		end++;
	*out = v;
	if (p->unit == CONFIG_UNIT_NONE ? *end != '\0' : !apply_unit(p->unit, end, out))
		return false;
	return *out >= p->min && *out <= p->max;
}

static bool
parse_double(const ConfigParam *p, const char *text, double *out)
{
	char		tmp[64];
	const char *s = trimmed(text, tmp, sizeof(tmp));
	char	   *end;
	double		v;

	if (*s == '\0' || strlen(text) >= sizeof(tmp))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
		return false;
	if (v < (double) p->min || v > (double) p->max)
		return false;
	*out = v;
	return true;
}

static bool
parse_enum(const ConfigParam *p, const char *text, int *out)
{
	char		tmp[64];
	const char *s = trimmed(text, tmp, sizeof(tmp));

	for (const ConfigEnumEntry *e = p->enum_values; e->name; e++)
		if (strcasecmp(s, e->name) == 0)
		{
			*out = e->value;
			return true;
		}
	return false;
}

/* 'ALLOW_TO_FAILOVER|ALWAYS_PRIMARY': failover is allowed unless disallowed. */
static bool
parse_backend_flag(const char *text, int *out)
{
	char		tmp[256];
	char	   *parts[8];
	int			n;
	int			bits = 0;
	size_t		nparts = sizeof(parts) / sizeof(parts[0]);

	if (strlen(text) >= sizeof(tmp) || strspn(text, " \t") == strlen(text))
		return false;
	str_copy(tmp, text, sizeof(tmp));
	n = str_split(tmp, '|', parts, (int) nparts);
	for (int i = 0; i < n; i++)
	{
		size_t		k;

		for (k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++)
			if (strcasecmp(parts[i], flag_names[k].name) == 0)
				break;
		if (k == sizeof(flag_names) / sizeof(flag_names[0]))
			return false;
		bits |= flag_names[k].bit;
	}
	/* every '|' must separate two names: "A||B" and "A|" are mistakes */
	for (const char *c = text; *c; c++)
		if (*c == '|')
			n--;
	if (n != 1)
		return false;
	if ((bits & BACKEND_FLAG_ALLOW_TO_FAILOVER) && (bits & BACKEND_FLAG_DISALLOW_TO_FAILOVER))
		return false;
	if (!(bits & BACKEND_FLAG_DISALLOW_TO_FAILOVER))
		bits |= BACKEND_FLAG_ALLOW_TO_FAILOVER;
	*out = bits;
	return true;
}

/* Convert text into p's field (element index); false leaves it unchanged. */
bool
config_value_parse(PoolConfig *cfg, const ConfigParam *p, int index, const char *text)
{
	void	   *field = config_field(cfg, p, index);
	int64_t		i64;

	switch (p->type)
	{
		case CONFIG_BOOL:
			return parse_bool(text, (bool *) field);
		case CONFIG_INT:
			if (!parse_integer(p, text, &i64))
				return false;
			*(int *) field = (int) i64;
			return true;
		case CONFIG_INT64:
			return parse_integer(p, text, (int64_t *) field);
		case CONFIG_DOUBLE:
			return parse_double(p, text, (double *) field);
		case CONFIG_ENUM:
			return parse_enum(p, text, (int *) field);
		case CONFIG_BACKEND_FLAG:
			return parse_backend_flag(text, (int *) field);
		case CONFIG_STRING:
			if (p->check && !p->check(text))
				return false;
			free(*(char **) field);
			*(char **) field = str_dup(text);
			return true;
	}
	return false;
}

/* Text of the values p accepts, as in error DETAILs. */
const char *
config_accepted_values(const ConfigParam *p, char *buf, size_t len)
{
	size_t		pos = 0;

	buf[0] = '\0';
	switch (p->type)
	{
		case CONFIG_BOOL:
			snprintf(buf, len, "on, off, true, false, yes, no, 1, 0");
			break;
		case CONFIG_INT:
		case CONFIG_INT64:
			if (p->flags & CONFIG_FLAG_OCTAL)
				snprintf(buf, len, "an integer from %#" PRIo64 " to %#" PRIo64,
						 (uint64_t) p->min, (uint64_t) p->max);
			else
				snprintf(buf, len, "an integer from %" PRId64 " to %" PRId64, p->min, p->max);
			if (p->unit != CONFIG_UNIT_NONE)
			{
				pos = strlen(buf);
				snprintf(buf + pos, len - pos, " %s",
						 p->unit == CONFIG_UNIT_MIN
						 ? "(minutes; or with a unit: s, min, h, d)"
						 : p->unit == CONFIG_UNIT_KB
						 ? "(kB; or with a unit: B, kB, MB, GB, TB)"
						 : "(bytes; or with a unit: B, kB, MB, GB, TB)");
			}
			break;
		case CONFIG_DOUBLE:
			snprintf(buf, len, "a number from %" PRId64 " to %" PRId64, p->min, p->max);
			break;
		case CONFIG_ENUM:
			for (const ConfigEnumEntry *e = p->enum_values; e->name && pos < len; e++)
			{
				if (e->hidden)
					continue;
				pos += snprintf(buf + pos, len - pos, "%s'%s'", pos ? ", " : "", e->name);
			}
			break;
		case CONFIG_BACKEND_FLAG:
			snprintf(buf, len, "'ALLOW_TO_FAILOVER' or 'DISALLOW_TO_FAILOVER', "
					 "and 'ALWAYS_PRIMARY', joined with '|'");
			break;
		case CONFIG_STRING:
			snprintf(buf, len, "%s", p->accepted ? p->accepted : "any string");
			break;
	}
	return buf;
}

/* ERROR for a rejected value, with the accepted values in DETAIL. */
void
config_report_invalid(const ConfigParam *p, const char *name, const char *value,
					  const char *where)
{
	char		accepted[512];

	config_accepted_values(p, accepted, sizeof(accepted));
	plog_ex(PL_ERROR,
			where ? log_fmt("%s; accepted values: %s", where, accepted)
			: log_fmt("accepted values: %s", accepted),
			NULL, "invalid value for parameter \"%s\": \"%s\"", name, value);
}

static void
render_flag(int bits, char *buf, size_t len)
{
	size_t		pos = 0;

	buf[0] = '\0';
	for (int k = 0; k < 3; k++)
		if ((bits & flag_names[k].bit) && pos < len)
			pos += snprintf(buf + pos, len - pos, "%s%s", pos ? "|" : "", flag_names[k].name);
}

static void
render_enum(const ConfigParam *p, int value, char *buf, size_t len)
{
	const ConfigEnumEntry *e;

	for (e = p->enum_values; e->name; e++)
		if (e->value == value && !e->hidden)
			break;
	snprintf(buf, len, "%s", e->name ? e->name : "");
}

/* Element index of p rendered as text; "" for an unset per-node override. */
const char *
config_element_to_string(const PoolConfig *cfg, const ConfigParam *p, int index,
						 char *buf, size_t len)
{
	const void *f;

	buf[0] = '\0';
	if (p->array && (index < 0 || index >= p->array->length))
		return buf;
	f = config_field_const(cfg, p, p->array ? index : -1);
	switch (p->type)
	{
		case CONFIG_BOOL:
			snprintf(buf, len, "%s", *(const bool *) f ? "on" : "off");
			break;
		case CONFIG_INT:
			if ((p->flags & CONFIG_FLAG_NODE_UNSET) && *(const int *) f < 0)
				break;
			snprintf(buf, len, (p->flags & CONFIG_FLAG_OCTAL) ? "%#o" : "%d", *(const int *) f);
			break;
		case CONFIG_INT64:
			snprintf(buf, len, "%" PRId64, *(const int64_t *) f);
			break;
		case CONFIG_DOUBLE:
			snprintf(buf, len, "%g", *(const double *) f);
			break;
		case CONFIG_STRING:
			snprintf(buf, len, "%s", *(char *const *) f ? *(char *const *) f : "");
			break;
		case CONFIG_ENUM:
			render_enum(p, *(const int *) f, buf, len);
			break;
		case CONFIG_BACKEND_FLAG:
			render_flag(*(const int *) f, buf, len);
			break;
	}
	return buf;
}

/* As config_element_to_string, with secrets masked. */
const char *
config_element_for_display(const PoolConfig *cfg, const ConfigParam *p, int index,
						   char *buf, size_t len)
{
	if (config_param_is_secret(p))
	{
		snprintf(buf, len, "********");
		return buf;
	}
	return config_element_to_string(cfg, p, index, buf, len);
}

/* A plain parameter's value (element 0 of a numbered one) as text. */
const char *
config_value_to_string(const PoolConfig *cfg, const ConfigParam *p, char *buf, size_t len)
{
	return config_element_to_string(cfg, p, 0, buf, len);
}

/* As config_value_to_string, with secrets masked. */
const char *
config_value_for_display(const PoolConfig *cfg, const ConfigParam *p, char *buf, size_t len)
{
	return config_element_for_display(cfg, p, 0, buf, len);
}

/* Fill the logger's settings from cfg (see config.h). */
void
config_log_settings(const PoolConfig *cfg, LogSettings *out)
{
	char		tmp[64];
	char	   *parts[4];
	int			n;

	memset(out, 0, sizeof(*out));
	out->min_level = cfg->log_min_messages;
	if (cfg->debug_level > 0)
	{
		int			debug = PL_DEBUG1 + 1 - (cfg->debug_level > 5 ? 5 : cfg->debug_level);

		if (debug < out->min_level)
			out->min_level = debug;
	}
	str_copy(tmp, cfg->log_destination ? cfg->log_destination : "", sizeof(tmp));
	n = str_split(tmp, ',', parts, 4);
	for (int i = 0; i < n; i++)
		out->destinations |= strcasecmp(parts[i], "syslog") == 0 ? PL_DEST_SYSLOG : PL_DEST_STDERR;
	if (out->destinations == 0)
		out->destinations = PL_DEST_STDERR;
	out->syslog_facility = cfg->syslog_facility;
	out->syslog_ident = cfg->syslog_ident;
	out->line_prefix = cfg->log_line_prefix;
	out->print_timestamp = cfg->print_timestamp;
}
