/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rewrite.h - the JSON half of the rewrite of a checked spec (prepare.h,
 * step 4): a user namespace with the container's range (or the joined
 * container's), a private cgroup namespace, the sysctls runc would refuse
 * made to fit, moat's seccomp rules, and the rootfs and bind sources
 * replaced by their views.
 *
 * The views themselves are made by the caller's callbacks (view.h in
 * moat-runc); everything else only edits the tree, so tests/fuzz/ drives
 * rewrite_spec() with any spec without touching the system.
 */
#ifndef MOAT_RUNTIME_REWRITE_H
#define MOAT_RUNTIME_REWRITE_H

#include <stdbool.h>

#include "checks.h"
#include "state.h"

struct rewrite_views {
	/* The path runc must use instead of root (absolute). */
	int (*rootfs)(void *userdata, const char *root, char **ret, char **err);
	/* The source runc must bind instead of src (mount #index of the spec). */
	int (*bind)(void *userdata, const char *src, unsigned index, bool recursive, char **ret,
		    char **err);
	void *userdata;
};

/* Rewrite pl->spec, as checked into pl, for the container s (its range;
 * s->joined: it joins pl->joined's user namespace). */
int rewrite_spec(struct plan *pl, const struct cstate *s, const struct rewrite_views *views,
		 char **err);

#endif
