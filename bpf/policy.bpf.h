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

/* Is cgroup v2 id `id` registered? Its container, and *cgroup_id = id, if so. */
static __always_inline struct moat_container *lookup_container(__u64 id, __u64 *cgroup_id)
{
	struct moat_container *c = bpf_map_lookup_elem(&containers, &id);

	if (c)
		*cgroup_id = id;
	return c;
}

/*
 * The container the current task belongs to: its own cgroup or the nearest
 * registered ancestor (a container's child cgroups, e.g. Docker-in-Docker,
 * stay that container's). NULL for every unregistered process.
 */
static __always_inline struct moat_container *current_container(__u64 *cgroup_id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct moat_container *c;
	int level;

	c = lookup_container(bpf_get_current_cgroup_id(), cgroup_id);
	if (c)
		return c;
	level = BPF_CORE_READ(task, cgroups, dfl_cgrp, level);
	/* level 0 is the root cgroup, which is never a container */
	for (int i = 1; i < MOAT_MAX_CGROUP_DEPTH; i++) {
		if (i >= level)
			break;
		c = lookup_container(bpf_get_current_ancestor_cgroup_id(i), cgroup_id);
		if (c)
			return c;
	}
	return NULL;
}

/* Does `task` live in cgroup `cgroup_id` or one of its descendants? */
static __always_inline bool task_in_cgroup_tree(struct task_struct *task, __u64 cgroup_id)
{
	struct cgroup *cgrp = BPF_CORE_READ(task, cgroups, dfl_cgrp);

	for (int i = 0; i < MOAT_MAX_CGROUP_DEPTH && cgrp; i++) {
		if (BPF_CORE_READ(cgrp, kn, id) == cgroup_id)
			return true;
		cgrp = container_of(BPF_CORE_READ(cgrp, self.parent), struct cgroup, self);
	}
	return false;
}

/* Kernel dev_t + inode of an inode, as the restricted map keys them. */
static __always_inline struct moat_restricted_key inode_key(struct inode *inode)
{
	struct moat_restricted_key key = {
		.dev = BPF_CORE_READ(inode, i_sb, s_dev),
		.ino = BPF_CORE_READ(inode, i_ino),
	};
	return key;
}

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
	key = inode_key(inode);
	bit = key.ino % MOAT_FILTER_BITS;
	if (!(filter->bits[bit / 64] & (1ULL << (bit % 64))))
		return NULL;
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
