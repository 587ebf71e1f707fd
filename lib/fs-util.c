// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"

const char *path_startswith(const char *path, const char *prefix)
{
	if ((path[0] == '/') != (prefix[0] == '/'))
		return NULL;
	for (;;) {
		size_t a, b;

		path += strspn(path, "/");
		prefix += strspn(prefix, "/");
		if (*prefix == '\0')
			return path;
		a = strcspn(path, "/");
		b = strcspn(prefix, "/");
		if (a != b || memcmp(path, prefix, a) != 0)
			return NULL;
		path += a;
		prefix += b;
	}
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

/* mkdir, telling made when the directory is new. */
static int mkdir_one(const char *dir, mode_t mode, mkdir_made_fn made, void *userdata)
{
	if (mkdir(dir, mode) < 0)
		return errno == EEXIST ? 0 : negative_errno();
	return made ? made(dir, userdata) : 0;
}

int mkdir_parents_full(const char *path, mode_t parents_mode, mode_t mode, mkdir_made_fn made,
		       void *userdata)
{
	_cleanup_free_ char *p = strdup(path);
	int r;

	if (!p)
		return -ENOMEM;
	for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
		p[n - 1] = '\0';
	for (char *s = p + 1; *s; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		r = mkdir_one(p, parents_mode, made, userdata);
		*s = '/';
		if (r < 0)
			return r;
	}
	return mkdir_one(p, mode, made, userdata);
}

int mkdir_mode(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return negative_errno();
	if (chmod(path, mode) < 0)
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

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0)
			return negative_errno();
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_data_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (asprintf(&tmp, "%s.moat-XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	r = write_all(fd, data, len);
	if (r >= 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0))
		r = negative_errno();
	if (r < 0)
		(void)unlink(tmp);
	return r;
}
