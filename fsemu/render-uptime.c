// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/uptime of a container: the time since the init of the caller's pid
 * namespace started, and as idle time what its CPUs did not spend on the
 * container: uptime * CPUs - the cgroup's CPU time (the kernel's second
 * field is likewise summed over CPUs). A caller in the host's pid namespace
 * gets the host's file.
 */
#include <inttypes.h>

#include "render.h"

static int print_seconds_pair(struct buf *out, double a, double b)
{
	uint64_t ca = (uint64_t)(a * 100), cb = (uint64_t)(b * 100);

	return buf_printf(out, "%" PRIu64 ".%02u %" PRIu64 ".%02u\n", ca / 100,
			  (unsigned)(ca % 100), cb / 100, (unsigned)(cb % 100));
}

int render_uptime(const struct render_ctx *ctx, struct buf *out)
{
	struct cpuset cpus;
	uint64_t user = 0, sys = 0;
	double up, idle;

	if (ctx->init_start < 0)
		return render_host_proc(ctx, "uptime", out);
	up = ctx->now > ctx->init_start ? ctx->now - ctx->init_start : 0;
	idle = up;
	if (container_cpus(ctx, &cpus) == 0 && cpuset_count(&cpus) > 0)
		idle = up * cpuset_count(&cpus);
	if (!ctx->is_host && container_cpu_time(ctx, &user, &sys) == 0)
		idle -= (double)(user + sys) / 1e9;
	if (idle < 0)
		idle = 0;
	return print_seconds_pair(out, up, idle);
}
