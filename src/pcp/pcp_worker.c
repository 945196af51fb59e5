/*
 * pcp_worker.c: one PCP client connection, in its own process forked by
 * pcp_main.  Sends a salt, checks the answer against pcp.conf, then runs
 * requests until the client says goodbye, goes quiet for pcp_timeout
 * seconds, or breaks the protocol; any of these ends this process only.
 */
#include "pcp_int.h"

#include "failover/failover.h"
#include "utils/log.h"
#include "utils/signals.h"
#include "utils/ps_status.h"
#include "utils/str.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int interrupted;
static sigset_t wait_mask;

static const PcpHandler handlers[PCP_CMD_COUNT] = {
#define PCP_COMMAND(id, name, tool, arg, flags) [PCP_CMD_##id] = pcp_do_##name,
#include "libpcp/pcp_commands.def"
#undef PCP_COMMAND
};

static void
on_shutdown(int sig)
{
	(void) sig;
	interrupted = 1;
}

static void
on_quit(int sig)
{
	(void) sig;
	_exit(1);
}

static void
setup_signals(void)
{
	/* shutdown signals are taken only while waiting for the client */
	static const SignalAction actions[] = {
		{SIGTERM, on_shutdown, true},
		{SIGINT, on_shutdown, true},
		{SIGQUIT, on_quit, false},
		{SIGCHLD, SIG_DFL, false},
		{SIGHUP, SIG_IGN, false},
		{SIGPIPE, SIG_IGN, false},
		{SIGUSR1, SIG_IGN, false},
	};

	signals_install(actions, sizeof(actions) / sizeof(actions[0]), &wait_mask);
	pq_wait_sigmask = &wait_mask;
}

static void __attribute__((noreturn))
worker_exit(PcpSession *s, int code)
{
	if (pool_config->log_pcp_processes)
		plog(PL_LOG, "PCP process with pid: %d exiting", (int) getpid());
	pq_conn_close(&s->conn);
	pcp_buf_free(&s->out);
	exit(code);
}

void
pcp_reply_row(PcpSession *s, int n, const char *const *fields)
{
	pcp_packet_build(&s->out, PCP_MSG_ROW, n, fields);
}

PcpErrorCode
pcp_reply_error(PcpSession *s, PcpErrorCode code, const char *detail, const char *fmt,...)
{
	char		msg[512];
	va_list		ap;
	const char *fields[3];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	plog_ex(PL_LOG, detail, NULL, "PCP: %s", msg);
	fields[0] = pcp_error_name(code);
	fields[1] = msg;
	fields[2] = detail ? detail : "";
	pcp_buf_reset(&s->out);
	pcp_packet_build(&s->out, PCP_MSG_ERROR, 3, fields);
	return code;
}

bool
pcp_parse_int(const char *s, int *out)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < -2147483647L || v > 2147483647L)
		return false;
	*out = (int) v;
	return true;
}

/* Send the reply built so far. */
static bool
flush_reply(PcpSession *s)
{
	int			rc;

	if (s->out.oom)
	{
		pcp_buf_reset(&s->out);
		pcp_reply_error(s, PCP_ERR_NOMEM, NULL, "out of memory");
	}
	rc = pq_conn_send(&s->conn, s->out.data, s->out.len,
					  pool_config->pcp_timeout > 0 ? pool_config->pcp_timeout * 1000 : -1);
	pcp_buf_reset(&s->out);
	if (rc != PQ_IO_OK)
		plog(PL_LOG, "PCP: could not send reply to client: %s", pq_io_status_text(rc));
	return rc == PQ_IO_OK;
}

/*
 * Read one request packet.  Returns false when the connection must end:
 * end of file, timeout, shutdown, or a malformed or oversized packet.
 */
static bool
read_packet(PcpSession *s, PcpPacket *p, const char *what)
{
	int			timeout = pool_config->pcp_timeout > 0 ? pool_config->pcp_timeout * 1000 : -1;
	PqMsg		msg;
	int			rc = pq_conn_read_message(&s->conn, &msg, PCP_MAX_REQUEST_BODY, timeout);
	PcpWireStatus st;

	if (rc == PQ_IO_EOF || rc == PQ_IO_INTERRUPTED)
		return false;
	if (rc == PQ_IO_TIMEOUT)
	{
		plog(PL_LOG, "PCP: closing connection: no %s from the client within pcp_timeout (%d seconds)",
			 what, pool_config->pcp_timeout);
		return false;
	}
	if (rc != PQ_IO_OK)
	{
		plog(PL_LOG, "PCP: closing connection: could not read %s: %s", what, pq_io_status_text(rc));
		return false;
	}
	st = pcp_packet_parse(msg.type, msg.body, msg.len, p);
	if (st != PCP_WIRE_OK)
	{
		plog(PL_LOG, "PCP: closing connection: invalid %s: %s", what, pcp_wire_status_text(st));
		return false;
	}
	return true;
}

