/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * policy.bpf.h - the maps and helpers every moat BPF-LSM program shares.
 * The maps are __weak so that each *.bpf.c can declare them; `bpftool gen
 * object` links the objects into one moat.bpf.o with one copy of each map.
 * Each is pinned by name (LIBBPF_PIN_BY_NAME) under the pin_root_path
 * moat-loader opens the object with: a reload, or a new build, reuses the
 * pinned maps and the registrations in them. bpf/moat.h names them for
 * userspace (MOAT_MAP_*).
 */
#ifndef MOAT_POLICY_BPF_H
#define MOAT_POLICY_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "moat.h"

#define EPERM 1
#define EACCES 13

/* mount(2) flags (uapi/linux/mount.h, not in vmlinux.h) */
#define MS_RDONLY 1
#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_MOVE 8192

/* A map of the policy: keyed, shared by every program, pinned by its name. */
#define POLICY_MAP(name, map_type, entries, key_type, value_type)                                 \
	struct {                                                                                   \
		__uint(type, map_type);                                                            \
		__uint(max_entries, entries);                                                      \
		__type(key, key_type);                                                             \
		__type(value, value_type);                                                         \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                               \
	} name SEC(".maps") __weak

/* Registered containers: cgroup v2 id -> policy. */
POLICY_MAP(containers, BPF_MAP_TYPE_HASH, MOAT_MAX_CONTAINERS, __u64, struct moat_container);

/* Containers registered per cgroup level (see moat.h). */
POLICY_MAP(container_levels, BPF_MAP_TYPE_ARRAY, 1, __u32, struct moat_container_levels);

/* Host objects no container may reach: dev+ino -> path. */
POLICY_MAP(restricted, BPF_MAP_TYPE_HASH, MOAT_MAX_RESTRICTED, struct moat_restricted_key,
	   struct moat_restricted);

/* Fast negative check in front of "restricted" (see moat.h). */
POLICY_MAP(restricted_filter, BPF_MAP_TYPE_ARRAY, 1, __u32, struct moat_restricted_filter);

/* Filesystem types no container may mount. */
POLICY_MAP(denied_fstypes, BPF_MAP_TYPE_HASH, 64, struct moat_fstype_key, __u8);

/* Namespaces of registered containers: ns inode number -> owner. */
POLICY_MAP(ns_owner, BPF_MAP_TYPE_HASH, MOAT_MAX_NAMESPACES, __u32, struct moat_ns_owner);

/* Mounts containers started with: mount id -> owner and what is forbidden. */
POLICY_MAP(protected_mounts, BPF_MAP_TYPE_HASH, MOAT_MAX_PROTECTED_MOUNTS, __u32,
	   struct moat_protected_mount);

/* One record per denial, drained by moat-loader. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps") __weak;

/*
 * The container the current task belongs to: the registered cgroup among
 * its own and its ancestors, the outermost one if several are (a
 * container's child cgroups, e.g. Docker-in-Docker, stay that container's,
 * under that container's rules). NULL for every unregistered process.
 *
 * Only the levels that hold a registered container are looked at, each by
 * the task's ancestor at that level: a process in the root cgroup, or above
 * every container's level, pays no hash lookup; one beside containers of one
 * level pays one. Nothing is cached: a task that moves cgroups (runc exec
 * joining a container) is judged by where it is at the call.
 */
static __always_inline struct moat_container *current_container(__u64 *cgroup_id)
{
	struct moat_container_levels *levels;
	struct moat_container *c;
	__u32 zero = 0, mask;
	__u64 id;

	levels = bpf_map_lookup_elem(&container_levels, &zero);
	if (!levels)
		return NULL; /* an array's only slot: never */
	mask = levels->mask;
	/* level 0 is the root cgroup, which is never a container */
	for (int i = 1; i < MOAT_CGROUP_LEVELS; i++) {
		if (!(mask >> i))
			break; /* no container at level i or deeper */
		if (!(mask & (1U << i)))
			continue;
		id = bpf_get_current_ancestor_cgroup_id(i);
		if (!id)
			break; /* the task sits above level i */
		c = bpf_map_lookup_elem(&containers, &id);
		if (c) {
			*cgroup_id = id;
			return c;
		}
	}
	return NULL;
}

