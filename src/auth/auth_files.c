/*
 * auth_files.c: loading and reloading the authentication files (pool_hba,
 * pool_passwd, the AES key) and the TLS contexts, and handing them to the
 * session code.  The parent loads them before forking; every process
 * reloads them on SIGHUP, keeping what it had for a file that fails.
 */
#include "auth/auth.h"

#include "auth/auth_tls.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

static AuthFiles files;
static HbaList hba_rules;
static PasswdFile pool_passwd;
static char *aes_key;

static void
remember_files(const AuthFiles *f)
{
	files.config_file = f->config_file ? str_dup(f->config_file) : NULL;
	files.hba_file = f->hba_file ? str_dup(f->hba_file) : NULL;
	files.key_file = f->key_file ? str_dup(f->key_file) : NULL;
}

/* Load pool_hba.conf into hba_rules if enable_pool_hba; false keeps the old rules. */
static bool
load_hba(const PoolConfig *cfg)
{
	HbaList		fresh;

	if (!cfg->enable_pool_hba)
	{
		auth_hba_free(&hba_rules);
		return true;
	}
	if (!auth_hba_load(files.hba_file, &fresh))
		return false;
	auth_hba_free(&hba_rules);
	hba_rules = fresh;
	return true;
}

static bool
load_passwd(const PoolConfig *cfg)
{
	char	   *path = auth_passwd_path(files.config_file, cfg->pool_passwd);
	PasswdFile	fresh;
	bool		has_aes = false;

	if (path == NULL)
	{
		auth_passwd_free(&pool_passwd);
		return true;
	}
	if (!auth_passwd_load(path, &fresh))
	{
		free(path);
		return false;
	}
	free(path);
	auth_passwd_free(&pool_passwd);
	pool_passwd = fresh;
	for (int i = 0; i < pool_passwd.n; i++)
		has_aes |= pool_passwd.entries[i].type == PASSWD_AES;
	if (has_aes)
	{
		const char *used = NULL, *err = NULL;
		char	   *key = auth_read_key(files.key_file, &used, &err);

		if (key == NULL)
			plog_ex(PL_WARNING, "AES-encrypted passwords of pool_passwd cannot be used.",
					"Give the key file with -k, $PGPOOLKEYFILE or ~/.pgpoolkey.",
					"could not read the pool key file \"%s\": %s", used, err);
		else
		{
			auth_free_secret(aes_key);
			aes_key = key;
		}
	}
	return true;
}

bool
auth_startup(const PoolConfig *cfg, const AuthFiles *f)
{
	remember_files(f);
	if (!load_hba(cfg))
	{
		plog(PL_FATAL, "could not load pool_hba.conf file \"%s\"", files.hba_file);
		return false;
	}
	if (!load_passwd(cfg))
	{
		plog(PL_FATAL, "could not load pool_passwd file");
		return false;
	}
	/* a failed SSL set-up is a WARNING: pgpool runs without client SSL */
	auth_tls_configure(cfg, files.config_file, true);
	return true;
}

void
auth_reload(const PoolConfig *cfg)
{
	if (files.config_file == NULL)
		return;					/* never started: nothing to reload */
	if (!load_hba(cfg))
		plog(PL_LOG, "pool_hba.conf file \"%s\" was not reloaded", files.hba_file);
	if (!load_passwd(cfg))
		plog(PL_LOG, "pool_passwd file was not reloaded");
	if (!auth_tls_configure(cfg, files.config_file, false))
		plog(PL_LOG, "SSL configuration was not reloaded");
}

const HbaList *
auth_hba_rules(void)
{
	return &hba_rules;
}

const PasswdFile *
auth_pool_passwd(void)
{
	return &pool_passwd;
}

const char *
auth_aes_key(void)
{
	return aes_key;
}
