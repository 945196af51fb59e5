/*
 * admin_api_config.c: the pgpool.conf editor's API, driven by the
 * parameter table (include/config/config.h).
 *
 *   GET  /api/config    every parameter: group, type, default, accepted
 *                       values, restart or reload, description, and the
 *                       value the file sets (secrets never shown)
 *   POST /api/config    {"changes": {"name": "value" | null}, "reload": bool}
 *                       each value checked as pgpool would check it, then
 *                       the whole new file loaded by pgpool's own parser;
 *                       any error refuses the edit with the parser's
 *                       messages; else the file is replaced atomically
 *                       (old one kept as pgpool.conf.bak), then reloaded
 *                       through PCP if asked
 *
 * Runs in a libmicrohttpd connection thread.
 */
#include "admin_int.h"
#include "admin_conf_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

#define ADMIN_CONF_MAX (4 * 1024 * 1024)

static json_t *
param_json(const ConfigParam *p)
{
	char		acc[512];
	const char *support = config_support_label(p);
	json_t	   *o;

	config_accepted_values(p, acc, sizeof(acc));
	o = json_pack("{s:s,s:b,s:s,s:s,s:s,s:s,s:s,s:b,s:b}", "name", p->name,
				  "numbered", p->array != NULL, "group", config_group_title(p->group),
				  "type", config_type_name(p->type),
				  "context", (p->flags & CONFIG_FLAG_ADD_ONLY) ? "restart (reload adds nodes)" :
				  config_context_name(p->context),
				  "description", p->description ? p->description : "",
				  "accepted", acc, "secret", config_param_is_secret(p),
				  "obsolete", (p->flags & CONFIG_FLAG_OBSOLETE) != 0);
	json_object_set_new(o, "default", p->default_value ? json_string(p->default_value) : json_null());
	if (support)
		json_object_set_new(o, "support", json_string(support));
	if (p->type == CONFIG_ENUM && p->enum_values)
	{
		json_t	   *vals = json_array();

		for (const ConfigEnumEntry *e = p->enum_values; e->name; e++)
			if (!e->hidden)
				json_array_append_new(vals, json_string(e->name));
		json_object_set_new(o, "values", vals);
	}
	return o;
}

/* Mask the value of every secret setting of the file. */
static void
mask_secrets(json_t *values)
{
	const char *key;
	json_t	   *v;

	json_object_foreach(values, key, v)
	{
		int			idx;
		const ConfigParam *p = config_param_find(key, &idx);

		if (p && config_param_is_secret(p) && json_string_length(json_object_get(v, "value")) > 0)
			json_object_set_new(v, "value", json_string("********"));
	}
}

enum MHD_Result
admin_api_config_get(AdminRequest *r)
{
	char	   *text = admin_file_read(admin_opts.conf_path, ADMIN_CONF_MAX, NULL);
	ConfLines	cl;
	json_t	   *groups = json_array();
	json_t	   *params = json_array();
	json_t	   *values;

	if (text == NULL)
	{
		json_decref(groups);
		json_decref(params);
		return admin_reply_error(r, 500, "could not read pgpool.conf", admin_opts.conf_path);
	}
	conf_lines_split(&cl, text);
	free(text);
	values = conf_lines_values(&cl);
	conf_lines_free(&cl);
	mask_secrets(values);
	for (int g = 0; g < CONFIG_GROUP_COUNT; g++)
		json_array_append_new(groups, json_pack("{s:s,s:s}", "title", config_group_title(g),
												"comment", config_group_comment(g)));
	for (int i = 0; i < config_param_count(); i++)
		json_array_append_new(params, param_json(config_param_at(i)));
	return admin_reply_json(r, 200, json_pack("{s:s,s:o,s:o,s:o}", "file", admin_opts.conf_path,
											  "groups", groups, "params", params,
											  "values", values));
}

typedef struct CheckOne
{
	const char *name;
	const char *value;
} CheckOne;

static bool
check_one(void *arg)
{
	CheckOne   *c = arg;
	PoolConfig	cfg;
	bool		ok;

	config_init_defaults(&cfg);
	ok = config_set_option(&cfg, c->name, c->value);
	config_free(&cfg);
	return ok;
}

static bool
check_file(void *arg)
{
	PoolConfig	cfg;
	bool		ok;

	config_init_defaults(&cfg);
	ok = config_load((const char *) arg, &cfg);
	config_free(&cfg);
	return ok;
}

/* Append the captured errors to out, naming param and the real file. */
static void
add_errors(json_t *out, json_t *errs, const char *param, const char *tmp)
{
	size_t		i;
	json_t	   *e;

	json_array_foreach(errs, i, e)
	{
		const char *m = json_string_value(json_object_get(e, "message"));
		const char *at = tmp ? strstr(m, tmp) : NULL;

		if (at)
		{
			char		buf[2048];

			snprintf(buf, sizeof(buf), "%.*s%s%s", (int) (at - m), m, admin_opts.conf_path,
					 at + strlen(tmp));
			json_object_set_new(e, "message", json_string(buf));
		}
		if (param)
			json_object_set_new(e, "parameter", json_string(param));
		json_array_append(out, e);
	}
}

