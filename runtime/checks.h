/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * checks.h - what create and run check in the caller's spec before anything
 * is made (see prepare.h): no namespace shared with the host, no restricted
 * bind mount, the kernel policy applicable. What they learn is the plan the
 * rewrite follows.
 */
#ifndef MOAT_RUNTIME_CHECKS_H
#define MOAT_RUNTIME_CHECKS_H

#include <stdbool.h>

#include "config.h"
#include "context.h"
#include "nscheck.h"
#include "spec.h"
#include "state.h"

#define SPEC_ERROR "error in the container spec"
#define SPEC_INVALID SPEC_ERROR ": invalid or unsupported container spec"
#define ALLOW_BPF_ANNOTATION "io.moat.allow-bpf"

/* Everything the checks learn, for the rewrite. */
struct plan {
	struct json_object *spec;
	char *bundle; /* absolute */
	struct ns_plan ns;
	struct strv owners; /* storage for ns.owner[] */
	char **sources; /* per mount: the resolved bind source, or NULL */
	size_t n_mounts;
	struct cstate joined; /* the container whose namespaces are joined */
	bool allow_bpf;
	bool fsemu; /* moat-fs is mounted: add its files (emulate.h) */
	bool vet;   /* moat-fs vets mounts: trap them to it (seccomp.h) */
	bool kernel; /* the kernel policy applies (kpolicy.h) */
};

/* Load <bundle>/config.json into pl and check it for container id. */
int checks_run(struct context *ctx, const char *id, const char *bundle, struct plan *pl,
	       char **err);
void plan_free(struct plan *pl);

#endif
