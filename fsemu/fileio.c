// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

ssize_t read_small_at(int dirfd, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return negative_errno();
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		len += (size_t)n;
	}
	buf[len] = 0;
	return (ssize_t)len;
}

int read_all_at(int dirfd, const char *path, struct buf *b)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return negative_errno();
	for (;;) {
		if (buf_reserve(b, 4096) < 0)
			return -ENOMEM;
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	b->data[b->len] = 0;
	return 0;
}

int parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	while (isspace((unsigned char)*s))
		s++;
	if (strncmp(s, "max", 3) == 0) {
		*ret = UINT64_MAX;
		return 0;
	}
	if (*s == '-')
		return -ERANGE;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	*ret = v;
	return 0;
}

int read_u64_at(int dirfd, const char *path, uint64_t *ret)
{
	char buf[64];
	ssize_t n = read_small_at(dirfd, path, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return parse_u64(buf, ret);
}

/* The wanted entry whose key is line[0..len), or NULL. */
static const struct kv_want *kv_match(const char *line, size_t len, const struct kv_want *want,
				      size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(want[i].key, line, len) == 0 && want[i].key[len] == 0)
			return &want[i];
	return NULL;
}

int parse_kv(const char *text, const struct kv_want *want, size_t n)
{
	int found = 0;

	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t klen = strcspn(line, ": \t\n");
		const struct kv_want *w = kv_match(line, klen, want, n);

		if (w && line[klen] && line[klen] != '\n') {
			const char *v = line + klen;

			while (*v == ':' || *v == ' ' || *v == '\t')
				v++;
			if (parse_u64(v, w->val) == 0)
				found++;
		}
		line = eol ? eol + 1 : NULL;
	}
	return found;
}
