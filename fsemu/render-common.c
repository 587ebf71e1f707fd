// SPDX-License-Identifier: LGPL-2.1-or-later
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "render.h"

renderer_fn renderer_get(enum renderer_id id)
{
	static const renderer_fn table[RENDER_NR] = {
		[RENDER_UPTIME] = render_uptime,	   [RENDER_MEMINFO] = render_meminfo,
		[RENDER_CPUINFO] = render_cpuinfo,	   [RENDER_STAT] = render_stat,
		[RENDER_LOADAVG] = render_loadavg,	   [RENDER_SWAPS] = render_swaps,
		[RENDER_DISKSTATS] = render_diskstats, [RENDER_CPU_ONLINE] = render_cpu_online,
	};

	return (unsigned)id < RENDER_NR ? table[id] : NULL;
}

struct host_cache {
	pthread_mutex_t lock;
	struct {
		const char *file;
		double until;
		struct buf text;
	} entry[4];
};

struct host_cache *host_cache_new(void)
{
	struct host_cache *hc = calloc(1, sizeof(*hc));

	if (hc)
		pthread_mutex_init(&hc->lock, NULL);
	return hc;
}

void host_cache_free(struct host_cache *hc)
{
	if (!hc)
		return;
	for (size_t i = 0; i < ELEMENTSOF(hc->entry); i++)
		buf_free(&hc->entry[i].text);
	pthread_mutex_destroy(&hc->lock);
	free(hc);
}

int host_proc_for_container(const struct render_ctx *ctx, const char *file, struct buf *out)
{
	struct host_cache *hc = ctx->host_cache;
	size_t i;
	int r = 0;

	if (!hc)
		return read_all_at(ctx->host->proc_fd, file, out);
	pthread_mutex_lock(&hc->lock);
	for (i = 0; i < ELEMENTSOF(hc->entry); i++)
		if (!hc->entry[i].file || strcmp(hc->entry[i].file, file) == 0)
			break;
	if (i == ELEMENTSOF(hc->entry)) {
		r = read_all_at(ctx->host->proc_fd, file, out);
	} else {
		hc->entry[i].file = file;
		if (ctx->now >= hc->entry[i].until) {
			buf_reset(&hc->entry[i].text);
			r = read_all_at(ctx->host->proc_fd, file, &hc->entry[i].text);
			hc->entry[i].until = r == 0 ? ctx->now + RENDER_CACHE_TTL : 0;
		}
		if (r == 0)
			r = buf_append(out, hc->entry[i].text.data, hc->entry[i].text.len);
	}
	pthread_mutex_unlock(&hc->lock);
	return r;
}

int render_host_proc(const struct render_ctx *ctx, const char *file, struct buf *out)
{
	return read_all_at(ctx->host->proc_fd, file, out);
}

int render_host_sys(const struct render_ctx *ctx, const char *file, struct buf *out)
{
	return read_all_at(ctx->host->sys_fd, file, out);
}

/* CPUs of the cpuset, or -ENOENT if the container has no cpuset to read. */
static int container_cpuset(const struct render_ctx *ctx, struct cpuset *ret)
{
	char text[4096];
	ssize_t n = cg_read_small(&ctx->cg, CG_CPUSET, "cpuset.effective_cpus", text, sizeof(text));

	if (n < 0)
		n = cg_read_small(&ctx->cg, CG_CPUSET, "cpuset.cpus", text, sizeof(text));
	if (n < 0)
		n = cg_read_small(&ctx->cg, CG_UNIFIED, "cpuset.cpus.effective", text,
				  sizeof(text));
	if (n < 0)
		return (int)n;
	return cpuset_parse(text, ret);
}

/* How many CPUs the CFS quota allows, 0 when there is no quota. */
static unsigned container_quota_cpus(const struct render_ctx *ctx)
{
	char text[128];
	unsigned long long quota, period;
	uint64_t q, p;

	if (cg_read_small(&ctx->cg, CG_UNIFIED, "cpu.max", text, sizeof(text)) > 0) {
		if (sscanf(text, "%llu %llu", &quota, &period) == 2 && period)
			return (unsigned)((quota + period - 1) / period);
		return 0; /* "max 100000" */
	}
	if (cg_read_u64(&ctx->cg, CG_CPU, "cpu.cfs_quota_us", &q) < 0 ||
	    cg_read_u64(&ctx->cg, CG_CPU, "cpu.cfs_period_us", &p) < 0 || p == 0)
		return 0; /* -1 reads as -ERANGE: no quota */
	return (unsigned)((q + p - 1) / p);
}

static int compute_cpus(const struct render_ctx *ctx, struct cpuset *ret)
{
	char text[4096];
	struct cpuset cs;
	unsigned quota;
	ssize_t n = read_small_at(ctx->host->sys_fd, "devices/system/cpu/online", text, sizeof(text));
	int r;

	if (n < 0)
		return (int)n;
	if ((r = cpuset_parse(text, ret)) < 0)
		return r;
	if (ctx->is_host)
		return 0;
	if (container_cpuset(ctx, &cs) == 0)
		cpuset_and(ret, &cs);
	quota = container_quota_cpus(ctx);
	if (quota)
		cpuset_keep_first(ret, quota);
	return 0;
}

