// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fs.h"
#include "macro.h"
#include "mountinfo.h"

int path_canonical(const char *path, char **ret)
{
	_cleanup_free_ char *head = NULL;
	char *slash, *real;

	if (path[0] != '/')
		return -EINVAL;
	real = realpath(path, NULL);
	if (real) {
		*ret = real;
		return 0;
	}
	head = strdup(path);
	if (!head)
		return -ENOMEM;
	/* drop the last component and retry; "/" always resolves */
	while ((slash = strrchr(head, '/')) && slash != head) {
		*slash = '\0';
		real = realpath(head, NULL);
		if (real) {
			int r = asprintf(ret, "%s/%s", strcmp(real, "/") ? real : "",
					 path + (slash - head) + 1);
			free(real);
			return r < 0 ? -ENOMEM : 0;
		}
	}
	return asprintf(ret, "%s", path) < 0 ? -ENOMEM : 0;
}

struct last_below {
	const char *dir;
	char *point;
};

static int remember_below(const struct mountinfo_entry *e, void *userdata)
{
	struct last_below *l = userdata;

	if (!path_startswith(e->mount_point, l->dir))
		return 0;
	free(l->point);
	l->point = strdup(e->mount_point);
	return l->point ? 0 : -ENOMEM;
}

/* The mount point of the last mount at or below dir, in *ret (malloc'd). */
static int last_mount_below(const char *dir, char **ret)
{
	struct last_below l = { .dir = dir };
	int r = mountinfo_foreach_pid(0, remember_below, &l);

	if (r < 0) {
		free(l.point);
		return r;
	}
	*ret = l.point;
	return 0;
}

int umount_below(const char *dir)
{
	/* mountinfo lists children after their parents: unmount from the end */
	for (unsigned tries = 0; tries < 4096; tries++) {
		_cleanup_free_ char *point = NULL;
		int r = last_mount_below(dir, &point);

		if (r < 0)
			return r;
		if (!point)
			return 0;
		if (umount2(point, MNT_DETACH) < 0)
			return negative_errno();
	}
	return -EBUSY;
}

static int rm_rf_children(int dirfd, dev_t dev);

static int rm_rf_entry(int dirfd, const char *name, dev_t dev)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : negative_errno();
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
	if (st.st_dev != dev)
		return -EXDEV; /* a mount point: never descend into it */
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	r = rm_rf_children(TAKE_FD(fd), dev);
	if (r < 0)
		return r;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? negative_errno() : 0;
}

/* Takes ownership of dirfd. */
static int rm_rf_children(int dirfd, dev_t dev)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = negative_errno();
		close(dirfd);
		return r;
	}
	while (r >= 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = rm_rf_entry(dirfd, de->d_name, dev);
	}
	closedir(d);
	return r;
}

int rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : negative_errno();
	return rm_rf_entry(AT_FDCWD, path, st.st_dev);
}
