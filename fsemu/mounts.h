/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mounts.h - which container paths the runtime bind-mounts from moat-fs.
 * Header only, for moat-runc: for each entry, add to config.json
 *
 *   { "destination": <container_path>,
 *     "source": <moat-fs mountpoint>/<source>,   (default /run/moat-fs)
 *     "type": "bind",
 *     "options": MOAT_FS_OPTIONS_RO or MOAT_FS_OPTIONS_RW }
 *
 * The options are the ones that work in a user-namespaced container too:
 * moat-fs mounts with nosuid,nodev and a bind mount made in a user
 * namespace may not drop those locked flags, so they must be repeated;
 * ["bind","ro"] alone fails with EPERM there. Writable sysctls get no "ro".
 *
 * The list (destination <- source under the mountpoint):
 *   /proc/uptime, meminfo, cpuinfo, stat, loadavg, swaps, diskstats  ro
 *   /sys/devices/system/cpu/online                                   ro
 *   /proc/sysrq-trigger                                              rw (writes are swallowed)
 *   /proc/sys/kernel/{panic,panic_on_oops,printk,kptr_restrict,
 *     dmesg_restrict,core_pattern}, kernel/yama/ptrace_scope,
 *     vm/overcommit_memory, fs/{file-max,nr_open},
 *     net/netfilter/nf_conntrack_max                                 rw
 *   /proc/sys/net/core/somaxconn, net/unix/max_dgram_qlen            rw, and only
 *     for a container that shares the host's network namespace
 *     (MOAT_FS_HOST_NETNS_ONLY): the kernel keeps these per network
 *     namespace, so a container with its own has its own already.
 *
 * Notes for the runtime:
 *   - runc (1.1.5 here) bind-mounts into /proc only a fixed list:
 *     cpuinfo, diskstats, meminfo, stat, swaps, uptime, loadavg, slabinfo,
 *     net/dev, sys/kernel/ns_last_pid ("... cannot be mounted because it is
 *     inside /proc" otherwise). So entries flagged MOAT_FS_NOT_BY_RUNC
 *     (/proc/sys/..., /proc/sysrq-trigger) cannot go into config.json
 *     mounts: mount them from a createContainer hook, which runc runs in
 *     the container's mount namespace before pivot_root, host paths still
 *     visible: `mount --bind <source> <rootfs>/proc/sys/kernel/panic`
 *     (tests/integration/fsemu.bats does so, user namespace included);
 *   - a destination that does not exist in the container's /proc (e.g.
 *     kernel/yama/ptrace_scope without Yama, nf_conntrack_max without the
 *     module) cannot be bind-mounted over: skip it if absent;
 *   - /proc/sys and /proc/sysrq-trigger are usually in readonlyPaths. runc
 *     makes a read-only path with a recursive bind of it onto itself, then
 *     remounts only that top mount read-only, so the writable sysctl mounts
 *     underneath stay writable; masking /proc/sysrq-trigger instead
 *     (maskedPaths) would hide the emulation.
 */
#ifndef MOAT_FSEMU_MOUNTS_H
#define MOAT_FSEMU_MOUNTS_H

#include <stddef.h>

#define MOAT_FS_DEFAULT_MOUNTPOINT "/run/moat-fs" /* not under /run/moat: the kernel policy restricts it */

enum moat_fs_mount_flags {
	MOAT_FS_RW = 1 << 0,		  /* writable: MOAT_FS_OPTIONS_RW */
	MOAT_FS_HOST_NETNS_ONLY = 1 << 1, /* only when the container shares the host's netns */
	MOAT_FS_OPTIONAL = 1 << 2,	  /* may be absent from the container's /proc */
	MOAT_FS_NOT_BY_RUNC = 1 << 3,	  /* runc refuses it in config.json: mount it from a hook */
};

struct moat_fs_mount {
	const char *container_path;
	const char *source; /* relative to the moat-fs mountpoint */
	unsigned flags;
};

#define MOAT_FS_RO_FILE(p) { "/" p, p, 0 }
#define MOAT_FS_RW_FILE(p, f) { "/" p, p, MOAT_FS_RW | MOAT_FS_NOT_BY_RUNC | (f) }

static const struct moat_fs_mount moat_fs_mounts[] __attribute__((unused)) = {
	MOAT_FS_RO_FILE("proc/uptime"),
	MOAT_FS_RO_FILE("proc/meminfo"),
	MOAT_FS_RO_FILE("proc/cpuinfo"),
	MOAT_FS_RO_FILE("proc/stat"),
	MOAT_FS_RO_FILE("proc/loadavg"),
	MOAT_FS_RO_FILE("proc/swaps"),
	MOAT_FS_RO_FILE("proc/diskstats"),
	MOAT_FS_RO_FILE("sys/devices/system/cpu/online"),
	MOAT_FS_RW_FILE("proc/sysrq-trigger", 0),
	MOAT_FS_RW_FILE("proc/sys/kernel/panic", 0),
	MOAT_FS_RW_FILE("proc/sys/kernel/panic_on_oops", 0),
	MOAT_FS_RW_FILE("proc/sys/kernel/printk", 0),
	MOAT_FS_RW_FILE("proc/sys/kernel/kptr_restrict", 0),
	MOAT_FS_RW_FILE("proc/sys/kernel/dmesg_restrict", 0),
	MOAT_FS_RW_FILE("proc/sys/kernel/yama/ptrace_scope", MOAT_FS_OPTIONAL),
	MOAT_FS_RW_FILE("proc/sys/kernel/core_pattern", 0),
	MOAT_FS_RW_FILE("proc/sys/vm/overcommit_memory", 0),
	MOAT_FS_RW_FILE("proc/sys/fs/file-max", 0),
	MOAT_FS_RW_FILE("proc/sys/fs/nr_open", 0),
	MOAT_FS_RW_FILE("proc/sys/net/core/somaxconn", MOAT_FS_HOST_NETNS_ONLY),
	MOAT_FS_RW_FILE("proc/sys/net/netfilter/nf_conntrack_max", MOAT_FS_OPTIONAL),
	MOAT_FS_RW_FILE("proc/sys/net/unix/max_dgram_qlen", MOAT_FS_HOST_NETNS_ONLY),
};

#define MOAT_FS_MOUNTS_COUNT (sizeof(moat_fs_mounts) / sizeof(moat_fs_mounts[0]))

static const char *const moat_fs_options_ro[] __attribute__((unused)) = { "rbind", "ro", "nosuid",
									  "nodev" };
static const char *const moat_fs_options_rw[] __attribute__((unused)) = { "rbind", "nosuid",
									  "nodev" };
#define MOAT_FS_OPTIONS_RO moat_fs_options_ro
#define MOAT_FS_OPTIONS_RW moat_fs_options_rw
#define MOAT_FS_OPTIONS_COUNT(o) (sizeof(o) / sizeof((o)[0]))

#endif
