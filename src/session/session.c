/*
 * session.c: serve one client from accept to goodbye.
 *
 * The only place that decides what a failure means: what the client is
 * told, whether the backend connections are pooled or closed, and what is
 * logged.  Runs in a child process, one session at a time.
 */
#include "session/session.h"
#include "session/client_log.h"
#include "utils/clock.h"

#include "config/config.h"
#include "pool/backend_connect.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "replication/strategy.h"
#include "session/multi.h"
#include "session/query_cache.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "utils/str.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

Session    *current_session;
volatile int session_interrupt;
volatile int session_nodes_changed;

SessionStatus
session_check_client_header(Session *s, char type, int32_t len)
{
	const char *problem = NULL;

	if (!pq_is_frontend_type(type))
		problem = log_fmt("invalid frontend message type %d", (unsigned char) type);
	else if (len < 4 || len > PQ_MAX_MESSAGE_LENGTH)
		problem = log_fmt("invalid message length %d for message type \"%c\"", len, type);
	if (problem)
	{
		plog_ex(PL_LOG, log_fmt("client %s(%s)", s->client_host, s->client_port), NULL, "%s", problem);
		session_send_error(s, "FATAL", "08P01", problem, NULL);
		return SESSION_CLIENT_ERROR;
	}
	if (type == PQ_FE_TERMINATE)
	{
		client_log_message(type, NULL, 0);
		s->client.rpos += 5;
		return SESSION_DONE;
	}
	return SESSION_OK;
}

int
session_next_login_message(BackendConn *b, const PqMsg **first, PqMsg *msg, size_t max_len)
{
	int			rc;

	if (*first)
	{
		*msg = **first;
		*first = NULL;
		return PQ_IO_OK;
	}
	rc = pq_conn_flush(&b->conn, session_auth_remaining());
	if (rc == PQ_IO_OK)
		rc = pq_conn_read_message(&b->conn, msg, max_len, session_auth_remaining());
	return rc;
}

void
session_send_error(Session *s, const char *severity, const char *sqlstate,
				   const char *message, const char *detail)
{
	pq_put_error(&s->client.wbuf, PQ_BE_ERROR_RESPONSE, severity, sqlstate, message, detail, NULL);
	(void) pq_conn_flush(&s->client, 1000);
}

SessionHooks session_hooks;

int
idle_timeout_ms(bool idle, int64_t *idle_since)
{
	int64_t		left;
	int			limit = -1, recovery;

	if (!idle)
	{
		*idle_since = 0;
		return -1;
	}
	if (*idle_since == 0)
		*idle_since = clock_monotonic_ms();
	if (pool_config->client_idle_limit > 0)
	{
		left = (int64_t) pool_config->client_idle_limit * 1000 - (clock_monotonic_ms() - *idle_since);
		limit = left > 0 ? (int) left : 0;
	}
	recovery = session_hooks.idle_limit_ms ? session_hooks.idle_limit_ms(*idle_since) : -1;
	if (recovery >= 0 && (limit < 0 || recovery < limit))
		limit = recovery;
	return limit;
}

bool
session_idle_limit_is_recovery(int64_t idle_since)
{
	return session_hooks.idle_limit_ms && session_hooks.idle_limit_ms(idle_since) == 0;
}

bool
session_before_work(void)
{
	if (proc_table && my_child_index >= 0)
		proc_info(my_child_index)->state = CHILD_STATE_ACTIVE;
	/* the gate's check is a full barrier after the store above (recovery_gate.h) */
	if (session_hooks.gate_closed == NULL || !session_hooks.gate_closed())
		return false;
	session_hooks.gate_wait();
	return true;
}

void
session_backend_failed(int node)
{
	const BackendNode *n = &node_table->nodes[node];
	const char *why = NULL;
	int			fd;

	if (!pool_config->failover_on_backend_error || !node_is_up(node))
		return;
	/* a terminated backend process is not a failed node: only a refused connection is */
	fd = backend_connect(n->hostname, n->port, 2000, &why);
	if (fd >= 0)
	{
		close(fd);
		return;
	}
	plog_ex(PL_LOG, log_fmt("connecting to node %d: %s", node, why), NULL,
			"failover on backend error: requesting detach of DB node %d", node);
	if (session_hooks.request_detach)
		session_hooks.request_detach(node);
}

void
session_degenerate_node(int node)
{
	if (node_is_up(node))
		if (session_hooks.request_detach)
			session_hooks.request_detach(node);
}

static void
describe_client(Session *s, const struct sockaddr *addr, socklen_t addrlen)
{
	int			flags = pool_config->log_hostname ? 0 : NI_NUMERICHOST;

	if (addr->sa_family == AF_UNIX)
	{
		str_copy(s->client_host, "[local]", sizeof(s->client_host));
		s->client_port[0] = '\0';
		return;
	}
	if (getnameinfo(addr, addrlen, s->client_host, sizeof(s->client_host),
					s->client_port, sizeof(s->client_port), flags | NI_NUMERICSERV) != 0)
	{
		str_copy(s->client_host, "unknown", sizeof(s->client_host));
		s->client_port[0] = '\0';
	}
}

