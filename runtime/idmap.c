/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap.c - idmapped views of a container's rootfs and bind sources: the
 * mounts and the API.  Also: idmap-mountinfo.c (parsing mountinfo),
 * idmap-ovlopts.c (overlay options), idmap-overlay.c (the overlay rebuild),
 * idmap-release.c (undoing it all).
 *
 * An idmapped mount is open_tree(OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_IDMAP)
 * with a user namespace whose uid_map is "0 host_uid count" (the container's
 * own mapping) + move_mount.  overlayfs itself cannot be idmapped, but since
 * Linux 5.19 it accepts idmapped layers, so an overlay rootfs is rebuilt as a
 * new overlay over idmapped views of its layers.
 *
 * Layout under work_dir (the caller's, mode 0711):
 *   rootfs          the view handed to the runtime as root.path
 *   layers/0        idmapped upper's parent (upper and our workdir in it)
 *   layers/1..N     idmapped lower layers, read-only, top first
 *   binds/<index>   idmapped bind sources
 *
 * Propagation: anything attached under a shared mount is copied to all of that
 * mount's peers, whatever the propagation of the attached tree, and the host's
 * / is usually shared.  Our mounts would then show up in every namespace that
 * is a peer or slave of the host's (systemd services, and each container start
 * would add mounts to all of them).  So work_dir first becomes a private bind
 * of itself: that one bind is copied to the peers (harmless, and its unmount
 * propagates back to them since its parent stays shared), everything below it
 * stays in the caller's namespace.  Each view is private too, so mounts made
 * later under the source do not leak into the container's rootfs, or back.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "idmap-internal.h"
#include "idmap.h"
#include "macro.h"
#include "userns.h"

/* ---- mounts ---- */

/*
 * The user namespace of the last range asked for, kept open: one container
 * start makes its rootfs view and a bind view per volume with one range, and
 * each new namespace costs a clone and two wake-ups (0.15 ms, up to 1.5 ms on
 * a VM with idle CPUs).  Per thread, so no lock; O_CLOEXEC, so nothing the
 * caller executes inherits it.  The fd is borrowed: callers do not close it.
 */
static __thread struct {
	struct idmap_range range;
	int fd;
} userns_cache = { .fd = -1 };

static int range_userns(const struct idmap_range *r)
{
	int fd;

	if (userns_cache.fd >= 0 && memcmp(&userns_cache.range, r, sizeof(*r)) == 0)
		return userns_cache.fd;
	fd = userns_open(r->host_uid, r->host_gid, r->count);
	if (fd < 0)
		return fd;
	if (userns_cache.fd >= 0)
		(void)close(userns_cache.fd);
	userns_cache.range = *r;
	userns_cache.fd = fd;
	return fd;
}

static int check_range(const struct idmap_range *r)
{
	if (!r || r->count == 0 || r->host_uid == 0 || r->host_gid == 0 ||
	    r->host_uid > UINT32_MAX - r->count || r->host_gid > UINT32_MAX - r->count)
		return -EINVAL;
	return 0;
}

int mkdir_ok(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0)
		return errno == EEXIST ? 0 : negative_errno();
	/* mkdir honours the umask; the container's root must traverse what we make */
	return chmod(path, mode) < 0 ? negative_errno() : 0;
}

/* A view of src (its mount only, not submounts) at the existing target, idmapped and private. */
int idmap_mount(const char *src, const char *target, int userns_fd, bool rdonly)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP | (rdonly ? MOUNT_ATTR_RDONLY : 0),
		.userns_fd = userns_fd,
		.propagation = MS_PRIVATE,
	};
	_cleanup_close_ int fd = -1;

	fd = syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return negative_errno();
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return negative_errno();
	return 0;
}

/* Make work_dir a private mount (a bind of itself) unless it already is (see the top). */
static int make_work_dir_private(const char *work_dir, const struct mountinfo *mi)
{
	const struct mountinfo_entry *top = mountinfo_find(mi, work_dir);

	if (top && !mountinfo_is_shared(mi, top) &&
	    mountinfo_is_self_bind(top, mountinfo_find_id(mi, top->parent_id)))
		return 0;
	if (mount(work_dir, work_dir, NULL, MS_BIND, NULL) < 0)
		return negative_errno();
	if (mount(NULL, work_dir, NULL, MS_PRIVATE, NULL) < 0) {
		int r = negative_errno();

		(void)umount2(work_dir, MNT_DETACH);
		return r;
	}
	return 0;
}

