// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/meminfo of a container: the host's file with the memory lines
 * recomputed from the cgroup (v1 memory.{limit,usage}_in_bytes + memory.stat
 * total_* counters, or v2 memory.max/current/stat):
 *   MemTotal     = the limit (the smallest up the cgroup tree), at most the host's
 *   MemFree      = MemTotal - usage
 *   MemAvailable = MemFree + the page cache (active + inactive file) + reclaimable slab
 *   Cached, Active/Inactive(anon/file), Shmem, Mapped, ... from memory.stat
 *   SwapTotal    = the swap limit (v2 memory.swap.max, v1 memsw - mem), at most the host's
 * Other lines (Vmalloc*, HugePages*, ...) stay the host's.
 */
#include <inttypes.h>
#include <string.h>

#include "fileio.h"
#include "render.h"

/* memory.stat counters, in bytes */
enum {
	ST_CACHE, ST_ANON, ST_SHMEM, ST_MAPPED, ST_DIRTY, ST_WRITEBACK, ST_ACTIVE_ANON,
	ST_INACTIVE_ANON, ST_ACTIVE_FILE, ST_INACTIVE_FILE, ST_UNEVICTABLE, ST_ANON_HUGE,
	ST_SLAB_RECLAIMABLE, ST_SLAB_UNRECLAIMABLE, ST_KERNEL_STACK, ST_PAGETABLES,
	ST_SWAPCACHED, ST_HIER_LIMIT, ST_NR
};

static const char *const stat_keys_v1[ST_NR] = {
	"total_cache", "total_rss", "total_shmem", "total_mapped_file", "total_dirty",
	"total_writeback", "total_active_anon", "total_inactive_anon", "total_active_file",
	"total_inactive_file", "total_unevictable", "total_rss_huge", NULL, NULL, NULL, NULL,
	"total_swapcached", "hierarchical_memory_limit",
};

static const char *const stat_keys_v2[ST_NR] = {
	"file", "anon", "shmem", "file_mapped", "file_dirty", "file_writeback", "active_anon",
	"inactive_anon", "active_file", "inactive_file", "unevictable", "anon_thp",
	"slab_reclaimable", "slab_unreclaimable", "kernel_stack", "pagetables", "swapcached",
	NULL,
};

