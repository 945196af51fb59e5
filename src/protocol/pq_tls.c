/*
 * pq_tls.c: the TLS transport of PqConn.  Non-blocking OpenSSL calls on the
 * connection's socket; WANT_READ / WANT_WRITE become EAGAIN so pq_conn.c
 * waits with poll(2) as for a plain socket.  Used by children for client
 * connections (server side) and backend connections (client side).
 */
#include "protocol/pq_tls.h"
#include "utils/clock.h"

#include "utils/str.h"

#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Map an SSL result to the errno convention of PqTransport; 0 means EOF. */
static ssize_t
tls_result(SSL *ssl, int n)
{
	switch (SSL_get_error(ssl, n))
	{
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			errno = EAGAIN;
			return -1;
		case SSL_ERROR_ZERO_RETURN:
			return 0;
		case SSL_ERROR_SYSCALL:
			if (errno == 0)
				return 0;		/* EOF without close_notify */
			return -1;
		default:
			ERR_clear_error();
			errno = ECONNRESET;
			return -1;
	}
}

/*
 * Read what is available.  When the caller reads into its PqConn buffer,
 * any decrypted bytes OpenSSL still holds are appended too (growing the
 * buffer), so poll(2) on the socket never misses buffered data.
 */
static ssize_t
tls_recv(PqConn *c, void *buf, size_t len)
{
	SSL		   *ssl = c->transport_state;
	bool		into_rbuf = (char *) buf == c->rbuf + c->rlen;
	size_t		total;
	int			n;

	ERR_clear_error();
	errno = 0;
	n = SSL_read(ssl, buf, len > INT_MAX ? INT_MAX : (int) len);
	if (n <= 0)
		return tls_result(ssl, n);
	total = (size_t) n;
	while (into_rbuf && SSL_pending(ssl) > 0)
	{
		size_t		want = (size_t) SSL_pending(ssl);
		size_t		end = c->rlen + total;

		if (c->rcap - end < want)
		{
			c->rcap = end + want;
			c->rbuf = mem_realloc(c->rbuf, c->rcap);
		}
		n = SSL_read(ssl, c->rbuf + end, (int) want);
		if (n <= 0)
			break;
		total += (size_t) n;
	}
	return (ssize_t) total;
}

static ssize_t
tls_send(PqConn *c, const void *buf, size_t len)
{
	SSL		   *ssl = c->transport_state;
	int			n;

	ERR_clear_error();
	errno = 0;
	n = SSL_write(ssl, buf, len > INT_MAX ? INT_MAX : (int) len);
	if (n > 0)
		return n;
	return tls_result(ssl, n);
}

static void
tls_close(PqConn *c)
{
	SSL		   *ssl = c->transport_state;

	if (ssl == NULL)
		return;
	/* one non-blocking attempt at close_notify; the socket closes anyway */
	ERR_clear_error();
	(void) SSL_shutdown(ssl);
	ERR_clear_error();
	SSL_free(ssl);
	c->transport_state = NULL;
}

static const PqTransport tls_transport = {tls_recv, tls_send, tls_close};

/* Drive SSL_accept / SSL_connect to the end, waiting on the socket. */
static int
handshake(PqConn *c, SSL *ssl, bool server, int timeout_ms, const char **why)
{
	int64_t		deadline = timeout_ms >= 0 ? clock_monotonic_ms() + timeout_ms : -1;

	for (;;)
	{
		int			rc, err, left;

		ERR_clear_error();
		errno = 0;
		rc = server ? SSL_accept(ssl) : SSL_connect(ssl);
		if (rc == 1)
			return PQ_IO_OK;
		err = SSL_get_error(ssl, rc);
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
		{
			unsigned long e = ERR_get_error();

			if (e != 0)
				*why = ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "SSL error";
			else if (err == SSL_ERROR_SYSCALL && errno != 0)
				*why = strerror(errno);
			else
				*why = "the peer closed the connection during the handshake";
			/* a certificate that failed verification says why (revoked, unknown CA...) */
			if (SSL_get_verify_result(ssl) != X509_V_OK)
				*why = X509_verify_cert_error_string(SSL_get_verify_result(ssl));
			ERR_clear_error();
			return PQ_IO_ERROR;
		}
		left = deadline < 0 ? -1 : (int) (deadline - clock_monotonic_ms() > 0 ? deadline - clock_monotonic_ms() : 0);
		rc = pq_conn_wait(c, err == SSL_ERROR_WANT_WRITE, left);
		if (rc != PQ_IO_OK)
		{
			*why = rc == PQ_IO_TIMEOUT ? "timeout during the SSL handshake" : "interrupted";
			return rc;
		}
	}
}

