/*
 * admin_api_authfiles.c: the editors of pool_hba.conf and pcp.conf.
 *
 *   GET  /api/hba          {"file", "text"} (pool_hba.conf holds no secrets)
 *   POST /api/hba          {"text", "reload"}: loaded by pgpool's own
 *                          pool_hba parser first; errors refuse the edit
 *   GET  /api/pcp-users    {"users": [names]} (never the md5 hashes)
 *   POST /api/pcp-users    {"users": [{"name", "password"?}]}: the new list;
 *                          a user without "password" keeps its hash, a new
 *                          one needs one; stored as md5 like pg_md5 does;
 *                          comments kept; the caller cannot remove itself
 *
 * Both files are replaced atomically with a .bak copy (admin_files.c).
 * Runs in a libmicrohttpd connection thread.
 */
#include "admin_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth_hba.h"

#define ADMIN_AUTHFILE_MAX (1024 * 1024)

enum MHD_Result
admin_api_hba_get(AdminRequest *r)
{
	char	   *text;
	json_t	   *o;

	if (admin_opts.hba_path == NULL)
		return admin_reply_error(r, 404, "no pool_hba.conf", "Run pgpooladmin with -a FILE.");
	if ((text = admin_file_read(admin_opts.hba_path, ADMIN_AUTHFILE_MAX, NULL)) == NULL)
		return admin_reply_error(r, 500, "could not read pool_hba.conf", admin_opts.hba_path);
	o = json_pack("{s:s,s:s}", "file", admin_opts.hba_path, "text", text);
	free(text);
	return o ? admin_reply_json(r, 200, o) : admin_reply_error(r, 500, "pool_hba.conf is not UTF-8", NULL);
}

static bool
check_hba(void *arg)
{
	HbaList		l = {0};
	bool		ok = auth_hba_load((const char *) arg, &l);

	auth_hba_free(&l);
	return ok;
}

/* Reload pgpool when asked; the answer says whether it worked. */
static enum MHD_Result
reply_written(AdminRequest *r, const char *what, bool reload)
{
	json_t	   *o = json_pack("{s:b,s:b}", "ok", 1, "reloaded", 0);

	admin_log_action(r, what);
	if (reload)
	{
		PcpConn    *c = admin_pcp_open_as(r->user, r->password);
		bool		ok = c && pcp_conn_status(c) == PCP_OK && pcp_reload_config(c) == PCP_OK;

		json_object_set_new(o, "reloaded", json_boolean(ok));
		if (!ok)
			json_object_set_new(o, "reload_error", json_string(c ? pcp_error_message(c) : "out of memory"));
		pcp_disconnect(c);
	}
	return admin_reply_json(r, 200, o);
}

enum MHD_Result
admin_api_hba_put(AdminRequest *r)
{
	enum MHD_Result ret;
	json_t	   *in, *errs = NULL;
	const char *text;
	char	   *tmp;
	char		err[512];
	bool		ok;

	if (admin_opts.hba_path == NULL)
		return admin_reply_error(r, 404, "no pool_hba.conf", "Run pgpooladmin with -a FILE.");
	if ((in = admin_body_json(r, &ret)) == NULL)
		return ret;
	if ((text = json_string_value(json_object_get(in, "text"))) == NULL)
	{
		json_decref(in);
		return admin_reply_error(r, 400, "give \"text\": the new pool_hba.conf", NULL);
	}
	if ((tmp = admin_file_temp(admin_opts.hba_path, text, strlen(text))) == NULL)
	{
		json_decref(in);
		return admin_reply_error(r, 500, "could not write a temporary file next to pool_hba.conf", NULL);
	}
	ok = admin_capture_errors(check_hba, tmp, &errs);
	unlink(tmp);
	free(tmp);
	if (!ok)
	{
		json_decref(in);
		return admin_reply_json(r, 400, json_pack("{s:s,s:o}", "error",
												  "invalid pool_hba.conf: nothing was written",
												  "errors", errs));
	}
	json_decref(errs);
	ok = admin_file_replace(admin_opts.hba_path, text, strlen(text), err, sizeof(err));
	ret = ok ? reply_written(r, "changed pool_hba.conf", json_is_true(json_object_get(in, "reload")))
		: admin_reply_error(r, 500, err, NULL);
	json_decref(in);
	return ret;
}

