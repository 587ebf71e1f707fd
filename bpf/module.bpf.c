// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * module.bpf.c - a container may not load kernel modules: not by asking the
 * kernel to (request_module on its behalf, e.g. for an unknown socket family
 * or filesystem), not with finit_module (kernel_read_file of a module) and
 * not with init_module (kernel_load_data of a module).
 */
#include "policy.bpf.h"

SEC("lsm/kernel_module_request")
int BPF_PROG(moat_kernel_module_request, char *kmod_name, int ret)
{
	__u64 cgroup_id;

	if (ret)
		return ret;
	if (!current_container(&cgroup_id))
		return 0;
	return deny(cgroup_id, MOAT_RULE_MODULE, 0, kmod_name, EPERM);
}

SEC("lsm/kernel_read_file")
int BPF_PROG(moat_kernel_read_file, struct file *file, enum kernel_read_file_id id, bool contents,
	     int ret)
{
	__u64 cgroup_id;

	if (ret)
		return ret;
	if (id != READING_MODULE || !current_container(&cgroup_id))
		return 0;
	return deny(cgroup_id, MOAT_RULE_MODULE, id, BPF_CORE_READ(file, f_path.dentry, d_name.name),
		    EPERM);
}

SEC("lsm/kernel_load_data")
int BPF_PROG(moat_kernel_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	__u64 cgroup_id;

	if (ret)
		return ret;
	if (id != LOADING_MODULE || !current_container(&cgroup_id))
		return 0;
	return deny(cgroup_id, MOAT_RULE_MODULE, id, NULL, EPERM);
}
