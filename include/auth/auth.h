/*
 * auth.h: the authentication files of a running pgpool: pool_hba.conf
 * (when enable_pool_hba is on), pool_passwd, the AES key and the TLS
 * contexts.
 *
 * auth_startup() runs in the parent before it forks anything: any broken
 * file stops pgpool.  auth_reload() runs in every process on SIGHUP: each
 * file that fails to load keeps its previous contents.  What the getters
 * return is process-local and stays valid until the next reload, which
 * children do only between sessions.
 */
#ifndef PGPOOL_AUTH_AUTH_H
#define PGPOOL_AUTH_AUTH_H

#include <stdbool.h>

#include "auth/auth_hba.h"
#include "auth/auth_passwd.h"
#include "config/config.h"

/* Files named on the command line. */
typedef struct AuthFiles
{
	const char *config_file;	/* pgpool.conf (pool_passwd is relative to it) */
	const char *hba_file;		/* -a */
	const char *key_file;		/* -k, NULL for $PGPOOLKEYFILE or ~/.pgpoolkey */
} AuthFiles;

/* Load everything at start; false (after logging why) means pgpool must not start. */
bool		auth_startup(const PoolConfig *cfg, const AuthFiles *files);

/* Re-read the files (each process on reload; errors keep the old contents). */
void		auth_reload(const PoolConfig *cfg);

/* The pool_hba rules (an empty list when enable_pool_hba is off or never loaded). */
const HbaList *auth_hba_rules(void);

/* The pool_passwd entries (possibly empty). */
const PasswdFile *auth_pool_passwd(void);

/* The AES key for AES entries of pool_passwd, or NULL. */
const char *auth_aes_key(void);

#endif
