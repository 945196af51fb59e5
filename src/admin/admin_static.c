/*
 * admin_static.c: the page's files (HTML, CSS, JS) from --www-dir, the
 * directory make install fills ($(pkgdatadir)/admin).
 *
 * Only a flat set of names is served: "/" is index.html, "/static/NAME"
 * is NAME when NAME is letters, digits, '-', '_' and one '.' extension of
 * a known type; anything else (.., slashes, encoded tricks, hidden files)
 * is 404 without touching the file system beyond the directory.
 *
 * Runs in a libmicrohttpd connection thread.
 */
#include "admin_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADMIN_STATIC_MAX (2 * 1024 * 1024)

typedef struct StaticType
{
	const char *ext;
	const char *type;
} StaticType;

static const StaticType static_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{NULL, NULL}
};

/* The content type of a safe name, or NULL if the name is not servable. */
static const char *
safe_name_type(const char *name)
{
	const char *dot = NULL;
	size_t		len = strlen(name);

	if (len == 0 || len > 64 || name[0] == '.')
		return NULL;
	for (const char *p = name; *p; p++)
	{
		if (*p == '.')
		{
			if (dot)
				return NULL;
			dot = p;
		}
		else if (!isalnum((unsigned char) *p) && *p != '-' && *p != '_')
			return NULL;
	}
	if (dot == NULL)
		return NULL;
	for (const StaticType *t = static_types; t->ext; t++)
		if (strcmp(dot, t->ext) == 0)
			return t->type;
	return NULL;
}

enum MHD_Result
admin_static_handle(AdminRequest *r)
{
	const char *name;
	const char *type;
	char		path[4096];
	char	   *data;
	size_t		len;
	enum MHD_Result ret;

	if (strcmp(r->url, "/") == 0 || strcmp(r->url, "/index.html") == 0)
		name = "index.html";
	else if (strncmp(r->url, "/static/", 8) == 0)
		name = r->url + 8;
	else
		return admin_reply_error(r, 404, "not found", NULL);
	if ((type = safe_name_type(name)) == NULL)
		return admin_reply_error(r, 404, "not found", NULL);
	snprintf(path, sizeof(path), "%s/%s", admin_opts.www_dir, name);
	if ((data = admin_file_read(path, ADMIN_STATIC_MAX, &len)) == NULL)
		return admin_reply_error(r, 404, "not found", NULL);
	ret = admin_reply(r, 200, type, data, len, NULL);
	free(data);
	return ret;
}
