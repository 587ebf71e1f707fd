// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mount.bpf.c - the mount hooks: one program per LSM hook, so a container's
 * mount pays one trampoline and one walk up its cgroups. Each runs the mount
 * rule (mount.bpf.h: denied filesystem types, restricted objects) and then
 * the start-mount protection (protect.bpf.h); the first denial wins and is
 * the one reported.
 */
#include "mount.bpf.h"
#include "protect.bpf.h"

SEC("lsm/sb_mount")
int BPF_PROG(moat_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	__u64 cgroup_id;

	if (ret)
		return ret;
	if (!current_container(&cgroup_id))
		return 0;
	ret = mount_rule_sb_mount(cgroup_id, path, type, flags);
	if (ret)
		return ret;
	return protect_sb_mount(cgroup_id, path, flags);
}

SEC("lsm/sb_set_mnt_opts")
int BPF_PROG(moat_sb_set_mnt_opts, struct super_block *sb, void *mnt_opts,
	     unsigned long kern_flags, unsigned long *set_kern_flags, int ret)
{
	const char *type;
	__u64 cgroup_id;

	if (ret)
		return ret;
	if (!current_container(&cgroup_id))
		return 0;
	type = BPF_CORE_READ(sb, s_type, name);
	if (fstype_denied(type))
		return deny(cgroup_id, MOAT_RULE_MOUNT_FSTYPE, 0, type, EPERM);
	return 0;
}

SEC("lsm/move_mount")
int BPF_PROG(moat_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	__u64 cgroup_id;

	if (ret)
		return ret;
	if (!current_container(&cgroup_id))
		return 0;
	ret = mount_rule_move_mount(cgroup_id, from_path, to_path);
	if (ret)
		return ret;
	return protect_move_mount(cgroup_id, from_path, to_path);
}
