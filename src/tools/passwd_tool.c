/*
 * passwd_tool.c: the pool_passwd side of pg_md5 and pg_enc: locating the
 * file through pgpool.conf, storing entries, reading user:password files.
 * Command-line programs: errors go to stderr prefixed with the program name.
 */
#include "passwd_tool.h"

#include "auth/auth_passwd.h"
#include "config/config.h"
#include "utils/log.h"
#include "utils/str.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
passwd_tool_file(const char *prog, const char *config_file)
{
	PoolConfig	cfg;
	char		def[4096];
	char	   *path;

	if (config_file == NULL)
	{
		snprintf(def, sizeof(def), "%s/pgpool.conf", DEFAULT_CONFIGDIR);
		config_file = def;
	}
	if (access(config_file, R_OK) != 0)
	{
		fprintf(stderr, "%s: could not open configuration file \"%s\": %s\n", prog, config_file,
				strerror(errno));
		return NULL;
	}
	config_init_defaults(&cfg);
	if (!config_load(config_file, &cfg))
	{
		fprintf(stderr, "%s: configuration file \"%s\" contains errors\n", prog, config_file);
		config_free(&cfg);
		return NULL;
	}
	path = auth_passwd_path(config_file, cfg.pool_passwd);
	config_free(&cfg);
	if (path == NULL)
		fprintf(stderr, "%s: pool_passwd is disabled (pool_passwd = '') in \"%s\"\n", prog, config_file);
	return path;
}

const char *
passwd_tool_os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw ? pw->pw_name : "";
}

bool
passwd_tool_store(const char *prog, const char *path, const char *user, const char *stored)
{
	const char *err = NULL;

	if (!auth_passwd_write_entry(path, user, stored, &err))
	{
		fprintf(stderr, "%s: could not update \"%s\": %s\n", prog, path, err);
		return false;
	}
	return true;
}

int
passwd_tool_input_file(const char *prog, const char *input, const char *path,
					   PasswdToolEncoder encode, void *arg)
{
	FILE	   *fp = fopen(input, "r");
	char		buf[2048];
	int			line = 0, rc = 0;

	if (fp == NULL)
	{
		fprintf(stderr, "%s: could not open input file \"%s\": %s\n", prog, input, strerror(errno));
		return 1;
	}
	fprintf(stderr, "trying to read username:password pairs from file %s\n", input);
	while (fgets(buf, sizeof(buf), fp))
	{
		char	   *colon, *stored;

		line++;
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[0] == '\0' || buf[0] == '#')
			continue;
		colon = strchr(buf, ':');
		if (colon == NULL || colon == buf)
		{
			fprintf(stderr, "%s: line %d of \"%s\" is not user:password\n", prog, line, input);
			rc = 1;
			continue;
		}
		*colon = '\0';
		stored = encode(prog, buf, colon + 1, arg);
		if (stored == NULL || !passwd_tool_store(prog, path, buf, stored))
			rc = 1;
		auth_free_secret(stored);
	}
	auth_wipe(buf, sizeof(buf));
	fclose(fp);
	return rc;
}
