/*
 * startup.c: from an accepted socket to a session ready for queries.
 *
 * Reads the startup packet (answering SSLRequest/GSSENCRequest and
 * forwarding CancelRequest), then either hands the client a pooled backend
 * connection after it proves the same credentials as the first client of
 * that connection, or opens a new one and relays the backend's own
 * authentication exchange to the client.  Runs in a child process.
 */
#include "session/session.h"

#include "config/config.h"
#include "pool/backend_connect.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

static int64_t auth_deadline_ms;

static int64_t
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Milliseconds left before authentication_timeout; -1 when there is none. */
static int
auth_remaining(void)
{
	int64_t		left;

	if (auth_deadline_ms == 0)
		return -1;
	left = auth_deadline_ms - now_ms();
	return left > 0 ? (int) left : 0;
}

static SessionStatus
startup_io_failure(Session *s, int rc, const char *what)
{
	if (rc == PQ_IO_TIMEOUT)
	{
		plog(PL_LOG, "authentication timeout: no %s from client %s within %d seconds",
			 what, s->client_host, pool_config->authentication_timeout);
		return SESSION_CLIENT_TIMEOUT;
	}
	if (rc == PQ_IO_BAD_LENGTH || rc == PQ_IO_TOO_BIG)
	{
		plog(PL_LOG, "invalid length of startup packet from client %s", s->client_host);
		session_send_error(s, "FATAL", "08P01", "invalid length of startup packet", NULL);
		return SESSION_CLIENT_ERROR;
	}
	if (rc == PQ_IO_INTERRUPTED)
		return SESSION_SHUTDOWN;
	return SESSION_CLIENT_EOF;
}

static SessionStatus
reject_protocol(Session *s, int32_t code)
{
	char		msg[128];

	snprintf(msg, sizeof(msg), "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
			 (unsigned) PQ_PROTOCOL_MAJOR(code), (unsigned) PQ_PROTOCOL_MINOR(code));
	plog(PL_LOG, "%s", msg);
	session_send_error(s, "FATAL", "0A000", msg, NULL);
	return SESSION_CLIENT_ERROR;
}

SessionStatus
session_read_startup(Session *s)
{
	auth_deadline_ms = pool_config->authentication_timeout > 0 ?
		now_ms() + (int64_t) pool_config->authentication_timeout * 1000 : 0;

	for (;;)
	{
		const char *body;
		size_t		len;
		const char *err = NULL;
		PqStartup	su;
		int			rc = pq_conn_read_startup(&s->client, &body, &len, auth_remaining());

		if (rc != PQ_IO_OK)
			return startup_io_failure(s, rc, "startup packet");
		if (!pq_parse_startup(body, len, &su, &err))
		{
			plog(PL_LOG, "%s (client %s)", err, s->client_host);
			session_send_error(s, "FATAL", "08P01", err, NULL);
			return SESSION_CLIENT_ERROR;
		}
		if (su.code == PQ_SSL_REQUEST_CODE || su.code == PQ_GSSENC_REQUEST_CODE)
		{
			/* no encryption yet: say no, and the client continues in clear text */
			if (pq_conn_send(&s->client, "N", 1, auth_remaining()) != PQ_IO_OK)
				return SESSION_CLIENT_EOF;
			continue;
		}
		if (su.code == PQ_CANCEL_REQUEST_CODE)
		{
			cancel_forward(su.cancel_pid, su.cancel_key);
			return SESSION_DONE;
		}
		if (PQ_PROTOCOL_MAJOR(su.code) != 3)
			return reject_protocol(s, su.code);

		/* keep our own copy: the read buffer is reused by the relay */
		s->startup_packet = mem_alloc(len);
		memcpy(s->startup_packet, body, len);
		s->startup_len = len;
		pq_parse_startup(s->startup_packet, len, &s->startup, &err);
		if (s->startup.user == NULL || s->startup.user[0] == '\0')
		{
			session_send_error(s, "FATAL", "28000",
							   "no PostgreSQL user name specified in startup packet", NULL);
			return SESSION_CLIENT_ERROR;
		}
		return SESSION_OK;
	}
}

/* Read the client's PasswordMessage during authentication. */
static SessionStatus
read_client_password(Session *s, PqMsg *msg)
{
	int			rc = pq_conn_read_message(&s->client, msg, 65536, auth_remaining());

	if (rc != PQ_IO_OK)
		return startup_io_failure(s, rc, "password");
	if (msg->type != PQ_FE_PASSWORD)
	{
		char		text[96];

		snprintf(text, sizeof(text), "expected password response, got message type %d", msg->type);
		session_send_error(s, "FATAL", "08P01", text, NULL);
		return SESSION_CLIENT_ERROR;
	}
	return SESSION_OK;
}

/*
 * A pooled connection goes only to a client that proves the same
 * credentials the first client proved to the backend.
 */
static SessionStatus
reauthenticate(Session *s, PoolSlot *slot)
{
	PqMsg		msg;
	SessionStatus st;
	size_t		n;

	if (slot->auth == SLOT_AUTH_TRUST)
		return SESSION_OK;
	if (slot->auth == SLOT_AUTH_MD5)
		pq_put_auth_request(&s->client.wbuf, PQ_AUTH_MD5, slot->md5_salt, 4);
	else
		pq_put_auth_request(&s->client.wbuf, PQ_AUTH_CLEARTEXT, NULL, 0);
	if (pq_conn_flush(&s->client, auth_remaining()) != PQ_IO_OK)
		return SESSION_CLIENT_EOF;
	st = read_client_password(s, &msg);
	if (st != SESSION_OK)
		return st;
	n = strnlen(msg.body, msg.len);
	if (slot->auth_secret == NULL || n != strlen(slot->auth_secret) ||
		memcmp(msg.body, slot->auth_secret, n) != 0)
	{
		char		text[160];

		snprintf(text, sizeof(text), "password authentication failed for user \"%s\"", s->startup.user);
		plog(PL_LOG, "%s", text);
		session_send_error(s, "FATAL", "28P01", text, NULL);
		return SESSION_AUTH_FAILED;
	}
	return SESSION_OK;
}

