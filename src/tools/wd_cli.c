/*
 * wd_cli.c: pgpool-II 4.3's wd_cli, the watchdog's command line for
 * external health-check systems.  Talks to the local watchdog process
 * through its IPC socket "<wd_ipc_socket_dir>/.s.PGPOOLWD_CMD.<wd_port>"
 * (src/watchdog/wd_ipc.c): --info prints the nodes' status, --inform
 * DEAD|ALIVE gives an external lifecheck's verdict on a node.  Socket
 * directory, port and key come from pgpool.conf (-f) unless given.
 */
#include "config/config.h"
#include "utils/str.h"
#include "watchdog/watchdog.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define WD_CLI_VERSION "4.3.5"
#define MAX_ROWS WD_MAX_NODES

typedef struct CliArgs
{
	bool		info, all, verbose;
	const char *inform;
	int			node_id;
	const char *node_name, *node_host;
	int			node_port;
	const char *auth_key, *config_file, *socket_dir, *message;
	int			ipc_port;
} CliArgs;

typedef struct NodeRow
{
	int			id, state, wd_port, pgpool_port;
	char		state_name[64], name[WD_NAME_LEN], host[WD_HOST_LEN];
} NodeRow;

static void
usage(FILE *out)
{
	fprintf(out, "wd_cli - Watchdog Command Line Interface (CLI) utility for the external health-check system integration.\n\n"
			"Usage:\n  wd_cli [operation...] [node search option...] [option...]\n\n"
			"Operations:\n"
			"  -i, --info               get the node status for the node(s) found\n"
			"  -I, --inform=NEW_STATUS  update the watchdog node status: DEAD or ALIVE\n\n"
			"Node search options:\n"
			"  -a, --all                all nodes (only with --info)\n"
			"  -n, --node-id=ID         the watchdog node with this node_id\n"
			"  -N, --node-name=NAME     the watchdog node with this name\n"
			"  -H, --node-host=HOST     the watchdog node with this hostname\n"
			"  -P, --node-port=PORT     the watchdog node with this watchdog port\n\n"
			"Options:\n"
			"  -k, --auth-key=KEY       watchdog auth key (overrides wd_authkey)\n"
			"  -f, --config-file=FILE   pgpool.conf\n"
			"  -s, --socket-dir=DIR     watchdog IPC socket directory (overrides wd_ipc_socket_dir)\n"
			"  -p, --ipc-port=PORT      watchdog IPC port (overrides wd_port)\n"
			"  -m, --message=MESSAGE    message passed to pgpool with the node status\n"
			"  -v, --verbose            verbose output\n"
			"  -V, --version            version\n"
			"  -h, --help               this help\n");
}

static int
parse_args(int argc, char **argv, CliArgs *a)
{
	static const struct option opts[] = {
		{"info", no_argument, NULL, 'i'}, {"inform", required_argument, NULL, 'I'},
		{"all", no_argument, NULL, 'a'}, {"node-id", required_argument, NULL, 'n'},
		{"node-name", required_argument, NULL, 'N'}, {"node-host", required_argument, NULL, 'H'},
		{"node-port", required_argument, NULL, 'P'}, {"auth-key", required_argument, NULL, 'k'},
		{"config-file", required_argument, NULL, 'f'}, {"socket-dir", required_argument, NULL, 's'},
		{"ipc-port", required_argument, NULL, 'p'}, {"message", required_argument, NULL, 'm'},
		{"verbose", no_argument, NULL, 'v'}, {"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
	};
	int			c;

	memset(a, 0, sizeof(*a));
	a->node_id = a->node_port = a->ipc_port = -1;
	while ((c = getopt_long(argc, argv, "iI:an:N:H:P:k:f:s:p:m:vVh", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'i': a->info = true; break;
			case 'I': a->inform = optarg; break;
			case 'a': a->all = true; break;
			case 'n': a->node_id = atoi(optarg); break;
			case 'N': a->node_name = optarg; break;
			case 'H': a->node_host = optarg; break;
			case 'P': a->node_port = atoi(optarg); break;
			case 'k': a->auth_key = optarg; break;
			case 'f': a->config_file = optarg; break;
			case 's': a->socket_dir = optarg; break;
			case 'p': a->ipc_port = atoi(optarg); break;
			case 'm': a->message = optarg; break;
			case 'v': a->verbose = true; break;
			case 'V': printf("wd_cli (pgpool) %s\n", WD_CLI_VERSION); exit(0);
			case 'h': usage(stdout); exit(0);
			default: return 1;
		}
	}
	return 0;
}

/* Socket directory, port and key from pgpool.conf where not given. */
static bool
fill_from_config(CliArgs *a)
{
	static PoolConfig cfg;
	WdClusterConfig cl;
	char		err[256];
	int			id = 0;

	if (a->config_file == NULL)
		return a->ipc_port > 0 || (fprintf(stderr, "wd_cli: give -f pgpool.conf or -p PORT\n"), false);
	config_init_defaults(&cfg);
	if (!config_load(a->config_file, &cfg))
		return false;
	if (a->socket_dir == NULL)
		a->socket_dir = cfg.wd_ipc_socket_dir;
	if (a->auth_key == NULL)
		a->auth_key = cfg.wd_authkey;
	if (a->ipc_port > 0)
		return true;
	if (wd_config_uses_node_list(&cfg) && (id = wd_config_read_node_id(a->config_file, err, sizeof(err))) < 0)
	{
		fprintf(stderr, "wd_cli: %s\n", err);
		return false;
	}
	if (!wd_config_cluster(&cfg, id, &cl, err, sizeof(err)))
	{
		fprintf(stderr, "wd_cli: invalid watchdog configuration: %s\n", err);
		return false;
	}
	a->ipc_port = cl.nodes[cl.self].wd_port;
	return true;
}

/* Send one command; the whole answer into out (NUL-terminated).  false on failure. */
static bool
ask(const CliArgs *a, const char *command, char *out, size_t cap)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char		req[1024];
	size_t		len = 0;
	int			fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ssize_t		n;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/.s.PGPOOLWD_CMD.%d",
			 a->socket_dir ? a->socket_dir : "/tmp", a->ipc_port);
	if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
	{
		fprintf(stderr, "wd_cli: could not connect to the watchdog IPC socket \"%s\": %m\n", addr.sun_path);
		return false;
	}
	snprintf(req, sizeof(req), "%s\n%s\n", a->auth_key ? a->auth_key : "", command);
	if (write(fd, req, strlen(req)) != (ssize_t) strlen(req))
		return false;
	while (len + 1 < cap && (n = read(fd, out + len, cap - 1 - len)) > 0)
		len += (size_t) n;
	out[len] = '\0';
	close(fd);
	if (strncmp(out, "ERROR ", 6) == 0)
	{
		fprintf(stderr, "wd_cli: %s", out + 6);
		return false;
	}
	return true;
}

