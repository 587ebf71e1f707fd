// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * protect-rules.c - what a container may not do to the mounts it started
 * with, by mount point: the one rule behind the kernel's protected_mounts
 * (lib/protect.c records it) and moat-fs's mount vetting (fsemu/vet-rules.c).
 * Pure: no map, no system call.
 */
#include <string.h>

#include "fs-util.h"
#include "mountinfo.h"
#include "policy.h"

uint32_t moat_mount_protection(const char *mount_point, const char *options, const char *fstype)
{
	uint32_t flags = MOAT_MOUNT_NO_UMOUNT;

	if (mountinfo_has_option(options, "ro"))
		flags |= MOAT_MOUNT_NO_RW;
	/* cgroup mounts stay usable: systemd and Docker-in-Docker mount there */
	if ((path_startswith(mount_point, "/proc") || path_startswith(mount_point, "/sys")) &&
	    !path_startswith(mount_point, "/sys/fs/cgroup") && strncmp(fstype, "cgroup", 6) != 0)
		flags |= MOAT_MOUNT_NO_OVERMOUNT;
	return flags;
}
