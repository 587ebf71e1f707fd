/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap-mountinfo.c - the mount table of /proc/self/mountinfo for idmap.c:
 * read whole, each line split by lib/mountinfo.h; lookups, self binds.
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

/* For idmap-ovlopts.c: super options keep mountinfo's octal escapes. */
int octal_at(const char *s)
{
	if (s[0] != '\\' || s[1] < '0' || s[1] > '3' || s[2] < '0' || s[2] > '7' || s[3] < '0' ||
	    s[3] > '7')
		return -1;
	return (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
}

/*
 * Whether a raw line's optional fields hold "shared:N" (lib/mountinfo.h
 * skips them). Paths are escaped and options have no blank, so a field
 * starting " shared:" before the first " - " is one of them.
 */
static bool line_is_shared(const char *line)
{
	const char *sep = strstr(line, " - "), *tag = strstr(line, " shared:");

	return sep && tag && tag < sep;
}

void mountinfo_done(struct mountinfo *mi)
{
	free(mi->buf);
	free(mi->entries);
	free(mi->shared);
	*mi = (struct mountinfo){};
}

static int mountinfo_grow(struct mountinfo *mi, size_t cap)
{
	struct mountinfo_entry *e = realloc(mi->entries, cap * sizeof(*e));
	bool *shared;

	if (!e)
		return -ENOMEM;
	mi->entries = e;
	shared = realloc(mi->shared, cap * sizeof(*shared));
	if (!shared)
		return -ENOMEM;
	mi->shared = shared;
	return 0;
}

int mountinfo_parse(char *text, struct mountinfo *ret)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = { .buf = text };
	size_t cap = 0;
	char *p = text, *line;
	int r;

	while ((line = strsep(&p, "\n"))) {
		if (!*line)
			continue;
		if (mi.n == cap) {
			r = mountinfo_grow(&mi, cap = cap ? cap * 2 : 64);
			if (r < 0)
				return r;
		}
		mi.shared[mi.n] = line_is_shared(line);
		r = mountinfo_parse_line(line, &mi.entries[mi.n]);
		if (r < 0)
			return r;
		mi.n++;
	}
	*ret = mi;
	mi = (struct mountinfo){};
	return 0;
}

int mountinfo_read(struct mountinfo *ret)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, cap = 16384;
	ssize_t n;

	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	while ((n = read(fd, buf + size, cap - size - 1)) != 0) {
		if (n < 0)
			return negative_errno();
		size += n;
		if (size == cap - 1) {
			char *b = realloc(buf, cap * 2);

			if (!b)
				return -ENOMEM;
			buf = b;
			cap *= 2;
		}
	}
	buf[size] = '\0';
	return mountinfo_parse(TAKE_PTR(buf), ret);
}

const struct mountinfo_entry *mountinfo_find(const struct mountinfo *mi, const char *path)
{
	for (size_t i = mi->n; i > 0; i--)
		if (strcmp(mi->entries[i - 1].mount_point, path) == 0)
			return &mi->entries[i - 1];
	return NULL;
}

const struct mountinfo_entry *mountinfo_find_id(const struct mountinfo *mi, int id)
{
	for (size_t i = 0; i < mi->n; i++)
		if (mi->entries[i].mnt_id == id)
			return &mi->entries[i];
	return NULL;
}

bool mountinfo_is_shared(const struct mountinfo *mi, const struct mountinfo_entry *e)
{
	return mi->shared[e - mi->entries];
}

bool mountinfo_is_self_bind(const struct mountinfo_entry *e, const struct mountinfo_entry *parent)
{
	const char *rel, *root_rel;

	if (!parent || e->major != parent->major || e->minor != parent->minor)
		return false;
	rel = path_startswith(e->mount_point, parent->mount_point);
	/* e->root must be parent->root + rel ("/" + "a" = "/a"; "/x" + "" = "/x"). */
	root_rel = path_startswith(e->root, parent->root);
	return rel && root_rel && strcmp(root_rel, rel) == 0;
}
