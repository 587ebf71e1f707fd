// SPDX-License-Identifier: LGPL-2.1-or-later
#include "fs-util.h"
#include "fsemu-files.h"
#include "macro.h"

#define RENDERED(path, renderer) { path, renderer, 0 }
#define SYSCTL(path, flags) { path, RENDER_SYSCTL, MOAT_FS_RW | MOAT_FS_NOT_BY_RUNC | (flags) }

const struct moat_fs_file moat_fs_files[] = {
	RENDERED("/proc/uptime", RENDER_UPTIME),
	RENDERED("/proc/meminfo", RENDER_MEMINFO),
	RENDERED("/proc/cpuinfo", RENDER_CPUINFO),
	RENDERED("/proc/stat", RENDER_STAT),
	RENDERED("/proc/loadavg", RENDER_LOADAVG),
	RENDERED("/proc/swaps", RENDER_SWAPS),
	RENDERED("/proc/diskstats", RENDER_DISKSTATS),
	RENDERED("/sys/devices/system/cpu/online", RENDER_CPU_ONLINE),
	SYSCTL("/proc/sysrq-trigger", 0),
	SYSCTL("/proc/sys/kernel/panic", 0),
	SYSCTL("/proc/sys/kernel/panic_on_oops", 0),
	SYSCTL("/proc/sys/kernel/printk", 0),
	SYSCTL("/proc/sys/kernel/kptr_restrict", 0),
	SYSCTL("/proc/sys/kernel/dmesg_restrict", 0),
	SYSCTL("/proc/sys/kernel/yama/ptrace_scope", MOAT_FS_OPTIONAL),
	SYSCTL("/proc/sys/kernel/core_pattern", 0),
	SYSCTL("/proc/sys/vm/overcommit_memory", 0),
	SYSCTL("/proc/sys/fs/file-max", 0),
	SYSCTL("/proc/sys/fs/nr_open", 0),
	SYSCTL("/proc/sys/net/core/somaxconn", MOAT_FS_HOST_NETNS_ONLY),
	SYSCTL("/proc/sys/net/netfilter/nf_conntrack_max", MOAT_FS_OPTIONAL),
	SYSCTL("/proc/sys/net/unix/max_dgram_qlen", MOAT_FS_HOST_NETNS_ONLY),
};

const size_t moat_fs_files_count = ELEMENTSOF(moat_fs_files);
_Static_assert(ELEMENTSOF(moat_fs_files) <= MOAT_FS_FILES_MAX, "raise MOAT_FS_FILES_MAX");

const char *moat_fs_file_sysctl(const struct moat_fs_file *f)
{
	const char *name;

	if (f->renderer != RENDER_SYSCTL)
		return NULL;
	name = path_startswith(f->path, "/proc/sys");
	return name ? name : path_startswith(f->path, "/proc");
}
