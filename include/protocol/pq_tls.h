/*
 * pq_tls.h: TLS as a PqConn transport (OpenSSL).
 *
 * pq_tls_accept / pq_tls_connect run the handshake on the connection's
 * socket and, on success, switch the PqConn to TLS: every later read and
 * write goes through the SSL object, and pq_conn_close shuts it down.
 * Reads drain all decrypted data into the PqConn buffer, so nothing waits
 * inside OpenSSL where poll(2) on the socket cannot see it.
 * Used by children (clients and backends).  The SSL_CTXs come from
 * auth/auth_tls.h.
 */
#ifndef PGPOOL_PROTOCOL_PQ_TLS_H
#define PGPOOL_PROTOCOL_PQ_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "protocol/pq_conn.h"

/*
 * Server-side handshake within timeout_ms (-1: no limit).  The PqConn's
 * read buffer must be empty.  Returns PQ_IO_OK or an error status with *why
 * (static text) describing it.
 */
int			pq_tls_accept(PqConn *c, SSL_CTX *ctx, int timeout_ms, const char **why);

/* Client-side handshake (towards a backend); sni may be NULL. */
int			pq_tls_connect(PqConn *c, SSL_CTX *ctx, const char *sni, int timeout_ms,
						   const char **why);

/* Is the connection using TLS? */
bool		pq_tls_active(const PqConn *c);

/*
 * The peer certificate's common name if the peer sent a certificate that
 * verified against the configured CAs; malloc'd, NULL otherwise (also when
 * the name holds a NUL byte).
 */
char	   *pq_tls_peer_cn(const PqConn *c);

/*
 * Channel-binding data "tls-server-end-point" (RFC 5929) of our own
 * certificate on a server-side connection: its hash with the certificate's
 * signature digest (SHA-256 for MD5/SHA-1).  malloc'd, NULL if unavailable.
 */
uint8_t    *pq_tls_server_end_point(const PqConn *c, size_t *len);

/* Protocol version and cipher of an active connection, for log lines. */
const char *pq_tls_version(const PqConn *c);
const char *pq_tls_cipher(const PqConn *c);

#endif
