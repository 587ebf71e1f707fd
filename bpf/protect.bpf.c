// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * protect.bpf.c - the mounts a container started with stay as they were:
 * no unmounting or moving them (a mask over /proc/kcore, an emulated
 * /proc/uptime, the rootfs), no remounting a read-only one read-write, and
 * nothing mounted on /proc, /sys or the emulated files. moat-runc records
 * them (protected_mounts, keyed by mount id) before the container starts.
 *
 * This is the race-free half of mount vetting: the kernel decides on the
 * mount object the syscall acts on, after path resolution. moat-fs's seccomp
 * agent vets the same calls in userspace first (and answers them), but a
 * thread that swaps a path under it cannot get past these hooks.
 *
 * mount(2) with MS_MOVE names its source only as a string, which sb_mount
 * cannot resolve; so a container may not use MS_MOVE on a protected mount's
 * mountpoint, and moves by move_mount(2) are checked on the source mount.
 */
#include "policy.bpf.h"

#define MS_RDONLY 1
#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_MOVE 8192

static __always_inline __u32 mount_id(struct vfsmount *mnt)
{
	struct mount *m = (void *)mnt - bpf_core_field_offset(struct mount, mnt);

	return BPF_CORE_READ(m, mnt_id);
}

/* The protection recorded for mnt by this container, if any. */
static __always_inline struct moat_protected_mount *protection(struct vfsmount *mnt, __u64 cgroup_id,
							     __u32 *id)
{
	struct moat_protected_mount *pm;

	*id = mount_id(mnt);
	pm = bpf_map_lookup_elem(&protected_mounts, id);
	if (!pm || pm->cgroup_id != cgroup_id)
		return NULL;
	if (pm->dev != BPF_CORE_READ(mnt, mnt_sb, s_dev) ||
	    pm->root_ino != BPF_CORE_READ(mnt, mnt_root, d_inode, i_ino))
		return NULL; /* a stale entry whose id was reused */
	return pm;
}

static __always_inline int deny_protected(__u64 cgroup_id, __u32 id, struct dentry *dentry)
{
	return deny(cgroup_id, MOAT_RULE_MOUNT_PROTECTED, id, BPF_CORE_READ(dentry, d_name.name), EPERM);
}

SEC("lsm/sb_mount")
int BPF_PROG(moat_protect_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	struct moat_protected_mount *pm;
	struct vfsmount *mnt;
	__u64 cgroup_id;
	__u32 id;

	if (ret)
		return ret;
	if (!current_container(&cgroup_id))
		return 0;
	mnt = BPF_CORE_READ(path, mnt);
	pm = protection(mnt, cgroup_id, &id);
	if (!pm)
		return 0;
	if (flags & MS_REMOUNT) {
		/* remount (also bind remount) of a read-only start mount must stay ro */
		if ((pm->flags & MOAT_MOUNT_NO_RW) && !(flags & MS_RDONLY))
			return deny_protected(cgroup_id, id, BPF_CORE_READ(path, dentry));
		return 0;
	}
	if (flags & MS_MOVE) {
		if ((pm->flags & MOAT_MOUNT_NO_UMOUNT) &&
		    BPF_CORE_READ(path, dentry) == BPF_CORE_READ(mnt, mnt_root))
			return deny_protected(cgroup_id, id, BPF_CORE_READ(path, dentry));
		return 0;
	}
	/* a new mount or bind on top of /proc, /sys or an emulated file */
	if ((pm->flags & MOAT_MOUNT_NO_OVERMOUNT) &&
	    BPF_CORE_READ(path, dentry) == BPF_CORE_READ(mnt, mnt_root))
		return deny_protected(cgroup_id, id, BPF_CORE_READ(path, dentry));
	return 0;
}

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

SEC("lsm/move_mount")
int BPF_PROG(moat_protect_move_mount, const struct path *from_path, const struct path *to_path,
	     int ret)
{
	struct moat_protected_mount *pm;
	__u64 cgroup_id;
	__u32 id;

	if (ret)
		return ret;
	if (!current_container(&cgroup_id))
		return 0;
	pm = protection(BPF_CORE_READ(from_path, mnt), cgroup_id, &id);
	if (pm && (pm->flags & MOAT_MOUNT_NO_UMOUNT))
		return deny_protected(cgroup_id, id, BPF_CORE_READ(from_path, dentry));
	pm = protection(BPF_CORE_READ(to_path, mnt), cgroup_id, &id);
	if (pm && (pm->flags & MOAT_MOUNT_NO_OVERMOUNT) &&
	    BPF_CORE_READ(to_path, dentry) == BPF_CORE_READ(to_path, mnt, mnt_root))
		return deny_protected(cgroup_id, id, BPF_CORE_READ(to_path, dentry));
	return 0;
}
