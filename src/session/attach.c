/*
 * attach.c: authenticate the client and give it backend connections, pooled
 * or new.
 *
 * With enable_pool_hba on, the client first proves itself by its
 * pool_hba.conf rule; then a pooled connection of the same user, database
 * and options is reused if this client may have it, else a new one is opened
 * and pgpool logs in with pool_passwd or the client's clear-text password.
 * With enable_pool_hba off, the main backend's own request decides the
 * method: pgpool checks it against pool_passwd when the user has a usable
 * entry (or asks for the clear text with allow_clear_text_frontend_auth),
 * otherwise the exchange is relayed to that backend.
 *
 * A pooled connection goes only to a client that authenticated in its own
 * session, and to one that gave the same clear-text password when the
 * backends took the first client's.  Runs in a child, once per session.
 */
#include "session/session_auth.h"

#include "auth/auth.h"
#include "config/config.h"
#include "pool/backend_connect.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "replication/strategy.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

/* This session's credentials; wiped when the next session starts. */
static SessionCreds creds;
static const Session *creds_session;

/* What the main backend first asked of each slot (by slot index). */
static int *slot_asked;
static int	slot_asked_len;

SessionCreds *
session_current_creds(void)
{
	return current_session != NULL && current_session == creds_session ? &creds : NULL;
}

int
session_slot_asked(const PoolSlot *slot)
{
	return slot->index < slot_asked_len ? slot_asked[slot->index] : -1;
}

void
session_slot_set_asked(const PoolSlot *slot, int code)
{
	if (slot->index >= slot_asked_len)
	{
		int			n = slot->index + 8;

		slot_asked = mem_realloc(slot_asked, sizeof(int) * (size_t) n);
		for (int i = slot_asked_len; i < n; i++)
			slot_asked[i] = -1;
		slot_asked_len = n;
	}
	slot_asked[slot->index] = code;
}

static bool
md5_capable(const PasswdEntry *e)
{
	return e && e->type != PASSWD_SCRAM;
}

static bool
scram_capable(const PasswdEntry *e)
{
	return e && e->type != PASSWD_MD5;
}

