// SPDX-License-Identifier: LGPL-2.1-or-later
/* vet-store.c - a container's start mounts kept in moat-fs's state
 * directory (<dir>/vet-<id>.json), so that a worker that takes over the
 * notify fds (keeper.h) still knows them. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "vet-internal.h"

/* runc's ids are [A-Za-z0-9_+.-]+; anything else is not stored. */
static int store_path(const char *dir, const char *id, char *buf, size_t size)
{
	if (!*id || id[0] == '.' || strlen(id) > 200 || strspn(id,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+.-") != strlen(id))
		return -EINVAL;
	return snprintf(buf, size, "%s/vet-%s.json", dir, id) < (int)size ? 0 : -ENAMETOOLONG;
}

int vet_store_save(const char *dir, const struct vet_container *c)
{
	struct json_object *o = json_object_new_object(), *mounts = json_object_new_array();
	char path[4096], tmp[4200];
	int r;

	if ((r = store_path(dir, c->id, path, sizeof(path))) < 0)
		goto out;
	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "init_pid", json_object_new_int(c->init_pid));
	for (size_t i = 0; i < c->start.n; i++) {
		const struct vet_mount *m = &c->start.m[i];
		struct json_object *a = json_object_new_array();

		json_object_array_add(a, json_object_new_int(m->mnt_id));
		json_object_array_add(a, json_object_new_int(m->parent_id));
		json_object_array_add(a, json_object_new_int((int)m->major));
		json_object_array_add(a, json_object_new_int((int)m->minor));
		json_object_array_add(a, json_object_new_boolean(m->ro));
		json_object_array_add(a, json_object_new_string(m->root));
		json_object_array_add(a, json_object_new_string(m->mount_point));
		json_object_array_add(a, json_object_new_string(m->fstype));
		json_object_array_add(mounts, a);
	}
	json_object_object_add(o, "mounts", mounts);
	mounts = NULL;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_PLAIN) < 0 || rename(tmp, path) < 0) {
		r = -EIO;
		(void)unlink(tmp);
	}
out:
	json_object_put(mounts);
	json_object_put(o);
	return r;
}

static int load_mount(struct json_object *a, struct vet_table *t)
{
	const char *s[3];

	if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) != 8)
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		if (!(s[i] = json_object_get_string(json_object_array_get_idx(a, 5 + (size_t)i))))
			return -EINVAL;
	return vet_table_add(t, json_object_get_int(json_object_array_get_idx(a, 0)),
			     json_object_get_int(json_object_array_get_idx(a, 1)),
			     (unsigned)json_object_get_int(json_object_array_get_idx(a, 2)),
			     (unsigned)json_object_get_int(json_object_array_get_idx(a, 3)),
			     json_object_get_boolean(json_object_array_get_idx(a, 4)), s[0], s[1], s[2]);
}

int vet_store_load(const char *dir, struct vet_container *c)
{
	struct json_object *o = NULL, *mounts = NULL, *pid = NULL;
	char path[4096];
	int r;

	if ((r = store_path(dir, c->id, path, sizeof(path))) < 0)
		return r;
	if (!(o = json_object_from_file(path)))
		return access(path, F_OK) == 0 ? -EINVAL : -ENOENT;
	if (json_object_object_get_ex(o, "init_pid", &pid))
		c->init_pid = json_object_get_int(pid);
	r = json_object_object_get_ex(o, "mounts", &mounts) &&
	    json_object_is_type(mounts, json_type_array) ? 0 : -EINVAL;
	for (size_t i = 0; r >= 0 && i < json_object_array_length(mounts); i++)
		r = load_mount(json_object_array_get_idx(mounts, i), &c->start);
	json_object_put(o);
	if (r < 0)
		vet_table_clear(&c->start);
	return r;
}

void vet_store_remove(const char *dir, const char *id)
{
	char path[4096];

	if (store_path(dir, id, path, sizeof(path)) == 0)
		(void)unlink(path);
}
