// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * levels.c - the cgroup level of a container and the per-level counts of the
 * "container_levels" map, which tell the kernel at which levels of a
 * process's ancestry to look for a container (see struct
 * moat_container_levels in moat.h).
 *
 * Every change of the containers map goes through policy_lock (an flock on
 * the pin directory, held by moat-runc and moatctl alike), so the counts'
 * read-modify-write never loses an update; a count is raised before its
 * entry exists and lowered after it is gone. A killed holder leaves a count
 * too high (a lookup too many), never too low; moat_policy_recount_levels
 * sets them from the map again.
 */
#include <bpf/bpf.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/types.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "macro.h"
#include "policy-map.h"
#include "policy.h"

/* The root cgroup's id (its kernfs inode number) on every cgroup2 mount. */
#define CGROUP_ROOT_INO 1

int moat_cgroup_level(const char *cgroup_dir, unsigned *ret)
{
	_cleanup_close_ int fd = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st, parent;
	unsigned level = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		return negative_errno();
	/* up by ".." until the root cgroup; a mount of a subtree (a cgroup
	 * namespace's) ends elsewhere: its levels are not the kernel's */
	while (st.st_ino != CGROUP_ROOT_INO) {
		int up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (up < 0)
			return negative_errno();
		closep(&fd);
		fd = up;
		if (fstat(fd, &parent) < 0)
			return negative_errno();
		if (parent.st_ino == st.st_ino && parent.st_dev == st.st_dev)
			return -EXDEV;
		st = parent;
		level++;
	}
	*ret = level;
	return 0;
}

int cgroup_limit_nesting(const char *cgroup_dir)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[PATH_MAX];
	unsigned now;

	snprintf(path, sizeof(path), "%s/cgroup.max.depth", cgroup_dir);
	f = fopen(path, "r+e");
	if (!f)
		return negative_errno();
	if (fscanf(f, "%u", &now) == 1 && now <= MOAT_CGROUP_NESTING)
		return 0; /* "max" does not scan */
	rewind(f);
	if (fprintf(f, "%d\n", MOAT_CGROUP_NESTING) < 0 || fflush(f) != 0)
		return negative_errno();
	return 0;
}

int policy_lock(struct moat_policy *p)
{
	while (flock(p->pin_dir_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return negative_errno();
	return 0;
}

void policy_unlock(struct moat_policy *p) { (void)flock(p->pin_dir_fd, LOCK_UN); }

static void set_mask(struct moat_container_levels *levels)
{
	levels->mask = 0;
	for (unsigned i = 0; i < MOAT_CGROUP_LEVELS; i++)
		if (levels->count[i])
			levels->mask |= 1U << i;
}

/* Add delta to the count of containers at level (under policy_lock). */
int policy_count_level(struct moat_policy *p, unsigned level, int delta)
{
	struct moat_container_levels levels;
	__u32 zero = 0;

	if (level >= MOAT_CGROUP_LEVELS)
		return -EINVAL;
	if (bpf_map_lookup_elem(p->container_levels_fd, &zero, &levels) < 0)
		return negative_errno();
	if (delta < 0 && levels.count[level] < (__u32)-delta)
		levels.count[level] = 0;
	else
		levels.count[level] += delta;
	set_mask(&levels);
	if (bpf_map_update_elem(p->container_levels_fd, &zero, &levels, BPF_ANY) < 0)
		return negative_errno();
	return 0;
}

int moat_policy_recount_levels(struct moat_policy *p)
{
	struct moat_container_levels levels = {};
	uint64_t key, next, *prev = NULL;
	struct moat_container c;
	__u32 zero = 0;
	int r;

	r = policy_lock(p);
	if (r < 0)
		return r;
	while (bpf_map_get_next_key(p->containers_fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(p->containers_fd, &next, &c) == 0 &&
		    c.level < MOAT_CGROUP_LEVELS)
			levels.count[c.level]++;
		key = next;
		prev = &key;
	}
	set_mask(&levels);
	r = bpf_map_update_elem(p->container_levels_fd, &zero, &levels, BPF_ANY) < 0
		    ? negative_errno()
		    : 0;
	policy_unlock(p);
	return r;
}
