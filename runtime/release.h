/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* release.h - undo everything moat made for a container. */
#ifndef MOAT_RUNTIME_RELEASE_H
#define MOAT_RUNTIME_RELEASE_H

#include "config.h"
#include "state.h"

/* Unregister it from the kernel policy, release its views (mounts), and
 * remove its state dir, which frees its uid range. Best effort: every step
 * is tried; the first error is returned (and named in *err). */
int container_release(const struct moat_config *cfg, const struct cstate *s, char **err);
/* A state_release_fn: userdata is the struct moat_config. */
void release_stale(const char *state_dir, struct cstate *s, void *userdata);

#endif
