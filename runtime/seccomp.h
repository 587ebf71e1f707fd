/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MOAT_RUNTIME_SECCOMP_H
#define MOAT_RUNTIME_SECCOMP_H

#include <json-c/json.h>
#include <stdbool.h>

#include "config.h"

/* Add moat's seccomp rules to the spec (see seccomp.c), creating an
 * allow-all profile for a container that has none. */
void seccomp_add_moat_rules(struct json_object *spec);

/* Does moat-fs vet mounts (its vet socket, <fsemu_mountpoint>.vet.sock,
 * listens)? With fsemu = required its absence is an error; with optional a
 * warning. fsemu: moat-fs is mounted (emulate_check). */
int seccomp_vet_check(const struct moat_config *cfg, bool fsemu, bool *ret, char **err);
/* Trap mount (remount, bind, move), open_tree (clone), move_mount and,
 * without the kernel policy, umount2 to moat-fs (SCMP_ACT_NOTIFY,
 * linux.seccomp.listenerPath), where the container's profile allows them;
 * a profile that denies one keeps denying it. */
int seccomp_add_vetting(struct json_object *spec, const char *mountpoint, bool kernel_policy,
			char **err);

#endif
