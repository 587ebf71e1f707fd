// SPDX-License-Identifier: LGPL-2.1-or-later
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "error.h"
#include "fs.h"
#include "kpolicy.h"
#include "log.h"
#include "mounts.h"
#include "proc.h"

void plan_free(struct plan *pl)
{
	if (pl->spec)
		json_object_put(pl->spec);
	free(pl->bundle);
	strv_free(&pl->owners);
	for (size_t i = 0; i < pl->n_mounts; i++)
		free(pl->sources[i]);
	free(pl->sources);
	cstate_free(&pl->joined);
}

/* Every path the containers must not reach: moat.conf's (restricted paths
 * and Docker's data-roots) and moat's own. */
static int restricted_paths(const struct context *ctx, struct strv *ret)
{
	const char *own[] = { ctx->cfg.state_dir, ctx->cfg.pin_dir, ctx->cfg.fsemu_state_dir,
			      ctx->config_path, ctx->root, ctx->runc, ctx->self };

	for (size_t i = 0; i < ctx->cfg.restricted.n; i++)
		if (strv_push(ret, ctx->cfg.restricted.v[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < ctx->cfg.data_roots.n; i++)
		if (strv_push(ret, ctx->cfg.data_roots.v[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(own); i++)
		if (own[i] && own[i][0] == '/' && strv_push(ret, own[i]) < 0)
			return -ENOMEM;
	return 0;
}

static int check_policy(const struct context *ctx, struct plan *pl, const char *id, char **err)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	_cleanup_free_ char *why = NULL;
	struct strv paths = { 0 };
	int r;

	r = kpolicy_open(&ctx->cfg, id, &p, &why);
	if (r < 0 && ctx->cfg.kernel_policy == KERNEL_POLICY_REQUIRED) {
		*err = TAKE_PTR(why);
		return r;
	}
	if (r < 0) {
		log_warning("%s", why);
		return 0;
	}
	pl->kernel = true;
	r = restricted_paths(ctx, &paths);
	if (r >= 0)
		r = kpolicy_restrict_all(p, &paths, err);
	strv_free(&paths);
	return r;
}

struct owner_search {
	enum ns_kind kind;
	const struct ns_id *id;
	char *found;
};

static int owner_match(struct cstate *s, void *userdata)
{
	struct owner_search *o = userdata;
	struct ns_id id;
	char path[64];

	if (!proc_alive(s->pid, s->pid_start))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)s->pid, ns_proc_name(o->kind));
	if (ns_id_of(path, &id) < 0 || id.dev != o->id->dev || id.ino != o->id->ino)
		return 0;
	o->found = strdup(s->id);
	return 1;
}

static const char *owner_of(enum ns_kind k, const struct ns_id *id, void *userdata)
{
	struct context *ctx = ((void **)userdata)[0];
	struct plan *pl = ((void **)userdata)[1];
	struct owner_search o = { .kind = k, .id = id };

	(void)state_foreach(ctx->cfg.state_dir, owner_match, &o);
	if (!o.found || strv_push(&pl->owners, o.found) < 0) {
		free(o.found);
		return NULL;
	}
	free(o.found);
	return pl->owners.v[pl->owners.n - 1];
}

static int classify(struct context *ctx, struct plan *pl, enum ns_kind k, char **err)
{
	struct json_object *e = spec_namespace(pl->spec, ns_oci_name(k));
	const char *path = spec_string(e, "path");
	void *ud[2] = { ctx, pl };
	struct ns_id host[2];
	size_t n_host;
	int r;

	if (!e) {
		pl->ns.origin[k] = NS_MISSING;
		return 0;
	}
	n_host = nscheck_host_ids(k, host);
	r = nscheck_classify(k, path, host, n_host, owner_of, ud, &pl->ns.origin[k],
			     &pl->ns.owner[k]);
	if (r < 0)
		return error_set(err, r, SPEC_INVALID ": can't open the %s namespace %s: %m",
				 ns_oci_name(k), path);
	return 0;
}

static int check_namespaces(struct context *ctx, struct plan *pl, char **err)
{
	const char *join = NULL;
	unsigned shared;
	int r;

	for (int k = 0; k < NS_KIND_MAX; k++) {
		r = classify(ctx, pl, k, err);
		if (r < 0)
			return r;
	}
	shared = nscheck_host_shared(&pl->ns);
	if (shared) {
		_cleanup_free_ char *msg = nscheck_message(shared);
		return error_set(err, -EINVAL, SPEC_INVALID ": %s", msg ? msg : "");
	}
	r = nscheck_join_target(&pl->ns, &join, err);
	if (r < 0)
		return error_wrap(err, r, SPEC_INVALID);
	if (!join)
		return 0;
	r = state_read(ctx->cfg.state_dir, join, &pl->joined);
	if (r < 0 || !proc_alive(pl->joined.pid, pl->joined.pid_start))
		return error_set(err, -ESRCH, SPEC_INVALID ": the moat container %s whose "
				 "namespaces it joins is not running", join);
	return 0;
}

/* One host directory an overlay mount's option names: checked like a bind
 * source (overlayfs is mountable in a user namespace since 5.11). */
static int check_overlay_dir(struct plan *pl, const struct mount_rules *rules, const char *dir,
			     char **err)
{
	_cleanup_free_ char *resolved = NULL;
	int r = mounts_check_source(rules, pl->bundle, dir, &resolved, err);

	return r < 0 ? error_wrap(err, r, SPEC_ERROR) : 0;
}

static int check_overlay(struct plan *pl, const struct mount_rules *rules, struct json_object *m,
			 char **err)
{
	struct json_object *opts = spec_member(m, "options");
	/* lowerdir= is a ':' list; lowerdir+= and datadir+= (6.8+) name one
	 * layer each, as upperdir= and workdir= do */
	static const struct {
		const char *key;
		bool list;
	} keys[] = { { "lowerdir=", true }, { "lowerdir+=", false }, { "datadir+=", false },
		     { "upperdir=", false }, { "workdir=", false } };
	int r = 0;

	for (size_t i = 0; opts && json_object_is_type(opts, json_type_array) &&
			   i < json_object_array_length(opts) && r >= 0; i++) {
		const char *o = json_object_get_string(json_object_array_get_idx(opts, i));

		for (size_t k = 0; o && k < ELEMENTSOF(keys) && r >= 0; k++) {
			size_t n = strlen(keys[k].key);
			_cleanup_free_ char *dirs = NULL;
			char *save = NULL;

			if (strncmp(o, keys[k].key, n) != 0)
				continue;
			if (!(dirs = strdup(o + n)))
				return error_set(err, -ENOMEM, "%m");
			if (!keys[k].list) {
				r = check_overlay_dir(pl, rules, dirs, err);
				continue;
			}
			for (char *d = strtok_r(dirs, ":", &save); d && r >= 0; d = strtok_r(NULL, ":", &save))
				r = check_overlay_dir(pl, rules, d, err);
		}
	}
	return r;
}

static int check_mount(struct plan *pl, const struct mount_rules *rules, size_t i, char **err)
{
	struct json_object *m = json_object_array_get_idx(spec_member(pl->spec, "mounts"), i);
	const char *src = spec_string(m, "source");
	int r;

	if (!spec_mount_is_bind(m))
		return check_overlay(pl, rules, m, err);
	if (!src)
		return error_set(err, -EINVAL, SPEC_ERROR ": bind mount #%zu has no source", i);
	r = mounts_check_source(rules, pl->bundle, src, &pl->sources[i], err);
	return r < 0 ? error_wrap(err, r, SPEC_ERROR) : 0;
}

static int check_mounts(const struct context *ctx, struct plan *pl, char **err)
{
	struct json_object *mounts = spec_member(pl->spec, "mounts");
	struct mount_rules rules;
	struct strv paths = { 0 };
	int r;

	if (!mounts || !json_object_is_type(mounts, json_type_array))
		return 0;
	pl->n_mounts = json_object_array_length(mounts);
	pl->sources = calloc(pl->n_mounts + 1, sizeof(char *));
	r = pl->sources ? restricted_paths(ctx, &paths) : -ENOMEM;
	if (r >= 0)
		r = mount_rules_init(&rules, &paths, &ctx->cfg.data_roots);
	strv_free(&paths);
	if (r < 0)
		return error_set(err, r, "%m");
	for (size_t i = 0; i < pl->n_mounts && r >= 0; i++)
		r = check_mount(pl, &rules, i, err);
	mount_rules_free(&rules);
	return r;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Is the component stack c[0..n) a process's fd directory: /proc/{self,
 * thread-self,N}/fd or /proc/{self,N}/task/N/fd? */
static bool is_proc_fd_dir(const char *const *c, const size_t *len, size_t n)
{
#define IS(i, word) (len[i] == strlen(word) && strncmp(c[i], word, len[i]) == 0)
	if (n < 3 || !IS(0, "proc"))
		return false;
	if (!IS(1, "self") && !IS(1, "thread-self") && !all_digits(c[1], len[1]))
		return false;
	if (n == 3)
		return IS(2, "fd");
	return n == 5 && !IS(1, "thread-self") && IS(2, "task") && all_digits(c[3], len[3]) &&
	       IS(4, "fd");
#undef IS
}

/*
 * Does the path pass through a process's fd directory? Walked component by
 * component as the kernel would ("." and "//" are nothing, ".." steps back),
 * checking after each step: once in /proc/self/fd/, a ".." follows the
 * magic link it came through, so nothing after it makes the path safe.
 */
static bool path_in_proc_fd(const char *path)
{
	const char *c[5];
	size_t len[5], n = 0;

	for (const char *p = path; *p;) {
		size_t l = strcspn(p, "/");

		if (l == 0 || (l == 1 && p[0] == '.')) {
			/* nothing */
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			n -= n > 0;
		} else if (n == ELEMENTSOF(c)) {
			return false; /* deeper than any fd directory */
		} else {
			c[n] = p, len[n] = l, n++;
			if (is_proc_fd_dir(c, len, n))
				return true;
		}
		p += l + (p[l] == '/');
	}
	return false;
}

/* CVE-2024-21626: a cwd in /proc/self/fd/N starts the process in whatever
 * directory fd N (leaked by the runtime) is, outside the container's root. */
static int check_cwd(struct plan *pl, const char *id, char **err)
{
	const char *cwd = spec_string(spec_member(pl->spec, "process"), "cwd");

	if (cwd && path_in_proc_fd(cwd))
		return error_set(err, -EPERM, SPEC_INVALID ": container %s: process.cwd `%s` is in a "
				 "process's fd directory (/proc/self/fd, /proc/thread-self/fd, "
				 "/proc/<pid>/fd): a file descriptor there leads out of the container",
				 id, cwd);
	return 0;
}

static void check_allow_bpf(const struct context *ctx, struct plan *pl, const char *id)
{
	const char *a = spec_annotation(pl->spec, ALLOW_BPF_ANNOTATION);

	if (!a || strcmp(a, "true") != 0)
		return;
	if (ctx->cfg.allow_bpf_annotation)
		pl->allow_bpf = true;
	else
		log_warning("container %s: annotation %s ignored: allow_bpf_annotation is not "
			    "true in %s", id, ALLOW_BPF_ANNOTATION, ctx->cfg.path);
}

int checks_run(struct context *ctx, const char *id, const char *bundle, struct plan *pl,
	       char **err)
{
	_cleanup_free_ char *cwd = getcwd(NULL, 0), *config = NULL;
	int r;

	if (!cwd || path_join(cwd, bundle, &pl->bundle) < 0 ||
	    asprintf(&config, "%s/config.json", pl->bundle) < 0)
		return error_set(err, -ENOMEM, "%m");
	r = spec_load(config, &pl->spec, err);
	if (r >= 0)
		r = check_cwd(pl, id, err);
	if (r >= 0)
		r = check_namespaces(ctx, pl, err);
	if (r >= 0)
		r = check_mounts(ctx, pl, err);
	if (r >= 0)
		r = check_policy(ctx, pl, id, err);
	if (r >= 0)
		check_allow_bpf(ctx, pl, id);
	return r;
}
