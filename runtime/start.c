// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * start.c - `moat-runc start ID`: before runc lets the container's process
 * run, record its start mounts in the kernel policy (moat_policy_protect_mounts:
 * no unmounting them, read-only stays read-only, nothing over /proc and /sys).
 * Only now is the mount table final: runc has pivoted into the rootfs and
 * made the read-only paths read-only. Then runc start, unchanged.
 * (`moat-runc run` has no such step: runc starts the process itself; it
 * records them from a poststart hook instead, see run.c.)
 */
#include <string.h>

#include "commands.h"
#include "error.h"
#include "kpolicy.h"
#include "log.h"
#include "state.h"

static const char *start_id(const struct context *ctx)
{
	for (int i = ctx->n_args - 1; i >= 0; i--)
		if (ctx->args[i][0] != '-')
			return ctx->args[i];
	return NULL;
}

int cmd_start(struct context *ctx)
{
	_cleanup_free_ char *err = NULL;
	const char *id = start_id(ctx);
	struct cstate s;
	int r = 0;

	if (id && state_id_valid(id) && state_read(ctx->cfg.state_dir, id, &s) >= 0) {
		if (s.registered)
			r = kpolicy_protect_mounts(&ctx->cfg, &s, &err);
		cstate_free(&s);
	}
	if (r < 0) {
		if (ctx->cfg.kernel_policy != KERNEL_POLICY_OPTIONAL)
			return log_error("%s", err), 1;
		log_warning("%s", err);
	}
	return cmd_passthrough(ctx);
}
