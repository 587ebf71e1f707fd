// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"

static const char *const ctrl_names[CG_NR] = {
	[CG_UNIFIED] = "", [CG_MEMORY] = "memory", [CG_CPU] = "cpu",
	[CG_CPUACCT] = "cpuacct", [CG_CPUSET] = "cpuset", [CG_BLKIO] = "blkio",
};

static int ctrl_by_name(const char *name, size_t len)
{
	for (int c = CG_MEMORY; c < CG_NR; c++)
		if (strlen(ctrl_names[c]) == len && strncmp(ctrl_names[c], name, len) == 0)
			return c;
	return -1;
}

void cg_roots_init(struct cg_roots *r)
{
	for (int c = 0; c < CG_NR; c++)
		r->fd[c] = -1;
}

void cg_roots_close(struct cg_roots *r)
{
	for (int c = 0; c < CG_NR; c++) {
		/* cpu and cpuacct may share one fd */
		for (int d = c + 1; d < CG_NR; d++)
			if (r->fd[d] == r->fd[c])
				r->fd[d] = -1;
		if (r->fd[c] >= 0)
			close(r->fd[c]);
		r->fd[c] = -1;
	}
}

/* mountinfo escapes blanks in paths as \040 and so on. */
static void unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
}

/* One mountinfo line: a v1 hierarchy mounted at its root gives its
 * controllers a root fd. */
static void roots_add_mount(struct cg_roots *r, char *line)
{
	char *f[10], *save = NULL, *sep = strstr(line, " - ");
	int n = 0, fd = -1;

	if (!sep)
		return;
	*sep = 0;
	for (char *t = strtok_r(line, " ", &save); t && n < 10; t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n < 5 || strcmp(f[3], "/") != 0 || strncmp(sep + 3, "cgroup ", 7) != 0)
		return;
	char *opts = strrchr(sep + 3, ' ');
	if (!opts)
		return;
	unescape_octal(f[4]);
	for (char *t = strtok_r(opts + 1, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int c = ctrl_by_name(t, strlen(t));

		if (c < 0 || r->fd[c] >= 0)
			continue;
		if (fd < 0)
			fd = open(f[4], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			r->fd[c] = fd;
	}
}

int cg_roots_open(struct cg_roots *r, const char *v2_root, const char *mountinfo)
{
	cg_roots_init(r);
	if (v2_root) {
		r->fd[CG_UNIFIED] = open(v2_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (r->fd[CG_UNIFIED] < 0)
			return negative_errno();
	}
	if (!mountinfo)
		return 0;
	_cleanup_free_ char *copy = strdup(mountinfo);
	if (!copy)
		return -ENOMEM;
	for (char *line = copy, *eol; line && *line; line = eol ? eol + 1 : NULL) {
		eol = strchr(line, '\n');
		if (eol)
			*eol = 0;
		roots_add_mount(r, line);
	}
	return 0;
}

void cg_paths_free(struct cg_paths *p)
{
	for (int c = 0; c < CG_NR; c++) {
		free(p->path[c]);
		p->path[c] = NULL;
	}
}

static int paths_set(struct cg_paths *p, int c, const char *path, size_t len)
{
	while (len && *path == '/')
		path++, len--;
	while (len && path[len - 1] == '/')
		len--;
	if (p->path[c])
		return 0;
	p->path[c] = strndup(path, len);
	return p->path[c] ? 0 : -ENOMEM;
}

/* "ID:CTRL,CTRL:PATH" */
static int parse_line(const char *line, size_t len, struct cg_paths *p)
{
	const char *c1 = memchr(line, ':', len), *c2, *ctrls;
	int r;

	if (!c1 || !(c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line))))
		return 0;
	ctrls = c1 + 1;
	if (c2 == ctrls)
		return strncmp(line, "0:", 2) == 0 ?
			       paths_set(p, CG_UNIFIED, c2 + 1, len - (size_t)(c2 + 1 - line)) :
			       0;
	for (const char *t = ctrls; t < c2;) {
		const char *e = memchr(t, ',', (size_t)(c2 - t));
		size_t tl = (size_t)((e ? e : c2) - t);
		int c = ctrl_by_name(t, tl);

		if (c >= 0 && (r = paths_set(p, c, c2 + 1, len - (size_t)(c2 + 1 - line))) < 0)
			return r;
		t = e ? e + 1 : c2;
	}
	return 0;
}

int cg_paths_parse(const char *text, struct cg_paths *ret)
{
	*ret = (struct cg_paths){ 0 };
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		int r = parse_line(line, len, ret);

		if (r < 0) {
			cg_paths_free(ret);
			return r;
		}
		line = eol ? eol + 1 : NULL;
	}
	return 0;
}

