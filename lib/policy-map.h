/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* policy-map.h - the open pinned maps, and what lib/ does to them, for lib/ only. */
#ifndef MOAT_POLICY_MAP_H
#define MOAT_POLICY_MAP_H

struct moat_policy {
	int pin_dir_fd; /* flock'ed around every change of the containers map */
	int containers_fd;
	int container_levels_fd;
	int restricted_fd;
	int restricted_filter_fd;
	int ns_owner_fd;
	int protected_mounts_fd;
};

#include <stddef.h>
#include <stdint.h>

/* Delete every entry of a map keyed by __u32 whose value starts with the
 * owning cgroup id (ns_owner, protected_mounts) and names cgroup_id. */
int moat_map_forget_cgroup(int fd, size_t value_size, uint64_t cgroup_id);

/* levels.c */
int policy_lock(struct moat_policy *p);
void policy_unlock(struct moat_policy *p);
int policy_count_level(struct moat_policy *p, unsigned level, int delta);
int cgroup_limit_nesting(const char *cgroup_dir);

#endif
