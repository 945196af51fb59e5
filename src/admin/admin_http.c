/*
 * admin_http.c: libmicrohttpd glue of pgpooladmin: start the daemon with
 * its limits (connections, per-client connections, header memory, idle
 * timeout), collect a request's body up to ADMIN_MAX_BODY, hand complete
 * requests to the router (admin_routes.c), and build replies with the
 * headers every answer carries.
 *
 * Runs in libmicrohttpd's threads (one per connection): a slow client holds
 * its own thread until the connection timeout, never the others.
 */
#include "admin_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils/log.h"

#define ADMIN_CONN_LIMIT		64	/* connections at once */
#define ADMIN_CONN_PER_IP		48	/* the tests all come from 127.0.0.1 */
#define ADMIN_CONN_MEMORY		(32 * 1024)	/* request line + headers */
#define ADMIN_CONN_TIMEOUT		15	/* seconds a silent client may keep a connection */

const char *
admin_header(AdminRequest *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Headers every answer carries: no caching of private data, no framing, no sniffing. */
static void
add_common_headers(struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
							"default-src 'self'; script-src 'self'; style-src 'self'; "
							"img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

enum MHD_Result
admin_reply(AdminRequest *r, unsigned status, const char *type, const char *body,
			size_t len, const char *cookie)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *) body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	add_common_headers(resp, type);
	if (cookie)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	if (status == MHD_HTTP_UNAUTHORIZED && admin_header(r, "X-Requested-With") == NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
								"Basic realm=\"pgpooladmin\", charset=\"UTF-8\"");
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Takes the reference to obj. */
enum MHD_Result
admin_reply_json(AdminRequest *r, unsigned status, json_t *obj)
{
	char	   *text = json_dumps(obj, JSON_COMPACT);
	enum MHD_Result ret;

	json_decref(obj);
	if (text == NULL)
		return admin_reply(r, 500, "text/plain", "out of memory\n", 14, NULL);
	ret = admin_reply(r, status, "application/json", text, strlen(text), NULL);
	free(text);
	return ret;
}

enum MHD_Result
admin_reply_error(AdminRequest *r, unsigned status, const char *msg, const char *detail)
{
	json_t	   *o = json_pack("{s:s}", "error", msg);

	if (detail && *detail)
		json_object_set_new(o, "detail", json_string(detail));
	return admin_reply_json(r, status, o);
}

json_t *
admin_body_json(AdminRequest *r, enum MHD_Result *ret)
{
	json_error_t err;
	json_t	   *o = r->body ? json_loadb(r->body, r->body_len, 0, &err) : NULL;

	if (o == NULL || !json_is_object(o))
	{
		json_decref(o);
		*ret = admin_reply_error(r, 400, "the request body must be a JSON object", NULL);
		return NULL;
	}
	return o;
}

/* Append one piece of the body; past the limit, keep reading but drop it. */
static void
body_append(AdminRequest *r, const char *data, size_t len)
{
	char	   *nb;

	if (r->body_too_large || r->body_len + len > ADMIN_MAX_BODY)
	{
		r->body_too_large = true;
		return;
	}
	nb = realloc(r->body, r->body_len + len + 1);
	if (nb == NULL)
	{
		r->body_too_large = true;
		return;
	}
	memcpy(nb + r->body_len, data, len);
	r->body = nb;
	r->body_len += len;
	r->body[r->body_len] = '\0';
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
		   const char *version, const char *upload, size_t *upload_size, void **state)
{
	AdminRequest *r = *state;

	if (r == NULL)
	{
		const char *cl;

		r = calloc(1, sizeof(AdminRequest));
		if (r == NULL)
			return MHD_NO;
		r->conn = conn;
		r->method = method;
		r->url = url;
		*state = r;
		/* refuse an announced oversized body before reading any of it */
		cl = admin_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > ADMIN_MAX_BODY)
			return admin_reply_error(r, 413, "request body too large", NULL);
		return MHD_YES;
	}
	if (*upload_size > 0)
	{
		body_append(r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->body_too_large)
		return admin_reply_error(r, 413, "request body too large", NULL);
	return admin_route(r);
}

/* Wipe what the request knew (the password) and free it. */
static void
on_completed(void *cls, struct MHD_Connection *conn, void **state,
			 enum MHD_RequestTerminationCode toe)
{
	AdminRequest *r = *state;

	if (r == NULL)
		return;
	explicit_bzero(r->password, sizeof(r->password));
	free(r->body);
	free(r);
	*state = NULL;
}

/* Load the PEM file for TLS (libmicrohttpd wants it in memory). */
static char *
read_pem(const char *path)
{
	char	   *data = admin_file_read(path, 1024 * 1024, NULL);

	if (data == NULL)
		plog(PL_FATAL, "could not read \"%s\": %m", path);
	return data;
}

struct MHD_Daemon *
admin_http_start(const struct sockaddr *addr)
{
	unsigned	flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
		MHD_USE_ERROR_LOG;
	char	   *cert = NULL;
	char	   *key = NULL;
	struct MHD_Daemon *d;

	if (admin_opts.tls_cert)
	{
		if ((cert = read_pem(admin_opts.tls_cert)) == NULL ||
			(key = read_pem(admin_opts.tls_key)) == NULL)
			return NULL;
		flags |= MHD_USE_TLS;
	}
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
						 MHD_OPTION_SOCK_ADDR, addr,
						 MHD_OPTION_CONNECTION_LIMIT, (unsigned) ADMIN_CONN_LIMIT,
						 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned) ADMIN_CONN_PER_IP,
						 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) ADMIN_CONN_MEMORY,
						 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) ADMIN_CONN_TIMEOUT,
						 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
						 cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
						 MHD_OPTION_HTTPS_MEM_KEY, key,
						 MHD_OPTION_END);
	if (key)
		explicit_bzero(key, strlen(key));
	free(key);
	free(cert);
	return d;
}