int container_cpus(const struct render_ctx *ctx, struct cpuset *ret)
{
	struct limits_cache *lc = ctx->limits;
	int r;

	if (lc && ctx->now < lc->cpus_until) {
		*ret = lc->cpus;
		return 0;
	}
	if ((r = compute_cpus(ctx, ret)) < 0 || !lc)
		return r;
	lc->cpus = *ret;
	lc->cpus_until = ctx->now + RENDER_CACHE_TTL;
	return 0;
}

int container_cpu_time(const struct render_ctx *ctx, uint64_t *user_ns, uint64_t *system_ns)
{
	_cleanup_(buf_free) struct buf b = { 0 };
	uint64_t user = 0, sys = 0;

	/* the root cgroup's time is the whole host's: not a container's */
	if (cg_has(&ctx->cg, CG_CPUACCT) && !*ctx->cg.paths->path[CG_CPUACCT] &&
	    !(cg_has(&ctx->cg, CG_UNIFIED) && *ctx->cg.paths->path[CG_UNIFIED]))
		return -ENOENT;
	if (cg_has(&ctx->cg, CG_CPUACCT) && *ctx->cg.paths->path[CG_CPUACCT] &&
	    cg_read_all(&ctx->cg, CG_CPUACCT, "cpuacct.stat", &b) == 0) {
		const struct kv_want want[] = { { "user", &user }, { "system", &sys } };

		if (parse_kv(b.data, want, 2) != 2)
			return -EINVAL;
		*user_ns = user * (1000000000ull / (uint64_t)ctx->host->clk_tck);
		*system_ns = sys * (1000000000ull / (uint64_t)ctx->host->clk_tck);
		return 0;
	}
	buf_reset(&b);
	if (cg_has(&ctx->cg, CG_UNIFIED) && *ctx->cg.paths->path[CG_UNIFIED] &&
	    cg_read_all(&ctx->cg, CG_UNIFIED, "cpu.stat", &b) == 0) {
		const struct kv_want want[] = { { "user_usec", &user }, { "system_usec", &sys } };

		if (parse_kv(b.data, want, 2) != 2)
			return -EINVAL;
		*user_ns = user * 1000;
		*system_ns = sys * 1000;
		return 0;
	}
	return -ENOENT;
}

/* v1 limits: the hierarchical ones of memory.stat (the cgroup's and its
 * ancestors'), else the cgroup's own files. */
static void mem_v1_limits(const struct render_ctx *ctx, struct container_mem *m)
{
	_cleanup_(buf_free) struct buf b = { 0 };
	uint64_t mem = UINT64_MAX, memsw = UINT64_MAX;
	const struct kv_want want[] = { { "hierarchical_memory_limit", &mem },
					{ "hierarchical_memsw_limit", &memsw } };

	if (cg_read_all(&ctx->cg, CG_MEMORY, "memory.stat", &b) == 0)
		parse_kv(b.data, want, ELEMENTSOF(want));
	if (mem == UINT64_MAX)
		(void)cg_read_u64(&ctx->cg, CG_MEMORY, "memory.limit_in_bytes", &mem);
	if (memsw == UINT64_MAX)
		(void)cg_read_u64(&ctx->cg, CG_MEMORY, "memory.memsw.limit_in_bytes", &memsw);
	/* v1 reports "no limit" as a huge page-aligned number */
	m->limit = mem >= (UINT64_MAX >> 2) ? UINT64_MAX : mem;
	if (memsw < (UINT64_MAX >> 2) && memsw >= m->limit)
		m->swap_limit = memsw - m->limit;
}

static void mem_limits(const struct render_ctx *ctx, struct container_mem *m)
{
	struct limits_cache *lc = ctx->limits;

	if (lc && ctx->now < lc->mem_until) {
		m->limit = lc->mem_limit;
		m->swap_limit = lc->swap_limit;
		return;
	}
	if (m->v1) {
		mem_v1_limits(ctx, m);
	} else {
		(void)cg_read_u64_min_up(&ctx->cg, CG_UNIFIED, "memory.max", &m->limit);
		(void)cg_read_u64_min_up(&ctx->cg, CG_UNIFIED, "memory.swap.max", &m->swap_limit);
	}
	if (lc) {
		lc->mem_limit = m->limit;
		lc->swap_limit = m->swap_limit;
		lc->mem_until = ctx->now + RENDER_CACHE_TTL;
	}
}

int container_mem(const struct render_ctx *ctx, struct container_mem *m)
{
	int r;

	*m = (struct container_mem){ UINT64_MAX, 0, UINT64_MAX, UINT64_MAX, 0 };
	if (ctx->is_host)
		return -ENOENT;
	if (cg_has(&ctx->cg, CG_MEMORY)) {
		uint64_t memsw;

		m->v1 = 1;
		if ((r = cg_read_u64(&ctx->cg, CG_MEMORY, "memory.usage_in_bytes", &m->usage)) < 0)
			return r;
		mem_limits(ctx, m);
		if (m->swap_limit != UINT64_MAX &&
		    cg_read_u64(&ctx->cg, CG_MEMORY, "memory.memsw.usage_in_bytes", &memsw) == 0)
			m->swap_usage = memsw > m->usage ? memsw - m->usage : 0;
		return 0;
	}
	if ((r = cg_read_u64(&ctx->cg, CG_UNIFIED, "memory.current", &m->usage)) < 0)
		return r;
	mem_limits(ctx, m);
	if (cg_read_u64(&ctx->cg, CG_UNIFIED, "memory.swap.current", &m->swap_usage) < 0)
		m->swap_usage = UINT64_MAX;
	return 0;
}
