/*
 * main.c: the pgpool command line.
 *
 *   pgpool [options]                 start (the parent becomes the supervisor)
 *   pgpool [options] [-m mode] stop  stop the running pgpool
 *   pgpool [options] reload          make it re-read its configuration
 */
#include "main/pgpool_main.h"

#include "auth/auth.h"

#include "utils/log.h"
#include "utils/ps_status.h"
#include "utils/str.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

PgpoolOptions pgpool_options = {.stop_mode = 's'};
static PoolConfig config_storage;

static void
usage(void)
{
	printf("pgpool-II version %s (pgpool),\n"
		   "  PostgreSQL middleware: connection pooling, load balancing, replication and failover\n\n"
		   "Usage:\n"
		   "  pgpool [ -c] [ -f CONFIG_FILE ] [ -F PCP_CONFIG_FILE ] [ -a HBA_CONFIG_FILE ]\n"
		   "         [ -n ] [ -D ] [ -d ]\n"
		   "  pgpool [ -f CONFIG_FILE ] [ -F PCP_CONFIG_FILE ] [ -a HBA_CONFIG_FILE ]\n"
		   "         [ -m SHUTDOWN-MODE ] stop\n"
		   "  pgpool [ -f CONFIG_FILE ] [ -F PCP_CONFIG_FILE ] [ -a HBA_CONFIG_FILE ] reload\n\n"
		   "Options:\n"
		   "  -a, --hba-file=FILE     pool_hba.conf to use (default: %s/pool_hba.conf)\n"
		   "  -f, --config-file=FILE  pgpool.conf to use (default: %s/pgpool.conf)\n"
		   "  -F, --pcp-file=FILE     pcp.conf to use (default: %s/pcp.conf)\n"
		   "  -k, --key-file=FILE     AES key file for encrypted passwords (default: ~/.pgpoolkey)\n"
		   "  -h, --help              show this help, then exit\n"
		   "  -v, --version           show the version, then exit\n\n"
		   "When starting:\n"
		   "  -c, --clear-cache       empty the query cache at start\n"
		   "  -C, --clear-oidmaps     forget the query cache's table oid maps (memcached method)\n"
		   "  -n, --no-daemon         stay in the foreground, logging to the terminal\n"
		   "  -D, --discard-status    ignore the saved node states in pgpool_status\n"
		   "  -d, --debug             log debug messages\n\n"
		   "When stopping:\n"
		   "  -m, --mode=MODE         smart (default): wait for clients to leave;\n"
		   "                          fast: end client sessions now;\n"
		   "                          immediate: like fast\n",
		   PGPOOL_VERSION_STRING, DEFAULT_CONFIGDIR, DEFAULT_CONFIGDIR, DEFAULT_CONFIGDIR);
}

static char
parse_stop_mode(const char *arg)
{
	if (strcmp(arg, "s") == 0 || strcmp(arg, "smart") == 0)
		return 's';
	if (strcmp(arg, "f") == 0 || strcmp(arg, "fast") == 0)
		return 'f';
	if (strcmp(arg, "i") == 0 || strcmp(arg, "immediate") == 0)
		return 'i';
	return 0;
}

static char *
default_path(const char *file)
{
	char		buf[1024];

	snprintf(buf, sizeof(buf), "%s/%s", DEFAULT_CONFIGDIR, file);
	return str_dup(buf);
}

