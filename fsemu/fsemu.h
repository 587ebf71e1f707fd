/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fsemu.h - the worker: a libfuse low-level session on a FUSE connection
 * that it either mounted itself or took over from the keeper, and the
 * threads that serve it (session.c).
 */
#ifndef MOAT_FSEMU_FSEMU_H
#define MOAT_FSEMU_FSEMU_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdint.h>

#include "caller.h"
#include "cgroup.h"
#include "render.h"
#include "sysctl.h"

/*
 * Threads: every request is short (no render blocks on anything but procfs
 * and cgroupfs reads), and one thread serves a reader's open/read/read/
 * release cycle fastest: with more, the kernel hands requests to the
 * threads in turn (the longest sleeper first), so each request wakes a
 * cache-cold thread, often on the other CPU (measured: 13k cycles/s with
 * one thread, 7.8k with two, on 2 busy CPUs). --threads N trades that for
 * concurrency between containers.
 */
#define FSEMU_MAX_THREADS 16

struct fsemu_config {
	const char *init_file;     /* the connection's FUSE_INIT request, kept for the next worker */
	const char *sysctl_file;   /* see sysctl.h */
	unsigned threads;
	int debug;
};

struct handle;

struct handles {
	pthread_mutex_t lock;
	struct handle **slot;
	uint32_t n, cap;
	uint32_t *free_list;
	uint32_t nfree;
	uint32_t instance; /* high half of every fh we hand out */
};

struct fsemu {
	struct fsemu_config cfg;
	struct fuse_session *se;
	int primary_fd; /* the connection's first device, the one the keeper holds too */
	int fuse_fd;	/* our clone of it, which we read */
	struct fsemu_host host;
	struct host_cache *host_cache;
	struct cg_roots roots;
	struct caller_cache *callers;
	struct sysctl_store *sysctl;
	struct handles handles;
	struct timespec started;
	off_t file_size; /* what emulated files claim (ops.c: node_size) */
	int shrunk[129]; /* by inode: the kernel may have cut its size (ops.c) */
	int init_saved;
	int gone_fd; /* eventfd: the connection ended */
	int stopping;
	unsigned nthreads;
	pthread_t threads[FSEMU_MAX_THREADS];
};

/* primary_fd: the connection's /dev/fuse fd (taken). takeover: an earlier
 * worker initialised the connection: replay its FUSE_INIT. */
int fsemu_new(const struct fsemu_config *cfg, int primary_fd, int takeover, struct fsemu **ret);
int fsemu_start(struct fsemu *fs);
/* Stop serving: let the threads finish the request at hand, and join them. */
void fsemu_stop(struct fsemu *fs);
/* Housekeeping every few seconds: forget dead containers. */
void fsemu_tick(struct fsemu *fs);
void fsemu_free(struct fsemu *fs);

/* ops.c */
extern const struct fuse_lowlevel_ops fsemu_ops;
int handles_init(struct handles *h);
void handles_free(struct handles *h);

#endif
