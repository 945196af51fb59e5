/*
 * config_int.h: internals shared by the files of the config module only
 * (table, value conversion, parser, reload, generated text).
 */
#ifndef PGPOOL_CONFIG_CONFIG_INT_H
#define PGPOOL_CONFIG_CONFIG_INT_H

#include "config/config.h"

/* The table itself (config_table.c), in sample/document order. */
extern const ConfigParam config_params[];
extern const int config_params_len;

/* Address of p's field in cfg; index is the element for numbered parameters. */
void	   *config_field(PoolConfig *cfg, const ConfigParam *p, int index);
const void *config_field_const(const PoolConfig *cfg, const ConfigParam *p, int index);

/*
 * Convert text into p's field (element index).  Returns false if the text is
 * not an accepted value (type, bounds, enum list); the field is then unchanged.
 */
bool		config_value_parse(PoolConfig *cfg, const ConfigParam *p, int index,
							   const char *text);

/* Put p's "unset" or default value into the field, freeing an old string. */
void		config_value_reset(PoolConfig *cfg, const ConfigParam *p, int index);

/* Free p's string (element index), if p is a string. */
void		config_value_free(PoolConfig *cfg, const ConfigParam *p, int index);

/* Do a and b hold the same value for p (element index)? */
bool		config_value_equal(const PoolConfig *a, const PoolConfig *b,
							   const ConfigParam *p, int index);

/* Copy p's value (element index) from src into dst, duplicating strings. */
void		config_value_copy(PoolConfig *dst, const PoolConfig *src,
							  const ConfigParam *p, int index);

/* Mark element index of p's array (un)defined; config_recount() redoes "num_*". */
void		config_element_set_defined(PoolConfig *cfg, const ConfigParam *p, int index,
									   bool defined);
void		config_recount(PoolConfig *cfg);

/* Index of p in config_params. */
int			config_param_index(const ConfigParam *p);

/* Report a rejected value: ERROR with the accepted values in DETAIL. */
void		config_report_invalid(const ConfigParam *p, const char *name,
								  const char *value, const char *where);

/*
 * PoolConfig.sources: the line of the file that last set each parameter
 * (element index, -1 for a plain parameter), in the order first set.
 */
typedef struct ConfigSetting
{
	int			row;			/* index in config_params */
	int			index;			/* element, or -1 */
	int			line;
} ConfigSetting;

typedef struct ConfigSources
{
	char	   *path;
	int			count;
	int			capacity;
	ConfigSetting *settings;
} ConfigSources;

/* Forget cfg's sources and start recording a load of path. */
void		config_sources_begin(PoolConfig *cfg, const char *path);

/* Remember that line set row (element index); a later line replaces an earlier one. */
void		config_sources_record(PoolConfig *cfg, int row, int index, int line);

/* Deep copy (NULL stays NULL) and free. */
ConfigSources *config_sources_copy(const ConfigSources *src);
void		config_sources_free(ConfigSources *src);

/* True if the name (of the table or a synonym) equals s, ignoring case. */
bool		config_name_eq(const char *a, const char *b);

#endif