static void
authenticate(PcpSession *s)
{
	char		salt[PCP_SALT_LEN + 1];
	char		why[256];
	const char *fields[2] = {PCP_PROTOCOL_VERSION, salt};
	PcpPacket	p;

	pcp_make_salt(salt);
	pcp_packet_build(&s->out, PCP_MSG_SALT, 2, fields);
	if (!flush_reply(s) || !read_packet(s, &p, "authentication packet"))
		worker_exit(s, 0);
	if (p.type != PCP_MSG_AUTH || p.nfields != 2)
	{
		pcp_reply_error(s, PCP_ERR_AUTH, NULL, "authentication required before packet type 0x%02x",
						(unsigned char) p.type);
		flush_reply(s);
		worker_exit(s, 0);
	}
	if (!pcp_auth_check(s->env->pcp_file, p.fields[0], salt, p.fields[1], why, sizeof(why)))
	{
		const char *err[3] = {pcp_error_name(PCP_ERR_AUTH), log_fmt("authentication failed for user \"%s\"",
																	   p.fields[0]), ""};

		/* the reason is for the log only: the client learns nothing about users or files */
		plog_ex(PL_LOG, why, NULL, "PCP: %s", err[1]);
		pcp_packet_build(&s->out, PCP_MSG_ERROR, 3, err);
		flush_reply(s);
		worker_exit(s, 0);
	}
	str_copy(s->user, p.fields[0], sizeof(s->user));
	pcp_packet_build(&s->out, PCP_MSG_AUTH_OK, 0, NULL);
	if (!flush_reply(s))
		worker_exit(s, 0);
}

/* Run one request and send its reply. */
static bool
run_request(PcpSession *s, const PcpPacket *p)
{
	const PcpCommandInfo *cmd = p->nfields > 0 ? pcp_command_by_name(p->fields[0]) : NULL;
	const char *const *argv = p->fields + 1;
	int			argc = p->nfields - 1;

	if (cmd == NULL)
		pcp_reply_error(s, PCP_ERR_INVAL, NULL, "unknown PCP command \"%s\"", pcp_packet_field(p, 0));
	else
	{
		const char *pad[2] = {"", ""};

		plog(PL_DEBUG1, "PCP: user \"%s\" runs %s", s->user, cmd->name);
		ps_status_set("PCP: processing %s", cmd->name);
		/* handlers may read up to two arguments without counting */
		if (argc < 2)
		{
			for (int i = 0; i < argc; i++)
				pad[i] = argv[i];
			argv = pad;
		}
		if (handlers[cmd->id](s, argc, argv) == PCP_OK)
			pcp_packet_build(&s->out, PCP_MSG_COMPLETE, 1, &cmd->name);
	}
	if (!flush_reply(s))
		return false;
	if (s->signal_parent)
	{
		pid_t		parent = failover_parent_pid();

		if (parent > 0 && kill(parent, s->signal_parent) < 0)
			plog(PL_LOG, "PCP: could not signal the main process (pid %d): %m", (int) parent);
		s->signal_parent = 0;
	}
	ps_status_set("PCP: wait for command");
	return true;
}

void
pcp_worker_main(int fd, const PcpServerEnv *env)
{
	PcpSession	s;

	log_set_process_name("pcp_child");
	setup_signals();
	memset(&s, 0, sizeof(s));
	s.env = env;
	pq_conn_init(&s.conn, fd);
	s.conn.interrupt = &interrupted;
	pcp_buf_init(&s.out);
	ps_status_set("PCP: authenticating");
	if (pool_config->log_pcp_processes)
		plog(PL_LOG, "PCP process with pid: %d started", (int) getpid());
	authenticate(&s);
	ps_status_set("PCP: wait for command");
	for (;;)
	{
		PcpPacket	p;

		if (!read_packet(&s, &p, "request"))
			worker_exit(&s, 0);
		if (p.type == PCP_MSG_TERMINATE)
			worker_exit(&s, 0);
		if (p.type != PCP_MSG_REQUEST)
		{
			plog(PL_LOG, "PCP: closing connection: unexpected packet type 0x%02x", (unsigned char) p.type);
			worker_exit(&s, 0);
		}
		if (!run_request(&s, &p) || interrupted)
			worker_exit(&s, 0);
	}
}