/* Returns the command word ("stop", "reload") or NULL; exits on bad usage. */
static const char *
parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"hba-file", required_argument, NULL, 'a'},
		{"clear-cache", no_argument, NULL, 'c'},
		{"clear-oidmaps", no_argument, NULL, 'C'},
		{"debug", no_argument, NULL, 'd'},
		{"discard-status", no_argument, NULL, 'D'},
		{"config-file", required_argument, NULL, 'f'},
		{"pcp-file", required_argument, NULL, 'F'},
		{"pcp-password-file", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{"key-file", required_argument, NULL, 'k'},
		{"mode", required_argument, NULL, 'm'},
		{"no-daemon", no_argument, NULL, 'n'},
		{"version", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0}
	};
	int			opt;

	while ((opt = getopt_long(argc, argv, "a:cCdDf:F:hk:m:nvx", longopts, NULL)) != -1)
	{
		switch (opt)
		{
			case 'a': pgpool_options.hba_file = str_dup(optarg); break;
			case 'c': pgpool_options.clear_cache = true; break;
			case 'C': pgpool_options.clear_oidmaps = true; break;
			case 'd': pgpool_options.debug = 1; break;
			case 'D': pgpool_options.discard_status = true; break;
			case 'f': pgpool_options.config_file = str_dup(optarg); break;
			case 'F': pgpool_options.pcp_file = str_dup(optarg); break;
			case 'k': pgpool_options.key_file = str_dup(optarg); break;
			case 'n': pgpool_options.no_daemon = true; break;
			case 'x': break;	/* debug assertions: always on */
			case 'h':
				usage();
				exit(0);
			case 'v':
				printf("pgpool-II version %s (pgpool)\n", PGPOOL_VERSION_STRING);
				exit(0);
			case 'm':
				pgpool_options.stop_mode = parse_stop_mode(optarg);
				if (pgpool_options.stop_mode == 0)
				{
					fprintf(stderr, "pgpool: invalid shutdown mode \"%s\"\n", optarg);
					fprintf(stderr, "Try \"pgpool --help\" for more information.\n");
					exit(1);
				}
				break;
			default:
				fprintf(stderr, "Try \"pgpool --help\" for more information.\n");
				exit(1);
		}
	}
	if (optind < argc - 1 || (optind == argc - 1 && strcmp(argv[optind], "stop") != 0 &&
							   strcmp(argv[optind], "reload") != 0))
	{
		fprintf(stderr, "pgpool: invalid command line argument \"%s\"\n", argv[optind]);
		fprintf(stderr, "Try \"pgpool --help\" for more information.\n");
		exit(1);
	}
	if (!pgpool_options.config_file)
		pgpool_options.config_file = default_path("pgpool.conf");
	if (!pgpool_options.hba_file)
		pgpool_options.hba_file = default_path("pool_hba.conf");
	if (!pgpool_options.pcp_file)
		pgpool_options.pcp_file = default_path("pcp.conf");
	return optind < argc ? argv[optind] : NULL;
}

void
main_apply_log_settings(const PoolConfig *cfg)
{
	LogSettings ls;

	config_log_settings(cfg, &ls);
	if (pgpool_options.debug && ls.min_level > PL_DEBUG1)
		ls.min_level = PL_DEBUG1;
	log_configure(&ls);
}

bool
main_reload_config(bool quiet)
{
	PoolConfig	fresh;
	bool		ok;
	LogSettings quiet_settings = {.min_level = PL_PANIC, .destinations = 0};

	if (quiet)
		log_configure(&quiet_settings);
	config_init_defaults(&fresh);
	ok = config_load(pgpool_options.config_file, &fresh);
	if (ok)
	{
		config_apply_reload(pool_config, &fresh);
		auth_reload(pool_config);
	}
	main_apply_log_settings(pool_config);
	/* what the file asks for, restart-only settings included, not what was applied */
	if (ok && !quiet)
		config_report_unsupported(&fresh);
	config_free(&fresh);
	if (!ok && !quiet)
		plog(PL_LOG, "configuration file \"%s\" contains errors; no changes were applied",
			 pgpool_options.config_file);
	return ok;
}

int
main(int argc, char **argv)
{
	const char *command;

	bool		loaded;

	ps_status_init(argc, argv);
	pool_config = &config_storage;
	command = parse_options(argc, argv);
	config_init_defaults(pool_config);
	loaded = config_load(pgpool_options.config_file, pool_config);
	if (!loaded && command == NULL)
	{
		plog(PL_FATAL, "configuration file \"%s\" contains errors", pgpool_options.config_file);
		return 1;
	}
	/* the daemon would keep its old settings: say so instead of signalling it */
	if (!loaded && strcmp(command, "reload") == 0)
	{
		plog(PL_FATAL, "configuration file \"%s\" contains errors; pgpool was not reloaded",
			 pgpool_options.config_file);
		return 1;
	}
	/* stop needs only pid_file_name: a broken file must not keep pgpool from stopping */
	main_apply_log_settings(pool_config);
	if (command && strcmp(command, "stop") == 0)
		return command_stop(pool_config, pgpool_options.stop_mode);
	if (command && strcmp(command, "reload") == 0)
		return command_reload(pool_config);
	config_report_unsupported(pool_config);
	{
		AuthFiles	files = {pgpool_options.config_file, pgpool_options.hba_file, pgpool_options.key_file};

		/* a broken pool_hba.conf, pool_passwd or SSL file: refuse to start */
		if (!auth_startup(pool_config, &files))
			return 1;
	}
	return parent_main();
}
