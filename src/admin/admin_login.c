/*
 * admin_login.c: the page's login and logout, and /api/session (who am I,
 * my CSRF token, what this pgpooladmin can do).
 *
 * POST /login takes {"user": ..., "password": ...} (JSON) and answers with
 * the session cookie and the CSRF token; a wrong password answers 401
 * after the slow-down of admin_auth_penalize().
 */
#include "admin_int.h"

#include <stdio.h>
#include <string.h>

#include "utils/log.h"

static void
session_cookie(char *buf, size_t len, const char *id, bool expire)
{
	snprintf(buf, len, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
			 ADMIN_COOKIE_NAME, id, admin_opts.tls_cert ? "; Secure" : "",
			 expire ? "; Max-Age=0" : "");
}

enum MHD_Result
admin_login_handle(AdminRequest *r)
{
	enum MHD_Result ret;
	json_t	   *in = admin_body_json(r, &ret);
	const char *user, *password;
	char		id[ADMIN_TOKEN_HEX + 1], csrf[ADMIN_TOKEN_HEX + 1];
	char		cookie[256];
	char	   *text;
	json_t	   *out;

	if (in == NULL)
		return ret;
	user = json_string_value(json_object_get(in, "user"));
	password = json_string_value(json_object_get(in, "password"));
	if (user == NULL || password == NULL || strlen(user) >= ADMIN_MAX_USER ||
		strlen(password) >= ADMIN_MAX_PASSWORD)
	{
		json_decref(in);
		return admin_reply_error(r, 400, "give \"user\" and \"password\"", NULL);
	}
	snprintf(r->user, sizeof(r->user), "%s", user);
	if (!admin_auth_verify(user, password))
	{
		json_decref(in);
		admin_auth_penalize(r);
		return admin_reply_error(r, 401, "wrong user name or password", NULL);
	}
	admin_auth_forgive(r);
	admin_session_create(user, password, id, csrf);
	json_decref(in);			/* jansson frees; the password text goes with it */
	plog(PL_LOG, "user \"%s\" logged in", r->user);
	session_cookie(cookie, sizeof(cookie), id, false);
	out = json_pack("{s:s,s:s}", "user", r->user, "csrf_token", csrf);
	text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	ret = admin_reply(r, 200, "application/json", text, strlen(text), cookie);
	free(text);
	explicit_bzero(id, sizeof(id));
	return ret;
}

enum MHD_Result
admin_logout_handle(AdminRequest *r)
{
	char		cookie[256];

	if (admin_session_lookup(r))
	{
		if (!admin_csrf_ok(r))
			return admin_reply_error(r, 403, "missing or wrong CSRF token", NULL);
		admin_session_destroy(r);
		plog(PL_LOG, "user \"%s\" logged out", r->user);
	}
	session_cookie(cookie, sizeof(cookie), "", true);
	return admin_reply(r, 200, "application/json", "{\"ok\":true}", 11, cookie);
}

enum MHD_Result
admin_session_handle(AdminRequest *r)
{
	AdminPgpoolInfo info;
	json_t	   *o;

	admin_pgpool_info(&info);
	o = json_pack("{s:s,s:b,s:b,s:b,s:b,s:b}", "user", r->user,
				  "can_start", admin_opts.pgpool_bin != NULL,
				  "has_hba", admin_opts.hba_path != NULL,
				  "cache_enabled", info.memory_cache_enabled,
				  "watchdog_enabled", info.use_watchdog,
				  "metrics_auth", admin_opts.metrics_auth);
	if (r->via_session)
		json_object_set_new(o, "csrf_token", json_string(r->csrf));
	return admin_reply_json(r, 200, o);
}
