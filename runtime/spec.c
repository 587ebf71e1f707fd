// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "error.h"
#include "fs.h"
#include "json-util.h"
#include "spec.h"

/* The fields of the OCI structs moat reads or writes (the spec, root,
 * mounts, hooks, linux, its namespaces, id mappings and seccomp profile, the
 * process). runc decodes config.json with Go's encoding/json, which matches
 * a key to a field case-insensitively, "\u017f" and "\u212a" (long s, Kelvin
 * sign) counting as s and k: {"Linux": ...} or {"type": "pid", "PATH": ...}
 * would be what runc obeys while moat, with json-c, reads past it. */
static const char *const oci_fields[] = {
	"ociVersion", "process", "root", "hostname", "domainname", "mounts", "hooks",
	"annotations", "linux", "terminal", "user", "args", "env", "cwd", "path",
	"readonly", "destination", "type", "source", "options", "uidMappings",
	"gidMappings", "prestart", "createRuntime", "createContainer", "startContainer",
	"poststart", "poststop", "timeout", "sysctl", "resources", "cgroupsPath",
	"namespaces", "devices", "seccomp", "rootfsPropagation", "maskedPaths",
	"readonlyPaths", "mountLabel", "intelRdt", "personality", "timeOffsets",
	"containerID", "hostID", "size", "defaultAction", "defaultErrnoRet",
	"architectures", "flags", "listenerPath", "listenerMetadata", "syscalls", "names",
	"action", "errnoRet",
};

/* Objects whose keys are a map's, matched exactly by Go too. */
static const char *const oci_maps[] = { "annotations", "sysctl", "unified", "timeOffsets" };

/* Does Go's encoding/json take key for field? (ASCII case, long s, Kelvin.) */
static bool key_folds_to(const char *key, const char *field)
{
	for (; *field; field++) {
		char c;

		if (!*key)
			return false;
		if (!strncmp(key, "\xc5\xbf", 2)) {
			c = 's';
			key += 2;
		} else if (!strncmp(key, "\xe2\x84\xaa", 3)) {
			c = 'k';
			key += 3;
		} else {
			c = (char)tolower((unsigned char)*key++);
		}
		if (c != tolower((unsigned char)*field))
			return false;
	}
	return *key == '\0';
}

static bool is_map(const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(oci_maps); i++)
		if (!strcmp(key, oci_maps[i]))
			return true;
	return false;
}

/* A key below o that runc would read as another spelling of an OCI field. */
static const char *misspelled_key(struct json_object *o)
{
	const char *bad = NULL;

	if (json_object_is_type(o, json_type_array))
		for (size_t i = 0; !bad && i < json_object_array_length(o); i++)
			bad = misspelled_key(json_object_array_get_idx(o, i));
	if (!json_object_is_type(o, json_type_object))
		return bad;
	json_object_object_foreach(o, key, value) {
		for (size_t i = 0; i < ELEMENTSOF(oci_fields); i++)
			if (strcmp(key, oci_fields[i]) && key_folds_to(key, oci_fields[i]))
				return key;
		if (!is_map(key) && (bad = misspelled_key(value)))
			return bad;
	}
	return NULL;
}

int spec_parse(const char *buf, size_t len, const char *name, struct json_object **ret,
	       char **err)
{
	struct json_load_error e;
	struct json_object *o;
	const char *bad;
	int r;

	r = json_load_object(buf, len, 0, &o, &e);
	if (r == -EINVAL)
		return error_set(err, r, "cannot parse %s: %s (line %u)", name, e.what, e.line);
	if (r == -EFBIG)
		return error_set(err, r, "cannot parse %s: larger than 2 GiB", name);
	if (r < 0)
		return error_set(err, r, "cannot parse %s: %m", name);
	bad = misspelled_key(o);
	if (bad) {
		r = error_set(err, -EINVAL, "cannot parse %s: key `%s` is not spelled as the OCI "
			      "field runc would read it as", name, bad);
		json_object_put(o);
		return r;
	}
	*ret = o;
	return 0;
}

int spec_load(const char *path, struct json_object **ret, char **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = read_file(path, &buf, &len);
	if (r < 0)
		return error_set(err, r, "cannot read %s: %m", path);
	return spec_parse(buf, len, path, ret, err);
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
