/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgroup.h - where a caller's cgroups are. A host may have cgroup2 only (the
 * QEMU guest: /sys/fs/cgroup) or be hybrid (this build machine: cgroup2 at
 * /sys/fs/cgroup/unified and the memory, cpu, cpuacct, cpuset and blkio
 * controllers as v1 hierarchies under /sys/fs/cgroup/<ctrl>). A hierarchy is
 * a directory fd (its root) and a caller's place in it a path relative to
 * that root, so renderers open "<root fd>/<path>/<file>", and tests hand in
 * fds of a fake tree.
 */
#ifndef MOAT_FSEMU_CGROUP_H
#define MOAT_FSEMU_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

enum cg_ctrl { CG_UNIFIED, CG_MEMORY, CG_CPU, CG_CPUACCT, CG_CPUSET, CG_BLKIO, CG_NR };

/* Root directory fds of the hierarchies, -1 where not mounted. */
struct cg_roots {
	int fd[CG_NR];
};

/* A process's cgroups: paths relative to each root ("" is the root itself),
 * NULL where the process is in no such hierarchy. */
struct cg_paths {
	char *path[CG_NR];
};

/* What a renderer reads a container's cgroup files through. */
struct cg_view {
	const struct cg_roots *roots;
	const struct cg_paths *paths;
};

void cg_roots_init(struct cg_roots *r);
/* v2_root: where cgroup2 is mounted (NULL: none); v1 hierarchies come from
 * mountinfo (the text of /proc/self/mountinfo; NULL: none). */
int cg_roots_open(struct cg_roots *r, const char *v2_root, const char *mountinfo);
void cg_roots_close(struct cg_roots *r);

/* Parse the text of /proc/PID/cgroup. */
int cg_paths_parse(const char *text, struct cg_paths *ret);
void cg_paths_free(struct cg_paths *p);
/* Every hierarchy the process is in, at its root: a host process. */
int cg_paths_is_root(const struct cg_paths *p);
/* A string naming exactly this set of cgroups ("<len>:<path>;" per
 * hierarchy, "-;" where absent); malloc'd, NULL on ENOMEM. */
char *cg_paths_key(const struct cg_paths *p);
/* The reverse of cg_paths_key. */
int cg_paths_from_key(const char *key, struct cg_paths *ret);

/* Does the view have hierarchy c (mounted, and the process in it)? */
int cg_has(const struct cg_view *v, enum cg_ctrl c);
/* Read <path>/<file> of hierarchy c; -ENOENT when absent. */
ssize_t cg_read_small(const struct cg_view *v, enum cg_ctrl c, const char *file, char *buf,
		      size_t size);
int cg_read_all(const struct cg_view *v, enum cg_ctrl c, const char *file, struct buf *b);
int cg_read_u64(const struct cg_view *v, enum cg_ctrl c, const char *file, uint64_t *ret);
/* The smallest value of file in the cgroup and its ancestors below the
 * root (cgroup2 limits are hierarchical: memory.max, memory.swap.max). */
int cg_read_u64_min_up(const struct cg_view *v, enum cg_ctrl c, const char *file, uint64_t *ret);

#endif
