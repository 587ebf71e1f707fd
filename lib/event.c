// SPDX-License-Identifier: LGPL-2.1-or-later
/* event.c - turn a denial record into a line a person can act on. */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "macro.h"

static const char *const rule_names[MOAT_RULE_MAX] = {
	[MOAT_RULE_MOUNT_FSTYPE] = "mount-fstype",
	[MOAT_RULE_MOUNT_RESTRICTED] = "mount-restricted",
	[MOAT_RULE_RESTRICTED_ACCESS] = "restricted-access",
	[MOAT_RULE_NS_JOIN] = "ns-join",
	[MOAT_RULE_PTRACE] = "ptrace",
	[MOAT_RULE_BPF] = "bpf",
	[MOAT_RULE_MODULE] = "module",
	[MOAT_RULE_MOUNT_PROTECTED] = "mount-protected",
};

static const char *const rule_reasons[MOAT_RULE_MAX] = {
	[MOAT_RULE_MOUNT_FSTYPE] = "mount a filesystem type that exposes the kernel",
	[MOAT_RULE_MOUNT_RESTRICTED] = "mount over, bind or move a restricted host object",
	[MOAT_RULE_RESTRICTED_ACCESS] = "reach a restricted host object",
	[MOAT_RULE_NS_JOIN] = "take hold of a namespace that is not its own",
	[MOAT_RULE_PTRACE] = "inspect a process outside its container",
	[MOAT_RULE_BPF] = "use bpf()",
	[MOAT_RULE_MODULE] = "load a kernel module",
	[MOAT_RULE_MOUNT_PROTECTED] = "unmount, move, overmount or make writable a mount it started with",
};

const char *moat_rule_name(__u32 rule)
{
	if (rule >= MOAT_RULE_MAX || !rule_names[rule])
		return "unknown";
	return rule_names[rule];
}

static void format_object(const struct moat_event *e, char *buf, size_t len)
{
	char object[MOAT_OBJECT_LEN + 1];

	memcpy(object, e->object, MOAT_OBJECT_LEN);
	object[MOAT_OBJECT_LEN] = 0;
	switch (e->rule) {
	case MOAT_RULE_BPF:
		snprintf(buf, len, "bpf command %u", e->detail);
		break;
	case MOAT_RULE_MOUNT_PROTECTED:
		snprintf(buf, len, "mount %u at %s", e->detail, object[0] ? object : "?");
		break;
	case MOAT_RULE_PTRACE:
		snprintf(buf, len, "pid %u", e->detail);
		break;
	case MOAT_RULE_NS_JOIN:
		snprintf(buf, len, "%s (namespace or pid %u)", object, e->detail);
		break;
	default:
		snprintf(buf, len, "%s", object[0] ? object : "-");
	}
}

int moat_event_format(const struct moat_event *e, char *buf, size_t len)
{
	char comm[MOAT_COMM_LEN + 1], object[MOAT_OBJECT_LEN + 64];
	const char *reason = e->rule < MOAT_RULE_MAX ? rule_reasons[e->rule] : NULL;

	memcpy(comm, e->comm, MOAT_COMM_LEN);
	comm[MOAT_COMM_LEN] = 0;
	format_object(e, object, sizeof(object));
	return snprintf(buf, len,
			"denied rule=%s pid=%u comm=%s cgroup=%llu object=%s error=%s: a container "
			"may not %s",
			moat_rule_name(e->rule), e->pid, comm, (unsigned long long)e->cgroup_id, object,
			strerror(-e->ret), reason ? reason : "do this");
}
