/*
 * admin_main.c: pgpooladmin, the web administration daemon of pgpool.
 *
 *   pgpooladmin -f pgpool.conf -F pcp.conf [-a pool_hba.conf]
 *               --listen ADDR:PORT [--tls-cert FILE --tls-key FILE]
 *               [--pgpool-bin PATH] [--metrics-auth] [--metrics-user NAME]
 *               [--www-dir DIR] [--log-file FILE] [--pcp-timeout SEC]
 *
 * Parses the options, checks the files, starts the HTTP server
 * (admin_http.c) and waits for SIGINT/SIGTERM with every signal blocked in
 * the server's threads.  Logs to stderr in pgpool's format.
 */
#include "admin_int.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "utils/log.h"

#ifndef ADMIN_WWW_DIR
#define ADMIN_WWW_DIR "/usr/local/share/pgpool/admin"
#endif

AdminOptions admin_opts = {.pcp_timeout = 10};

static void
usage(FILE *out)
{
	fprintf(out,
			"pgpooladmin: web administration, JSON API and Prometheus metrics for pgpool\n\n"
			"Usage:\n  pgpooladmin -f pgpool.conf -F pcp.conf --listen ADDR:PORT [OPTION]...\n\n"
			"Options:\n"
			"  -f, --config-file=FILE    pgpool.conf (read, and written by the editor)\n"
			"  -F, --pcp-file=FILE       pcp.conf: the users who may log in\n"
			"  -a, --hba-file=FILE       pool_hba.conf, to edit it\n"
			"  -l, --listen=ADDR:PORT    where to serve HTTP(S), e.g. 127.0.0.1:8080\n"
			"      --tls-cert=FILE       serve HTTPS with this PEM certificate\n"
			"      --tls-key=FILE        and this PEM private key\n"
			"      --pgpool-bin=PATH     pgpool binary: lets the page start pgpool\n"
			"      --metrics-auth        /metrics needs a pcp.conf login too\n"
			"      --metrics-user=NAME   PCP user of /metrics (password from PCPPASSFILE)\n"
			"      --www-dir=DIR         the page's files (default %s)\n"
			"      --log-file=FILE       pgpool's log file for the log view\n"
			"      --pcp-timeout=SEC     PCP connect and reply timeout (default 10;\n"
			"                            recover, graceful and switchover wait)\n"
			"  -h, --help                show this help, then exit\n", ADMIN_WWW_DIR);
}

/* "127.0.0.1:8080" or "[::1]:8080" into a socket address. */
static bool
parse_listen(const char *spec, struct sockaddr_storage *ss)
{
	char		host[256];
	const char *colon = strrchr(spec, ':');
	long		port;

	if (colon == NULL || colon == spec || (size_t) (colon - spec) >= sizeof(host))
		return false;
	snprintf(host, sizeof(host), "%.*s", (int) (colon - spec), spec);
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535)
		return false;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[strlen(host) - 1] == ']')
	{
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *) ss;

		host[strlen(host) - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t) port);
		return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1;
	}
	else
	{
		struct sockaddr_in *a4 = (struct sockaddr_in *) ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t) port);
		return inet_pton(AF_INET, host, &a4->sin_addr) == 1;
	}
}

/* An absolute path for a file that must exist (the server may chdir). */
static const char *
must_exist(const char *path, const char *what)
{
	char		buf[PATH_MAX];

	if (path == NULL || realpath(path, buf) == NULL)
	{
		plog(PL_FATAL, "could not find %s \"%s\": %m", what, path ? path : "");
		exit(1);
	}
	return strdup(buf);
}

