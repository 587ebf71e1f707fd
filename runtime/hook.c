// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * hook.c - `moat-runc hook create-runtime`: the OCI createRuntime hook that
 * moat puts first in every container's spec. runc runs it once the init
 * process exists in its cgroups, before pivot_root and before start, with
 * the state JSON (id, pid) on stdin. It records the init process and its
 * cgroup in moat's state and registers the cgroup in the kernel policy. If
 * that cannot be done (and kernel_policy is not optional), it fails, runc
 * aborts the create, and moat-runc create reports the message it leaves in
 * <state dir>/containers/<id>/hook-error.
 *
 * `moat-runc hook poststart`: the poststart hook that `moat-runc run` adds
 * (run.c). It records the container's start mounts in the kernel policy,
 * as `moat-runc start` does for create+start.
 */
#include <json-c/json.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"
#include "fs.h"
#include "kpolicy.h"
#include "log.h"
#include "proc.h"
#include "spec.h"

static int read_oci_state(char **ret_id, pid_t *ret_pid, char **err)
{
	_cleanup_free_ char *buf = NULL;
	struct json_object *o;
	const char *id;
	int r;

	r = read_file("/dev/stdin", &buf, NULL);
	if (r < 0)
		return error_set(err, r, "cannot read the container state on stdin: %m");
	o = json_tokener_parse(buf);
	id = spec_string(o, "id");
	*ret_pid = (pid_t)json_object_get_int(spec_member(o, "pid"));
	*ret_id = id ? strdup(id) : NULL;
	json_object_put(o);
	if (!*ret_id || *ret_pid <= 0)
		return error_set(err, -EINVAL, "the container state on stdin has no id or pid");
	return 0;
}

/* Record the init process and its cgroup v2 directory. */
static int record_init(struct cstate *s, pid_t pid, char **err)
{
	_cleanup_free_ char *path = NULL;
	const char *root;
	int r;

	s->pid = pid;
	r = proc_start_time(pid, &s->pid_start);
	if (r < 0)
		return error_set(err, r, "container %s: cannot read /proc/%d/stat: %m", s->id, pid);
	if (proc_cgroup2_path(pid, &path) < 0 || moat_cgroup2_root(&root) < 0)
		return 0; /* no cgroup v2: registering will say so */
	free(s->cgroup_dir);
	if (asprintf(&s->cgroup_dir, "%s%s", root, strcmp(path, "/") ? path : "") < 0)
		return error_set(err, -ENOMEM, "%m");
	(void)moat_cgroup_id(s->cgroup_dir, &s->cgroup_id);
	return 0;
}

/*
 * Delegate the container's cgroup v2 subtree to its root (the kernel's
 * cgroup-v2 delegation model: the directory and its cgroup.procs,
 * cgroup.threads and cgroup.subtree_control files), so that systemd or
 * Docker-in-Docker can make child cgroups. The kernel policy covers them:
 * it applies to a registered cgroup's descendants.
 */
static int delegate_cgroup(const struct cstate *s, char **err)
{
	static const char *const files[] = { "", "/cgroup.procs", "/cgroup.threads",
					     "/cgroup.subtree_control" };
	char path[4096];

	if (!s->cgroup_dir)
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		snprintf(path, sizeof(path), "%s%s", s->cgroup_dir, files[i]);
		if (chown(path, s->uid_start, s->uid_start) < 0 && errno != ENOENT)
			return error_set(err, negative_errno(), "container %s: cannot delegate %s: %m",
					 s->id, path);
	}
	return 0;
}

static int apply_policy(struct context *ctx, struct cstate *s, char **err)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	int r;

	r = kpolicy_open(&ctx->cfg, s->id, &p, err);
	if (r < 0 && ctx->cfg.kernel_policy == KERNEL_POLICY_OPTIONAL) {
		free(*err);
		*err = NULL;
		return 0;
	}
	if (r < 0)
		return r;
	/* Recorded before the map entry exists: a hook killed between the two
	 * leaves a record that release unregisters (a missing entry is fine),
	 * never an entry that no record names. */
	s->registered = true;
	r = state_write(ctx->cfg.state_dir, s);
	if (r < 0)
		return error_set(err, r, "cannot record the registration of container %s: %m",
				 s->id);
	return kpolicy_register(p, s, err);
}

