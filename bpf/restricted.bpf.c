// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * restricted.bpf.c - a container may not reach a restricted host object
 * (Docker's socket and configuration, moat's own state and pins). Every way
 * to use one passes inode_permission on its inode: walking into a restricted
 * directory (MAY_EXEC on each component), opening a file, and connecting to
 * a unix socket (unix_find_bsd asks for MAY_WRITE). The key is dev+ino, so
 * no path trick (symlink, "..", a bind mount elsewhere) gets around it.
 *
 * This hook runs on every permission check in the system: it asks about the
 * inode first (a bit in the restricted_filter bitmap, almost always clear;
 * only when it is set, a hash lookup) and only on a hit asks whether the
 * caller is a container.
 */
#include "policy.bpf.h"

SEC("lsm/inode_permission")
int BPF_PROG(moat_inode_permission, struct inode *inode, int mask, int ret)
{
	struct moat_restricted *r;
	__u64 cgroup_id;

	if (ret)
		return ret;
	r = restricted_inode(inode);
	if (!r || !current_container(&cgroup_id))
		return 0;
	return deny(cgroup_id, MOAT_RULE_RESTRICTED_ACCESS, mask, r->path, EACCES);
}
