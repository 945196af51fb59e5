/*
 * pool_slot.c: the connection pool of one child process.
 *
 * Slots are plain process-local memory; their public facts (user, database,
 * backend pids and cancel keys) are mirrored to the process table in shared
 * memory for SHOW pool_pools, pcp_proc_info and cancel routing.
 */
#include "pool/pool_slot.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

static PoolSlot *slots;
static int	num_slots;

void
pool_init(int max_pool)
{
	num_slots = max_pool;
	slots = mem_alloc0(sizeof(PoolSlot) * max_pool);
	for (int i = 0; i < max_pool; i++)
	{
		slots[i].index = i;
		pqbuf_init(&slots[i].param_status);
		for (int n = 0; n < MAX_BACKENDS; n++)
			slots[i].backends[n].conn.fd = -1;
	}
}

char *
pool_make_key(const PqStartup *su, size_t *len)
{
	PqBuf		b;

	pqbuf_init(&b);
	pqbuf_put_int32(&b, su->code);
	for (int i = 0; i < su->nparams; i++)
	{
		pqbuf_put_string(&b, su->names[i]);
		pqbuf_put_string(&b, su->values[i]);
	}
	*len = b.len;
	return b.data;
}

PoolSlot *
pool_find(const char *key, size_t key_len)
{
	for (int i = 0; i < num_slots; i++)
	{
		PoolSlot   *s = &slots[i];

		if (s->used && !s->in_use && s->key_len == key_len &&
			memcmp(s->key, key, key_len) == 0)
			return s;
	}
	return NULL;
}

PoolSlot *
pool_get_free(void)
{
	PoolSlot   *oldest = NULL;

	for (int i = 0; i < num_slots; i++)
	{
		PoolSlot   *s = &slots[i];

		if (!s->used)
			return s;
		if (!s->in_use && (oldest == NULL || s->create_time < oldest->create_time))
			oldest = s;
	}
	if (oldest)
	{
		plog(PL_DEBUG1, "closing the oldest pooled connection (user \"%s\" database \"%s\") to make room",
			 oldest->user, oldest->database);
		pool_close_slot(oldest);
	}
	return oldest;
}

void
pool_close_slot(PoolSlot *slot)
{
	for (int n = 0; n < MAX_BACKENDS; n++)
	{
		BackendConn *b = &slot->backends[n];

		if (b->conn.fd >= 0)
		{
			if (b->connected)
			{
				/* polite goodbye so the backend does not log an unexpected EOF */
				static const char terminate[] = {'X', 0, 0, 0, 4};

				(void) pq_conn_send(&b->conn, terminate, sizeof(terminate), 100);
			}
			pq_conn_close(&b->conn);
		}
		b->conn.fd = -1;
		b->connected = false;
		b->pid = b->key = 0;
		b->tx_status = 0;
	}
	free(slot->key);
	slot->key = NULL;
	slot->key_len = 0;
	free(slot->auth_secret);
	slot->auth_secret = NULL;
	pqbuf_reset(&slot->param_status);
	slot->used = false;
	slot->in_use = false;
	slot->user[0] = slot->database[0] = '\0';
	pool_slot_publish(slot);
}

void
pool_release(PoolSlot *slot)
{
	slot->in_use = false;
	slot->released_at = time(NULL);
	pool_slot_publish(slot);
}

void
pool_expire(time_t now, int life_time)
{
	if (life_time <= 0)
		return;
	for (int i = 0; i < num_slots; i++)
	{
		PoolSlot   *s = &slots[i];

		if (s->used && !s->in_use && now - s->released_at >= life_time)
		{
			plog(PL_DEBUG1, "closing pooled connection of user \"%s\" database \"%s\": connection_life_time reached",
				 s->user, s->database);
			pool_close_slot(s);
		}
	}
}

void
pool_close_detached(void)
{
	for (int i = 0; i < num_slots; i++)
	{
		PoolSlot   *s = &slots[i];

		if (!s->used || s->in_use)
			continue;
		for (int n = 0; n < node_table->num_backends; n++)
			if (s->backends[n].connected && !node_is_up(n))
			{
				pool_close_slot(s);
				break;
			}
	}
}

void
pool_close_all(void)
{
	for (int i = 0; i < num_slots; i++)
		if (slots[i].used)
			pool_close_slot(&slots[i]);
}

/* Iterate ParameterStatus messages in the saved buffer; returns offset of name's message or -1. */
static long
find_param(const PoolSlot *slot, const char *name)
{
	size_t		pos = 0;
	const PqBuf *b = &slot->param_status;

	while (pos + 5 <= b->len)
	{
		int32_t		len = pq_peek_int32(b->data + pos + 1);

		if (strcmp(b->data + pos + 5, name) == 0)
			return (long) pos;
		pos += (size_t) len + 1;
	}
	return -1;
}

void
pool_slot_set_param(PoolSlot *slot, const char *name, const char *value)
{
	long		at = find_param(slot, name);
	size_t		start;

	if (at >= 0)
	{
		PqBuf	   *b = &slot->param_status;
		size_t		mlen = (size_t) pq_peek_int32(b->data + at + 1) + 1;

		memmove(b->data + at, b->data + at + mlen, b->len - at - mlen);
		b->len -= mlen;
	}
	start = pq_begin_message(&slot->param_status, PQ_BE_PARAMETER_STATUS);
	pqbuf_put_string(&slot->param_status, name);
	pqbuf_put_string(&slot->param_status, value);
	pq_end_message(&slot->param_status, start);
}

void
pool_slot_publish(const PoolSlot *slot)
{
	ProcSlot   *ps;

	if (proc_table == NULL || my_child_index < 0)
		return;
	ps = proc_slot(my_child_index, slot->index);
	str_copy(ps->database, slot->database, sizeof(ps->database));
	str_copy(ps->user, slot->user, sizeof(ps->user));
	ps->major = PQ_PROTOCOL_MAJOR(slot->protocol);
	ps->minor = PQ_PROTOCOL_MINOR(slot->protocol);
	ps->create_time = slot->used ? slot->create_time : 0;
	/* times handed to a client: 1 for a fresh connection, reuse adds one */
	if (!slot->used)
		ps->counter = 0;
	else if (ps->counter == 0)
		ps->counter = 1;
	ps->in_use = slot->in_use;
	for (int n = 0; n < MAX_BACKENDS; n++)
	{
		const BackendConn *b = &slot->backends[n];

		ps->nodes[n].connected = slot->used && b->connected;
		ps->nodes[n].backend_pid = b->pid;
		ps->nodes[n].cancel_key = b->key;
	}
}
