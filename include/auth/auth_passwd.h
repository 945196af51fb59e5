/*
 * auth_passwd.h: the pool_passwd file and the AES key.
 *
 * pool_passwd holds one "user:secret" line per database user.  The secret
 * is one of
 *   md5<32 hex digits>          PostgreSQL's md5 hash of password || user
 *   SCRAM-SHA-256$<i>:<salt>$<StoredKey>:<ServerKey>
 *   AES<base64>                 the password encrypted with pg_enc's key
 *   TEXT<password>              the password in clear text
 *   <password>                  likewise, when it has none of the prefixes
 * What an entry can do: clear-text, AES and TEXT entries answer every
 * method; md5 entries check md5 and clear-text passwords and answer md5
 * backends; SCRAM entries check SCRAM and clear-text passwords only.
 *
 * Loaded by the parent at start and by every process on reload; a
 * PasswdFile is process-local.  The update functions serve pg_md5/pg_enc.
 */
#ifndef PGPOOL_AUTH_AUTH_PASSWD_H
#define PGPOOL_AUTH_AUTH_PASSWD_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/auth_scram.h"

typedef enum PasswdType
{
	PASSWD_PLAIN,
	PASSWD_MD5,
	PASSWD_SCRAM,
	PASSWD_AES
} PasswdType;

typedef struct PasswdEntry
{
	char	   *user;
	PasswdType	type;
	char	   *secret;			/* without the TEXT / AES prefix */
} PasswdEntry;

typedef struct PasswdFile
{
	PasswdEntry *entries;
	int			n;
	char	   *path;
} PasswdFile;

/*
 * Read the file.  A missing file is an empty list (true); an unreadable one
 * or a line without ':' logs an error naming file and line and returns
 * false.  Later lines for the same user replace earlier ones.
 */
bool		auth_passwd_load(const char *path, PasswdFile *out);

void		auth_passwd_free(PasswdFile *pf);

/* The entry of user, or NULL. */
const PasswdEntry *auth_passwd_find(const PasswdFile *pf, const char *user);

/* Classify a stored secret and point *body past its prefix. */
PasswdType	auth_passwd_classify(const char *stored, const char **body);

/* "md5", "scram-sha-256", "AES", "text" */
const char *auth_passwd_type_name(PasswdType type);

/* The clear-text password of a PLAIN or AES entry (malloc'd), or NULL. */
char	   *auth_passwd_plaintext(const PasswdEntry *e, const char *aes_key);

/* The 32 hex digits of md5(password || user) from an MD5, PLAIN or AES entry. */
bool		auth_passwd_md5_hex(const PasswdEntry *e, const char *user, const char *aes_key,
								char out[AUTH_MD5_HEX_LEN + 1]);

/*
 * A SCRAM secret for the entry: parsed from a SCRAM entry, or derived from
 * a PLAIN / AES password with a fresh random salt.
 */
bool		auth_passwd_scram_secret(const PasswdEntry *e, const char *aes_key, ScramSecret *out);

/* Does a clear-text password match the entry? (any type) */
bool		auth_passwd_check(const PasswdEntry *e, const char *user, const char *password,
							  const char *aes_key);

/*
 * Add or replace user's line in the file (created with mode 0600 if
 * missing), keeping the other lines.  false with *err (static or log_fmt
 * text) on failure.
 */
bool		auth_passwd_write_entry(const char *path, const char *user, const char *stored,
									const char **err);

/*
 * The pool_passwd path for a configuration: the parameter value, relative
 * to the directory of config_file unless absolute.  NULL when the parameter
 * is empty (pool_passwd disabled).  malloc'd.
 */
char	   *auth_passwd_path(const char *config_file, const char *pool_passwd);

/*
 * The AES key: the first line of key_file, or when that is NULL of
 * $PGPOOLKEYFILE, or of ~/.pgpoolkey.  NULL (and *err) if unreadable or
 * empty.  malloc'd; free with auth_free_secret.
 */
char	   *auth_read_key(const char *key_file, const char **used_path, const char **err);

#endif
