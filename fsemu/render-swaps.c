// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/swaps of a container: the header only when the host has no swap or
 * the container may not swap (a swap limit of 0); otherwise one "none
 * virtual" line sized like SwapTotal/SwapFree in its /proc/meminfo (the swap
 * limit, at most the host's swap, and the cgroup's swap usage).
 */
#include <inttypes.h>

#include "fileio.h"
#include "render.h"

static const char header[] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

int render_swaps(const struct render_ctx *ctx, struct buf *out)
{
	_cleanup_(buf_free) struct buf host = { 0 };
	uint64_t host_total = 0, host_free = 0, total, used;
	const struct kv_want want[] = { { "SwapTotal", &host_total }, { "SwapFree", &host_free } };
	struct container_mem m;
	int r;

	if (container_mem(ctx, &m) < 0)
		return render_host_proc(ctx, "swaps", out);
	if ((r = host_proc_for_container(ctx, "meminfo", &host)) < 0)
		return r;
	parse_kv(host.data, want, ELEMENTSOF(want));
	total = host_total * 1024 < m.swap_limit ? host_total * 1024 : m.swap_limit;
	used = m.swap_usage != UINT64_MAX ? m.swap_usage : (host_total - host_free) * 1024;
	if (used > total)
		used = total;
	if ((r = buf_puts(out, header)) < 0 || total == 0)
		return r;
	return buf_printf(out, "%-40s%s\t\t%" PRIu64 "\t\t%" PRIu64 "\t\t-2\n", "none", "virtual",
			  total / 1024, used / 1024);
}
