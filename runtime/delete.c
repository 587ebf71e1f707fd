// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * delete.c - `moat-runc delete [--force] ID`: runc deletes the container,
 * then moat releases what it holds for it (kernel registration, mounts, uid
 * range, state dir) and any stale record left by a killed moat-runc.
 */
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"
#include "passthrough.h"
#include "prepare.h"
#include "release.h"

/* The last argument that is not a flag: the container id. */
static const char *delete_id(char **args, int n)
{
	for (int i = n - 1; i >= 0; i--)
		if (args[i][0] != '-')
			return args[i];
	return NULL;
}

/* Under the lock: release id's record if it is stale: runc no longer has the
 * container and no moat-runc is creating it (a delete that races a create of
 * the same id must not pull the views from under it). */
static void release_deleted(struct context *ctx, const char *id)
{
	_cleanup_close_ int lock = -1;
	_cleanup_free_ char *err = NULL;
	struct cstate s;

	if (state_lock(ctx->cfg.state_dir, &lock) < 0)
		return;
	if (state_id_valid(id) && !prepare_runc_knows(ctx, id) &&
	    state_read(ctx->cfg.state_dir, id, &s) == 0) {
		if (strcmp(s.runc_root, ctx->root) == 0 && !cstate_live(&s) &&
		    container_release(&ctx->cfg, &s, &err) < 0)
			log_warning("%s", err);
		cstate_free(&s);
	}
	(void)state_reclaim_locked(ctx->cfg.state_dir, release_stale, &ctx->cfg);
}

int cmd_delete(struct context *ctx)
{
	_cleanup_free_ char **argv = runc_argv(ctx, "delete", ctx->args, ctx->n_args);
	_cleanup_free_ char *err = NULL;
	const char *id = delete_id(ctx->args, ctx->n_args);
	pid_t pid;
	int status;

	if (!argv)
		return log_error("out of memory"), 1;
	if (runc_spawn(ctx, argv, &pid, &err) < 0)
		return log_error("%s", err), 1;
	status = runc_wait(pid);
	if (id)
		release_deleted(ctx, id);
	return status;
}
