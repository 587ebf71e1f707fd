// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "error.h"
#include "fs.h"
#include "rewrite.h"
#include "seccomp.h"

static void rewrite_namespaces(struct plan *pl, const struct cstate *s)
{
	char path[64];

	if (s->joined) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pl->joined.pid);
		spec_set_namespace(pl->spec, "user", path);
	} else {
		spec_set_namespace(pl->spec, "user", NULL);
	}
	if (pl->ns.origin[NS_CGROUP] != NS_CONTAINER)
		spec_set_namespace(pl->spec, "cgroup", NULL);
	spec_set_id_mappings(pl->spec, s->uid_start, s->uid_size);
}

/* What runc refuses in a user namespace, made to fit: Docker asks for
 * net.ipv4.ping_group_range = "0 2147483647", but only the container's own
 * gids (0 to size - 1) can be written there. */
static void rewrite_sysctls(struct plan *pl, uint32_t size)
{
	struct json_object *sysctl = spec_member(spec_member(pl->spec, "linux"), "sysctl");
	const char *v = spec_string(sysctl, "net.ipv4.ping_group_range");
	unsigned long lo, hi;
	char fixed[64];

	if (!v || sscanf(v, "%lu %lu", &lo, &hi) != 2 || hi < size)
		return;
	if (lo >= size) {
		json_object_object_del(sysctl, "net.ipv4.ping_group_range");
		return;
	}
	snprintf(fixed, sizeof(fixed), "%lu %lu", lo, (unsigned long)size - 1);
	spec_set_string(sysctl, "net.ipv4.ping_group_range", fixed);
}

static int rewrite_root(struct plan *pl, const struct rewrite_views *views, char **err)
{
	struct json_object *root = spec_member(pl->spec, "root");
	const char *path = spec_string(root, "path");
	_cleanup_free_ char *abs = NULL, *view = NULL;
	int r;

	if (!path)
		return error_set(err, -EINVAL, SPEC_ERROR ": root.path is missing");
	if (path_join(pl->bundle, path, &abs) < 0)
		return error_set(err, -ENOMEM, "%m");
	r = views->rootfs(views->userdata, abs, &view, err);
	if (r < 0)
		return r;
	spec_set_string(root, "path", view);
	return 0;
}

static int rewrite_mounts(struct plan *pl, const struct rewrite_views *views, char **err)
{
	struct json_object *mounts = spec_member(pl->spec, "mounts");

	for (size_t i = 0; i < pl->n_mounts; i++) {
		struct json_object *m = json_object_array_get_idx(mounts, i);
		_cleanup_free_ char *view = NULL;
		int r;

		if (!pl->sources[i])
			continue;
		r = views->bind(views->userdata, pl->sources[i], (unsigned)i,
				spec_mount_has_option(m, "rbind"), &view, err);
		if (r < 0)
			return r;
		spec_set_string(m, "source", view);
	}
	return 0;
}

int rewrite_spec(struct plan *pl, const struct cstate *s, const struct rewrite_views *views,
		 char **err)
{
	int r;

	rewrite_namespaces(pl, s);
	rewrite_sysctls(pl, s->uid_size);
	seccomp_add_moat_rules(pl->spec);
	r = rewrite_root(pl, views, err);
	return r < 0 ? r : rewrite_mounts(pl, views, err);
}