/* Check each change, apply them to the lines; errors into errs. */
static void
apply_changes(ConfLines *cl, json_t *changes, json_t *errs, json_t *restart)
{
	const char *name;
	json_t	   *v;

	json_object_foreach(changes, name, v)
	{
		const char *value = json_string_value(v);
		int			idx;
		const ConfigParam *p = config_param_find(name, &idx);
		CheckOne	c = {name, value};
		json_t	   *caught = NULL;

		if (p == NULL || (!json_is_string(v) && !json_is_null(v)))
		{
			json_array_append_new(errs, json_pack("{s:s,s:s}", "parameter", name, "message",
												  p ? "the value must be a string or null" :
												  "unrecognized configuration parameter"));
			continue;
		}
		if (value && strpbrk(value, "\r\n"))
		{
			json_array_append_new(errs, json_pack("{s:s,s:s}", "parameter", name, "message",
												  "a value cannot span lines"));
			continue;
		}
		if (value && !admin_capture_errors(check_one, &c, &caught))
			add_errors(errs, caught, name, NULL);
		else if (p->context == CONFIG_RESTART)
			json_array_append_new(restart, json_string(name));
		if (value)
			json_decref(caught);
		conf_lines_set(cl, name, value);
	}
}

/* Validate the whole new text with pgpool's parser; errors into errs. */
static void
check_new_file(const char *text, size_t len, json_t *errs)
{
	char	   *tmp = admin_file_temp(admin_opts.conf_path, text, len);
	json_t	   *caught;

	if (tmp == NULL)
	{
		json_array_append_new(errs, json_pack("{s:s}", "message",
											  "could not write a temporary file next to pgpool.conf"));
		return;
	}
	if (!admin_capture_errors(check_file, tmp, &caught))
		add_errors(errs, caught, NULL, tmp);
	json_decref(caught);
	unlink(tmp);
	free(tmp);
}

static enum MHD_Result
write_and_reload(AdminRequest *r, const char *text, size_t len, bool reload, json_t *restart)
{
	char		err[512];
	json_t	   *o;

	if (!admin_file_replace(admin_opts.conf_path, text, len, err, sizeof(err)))
	{
		json_decref(restart);
		return admin_reply_error(r, 500, err, NULL);
	}
	admin_log_action(r, "changed pgpool.conf");
	snprintf(err, sizeof(err), "%s.bak", admin_opts.conf_path);
	o = json_pack("{s:b,s:s,s:o,s:b}", "ok", 1, "backup", err, "restart_required", restart,
				  "reloaded", 0);
	if (reload)
	{
		PcpConn    *c = admin_pcp_open_as(r->user, r->password);
		PcpErrorCode rc = c && pcp_conn_status(c) == PCP_OK ? pcp_reload_config(c) : PCP_ERR_CONN;

		json_object_set_new(o, "reloaded", json_boolean(rc == PCP_OK));
		if (rc != PCP_OK)
			json_object_set_new(o, "reload_error", json_string(c ? pcp_error_message(c) : "out of memory"));
		else
			admin_log_action(r, "reload pgpool");
		pcp_disconnect(c);
	}
	return admin_reply_json(r, 200, o);
}

enum MHD_Result
admin_api_config_put(AdminRequest *r)
{
	enum MHD_Result ret;
	json_t	   *in = admin_body_json(r, &ret);
	json_t	   *changes, *errs, *restart;
	ConfLines	cl;
	char	   *text;
	size_t		len;

	if (in == NULL)
		return ret;
	changes = json_object_get(in, "changes");
	if (!json_is_object(changes) || json_object_size(changes) == 0)
	{
		json_decref(in);
		return admin_reply_error(r, 400, "give \"changes\": {\"parameter\": \"value\"}", NULL);
	}
	if ((text = admin_file_read(admin_opts.conf_path, ADMIN_CONF_MAX, NULL)) == NULL)
	{
		json_decref(in);
		return admin_reply_error(r, 500, "could not read pgpool.conf", admin_opts.conf_path);
	}
	conf_lines_split(&cl, text);
	free(text);
	errs = json_array();
	restart = json_array();
	apply_changes(&cl, changes, errs, restart);
	text = conf_lines_join(&cl, &len);
	conf_lines_free(&cl);
	if (json_array_size(errs) == 0)
		check_new_file(text, len, errs);
	if (json_array_size(errs) > 0)
	{
		free(text);
		json_decref(in);
		json_decref(restart);
		return admin_reply_json(r, 400, json_pack("{s:s,s:o}", "error",
												  "invalid configuration: nothing was written",
												  "errors", errs));
	}
	json_decref(errs);
	ret = write_and_reload(r, text, len, json_is_true(json_object_get(in, "reload")), restart);
	free(text);
	json_decref(in);
	return ret;
}
