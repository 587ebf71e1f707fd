// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller.h"
#include "fileio.h"

#define BUCKETS 256
#define PIDNS_CACHE 64
#define PID_CACHE 256	 /* per thread, direct-mapped by pid */
#define PID_CACHE_TTL 1.0 /* seconds a pid's container and init are trusted */

/* What a pid was found to be, for PID_CACHE_TTL: saves re-reading
 * /proc/PID/cgroup and /proc/PID/ns/pid on every request of a reader that
 * loops. A process that changes cgroups is seen in its new one at most a
 * second late; a pid reused within that second by another container's
 * process would be taken for the old one. */
struct pid_entry {
	pid_t pid;
	double expires;
	struct container *ct;
	int init_known;
	double init_start;
};

static __thread struct pid_entry pid_cache[PID_CACHE];

struct pidns_entry {
	ino_t ns;
	pid_t init;
	double start;
};

struct caller_cache {
	int proc_fd;
	const struct cg_roots *roots;
	long clk_tck;
	ino_t host_pidns, host_netns;
	pthread_mutex_t lock;
	struct container *bucket[BUCKETS];
	size_t count;
	struct pidns_entry pidns[PIDNS_CACHE];
	unsigned pidns_next;
};

static ino_t ns_inode(int proc_fd, const char *pid, const char *ns)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), "%s/ns/%s", pid, ns);
	return fstatat(proc_fd, path, &st, 0) == 0 ? st.st_ino : 0;
}

int caller_cache_new(int proc_fd, const struct cg_roots *roots, struct caller_cache **ret)
{
	struct caller_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->proc_fd = proc_fd;
	c->roots = roots;
	c->clk_tck = sysconf(_SC_CLK_TCK);
	c->host_pidns = ns_inode(proc_fd, "self", "pid");
	c->host_netns = ns_inode(proc_fd, "self", "net");
	pthread_mutex_init(&c->lock, NULL);
	*ret = c;
	return 0;
}

static void container_free(struct container *ct)
{
	cg_paths_free(&ct->paths);
	pthread_mutex_destroy(&ct->lock);
	free(ct->key);
	free(ct);
}

void container_put(struct container *ct)
{
	if (ct && __atomic_sub_fetch(&ct->refs, 1, __ATOMIC_ACQ_REL) == 0)
		container_free(ct);
}

void caller_cache_free(struct caller_cache *c)
{
	if (!c)
		return;
	caller_cache_expire(c, 1e300);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % BUCKETS;
}

/* Find or add the container for paths; takes paths on success. */
static int cache_get(struct caller_cache *c, struct cg_paths *paths, double now,
		     struct container **ret)
{
	_cleanup_free_ char *key = cg_paths_key(paths);
	struct container *ct;
	unsigned h;

	if (!key)
		return -ENOMEM;
	h = hash(key);
	pthread_mutex_lock(&c->lock);
	for (ct = c->bucket[h]; ct && strcmp(ct->key, key) != 0; ct = ct->next)
		;
	if (!ct && (ct = calloc(1, sizeof(*ct)))) {
		ct->key = TAKE_PTR(key);
		ct->paths = *paths;
		*paths = (struct cg_paths){ 0 };
		ct->is_host = cg_paths_is_root(&ct->paths);
		pthread_mutex_init(&ct->lock, NULL);
		ct->refs = 1; /* the cache's */
		ct->next = c->bucket[h];
		c->bucket[h] = ct;
		c->count++;
	}
	if (ct) {
		__atomic_add_fetch(&ct->refs, 1, __ATOMIC_ACQ_REL);
		ct->last_used = now;
	}
	pthread_mutex_unlock(&c->lock);
	*ret = ct;
	return ct ? 0 : -ENOMEM;
}

static struct pid_entry *pid_entry(pid_t pid, double now)
{
	struct pid_entry *e = &pid_cache[(unsigned)pid % PID_CACHE];

	return e->pid == pid && now < e->expires ? e : NULL;
}

static void pid_remember(pid_t pid, double now, struct container *ct)
{
	struct pid_entry *e = &pid_cache[(unsigned)pid % PID_CACHE];

	container_put(e->ct);
	__atomic_add_fetch(&ct->refs, 1, __ATOMIC_ACQ_REL);
	*e = (struct pid_entry){ pid, now + PID_CACHE_TTL, ct, 0, 0 };
}

