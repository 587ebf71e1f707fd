// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * run.c - `moat-runc run`: prepare the container, then `runc run`. In the
 * foreground, moat-runc waits for runc (passing signals on) and releases
 * the container when runc has deleted it (unless --keep).
 *
 * `runc run` creates and starts in one go, so there is no `start` for
 * moat-runc to record the start mounts in (start.c): the prepared spec gets
 * a poststart hook, `moat-runc hook poststart`, which runc runs once the
 * mount table is final and before the process starts (hook.c).
 */
#include <stdio.h>

#include "commands.h"
#include "error.h"
#include "log.h"
#include "prepare.h"
#include "spec.h"

static int add_poststart_hook(struct context *ctx, const struct prepared *p, char **err)
{
	_cleanup_free_ char *config = NULL;
	struct json_object *spec = NULL;
	int r;

	if (asprintf(&config, "%s/config.json", p->dir) < 0)
		return error_set(err, -ENOMEM, "%m");
	r = spec_load(config, &spec, err);
	if (r < 0)
		return r;
	prepare_add_hook(ctx, spec, "poststart", "poststart");
	r = spec_save(spec, config, err);
	json_object_put(spec);
	return r;
}

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
	if (r >= 0)
		r = add_poststart_hook(ctx, &p, &err);
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
