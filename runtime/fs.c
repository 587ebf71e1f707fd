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

bool path_is_inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int path_join(const char *base, const char *rel, char **ret)
{
	int r;

	if (rel[0] == '/')
		r = asprintf(ret, "%s", rel);
	else
		r = asprintf(ret, "%s/%s", base, rel);
	return r < 0 ? -ENOMEM : 0;
}

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

int mkdir_mode(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return negative_errno();
	if (chmod(path, mode) < 0)
		return negative_errno();
	return 0;
}

int mkdir_parents(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return negative_errno();
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return negative_errno();
	return 0;
}

int read_file(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return negative_errno();
	do {
		if (cap - len < 4096) {
			char *b = realloc(buf, cap += 65536);
			if (!b)
				return -ENOMEM;
			buf = b;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f))
		return -EIO;
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}

int write_file_atomic(const char *path, const char *data, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = strlen(data);

	if (asprintf(&tmp, "%s.tmp.%d", path, getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return negative_errno();
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			int r = negative_errno();
			(void)unlink(tmp);
			return r;
		}
		data += n, len -= n;
	}
	if (rename(tmp, path) < 0) {
		int r = negative_errno();
		(void)unlink(tmp);
		return r;
	}
	return 0;
}

struct last_below {
	const char *dir;
	char *point;
};

static int remember_below(const struct mountinfo_entry *e, void *userdata)
{
	struct last_below *l = userdata;

	if (!path_is_inside(e->mount_point, l->dir))
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
