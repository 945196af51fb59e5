/*
 * pcp_tool_args.c: the pcp_* tools' command lines.  Two syntaxes:
 *
 *   the manual's:  pcp_node_info [--verbose] [-g] TIMEOUT HOST PORT USER PASSWORD [ARG]
 *   pgpool-II 4.x: pcp_node_info [-h host] [-p port] [-U user] [-w|-W] [-n node] [-v] ...
 *
 * Options are parsed first (getopt permutes them out of the way); five or
 * six remaining words mean the positional form, none or one the option form
 * (the one being the node id, process id or mode).
 */
#include "pcp_tool.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPT_HELP 1000

static bool
parse_number(const char *s, long min, long max, int *out)
{
	char	   *end;
	long		v;

	if (s == NULL || *s == '\0')
		return false;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return false;
	*out = (int) v;
	return true;
}

static bool
parse_mode(const char *s, char *mode)
{
	if (strcmp(s, "s") == 0 || strcmp(s, "smart") == 0)
		*mode = 's';
	else if (strcmp(s, "f") == 0 || strcmp(s, "fast") == 0)
		*mode = 'f';
	else if (strcmp(s, "i") == 0 || strcmp(s, "immediate") == 0)
		*mode = 'i';
	else
		return false;
	return true;
}

/* The node id, process id or mode argument, from -n/-P/-m or a position. */
static PcpErrorCode
parse_target(const PcpCommandInfo *cmd, const char *s, PcpToolArgs *out, char *err, size_t errlen)
{
	bool		ok = false;

	switch (cmd->arg)
	{
		case PCP_ARG_NODE:
		case PCP_ARG_WD:
			ok = parse_number(s, 0, 1000000, &out->node_id);
			break;
		case PCP_ARG_PID:
			ok = parse_number(s, 1, 2147483647L, &out->pid);
			break;
		case PCP_ARG_MODE:
			ok = parse_mode(s, &out->mode);
			break;
		case PCP_ARG_NONE:
			snprintf(err, errlen, "%s takes no argument (\"%s\")", cmd->tool, s);
			return PCP_ERR_INVAL;
	}
	if (!ok)
	{
		snprintf(err, errlen, "invalid %s \"%s\"",
				 cmd->arg == PCP_ARG_NODE ? "node id" : cmd->arg == PCP_ARG_PID ? "process id" : "shutdown mode", s);
		return PCP_ERR_INVAL;
	}
	out->have_target = true;
	return PCP_OK;
}

/* The manual's form: TIMEOUT HOST PORT USER PASSWORD [ARG]. */
static PcpErrorCode
parse_legacy(const PcpCommandInfo *cmd, char **pos, PcpToolArgs *out, char *err, size_t errlen)
{
	out->syntax = PCP_SYNTAX_LEGACY;
	if (!parse_number(pos[0], 0, 86400 * 365, &out->timeout))
	{
		snprintf(err, errlen, "invalid timeout \"%s\"", pos[0]);
		return PCP_ERR_INVAL;
	}
	out->host = pos[1];
	if (!parse_number(pos[2], 1, 65535, &out->port))
	{
		snprintf(err, errlen, "invalid port number \"%s\"", pos[2]);
		return PCP_ERR_INVAL;
	}
	out->user = pos[3];
	out->password = pos[4];
	if (cmd->arg != PCP_ARG_NONE && pos[5] != NULL)
		return parse_target(cmd, pos[5], out, err, errlen);
	return PCP_OK;
}

