// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nsjoin.bpf.c - a container may not join a namespace that is not its own.
 *
 * Neither 6.1 nor 6.18 has a setns hook, and fmod_ret on sys_setns needs
 * CONFIG_FUNCTION_ERROR_INJECTION, which Debian's kernels lack (and would be
 * racy: the fd can be swapped between the check and the kernel's fget).
 * setns() only acts on an fd the caller already holds, so moat denies the
 * fd instead, at every way a process can come to hold one:
 *
 *   open("/proc/PID/ns/X")           -> file_open on an nsfs inode, and
 *                                       ptrace_access_check (the kernel asks
 *                                       it before it lets anyone see another
 *                                       process's namespaces, root and fds)
 *   SCM_RIGHTS, pidfd_getfd          -> file_receive on an nsfs inode or pidfd
 *                                       (an anon inode in 6.1, pidfs from 6.9)
 *   pidfd_open(PID)                  -> only names processes of the caller's
 *                                       pid namespace, which moat-runc never
 *                                       lets be the host's; received pidfds
 *                                       of outside processes are denied above
 *
 * Each check looks at the object itself, not at a path or an fd number, so
 * none can be raced. A namespace is the container's own if it was recorded
 * for it at registration (ns_owner), or if it is owned by the container's
 * user namespace or one below it (namespaces the container made, e.g. for
 * Docker-in-Docker). Everything else - the host's, another container's - is
 * denied.
 */
#include "policy.bpf.h"

#define NSFS_MAGIC 0x6e736673
#define PID_FS_MAGIC 0x50494446 /* pidfs, 6.9+ */
#define CLONE_NEWTIME 0x00000080
#define CLONE_NEWNS 0x00020000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000

#define owner_of(ns, type) \
	BPF_CORE_READ((type *)((void *)(ns) - bpf_core_field_offset(type, ns)), user_ns)

/* The user namespace that owns ns (for a user namespace: itself). */
static __always_inline struct user_namespace *ns_user_ns(struct ns_common *ns)
{
	switch (BPF_CORE_READ(ns, ops, type)) {
	case CLONE_NEWUSER:
		return (void *)ns - bpf_core_field_offset(struct user_namespace, ns);
	case CLONE_NEWNET:
		return owner_of(ns, struct net);
	case CLONE_NEWUTS:
		return owner_of(ns, struct uts_namespace);
	case CLONE_NEWIPC:
		return owner_of(ns, struct ipc_namespace);
	case CLONE_NEWPID:
		return owner_of(ns, struct pid_namespace);
	case CLONE_NEWNS:
		return owner_of(ns, struct mnt_namespace);
	case CLONE_NEWCGROUP:
		return owner_of(ns, struct cgroup_namespace);
	case CLONE_NEWTIME:
		return owner_of(ns, struct time_namespace);
	}
	return NULL;
}

/* Is userns the container's user namespace or a descendant of it? */
static __always_inline bool below_container_userns(struct user_namespace *userns, __u32 inum)
{
	for (int i = 0; i < MOAT_MAX_USERNS_DEPTH && userns; i++) {
		if (BPF_CORE_READ(userns, ns.inum) == inum)
			return true;
		userns = BPF_CORE_READ(userns, parent);
	}
	return false;
}

static __always_inline bool ns_is_containers(struct moat_container *c, __u64 cgroup_id,
					     struct inode *inode)
{
	__u32 inum = BPF_CORE_READ(inode, i_ino);
	struct moat_ns_owner *owner = bpf_map_lookup_elem(&ns_owner, &inum);
	struct ns_common *ns;

	if (owner)
		return owner->cgroup_id == cgroup_id;
	if (!c->userns_inum)
		return false;
	ns = BPF_CORE_READ(inode, i_private);
	return below_container_userns(ns_user_ns(ns), c->userns_inum);
}

/* Plain loads on the hook's BTF pointers: file_open runs on every open. */
static __always_inline bool is_nsfs(struct inode *inode)
{
	return inode && inode->i_sb->s_magic == NSFS_MAGIC;
}

static __always_inline int check_ns_file(struct file *file)
{
	struct inode *inode = file->f_inode;
	struct moat_container *c;
	__u64 cgroup_id;

	if (!is_nsfs(inode))
		return 0;
	c = current_container(&cgroup_id);
	if (!c || ns_is_containers(c, cgroup_id, inode))
		return 0;
	return deny(cgroup_id, MOAT_RULE_NS_JOIN, BPF_CORE_READ(inode, i_ino),
		    BPF_CORE_READ(file, f_path.dentry, d_name.name), EPERM);
}

/*
 * Is file a pidfd, and of which struct pid? From 6.9 on a pidfd is a pidfs
 * file, the pid in its inode's i_private; before, an anon inode file named
 * "[pidfd]" by anon_inode_getfile(), the pid in its private_data.
 * pidfd_fops is not in every kernel's kallsyms, so go by these.
 */
static __always_inline bool is_pidfd(struct file *file, struct pid **pid)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	const char want[8] = "[pidfd]";
	char name[8] = {};

	if (BPF_CORE_READ(inode, i_sb, s_magic) == PID_FS_MAGIC) {
		*pid = BPF_CORE_READ(inode, i_private);
		return true;
	}
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	for (int i = 0; i < 8; i++)
		if (name[i] != want[i])
			return false;
	*pid = BPF_CORE_READ(file, private_data);
	return true;
}

/* The task of a pidfd's pid (NULL once it has been reaped). */
static __always_inline struct task_struct *pidfd_task(struct pid *pid)
{
	struct hlist_node *first = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);

	if (!first)
		return NULL;
	return (void *)first - bpf_core_field_offset(struct task_struct, pid_links);
}

SEC("lsm/file_open")
int BPF_PROG(moat_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	return check_ns_file(file);
}

SEC("lsm/file_receive")
int BPF_PROG(moat_file_receive, struct file *file, int ret)
{
	struct moat_container *c;
	struct task_struct *task;
	struct pid *pid = NULL;
	__u64 cgroup_id;

	if (ret)
		return ret;
	if (!is_pidfd(file, &pid))
		return check_ns_file(file);
	c = current_container(&cgroup_id);
	if (!c)
		return 0;
	task = pidfd_task(pid);
	if (!task || task_in_cgroup_tree(task, cgroup_id, c))
		return 0;
	return deny(cgroup_id, MOAT_RULE_NS_JOIN, BPF_CORE_READ(task, tgid), "pidfd", EPERM);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(moat_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	struct moat_container *c;
	__u64 cgroup_id;

	if (ret)
		return ret;
	c = current_container(&cgroup_id);
	if (!c || task_in_cgroup_tree(child, cgroup_id, c))
		return 0;
	return deny(cgroup_id, MOAT_RULE_PTRACE, BPF_CORE_READ(child, tgid), NULL, EPERM);
}
