/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kpolicy.h - moat-runc's use of the kernel policy (policy.h): fail closed
 * unless moat.conf says kernel_policy = optional.
 */
#ifndef MOAT_RUNTIME_KPOLICY_H
#define MOAT_RUNTIME_KPOLICY_H

#include <linux/types.h>

#include "config.h"
#include "policy.h"
#include "state.h"

/* Open the pinned policy. On failure *err explains, for container id, what
 * is wrong and how to fix it (a warning's wording with kernel_policy =
 * optional). */
int kpolicy_open(const struct moat_config *cfg, const char *id, struct moat_policy **ret,
		 char **err);
/* Push every restricted path that exists into the kernel's set (idempotent). */
int kpolicy_restrict_all(struct moat_policy *p, const struct strv *paths, char **err);
/* Register the container's cgroup (s->cgroup_dir, s->pid, s->allow_bpf). */
int kpolicy_register(struct moat_policy *p, const struct cstate *s, char **err);
/* Record the start mounts of the container's init (s->pid) for its
 * registered cgroup (s->cgroup_id): moat_policy_protect_mounts. */
int kpolicy_protect_mounts(const struct moat_config *cfg, const struct cstate *s, char **err);
/* Unregister by the recorded cgroup id; absent is fine. */
int kpolicy_unregister(const struct moat_config *cfg, const struct cstate *s);

#endif
