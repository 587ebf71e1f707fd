// SPDX-License-Identifier: LGPL-2.1-or-later
/* policy-map.c - see policy-map.h. */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/types.h>
#include <string.h>

#include "policy-map.h"

int moat_map_forget_cgroup(int fd, size_t value_size, uint64_t cgroup_id)
{
	__u32 key, next, *prev = NULL;
	_Alignas(8) unsigned char value[64];
	uint64_t owner;

	if (value_size > sizeof(value) || value_size < sizeof(owner))
		return -EINVAL;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(fd, &next, value) == 0) {
			memcpy(&owner, value, sizeof(owner));
			if (owner == cgroup_id) {
				(void)bpf_map_delete_elem(fd, &next);
				continue; /* go on from the same predecessor */
			}
		}
		key = next;
		prev = &key;
	}
	return 0;
}
