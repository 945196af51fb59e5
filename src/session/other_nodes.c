/*
 * other_nodes.c: connect a new pool slot to the nodes besides the main one.
 *
 * The client authenticated through the main node's own exchange; the other
 * nodes are logged into with what pgpool learned there (a cleartext
 * password, from which md5 answers can be computed).  A node that cannot
 * be reached or refuses is left out of this session and logged.
 */
#include "session/multi.h"

#include "config/config.h"
#include "pool/backend_connect.h"
#include "pool/node_table.h"
#include "utils/log.h"
#include "utils/str.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

/* hex of md5(data) into out (33 bytes) */
static void
md5_hex(const void *data, size_t len, char *out)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	EVP_Digest(data, len, digest, &dlen, EVP_md5(), NULL);
	for (unsigned i = 0; i < 16; i++)
		sprintf(out + i * 2, "%02x", digest[i]);
	out[32] = '\0';
}

/* PostgreSQL's md5 answer: "md5" + md5hex(md5hex(password || user) || salt). */
static void
md5_response(const char *password, const char *user, const char *salt, char *out)
{
	char		inner[33];
	char		buf[1024];
	size_t		plen = strlen(password), ulen = strlen(user);

	if (plen + ulen >= sizeof(buf))
		plen = sizeof(buf) - ulen - 1;
	memcpy(buf, password, plen);
	memcpy(buf + plen, user, ulen);
	md5_hex(buf, plen + ulen, inner);
	memcpy(buf, inner, 32);
	memcpy(buf + 32, salt, 4);
	memcpy(out, "md5", 3);
	md5_hex(buf, 36, out + 3);
}

/* Answer one authentication request with what the slot knows; false if it cannot. */
static bool
answer_auth(Session *s, PqConn *b, int32_t code, PqReader *r, const char **why)
{
	const char *password = s->slot->auth == SLOT_AUTH_CLEARTEXT ? s->slot->auth_secret : NULL;

	if (code == PQ_AUTH_OK)
		return true;
	if (password && code == PQ_AUTH_CLEARTEXT)
	{
		pq_put_password(&b->wbuf, password);
		return true;
	}
	if (password && code == PQ_AUTH_MD5)
	{
		const char *salt = pq_get_bytes(r, 4);
		char		resp[36];

		if (salt == NULL)
			return false;
		md5_response(password, s->startup.user, salt, resp);
		pq_put_password(&b->wbuf, resp);
		return true;
	}
	*why = "no credentials to answer its authentication request with (put the user in pool_passwd)";
	return false;
}

static bool
login_node(Session *s, int n, const char **why)
{
	BackendConn *bc = &s->slot->backends[n];
	PqConn	   *b = &bc->conn;

	pqbuf_put_int32(&b->wbuf, (int32_t) s->startup_len + 4);
	pqbuf_put_bytes(&b->wbuf, s->startup_packet, s->startup_len);
	for (;;)
	{
		PqMsg		msg;
		PqReader	r;
		int			rc = pq_conn_flush(b, session_auth_remaining());

		if (rc == PQ_IO_OK)
			rc = pq_conn_read_message(b, &msg, PQ_MAX_MESSAGE_LENGTH, session_auth_remaining());
		if (rc != PQ_IO_OK)
		{
			*why = pq_io_status_text(rc);
			return false;
		}
		pq_reader_init(&r, msg.body, msg.len);
		switch (msg.type)
		{
			case PQ_BE_AUTHENTICATION:
				if (!answer_auth(s, b, pq_get_int32(&r), &r, why))
					return false;
				break;
			case PQ_BE_BACKEND_KEY_DATA:
				bc->pid = pq_get_int32(&r);
				bc->key = pq_get_int32(&r);
				break;
			case PQ_BE_ERROR_RESPONSE:
				{
					PqErrorFields f;

					*why = pq_parse_error(msg.body, msg.len, &f) && f.message ?
						log_fmt("%s", f.message) : "authentication failed";
					return false;
				}
			case PQ_BE_READY_FOR_QUERY:
				bc->connected = true;
				b->interrupt = &session_interrupt;
				return true;
			default:
				break;			/* ParameterStatus, notices: the client got the main node's */
		}
	}
}

SessionStatus
session_connect_other_nodes(Session *s)
{
	PoolSlot   *slot = s->slot;

	for (int n = 0; n < node_table->num_backends; n++)
	{
		BackendNode *node = &node_table->nodes[n];
		const char *why = NULL;
		int			fd;

		if (n == slot->main_node || !node_is_up(n) || slot->backends[n].connected)
			continue;
		fd = backend_connect(node->hostname, node->port, pool_config->connect_timeout, &why);
		if (fd >= 0)
		{
			pq_conn_init(&slot->backends[n].conn, fd);
			if (login_node(s, n, &why))
				continue;
			pq_conn_close(&slot->backends[n].conn);
			slot->backends[n].conn.fd = -1;
		}
		plog_ex(PL_LOG, log_fmt("node %d (%s:%d): %s", n, node->hostname, node->port, why), NULL,
				"session of user \"%s\" continues without backend node %d", s->startup.user, n);
	}
	return SESSION_OK;
}
