// SPDX-License-Identifier: LGPL-2.1-or-later
/* seal.c - see seal.h. */
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "fs-util.h"
#include "macro.h"
#include "seal.h"
#include "spec.h"

/* Strictly below dir (not dir itself). */
static bool under_dir(const char *path, const char *dir)
{
	const char *rest = path_startswith(path, dir);

	return rest && *rest;
}

/* A clean absolute destination: no "." or ".." components, no "//". */
static bool clean_path(const char *p)
{
	if (!p || p[0] != '/')
		return false;
	for (const char *c = p; *c; c++)
		if (c[0] == '/' && (c[1] == '/' || (c[1] == '.' && (c[2] == '/' || c[2] == 0 ||
								    (c[2] == '.' && (c[3] == '/' || c[3] == 0))))))
			return false;
	return true;
}

static int make_view_readonly(const char *view, const char *id, char **err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (syscall(SYS_mount_setattr, AT_FDCWD, view, AT_SYMLINK_NOFOLLOW, &attr, sizeof(attr)) < 0)
		return error_set(err, -errno, "cannot make the view %s of container %s read-only: %m",
				 view, id);
	return 0;
}

/* The index of the rbind view mount (before limit) whose destination holds
 * dest most closely, or -1. */
static int enclosing_view(struct json_object *mounts, size_t limit, const char *dest,
			  const char *view_dir)
{
	size_t best_len = 0;
	int best = -1;

	for (size_t i = 0; i < limit; i++) {
		struct json_object *m = json_object_array_get_idx(mounts, i);
		const char *d = spec_string(m, "destination"), *src = spec_string(m, "source");
		size_t n = d ? strlen(d) : 0;

		if (!spec_mount_is_bind(m) || !spec_mount_has_option(m, "rbind") || !src ||
		    !under_dir(src, view_dir) || !clean_path(d))
			continue;
		while (n > 1 && d[n - 1] == '/')
			n--;
		if (n >= best_len && strncmp(dest, d, n) == 0 && (dest[n] == '/' || n == 1) &&
		    dest[n + (n > 1)] != 0) {
			best = (int)i;
			best_len = n;
		}
	}
	return best;
}

/* Mount the backstop over rel under view, resolved without leaving it and
 * without symlinks; 0 (nothing done) when there is no such place. */
static int place_backstop(const char *view, const char *rel, const char *id, char **err)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int root = open(view, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	char target[64];
	struct stat st;
	int r;

	if (root < 0)
		return error_set(err, -errno, "cannot open the view %s of container %s: %m", view, id);
	fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP || errno == EXDEV || errno == ENOTDIR ? 0 :
		       error_set(err, -errno, "cannot open %s in the view %s of container %s: %m", rel,
				 view, id);
	if (fstat(fd, &st) < 0)
		return error_set(err, -errno, "cannot stat %s in the view %s: %m", rel, view);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (S_ISDIR(st.st_mode))
		r = mount("moat-backstop", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=0555,nr_inodes=1,size=4k");
	else
		r = mount("/dev/null", target, NULL, MS_BIND, NULL);
	if (r < 0)
		return error_set(err, -errno, "cannot cover %s in the view %s of container %s: %m",
				 rel, view, id);
	return 0;
}

/* A backstop for dest if an earlier rbind view holds it. */
static int cover(struct json_object *mounts, size_t limit, const char *dest, const char *view_dir,
		 const char *id, char **err)
{
	struct json_object *m;
	const char *d;
	size_t n;
	int i;

	if (!clean_path(dest) || (i = enclosing_view(mounts, limit, dest, view_dir)) < 0)
		return 0;
	m = json_object_array_get_idx(mounts, (size_t)i);
	d = spec_string(m, "destination");
	n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		n--;
	return place_backstop(spec_string(m, "source"), dest + n + (n > 1), id, err);
}

int seal_views(struct json_object *spec, const char *view_dir, const char *id, char **err)
{
	struct json_object *mounts = spec_member(spec, "mounts");
	struct json_object *masked = spec_member(spec_member(spec, "linux"), "maskedPaths");
	size_t n = mounts && json_object_is_type(mounts, json_type_array) ?
		   json_object_array_length(mounts) : 0;
	int r;

	for (size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(mounts, i);
		const char *src = spec_string(m, "source");

		if (spec_mount_is_bind(m) && src && under_dir(src, view_dir) &&
		    spec_mount_has_option(m, "ro") && (r = make_view_readonly(src, id, err)) < 0)
			return r;
		if ((r = cover(mounts, i, spec_string(m, "destination"), view_dir, id, err)) < 0)
			return r;
	}
	for (size_t i = 0; masked && json_object_is_type(masked, json_type_array) &&
			   i < json_object_array_length(masked); i++) {
		const char *p = json_object_get_string(json_object_array_get_idx(masked, i));

		if ((r = cover(mounts, n, p, view_dir, id, err)) < 0)
			return r;
	}
	return 0;
}
