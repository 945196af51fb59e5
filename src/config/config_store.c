/*
 * config_store.c: the storage side of PoolConfig, driven by the table:
 * where a parameter's field is, defaults, copying, comparing and freeing.
 * Strings are malloc'd and owned by the PoolConfig that holds them.
 */
#include "config_int.h"

#include <stdlib.h>
#include <string.h>

#include "utils/log.h"
#include "utils/str.h"

/* Address of p's field (element index for numbered parameters). */
void *
config_field(PoolConfig *cfg, const ConfigParam *p, int index)
{
	char	   *base = (char *) cfg;

	if (p->array)
		base += p->array->offset + (size_t) index * p->array->stride;
	return base + p->offset;
}

const void *
config_field_const(const PoolConfig *cfg, const ConfigParam *p, int index)
{
	return config_field((PoolConfig *) cfg, p, index);
}

/* Size in bytes of the field a type is stored in. */
static size_t
type_size(ConfigType type)
{
	switch (type)
	{
		case CONFIG_BOOL:
			return sizeof(bool);
		case CONFIG_INT64:
			return sizeof(int64_t);
		case CONFIG_DOUBLE:
			return sizeof(double);
		case CONFIG_STRING:
			return sizeof(char *);
		case CONFIG_INT:
		case CONFIG_ENUM:
		case CONFIG_BACKEND_FLAG:
			return sizeof(int);
	}
	return 0;
}

/* Number of elements a row covers: 1 for a plain parameter. */
static int
param_elements(const ConfigParam *p)
{
	return p->array ? p->array->length : 1;
}

void
config_value_free(PoolConfig *cfg, const ConfigParam *p, int index)
{
	if (p->type == CONFIG_STRING)
	{
		char	  **s = config_field(cfg, p, index);

		free(*s);
		*s = NULL;
	}
}

/*
 * Default of p into the field.  A row without default is a per-node override:
 * -1 (integers) or NULL (strings) mean "use the global value".
 */
void
config_value_reset(PoolConfig *cfg, const ConfigParam *p, int index)
{
	config_value_free(cfg, p, index);
	if (p->default_value == NULL)
	{
		if (p->type == CONFIG_INT)
			*(int *) config_field(cfg, p, index) = -1;
		return;
	}
	if (!config_value_parse(cfg, p, index, p->default_value))
	{
		/* a bad default in the table is a bug caught by the unit tests */
		plog(PL_PANIC, "invalid default \"%s\" of parameter \"%s\"", p->default_value, p->name);
		abort();
	}
}

/* Fill cfg with every parameter's default. */
void
config_init_defaults(PoolConfig *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];

		for (int k = 0; k < param_elements(p); k++)
			config_value_reset(cfg, p, p->array ? k : -1);
	}
	config_recount(cfg);
}

/* Free every string the configuration owns (not cfg itself). */
void
config_free(PoolConfig *cfg)
{
	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];

		if (p->type != CONFIG_STRING)
			continue;
		for (int k = 0; k < param_elements(p); k++)
			config_value_free(cfg, p, p->array ? k : -1);
	}
	config_sources_free(cfg->sources);
	cfg->sources = NULL;
}

/* Copy p's value (element index) from src into dst, duplicating strings. */
void
config_value_copy(PoolConfig *dst, const PoolConfig *src, const ConfigParam *p, int index)
{
	if (p->type == CONFIG_STRING)
	{
		char	   *const *from = config_field_const(src, p, index);
		char	  **to = config_field(dst, p, index);

		if (*to == *from)
			return;
		free(*to);
		*to = *from ? str_dup(*from) : NULL;
		return;
	}
	memcpy(config_field(dst, p, index), config_field_const(src, p, index), type_size(p->type));
}

/* Deep copy src into dst (dst is overwritten, not freed first). */
void
config_copy(PoolConfig *dst, const PoolConfig *src)
{
	memcpy(dst, src, sizeof(*dst));
	dst->sources = config_sources_copy(src->sources);
	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];

		if (p->type != CONFIG_STRING)
			continue;
		for (int k = 0; k < param_elements(p); k++)
		{
			char	  **s = config_field(dst, p, p->array ? k : -1);

			if (*s)
				*s = str_dup(*s);
		}
	}
}

/* Do a and b hold the same value for p (element index)? */
bool
config_value_equal(const PoolConfig *a, const PoolConfig *b, const ConfigParam *p, int index)
{
	const void *x = config_field_const(a, p, index);
	const void *y = config_field_const(b, p, index);

	switch (p->type)
	{
		case CONFIG_STRING:
			{
				const char *s = *(char *const *) x;
				const char *t = *(char *const *) y;

				if (s == NULL || t == NULL)
					return s == t;
				return strcmp(s, t) == 0;
			}
		case CONFIG_DOUBLE:
			return *(const double *) x == *(const double *) y;
		default:
			return memcmp(x, y, type_size(p->type)) == 0;
	}
}

static bool *
defined_flag(PoolConfig *cfg, const ConfigArray *a, int index)
{
	return (bool *) ((char *) cfg + a->offset + (size_t) index * a->stride + a->defined_offset);
}

/* Mark element index of p's array (un)defined; config_recount() updates counts. */
void
config_element_set_defined(PoolConfig *cfg, const ConfigParam *p, int index, bool defined)
{
	if (p->array == NULL)
		return;
	*defined_flag(cfg, p->array, index) = defined;
}

/* Recompute num_backends and the other "highest defined N + 1" counts. */
void
config_recount(PoolConfig *cfg)
{
	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigArray *a = config_params[i].array;
		int			n = 0;

		if (a == NULL || !(config_params[i].flags & CONFIG_FLAG_DEFINES))
			continue;
		for (int k = 0; k < a->length; k++)
			if (*defined_flag(cfg, a, k))
				n = k + 1;
		*(int *) ((char *) cfg + a->count_offset) = n;
	}
}

/* How many elements of p's array are in use; 0 for a plain parameter. */
int
config_element_count(const PoolConfig *cfg, const ConfigParam *p)
{
	if (p->array == NULL)
		return 0;
	return *(const int *) ((const char *) cfg + p->array->count_offset);
}

/* Is element index of p's array defined? */
bool
config_element_defined(const PoolConfig *cfg, const ConfigParam *p, int index)
{
	if (p->array == NULL || index < 0 || index >= p->array->length)
		return false;
	return *defined_flag((PoolConfig *) cfg, p->array, index);
}