int cg_paths_is_root(const struct cg_paths *p)
{
	for (int c = 0; c < CG_NR; c++)
		if (p->path[c] && p->path[c][0])
			return 0;
	return 1;
}

char *cg_paths_key(const struct cg_paths *p)
{
	struct buf b = { 0 };

	for (int c = 0; c < CG_NR; c++) {
		int r = p->path[c] ? buf_printf(&b, "%zu:%s;", strlen(p->path[c]), p->path[c]) :
				     buf_puts(&b, "-;");
		if (r < 0) {
			buf_free(&b);
			return NULL;
		}
	}
	return b.data;
}

int cg_paths_from_key(const char *key, struct cg_paths *ret)
{
	*ret = (struct cg_paths){ 0 };
	for (int c = 0; c < CG_NR; c++) {
		char *end;
		unsigned long len;

		if (key[0] == '-' && key[1] == ';') {
			key += 2;
			continue;
		}
		len = strtoul(key, &end, 10);
		if (end == key || *end != ':' || strnlen(end + 1, len + 1) < len || end[1 + len] != ';')
			goto fail;
		if (!(ret->path[c] = strndup(end + 1, len)))
			goto fail;
		key = end + 2 + len;
	}
	if (*key == 0)
		return 0;
fail:
	cg_paths_free(ret);
	return -EINVAL;
}

int cg_has(const struct cg_view *v, enum cg_ctrl c)
{
	return v && v->roots->fd[c] >= 0 && v->paths->path[c];
}

/* "<path>/<file>" for hierarchy c into out; -ENOENT if c is absent. */
static int cg_path(const struct cg_view *v, enum cg_ctrl c, const char *file, char *out,
		   size_t size)
{
	const char *p;
	int n;

	if (!cg_has(v, c))
		return -ENOENT;
	p = v->paths->path[c];
	n = snprintf(out, size, "%s%s%s", p, *p ? "/" : "", file);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

ssize_t cg_read_small(const struct cg_view *v, enum cg_ctrl c, const char *file, char *buf,
		      size_t size)
{
	char path[PATH_MAX];
	int r = cg_path(v, c, file, path, sizeof(path));

	return r < 0 ? r : read_small_at(v->roots->fd[c], path, buf, size);
}

int cg_read_all(const struct cg_view *v, enum cg_ctrl c, const char *file, struct buf *b)
{
	char path[PATH_MAX];
	int r = cg_path(v, c, file, path, sizeof(path));

	return r < 0 ? r : read_all_at(v->roots->fd[c], path, b);
}

int cg_read_u64(const struct cg_view *v, enum cg_ctrl c, const char *file, uint64_t *ret)
{
	char path[PATH_MAX];
	int r = cg_path(v, c, file, path, sizeof(path));

	return r < 0 ? r : read_u64_at(v->roots->fd[c], path, ret);
}

int cg_read_u64_min_up(const struct cg_view *v, enum cg_ctrl c, const char *file, uint64_t *ret)
{
	char dir[PATH_MAX], path[PATH_MAX];
	uint64_t best = UINT64_MAX, val;
	int found = 0;

	if (!cg_has(v, c))
		return -ENOENT;
	if (snprintf(dir, sizeof(dir), "%s", v->paths->path[c]) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	/* "a/b", then "a"; the root itself has no limit files. */
	while (dir[0]) {
		char *slash;

		if (snprintf(path, sizeof(path), "%s/%s", dir, file) < (int)sizeof(path) &&
		    read_u64_at(v->roots->fd[c], path, &val) == 0) {
			found = 1;
			if (val < best)
				best = val;
		}
		slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			dir[0] = 0;
	}
	if (!found)
		return -ENOENT;
	*ret = best;
	return 0;
}