/* Does `task` live in container c's cgroup `cgroup_id` or below it? Walks
 * up from the task's cgroup to c's level: at most MOAT_CGROUP_NESTING steps,
 * which cgroup.max.depth keeps a container within (deeper: not its). */
static __always_inline bool task_in_cgroup_tree(struct task_struct *task, __u64 cgroup_id,
						const struct moat_container *c)
{
	struct cgroup *cgrp = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	int below = BPF_CORE_READ(cgrp, level) - (int)c->level;

	if (below < 0 || below > MOAT_CGROUP_NESTING)
		return false;
	for (int i = 0; i < MOAT_CGROUP_NESTING && i < below && cgrp; i++)
		cgrp = container_of(BPF_CORE_READ(cgrp, self.parent), struct cgroup, self);
	return cgrp && BPF_CORE_READ(cgrp, kn, id) == cgroup_id;
}

#define BTRFS_SUPER_MAGIC 0x9123683E

/* btrfs's inode and subvolume root (fs/btrfs/btrfs_inode.h, ctree.h): a
 * module, so not in vmlinux.h; CO-RE finds them in the module's BTF when
 * btrfs is loaded as the programs are, and drops the btrfs branch below
 * when it is not. */
struct btrfs_root___moat {
	dev_t anon_dev;
} __attribute__((preserve_access_index));

struct btrfs_inode___moat {
	struct btrfs_root___moat *root;
	struct inode vfs_inode;
} __attribute__((preserve_access_index));

/*
 * The device half of an inode's restricted key: its superblock's dev_t,
 * except on btrfs, where one superblock holds many subvolumes that number
 * their inodes alike: there the subvolume's anonymous device (what stat()
 * gives as st_dev). lib/policy.c adds both keys for a btrfs path.
 */
static __always_inline __u64 inode_dev(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct btrfs_inode___moat *bi;

	if (bpf_core_type_exists(struct btrfs_inode___moat) && sb->s_magic == BTRFS_SUPER_MAGIC) {
		bi = (void *)inode - bpf_core_field_offset(struct btrfs_inode___moat, vfs_inode);
		return BPF_CORE_READ(bi, root, anon_dev);
	}
	return sb->s_dev;
}

/*
 * Is inode (a BTF pointer: a hook argument or a field read from one) a
 * restricted host object? Keyed by dev_t (inode_dev) and inode number.
 * Plain loads, not BPF_CORE_READ: this runs on every path component of
 * every process, and a probe-read helper call per field costs more than the
 * rest of the hook.
 */
static __always_inline struct moat_restricted *restricted_inode(struct inode *inode)
{
	struct moat_restricted_filter *filter;
	struct moat_restricted_key key;
	__u32 zero = 0, bit;

	if (!inode)
		return NULL;
	filter = bpf_map_lookup_elem(&restricted_filter, &zero);
	if (!filter)
		return NULL;
	key.ino = inode->i_ino;
	bit = key.ino % MOAT_FILTER_BITS;
	if (!(filter->bits[bit / 64] & (1ULL << (bit % 64))))
		return NULL;
	key.dev = inode_dev(inode);
	return bpf_map_lookup_elem(&restricted, &key);
}

/*
 * Report a denial and return the error the hook gives the process.
 * `object` is a kernel string (path, fs type, module name) or NULL.
 */
static __always_inline int deny(__u64 cgroup_id, enum moat_rule rule, __u32 detail,
				const void *object, int err)
{
	struct moat_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return -err;
	e->cgroup_id = cgroup_id;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->rule = rule;
	e->ret = -err;
	e->detail = detail;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->object[0] = 0;
	if (object)
		bpf_probe_read_kernel_str(e->object, sizeof(e->object), object);
	bpf_ringbuf_submit(e, 0);
	return -err;
}

#endif
