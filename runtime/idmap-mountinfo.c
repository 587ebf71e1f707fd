/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap-mountinfo.c - parsing /proc/self/mountinfo (see idmap.h): lines, octal escapes,
 * lookups, self binds.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "idmap-internal.h"
#include "idmap.h"
#include "macro.h"

/* ---- mountinfo ---- */

int octal_at(const char *s)
{
	if (s[0] != '\\' || s[1] < '0' || s[1] > '3' || s[2] < '0' || s[2] > '7' || s[3] < '0' ||
	    s[3] > '7')
		return -1;
	return (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
}

void mountinfo_unescape(char *s)
{
	char *d = s;

	while (*s) {
		int c = octal_at(s);

		if (c > 0) {
			*d++ = (char)c;
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *ret)
{
	struct mountinfo_entry e = {};
	char *field[5], *tok;

	/* id parent major:minor root mount_point options [optional...] - fstype source super */
	for (size_t i = 0; i < ELEMENTSOF(field); i++) {
		field[i] = strsep(&line, " ");
		if (!field[i] || !line)
			return -EBADMSG;
	}
	if (sscanf(field[0], "%d", &e.id) != 1 || sscanf(field[1], "%d", &e.parent_id) != 1 ||
	    sscanf(field[2], "%u:%u", &e.major, &e.minor) != 2)
		return -EBADMSG;
	e.root = field[3];
	e.mount_point = field[4];
	(void)strsep(&line, " "); /* per-mount options */
	for (;;) {
		tok = strsep(&line, " ");
		if (!tok || !line)
			return -EBADMSG;
		if (strcmp(tok, "-") == 0)
			break;
		if (strncmp(tok, "shared:", 7) == 0)
			e.shared = true;
	}
	e.fstype = strsep(&line, " ");
	e.source = strsep(&line, " ");
	e.super_options = line;
	if (!e.source || !e.super_options)
		return -EBADMSG;
	mountinfo_unescape(e.root);
	mountinfo_unescape(e.mount_point);
	mountinfo_unescape(e.fstype);
	mountinfo_unescape(e.source);
	*ret = e;
	return 0;
}

void mountinfo_done(struct mountinfo *mi)
{
	free(mi->buf);
	free(mi->entries);
	*mi = (struct mountinfo){};
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
			struct mountinfo_entry *n;

			cap = cap ? cap * 2 : 64;
			n = realloc(mi.entries, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			mi.entries = n;
		}
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
		if (mi->entries[i].id == id)
			return &mi->entries[i];
	return NULL;
}

/* path below (or at) dir: "" for dir itself, "/x/y" below it, NULL elsewhere. */
const char *path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return strcmp(path, "/") == 0 ? "" : path;
	if (strncmp(path, dir, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return NULL;
	return path + n;
}

bool mountinfo_is_self_bind(const struct mountinfo_entry *e, const struct mountinfo_entry *parent)
{
	const char *rel;
	size_t n;

	if (!parent || e->major != parent->major || e->minor != parent->minor)
		return false;
	rel = path_below(e->mount_point, parent->mount_point);
	if (!rel)
		return false;
	/* e->root must be parent->root + rel ("/" + "/a" = "/a"; "/x" + "" = "/x"). */
	n = strcmp(parent->root, "/") == 0 ? 0 : strlen(parent->root);
	if (strncmp(e->root, parent->root, n) != 0)
		return false;
	if (*rel == '\0')
		return strcmp(e->root + n, n ? "" : "/") == 0;
	return strcmp(e->root + n, rel) == 0;
}
