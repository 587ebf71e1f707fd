/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fsemu-files.h - the files moat-fs emulates, listed once: moat-fs serves
 * each (fsemu/tree.c) and moat-runc bind-mounts each into every container
 * (runtime/emulate.c), from <moat-fs mountpoint><path> onto <path>.
 *
 *   /proc/uptime, meminfo, cpuinfo, stat, loadavg, swaps, diskstats   ro
 *   /sys/devices/system/cpu/online                                    ro
 *   /proc/sysrq-trigger                               rw (writes are swallowed)
 *   /proc/sys/kernel/{panic,panic_on_oops,printk,kptr_restrict,
 *     dmesg_restrict,core_pattern}, kernel/yama/ptrace_scope,
 *     vm/overcommit_memory, fs/{file-max,nr_open},
 *     net/netfilter/nf_conntrack_max                                 rw
 *   /proc/sys/net/core/somaxconn, net/unix/max_dgram_qlen             rw, and only
 *     for a container that shares the host's network namespace
 *     (MOAT_FS_HOST_NETNS_ONLY): the kernel keeps these per network
 *     namespace, so a container with its own has its own already.
 *
 * The read-only files come from moat-fs's renderers (fsemu/render.h), the
 * writable ones are sysctls kept per container (fsemu/sysctl.h).
 */
#ifndef MOAT_FSEMU_FILES_H
#define MOAT_FSEMU_FILES_H

#include <stddef.h>

/* moat-fs's renderers: what makes a read-only file's content. */
enum renderer_id {
	RENDER_UPTIME,
	RENDER_MEMINFO,
	RENDER_CPUINFO,
	RENDER_STAT,
	RENDER_LOADAVG,
	RENDER_SWAPS,
	RENDER_DISKSTATS,
	RENDER_CPU_ONLINE,
	RENDER_NR,
	RENDER_SYSCTL = -1, /* no renderer: a sysctl, writable */
};

enum moat_fs_file_flags {
	MOAT_FS_RW = 1 << 0,		  /* writable: bind-mounted without "ro" */
	MOAT_FS_HOST_NETNS_ONLY = 1 << 1, /* only when the container shares the host's netns */
	MOAT_FS_OPTIONAL = 1 << 2,	  /* may be absent from the container's /proc */
	MOAT_FS_NOT_BY_RUNC = 1 << 3,	  /* runc refuses it in config.json: mount it from a hook */
};

struct moat_fs_file {
	const char *path; /* in the container ("/proc/meminfo"); the same below moat-fs's mountpoint */
	int renderer;	  /* enum renderer_id */
	unsigned flags;	  /* enum moat_fs_file_flags */
};

/* Room for the list to grow (fsemu-files.c checks that it holds). */
#define MOAT_FS_FILES_MAX 64

/* Append only: a file's place in the list is the source of its inode
 * number in moat-fs, which must not change across moat-fs's restarts. */
extern const struct moat_fs_file moat_fs_files[];
extern const size_t moat_fs_files_count;

/* The name fsemu/sysctl.h knows a sysctl file by: "kernel/panic" for
 * /proc/sys/kernel/panic, "sysrq-trigger" for /proc/sysrq-trigger. NULL for
 * a rendered file. */
const char *moat_fs_file_sysctl(const struct moat_fs_file *f);

#endif