static void
build_optstring(const PcpCommandInfo *cmd, char *buf, struct option *longopts)
{
	static const struct option common[] = {
		{"host", required_argument, NULL, 'h'}, {"port", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'U'}, {"no-password", no_argument, NULL, 'w'},
		{"password", no_argument, NULL, 'W'}, {"verbose", no_argument, NULL, 'v'},
		{"debug", no_argument, NULL, 'd'}, {"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, OPT_HELP},
	};
	int			n = (int) (sizeof(common) / sizeof(common[0]));

	memcpy(longopts, common, sizeof(common));
	strcpy(buf, "h:p:U:wWvdV?");
	if (cmd->arg == PCP_ARG_NODE || cmd->arg == PCP_ARG_WD)
		strcat(buf, "n:"), longopts[n++] = (struct option) {"node-id", required_argument, NULL, 'n'};
	if (cmd->arg == PCP_ARG_PID)
		strcat(buf, "P:"), longopts[n++] = (struct option) {"process-id", required_argument, NULL, 'P'};
	if (cmd->arg == PCP_ARG_MODE)
		strcat(buf, "m:"), longopts[n++] = (struct option) {"mode", required_argument, NULL, 'm'};
	if (cmd->tool_flags & PCP_TOOL_ALL)
		strcat(buf, "a"), longopts[n++] = (struct option) {"all", no_argument, NULL, 'a'};
	if (cmd->tool_flags & PCP_TOOL_GRACEFUL)
		strcat(buf, "g"), longopts[n++] = (struct option) {"gracefully", no_argument, NULL, 'g'};
	if (cmd->tool_flags & PCP_TOOL_SWITCHOVER)
		strcat(buf, "s"), longopts[n++] = (struct option) {"switchover", no_argument, NULL, 's'};
	if (cmd->tool_flags & PCP_TOOL_SCOPE)
		strcat(buf, "s:"), longopts[n++] = (struct option) {"scope", required_argument, NULL, 's'};
	longopts[n] = (struct option) {NULL, 0, NULL, 0};
}

/* One option; returns PCP_OK or PCP_ERR_INVAL.  *connection_opt notes -h/-p/-U/-w/-W/-n/-P/-m. */
static PcpErrorCode
take_option(const PcpCommandInfo *cmd, int opt, PcpToolArgs *out, bool *connection_opt,
			char *err, size_t errlen)
{
	switch (opt)
	{
		case 'h': out->host = optarg; break;
		case 'U': out->user = optarg; break;
		case 'w': out->no_password = true; break;
		case 'W': out->force_prompt = true; break;
		case 'v': out->verbose = true; return PCP_OK;
		case 'd': out->debug = true; return PCP_OK;
		case 'V': out->version = true; return PCP_OK;
		case OPT_HELP: out->help = true; return PCP_OK;
		case 'a': out->all = true; return PCP_OK;
		case 'g': out->graceful = true; return PCP_OK;
		case 'p':
			if (!parse_number(optarg, 1, 65535, &out->port))
			{
				snprintf(err, errlen, "invalid port number \"%s\"", optarg);
				return PCP_ERR_INVAL;
			}
			break;
		case 's':
			if (cmd->tool_flags & PCP_TOOL_SWITCHOVER)
				out->switchover = true;
			else if (strcmp(optarg, "c") == 0 || strcmp(optarg, "cluster") == 0 ||
					 strcmp(optarg, "l") == 0 || strcmp(optarg, "local") == 0)
				out->scope = optarg[0];
			else
			{
				snprintf(err, errlen, "invalid scope \"%s\" (c[luster] or l[ocal])", optarg);
				return PCP_ERR_INVAL;
			}
			return PCP_OK;
		case 'n':
		case 'P':
		case 'm':
			if (parse_target(cmd, optarg, out, err, errlen) != PCP_OK)
				return PCP_ERR_INVAL;
			break;
		case '?':				/* -? itself (errors were caught before) */
			out->help = true;
			return PCP_OK;
		default:
			snprintf(err, errlen, "invalid option");
			return PCP_ERR_INVAL;
	}
	*connection_opt = true;
	return PCP_OK;
}

static void
set_defaults(const PcpCommandInfo *cmd, PcpToolArgs *out)
{
	memset(out, 0, sizeof(*out));
	out->cmd = cmd;
	out->port = PCP_DEFAULT_PORT;
	out->mode = 's';
	out->scope = 'l';
}

PcpErrorCode
pcp_tool_parse_args(const PcpCommandInfo *cmd, int argc, char **argv, PcpToolArgs *out,
					char *err, size_t errlen)
{
	char		optstring[64];
	struct option longopts[20];
	bool		connection_opt = false;
	int			opt, npos;
	int			legacy_count = cmd->arg == PCP_ARG_NONE ? 5 : 6;

	set_defaults(cmd, out);
	build_optstring(cmd, optstring, longopts);
	optind = 0;					/* full re-initialisation (tests parse several times) */
	opterr = 0;
	optopt = 0;
	while ((opt = getopt_long(argc, argv, optstring, longopts, NULL)) != -1)
	{
		/*
		 * '?' is both -? and an error: getopt sets optopt for a bad short
		 * option or a missing argument, and leaves it 0 for a bad long one
		 */
		if (opt == '?' && (optopt != 0 || strncmp(argv[optind - 1], "--", 2) == 0))
		{
			snprintf(err, errlen, "invalid option \"%s\" or missing argument", argv[optind - 1]);
			return PCP_ERR_INVAL;
		}
		if (take_option(cmd, opt, out, &connection_opt, err, errlen) != PCP_OK)
			return PCP_ERR_INVAL;
		optopt = 0;
	}
	if (out->help || out->version)
		return PCP_OK;
	npos = argc - optind;
	/* the watchdog index is optional in the manual's form too */
	if (cmd->arg == PCP_ARG_WD && npos == 5 && !connection_opt)
		legacy_count = 5;
	if (npos == legacy_count)
	{
		if (connection_opt)
		{
			snprintf(err, errlen, "connection options cannot be combined with positional arguments");
			return PCP_ERR_INVAL;
		}
		return parse_legacy(cmd, argv + optind, out, err, errlen);
	}
	if (npos > 1 || (npos == 1 && cmd->arg == PCP_ARG_NONE))
	{
		snprintf(err, errlen, "wrong number of arguments");
		return PCP_ERR_INVAL;
	}
	if (npos == 1 && parse_target(cmd, argv[optind], out, err, errlen) != PCP_OK)
		return PCP_ERR_INVAL;
	if (cmd->arg == PCP_ARG_NODE && !out->have_target && !out->all)
	{
		snprintf(err, errlen, "missing node id (-n)");
		return PCP_ERR_INVAL;
	}
	if (out->user == NULL)
	{
		struct passwd *pw = getpwuid(geteuid());

		out->user = pw ? pw->pw_name : "";
	}
	return PCP_OK;
}

void
pcp_tool_usage(const PcpCommandInfo *cmd, FILE *out)
{
	const char *arg = cmd->arg == PCP_ARG_NODE ? "NODE_ID" : cmd->arg == PCP_ARG_PID ? "PID" :
		cmd->arg == PCP_ARG_MODE ? "MODE" : cmd->arg == PCP_ARG_WD ? "WATCHDOG_ID" : NULL;

	fprintf(out, "Usage:\n");
	if (arg)
		fprintf(out, "  %s [OPTION...] [%s]\n", cmd->tool, arg);
	else
		fprintf(out, "  %s [OPTION...]\n", cmd->tool);
	fprintf(out, "  %s [--verbose]%s TIMEOUT HOST PORT USER PASSWORD%s%s\n\n", cmd->tool,
			(cmd->tool_flags & PCP_TOOL_GRACEFUL) ? " [-g]" : "", arg ? " " : "", arg ? arg : "");
	fprintf(out, "Options:\n"
			"  -h, --host=HOSTNAME    pgpool's host, or a directory for its UNIX socket (default /tmp)\n"
			"  -p, --port=PORT        PCP port number (default %d)\n"
			"  -U, --username=NAME    PCP user name (default: the OS user)\n"
			"  -w, --no-password      never prompt for a password\n"
			"  -W, --password         always prompt for a password\n", PCP_DEFAULT_PORT);
	if (cmd->arg == PCP_ARG_NODE)
		fprintf(out, "  -n, --node-id=NODEID   backend node id\n");
	if (cmd->arg == PCP_ARG_WD)
		fprintf(out, "  -n, --node-id=INDEX    watchdog node (0: this pgpool; default: all)\n");
	if (cmd->arg == PCP_ARG_PID)
		fprintf(out, "  -P, --process-id=PID   pgpool child process id\n");
	if (cmd->arg == PCP_ARG_MODE)
		fprintf(out, "  -m, --mode=MODE        s[mart], f[ast] or i[mmediate] (default smart)\n");
	if (cmd->tool_flags & PCP_TOOL_ALL)
		fprintf(out, "  -a, --all              every node / process\n");
	if (cmd->tool_flags & PCP_TOOL_GRACEFUL)
		fprintf(out, "  -g, --gracefully       wait until clients have disconnected\n");
	if (cmd->tool_flags & PCP_TOOL_SWITCHOVER)
		fprintf(out, "  -s, --switchover       switch the primary over to this node\n");
	if (cmd->tool_flags & PCP_TOOL_SCOPE)
		fprintf(out, "  -s, --scope=SCOPE      c[luster] or l[ocal] (default local)\n");
	fprintf(out, "  -v, --verbose          verbose output\n"
			"  -d, --debug            print protocol debug messages\n"
			"  -V, --version          print the version and exit\n"
			"  -?, --help             print this help and exit\n\n"
			"Without a password on the command line, it is taken from the file named by\n"
			"PCPPASSFILE or ~/.pcppass (lines host:port:user:password), else asked for.\n");
}