static int read_mem_stat(const struct render_ctx *ctx, int v1, uint64_t st[ST_NR])
{
	_cleanup_(buf_free) struct buf b = { 0 };
	const char *const *keys = v1 ? stat_keys_v1 : stat_keys_v2;
	struct kv_want want[ST_NR];
	size_t n = 0;
	int r;

	r = cg_read_all(&ctx->cg, v1 ? CG_MEMORY : CG_UNIFIED, "memory.stat", &b);
	if (r < 0)
		return r;
	for (int i = 0; i < ST_NR; i++) {
		st[i] = i == ST_HIER_LIMIT ? UINT64_MAX : 0;
		if (keys[i])
			want[n++] = (struct kv_want){ keys[i], &st[i] };
	}
	parse_kv(b.data, want, n);
	return 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t sub0(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

struct mem_line {
	const char *key; /* with the colon, as in the file */
	uint64_t kb;
};

/* The lines we recompute, in kB. */
static size_t container_lines(const struct container_mem *m, const uint64_t st[ST_NR],
			      uint64_t host_total, uint64_t host_swap_total, uint64_t host_swap_free,
			      struct mem_line *l)
{
	uint64_t total = min_u64(min_u64(m->limit, st[ST_HIER_LIMIT]), host_total);
	uint64_t usage = min_u64(m->usage, total), free = total - usage;
	uint64_t file = st[ST_ACTIVE_FILE] + st[ST_INACTIVE_FILE];
	uint64_t avail = min_u64(free + file + st[ST_SLAB_RECLAIMABLE], total);
	uint64_t swap_total = min_u64(m->swap_limit, host_swap_total);
	uint64_t swap_free = m->swap_usage == UINT64_MAX ? min_u64(host_swap_free, swap_total) :
							   sub0(swap_total, m->swap_usage);
	size_t n = 0;

#define LINE(k, v) l[n++] = (struct mem_line){ k, (v) / 1024 }
	LINE("MemTotal:", total);
	LINE("MemFree:", free);
	LINE("MemAvailable:", avail);
	LINE("Buffers:", 0);
	LINE("Cached:", st[ST_CACHE]);
	LINE("SwapCached:", st[ST_SWAPCACHED]);
	LINE("Active:", st[ST_ACTIVE_ANON] + st[ST_ACTIVE_FILE]);
	LINE("Inactive:", st[ST_INACTIVE_ANON] + st[ST_INACTIVE_FILE]);
	LINE("Active(anon):", st[ST_ACTIVE_ANON]);
	LINE("Inactive(anon):", st[ST_INACTIVE_ANON]);
	LINE("Active(file):", st[ST_ACTIVE_FILE]);
	LINE("Inactive(file):", st[ST_INACTIVE_FILE]);
	LINE("Unevictable:", st[ST_UNEVICTABLE]);
	LINE("SwapTotal:", swap_total);
	LINE("SwapFree:", swap_free);
	LINE("Dirty:", st[ST_DIRTY]);
	LINE("Writeback:", st[ST_WRITEBACK]);
	LINE("AnonPages:", st[ST_ANON]);
	LINE("Mapped:", st[ST_MAPPED]);
	LINE("Shmem:", st[ST_SHMEM]);
	LINE("Slab:", st[ST_SLAB_RECLAIMABLE] + st[ST_SLAB_UNRECLAIMABLE]);
	LINE("SReclaimable:", st[ST_SLAB_RECLAIMABLE]);
	LINE("SUnreclaim:", st[ST_SLAB_UNRECLAIMABLE]);
	LINE("KernelStack:", st[ST_KERNEL_STACK]);
	LINE("PageTables:", st[ST_PAGETABLES]);
	LINE("AnonHugePages:", st[ST_ANON_HUGE]);
#undef LINE
	return n;
}

static const struct mem_line *find_line(const struct mem_line *l, size_t n, const char *key,
					size_t klen)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(l[i].key, key, klen) == 0 && l[i].key[klen] == 0)
			return &l[i];
	return NULL;
}

/* The host's lines, with ours substituted. */
static int merge(const char *host, const struct mem_line *l, size_t n, struct buf *out)
{
	for (const char *line = host; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) + 1 : strlen(line);
		const char *colon = memchr(line, ':', len);
		const struct mem_line *ours =
			colon ? find_line(l, n, line, (size_t)(colon - line) + 1) : NULL;
		int r = ours ? buf_printf(out, "%-16s%8" PRIu64 " kB\n", ours->key, ours->kb) :
			       buf_append(out, line, len);

		if (r < 0)
			return r;
		line += len;
	}
	return 0;
}

int render_meminfo(const struct render_ctx *ctx, struct buf *out)
{
	_cleanup_(buf_free) struct buf host = { 0 };
	uint64_t st[ST_NR], total = 0, swap_total = 0, swap_free = 0;
	const struct kv_want want[] = { { "MemTotal", &total },
					{ "SwapTotal", &swap_total },
					{ "SwapFree", &swap_free } };
	struct container_mem m;
	struct mem_line lines[32];
	int r;

	if (container_mem(ctx, &m) < 0)
		return render_host_proc(ctx, "meminfo", out);
	if ((r = host_proc_for_container(ctx, "meminfo", &host)) < 0)
		return r;
	parse_kv(host.data, want, ELEMENTSOF(want));
	if ((r = read_mem_stat(ctx, m.v1, st)) < 0)
		return r;
	size_t n = container_lines(&m, st, total * 1024, swap_total * 1024, swap_free * 1024, lines);
	return merge(host.data, lines, n, out);
}
