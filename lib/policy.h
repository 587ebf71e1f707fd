/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy.h - the registration library: moatctl and moat-runc use it to put
 * containers into the kernel policy pinned by moat-loader under
 * /sys/fs/bpf/moat/. Every function returns 0 or a negative errno and logs
 * nothing; the caller decides what to tell the user.
 *
 *   -ENOENT      the loader is not running (no pinned maps)
 *   -EOPNOTSUPP  BPF-LSM is not active in this kernel
 */
#ifndef MOAT_POLICY_H
#define MOAT_POLICY_H

#include <linux/types.h>
#include <stdint.h>
#include <sys/types.h>

#include "moat.h"

struct moat_policy;

/* Open the pinned maps under pin_dir (NULL: MOAT_PIN_DIR). */
int moat_policy_open(const char *pin_dir, struct moat_policy **ret);
void moat_policy_close(struct moat_policy *p);
void moat_policy_closep(struct moat_policy **p);

/* Register the cgroup v2 directory cgroup_dir as a container. Its namespaces
 * (read from /proc/ns_pid/ns, or from the first process of the cgroup when
 * ns_pid is 0; none when the cgroup is empty) become the container's own.
 * flags: enum moat_container_flags. Registering twice updates the flags.
 * -EINVAL for the root cgroup, -ECHRNG for a cgroup at level
 * MOAT_CGROUP_LEVELS or deeper (moat_cgroup_level), which the kernel's
 * lookup does not reach. */
int moat_policy_register(struct moat_policy *p, const char *cgroup_dir, pid_t ns_pid,
			 uint32_t flags);
/* Remove the container and the namespaces recorded for it. -ENOENT if absent. */
int moat_policy_unregister(struct moat_policy *p, const char *cgroup_dir);
/* Same, by cgroup id (for cgroups that no longer exist). */
int moat_policy_unregister_id(struct moat_policy *p, uint64_t cgroup_id);
int moat_policy_lookup(struct moat_policy *p, uint64_t cgroup_id, struct moat_container *ret);

/* Record the mounts the container's process pid has now (/proc/PID/mountinfo)
 * as its start mounts (enum moat_mount_flags): none may be unmounted or
 * moved, read-only ones stay read-only, nothing is mounted over /proc and
 * /sys (cgroup2 and everything below /sys/fs/cgroup excepted).
 * At most max of them (0: MOAT_DEFAULT_START_MOUNTS): -EDQUOT for more,
 * -ENOSPC when the map is full; either way none stays recorded. */
int moat_policy_protect_mounts(struct moat_policy *p, uint64_t cgroup_id, pid_t pid,
			       unsigned max);
/* Drop the mounts recorded for cgroup_id (done by unregister too). */
int moat_policy_forget_mounts(struct moat_policy *p, uint64_t cgroup_id);
/* The flags recorded for one mountinfo line's mount point and options. */
uint32_t moat_mount_protection(const char *mount_point, const char *options, const char *fstype);

/* Add or remove a restricted host object (resolved with realpath and stat). */
int moat_policy_restrict(struct moat_policy *p, const char *path);
int moat_policy_unrestrict(struct moat_policy *p, const char *path);

typedef int (*moat_container_cb)(uint64_t cgroup_id, const struct moat_container *c, void *userdata);
/* Call cb for each registered container; stops at the first non-zero return. */
int moat_policy_foreach(struct moat_policy *p, moat_container_cb cb, void *userdata);

/* The cgroup v2 id of a cgroup directory (its inode number). */
int moat_cgroup_id(const char *cgroup_dir, uint64_t *ret);
/* Its level in the hierarchy (the root cgroup's is 0). */
int moat_cgroup_level(const char *cgroup_dir, unsigned *ret);
/* Set the per-level counts the kernel's lookup uses from the containers
 * registered now (moat-loader at start: heals counts a killed registration
 * left too high). */
int moat_policy_recount_levels(struct moat_policy *p);
/* Where cgroup v2 is mounted: /sys/fs/cgroup/unified on a hybrid host,
 * /sys/fs/cgroup on a pure v2 host. Cached. */
int moat_cgroup2_root(const char **ret);

/* Is BPF-LSM active ("bpf" in /sys/kernel/security/lsm)? 1, 0, or negative
 * errno if it cannot be told. Cached. */
int moat_bpf_lsm_enabled(void);

#endif