/* enable_pool_hba off: the frontend method for what the main backend asks. */
static int
relay_mode_method(int asked)
{
	switch (asked)
	{
		case PQ_AUTH_OK:
			return HBA_METHOD_TRUST;
		case PQ_AUTH_CLEARTEXT:
			return HBA_METHOD_PASSWORD;
		case PQ_AUTH_MD5:
			if (md5_capable(creds.entry))
				return HBA_METHOD_MD5;
			return pool_config->allow_clear_text_frontend_auth ? HBA_METHOD_PASSWORD : SESSION_AUTH_RELAY;
		case PQ_AUTH_SASL:
			if (scram_capable(creds.entry))
				return HBA_METHOD_SCRAM;
			return pool_config->allow_clear_text_frontend_auth ? HBA_METHOD_PASSWORD : SESSION_AUTH_RELAY;
		default:
			return SESSION_AUTH_RELAY;
	}
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

/* The idle pooled slot for this session's key, dropping dead or unpoolable ones. */
static PoolSlot *
find_pooled(Session *s)
{
	PoolSlot   *slot;

	if (!s->poolable)
		return NULL;
	slot = pool_find(s->pool_key, s->pool_key_len);
	if (slot && (slot->auth == SLOT_AUTH_OTHER || !slot_alive(slot)))
	{
		pool_close_slot(slot);
		slot = NULL;
	}
	return slot;
}

/* May this session's client have the slot? (after its own authentication) */
static bool
slot_accepts(const PoolSlot *slot)
{
	switch (slot->auth)
	{
		case SLOT_AUTH_TRUST:
			return creds.verified;
		case SLOT_AUTH_CLEARTEXT:
			return creds.cleartext && slot->auth_secret &&
				auth_str_equal(creds.cleartext, slot->auth_secret);
		default:
			return false;
	}
}

/* AuthenticationOk, the saved parameters, the cancel key, ReadyForQuery. */
static SessionStatus
greet_client(Session *s, PoolSlot *slot)
{
	BackendConn *main = &slot->backends[slot->main_node];
	PqBuf	   *out = &s->client.wbuf;

	pq_put_auth_request(out, PQ_AUTH_OK, NULL, 0);
	pqbuf_put_bytes(out, slot->param_status.data, slot->param_status.len);
	pq_put_backend_key_data(out, main->pid, main->key);
	pq_put_ready_for_query(out, s->tx_status);
	if (pq_conn_flush(&s->client, session_auth_remaining()) != PQ_IO_OK)
		return SESSION_CLIENT_EOF;
	return SESSION_OK;
}

static SessionStatus
reuse_slot(Session *s, PoolSlot *slot)
{
	SessionStatus st;

	s->tx_status = 'I';
	st = greet_client(s, slot);
	if (st != SESSION_OK)
		return st;
	slot->in_use = true;
	s->slot = slot;
	s->node = slot->main_node;
	if (proc_table && my_child_index >= 0)
		proc_slot(my_child_index, slot->index)->counter++;
	pool_slot_publish(slot);
	plog(PL_DEBUG1, "reusing pooled connection to node %d (backend pid %d)", s->node,
		 slot->backends[slot->main_node].pid);
	return SESSION_OK;
}

/* Connect to the first node that answers, in node order (raw-mode failover). */
static int
connect_first_node(BackendConn *conns)
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

/* A free slot connected (and TLS-negotiated) to the main node; no login yet. */
static SessionStatus
open_slot(Session *s)
{
	PoolSlot   *slot = pool_get_free();
	int			node;

	if (slot == NULL)
	{
		session_send_error(s, "FATAL", "53300", "no free connection slot in this pgpool process", NULL);
		return SESSION_BACKEND_ERROR;
	}
	node = connect_first_node(slot->backends);
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
	/* not poolable until a login completes: a half-authenticated backend is closed */
	slot->auth = SLOT_AUTH_OTHER;
	str_copy(slot->user, s->startup.user, sizeof(slot->user));
	str_copy(slot->database, s->startup.database ? s->startup.database : s->startup.user,
			 sizeof(slot->database));
	slot->key = s->pool_key;
	slot->key_len = s->pool_key_len;
	s->pool_key = NULL;
	s->slot = slot;
	s->node = node;
	session_slot_set_asked(slot, -1);
	return session_backend_tls(s, node, &slot->backends[node].conn);
}

/* Send the startup packet and read the main backend's first answer. */
static SessionStatus
first_answer(Session *s, PqMsg *msg)
{
	PqConn	   *b = &s->slot->backends[s->node].conn;
	int			rc;

	pqbuf_put_int32(&b->wbuf, (int32_t) s->startup_len + 4);
	pqbuf_put_bytes(&b->wbuf, s->startup_packet, s->startup_len);
	rc = pq_conn_flush(b, session_auth_remaining());
	if (rc == PQ_IO_OK)
		rc = pq_conn_read_message(b, msg, 1024 * 1024, session_auth_remaining());
	if (rc != PQ_IO_OK)
	{
		plog_ex(PL_LOG, log_fmt("node %d: %s", s->node, pq_io_status_text(rc)), NULL,
				"unable to read data from backend during authentication");
		session_send_error(s, "FATAL", "08006", "unable to read data from backend",
						   log_fmt("backend node %d closed the connection during authentication", s->node));
		return SESSION_BACKEND_ERROR;
	}
	if (msg->type == PQ_BE_AUTHENTICATION && msg->len >= 4)
		session_slot_set_asked(s->slot, pq_peek_int32(msg->body));
	return SESSION_OK;
}

/* After pgpool's own login to the main node: record, check, greet. */
static SessionStatus
finish_login(Session *s)
{
	PoolSlot   *slot = s->slot;

	if (!creds.verified && !creds.used_cleartext)
	{
		/* nobody checked the password: no pool_passwd entry and a trusting backend */
		return session_auth_failed(s, HBA_METHOD_PASSWORD,
								   log_fmt("The password of user \"%s\" could not be checked: pool_passwd has no entry for the user and the backend did not ask for it.",
										   s->startup.user));
	}
	if (creds.used_cleartext)
	{
		slot->auth = SLOT_AUTH_CLEARTEXT;
		auth_free_secret(slot->auth_secret);
		slot->auth_secret = str_dup(creds.cleartext);
	}
	else
		slot->auth = SLOT_AUTH_TRUST;
	pool_slot_publish(slot);
	return greet_client(s, slot);
}

/* A new connection for a client pgpool already authenticated. */
static SessionStatus
new_slot_login(Session *s)
{
	PqMsg		msg;
	SessionStatus st = open_slot(s);

	if (st == SESSION_OK)
		st = first_answer(s, &msg);
	if (st == SESSION_OK)
		st = session_backend_login(s, s->slot, s->node, &creds, &msg);
	if (st == SESSION_OK)
		st = finish_login(s);
	return st;
}

/*
 * An md5 or scram-sha-256 rule for a user without a usable pool_passwd
 * entry: with a single backend its own challenge of the same kind is
 * relayed (pgpool-II's raw mode needs no pool_passwd).
 */
static SessionStatus
attach_deferred(Session *s, int method)
{
	int			want = method == HBA_METHOD_MD5 ? PQ_AUTH_MD5 : PQ_AUTH_SASL;
	PoolSlot   *slot = find_pooled(s);
	PqMsg		msg;
	SessionStatus st;

	if (strategy_uses_several_nodes())
		return session_auth_client(s, method, NULL, &creds);	/* fails: nothing to check with */
	if (slot && want == PQ_AUTH_MD5 && slot->auth == SLOT_AUTH_MD5)
	{
		st = session_auth_client_md5_replay(s, slot, &creds);
		return st == SESSION_OK ? reuse_slot(s, slot) : st;
	}
	st = open_slot(s);
	if (st == SESSION_OK)
		st = first_answer(s, &msg);
	if (st != SESSION_OK)
		return st;
	if (msg.type == PQ_BE_ERROR_RESPONSE ||
		(msg.type == PQ_BE_AUTHENTICATION && msg.len >= 4 && pq_peek_int32(msg.body) == want))
	{
		st = session_relay_auth_from(s, s->slot, s->node, &msg);
		if (st == SESSION_OK)
			pool_slot_publish(s->slot);
		return st;
	}
	/* the backend asks something else: the rule's method cannot be satisfied */
	return session_auth_client(s, method, NULL, &creds);
}

static SessionStatus
attach_with_hba(Session *s)
{
	const HbaRule *rule;
	PoolSlot   *slot;
	int			method;
	SessionStatus st = session_auth_match_hba(s, &rule);

	if (st != SESSION_OK)
		return st;
	creds.hba_line = rule->line;
	method = rule->method;
	if (method == HBA_METHOD_MD5 && creds.entry && creds.entry->type == PASSWD_SCRAM)
		method = HBA_METHOD_SCRAM;
	if ((method == HBA_METHOD_MD5 && !md5_capable(creds.entry)) ||
		(method == HBA_METHOD_SCRAM && !scram_capable(creds.entry)))
		return attach_deferred(s, method);
	st = session_auth_client(s, method, rule->pamservice, &creds);
	if (st != SESSION_OK)
		return st;
	slot = find_pooled(s);
	if (slot && slot_accepts(slot))
		return reuse_slot(s, slot);
	return new_slot_login(s);
}

/* enable_pool_hba off, a new connection: the backend's first request decides. */
static SessionStatus
attach_relay_new(Session *s, bool frontend_done)
{
	PqMsg		msg;
	int			method;
	SessionStatus st = open_slot(s);

	if (st == SESSION_OK)
		st = first_answer(s, &msg);
	if (st != SESSION_OK)
		return st;
	method = msg.type == PQ_BE_AUTHENTICATION && msg.len >= 4 ?
		relay_mode_method(pq_peek_int32(msg.body)) : SESSION_AUTH_RELAY;
	if (!frontend_done && method == SESSION_AUTH_RELAY)
	{
		st = session_relay_auth_from(s, s->slot, s->node, &msg);
		if (st == SESSION_OK)
			pool_slot_publish(s->slot);
		return st;
	}
	if (!frontend_done)
	{
		st = session_auth_client(s, method, NULL, &creds);
		if (st != SESSION_OK)
			return st;
	}
	st = session_backend_login(s, s->slot, s->node, &creds, &msg);
	return st == SESSION_OK ? finish_login(s) : st;
}

static SessionStatus
attach_relay_mode(Session *s)
{
	PoolSlot   *slot = find_pooled(s);
	int			method;
	SessionStatus st;

	if (slot == NULL)
		return attach_relay_new(s, false);
	method = relay_mode_method(session_slot_asked(slot));
	if (method == SESSION_AUTH_RELAY)
	{
		if (slot->auth != SLOT_AUTH_MD5)
			return attach_relay_new(s, false);
		st = session_auth_client_md5_replay(s, slot, &creds);
		return st == SESSION_OK ? reuse_slot(s, slot) : st;
	}
	st = session_auth_client(s, method, NULL, &creds);
	if (st != SESSION_OK)
		return st;
	if (slot_accepts(slot))
		return reuse_slot(s, slot);
	return attach_relay_new(s, true);
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

	session_creds_clear(&creds);
	session_creds_init(&creds, s->startup.user);
	creds_session = s;
	s->pool_key = pool_make_key(&s->startup, &s->pool_key_len);
	s->poolable = pool_config->connection_cache && !is_maintenance_database(db);
	if (pool_config->enable_pool_hba)
		return attach_with_hba(s);
	return attach_relay_mode(s);
}