/* The user name of a pcp.conf line into name; false for comments and blanks. */
static bool
pcp_line_user(const char *line, char *name, size_t len)
{
	const char *colon = strchr(line, ':');

	if (line[0] == '#' || colon == NULL || colon == line || (size_t) (colon - line) >= len)
		return false;
	snprintf(name, len, "%.*s", (int) (colon - line), line);
	return true;
}

enum MHD_Result
admin_api_pcp_users_get(AdminRequest *r)
{
	char	   *text = admin_file_read(admin_opts.pcp_path, ADMIN_AUTHFILE_MAX, NULL);
	json_t	   *users = json_array();
	char	   *save = NULL;

	if (text == NULL)
	{
		json_decref(users);
		return admin_reply_error(r, 500, "could not read pcp.conf", admin_opts.pcp_path);
	}
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
	{
		char		name[ADMIN_MAX_USER];

		if (pcp_line_user(l, name, sizeof(name)))
			json_array_append_new(users, json_string(name));
	}
	free(text);
	return admin_reply_json(r, 200, json_pack("{s:s,s:o}", "file", admin_opts.pcp_path,
											  "users", users));
}

/* Is name usable in pcp.conf? */
static bool
valid_user_name(const char *name)
{
	return name && *name && strlen(name) < ADMIN_MAX_USER && name[0] != '#' &&
		strpbrk(name, ": \t\r\n") == NULL;
}

/* Append "user:hash\n" for entry u, the hash new or from the old line. */
static const char *
pcp_user_line(json_t *u, const char *old, char **out, size_t *outlen)
{
	const char *name = json_string_value(json_object_get(u, "name"));
	const char *pw = json_string_value(json_object_get(u, "password"));
	char		hash[33] = "";
	char		want[ADMIN_MAX_USER + 1];
	char	   *copy, *save = NULL;

	if (!valid_user_name(name))
		return "invalid user name (no ':', spaces, or leading '#')";
	if (pw && *pw)
		pcp_md5_hex(pw, strlen(pw), hash);
	else
	{
		snprintf(want, sizeof(want), "%s:", name);
		copy = strdup(old);
		for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (strncmp(l, want, strlen(want)) == 0)
				snprintf(hash, sizeof(hash), "%.32s", l + strlen(want));
		free(copy);
		if (strlen(hash) != 32)
			return "a new user needs a password";
	}
	*out = realloc(*out, *outlen + strlen(name) + 36);
	*outlen += (size_t) sprintf(*out + *outlen, "%s:%s\n", name, hash);
	return NULL;
}

enum MHD_Result
admin_api_pcp_users_put(AdminRequest *r)
{
	enum MHD_Result ret;
	json_t	   *in = admin_body_json(r, &ret);
	json_t	   *users, *u;
	char	   *old, *copy, *out = NULL, *save = NULL, err[512];
	size_t		outlen = 0, i;
	const char *bad = NULL;
	bool		self = false;

	if (in == NULL)
		return ret;
	users = json_object_get(in, "users");
	old = admin_file_read(admin_opts.pcp_path, ADMIN_AUTHFILE_MAX, NULL);
	if (!json_is_array(users) || json_array_size(users) == 0 || old == NULL)
		bad = old ? "give \"users\": [{\"name\", \"password\"}], at least one" : "could not read pcp.conf";
	out = calloc(1, 1);
	copy = old ? strdup(old) : NULL;
	/* comment lines stay first, as they were */
	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; !bad && l; l = strtok_r(NULL, "\n", &save))
		if (l[0] == '#')
		{
			out = realloc(out, outlen + strlen(l) + 2);
			outlen += (size_t) sprintf(out + outlen, "%s\n", l);
		}
	json_array_foreach(users, i, u)
	{
		if (bad)
			break;
		bad = pcp_user_line(u, old, &out, &outlen);
		if (json_string_value(json_object_get(u, "name")) &&
			strcmp(json_string_value(json_object_get(u, "name")), r->user) == 0)
			self = true;
	}
	if (!bad && !self)
		bad = "you cannot remove your own user";
	if (bad)
		ret = admin_reply_error(r, 400, bad, "pcp.conf was not changed.");
	else if (!admin_file_replace(admin_opts.pcp_path, out, outlen, err, sizeof(err)))
		ret = admin_reply_error(r, 500, err, NULL);
	else
		ret = reply_written(r, "changed pcp.conf", false);
	if (out)
		explicit_bzero(out, outlen);
	free(out);
	free(copy);
	free(old);
	json_decref(in);
	return ret;
}
