/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap-release.c - undoing idmapped views (see idmap.h): lazy unmounts, then the
 * directories and the private bind of work_dir.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "fs-util.h"
#include "idmap-internal.h"
#include "idmap.h"
#include "macro.h"

/* ---- release ---- */

/* Unmount every mount at or below path, last mounted first. */
static int unmount_tree(const struct mountinfo *mi, const char *path)
{
	int r = 0;

	for (size_t i = mi->n; i > 0; i--) {
		const char *mp = mi->entries[i - 1].mount_point;

		if (!path_startswith(mp, path))
			continue;
		/* EINVAL/ENOENT: already gone with a parent detached before it. */
		if (umount2(mp, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
		    errno != ENOENT && r == 0)
			r = negative_errno();
	}
	return r;
}

/* Remove the tree at dirfd/name (overlayfs' workdir: a few levels at most). */
static int remove_tree_at(int dirfd, const char *name, unsigned depth)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int fd;

	if (depth > 8)
		return -ELOOP;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : negative_errno();
	d = fdopendir(fd);
	if (!d) {
		(void)close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR)
			(void)remove_tree_at(fd, de->d_name, depth + 1);
		else
			(void)unlinkat(fd, de->d_name, 0);
	}
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? negative_errno() : 0;
}

/*
 * Remove the mount points made under dir/sub: empty directories, and the
 * empty files made for file binds.  rmdir and unlink refuse a mount point and
 * rmdir a non-empty directory, so a mount that would not go never costs data.
 */
static void remove_mount_points(const char *dir, const char *sub)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int fd;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	fd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && !(d = fdopendir(fd)))
		(void)close(fd);
	while (d && (de = readdir(d))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			(void)unlinkat(fd, de->d_name, AT_REMOVEDIR);
		else if (S_ISREG(st.st_mode) && st.st_size == 0)
			(void)unlinkat(fd, de->d_name, 0);
	}
	(void)unlinkat(dfd, sub, AT_REMOVEDIR);
}

static int release_rootfs(const struct mountinfo *mi, const char *work_dir)
{
	_cleanup_free_ char *rootfs = NULL, *layers = NULL, *upper_parent = NULL;
	int r, k;

	if (asprintf(&rootfs, "%s/rootfs", work_dir) < 0 ||
	    asprintf(&layers, "%s/layers", work_dir) < 0 ||
	    asprintf(&upper_parent, "%s/layers/0", work_dir) < 0)
		return -ENOMEM;
	r = unmount_tree(mi, rootfs);
	/* Our overlay's workdir, while the upper's parent is still reachable. */
	if (r == 0 && mountinfo_find(mi, upper_parent)) {
		_cleanup_close_ int fd = open(upper_parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0)
			(void)remove_tree_at(fd, OVL_WORKDIR, 0);
	}
	k = unmount_tree(mi, layers);
	(void)rmdir(rootfs);
	remove_mount_points(work_dir, "layers");
	return r < 0 ? r : k;
}

static bool has_mounts_below(const struct mountinfo *mi, const char *dir)
{
	for (size_t i = 0; i < mi->n; i++) {
		const char *rel = path_startswith(mi->entries[i].mount_point, dir);

		if (rel && *rel)
			return true;
	}
	return false;
}

/* Unmount the private bind make_work_dir_private() put on dir. */
static int drop_private_bind(const struct mountinfo *mi, const char *dir)
{
	const struct mountinfo_entry *top = mountinfo_find(mi, dir);

	if (!top || mountinfo_is_shared(mi, top) ||
	    !mountinfo_is_self_bind(top, mountinfo_find_id(mi, top->parent_id)))
		return 0;
	return umount2(dir, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 ? negative_errno() : 0;
}

static int release_bind(const struct mountinfo *mi, const char *target)
{
	int r = unmount_tree(mi, target);
	struct stat st;

	if (r == 0 && lstat(target, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			(void)rmdir(target);
		else if (S_ISREG(st.st_mode) && st.st_size == 0)
			(void)unlink(target);
	}
	return r;
}

/* After a failed prepare: undo its part, and the private bind if nothing else is below it. */
void undo_prepare(const char *dir, const char *bind_target)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};

	if (mountinfo_read(&mi) < 0)
		return;
	if (bind_target)
		(void)release_bind(&mi, bind_target);
	else
		(void)release_rootfs(&mi, dir);
	mountinfo_done(&mi);
	if (mountinfo_read(&mi) < 0)
		return;
	if (!has_mounts_below(&mi, dir))
		(void)drop_private_bind(&mi, dir);
}

int idmap_release(const char *work_dir)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};
	_cleanup_free_ char *dir = NULL, *binds = NULL;
	int r, k;

	dir = realpath(work_dir, NULL);
	if (!dir)
		return errno == ENOENT ? 0 : negative_errno();
	r = mountinfo_read(&mi);
	if (r < 0)
		return r;
	if (asprintf(&binds, "%s/binds", dir) < 0)
		return -ENOMEM;
	r = release_rootfs(&mi, dir);
	k = unmount_tree(&mi, binds);
	remove_mount_points(dir, "binds");
	if (r == 0)
		r = k;
	k = drop_private_bind(&mi, dir);
	return r < 0 ? r : k;
}