int caller_container(struct caller_cache *c, pid_t pid, double now, struct container **ret)
{
	char path[32], text[4096];
	struct pid_entry *e = pid_entry(pid, now);
	struct cg_paths paths;
	ssize_t n;
	int r;

	if (pid <= 0)
		return -ESRCH;
	if (e) {
		__atomic_add_fetch(&e->ct->refs, 1, __ATOMIC_ACQ_REL);
		e->ct->last_used = now;
		*ret = e->ct;
		return 0;
	}
	snprintf(path, sizeof(path), "%d/cgroup", pid);
	if ((n = read_small_at(c->proc_fd, path, text, sizeof(text))) < 0)
		return (int)n;
	if ((r = cg_paths_parse(text, &paths)) < 0)
		return r;
	r = cache_get(c, &paths, now, ret);
	cg_paths_free(&paths);
	if (r == 0)
		pid_remember(pid, now, *ret);
	return r;
}

void caller_cache_expire(struct caller_cache *c, double before)
{
	pthread_mutex_lock(&c->lock);
	for (unsigned h = 0; h < BUCKETS; h++)
		for (struct container **pc = &c->bucket[h]; *pc;) {
			struct container *ct = *pc;

			if (ct->last_used >= before) {
				pc = &ct->next;
				continue;
			}
			*pc = ct->next;
			c->count--;
			container_put(ct);
		}
	pthread_mutex_unlock(&c->lock);
}

