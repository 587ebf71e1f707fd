// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfcall.bpf.c - the bpf() rule: every bpf() command from a container fails
 * with EPERM unless its policy carries MOAT_ALLOW_BPF. `bpftool map show`
 * then stops at its first BPF_MAP_GET_NEXT_ID with "can't get next map:
 * Operation not permitted".
 */
#include "policy.bpf.h"

SEC("lsm/bpf")
int BPF_PROG(moat_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	struct moat_container *c;
	__u64 cgroup_id;

	if (ret)
		return ret;
	c = current_container(&cgroup_id);
	if (!c || (c->flags & MOAT_ALLOW_BPF))
		return 0;
	return deny(cgroup_id, MOAT_RULE_BPF, cmd, NULL, EPERM);
}