static int
start_tls(PqConn *c, SSL_CTX *ctx, bool server, const char *sni, int timeout_ms,
		  const char **why)
{
	SSL		   *ssl;
	int			rc;

	if (pq_conn_buffered(c) > 0)
	{
		*why = "unencrypted data after the SSL request";
		return PQ_IO_ERROR;
	}
	ssl = SSL_new(ctx);
	if (ssl == NULL || !SSL_set_fd(ssl, c->fd))
	{
		*why = "could not create the SSL object";
		SSL_free(ssl);
		return PQ_IO_ERROR;
	}
	if (sni && sni[0] && sni[0] != '/')
		(void) SSL_set_tlsext_host_name(ssl, sni);
	rc = handshake(c, ssl, server, timeout_ms, why);
	if (rc != PQ_IO_OK)
	{
		SSL_free(ssl);
		return rc;
	}
	c->transport = &tls_transport;
	c->transport_state = ssl;
	return PQ_IO_OK;
}

int
pq_tls_accept(PqConn *c, SSL_CTX *ctx, int timeout_ms, const char **why)
{
	return start_tls(c, ctx, true, NULL, timeout_ms, why);
}

int
pq_tls_connect(PqConn *c, SSL_CTX *ctx, const char *sni, int timeout_ms, const char **why)
{
	return start_tls(c, ctx, false, sni, timeout_ms, why);
}

bool
pq_tls_active(const PqConn *c)
{
	return c->transport == &tls_transport && c->transport_state != NULL;
}

char *
pq_tls_peer_cn(const PqConn *c)
{
	SSL		   *ssl;
	X509	   *cert;
	X509_NAME_ENTRY *entry;
	const ASN1_STRING *data;
	char	   *cn = NULL;
	int			idx;

	if (!pq_tls_active(c))
		return NULL;
	ssl = c->transport_state;
	cert = SSL_get1_peer_certificate(ssl);
	if (cert == NULL)
		return NULL;
	idx = SSL_get_verify_result(ssl) == X509_V_OK ?
		X509_NAME_get_index_by_NID(X509_get_subject_name(cert), NID_commonName, -1) : -1;
	entry = idx >= 0 ? X509_NAME_get_entry(X509_get_subject_name(cert), idx) : NULL;
	data = entry ? X509_NAME_ENTRY_get_data(entry) : NULL;
	if (data && ASN1_STRING_length(data) > 0)
	{
		int			len = ASN1_STRING_length(data);
		const unsigned char *p = ASN1_STRING_get0_data(data);

		/* a NUL inside the name could fool a string comparison */
		if (memchr(p, '\0', (size_t) len) == NULL)
		{
			cn = mem_alloc((size_t) len + 1);
			memcpy(cn, p, (size_t) len);
			cn[len] = '\0';
		}
	}
	X509_free(cert);
	return cn;
}

uint8_t *
pq_tls_server_end_point(const PqConn *c, size_t *len)
{
	X509	   *cert;
	const EVP_MD *md;
	int			algo = NID_undef;
	unsigned char buf[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	uint8_t    *out;

	if (!pq_tls_active(c))
		return NULL;
	cert = SSL_get_certificate(c->transport_state);
	if (cert == NULL || !OBJ_find_sigid_algs(X509_get_signature_nid(cert), &algo, NULL))
		return NULL;
	/* RFC 5929: MD5 and SHA-1 certificates are hashed with SHA-256 */
	md = (algo == NID_md5 || algo == NID_sha1) ? EVP_sha256() : EVP_get_digestbynid(algo);
	if (md == NULL || !X509_digest(cert, md, buf, &n))
		return NULL;
	out = mem_alloc(n);
	memcpy(out, buf, n);
	*len = n;
	return out;
}

const char *
pq_tls_version(const PqConn *c)
{
	return pq_tls_active(c) ? SSL_get_version(c->transport_state) : "none";
}

const char *
pq_tls_cipher(const PqConn *c)
{
	return pq_tls_active(c) ? SSL_get_cipher(c->transport_state) : "none";
}