size_t caller_cache_size(struct caller_cache *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* --- pid namespaces --- */

static int init_start_of(struct caller_cache *c, pid_t pid, double *ret);

/* The pid of the process in its innermost pid namespace (last NSpid field). */
static long inner_pid(struct caller_cache *c, const char *pid)
{
	char path[300], text[2048], *line, *last;

	snprintf(path, sizeof(path), "%s/status", pid);
	if (read_small_at(c->proc_fd, path, text, sizeof(text)) < 0 ||
	    !(line = strstr(text, "\nNSpid:")))
		return -1;
	line[strcspn(line + 1, "\n") + 1] = 0;
	last = strrchr(line, '\t');
	return last ? strtol(last + 1, NULL, 10) : -1;
}

static int is_init_of(struct caller_cache *c, const char *pid, ino_t ns)
{
	return ns_inode(c->proc_fd, pid, "pid") == ns && inner_pid(c, pid) == 1;
}

/* Look for the init of ns among the pids listed in dirfd/file, or (file
 * NULL) among all processes. */
static pid_t find_init_in(struct caller_cache *c, int dirfd, const char *file, ino_t ns)
{
	_cleanup_(buf_free) struct buf b = { 0 };
	DIR *d;
	struct dirent *de;
	pid_t found = 0;

	if (file) {
		if (read_all_at(dirfd, file, &b) < 0)
			return 0;
		char *save = NULL;

		for (char *t = strtok_r(b.data, "\n", &save); t && !found;
		     t = strtok_r(NULL, "\n", &save))
			if (is_init_of(c, t, ns))
				found = atoi(t);
		return found;
	}
	if (!(d = fdopendir(openat(c->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC))))
		return 0;
	while (!found && (de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' && is_init_of(c, de->d_name, ns))
			found = atoi(de->d_name);
	closedir(d);
	return found;
}

static pid_t find_init(struct caller_cache *c, pid_t pid, ino_t ns)
{
	char spid[16], path[4200], text[4096];
	struct cg_paths paths;
	pid_t found = 0;

	snprintf(spid, sizeof(spid), "%d", pid);
	if (inner_pid(c, spid) == 1)
		return pid;
	/* most likely in the caller's own cgroup */
	snprintf(path, sizeof(path), "%d/cgroup", pid);
	if (read_small_at(c->proc_fd, path, text, sizeof(text)) >= 0 &&
	    cg_paths_parse(text, &paths) == 0) {
		for (int k = 0; k < CG_NR && !found; k++)
			if (paths.path[k] && c->roots->fd[k] >= 0) {
				snprintf(path, sizeof(path), "%s%scgroup.procs", paths.path[k],
					 *paths.path[k] ? "/" : "");
				found = find_init_in(c, c->roots->fd[k], path, ns);
			}
		cg_paths_free(&paths);
	}
	return found ? found : find_init_in(c, -1, NULL, ns);
}

static int start_time(struct caller_cache *c, pid_t pid, double *ret)
{
	char path[32], text[1024], *p;
	unsigned long long ticks;

	snprintf(path, sizeof(path), "%d/stat", pid);
	if (read_small_at(c->proc_fd, path, text, sizeof(text)) < 0 || !(p = strrchr(text, ')')))
		return -ESRCH;
	/* field 22: the 20th after the ")" (field 2), each behind a blank */
	for (int i = 0; i < 20 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
		return -EINVAL;
	*ret = (double)ticks / (double)c->clk_tck;
	return 0;
}

int caller_init_start(struct caller_cache *c, pid_t pid, double now, double *ret)
{
	struct pid_entry *pe = pid_entry(pid, now);
	int r;

	if (pe && pe->init_known) {
		*ret = pe->init_start;
		return 0;
	}
	r = init_start_of(c, pid, ret);
	if (r == 0 && (pe = pid_entry(pid, now))) {
		pe->init_known = 1;
		pe->init_start = *ret;
	}
	return r;
}

static int init_start_of(struct caller_cache *c, pid_t pid, double *ret)
{
	char spid[16];
	struct pidns_entry e = { 0 };
	ino_t ns;
	int r;

	snprintf(spid, sizeof(spid), "%d", pid);
	ns = ns_inode(c->proc_fd, spid, "pid");
	if (!ns)
		return -ESRCH;
	if (ns == c->host_pidns) {
		*ret = -1;
		return 0;
	}
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < PIDNS_CACHE; i++)
		if (c->pidns[i].ns == ns)
			e = c->pidns[i];
	pthread_mutex_unlock(&c->lock);
	if (e.ns) {
		/* still that namespace's init? (namespace inodes are reused) */
		snprintf(spid, sizeof(spid), "%d", e.init);
		if (ns_inode(c->proc_fd, spid, "pid") == ns) {
			*ret = e.start;
			return 0;
		}
	}
	e = (struct pidns_entry){ ns, find_init(c, pid, ns), 0 };
	if (!e.init)
		return -ESRCH;
	if ((r = start_time(c, e.init, &e.start)) < 0)
		return r;
	pthread_mutex_lock(&c->lock);
	c->pidns[c->pidns_next++ % PIDNS_CACHE] = e;
	pthread_mutex_unlock(&c->lock);
	*ret = e.start;
	return 0;
}

int caller_own_netns(struct caller_cache *c, pid_t pid)
{
	char spid[16];
	ino_t ns;

	snprintf(spid, sizeof(spid), "%d", pid);
	ns = ns_inode(c->proc_fd, spid, "net");
	return ns && ns != c->host_netns;
}

int caller_is_root(struct caller_cache *c, pid_t pid, uid_t uid)
{
	char path[32], text[4096];

	if (uid == 0)
		return 1;
	snprintf(path, sizeof(path), "%d/uid_map", pid);
	if (read_small_at(c->proc_fd, path, text, sizeof(text)) < 0)
		return 0;
	for (char *line = text; line && *line;) {
		unsigned long inside, outside, count;

		if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
		    outside == uid)
			return 1;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return 0;
}

/* A container lives while every cgroup it is made of (but the roots) does. */
int caller_key_alive(const char *key, void *cache)
{
	struct caller_cache *c = cache;
	struct cg_paths paths;
	int alive = 0, dead = 0;

	if (cg_paths_from_key(key, &paths) < 0)
		return 0;
	for (int k = 0; k < CG_NR; k++) {
		if (!paths.path[k] || !paths.path[k][0] || c->roots->fd[k] < 0)
			continue;
		if (faccessat(c->roots->fd[k], paths.path[k], F_OK, 0) == 0)
			alive = 1;
		else
			dead = 1;
	}
	cg_paths_free(&paths);
	return alive && !dead;
}
