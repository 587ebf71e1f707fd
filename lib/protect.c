// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * protect.c - record a container's start mounts in the "protected_mounts"
 * map (see bpf/protect.bpf.h for what the kernel does with them).
 */
#include <bpf/bpf.h>
#include <linux/types.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "mountinfo.h"
#include "policy-map.h"
#include "policy.h"

/* The inode of the root of mount id, seen from inside pid's root; -ESTALE if
 * the mount point shows another mount (the mount is hidden under another). */
static int mount_root_ino(pid_t pid, const char *mount_point, __u32 id, __u64 *ino)
{
	char path[4200];
	struct statx stx;

	snprintf(path, sizeof(path), "/proc/%d/root%s", pid, mount_point);
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_INO | STATX_MNT_ID,
		  &stx) < 0)
		return negative_errno();
	if (!(stx.stx_mask & STATX_MNT_ID) || stx.stx_mnt_id != id)
		return -ESTALE;
	*ino = stx.stx_ino;
	return 0;
}

struct protect_walk {
	struct moat_policy *policy;
	uint64_t cgroup_id;
	pid_t pid;
	unsigned recorded, max;
};

static int protect_one(const struct mountinfo_entry *e, void *userdata)
{
	struct protect_walk *w = userdata;
	struct moat_protected_mount pm = {
		.cgroup_id = w->cgroup_id,
		.dev = mountinfo_kdev(e),
		.flags = moat_mount_protection(e->mount_point, e->mount_opts, e->fstype),
	};
	__u32 id = (__u32)e->mnt_id;

	if (mount_root_ino(w->pid, e->mount_point, id, &pm.root_ino) < 0)
		return 0; /* hidden under another mount, or gone */
	if (w->recorded >= w->max)
		return -EDQUOT;
	if (bpf_map_update_elem(w->policy->protected_mounts_fd, &id, &pm, BPF_ANY) < 0)
		return errno == E2BIG ? -ENOSPC : negative_errno();
	w->recorded++;
	return 0;
}

int moat_policy_protect_mounts(struct moat_policy *p, uint64_t cgroup_id, pid_t pid,
			       unsigned max)
{
	struct protect_walk w = {
		.policy = p,
		.cgroup_id = cgroup_id,
		.pid = pid,
		.max = max ? max : MOAT_DEFAULT_START_MOUNTS,
	};
	int r;

	if (pid <= 0)
		return -ENOENT; /* as /proc/0/mountinfo: never our own table */
	r = mountinfo_foreach_pid(pid, protect_one, &w);
	if (r < 0 && w.recorded > 0) /* leave no part of a refused table behind */
		(void)moat_policy_forget_mounts(p, cgroup_id);
	return r;
}

int moat_policy_forget_mounts(struct moat_policy *p, uint64_t cgroup_id)
{
	return moat_map_forget_cgroup(p->protected_mounts_fd, sizeof(struct moat_protected_mount),
				      cgroup_id);
}
