// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/diskstats of a container: one line per host disk the cgroup did I/O
 * on, with the cgroup's counts (v2 io.stat rios/wios/dios and bytes, or v1
 * blkio.throttle.io_serviced_recursive / io_service_bytes_recursive): reads,
 * sectors read, writes, sectors written, discards, sectors discarded; the
 * columns the cgroup does not account (merges, times, in flight) are 0.
 * Without I/O accounting for the cgroup, the host's file.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "render.h"

#define MAX_DEVS 256

struct dev_io {
	unsigned major, minor;
	uint64_t rios, wios, dios, rbytes, wbytes, dbytes;
};

struct io_table {
	struct dev_io dev[MAX_DEVS];
	size_t n;
};

static struct dev_io *dev_get(struct io_table *t, unsigned major, unsigned minor)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->dev[i].major == major && t->dev[i].minor == minor)
			return &t->dev[i];
	if (t->n == MAX_DEVS)
		return NULL;
	t->dev[t->n] = (struct dev_io){ .major = major, .minor = minor };
	return &t->dev[t->n++];
}

/* v2 "MAJ:MIN rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6" */
static void parse_io_stat(const char *text, struct io_table *t)
{
	for (const char *line = text; line && *line;) {
		unsigned major, minor;
		struct dev_io *d;

		if (sscanf(line, "%u:%u", &major, &minor) == 2 && (d = dev_get(t, major, minor))) {
			const char *eol = strchr(line, '\n');
			const struct {
				const char *key;
				uint64_t *val;
			} f[] = { { "rbytes=", &d->rbytes }, { "wbytes=", &d->wbytes },
				  { "rios=", &d->rios },     { "wios=", &d->wios },
				  { "dbytes=", &d->dbytes }, { "dios=", &d->dios } };

			for (size_t i = 0; i < ELEMENTSOF(f); i++) {
				const char *p = strstr(line, f[i].key);

				if (p && (!eol || p < eol))
					*f[i].val = strtoull(p + strlen(f[i].key), NULL, 10);
			}
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
}

/* v1 "MAJ:MIN Read 123" lines (also Write, Discard, Sync, Async, Total). */
static void parse_blkio(const char *text, struct io_table *t, int bytes)
{
	for (const char *line = text; line && *line;) {
		unsigned major, minor;
		unsigned long long v;
		char op[16];
		struct dev_io *d;

		if (sscanf(line, "%u:%u %15s %llu", &major, &minor, op, &v) == 4 &&
		    (d = dev_get(t, major, minor))) {
			if (strcmp(op, "Read") == 0)
				*(bytes ? &d->rbytes : &d->rios) = v;
			else if (strcmp(op, "Write") == 0)
				*(bytes ? &d->wbytes : &d->wios) = v;
			else if (strcmp(op, "Discard") == 0)
				*(bytes ? &d->dbytes : &d->dios) = v;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
}

static int read_io(const struct render_ctx *ctx, struct io_table *t)
{
	_cleanup_(buf_free) struct buf b = { 0 };
	int r;

	if (cg_has(&ctx->cg, CG_BLKIO)) {
		r = cg_read_all(&ctx->cg, CG_BLKIO, "blkio.throttle.io_serviced_recursive", &b);
		if (r < 0)
			return r;
		parse_blkio(b.data, t, 0);
		buf_reset(&b);
		if (cg_read_all(&ctx->cg, CG_BLKIO, "blkio.throttle.io_service_bytes_recursive", &b) == 0)
			parse_blkio(b.data, t, 1);
		return 0;
	}
	if ((r = cg_read_all(&ctx->cg, CG_UNIFIED, "io.stat", &b)) < 0)
		return r;
	parse_io_stat(b.data, t);
	return 0;
}

static int print_line(struct buf *out, const char *name, const struct dev_io *d)
{
	return buf_printf(out,
			  "%4u %7u %s %" PRIu64 " 0 %" PRIu64 " 0 %" PRIu64 " 0 %" PRIu64
			  " 0 0 0 0 %" PRIu64 " 0 %" PRIu64 " 0 0 0\n",
			  d->major, d->minor, name, d->rios, d->rbytes / 512, d->wios,
			  d->wbytes / 512, d->dios, d->dbytes / 512);
}

int render_diskstats(const struct render_ctx *ctx, struct buf *out)
{
	_cleanup_(buf_free) struct buf host = { 0 };
	_cleanup_free_ struct io_table *t = NULL;
	int r;

	if ((r = render_host_proc(ctx, "diskstats", &host)) < 0)
		return r;
	if (ctx->is_host || !(t = calloc(1, sizeof(*t))) || read_io(ctx, t) < 0)
		return buf_append(out, host.data, host.len);
	/* the host's order and device names */
	for (const char *line = host.data; line && *line;) {
		unsigned major, minor;
		char name[64];
		const struct dev_io *d = NULL;

		if (sscanf(line, "%u %u %63s", &major, &minor, name) == 3)
			for (size_t i = 0; i < t->n && !d; i++)
				if (t->dev[i].major == major && t->dev[i].minor == minor)
					d = &t->dev[i];
		if (d && (r = print_line(out, name, d)) < 0)
			return r;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return 0;
}
