// SPDX-License-Identifier: LGPL-2.1-or-later
#include <string.h>

#include "error.h"
#include "fs.h"
#include "spec.h"

static int parse_error(const char *path, struct json_tokener *tok, const char *buf,
		       char **err)
{
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t off = json_tokener_get_parse_end(tok);
	unsigned line = 1;

	for (size_t i = 0; i < off && buf[i]; i++)
		line += buf[i] == '\n';
	if (e == json_tokener_success || e == json_tokener_continue)
		return error_set(err, -EINVAL, "cannot parse %s: unexpected end of input", path);
	return error_set(err, -EINVAL, "cannot parse %s: %s (line %u)", path,
			 json_tokener_error_desc(e), line);
}

static bool trailing_garbage(const char *buf, size_t len, size_t end)
{
	for (size_t i = end; i < len; i++)
		if (!strchr(" \t\r\n", buf[i]))
			return true;
	return false;
}

int spec_load(const char *path, struct json_object **ret, char **err)
{
	_cleanup_free_ char *buf = NULL;
	struct json_tokener *tok;
	struct json_object *o;
	size_t len, tok_end;
	int r;

	r = read_file(path, &buf, &len);
	if (r < 0)
		return error_set(err, r, "cannot read %s: %m", path);
	tok = json_tokener_new();
	if (!tok)
		return error_set(err, -ENOMEM, "%m");
	o = json_tokener_parse_ex(tok, buf, (int)len + 1); /* the NUL ends the input */
	tok_end = json_tokener_get_parse_end(tok);
	if (!o) {
		r = parse_error(path, tok, buf, err);
		json_tokener_free(tok);
		return r;
	}
	json_tokener_free(tok);
	if (trailing_garbage(buf, len, tok_end)) {
		json_object_put(o);
		return error_set(err, -EINVAL, "cannot parse %s: unexpected data after the JSON value",
				 path);
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return error_set(err, -EINVAL, "cannot parse %s: not a JSON object", path);
	}
	*ret = o;
	return 0;
}

int spec_save(struct json_object *spec, const char *path, char **err)
{
	const char *s = json_object_to_json_string_ext(
		spec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	int r;

	if (!s)
		return error_set(err, -ENOMEM, "%m");
	r = write_file_atomic(path, s, 0600);
	return r < 0 ? error_set(err, r, "cannot write %s: %m", path) : 0;
}

struct json_object *spec_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static struct json_object *member_typed(struct json_object *o, const char *key,
					enum json_type type)
{
	struct json_object *v = spec_member(o, key);

	if (v && json_object_is_type(v, type))
		return v;
	v = type == json_type_array ? json_object_new_array() : json_object_new_object();
	json_object_object_add(o, key, v);
	return v;
}

struct json_object *spec_member_object(struct json_object *o, const char *key)
{
	return member_typed(o, key, json_type_object);
}

struct json_object *spec_member_array(struct json_object *o, const char *key)
{
	return member_typed(o, key, json_type_array);
}

const char *spec_string(struct json_object *o, const char *key)
{
	struct json_object *v = spec_member(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

void spec_set_string(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, json_object_new_string(value));
}

struct json_object *spec_namespace(struct json_object *spec, const char *type)
{
	struct json_object *list = spec_member(spec_member(spec, "linux"), "namespaces");
	size_t n;

	if (!list || !json_object_is_type(list, json_type_array))
		return NULL;
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		const char *t = spec_string(e, "type");

		if (t && strcmp(t, type) == 0)
			return e;
	}
	return NULL;
}

void spec_set_namespace(struct json_object *spec, const char *type, const char *path)
{
	struct json_object *e = spec_namespace(spec, type);

	if (!e) {
		struct json_object *lnx = spec_member_object(spec, "linux");

		e = json_object_new_object();
		spec_set_string(e, "type", type);
		json_object_array_add(spec_member_array(lnx, "namespaces"), e);
	}
	if (path)
		spec_set_string(e, "path", path);
	else
		json_object_object_del(e, "path");
}

static struct json_object *id_mappings(uint32_t host_id, uint32_t size)
{
	struct json_object *list = json_object_new_array(), *m = json_object_new_object();

	json_object_object_add(m, "containerID", json_object_new_int64(0));
	json_object_object_add(m, "hostID", json_object_new_int64(host_id));
	json_object_object_add(m, "size", json_object_new_int64(size));
	json_object_array_add(list, m);
	return list;
}

void spec_set_id_mappings(struct json_object *spec, uint32_t host_id, uint32_t size)
{
	struct json_object *lnx = spec_member_object(spec, "linux");

	json_object_object_add(lnx, "uidMappings", id_mappings(host_id, size));
	json_object_object_add(lnx, "gidMappings", id_mappings(host_id, size));
}

static void add_hook(struct json_object *spec, const char *kind, const char *path,
		     const char *const *args, bool first)
{
	struct json_object *hooks = spec_member_object(spec, "hooks");
	struct json_object *old = spec_member_array(hooks, kind);
	struct json_object *list = json_object_new_array();
	struct json_object *hook = json_object_new_object();
	struct json_object *a = json_object_new_array();
	size_t n = json_object_array_length(old);

	for (; *args; args++)
		json_object_array_add(a, json_object_new_string(*args));
	spec_set_string(hook, "path", path);
	json_object_object_add(hook, "args", a);
	if (first)
		json_object_array_add(list, hook);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(list, json_object_get(json_object_array_get_idx(old, i)));
	if (!first)
		json_object_array_add(list, hook);
	json_object_object_add(hooks, kind, list);
}

void spec_prepend_hook(struct json_object *spec, const char *kind, const char *path,
		       const char *const *args)
{
	add_hook(spec, kind, path, args, true);
}

void spec_append_hook(struct json_object *spec, const char *kind, const char *path,
		      const char *const *args)
{
	add_hook(spec, kind, path, args, false);
}

const char *spec_annotation(struct json_object *spec, const char *key)
{
	return spec_string(spec_member(spec, "annotations"), key);
}

bool spec_mount_has_option(struct json_object *mount, const char *option)
{
	struct json_object *opts = spec_member(mount, "options");
	size_t n;

	if (!opts || !json_object_is_type(opts, json_type_array))
		return false;
	n = json_object_array_length(opts);
	for (size_t i = 0; i < n; i++) {
		const char *o = json_object_get_string(json_object_array_get_idx(opts, i));

		if (o && strcmp(o, option) == 0)
			return true;
	}
	return false;
}

bool spec_mount_is_bind(struct json_object *mount)
{
	const char *type = spec_string(mount, "type");

	return (type && strcmp(type, "bind") == 0) || spec_mount_has_option(mount, "bind") ||
	       spec_mount_has_option(mount, "rbind");
}