/* The OCI state runc gives a hook on stdin (the container's id and init
 * pid), and moat's record of that container. */
static int hook_state(struct context *ctx, char **ret_id, pid_t *pid, struct cstate *s, char **err)
{
	int r = read_oci_state(ret_id, pid, err);

	if (r < 0)
		return r;
	if (!state_id_valid(*ret_id) || state_read(ctx->cfg.state_dir, *ret_id, s) < 0)
		return error_set(err, -ENOENT, "container %s has no moat state in %s", *ret_id,
				 ctx->cfg.state_dir);
	return 0;
}

static int create_runtime(struct context *ctx, char **ret_id, char **err)
{
	struct cstate s;
	pid_t pid = 0;
	int r;

	r = hook_state(ctx, ret_id, &pid, &s, err);
	if (r < 0)
		return r;
	r = record_init(&s, pid, err);
	if (r >= 0)
		r = state_write(ctx->cfg.state_dir, &s);
	if (r >= 0)
		r = delegate_cgroup(&s, err);
	if (r >= 0)
		r = apply_policy(ctx, &s, err);
	cstate_free(&s);
	return r;
}

/* runc's init is named so until it execs the container's process. */
static bool still_runc_init(pid_t pid)
{
	_cleanup_free_ char *comm = NULL;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	return read_file(path, &comm, NULL) >= 0 && strcmp(comm, "runc:[2:INIT]\n") == 0;
}

/*
 * runc 1.1 runs poststart hooks once the container's mount table is final
 * and before its init may exec the process: right after create, in `run`
 * too. A runc that runs them after the exec (upstream's change,
 * opencontainers/runc#5186) is caught by the check on the init's name, made
 * after the recording: the container fails rather than run with mounts its
 * process may already have changed.
 */
static int record_start_mounts(const struct cstate *s, struct context *ctx, char **err)
{
	int r = kpolicy_protect_mounts(&ctx->cfg, s, err);

	if (r >= 0 && !still_runc_init(s->pid))
		r = error_set(err, -EBUSY, "container %s: its process started before its start "
			      "mounts could be recorded (this runc runs poststart hooks after "
			      "the start); use create and start", s->id);
	if (r < 0 && ctx->cfg.kernel_policy == KERNEL_POLICY_OPTIONAL) {
		log_warning("%s", *err);
		return 0;
	}
	return r;
}

static int poststart(struct context *ctx, char **ret_id, char **err)
{
	struct cstate s;
	pid_t pid = 0;
	int r;

	r = hook_state(ctx, ret_id, &pid, &s, err);
	if (r < 0)
		return r;
	if (s.registered && s.pid == pid)
		r = record_start_mounts(&s, ctx, err);
	else if (s.registered)
		r = error_set(err, -ESRCH, "container %s: runc's pid %d is not the init %d moat "
			      "registered", s.id, (int)pid, (int)s.pid);
	cstate_free(&s);
	return r;
}

/* Leave the message where moat-runc create finds it. */
static void save_hook_error(struct context *ctx, const char *id, const char *msg)
{
	_cleanup_free_ char *path = NULL;

	if (!id || !state_id_valid(id))
		return;
	path = state_path(ctx->cfg.state_dir, id, "hook-error");
	if (path)
		(void)write_file_atomic(path, msg, 0600);
}

int cmd_hook(struct context *ctx)
{
	_cleanup_free_ char *err = NULL, *id = NULL;
	int r;

	if (ctx->n_args == 1 && strcmp(ctx->args[0], "create-runtime") == 0)
		r = create_runtime(ctx, &id, &err);
	else if (ctx->n_args == 1 && strcmp(ctx->args[0], "poststart") == 0)
		r = poststart(ctx, &id, &err);
	else
		return log_error("usage: moat-runc hook create-runtime|poststart (the container's "
				 "OCI state on stdin)"), 1;
	if (r >= 0)
		return 0;
	save_hook_error(ctx, id, err);
	log_error("%s", err);
	return 1;
}
