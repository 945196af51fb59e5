/*
 * auth_tls.h: the TLS contexts built from the ssl* parameters.
 *
 * The server context answers clients' SSLRequest (ssl = on with ssl_cert
 * and ssl_key); with ssl_ca_cert / ssl_ca_cert_dir it asks clients for a
 * certificate and verifies it (cert authentication), with ssl_crl_file it
 * also checks revocation.  The backend context is used when ssl = on to
 * talk TLS to every backend that accepts it, verifying the backend's
 * certificate chain when ssl_ca_cert / ssl_ca_cert_dir is set.
 *
 * Built by the parent at start (children inherit them) and rebuilt by
 * every process on reload; a broken reload keeps the working contexts.
 */
#ifndef PGPOOL_AUTH_AUTH_TLS_H
#define PGPOOL_AUTH_AUTH_TLS_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include "config/config.h"

/*
 * Build both contexts from cfg; relative file names are resolved against
 * the directory of config_file.  Every problem (unreadable or mismatched
 * key and certificate, a key that needs a passphrase, bad CA or CRL file,
 * no usable cipher) is logged with the file named and false returned.  On
 * reload the previous contexts stay in place then; at start (at_start)
 * what failed is left out with a WARNING: pgpool runs without SSL for
 * clients (pgpool-II 4.3's behaviour).
 */
bool		auth_tls_configure(const PoolConfig *cfg, const char *config_file, bool at_start);

/* The context for client connections, or NULL when clients cannot use SSL. */
SSL_CTX    *auth_tls_server_ctx(void);

/* The context for backend connections, or NULL when ssl = off. */
SSL_CTX    *auth_tls_backend_ctx(void);

/* Free both contexts. */
void		auth_tls_shutdown(void);

#endif
