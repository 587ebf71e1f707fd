// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * run.c - `moat-runc run`: prepare the container, then `runc run`. In the
 * foreground, moat-runc waits for runc (passing signals on) and releases
 * the container when runc has deleted it (unless --keep).
 */
#include "commands.h"
#include "log.h"
#include "prepare.h"

int cmd_run(struct context *ctx)
{
	_cleanup_free_ char *err = NULL;
	struct create_args a = { 0 };
	struct prepared p = { 0 };
	bool detach, keep;
	int r, status;

	r = create_args_parse(ctx->args, ctx->n_args, &a, &err);
	if (r >= 0)
		r = prepare_container(ctx, a.id, a.bundle, a.detach, &p, &err);
	if (r < 0) {
		prepare_abort(ctx, &p);
		create_args_free(&a);
		return log_error("%s", err), 1;
	}
	detach = a.detach, keep = a.keep;
	status = launch_runc(ctx, "run", &a, &p, !detach);
	create_args_free(&a);
	/* runc deleted the container, unless it is detached or kept */
	if (detach ? status != 0 : !keep || !prepare_runc_knows(ctx, p.st.id))
		launch_release(ctx, &p, status);
	else
		prepared_free(&p);
	return status;
}
