// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/cpuinfo and /sys/devices/system/cpu/online of a container: only the
 * CPUs it may use (container_cpus: the cpuset, cut to the CFS quota). CPUs
 * keep the host's numbers, so both files agree with sched_getaffinity(2),
 * taskset and /sys/devices/system/cpu/cpuN.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* The CPU number of a cpuinfo block ("processor\t: 3"), or -1. */
static long block_cpu(const char *block, size_t len)
{
	const char *colon;

	if (len < 10 || strncmp(block, "processor", 9) != 0)
		return -1;
	colon = memchr(block, ':', len);
	return colon ? strtol(colon + 1, NULL, 10) : -1;
}

int render_cpuinfo(const struct render_ctx *ctx, struct buf *out)
{
	_cleanup_(buf_free) struct buf host = { 0 };
	struct cpuset cpus;
	int r;

	if (ctx->is_host)
		return render_host_proc(ctx, "cpuinfo", out);
	if ((r = host_proc_for_container(ctx, "cpuinfo", &host)) < 0)
		return r;
	if (container_cpus(ctx, &cpus) < 0 || block_cpu(host.data, host.len) < 0)
		return buf_append(out, host.data, host.len);
	/* blocks are separated by an empty line */
	for (const char *b = host.data; *b;) {
		const char *end = strstr(b, "\n\n");
		size_t len = end ? (size_t)(end - b) + 2 : strlen(b);
		long cpu = block_cpu(b, len);

		if (cpu >= 0 && cpuset_has(&cpus, (unsigned)cpu) && (r = buf_append(out, b, len)) < 0)
			return r;
		b += len;
	}
	return 0;
}

int render_cpu_online(const struct render_ctx *ctx, struct buf *out)
{
	struct cpuset cpus;
	int r;

	if (ctx->is_host)
		return render_host_sys(ctx, "devices/system/cpu/online", out);
	if ((r = container_cpus(ctx, &cpus)) < 0 || (r = cpuset_format(&cpus, out)) < 0)
		return r;
	return buf_puts(out, "\n");
}
