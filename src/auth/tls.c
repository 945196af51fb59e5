/*
 * tls.c: building OpenSSL contexts from the ssl* parameters: the server
 * context for clients (certificate, key, ciphers, curves, DH parameters,
 * client-certificate CAs and CRL) and the client context for backends.
 *
 * The parent builds them at start; as in pgpool-II 4.3 a set-up that fails
 * there is a WARNING naming the file and pgpool runs without SSL for
 * clients (the backend context is kept if it could be built).  Children
 * inherit them and rebuild on reload (keeping the old ones if the new files
 * are broken).  Relative ssl_cert, ssl_key, ssl_ca_cert and ssl_crl_file
 * are read from the directory of pgpool.conf.
 */
#include "auth/auth_tls.h"
#include "auth/auth_passwd.h"

#include "utils/log.h"
#include "utils/str.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static SSL_CTX *server_ctx;
static SSL_CTX *backend_ctx;

/* The files, relative names resolved against pgpool.conf's directory. */
typedef struct TlsFiles
{
	char	   *cert;
	char	   *key;
	char	   *ca;
	char	   *crl;
} TlsFiles;

/* Set by passphrase_cb when the key wants a passphrase nobody can give. */
static bool passphrase_missing;

/* The most specific reason OpenSSL queued (the last one that has a text). */
static const char *
ssl_error_text(void)
{
	const char *r = NULL;
	unsigned long e;

	while ((e = ERR_get_error()) != 0)
		if (ERR_reason_error_string(e))
			r = ERR_reason_error_string(e);
	return r ? r : "no SSL error reported";
}

/* A file OpenSSL is about to read: say plainly if it cannot be opened. */
static bool
readable(const char *what, const char *path)
{
	if (access(path, R_OK) == 0)
		return true;
	plog(PL_ERROR, "could not load %s \"%s\": %s", what, path, strerror(errno));
	return false;
}

/* ssl_passphrase_command with %p (the prompt) and %% replaced. */
static void
expand_passphrase_command(const char *cmd, char *out, size_t cap)
{
	size_t		o = 0;

	for (const char *c = cmd; *c && o + 1 < cap; c++)
	{
		if (c[0] == '%' && c[1] == 'p')
		{
			o += (size_t) snprintf(out + o, cap - o, "%s", "Enter PEM pass phrase:");
			c++;
		}
		else if (c[0] == '%' && c[1] == '%')
			out[o++] = *++c;
		else
			out[o++] = *c;
		if (o >= cap)
			o = cap - 1;
	}
	out[o] = '\0';
}

/*
 * ssl_passphrase_command: the first line it prints is the key's
 * passphrase.  Without a command nothing is asked (OpenSSL's default would
 * prompt on a terminal pgpool does not have): the key fails to load.
 */
static int
passphrase_cb(char *buf, int size, int rwflag, void *userdata)
{
	const char *cmd = userdata;
	char		expanded[2048];
	FILE	   *p;
	size_t		len;

	(void) rwflag;
	if (size <= 0)
		return 0;
	if (cmd == NULL || cmd[0] == '\0')
	{
		passphrase_missing = true;
		buf[0] = '\0';
		return 0;
	}
	expand_passphrase_command(cmd, expanded, sizeof(expanded));
	p = popen(expanded, "r");
	if (p == NULL)
		return 0;
	if (fgets(buf, size, p) == NULL)
		buf[0] = '\0';
	if (pclose(p) != 0)
	{
		plog(PL_ERROR, "command \"%s\" (ssl_passphrase_command) failed", expanded);
		buf[0] = '\0';
		return 0;
	}
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return (int) len;
}

static void
tls_files_resolve(TlsFiles *f, const PoolConfig *cfg, const char *config_file)
{
	f->cert = auth_passwd_path(config_file, cfg->ssl_cert);
	f->key = auth_passwd_path(config_file, cfg->ssl_key);
	f->ca = auth_passwd_path(config_file, cfg->ssl_ca_cert);
	f->crl = auth_passwd_path(config_file, cfg->ssl_crl_file);
}

static void
tls_files_free(TlsFiles *f)
{
	free(f->cert);
	free(f->key);
	free(f->ca);
	free(f->crl);
}

