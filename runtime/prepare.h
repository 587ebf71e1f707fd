/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * prepare.h - what create and run do before runc is called: check the
 * caller's spec, claim a uid range and moat's state, and write the rewritten
 * spec as a new bundle in the container's state dir, so the caller's bundle
 * is never modified (and a failed create has nothing to restore):
 *
 *   (checks.h, steps 1-3)
 *   1. the kernel policy can be applied (or kernel_policy = optional);
 *   2. no namespace is shared with the host; joining another moat
 *      container's namespaces means joining its user namespace too;
 *   3. no bind mount reaches a restricted host object;
 *   4. a user namespace with moat's own range (or the joined container's),
 *      a private cgroup namespace, idmapped views of rootfs and bind
 *      sources, absolute paths, and moat's createRuntime hook first.
 */
#ifndef MOAT_RUNTIME_PREPARE_H
#define MOAT_RUNTIME_PREPARE_H

#include <json-c/json.h>
#include <stdbool.h>

#include "context.h"
#include "state.h"

struct prepared {
	struct cstate st;
	char *dir; /* the container's state dir: the bundle to give runc */
	bool claimed; /* st is on disk: release it on failure */
};

/* detached: the container inherits moat-runc's stdio (create, run -d). */
int prepare_container(struct context *ctx, const char *id, const char *bundle, bool detached,
		      struct prepared *ret, char **err);
/* Release everything of a failed create (the runc container included, if
 * runc made one), then free p. */
void prepare_abort(struct context *ctx, struct prepared *p);
void prepared_free(struct prepared *p);

/* Does runc have state for id (<root>/<id>)? */
bool prepare_runc_knows(const struct context *ctx, const char *id);
/* Put moat-runc's hook NAME (`moat-runc [--config F] --root R hook NAME`)
 * first in the spec's hooks.KIND. */
void prepare_add_hook(struct context *ctx, struct json_object *spec, const char *kind,
		      const char *name);

/* The message a failed createRuntime hook left, or NULL. */
char *prepare_hook_error(const struct context *ctx, const char *id);

#endif