static void
parse_args(int argc, char **argv, struct sockaddr_storage *listen)
{
	static const struct option opts[] = {
		{"config-file", required_argument, NULL, 'f'}, {"pcp-file", required_argument, NULL, 'F'},
		{"hba-file", required_argument, NULL, 'a'}, {"listen", required_argument, NULL, 'l'},
		{"tls-cert", required_argument, NULL, 1}, {"tls-key", required_argument, NULL, 2},
		{"pgpool-bin", required_argument, NULL, 3}, {"metrics-auth", no_argument, NULL, 4},
		{"metrics-user", required_argument, NULL, 5}, {"www-dir", required_argument, NULL, 6},
		{"log-file", required_argument, NULL, 7}, {"pcp-timeout", required_argument, NULL, 8},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
	};
	const char *www = ADMIN_WWW_DIR;
	int			c;

	while ((c = getopt_long(argc, argv, "f:F:a:l:h", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'f': admin_opts.conf_path = optarg; break;
			case 'F': admin_opts.pcp_path = optarg; break;
			case 'a': admin_opts.hba_path = optarg; break;
			case 'l': admin_opts.listen_addr = optarg; break;
			case 1: admin_opts.tls_cert = optarg; break;
			case 2: admin_opts.tls_key = optarg; break;
			case 3: admin_opts.pgpool_bin = optarg; break;
			case 4: admin_opts.metrics_auth = true; break;
			case 5: admin_opts.metrics_user = optarg; break;
			case 6: www = optarg; break;
			case 7: admin_opts.log_file = optarg; break;
			case 8: admin_opts.pcp_timeout = atoi(optarg); break;
			case 'h': usage(stdout); exit(0);
			default:
				fprintf(stderr, "Try \"pgpooladmin --help\" for more information.\n");
				exit(2);
		}
	}
	if (optind < argc || !admin_opts.conf_path || !admin_opts.pcp_path || !admin_opts.listen_addr)
	{
		fprintf(stderr, "pgpooladmin: -f, -F and --listen are required\n");
		fprintf(stderr, "Try \"pgpooladmin --help\" for more information.\n");
		exit(2);
	}
	if (!parse_listen(admin_opts.listen_addr, listen))
	{
		fprintf(stderr, "pgpooladmin: invalid --listen \"%s\": use ADDR:PORT\n", admin_opts.listen_addr);
		exit(2);
	}
	if ((admin_opts.tls_cert == NULL) != (admin_opts.tls_key == NULL))
	{
		fprintf(stderr, "pgpooladmin: --tls-cert and --tls-key go together\n");
		exit(2);
	}
	admin_opts.conf_path = must_exist(admin_opts.conf_path, "pgpool.conf");
	admin_opts.pcp_path = must_exist(admin_opts.pcp_path, "pcp.conf");
	if (admin_opts.hba_path)
		admin_opts.hba_path = must_exist(admin_opts.hba_path, "pool_hba.conf");
	if (admin_opts.pgpool_bin)
		admin_opts.pgpool_bin = must_exist(admin_opts.pgpool_bin, "pgpool binary");
	admin_opts.www_dir = must_exist(www, "directory of the page");
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage listen;
	struct MHD_Daemon *d;
	sigset_t	sigs;
	int			sig;
	LogSettings ls = {.min_level = PL_INFO, .destinations = PL_DEST_STDERR,
	.line_prefix = "%t: pid %p: ", .print_timestamp = true};

	log_configure(&ls);
	log_set_process_name("pgpooladmin");
	parse_args(argc, argv, &listen);
	/* the server's threads inherit this mask: only sigwait below sees the signals */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	admin_session_init();
	if ((d = admin_http_start((const struct sockaddr *) &listen)) == NULL)
	{
		plog(PL_FATAL, "could not start the HTTP server on %s", admin_opts.listen_addr);
		return 1;
	}
	plog(PL_LOG, "pgpooladmin listening on %s://%s", admin_opts.tls_cert ? "https" : "http",
		 admin_opts.listen_addr);
	do
		sigwait(&sigs, &sig);
	while (sig == SIGHUP);
	plog(PL_LOG, "pgpooladmin shutting down");
	MHD_stop_daemon(d);
	return 0;
}
