/*
 * passwd.c: reading pool_passwd and using its entries (md5 hashes, SCRAM
 * secrets, AES-encrypted and clear-text passwords); writing entries for
 * the pg_md5 and pg_enc tools; the AES key file.
 *
 * Read in the parent at start and in every process on reload; the entries
 * are process-local.  Secrets are wiped before their memory is freed.
 */
#include "auth/auth_passwd.h"

#include "utils/log.h"
#include "utils/str.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

PasswdType
auth_passwd_classify(const char *stored, const char **body)
{
	size_t		len = strlen(stored);

	*body = stored;
	if (len == AUTH_MD5_PASSWD_LEN && strncmp(stored, "md5", 3) == 0 &&
		strspn(stored + 3, "0123456789abcdef") == AUTH_MD5_HEX_LEN)
		return PASSWD_MD5;
	if (strncmp(stored, "SCRAM-SHA-256$", 14) == 0)
		return PASSWD_SCRAM;
	if (strncmp(stored, "AES", 3) == 0)
	{
		*body = stored + 3;
		return PASSWD_AES;
	}
	if (strncmp(stored, "TEXT", 4) == 0)
		*body = stored + 4;
	return PASSWD_PLAIN;
}

const char *
auth_passwd_type_name(PasswdType type)
{
	switch (type)
	{
		case PASSWD_MD5:
			return "md5";
		case PASSWD_SCRAM:
			return "scram-sha-256";
		case PASSWD_AES:
			return "AES";
		case PASSWD_PLAIN:
			return "text";
	}
	return "unknown";
}

static void
free_entry(PasswdEntry *e)
{
	free(e->user);
	auth_free_secret(e->secret);
}

void
auth_passwd_free(PasswdFile *pf)
{
	for (int i = 0; i < pf->n; i++)
		free_entry(&pf->entries[i]);
	free(pf->entries);
	free(pf->path);
	memset(pf, 0, sizeof(*pf));
}

const PasswdEntry *
auth_passwd_find(const PasswdFile *pf, const char *user)
{
	for (int i = pf->n - 1; i >= 0; i--)
		if (strcmp(pf->entries[i].user, user) == 0)
			return &pf->entries[i];
	return NULL;
}

/* Add one "user:secret" line; false if it has no ':' or an empty user. */
static bool
add_line(PasswdFile *pf, char *line)
{
	char	   *colon = strchr(line, ':');
	const char *body;
	PasswdEntry e;

	if (colon == NULL || colon == line)
		return false;
	*colon = '\0';
	e.user = str_dup(line);
	e.type = auth_passwd_classify(colon + 1, &body);
	e.secret = str_dup(body);
	pf->entries = mem_realloc(pf->entries, sizeof(PasswdEntry) * (size_t) (pf->n + 1));
	pf->entries[pf->n++] = e;
	return true;
}

bool
auth_passwd_load(const char *path, PasswdFile *out)
{
	FILE	   *fp;
	char		buf[4096];
	int			line = 0;
	bool		ok = true;
	PasswdFile	pf = {0};

	memset(out, 0, sizeof(*out));
	fp = fopen(path, "r");
	if (fp == NULL)
	{
		if (errno == ENOENT)
		{
			out->path = str_dup(path);
			return true;
		}
		plog(PL_ERROR, "could not open pool_passwd file \"%s\": %s", path, strerror(errno));
		return false;
	}
	while (fgets(buf, sizeof(buf), fp))
	{
		size_t		len = strlen(buf);

		line++;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len == 0 || buf[0] == '#')
			continue;
		if (!add_line(&pf, buf))
		{
			plog_ex(PL_ERROR, log_fmt("line %d of pool_passwd file \"%s\"", line, path),
					"Each line must be user:password, user:md5..., user:SCRAM-SHA-256$... or user:AES...",
					"invalid pool_passwd entry");
			ok = false;
		}
		auth_wipe(buf, sizeof(buf));
	}
	fclose(fp);
	if (!ok)
	{
		auth_passwd_free(&pf);
		return false;
	}
	pf.path = str_dup(path);
	*out = pf;
	return true;
}