/* Settings both contexts share. */
static SSL_CTX *
new_ctx(const SSL_METHOD *method, const PoolConfig *cfg)
{
	SSL_CTX    *ctx = SSL_CTX_new(method);

	if (ctx == NULL)
	{
		plog(PL_ERROR, "could not create SSL context: %s", ssl_error_text());
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
						| SSL_OP_IGNORE_UNEXPECTED_EOF
#endif
		);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (cfg->ssl_ciphers && cfg->ssl_ciphers[0] &&
		SSL_CTX_set_cipher_list(ctx, cfg->ssl_ciphers) != 1)
	{
		plog_ex(PL_ERROR, log_fmt("ssl_ciphers = '%s'", cfg->ssl_ciphers), NULL,
				"could not set the cipher list (no valid ciphers available)");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* CA file / directory for verifying the peer. */
static bool
load_cas(SSL_CTX *ctx, const PoolConfig *cfg, const TlsFiles *f)
{
	const char *file = f->ca;
	const char *dir = cfg->ssl_ca_cert_dir && cfg->ssl_ca_cert_dir[0] ? cfg->ssl_ca_cert_dir : NULL;

	if (file && !readable("root certificate file", file))
		return false;
	if (SSL_CTX_load_verify_locations(ctx, file, dir) != 1)
	{
		plog(PL_ERROR, "could not load root certificate %s \"%s\": %s",
			 file ? "file" : "directory", file ? file : dir, ssl_error_text());
		return false;
	}
	return true;
}

static bool
load_crl(SSL_CTX *ctx, const char *path)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	X509_LOOKUP *lookup = store ? X509_STORE_add_lookup(store, X509_LOOKUP_file()) : NULL;

	if (!readable("SSL certificate revocation list file", path))
		return false;
	if (lookup == NULL || X509_load_crl_file(lookup, path, X509_FILETYPE_PEM) <= 0)
	{
		plog(PL_ERROR, "could not load SSL certificate revocation list file \"%s\": %s", path,
			 ssl_error_text());
		return false;
	}
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	return true;
}

static bool
load_dh(SSL_CTX *ctx, const char *path)
{
	BIO		   *bio;
	EVP_PKEY   *dh;

	if (path == NULL || path[0] == '\0')
	{
		SSL_CTX_set_dh_auto(ctx, 1);
		return true;
	}
	if (!readable("DH parameters file", path))
		return false;
	bio = BIO_new_file(path, "r");
	dh = bio ? PEM_read_bio_Parameters(bio, NULL) : NULL;
	BIO_free(bio);
	if (dh == NULL || SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1)
	{
		plog(PL_ERROR, "could not load DH parameters file \"%s\": %s", path, ssl_error_text());
		EVP_PKEY_free(dh);
		return false;
	}
	return true;
}

/* The private key; one that wants a passphrase nobody gives is said so. */
static bool
load_key(SSL_CTX *ctx, const char *key)
{
	passphrase_missing = false;
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1)
		return true;
	if (passphrase_missing)
	{
		ERR_clear_error();
		plog_ex(PL_WARNING, NULL, "Set ssl_passphrase_command to a command that prints the passphrase.",
				"private key file \"%s\" cannot be reloaded because it requires a passphrase", key);
	}
	else
		plog(PL_ERROR, "could not load private key file \"%s\": %s", key, ssl_error_text());
	return false;
}

/* Certificate, key and their match. */
static bool
load_identity(SSL_CTX *ctx, const PoolConfig *cfg, const TlsFiles *f)
{
	SSL_CTX_set_default_passwd_cb(ctx, passphrase_cb);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, cfg->ssl_passphrase_command);
	if (!readable("server certificate file", f->cert) || !readable("private key file", f->key))
		return false;
	if (SSL_CTX_use_certificate_chain_file(ctx, f->cert) != 1)
	{
		plog(PL_ERROR, "could not load server certificate file \"%s\": %s", f->cert,
			 ssl_error_text());
		return false;
	}
	if (!load_key(ctx, f->key))
		return false;
	if (SSL_CTX_check_private_key(ctx) != 1)
	{
		plog_ex(PL_ERROR, log_fmt("certificate \"%s\", key \"%s\"", f->cert, f->key), NULL,
				"check of private key failed: %s", ssl_error_text());
		return false;
	}
	return true;
}