static void
publish_client(const Session *s, int state)
{
	ProcInfo   *p;

	if (proc_table == NULL || my_child_index < 0)
		return;
	p = proc_info(my_child_index);
	p->state = state;
	p->client_connected = state != CHILD_STATE_WAIT_FOR_CONNECTION;
	if (!p->client_connected)
	{
		p->current_slot = -1;
		return;
	}
	str_copy(p->client_host, s->client_host, sizeof(p->client_host));
	str_copy(p->client_port, s->client_port, sizeof(p->client_port));
	if (s->startup.user)
	{
		str_copy(p->user, s->startup.user, sizeof(p->user));
		str_copy(p->database, s->startup.database ? s->startup.database : "", sizeof(p->database));
	}
	p->current_slot = s->slot ? s->slot->index : -1;
}

/* Pool or close the session's backend connections. */
static void
release_backends(Session *s, SessionStatus st)
{
	PoolSlot   *slot = s->slot;
	bool		keep;

	if (slot == NULL)
		return;
	keep = (st == SESSION_DONE || st == SESSION_CLIENT_EOF || st == SESSION_CLIENT_TIMEOUT ||
			st == SESSION_CLIENT_ERROR) &&
		(s->multi ? s->poolable && multi_session_can_pool(s) : session_can_pool(s)) &&
		slot->auth != SLOT_AUTH_OTHER;
	if (keep)
		keep = session_reset_backends(slot, pool_config->reset_query_list);
	if (keep)
		pool_release(slot);
	else
		pool_close_slot(slot);
	s->slot = NULL;
}

static void
log_disconnection(const Session *s, const struct timeval *start)
{
	struct timeval now;
	long		ms;

	if (!pool_config->log_disconnections)
		return;
	gettimeofday(&now, NULL);
	ms = (now.tv_sec - start->tv_sec) * 1000 + (now.tv_usec - start->tv_usec) / 1000;
	plog(PL_LOG, "frontend disconnection: session time: %ld:%02ld:%02ld.%03ld user=%s database=%s host=%s%s%s",
		 ms / 3600000, (ms / 60000) % 60, (ms / 1000) % 60, ms % 1000,
		 s->startup.user ? s->startup.user : "", s->startup.database ? s->startup.database : "",
		 s->client_host, s->client_port[0] ? " port=" : "", s->client_port);
}

static void
prepare_socket(int fd, const struct sockaddr *addr)
{
	int			one = 1;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
	if (addr->sa_family != AF_UNIX)
	{
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	}
}

SessionStatus
session_run(int client_fd, const struct sockaddr *addr, socklen_t addrlen)
{
	Session		s;
	SessionStatus st;
	struct timeval start;

	memset(&s, 0, sizeof(s));
	gettimeofday(&start, NULL);
	prepare_socket(client_fd, addr);
	pq_conn_init(&s.client, client_fd);
	s.client.interrupt = &session_interrupt;
	s.tx_status = 'I';
	describe_client(&s, addr, addrlen);
	current_session = &s;
	publish_client(&s, CHILD_STATE_CONNECTING);
	ps_status_set("%s(%s) connecting", s.client_host, s.client_port);
	if (pool_config->log_connections)
		plog(PL_LOG, "connection received: host=%s%s%s", s.client_host,
			 s.client_port[0] ? " port=" : "", s.client_port);

	st = session_read_startup(&s);
	if (st == SESSION_OK)
	{
		log_set_session(s.startup.database, s.startup.user);
		publish_client(&s, CHILD_STATE_CONNECTING);
		st = session_attach_backend(&s);
	}
	if (st == SESSION_OK && strategy_uses_several_nodes())
		st = session_connect_other_nodes(&s);
	/* the query cache needs each statement's facts: the multi-node relay has them */
	if (st == SESSION_OK && (strategy_uses_several_nodes() || qc_session_wanted()))
		multi_init(&s);
	if (st == SESSION_OK)
	{
		for (int n = 0; n < MAX_BACKENDS; n++)
			if (s.slot->backends[n].connected)
			{
				s.slot->backends[n].conn.interrupt = &session_interrupt;
				node_table_note_connected(n);
			}
		pool_slot_publish(s.slot);
		publish_client(&s, CHILD_STATE_IDLE);
		st = s.multi ? session_relay_multi(&s) : session_relay(&s);
	}
	if (st == SESSION_SHUTDOWN)
		session_send_error(&s, "FATAL", "57P01", "terminating connection due to administrator command", NULL);

	release_backends(&s, st);
	multi_free(&s);
	if (s.startup.user)
		log_disconnection(&s, &start);
	pq_conn_close(&s.client);
	free(s.startup_packet);
	free(s.pool_key);
	current_session = NULL;
	log_set_session(NULL, NULL);
	publish_client(&s, CHILD_STATE_WAIT_FOR_CONNECTION);
	return st;
}