/* Canonical work_dir, made a private mount; mi is read for the caller too. */
static int open_work_dir(const char *work_dir, char **ret_dir, struct mountinfo *ret_mi)
{
	_cleanup_free_ char *dir = realpath(work_dir, NULL);
	int r;

	if (!dir)
		return negative_errno();
	r = mountinfo_read(ret_mi);
	if (r < 0)
		return r;
	r = make_work_dir_private(dir, ret_mi);
	if (r < 0) {
		mountinfo_done(ret_mi);
		return r;
	}
	*ret_dir = TAKE_PTR(dir);
	return 0;
}

/* ---- API ---- */

int idmap_prepare_rootfs(const char *root_path, const char *work_dir, const struct idmap_range *range,
			 char **ret)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};
	_cleanup_free_ char *root = NULL, *dir = NULL, *target = NULL;
	const struct mountinfo_entry *e;
	int r, userns_fd = -1;

	r = check_range(range);
	if (r < 0)
		return r;
	root = realpath(root_path, NULL);
	if (!root)
		return negative_errno();
	r = open_work_dir(work_dir, &dir, &mi);
	if (r < 0)
		return r;
	if (asprintf(&target, "%s/rootfs", dir) < 0)
		return -ENOMEM;
	if (mountinfo_find(&mi, target))
		return -EBUSY;
	r = mkdir_ok(target, 0711);
	if (r >= 0) {
		userns_fd = range_userns(range);
		r = userns_fd;
	}
	if (r >= 0) {
		e = mountinfo_find(&mi, root);
		if (is_overlay_root(e))
			r = prepare_overlay(e, root, dir, target, range, userns_fd);
		else
			r = idmap_mount(root, target, userns_fd, false);
	}
	if (r < 0) {
		undo_prepare(dir, NULL);
		return r;
	}
	*ret = TAKE_PTR(target);
	return 0;
}

/* An empty file or directory to mount a bind source of that kind on. */
static int make_mount_point(const char *path, bool dir)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) == 0 && !!S_ISDIR(st.st_mode) != dir &&
	    (S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path)) < 0)
		return negative_errno();
	if (dir)
		return mkdir_ok(path, 0711);
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return negative_errno();
	(void)close(fd);
	return 0;
}

int idmap_prepare_bind(const char *src, const char *work_dir, unsigned index,
		       const struct idmap_range *range, char **ret)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};
	_cleanup_free_ char *dir = NULL, *binds = NULL, *target = NULL;
	struct stat st;
	int r, userns_fd = -1;

	r = check_range(range);
	if (r < 0)
		return r;
	if (stat(src, &st) < 0)
		return negative_errno();
	r = open_work_dir(work_dir, &dir, &mi);
	if (r < 0)
		return r;
	if (asprintf(&binds, "%s/binds", dir) < 0 || asprintf(&target, "%s/%u", binds, index) < 0)
		return -ENOMEM;
	if (mountinfo_find(&mi, target))
		return -EBUSY;
	r = mkdir_ok(binds, 0711);
	if (r >= 0)
		r = make_mount_point(target, S_ISDIR(st.st_mode));
	if (r >= 0) {
		userns_fd = range_userns(range);
		r = userns_fd;
	}
	if (r >= 0)
		r = idmap_mount(src, target, userns_fd, false);
	if (r < 0) {
		undo_prepare(dir, target);
		return r;
	}
	*ret = TAKE_PTR(target);
	return 0;
}

/* 1 if path's filesystem takes an idmap, 0 if not; the detached copy goes with its fd. */
int idmap_probe(const char *path, int userns_fd)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = userns_fd };
	_cleanup_close_ int fd = -1;

	fd = syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0)
		return errno == ENOSYS ? 0 : negative_errno();
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return errno == EINVAL || errno == ENOSYS ? 0 : negative_errno();
	return 1;
}

int idmap_supported(const char *path)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};
	_cleanup_free_ char *p = NULL;
	const struct idmap_range probe_range = { 65534, 65534, 1 };
	const struct mountinfo_entry *e;
	int r, userns_fd;

	p = realpath(path, NULL);
	if (!p)
		return negative_errno();
	r = mountinfo_read(&mi);
	if (r < 0)
		return r;
	userns_fd = range_userns(&probe_range);
	if (userns_fd < 0)
		return userns_fd;
	e = mountinfo_find(&mi, p);
	return is_overlay_root(e) ? probe_overlay(e, p, userns_fd) : idmap_probe(p, userns_fd);
}
