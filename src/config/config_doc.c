/*
 * config_doc.c: text generated from the parameter table: the commented-out
 * sample pgpool.conf and the Markdown parameter reference of the docs.
 * Used by the config_gen tool (make config-docs); the committed
 * sample/pgpool.conf.sample and doc/configuration.md come from here.
 */
#include "config_int.h"

#include <ctype.h>
#include <string.h>

static const char sample_header[] =
	"# ----------------------------\n"
	"# pgpool configuration file\n"
	"# ----------------------------\n"
	"#\n"
	"# Every parameter is listed with its default value, commented out:\n"
	"# remove the '#' and change the value to set one.  Generated from the\n"
	"# parameter table (src/config/config_table.c) by \"make config-docs\".\n"
	"#\n"
	"# Syntax: one \"name = value\" per line (the '=' is optional); '#' starts\n"
	"# a comment.  Strings go in single quotes; write a quote inside as '' or\n"
	"# \\'.  Booleans: on/off, true/false, yes/no, 1/0.  Names ignore case.\n"
	"# When a parameter appears twice, the later line wins.\n"
	"#\n"
	"# [restart] marks parameters read at server start only; [reload] ones\n"
	"# change with \"pgpool reload\".  Parameters ending in N (backend_hostname0,\n"
	"# backend_hostname1, ...) are numbered: N is the node id, from 0.\n"
	"#\n"
	"# backend_clustering_mode is the one line set here: a file without it is\n"
	"# read as a pgpool-II 3.x file, where replication_mode and\n"
	"# master_slave_mode (+ master_slave_sub_mode) choose the mode and neither\n"
	"# means raw mode.\n"
	"#\n"
	"# [not implemented] marks parameters this version of pgpool accepts but\n"
	"# ignores: setting one to anything but its default logs a WARNING naming\n"
	"# the file and line, at start and on every reload.\n";

/* The row of the plain parameter named like a per-node override, or NULL. */
static const ConfigParam *
global_of(const ConfigParam *p)
{
	for (int i = 0; i < config_params_len; i++)
		if (config_params[i].array == NULL && strcmp(config_params[i].name, p->name) == 0)
			return &config_params[i];
	return NULL;
}

/* "restart", "reload", or for backend host/port what reload may do. */
static const char *
context_label(const ConfigParam *p)
{
	if (p->flags & CONFIG_FLAG_ADD_ONLY)
		return "restart; reload adds new nodes";
	if (p->flags & CONFIG_FLAG_SESSION)
		return "reload; PGPOOL SET";
	return config_context_name(p->context);
}

/* Does the value of p need quotes in pgpool.conf? */
static bool
quoted_type(ConfigType type)
{
	return type == CONFIG_STRING || type == CONFIG_ENUM || type == CONFIG_BACKEND_FLAG;
}

/* Default of p as a pgpool.conf value: 'text' or bare, quotes doubled. */
static void
write_default(FILE *out, const ConfigParam *p)
{
	const char *v = p->default_value;
	const ConfigParam *g = v ? NULL : global_of(p);

	if (v == NULL)
		v = g && g->default_value ? g->default_value : "";
	if (!quoted_type(p->type))
	{
		fputs(v, out);
		return;
	}
	fputc('\'', out);
	for (; *v; v++)
	{
		if (*v == '\'')
			fputc('\'', out);
		fputc(*v, out);
	}
	fputc('\'', out);
}

static void
write_sample_group(FILE *out, ConfigGroup g)
{
	fprintf(out, "\n#------------------------------------------------------------------------------\n"
			"# %s\n"
			"#------------------------------------------------------------------------------\n"
			"# %s\n",
			config_group_title(g), config_group_comment(g));
	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];

		if (p->group != g || (p->flags & CONFIG_FLAG_OBSOLETE))
			continue;
		fprintf(out, "\n# %s [%s]%s\n%s%s%s = ", p->description, context_label(p),
				config_support_label(p) ? " [not implemented]" : "",
				(p->flags & CONFIG_FLAG_SAMPLE_SET) ? "" : "#", p->name, p->array ? "0" : "");
		write_default(out, p);
		fputc('\n', out);
	}
}

