/*
 * admin_routes.c: which handler answers a request, and who may ask.
 *
 *   /, /index.html, /static/...   the page (anyone: it starts with the login form)
 *   POST /login, POST /logout     session cookie in, out
 *   GET /metrics                  Prometheus text (login only with --metrics-auth)
 *   /api/...                      JSON API: HTTP Basic on each call, or the
 *                                 session cookie plus X-CSRF-Token on changes
 *
 * Runs in libmicrohttpd's connection threads.
 */
#include "admin_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
is_get(AdminRequest *r)
{
	return strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
}

static bool
is_post(AdminRequest *r)
{
	return strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0;
}

/*
 * Who is asking: Basic credentials take precedence (API clients, no CSRF);
 * otherwise the session cookie, and then a change needs the CSRF token.
 */
static enum MHD_Result
check_access(AdminRequest *r, bool *allowed)
{
	*allowed = false;
	if (admin_header(r, MHD_HTTP_HEADER_AUTHORIZATION))
	{
		if (!admin_auth_basic(r))
			return admin_auth_unauthorized(r);
	}
	else if (!admin_session_lookup(r))
		return admin_auth_unauthorized(r);
	else if (!is_get(r) && !admin_csrf_ok(r))
		return admin_reply_error(r, 403, "missing or wrong CSRF token",
								 "Changes made with the session cookie need the X-CSRF-Token header.");
	*allowed = true;
	return MHD_YES;
}

/* POST /api/nodes/N/ACTION */
static enum MHD_Result
route_node(AdminRequest *r, const char *rest)
{
	char	   *end;
	long		node = strtol(rest, &end, 10);

	if (end == rest || *end != '/' || node < 0 || node > 1000)
		return admin_reply_error(r, 404, "no such API endpoint", NULL);
	if (!is_post(r))
		return admin_reply_error(r, 405, "use POST", NULL);
	return admin_api_node_action(r, (int) node, end + 1);
}

typedef struct ApiRoute
{
	const char *method;			/* "GET" or "POST" */
	const char *path;			/* after /api */
	enum MHD_Result (*fn) (AdminRequest *r);
} ApiRoute;

static enum MHD_Result
api_processes(AdminRequest *r)
{
	return admin_api_processes(r, false);
}

static enum MHD_Result
api_pools(AdminRequest *r)
{
	return admin_api_processes(r, true);
}

static const ApiRoute api_routes[] = {
	{"GET", "/session", admin_session_handle},
	{"GET", "/status", admin_api_status},
	{"GET", "/nodes", admin_api_nodes},
	{"GET", "/processes", api_processes},
	{"GET", "/pools", api_pools},
	{"GET", "/watchdog", admin_api_watchdog},
	{"GET", "/config", admin_api_config_get},
	{"POST", "/config", admin_api_config_put},
	{"GET", "/hba", admin_api_hba_get},
	{"POST", "/hba", admin_api_hba_put},
	{"GET", "/pcp-users", admin_api_pcp_users_get},
	{"POST", "/pcp-users", admin_api_pcp_users_put},
	{"GET", "/log", admin_api_log},
	{"POST", "/reload", admin_api_reload},
	{"POST", "/stop", admin_api_stop},
	{"POST", "/start", admin_api_start},
	{"POST", "/cache/clear", admin_api_cache_clear},
	{NULL, NULL, NULL}
};

static enum MHD_Result
route_api(AdminRequest *r, const char *path)
{
	bool		allowed;
	enum MHD_Result ret = check_access(r, &allowed);
	bool		known = false;

	if (!allowed)
		return ret;
	if (strncmp(path, "/nodes/", 7) == 0)
		return route_node(r, path + 7);
	for (const ApiRoute *a = api_routes; a->path; a++)
	{
		if (strcmp(a->path, path) != 0)
			continue;
		known = true;
		if ((strcmp(a->method, "GET") == 0 && is_get(r)) ||
			(strcmp(a->method, "POST") == 0 && is_post(r)))
			return a->fn(r);
	}
	if (known)
		return admin_reply_error(r, 405, "method not allowed", NULL);
	return admin_reply_error(r, 404, "no such API endpoint", NULL);
}

static enum MHD_Result
route_metrics(AdminRequest *r)
{
	if (admin_opts.metrics_auth && !admin_auth_basic(r))
		return admin_auth_unauthorized(r);
	return admin_metrics_handle(r);
}

enum MHD_Result
admin_route(AdminRequest *r)
{
	const char *url = r->url;

	if (strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0)
		return route_api(r, url + 4);
	if (strcmp(url, "/metrics") == 0)
		return is_get(r) ? route_metrics(r) : admin_reply_error(r, 405, "use GET", NULL);
	if (strcmp(url, "/login") == 0)
		return is_post(r) ? admin_login_handle(r) : admin_reply_error(r, 405, "use POST", NULL);
	if (strcmp(url, "/logout") == 0)
		return is_post(r) ? admin_logout_handle(r) : admin_reply_error(r, 405, "use POST", NULL);
	if (!is_get(r))
		return admin_reply_error(r, 405, "method not allowed", NULL);
	return admin_static_handle(r);
}
