// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/stat of a container: "cpu" lines for its CPUs only (container_cpus).
 * user and system are the cgroup's CPU time on that CPU (v1
 * cpuacct.usage_all per CPU; otherwise cpuacct.stat or cpu.stat spread
 * evenly), idle is the rest of the host's time on that CPU, the other
 * columns are 0; the first line sums them. Without CPU accounting the host's
 * lines for those CPUs are shown. The remaining lines (intr, ctxt, btime,
 * processes, procs_running, ...) are the host's.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "render.h"

/* user nice system idle iowait irq softirq steal guest guest_nice */
#define NCOLS 10
#define STAT_MAX_CPUS 1024 /* CPUs whose usage is tracked; past it, host lines */

struct cpu_usage {
	uint64_t user_ns[STAT_MAX_CPUS], system_ns[STAT_MAX_CPUS];
	int known;
};

/* v1 cpuacct.usage_all: "cpu user system" then "N USER_NS SYSTEM_NS" lines. */
static int usage_per_cpu(const struct render_ctx *ctx, struct cpu_usage *u)
{
	_cleanup_(buf_free) struct buf b = { 0 };
	int r = cg_read_all(&ctx->cg, CG_CPUACCT, "cpuacct.usage_all", &b);

	if (r < 0)
		return r;
	for (char *line = strchr(b.data, '\n'); line && *++line;) {
		char *end;
		unsigned long cpu = strtoul(line, &end, 10);

		if (end != line && cpu < STAT_MAX_CPUS) {
			u->user_ns[cpu] = strtoull(end, &end, 10);
			u->system_ns[cpu] = strtoull(end, &end, 10);
		}
		line = strchr(line, '\n');
	}
	return 0;
}

static void usage_spread(const struct render_ctx *ctx, const struct cpuset *cpus,
			 struct cpu_usage *u)
{
	uint64_t user, sys;
	unsigned n = cpuset_count(cpus);

	if (n == 0 || container_cpu_time(ctx, &user, &sys) < 0)
		return;
	u->known = 1;
	for (unsigned c = 0; c < STAT_MAX_CPUS; c++)
		if (cpuset_has(cpus, c)) {
			u->user_ns[c] = user / n;
			u->system_ns[c] = sys / n;
		}
}

/* A "cpuN ..." line: N into *cpu and the columns into col. */
static int parse_cpu_line(const char *line, long *cpu, uint64_t col[NCOLS])
{
	char *p;

	if (strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9')
		return -EINVAL;
	*cpu = strtol(line + 3, &p, 10);
	for (int i = 0; i < NCOLS; i++)
		col[i] = strtoull(p, &p, 10);
	return 0;
}

static void container_cols(const struct render_ctx *ctx, const struct cpu_usage *u, long cpu,
			   uint64_t col[NCOLS])
{
	uint64_t host_total = 0, hz = (uint64_t)ctx->host->clk_tck;
	uint64_t user = u->user_ns[cpu] / (1000000000ull / hz);
	uint64_t sys = u->system_ns[cpu] / (1000000000ull / hz);

	for (int i = 0; i < 8; i++)
		host_total += col[i];
	memset(col, 0, NCOLS * sizeof(col[0]));
	col[0] = user;
	col[2] = sys;
	col[3] = host_total > user + sys ? host_total - user - sys : 0;
}

static int print_cols(struct buf *out, const char *name, const uint64_t col[NCOLS])
{
	return buf_printf(out,
			  "%s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			  " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
			  name, col[0], col[1], col[2], col[3], col[4], col[5], col[6], col[7],
			  col[8], col[9]);
}

static int render_cpu_lines(const struct render_ctx *ctx, const char *host,
			    const struct cpuset *cpus, const struct cpu_usage *u, struct buf *lines,
			    uint64_t sum[NCOLS])
{
	for (const char *line = host; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		uint64_t col[NCOLS];
		char name[32];
		long cpu;
		int r;

		if (parse_cpu_line(line, &cpu, col) < 0 || cpu < 0 || !cpuset_has(cpus, (unsigned)cpu))
			continue;
		if (u->known && cpu < STAT_MAX_CPUS)
			container_cols(ctx, u, cpu, col);
		for (int i = 0; i < NCOLS; i++)
			sum[i] += col[i];
		snprintf(name, sizeof(name), "cpu%ld", cpu);
		if ((r = print_cols(lines, name, col)) < 0)
			return r;
	}
	return 0;
}

int render_stat(const struct render_ctx *ctx, struct buf *out)
{
	_cleanup_(buf_free) struct buf host = { 0 }, lines = { 0 };
	_cleanup_free_ struct cpu_usage *u = NULL;
	uint64_t sum[NCOLS] = { 0 };
	struct cpuset cpus;
	int r;

	if ((r = render_host_proc(ctx, "stat", &host)) < 0)
		return r;
	if (ctx->is_host || container_cpus(ctx, &cpus) < 0)
		return buf_append(out, host.data, host.len);
	if (!(u = calloc(1, sizeof(*u))))
		return -ENOMEM;
	if (usage_per_cpu(ctx, u) == 0)
		u->known = 1;
	else
		usage_spread(ctx, &cpus, u);
	if ((r = render_cpu_lines(ctx, host.data, &cpus, u, &lines, sum)) < 0)
		return r;
	if ((r = print_cols(out, "cpu ", sum)) < 0 || (r = buf_append(out, lines.data, lines.len)) < 0)
		return r;
	/* everything after the cpu lines */
	for (const char *line = host.data; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) + 1 : strlen(line);

		if (strncmp(line, "cpu", 3) != 0 && (r = buf_append(out, line, len)) < 0)
			return r;
		line += len;
	}
	return 0;
}