/* Write the commented-out sample pgpool.conf. */
void
config_write_sample(FILE *out)
{
	fputs(sample_header, out);
	for (int g = 0; g < CONFIG_GROUP_COUNT; g++)
	{
		bool		any = false;

		for (int i = 0; i < config_params_len && !any; i++)
			any = config_params[i].group == (ConfigGroup) g &&
				!(config_params[i].flags & CONFIG_FLAG_OBSOLETE);
		if (any)
			write_sample_group(out, (ConfigGroup) g);
	}
	fputs("\n# pgpool-II 3.x spellings are accepted as well: see doc/configuration.md.\n", out);
}

/* Markdown table cell text: '|' escaped, newlines never occur. */
static void
write_cell(FILE *out, const char *s)
{
	for (; *s; s++)
	{
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void
write_reference_row(FILE *out, const ConfigParam *p)
{
	char		accepted[512];

	fprintf(out, "| `%s%s` | %s | ", p->name, p->array ? "N" : "", config_type_name(p->type));
	if (p->default_value == NULL)
		fputs("(global value)", out);
	else
	{
		fputc('`', out);
		write_default(out, p);
		fputc('`', out);
	}
	fprintf(out, " | %s | ", context_label(p));
	if (p->support == CONFIG_NOT_IMPLEMENTED)
		fputs("**(not implemented: accepted and ignored with a warning)** ", out);
	else if (p->support == CONFIG_NO_EFFECT)
		fputs("**(obsolete, no effect: accepted and ignored with a warning)** ", out);
	write_cell(out, p->description);
	if (p->type != CONFIG_BOOL && (p->type != CONFIG_STRING || p->accepted))
	{
		fputs(". Accepts ", out);
		write_cell(out, config_accepted_values(p, accepted, sizeof(accepted)));
	}
	fputs(" |\n", out);
}

static void
write_reference_table(FILE *out, int group, bool obsolete)
{
	fputs("\n| name | type | default | context | description |\n"
		  "| --- | --- | --- | --- | --- |\n", out);
	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];

		if ((group >= 0 && p->group != (ConfigGroup) group) ||
			((p->flags & CONFIG_FLAG_OBSOLETE) != 0) != obsolete)
			continue;
		write_reference_row(out, p);
	}
}

/* The names of the parameters accepted but not honoured, one paragraph. */
static void
write_unsupported_list(FILE *out)
{
	const char *sep = "";

	fputs("\n### Accepted but not implemented\n\n"
		  "These parameters load but change nothing in this version of pgpool; a\n"
		  "value other than the default draws a warning (see \"Parameters that are\n"
		  "accepted but not implemented\" above):\n", out);
	for (int i = 0; i < config_params_len; i++)
	{
		const ConfigParam *p = &config_params[i];

		if (p->support == CONFIG_SUPPORTED)
			continue;
		fprintf(out, "%s`%s%s`%s", sep, p->name, p->array ? "N" : "",
				p->support == CONFIG_NO_EFFECT ? " (obsolete)" : "");
		sep = ",\n";
	}
	fputs(".\n", out);
}

/* Write the Markdown parameter reference. */
void
config_write_reference(FILE *out)
{
	for (int g = 0; g < CONFIG_GROUP_COUNT; g++)
	{
		bool		any = false;
		const char *comment;

		for (int i = 0; i < config_params_len && !any; i++)
			any = config_params[i].group == (ConfigGroup) g &&
				!(config_params[i].flags & CONFIG_FLAG_OBSOLETE);
		if (!any)
			continue;
		comment = config_group_comment((ConfigGroup) g);
		fprintf(out, "\n### %s\n\n%c%s.\n", config_group_title((ConfigGroup) g),
				toupper((unsigned char) comment[0]), comment + 1);
		write_reference_table(out, g, false);
	}
	fputs("\n### pgpool-II 3.x parameters\n\n"
		  "Accepted for old configuration files; the 4.x sample leaves them out.\n", out);
	write_reference_table(out, -1, true);
	write_unsupported_list(out);
	fputs("\n### 3.x and 4.x spellings of the same parameter\n\n"
		  "| older name | canonical name |\n| --- | --- |\n", out);
	for (int i = 0; i < config_params_len; i++)
		for (const char *const *s = config_params[i].synonyms; s && *s; s++)
			fprintf(out, "| `%s` | `%s` |\n", *s, config_params[i].name);
}
