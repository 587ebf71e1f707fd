/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fsemu-fake.h - a fake host (/proc, /sys, cgroup hierarchies) in a temporary
 * directory, for the moat-fs renderer tests. */
#ifndef MOAT_TEST_FSEMU_FAKE_H
#define MOAT_TEST_FSEMU_FAKE_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render.h"

struct fake {
	char root[64];
	struct fsemu_host host;
	struct cg_roots roots;
	struct cg_paths paths;
	struct render_ctx ctx;
	struct buf out;
};

static inline void fake_mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0755);
			*p = '/';
		}
	mkdir(tmp, 0755);
}

/* Write content to root/rel, creating directories. */
static inline void fake_put(struct fake *f, const char *rel, const char *content)
{
	char path[PATH_MAX], dir[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = 0;
	fake_mkdirs(dir);
	fp = fopen(path, "w");
	if (!fp)
		abort();
	fputs(content, fp);
	fclose(fp);
}

static inline int fake_open_dir(struct fake *f, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	fake_mkdirs(path);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* A fake with "proc", "sys" and the hierarchies cg/<name>; the container's
 * paths are set by the test (fake_in). */
static inline struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	static const char *const names[CG_NR] = { "unified", "memory", "cpu",
						  "cpuacct", "cpuset", "blkio" };

	snprintf(f->root, sizeof(f->root), "/tmp/test-fsemu.XXXXXX");
	if (!mkdtemp(f->root))
		abort();
	f->host.proc_fd = fake_open_dir(f, "proc");
	f->host.sys_fd = fake_open_dir(f, "sys");
	f->host.clk_tck = 100;
	cg_roots_init(&f->roots);
	for (int c = 0; c < CG_NR; c++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "cg/%s", names[c]);
		f->roots.fd[c] = fake_open_dir(f, rel);
	}
	fake_put(f, "sys/devices/system/cpu/online", "0-3\n");
	f->ctx = (struct render_ctx){ .host = &f->host, .cg = { &f->roots, &f->paths },
				      .now = 1000, .init_start = -1 };
	return f;
}

/* The container is in hierarchy c at path (NULL: not in it). */
static inline void fake_in(struct fake *f, enum cg_ctrl c, const char *path)
{
	free(f->paths.path[c]);
	f->paths.path[c] = path ? strdup(path) : NULL;
}

static inline void fake_free(struct fake *f)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		abort();
	cg_paths_free(&f->paths);
	for (int c = 0; c < CG_NR; c++)
		close(f->roots.fd[c]);
	close(f->host.proc_fd);
	close(f->host.sys_fd);
	buf_free(&f->out);
	free(f);
}

/* The value of "key:" in text, in kB (meminfo), or -1. */
static inline long long meminfo_kb(const char *text, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n%s:", key);
	p = strncmp(text, pat + 1, strlen(pat + 1)) == 0 ? text : strstr(text, pat);
	if (!p)
		return -1;
	p = strchr(p, ':') + 1;
	return atoll(p);
}

#endif