/* A pooled backend that closed or sent something while idle is dead. */
static bool
slot_alive(PoolSlot *slot)
{
	for (int n = 0; n < MAX_BACKENDS; n++)
	{
		BackendConn *b = &slot->backends[n];

		if (!b->connected)
			continue;
		if (pq_conn_buffered(&b->conn) > 0 || pq_conn_wait(&b->conn, false, 0) != PQ_IO_TIMEOUT)
			return false;
	}
	return true;
}

static SessionStatus
reuse_slot(Session *s, PoolSlot *slot)
{
	SessionStatus st = reauthenticate(s, slot);
	BackendConn *main = &slot->backends[slot->main_node];
	PqBuf	   *out = &s->client.wbuf;

	if (st != SESSION_OK)
		return st;
	pq_put_auth_request(out, PQ_AUTH_OK, NULL, 0);
	pqbuf_put_bytes(out, slot->param_status.data, slot->param_status.len);
	pq_put_backend_key_data(out, main->pid, main->key);
	pq_put_ready_for_query(out, 'I');
	if (pq_conn_flush(&s->client, auth_remaining()) != PQ_IO_OK)
		return SESSION_CLIENT_EOF;
	slot->in_use = true;
	s->slot = slot;
	s->node = slot->main_node;
	s->tx_status = 'I';
	if (proc_table && my_child_index >= 0)
		proc_slot(my_child_index, slot->index)->counter++;
	pool_slot_publish(slot);
	plog(PL_DEBUG1, "reusing pooled connection to node %d (backend pid %d)", s->node, main->pid);
	return SESSION_OK;
}

/* Connect to the first node that answers, in node order (raw-mode failover). */
static int
connect_first_node(Session *s, BackendConn *conns)
{
	int			timeout = pool_config->connect_timeout;

	for (int n = 0; n < node_table->num_backends; n++)
	{
		BackendNode *node = &node_table->nodes[n];
		const char *why = NULL;
		int			fd;

		if (!node_is_up(n))
			continue;
		fd = backend_connect(node->hostname, node->port, timeout, &why);
		if (fd < 0)
		{
			plog_ex(PL_LOG, log_fmt("connecting to \"%s\" port %d: %s", node->hostname, node->port, why),
					NULL, "failed to connect to backend node %d", n);
			continue;
		}
		pq_conn_init(&conns[n].conn, fd);
		return n;
	}
	return -1;
}

static void
put_backend_startup(Session *s, PqConn *b)
{
	pqbuf_put_int32(&b->wbuf, (int32_t) s->startup_len + 4);
	pqbuf_put_bytes(&b->wbuf, s->startup_packet, s->startup_len);
}

static SessionStatus
new_slot(Session *s)
{
	PoolSlot   *slot = pool_get_free();
	SessionStatus st;
	int			node;

	if (slot == NULL)
	{
		session_send_error(s, "FATAL", "53300", "no free connection slot in this pgpool process", NULL);
		return SESSION_BACKEND_ERROR;
	}
	node = connect_first_node(s, slot->backends);
	if (node < 0)
	{
		plog(PL_LOG, "all backend nodes are down, pgpool requires at least one valid node");
		session_send_error(s, "FATAL", "08006",
						   "all backend nodes are down, pgpool requires at least one valid node",
						   "repair the backend nodes and restart pgpool");
		return SESSION_BACKEND_ERROR;
	}
	slot->used = true;
	slot->in_use = true;
	slot->main_node = node;
	slot->protocol = s->startup.code;
	slot->create_time = time(NULL);
	str_copy(slot->user, s->startup.user, sizeof(slot->user));
	str_copy(slot->database, s->startup.database ? s->startup.database : s->startup.user,
			 sizeof(slot->database));
	slot->key = s->pool_key;
	slot->key_len = s->pool_key_len;
	s->pool_key = NULL;
	s->slot = slot;
	s->node = node;
	put_backend_startup(s, &slot->backends[node].conn);
	st = session_relay_auth(s, slot, node);
	if (st == SESSION_OK)
		pool_slot_publish(slot);
	return st;
}

static bool
is_maintenance_database(const char *db)
{
	return strcmp(db, "postgres") == 0 || strcmp(db, "template0") == 0 ||
		strcmp(db, "template1") == 0;
}

SessionStatus
session_attach_backend(Session *s)
{
	const char *db = s->startup.database ? s->startup.database : s->startup.user;
	PoolSlot   *slot = NULL;

	s->pool_key = pool_make_key(&s->startup, &s->pool_key_len);
	s->poolable = pool_config->connection_cache && !is_maintenance_database(db);
	if (s->poolable)
		slot = pool_find(s->pool_key, s->pool_key_len);
	if (slot && (slot->auth == SLOT_AUTH_OTHER || !slot_alive(slot)))
	{
		pool_close_slot(slot);
		slot = NULL;
	}
	if (slot)
		return reuse_slot(s, slot);
	return new_slot(s);
}

int
session_auth_remaining(void)
{
	return auth_remaining();
}
