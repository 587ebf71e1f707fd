/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * moat.h - the policy objects shared by the BPF programs (bpf/NAME.bpf.c), the
 * loader, moatctl and moat-runc. Every map key, map value and event record is
 * declared here once; both sides include this header.
 */
#ifndef MOAT_H
#define MOAT_H

/*
 * The maps moat-loader pins, each under its own name in the pin directory
 * (LIBBPF_PIN_BY_NAME in policy.bpf.h): these strings are the names of the
 * maps declared there, and what moat-runc and moatctl open (lib/policy.c).
 * Everything else in the object (.rodata, .bss) stays private to it.
 */
#define MOAT_MAP_CONTAINERS "containers"
#define MOAT_MAP_CONTAINER_LEVELS "container_levels"
#define MOAT_MAP_RESTRICTED "restricted"
#define MOAT_MAP_RESTRICTED_FILTER "restricted_filter"
#define MOAT_MAP_DENIED_FSTYPES "denied_fstypes"
#define MOAT_MAP_NS_OWNER "ns_owner"
#define MOAT_MAP_PROTECTED_MOUNTS "protected_mounts"
#define MOAT_MAP_EVENTS "events"

/* A container's cgroup sits at level 1 .. MOAT_CGROUP_LEVELS - 1 of the
 * cgroup v2 hierarchy (the root is level 0); registration refuses a deeper
 * one, which the kernel's lookup (one slot per level) could not reach. */
#define MOAT_CGROUP_LEVELS 32
/* How many levels of child cgroups a container may make below its own
 * (moat-runc sets its cgroup.max.depth): the ptrace and pidfd rules walk
 * at most this far up from a task to the container's cgroup. */
#define MOAT_CGROUP_NESTING 16
/* Depth of the user-namespace chain walked to find a container's userns. */
#define MOAT_MAX_USERNS_DEPTH 8

#define MOAT_MAX_CONTAINERS 16384
#define MOAT_MAX_RESTRICTED 1024
#define MOAT_MAX_NAMESPACES 65536
#define MOAT_OBJECT_LEN 128
#define MOAT_COMM_LEN 16

/* struct moat_container.flags */
enum moat_container_flags {
	MOAT_ALLOW_BPF = 1 << 0, /* the container may call bpf() */
};

/* Value of the "containers" map, keyed by the container's cgroup v2 id (__u64). */
struct moat_container {
	__u32 flags;
	/* inode number of the container's user namespace, 0 if it has none of
	 * its own; namespaces owned by it (or its descendants) may be joined. */
	__u32 userns_inum;
	__u32 level; /* the cgroup's level in the hierarchy (root: 0) */
	__u32 pad;
};

/* Value of the one-entry "container_levels" array: how many containers are
 * registered at each cgroup level. The kernel looks up a process's
 * ancestor only at levels that hold a container, so a process outside every
 * container costs no hash lookup unless a container sits at or above its
 * own level, and then one per such level. A count is raised before its
 * container's entry is added and lowered after it is deleted (under the
 * lock on the pin directory), so it is never too low for an entry that
 * exists: a stale count costs a lookup, never a missed container. */
struct moat_container_levels {
	__u32 count[MOAT_CGROUP_LEVELS];
	__u32 mask; /* bit i set when count[i] is not 0: where the walk may stop */
	__u32 pad;
};

/* Key of the "restricted" map: a host object the containers must not reach. */
struct moat_restricted_key {
	__u64 dev; /* kernel encoding: MAJOR << 20 | MINOR */
	__u64 ino;
};

/* Value of the "restricted" map: the path it was registered under, for logs. */
struct moat_restricted {
	char path[MOAT_OBJECT_LEN];
};

/* Value of the one-entry "restricted_filter" array: bit (ino % MOAT_FILTER_BITS)
 * is set for every restricted inode. inode_permission runs on every path
 * component of every process; the bitmap lets it skip the hash lookup for
 * all but a few inodes. Bits are only ever set (a stale bit costs a lookup). */
#define MOAT_FILTER_BITS 4096
struct moat_restricted_filter {
	__u64 bits[MOAT_FILTER_BITS / 64];
};

/* Key of the "denied_fstypes" map: a NUL-padded filesystem type name. */
#define MOAT_FSTYPE_LEN 32
struct moat_fstype_key {
	char name[MOAT_FSTYPE_LEN];
};

/* Value of the "ns_owner" map, keyed by a namespace inode number (__u32). */
struct moat_ns_owner {
	__u64 cgroup_id; /* the registered cgroup whose container owns it */
};

/* Value of the "protected_mounts" map, keyed by a mount id (__u32, the first
 * field of /proc/PID/mountinfo): mounts a container started with. */
enum moat_mount_flags {
	MOAT_MOUNT_NO_UMOUNT = 1 << 0, /* may not be unmounted or moved */
	MOAT_MOUNT_NO_RW = 1 << 1, /* read-only at start: may not become read-write */
	MOAT_MOUNT_NO_OVERMOUNT = 1 << 2, /* nothing may be mounted on it (/proc, /sys, emulated files) */
};

struct moat_protected_mount {
	__u64 cgroup_id; /* the container it was recorded for */
	/* which mount: ids are reused once a mount is gone, so the entry only
	 * counts while the id still names a mount of this superblock and root */
	__u64 dev; /* kernel encoding of the superblock's dev_t */
	__u64 root_ino; /* inode of the mount's root */
	__u32 flags; /* enum moat_mount_flags */
	__u32 pad;
};

#define MOAT_MAX_PROTECTED_MOUNTS 65536
/* Start mounts recorded per container unless moat.conf says otherwise
 * (max_start_mounts): one container cannot fill the map for the others. */
#define MOAT_DEFAULT_START_MOUNTS 1024

enum moat_rule {
	MOAT_RULE_MOUNT_FSTYPE = 1, /* mounting a filesystem type that exposes the kernel */
	MOAT_RULE_MOUNT_RESTRICTED, /* mounting over, binding or moving a restricted object */
	MOAT_RULE_RESTRICTED_ACCESS, /* opening, connecting to or traversing a restricted object */
	MOAT_RULE_NS_JOIN, /* obtaining an fd of a namespace that is not the container's */
	MOAT_RULE_PTRACE, /* ptrace or /proc access to a process outside the container */
	MOAT_RULE_BPF, /* the bpf() system call */
	MOAT_RULE_MODULE, /* loading a kernel module */
	MOAT_RULE_MOUNT_PROTECTED, /* unmounting, moving, remounting rw or overmounting a start mount */
	MOAT_RULE_MAX,
};

/* Record of the "events" ring buffer: one per denial. */
struct moat_event {
	__u64 cgroup_id; /* the registered cgroup the process belongs to */
	__u32 pid;
	__u32 rule; /* enum moat_rule */
	__s32 ret; /* the error returned to the process */
	__u32 detail; /* rule specific: bpf cmd, mount flags, ns inum, target pid */
	char comm[MOAT_COMM_LEN];
	char object[MOAT_OBJECT_LEN]; /* path, fs type, module name */
};

#endif /* MOAT_H */
