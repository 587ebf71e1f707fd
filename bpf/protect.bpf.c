// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * protect.bpf.c - a container may not unmount the mounts it started with
 * (see protect.bpf.h; the sb_mount and move_mount checks of start mounts
 * run in mount.bpf.c's programs, one per hook).
 */
#include "protect.bpf.h"

SEC("lsm/sb_umount")
int BPF_PROG(moat_protect_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	struct moat_protected_mount *pm;
	__u64 cgroup_id;
	__u32 id;

	if (ret)
		return ret;
	if (!current_container(&cgroup_id))
		return 0;
	pm = protection(mnt, cgroup_id, &id);
	if (!pm || !(pm->flags & MOAT_MOUNT_NO_UMOUNT))
		return 0;
	return deny_protected(cgroup_id, id, BPF_CORE_READ(mnt, mnt_root));
}
