// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "emulate.h"
#include "error.h"
#include "fs.h"
#include "log.h"
#include "passthrough.h"
#include "prepare.h"
#include "proc.h"
#include "release.h"
#include "rewrite.h"
#include "seal.h"
#include "seccomp.h"
#include "stdioguard.h"
#include "view.h"

static int claim(struct context *ctx, const char *id, struct plan *pl, struct prepared *p,
		 char **err)
{
	struct range_pool pool = { ctx->cfg.pool_start, ctx->cfg.pool_size };
	struct cstate *s = &p->st;
	int r;

	*s = (struct cstate){ .id = strdup(id), .runc_root = strdup(ctx->root),
			      .bundle = strdup(pl->bundle), .creator_pid = getpid(),
			      .allow_bpf = pl->allow_bpf };
	if (!s->id || !s->runc_root || !s->bundle)
		return error_set(err, -ENOMEM, "%m");
	r = proc_start_time(s->creator_pid, &s->creator_start);
	if (r < 0)
		return error_set(err, r, "cannot read /proc/self/stat: %m");
	if (pl->joined.id) {
		s->joined = strdup(pl->joined.id);
		s->uid_start = pl->joined.uid_start;
		s->uid_size = pl->joined.uid_size;
	}
	r = state_claim(ctx->cfg.state_dir, &pool, s, release_stale, &ctx->cfg, err);
	if (r < 0)
		return r;
	p->claimed = true;
	p->dir = state_path(ctx->cfg.state_dir, id, NULL);
	return p->dir ? 0 : error_set(err, -ENOMEM, "%m");
}

/* The views (view.h) as rewrite_spec() asks for them. */
static int view_rootfs_cb(void *userdata, const char *root, char **ret, char **err)
{
	return view_rootfs(userdata, root, ret, err);
}

static int view_bind_cb(void *userdata, const char *src, unsigned index, bool recursive,
			char **ret, char **err)
{
	return view_bind(userdata, src, index, recursive, ret, err);
}

void prepare_add_hook(struct context *ctx, struct json_object *spec, const char *kind,
		      const char *name)
{
	const char *args[10];
	int n = 0;

	args[n++] = "moat-runc";
	if (ctx->cfg.loaded) {
		args[n++] = "--config";
		args[n++] = ctx->config_path;
	}
	args[n++] = "--root";
	args[n++] = ctx->root;
	args[n++] = "hook";
	args[n++] = name;
	args[n] = NULL;
	spec_prepend_hook(spec, kind, ctx->self, args);
}

static int rewrite(struct context *ctx, struct plan *pl, struct prepared *p, char **err)
{
	struct view_ctx v = { .cfg = &ctx->cfg, .id = p->st.id,
			      .range = { p->st.uid_start, p->st.uid_start, p->st.uid_size } };
	const struct rewrite_views views = { view_rootfs_cb, view_bind_cb, &v };
	_cleanup_free_ char *config = NULL;
	int r;

	if (asprintf(&config, "%s/config.json", p->dir) < 0)
		return error_set(err, -ENOMEM, "%m");
	r = view_dir_create(ctx->cfg.state_dir, p->st.id, &v.dir);
	if (r < 0)
		return error_set(err, r, "cannot create the view dir of container %s: %m", p->st.id);
	r = rewrite_spec(pl, &p->st, &views, err);
	if (r >= 0)
		r = seal_views(pl->spec, v.dir, p->st.id, err);
	if (r >= 0 && pl->fsemu)
		r = emulate_add(pl->spec, ctx->cfg.fsemu_mountpoint, err);
	if (r >= 0 && pl->vet)
		r = seccomp_add_vetting(pl->spec, ctx->cfg.fsemu_mountpoint, pl->kernel, err);
	if (v.warning)
		log_warning("%s", v.warning);
	p->st.idmapped = v.idmapped;
	view_ctx_free(&v);
	if (r < 0)
		return r;
	prepare_add_hook(ctx, pl->spec, "createRuntime", "create-runtime");
	r = spec_save(pl->spec, config, err);
	if (r >= 0 && (r = state_write(ctx->cfg.state_dir, &p->st)) < 0)
		error_set(err, r, "cannot write the state of container %s: %m", p->st.id);
	return r;
}

static bool spec_terminal(struct json_object *spec)
{
	return json_object_get_boolean(spec_member(spec_member(spec, "process"), "terminal"));
}

bool prepare_runc_knows(const struct context *ctx, const char *id)
{
	_cleanup_free_ char *dir = NULL;

	return asprintf(&dir, "%s/%s", ctx->root, id) >= 0 && access(dir, F_OK) == 0;
}

static int check_new(const struct context *ctx, const char *id, char **err)
{
	if (!state_id_valid(id))
		return error_set(err, -EINVAL, "invalid container id `%s`", id);
	if (prepare_runc_knows(ctx, id))
		return error_set(err, -EEXIST, "container with id exists: %s", id);
	return 0;
}

int prepare_container(struct context *ctx, const char *id, const char *bundle, bool detached,
		      struct prepared *ret, char **err)
{
	struct plan pl = { 0 };
	int r;

	*ret = (struct prepared){ 0 };
	r = check_new(ctx, id, err);
	if (r >= 0)
		r = view_dir_check(ctx->cfg.state_dir, ctx->cfg.pool_start, err);
	if (r >= 0)
		r = checks_run(ctx, id, bundle, &pl, err);
	if (r >= 0)
		r = emulate_check(&ctx->cfg, &pl.fsemu, err);
	if (r >= 0)
		r = seccomp_vet_check(&ctx->cfg, pl.fsemu, &pl.vet, err);
	if (r >= 0)
		r = claim(ctx, id, &pl, ret, err);
	if (r >= 0 && detached && !spec_terminal(pl.spec))
		r = stdio_check(id, ret->st.uid_start, ret->st.uid_size, err);
	if (r >= 0)
		r = rewrite(ctx, &pl, ret, err);
	plan_free(&pl);
	return r;
}

void prepare_abort(struct context *ctx, struct prepared *p)
{
	_cleanup_free_ char *err = NULL;
	struct cstate fresh;

	if (!p->claimed) {
		prepared_free(p);
		return;
	}
	/* the hook may have recorded the init and registered it since the claim */
	if (state_read(ctx->cfg.state_dir, p->st.id, &fresh) == 0) {
		cstate_free(&p->st);
		p->st = fresh;
	}
	if (p->st.pid > 0 && prepare_runc_knows(ctx, p->st.id)) {
		const char *args[] = { "--force", p->st.id, NULL };
		(void)runc_call(ctx, "delete", args);
	}
	if (container_release(&ctx->cfg, &p->st, &err) < 0)
		log_warning("%s", err);
	prepared_free(p);
}

void prepared_free(struct prepared *p)
{
	cstate_free(&p->st);
	free(p->dir);
	*p = (struct prepared){ 0 };
}

char *prepare_hook_error(const struct context *ctx, const char *id)
{
	_cleanup_free_ char *path = state_path(ctx->cfg.state_dir, id, "hook-error");
	char *msg = NULL;

	if (!path || read_file(path, &msg, NULL) < 0)
		return NULL;
	msg[strcspn(msg, "\n")] = '\0';
	return msg;
}
