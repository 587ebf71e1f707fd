/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emulate.h - moat-fs's emulated /proc and /sys files in every container
 * (lib/fsemu-files.h lists them; moat.conf's fsemu and fsemu_mountpoint).
 *
 * The files runc 1.1 accepts in config.json (/proc/uptime, meminfo, ...,
 * /sys/devices/system/cpu/online) become bind mounts appended to the spec's
 * mounts, unless the spec mounts that destination itself. runc bind-mounts
 * into /proc only a fixed list ("... cannot be mounted because it is inside
 * /proc" otherwise), so the ones flagged MOAT_FS_NOT_BY_RUNC (/proc/sys/...,
 * /proc/sysrq-trigger) are bind-mounted by a createContainer hook: runc runs
 * it in the container's mount (and user) namespace, after the spec's mounts
 * and before pivot_root, so "<rootfs>/proc/sys/..." is the container's procfs
 * and the FUSE files are still reachable by host path. A destination absent
 * from the container's /proc (ptrace_scope without Yama, nf_conntrack_max
 * without its module) is skipped.
 *
 * /proc/sys stays in readonlyPaths: runc makes it read-only with a recursive
 * bind onto itself and then remounts only that top mount, so the writable
 * sysctl mounts underneath stay writable. /proc/sysrq-trigger is taken out of
 * readonlyPaths (masking it instead would hide the emulation).
 */
#ifndef MOAT_RUNTIME_EMULATE_H
#define MOAT_RUNTIME_EMULATE_H

#include <json-c/json.h>
#include <stdbool.h>

#include "config.h"

/* Is moat-fs mounted at the configured mountpoint? false with fsemu = off or
 * (warning logged) optional; with required, an error naming the mountpoint. */
int emulate_check(const struct moat_config *cfg, bool *ret_available, char **err);
/* Add the mounts and the hook to spec, whose root.path is the rootfs (absolute). */
int emulate_add(struct json_object *spec, const char *mountpoint, char **err);

#endif
