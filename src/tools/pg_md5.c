/*
 * pg_md5.c: print the MD5 hash of a password, the form pcp.conf wants.
 *
 *   pg_md5 PASSWORD      hash the argument
 *   pg_md5 -p            ask for the password (kept out of the shell history)
 *   pg_md5 -m [-f pgpool.conf] [-u USER] PASSWORD | -p | -i FILE
 *                        store "USER:md5<md5(password || USER)>" in the
 *                        pool_passwd file that pgpool.conf names
 */
#include "pcp_tool.h"
#include "passwd_tool.h"

#include "auth/auth_crypto.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out, "pg_md5 - encrypt a password in md5 for pcp.conf\n\n"
			"Usage:\n"
			"  pg_md5 [OPTIONS]\n"
			"  pg_md5 PASSWORD\n\n"
			"  -p, --prompt          prompt for the password on the terminal\n"
			"  -m, --md5auth         store an md5 entry for pool_passwd instead of printing\n"
			"  -u, --username=USER   user of the pool_passwd entry (default: the OS user)\n"
			"  -f, --config-file=FILE  pgpool.conf naming pool_passwd\n"
			"                        (default: %s/pgpool.conf)\n"
			"  -i, --input-file=FILE read user:password lines from FILE (with -m)\n"
			"  -h, --help            print this help\n\n"
			"Add the printed hash to pcp.conf as \"username:hash\".\n", DEFAULT_CONFIGDIR);
}

static void
print_hash(const char *password)
{
	char		hex[33];

	pcp_md5_hex(password, strlen(password), hex);
	printf("%s\n", hex);
}

/* "md5" + md5(password || user): the PasswdToolEncoder of -m */
static char *
md5_entry(const char *prog, const char *user, const char *password, void *arg)
{
	char	   *stored = malloc(AUTH_MD5_PASSWD_LEN + 1);

	(void) prog;
	(void) arg;
	if (stored)
		auth_md5_password(password, user, stored);
	return stored;
}

/* -m: write the pool_passwd entry of user (or of every user of input). */
static int
md5auth(const char *config_file, const char *user, const char *input, const char *password)
{
	char	   *path = passwd_tool_file("pg_md5", config_file);
	char	   *stored;
	int			rc;

	if (path == NULL)
		return 1;
	if (input)
		rc = passwd_tool_input_file("pg_md5", input, path, md5_entry, NULL);
	else
	{
		if (user == NULL)
			user = passwd_tool_os_user();
		stored = md5_entry("pg_md5", user, password, NULL);
		rc = stored && passwd_tool_store("pg_md5", path, user, stored) ? 0 : 1;
		free(stored);
	}
	free(path);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"prompt", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{"md5auth", no_argument, NULL, 'm'},
		{"username", required_argument, NULL, 'u'},
		{"config-file", required_argument, NULL, 'f'},
		{"input-file", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0}
	};
	bool		prompt = false, md5 = false;
	const char *user = NULL, *config_file = NULL, *input = NULL;
	int			opt;

	while ((opt = getopt_long(argc, argv, "phmu:f:i:", longopts, NULL)) != -1)
	{
		switch (opt)
		{
			case 'p':
				prompt = true;
				break;
			case 'h':
				usage(stdout);
				return 0;
			case 'm':
				md5 = true;
				break;
			case 'u':
				user = optarg;
				break;
			case 'f':
				config_file = optarg;
				break;
			case 'i':
				input = optarg;
				break;
			default:
				usage(stderr);
				return 1;
		}
	}
	if (!md5 && (user || config_file || input))
	{
		fprintf(stderr, "pg_md5: -u, -f and -i need -m (they are about pool_passwd)\n");
		return 1;
	}
	if (md5 && input)
	{
		if (optind < argc || prompt)
		{
			fprintf(stderr, "pg_md5: -i takes no password argument\n");
			return 1;
		}
		return md5auth(config_file, NULL, input, NULL);
	}
	if (prompt)
	{
		char	   *pw;

		if (optind < argc)
		{
			fprintf(stderr, "pg_md5: -p takes no password argument\n");
			return 1;
		}
		if ((pw = pcp_tool_prompt("password: ")) == NULL)
		{
			fprintf(stderr, "pg_md5: could not read the password\n");
			return 1;
		}
		if (md5)
		{
			int			rc = md5auth(config_file, user, NULL, pw);

			free(pw);
			return rc;
		}
		print_hash(pw);
		free(pw);
		return 0;
	}
	if (optind != argc - 1)
	{
		usage(stderr);
		return 1;
	}
	if (md5)
		return md5auth(config_file, user, NULL, argv[optind]);
	print_hash(argv[optind]);
	return 0;
}
