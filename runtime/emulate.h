/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emulate.h - moat-fs's emulated /proc and /sys files in every container
 * (fsemu/mounts.h lists them; moat.conf's fsemu and fsemu_mountpoint).
 *
 * The files runc 1.1 accepts in config.json (/proc/uptime, meminfo, ...,
 * /sys/devices/system/cpu/online) become bind mounts appended to the spec's
 * mounts, unless the spec mounts that destination itself. The ones it refuses
 * (/proc/sys/..., /proc/sysrq-trigger) are bind-mounted by a createContainer
 * hook: runc runs it in the container's mount (and user) namespace, after
 * the spec's mounts and before pivot_root, so "<rootfs>/proc/sys/..." is the
 * container's procfs and the FUSE files are still reachable by host path.
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
