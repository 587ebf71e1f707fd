/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * mount.bpf.h - the mount rule's checks (run by the hooks in mount.bpf.c).
 * A container may not mount filesystem types that expose the kernel or the
 * host (denied_fstypes), and may not mount on, bind or move a restricted
 * host object, by mount(2) or by the new mount API:
 *
 *   mount(2)                 -> sb_mount (type and target known)
 *   fsopen+fsconfig(CREATE)  -> sb_set_mnt_opts from vfs_get_tree (the
 *                               superblock is known; fsmount of a denied
 *                               type never gets a superblock to mount)
 *   open_tree/fsmount+move_mount -> move_mount (source and target known)
 *
 * The source of a mount(2) bind is only a string in sb_mount; restricted
 * objects are therefore also guarded where they are used (restricted.bpf.c:
 * traversal, open and connect go through inode_permission), so a bind that
 * names one through a symlink reaches nothing.
 */
#ifndef MOAT_MOUNT_BPF_H
#define MOAT_MOUNT_BPF_H

#include "policy.bpf.h"


static __always_inline bool fstype_denied(const char *type)
{
	struct moat_fstype_key key = {};

	if (!type)
		return false;
	if (bpf_probe_read_kernel_str(key.name, sizeof(key.name), type) <= 0)
		return false;
	return bpf_map_lookup_elem(&denied_fstypes, &key) != NULL;
}

static __always_inline int check_target(__u64 cgroup_id, const struct path *path)
{
	struct moat_restricted *r = restricted_inode(path->dentry->d_inode);

	if (r)
		return deny(cgroup_id, MOAT_RULE_MOUNT_RESTRICTED, 0, r->path, EPERM);
	return 0;
}

/* mount(2): not on a restricted object, not a denied filesystem type. */
static __always_inline int mount_rule_sb_mount(__u64 cgroup_id, const struct path *path,
					       const char *type, unsigned long flags)
{
	int ret = check_target(cgroup_id, path);

	if (ret)
		return ret;
	/* a new mount (not bind, move or remount) names its filesystem type */
	if (!(flags & (MS_REMOUNT | MS_BIND | MS_MOVE)) && fstype_denied(type))
		return deny(cgroup_id, MOAT_RULE_MOUNT_FSTYPE, flags, type, EPERM);
	return 0;
}

/* move_mount(2): neither end restricted, no mount of a denied type attached. */
static __always_inline int mount_rule_move_mount(__u64 cgroup_id, const struct path *from_path,
						 const struct path *to_path)
{
	struct moat_restricted *r;
	const char *type;
	int ret;

	r = restricted_inode(from_path->dentry->d_inode);
	if (r)
		return deny(cgroup_id, MOAT_RULE_MOUNT_RESTRICTED, 0, r->path, EPERM);
	ret = check_target(cgroup_id, to_path);
	if (ret)
		return ret;
	type = BPF_CORE_READ(from_path, mnt, mnt_sb, s_type, name);
	if (fstype_denied(type))
		return deny(cgroup_id, MOAT_RULE_MOUNT_FSTYPE, 0, type, EPERM);
	return 0;
}

#endif