static bool
has(const char *s)
{
	return s && s[0];
}

/* The context for clients; *out stays NULL when clients get no SSL. */
static bool
build_server(const PoolConfig *cfg, const TlsFiles *f, SSL_CTX **out)
{
	SSL_CTX    *ctx;
	bool		ok;

	*out = NULL;
	if (!has(cfg->ssl_cert) && !has(cfg->ssl_key))
	{
		plog(PL_LOG, "SSL is on but ssl_cert and ssl_key are not set: clients cannot use SSL");
		return true;
	}
	if (!has(cfg->ssl_cert) || !has(cfg->ssl_key))
	{
		plog(PL_ERROR, "%s is set but %s is not: both are needed for SSL connections from clients",
			 has(cfg->ssl_cert) ? "ssl_cert" : "ssl_key", has(cfg->ssl_cert) ? "ssl_key" : "ssl_cert");
		return false;
	}
	ctx = new_ctx(TLS_server_method(), cfg);
	if (ctx == NULL)
		return false;
	if (cfg->ssl_prefer_server_ciphers)
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_num_tickets(ctx, 0);
	ok = load_identity(ctx, cfg, f) && load_dh(ctx, cfg->ssl_dh_params_file);
	if (ok && has(cfg->ssl_ecdh_curve) && SSL_CTX_set1_groups_list(ctx, cfg->ssl_ecdh_curve) != 1)
	{
		plog(PL_ERROR, "ECDH: unrecognized curve name: %s", cfg->ssl_ecdh_curve);
		ok = false;
	}
	if (ok && (has(cfg->ssl_ca_cert) || has(cfg->ssl_ca_cert_dir)))
	{
		ok = load_cas(ctx, cfg, f);
		if (ok && f->ca)
			SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(f->ca));
		/* ask for a certificate, verify one if sent; cert auth checks presence */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, NULL);
	}
	if (ok && f->crl)
		ok = load_crl(ctx, f->crl);
	if (!ok)
	{
		SSL_CTX_free(ctx);
		return false;
	}
	*out = ctx;
	return true;
}

static bool
build_backend(const PoolConfig *cfg, const TlsFiles *f, SSL_CTX **out)
{
	SSL_CTX    *ctx = new_ctx(TLS_client_method(), cfg);

	*out = NULL;
	if (ctx == NULL)
		return false;
	if (has(cfg->ssl_ca_cert) || has(cfg->ssl_ca_cert_dir))
	{
		if (!load_cas(ctx, cfg, f))
		{
			SSL_CTX_free(ctx);
			return false;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	*out = ctx;
	return true;
}

bool
auth_tls_configure(const PoolConfig *cfg, const char *config_file, bool at_start)
{
	SSL_CTX    *srv = NULL, *be = NULL;
	TlsFiles	f;
	bool		srv_ok, be_ok;

	if (!cfg->ssl)
	{
		auth_tls_shutdown();
		return true;
	}
	tls_files_resolve(&f, cfg, config_file);
	srv_ok = build_server(cfg, &f, &srv);
	be_ok = build_backend(cfg, &f, &be);
	tls_files_free(&f);
	if (!at_start && !(srv_ok && be_ok))
	{
		/* a reload keeps what works until the files are fixed */
		SSL_CTX_free(srv);
		SSL_CTX_free(be);
		return false;
	}
	auth_tls_shutdown();
	server_ctx = srv;
	backend_ctx = be;
	if (!srv_ok)
		plog_ex(PL_WARNING, NULL, "Fix the ssl_* parameters and restart pgpool.",
				"SSL set-up failed: clients cannot use SSL connections");
	if (!be_ok)
		plog(PL_WARNING, "SSL set-up for backend connections failed: pgpool connects to the backends without SSL");
	return srv_ok && be_ok;
}

SSL_CTX *
auth_tls_server_ctx(void)
{
	return server_ctx;
}

SSL_CTX *
auth_tls_backend_ctx(void)
{
	return backend_ctx;
}

void
auth_tls_shutdown(void)
{
	/* SSL objects hold their own references: freeing the context is safe */
	SSL_CTX_free(server_ctx);
	SSL_CTX_free(backend_ctx);
	server_ctx = backend_ctx = NULL;
}
