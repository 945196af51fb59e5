/*
 * config_gen.c: developer tool printing text generated from the parameter
 * table ("make config-docs" runs it):
 *   config_gen sample        the commented-out sample pgpool.conf
 *   config_gen reference     the Markdown parameter list of the docs
 *   config_gen check NAME... the names pgpool.conf would not recognise
 *   config_gen unsupported   the parameters accepted but not implemented
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"

int
main(int argc, char **argv)
{
	int			unknown = 0;

	if (argc >= 2 && strcmp(argv[1], "sample") == 0)
		config_write_sample(stdout);
	else if (argc >= 2 && strcmp(argv[1], "reference") == 0)
		config_write_reference(stdout);
	else if (argc >= 2 && strcmp(argv[1], "unsupported") == 0)
	{
		for (int i = 0; i < config_param_count(); i++)
		{
			const ConfigParam *p = config_param_at(i);

			if (config_support_label(p))
				printf("%s%s\t%s\n", p->name, p->array ? "N" : "", config_support_label(p));
		}
	}
	else if (argc >= 2 && strcmp(argv[1], "check") == 0)
	{
		for (int i = 2; i < argc; i++)
		{
			int			index;

			if (config_param_find(argv[i], &index) == NULL)
			{
				printf("%s\n", argv[i]);
				unknown++;
			}
		}
		return unknown ? 1 : 0;
	}
	else
	{
		fprintf(stderr, "usage: %s sample | reference | unsupported | check NAME...\n", argv[0]);
		return 2;
	}
	return 0;
}
