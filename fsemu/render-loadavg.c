// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/loadavg of a container. What is computed:
 *   - the runnable count is the cgroup's threads (cgroup.threads in v2, tasks
 *     in v1, the cgroup and its descendants; of the first of cgroup2, cpu,
 *     memory where the caller is not at the root) in state R or D, read from
 *     /proc/TID/stat; the total is all of them: "running/total";
 *   - the three averages are exponential moving averages of that count over
 *     1, 5 and 15 minutes like the kernel's, but sampled when a container
 *     process reads the file (and, on the first read, as if the count had
 *     been constant since the container started);
 *   - the last field (last pid) is the host's.
 * The host's file for callers outside containers.
 */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "render.h"

#define MAX_DEPTH 16
#define MAX_TASKS 65536

struct task_count {
	unsigned running, total;
};

static void count_task(const struct render_ctx *ctx, const char *tid, size_t len,
		       struct task_count *tc)
{
	char path[32], stat[512];
	const char *paren;

	if (len == 0 || len > 10 || tc->total >= MAX_TASKS)
		return;
	snprintf(path, sizeof(path), "%.*s/stat", (int)len, tid);
	if (read_small_at(ctx->host->proc_fd, path, stat, sizeof(stat)) <= 0)
		return;
	tc->total++;
	paren = strrchr(stat, ')');
	if (paren && paren[1] == ' ' && (paren[2] == 'R' || paren[2] == 'D'))
		tc->running++;
}

static void count_file(const struct render_ctx *ctx, int dirfd, const char *file,
		       struct task_count *tc)
{
	_cleanup_(buf_free) struct buf b = { 0 };

	if (read_all_at(dirfd, file, &b) < 0)
		return;
	for (const char *line = b.data; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);

		count_task(ctx, line, len, tc);
		line = eol ? eol + 1 : NULL;
	}
}

/* Count the tasks of the cgroup directory dirfd and its descendants. Takes dirfd. */
static void count_tree(const struct render_ctx *ctx, int dirfd, const char *file, int depth,
		       struct task_count *tc)
{
	DIR *d;
	struct dirent *de;

	count_file(ctx, dirfd, file, tc);
	if (depth >= MAX_DEPTH || !(d = fdopendir(dirfd))) {
		close(dirfd);
		return;
	}
	while ((de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0)
			count_tree(ctx, sub, file, depth + 1, tc);
	}
	closedir(d);
}

/* The hierarchy whose cgroup is the container's: the first of cgroup2,
 * cpu, memory in which the caller is not at the root (a hybrid host's
 * "container" may be one in a v1 hierarchy only). */
static int pick_hierarchy(const struct render_ctx *ctx)
{
	static const enum cg_ctrl order[] = { CG_UNIFIED, CG_CPU, CG_MEMORY };

	for (size_t i = 0; i < ELEMENTSOF(order); i++)
		if (cg_has(&ctx->cg, order[i]) && ctx->cg.paths->path[order[i]][0])
			return order[i];
	return -ENOENT;
}

static int count_tasks(const struct render_ctx *ctx, struct task_count *tc)
{
	int c = pick_hierarchy(ctx), fd;
	const char *path, *file;

	if (c < 0)
		return c;
	file = c == CG_UNIFIED ? "cgroup.threads" : "tasks";
	path = ctx->cg.paths->path[c];
	fd = openat(ctx->cg.roots->fd[c], *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	*tc = (struct task_count){ 0 };
	count_tree(ctx, fd, file, 0, tc);
	return 0;
}

static void update_averages(const struct render_ctx *ctx, struct loadavg_state *st, double n)
{
	static const double period[3] = { 60, 300, 900 };
	double dt = st->last > 0 ? ctx->now - st->last :
		    ctx->init_start >= 0 ? ctx->now - ctx->init_start : 5;

	if (dt < 0)
		dt = 0;
	for (int i = 0; i < 3; i++) {
		double e = exp(-dt / period[i]);

		st->avg[i] = (st->last > 0 ? st->avg[i] * e : 0) + n * (1 - e);
	}
	st->last = ctx->now;
}

int render_loadavg(const struct render_ctx *ctx, struct buf *out)
{
	char host[128], *last_pid;
	struct loadavg_state local = { { 0 }, 0 }, *st = ctx->load ? ctx->load : &local;
	struct task_count tc;
	ssize_t n;

	if (ctx->is_host || count_tasks(ctx, &tc) < 0)
		return render_host_proc(ctx, "loadavg", out);
	n = read_small_at(ctx->host->proc_fd, "loadavg", host, sizeof(host));
	if (n < 0)
		return (int)n;
	host[strcspn(host, "\n")] = 0;
	last_pid = strrchr(host, ' ');
	update_averages(ctx, st, tc.running);
	return buf_printf(out, "%.2f %.2f %.2f %u/%u %s\n", st->avg[0], st->avg[1], st->avg[2],
			  tc.running, tc.total, last_pid ? last_pid + 1 : "0");
}
