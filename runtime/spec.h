/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * spec.h - reading and rewriting an OCI config.json with json-c. The tree is
 * edited in place, so every field moat does not know survives unchanged.
 */
#ifndef MOAT_RUNTIME_SPEC_H
#define MOAT_RUNTIME_SPEC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* Parse buf (len bytes and a NUL after them, as read_file() gives): one JSON
 * object; "cannot parse <name>: <json-c's message> (line N)" otherwise. */
int spec_parse(const char *buf, size_t len, const char *name, struct json_object **ret,
	       char **err);
/* Read and parse path. */
int spec_load(const char *path, struct json_object **ret, char **err);
int spec_save(struct json_object *spec, const char *path, char **err);

/* Member key of object o, or NULL (also when o is NULL or not an object). */
struct json_object *spec_member(struct json_object *o, const char *key);
/* Member key of o, created as an object/array when missing or mistyped. */
struct json_object *spec_member_object(struct json_object *o, const char *key);
struct json_object *spec_member_array(struct json_object *o, const char *key);
/* String member, or NULL. */
const char *spec_string(struct json_object *o, const char *key);
void spec_set_string(struct json_object *o, const char *key, const char *value);

/* The entry of linux.namespaces of that type, or NULL. */
struct json_object *spec_namespace(struct json_object *spec, const char *type);
/* Make sure there is an entry of that type, with that path (NULL: none). */
void spec_set_namespace(struct json_object *spec, const char *type, const char *path);

/* linux.uidMappings = linux.gidMappings = [{containerID 0, hostID, size}]. */
void spec_set_id_mappings(struct json_object *spec, uint32_t host_id, uint32_t size);
/* Put a hook first in hooks.<kind>. args is NULL-terminated. */
void spec_prepend_hook(struct json_object *spec, const char *kind, const char *path,
		       const char *const *args);
/* Put a hook last in hooks.<kind>. */
void spec_append_hook(struct json_object *spec, const char *kind, const char *path,
		      const char *const *args);
/* annotations[key], or NULL. */
const char *spec_annotation(struct json_object *spec, const char *key);
/* Does the mount bind a host path (type "bind", or a bind/rbind option)? */
bool spec_mount_is_bind(struct json_object *mount);
/* Does it have that option? */
bool spec_mount_has_option(struct json_object *mount, const char *option);

#endif