char *
auth_passwd_plaintext(const PasswdEntry *e, const char *aes_key)
{
	if (e->type == PASSWD_PLAIN)
		return str_dup(e->secret);
	if (e->type == PASSWD_AES)
	{
		char	   *plain;

		if (aes_key == NULL)
		{
			plog_ex(PL_LOG, "Give the key with -k, $PGPOOLKEYFILE or ~/.pgpoolkey.", NULL,
					"pool_passwd has an AES-encrypted password for user \"%s\" but no key was loaded",
					e->user);
			return NULL;
		}
		plain = auth_aes_decrypt(e->secret, aes_key);
		if (plain == NULL)
			plog(PL_LOG, "could not decrypt the AES password of user \"%s\" in pool_passwd: wrong key?",
				 e->user);
		return plain;
	}
	return NULL;
}

bool
auth_passwd_md5_hex(const PasswdEntry *e, const char *user, const char *aes_key,
					char out[AUTH_MD5_HEX_LEN + 1])
{
	char	   *plain;
	char		md5[AUTH_MD5_PASSWD_LEN + 1];

	if (e->type == PASSWD_MD5)
	{
		memcpy(out, e->secret + 3, AUTH_MD5_HEX_LEN + 1);
		return true;
	}
	plain = auth_passwd_plaintext(e, aes_key);
	if (plain == NULL)
		return false;
	auth_md5_password(plain, user, md5);
	memcpy(out, md5 + 3, AUTH_MD5_HEX_LEN + 1);
	auth_free_secret(plain);
	auth_wipe(md5, sizeof(md5));
	return true;
}

bool
auth_passwd_scram_secret(const PasswdEntry *e, const char *aes_key, ScramSecret *out)
{
	uint8_t		salt[SCRAM_SALT_LEN];
	char	   *plain;
	bool		ok;

	if (e->type == PASSWD_SCRAM)
		return auth_scram_parse_secret(e->secret, out);
	if (e->type == PASSWD_MD5)
		return false;
	plain = auth_passwd_plaintext(e, aes_key);
	if (plain == NULL || !auth_random_bytes(salt, sizeof(salt)))
	{
		auth_free_secret(plain);
		return false;
	}
	ok = auth_scram_make_secret(plain, salt, sizeof(salt), SCRAM_DEFAULT_ITERATIONS, out);
	auth_free_secret(plain);
	return ok;
}

bool
auth_passwd_check(const PasswdEntry *e, const char *user, const char *password, const char *aes_key)
{
	char	   *plain;
	bool		ok = false;

	switch (e->type)
	{
		case PASSWD_MD5:
			{
				char		md5[AUTH_MD5_PASSWD_LEN + 1];

				auth_md5_password(password, user, md5);
				ok = auth_str_equal(md5, e->secret);
				auth_wipe(md5, sizeof(md5));
				return ok;
			}
		case PASSWD_SCRAM:
			{
				ScramSecret s;

				return auth_scram_parse_secret(e->secret, &s) && auth_scram_check_password(&s, password);
			}
		case PASSWD_PLAIN:
		case PASSWD_AES:
			plain = auth_passwd_plaintext(e, aes_key);
			ok = plain != NULL && auth_str_equal(plain, password);
			auth_free_secret(plain);
			return ok;
	}
	return false;
}

char *
auth_passwd_path(const char *config_file, const char *pool_passwd)
{
	const char *slash;
	char		buf[4096];

	if (pool_passwd == NULL || pool_passwd[0] == '\0')
		return NULL;
	slash = config_file ? strrchr(config_file, '/') : NULL;
	if (pool_passwd[0] == '/' || slash == NULL)
		return str_dup(pool_passwd);
	snprintf(buf, sizeof(buf), "%.*s/%s", (int) (slash - config_file), config_file, pool_passwd);
	return str_dup(buf);
}

char *
auth_read_key(const char *key_file, const char **used_path, const char **err)
{
	static char path[4096];
	FILE	   *fp;
	char		buf[1024];
	size_t		len;

	if (key_file)
		str_copy(path, key_file, sizeof(path));
	else if (getenv("PGPOOLKEYFILE"))
		str_copy(path, getenv("PGPOOLKEYFILE"), sizeof(path));
	else
	{
		const char *home = getenv("HOME");
		struct passwd *pw = home ? NULL : getpwuid(geteuid());

		snprintf(path, sizeof(path), "%s/.pgpoolkey", home ? home : pw ? pw->pw_dir : "");
	}
	*used_path = path;
	fp = fopen(path, "r");
	if (fp == NULL)
	{
		*err = strerror(errno);
		return NULL;
	}
	if (fgets(buf, sizeof(buf), fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len == 0)
	{
		*err = "the key file is empty";
		return NULL;
	}
	{
		char	   *key = str_dup(buf);

		auth_wipe(buf, sizeof(buf));
		return key;
	}
}
