/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caller.h - who is reading: from the pid of a FUSE request (a host pid) to
 * the caller's container. A container is the set of cgroups the process is
 * in (/proc/PID/cgroup: the cgroup2 path and, on a hybrid host, the v1
 * memory, cpu, cpuacct, cpuset and blkio paths); containers are cached by
 * that set, and each thread remembers for a second which container a pid
 * is in (so a reader that loops costs no /proc/PID/cgroup read). A
 * process whose cgroups are all roots is the host. Uptime goes by the pid
 * namespace instead: the init of the caller's pid namespace, cached by the
 * namespace's inode and checked against the cached init's namespace.
 */
#ifndef MOAT_FSEMU_CALLER_H
#define MOAT_FSEMU_CALLER_H

#include <pthread.h>
#include <sys/types.h>

#include "cgroup.h"
#include "render.h"

struct container {
	char *key; /* cg_paths_key */
	struct cg_paths paths;
	int is_host;
	pthread_mutex_t lock; /* guards load and limits */
	struct loadavg_state load;
	struct limits_cache limits;
	double last_used;
	int refs;
	struct container *next;
};

struct caller_cache;

/* proc_fd: the host's /proc; roots: the cgroup hierarchies. */
int caller_cache_new(int proc_fd, const struct cg_roots *roots, struct caller_cache **ret);
void caller_cache_free(struct caller_cache *c);

/* The container of pid; release it with container_put(). */
int caller_container(struct caller_cache *c, pid_t pid, double now, struct container **ret);
void container_put(struct container *ct);
/* Forget containers unused since before `before` (CLOCK_BOOTTIME). */
void caller_cache_expire(struct caller_cache *c, double before);
size_t caller_cache_size(struct caller_cache *c);

/* CLOCK_BOOTTIME at which the init of pid's pid namespace started; -1 when
 * pid is in moat-fs's own (the host's) pid namespace. */
int caller_init_start(struct caller_cache *c, pid_t pid, double now, double *ret);
/* 1 if pid has a network namespace other than moat-fs's, 0 if not. */
int caller_own_netns(struct caller_cache *c, pid_t pid);
/* 1 if uid (pid's, as the host sees it) is root in pid's user namespace. */
int caller_is_root(struct caller_cache *c, pid_t pid, uid_t uid);
/* 1 if some cgroup of the container key still exists. */
int caller_key_alive(const char *key, void *cache);

#endif
