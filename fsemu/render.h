/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * render.h - one renderer per emulated file. A renderer builds the whole
 * content of the file for one caller into a buffer; the FUSE layer calls it
 * when the caller reads at offset 0 and serves later reads from that buffer.
 * Renderers read the host's /proc and /sys and the caller's cgroup files
 * through directory fds only, so the unit tests run them on a fake tree.
 * They return 0 or a negative errno.
 */
#ifndef MOAT_FSEMU_RENDER_H
#define MOAT_FSEMU_RENDER_H

#include <stdint.h>

#include "buf.h"
#include "cgroup.h"
#include "cpuset.h"
#include "fsemu-files.h" /* enum renderer_id */

struct fsemu_host {
	int proc_fd; /* the host's /proc */
	int sys_fd;  /* the host's /sys */
	long clk_tck; /* USER_HZ, the unit of /proc/stat and cpuacct.stat */
};

/* Exponential moving averages of a container's runnable tasks, the way the
 * kernel computes /proc/loadavg, but sampled when the file is read. */
struct loadavg_state {
	double avg[3];
	double last; /* CLOCK_BOOTTIME of the last sample; 0: never sampled */
};

/* What changes seldom, kept for RENDER_CACHE_TTL seconds: a container's
 * limits (so a limit change shows within a second), and the host files a
 * container's view is built on (/proc/meminfo's other lines, cpuinfo). */
#define RENDER_CACHE_TTL 1.0

struct limits_cache {
	double cpus_until, mem_until;
	struct cpuset cpus;
	uint64_t mem_limit, swap_limit;
};

struct host_cache; /* render-common.c */
struct host_cache *host_cache_new(void);
void host_cache_free(struct host_cache *hc);

struct render_ctx {
	const struct fsemu_host *host;
	struct cg_view cg;
	int is_host;       /* the caller is in no container: show the host's files */
	double now;        /* CLOCK_BOOTTIME, in seconds */
	double init_start; /* CLOCK_BOOTTIME at which the init of the caller's
			    * pid namespace started; < 0 in the host's */
	struct loadavg_state *load; /* the container's, locked by the caller; may be NULL */
	struct limits_cache *limits; /* the container's, locked by the caller; may be NULL */
	struct host_cache *host_cache; /* may be NULL: read the host's files every time */
};

typedef int (*renderer_fn)(const struct render_ctx *ctx, struct buf *out);

int render_uptime(const struct render_ctx *ctx, struct buf *out);
int render_meminfo(const struct render_ctx *ctx, struct buf *out);
int render_cpuinfo(const struct render_ctx *ctx, struct buf *out);
int render_stat(const struct render_ctx *ctx, struct buf *out);
int render_loadavg(const struct render_ctx *ctx, struct buf *out);
int render_swaps(const struct render_ctx *ctx, struct buf *out);
int render_diskstats(const struct render_ctx *ctx, struct buf *out);
int render_cpu_online(const struct render_ctx *ctx, struct buf *out);

/* The renderer for an id, and the host file it emulates ("proc/meminfo"). */
renderer_fn renderer_get(enum renderer_id id);

/* --- shared by the renderers (render-common.c) --- */

/* The CPUs a container may use: the host's online CPUs, within its cpuset,
 * cut to ceil(quota/period) CPUs (the lowest ones) when a CFS quota is set. */
int container_cpus(const struct render_ctx *ctx, struct cpuset *ret);
/* The container's CPU time in nanoseconds; -ENOENT when not accounted. */
int container_cpu_time(const struct render_ctx *ctx, uint64_t *user_ns, uint64_t *system_ns);

/* The container's memory and swap, in bytes; UINT64_MAX for "no limit". */
struct container_mem {
	uint64_t limit, usage;
	uint64_t swap_limit, swap_usage; /* swap_usage UINT64_MAX: not accounted */
	int v1;
};
/* -ENOENT when the caller has no memory cgroup to read (show the host's). */
int container_mem(const struct render_ctx *ctx, struct container_mem *ret);

/* The host's /proc/<file> for building a container's view: from the host
 * cache when there is one (a host caller's copy is always read afresh). */
int host_proc_for_container(const struct render_ctx *ctx, const char *file, struct buf *out);
/* Copy the host's file (relative to the host's /proc or /sys) into out. */
int render_host_proc(const struct render_ctx *ctx, const char *file, struct buf *out);
int render_host_sys(const struct render_ctx *ctx, const char *file, struct buf *out);

#endif
