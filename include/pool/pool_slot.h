/*
 * pool_slot.h: a child's cache of backend connections (connection pool).
 *
 * Each child owns max_pool slots.  A slot holds one connection per backend
 * node the session used, keyed by protocol version, user, database and the
 * startup parameters; plus what a reusing client must be sent again
 * (ParameterStatus messages, BackendKeyData) and how the first client
 * authenticated, so a reusing client can be asked to prove the same.
 * Memory: process-local, owned by the slot until it is closed.
 */
#ifndef PGPOOL_POOL_POOL_SLOT_H
#define PGPOOL_POOL_POOL_SLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "protocol/pq_conn.h"
#include "protocol/pq_message.h"

typedef struct BackendConn
{
	PqConn		conn;
	bool		connected;
	int32_t		pid;			/* from BackendKeyData */
	int32_t		key;
	char		tx_status;		/* this node's last ReadyForQuery status (0: unknown) */
} BackendConn;

/* How the backend authenticated the first client of a slot. */
typedef enum SlotAuth
{
	SLOT_AUTH_TRUST = 0,
	SLOT_AUTH_CLEARTEXT,
	SLOT_AUTH_MD5,
	SLOT_AUTH_OTHER				/* SASL, GSS...: cannot be replayed, never reused */
} SlotAuth;

typedef struct PoolSlot
{
	int			index;
	bool		used;			/* holds backend connections */
	bool		in_use;			/* a client is using it now */
	char	   *key;			/* pool key bytes (see pool_make_key) */
	size_t		key_len;
	char		user[64];
	char		database[64];
	int32_t		protocol;
	int			main_node;		/* node whose pid/key the client was given */
	BackendConn backends[MAX_BACKENDS];
	PqBuf		param_status;	/* ParameterStatus messages, wire format */
	int			auth;			/* SlotAuth */
	char		md5_salt[4];
	char	   *auth_secret;	/* cleartext password or md5 response */
	time_t		create_time;
	time_t		released_at;
	char		tx_status;		/* last ReadyForQuery status */
} PoolSlot;

/* Set up max_pool empty slots (child start). */
void		pool_init(int max_pool);

/*
 * Build the key of a startup packet: protocol, then every name/value pair
 * as sent.  Returns malloc'd bytes; *len is set.
 */
char	   *pool_make_key(const PqStartup *su, size_t *len);

/* An idle slot holding connections for exactly this key, or NULL. */
PoolSlot   *pool_find(const char *key, size_t key_len);

/* A free slot, closing the least recently created one if all are used. */
PoolSlot   *pool_get_free(void);

/* Close every backend connection of the slot and make it free. */
void		pool_close_slot(PoolSlot *slot);

/* Mark an in-use slot idle, kept for the next client with the same key. */
void		pool_release(PoolSlot *slot);

/* Close idle slots released more than life_time seconds ago (0: never). */
void		pool_expire(time_t now, int life_time);

/* Close idle slots holding a connection to a node that is no longer up. */
void		pool_close_detached(void);

/* Close every slot (child exit). */
void		pool_close_all(void);

/* Replace the saved value of a ParameterStatus, or add it. */
void		pool_slot_set_param(PoolSlot *slot, const char *name, const char *value);

/* Mirror the slot's facts into this child's shared-memory process table. */
void		pool_slot_publish(const PoolSlot *slot);

#endif
