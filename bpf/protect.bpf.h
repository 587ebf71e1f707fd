/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * protect.bpf.h - the start-mount protection's checks: the mounts a
 * container started with stay as they were. No unmounting or moving them (a
 * mask over /proc/kcore, an emulated /proc/uptime, the rootfs), no
 * remounting a read-only one read-write, and nothing mounted on /proc, /sys
 * or the emulated files. moat-runc records them (protected_mounts, keyed by
 * mount id) before the container starts. The hooks are in mount.bpf.c
 * (sb_mount, move_mount: after the mount rule) and protect.bpf.c (sb_umount).
 *
 * This is the race-free half of mount vetting: the kernel decides on the
 * mount object the syscall acts on, after path resolution. moat-fs's seccomp
 * agent vets the same calls in userspace first (and answers them), but a
 * thread that swaps a path under it cannot get past these hooks.
 *
 * mount(2) with MS_MOVE names its source only as a string, which sb_mount
 * cannot resolve; so a container may not use MS_MOVE on a protected mount's
 * mountpoint, and moves by move_mount(2) are checked on the source mount.
 *
 * A bind copy of a read-only start mount (mount(MS_BIND), or open_tree with
 * OPEN_TREE_CLONE then move_mount) is a new mount, not recorded, read-only
 * like its original. A remount that would make a read-only mount that is not
 * a start mount writable is therefore denied if it shows part of a read-only
 * start mount: same superblock, and its root is that start mount's root or
 * lies beneath it (found by walking d_parent up from the copy's root).
 */
#ifndef MOAT_PROTECT_BPF_H
#define MOAT_PROTECT_BPF_H

#include "policy.bpf.h"

#define MNT_READONLY 0x40 /* include/linux/mount.h */
#define SB_RDONLY 1	   /* include/linux/fs.h */

/* How far up from a mount's root the bind-copy check walks; a root deeper
 * below its filesystem's root than this counts as beneath (fail closed). */
#define MOAT_MAX_DENTRY_DEPTH 64

static __always_inline struct mount *real_mount(struct vfsmount *mnt)
{
	return (void *)mnt - bpf_core_field_offset(struct mount, mnt);
}

/* The protection recorded for mnt by this container, if any. */
static __always_inline struct moat_protected_mount *protection(struct vfsmount *mnt, __u64 cgroup_id,
							     __u32 *id)
{
	struct moat_protected_mount *pm;

	*id = BPF_CORE_READ(real_mount(mnt), mnt_id);
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

/* What the bind-copy search looks for, and what it found. */
struct bind_copy_search {
	__u64 cgroup_id;
	__u64 dev;   /* the remounted mount's superblock */
	__u64 root;  /* its root dentry (a kernel address, read with CO-RE) */
	__u32 found; /* the id of the start mount it copies */
	bool hit;
};

/* Is dentry `root` the dentry of inode `ino` or beneath it (same superblock)? */
static __always_inline bool dentry_at_or_below(struct dentry *root, __u64 ino)
{
	struct dentry *d = root, *parent;

	for (int i = 0; i < MOAT_MAX_DENTRY_DEPTH; i++) {
		if (BPF_CORE_READ(d, d_inode, i_ino) == ino)
			return true;
		parent = BPF_CORE_READ(d, d_parent);
		if (!parent || parent == d)
			return false; /* the filesystem's root */
		d = parent;
	}
	return true; /* too deep to tell: fail closed */
}

/* bpf_for_each_map_elem callback over protected_mounts: stop at the first
 * read-only start mount of this container that the remounted mount copies. */
static long match_bind_copy(struct bpf_map *map, __u32 *id, struct moat_protected_mount *pm,
			    struct bind_copy_search *s)
{
	if (pm->cgroup_id != s->cgroup_id || !(pm->flags & MOAT_MOUNT_NO_RW) || pm->dev != s->dev)
		return 0;
	if (!dentry_at_or_below((struct dentry *)s->root, pm->root_ino))
		return 0;
	s->found = *id;
	s->hit = true;
	return 1;
}

/* A remount that would make mnt (not a start mount) writable: denied if mnt
 * is read-only now and a bind copy of (part of) a read-only start mount. */
static __always_inline int protect_bind_copy(__u64 cgroup_id, struct vfsmount *mnt,
					     struct dentry *dentry)
{
	struct bind_copy_search s = {
		.cgroup_id = cgroup_id,
		.dev = BPF_CORE_READ(mnt, mnt_sb, s_dev),
		.root = (__u64)BPF_CORE_READ(mnt, mnt_root),
	};

	if (!(BPF_CORE_READ(mnt, mnt_flags) & MNT_READONLY) &&
	    !(BPF_CORE_READ(mnt, mnt_sb, s_flags) & SB_RDONLY))
		return 0; /* writable already: nothing to gain */
	bpf_for_each_map_elem(&protected_mounts, match_bind_copy, &s, 0);
	if (s.hit)
		return deny_protected(cgroup_id, s.found, dentry);
	return 0;
}

/* mount(2) on or of a start mount: remount, MS_MOVE, a mount on top; and a
 * read-write remount of a bind copy of a read-only start mount. */
static __always_inline int protect_sb_mount(__u64 cgroup_id, const struct path *path,
					    unsigned long flags)
{
	struct vfsmount *mnt = BPF_CORE_READ(path, mnt);
	struct dentry *dentry = BPF_CORE_READ(path, dentry);
	struct moat_protected_mount *pm;
	__u32 id;

	pm = protection(mnt, cgroup_id, &id);
	if (!pm) {
		if ((flags & MS_REMOUNT) && !(flags & MS_RDONLY))
			return protect_bind_copy(cgroup_id, mnt, dentry);
		return 0;
	}
	if (flags & MS_REMOUNT) {
		/* remount (also bind remount) of a read-only start mount must stay ro */
		if ((pm->flags & MOAT_MOUNT_NO_RW) && !(flags & MS_RDONLY))
			return deny_protected(cgroup_id, id, dentry);
		return 0;
	}
	if (flags & MS_MOVE) {
		if ((pm->flags & MOAT_MOUNT_NO_UMOUNT) && dentry == BPF_CORE_READ(mnt, mnt_root))
			return deny_protected(cgroup_id, id, dentry);
		return 0;
	}
	/* a new mount or bind on top of /proc, /sys or an emulated file */
	if ((pm->flags & MOAT_MOUNT_NO_OVERMOUNT) && dentry == BPF_CORE_READ(mnt, mnt_root))
		return deny_protected(cgroup_id, id, dentry);
	return 0;
}

/* move_mount(2): a start mount may not be moved, nor anything put on an
 * overmount-protected one. */
static __always_inline int protect_move_mount(__u64 cgroup_id, const struct path *from_path,
					      const struct path *to_path)
{
	struct moat_protected_mount *pm;
	__u32 id;

	pm = protection(BPF_CORE_READ(from_path, mnt), cgroup_id, &id);
	if (pm && (pm->flags & MOAT_MOUNT_NO_UMOUNT))
		return deny_protected(cgroup_id, id, BPF_CORE_READ(from_path, dentry));
	pm = protection(BPF_CORE_READ(to_path, mnt), cgroup_id, &id);
	if (pm && (pm->flags & MOAT_MOUNT_NO_OVERMOUNT) &&
	    BPF_CORE_READ(to_path, dentry) == BPF_CORE_READ(to_path, mnt, mnt_root))
		return deny_protected(cgroup_id, id, BPF_CORE_READ(to_path, dentry));
	return 0;
}

#endif