static int
load_nodes(const CliArgs *a, NodeRow *rows)
{
	static char buf[65536];
	int			n = 0;

	if (!ask(a, "NODES", buf, sizeof(buf)))
		return -1;
	for (char *line = strtok(buf, "\n"); line && n < MAX_ROWS; line = strtok(NULL, "\n"))
	{
		NodeRow    *r = &rows[n];
		int			lost;

		if (strcmp(line, "END") == 0)
			break;
		if (sscanf(line, "%d\t%d\t%63[^\t]\t%191[^\t]\t%127[^\t]\t%d\t%d\t%d", &r->id, &r->state,
				   r->state_name, r->name, r->host, &r->wd_port, &r->pgpool_port, &lost) == 8)
			n++;
	}
	return n;
}

static bool
matches(const CliArgs *a, const NodeRow *r)
{
	if (a->all)
		return true;
	return (a->node_id < 0 || r->id == a->node_id) &&
		(a->node_name == NULL || strcmp(r->name, a->node_name) == 0) &&
		(a->node_host == NULL || strcmp(r->host, a->node_host) == 0) &&
		(a->node_port < 0 || r->wd_port == a->node_port);
}

static void
print_node(const NodeRow *r)
{
	printf("*****************\n");
	printf("Node ID:           %d\n", r->id);
	printf("Node Status code:  %d\n", r->state);
	printf("Node Status:       %s\n", r->state_name);
	printf("Node Name:         %s\n", r->name);
	printf("Node Host:         %s\n", r->host);
	printf("Node WD Port:      %d\n", r->wd_port);
	printf("Node Pgpool Port:  %d\n\n", r->pgpool_port);
}

int
main(int argc, char **argv)
{
	CliArgs		a;
	NodeRow		rows[MAX_ROWS];
	int			n, found = 0;
	bool		search;

	if (parse_args(argc, argv, &a) != 0 || (!a.info && !a.inform))
	{
		usage(stderr);
		return 1;
	}
	search = a.node_id >= 0 || a.node_name || a.node_host || a.node_port >= 0;
	if (a.info && !a.all && !search)
	{
		fprintf(stderr, "wd_cli: give a node search option or --all\n");
		return 1;
	}
	if (a.inform && (!search || a.all))
	{
		fprintf(stderr, "wd_cli: --inform needs one node (-n, -N, -H or -P)\n");
		return 1;
	}
	if (!fill_from_config(&a) || (n = load_nodes(&a, rows)) < 0)
		return 1;
	if (a.info)
	{
		for (int i = 0; i < n; i++)
			found += matches(&a, &rows[i]);
		printf("Total Watchdog nodes configured for lifecheck:    %d\n", found);
		for (int i = 0; i < n; i++)
			if (matches(&a, &rows[i]))
				print_node(&rows[i]);
		return found ? 0 : 1;
	}
	for (int i = 0; i < n; i++)
		if (matches(&a, &rows[i]))
		{
			char		cmd[600], answer[256];

			snprintf(cmd, sizeof(cmd), "INFORM %d %s %s", rows[i].id, a.inform, a.message ? a.message : "");
			if (!ask(&a, cmd, answer, sizeof(answer)))
				return 1;
			if (a.verbose)
				printf("watchdog node %d informed %s\n", rows[i].id, a.inform);
			return 0;
		}
	fprintf(stderr, "wd_cli: no watchdog node matches\n");
	return 1;
}
