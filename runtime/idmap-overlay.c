/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap-overlay.c - an overlay rootfs rebuilt as a new overlay over idmapped views of
 * its layers (see idmap.c for the layout under work_dir).
 */
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/fsuid.h>
#include <sys/wait.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "idmap-internal.h"
#include "idmap.h"
#include "macro.h"

/*
 * The overlay is mounted by a child with fsuid/fsgid = the container's root
 * and its full capabilities (setfsuid drops CAP_CHOWN, CAP_DAC_* and
 * CAP_FOWNER from the effective set; they come back from the permitted one).
 * overlayfs does its upper-layer work (workdir, copy-up, whiteouts) with the
 * mounter's credentials, and through an idmapped upper real root (uid 0) has
 * no mapping: creating the workdir fails with EOVERFLOW and the overlay falls
 * back to read-only.  The container's root maps to 0 on disk, as it should.
 * The child also chdirs to layers/ so the options can name layers "1:2:...",
 * which keeps a 100-layer image under the one page mount(2) accepts; being a
 * separate task (CLONE_VM|CLONE_VFORK, no CLONE_FS) neither change reaches the
 * caller.
 */
struct ovl_mount_job {
	const char *layers_dir, *target, *options;
	bool has_upper;
	uid_t uid;
	gid_t gid;
	int err;
};

static int raise_effective_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d) < 0)
		return negative_errno();
	for (size_t i = 0; i < ELEMENTSOF(d); i++)
		d[i].effective = d[i].permitted;
	return syscall(SYS_capset, &h, d) < 0 ? negative_errno() : 0;
}

static int ovl_mounter(void *arg)
{
	struct ovl_mount_job *job = arg;
	int r;

	(void)setfsgid(job->gid);
	(void)setfsuid(job->uid);
	if ((uid_t)setfsuid(-1) != job->uid || (gid_t)setfsgid(-1) != job->gid) {
		job->err = -EPERM;
		return 0;
	}
	r = raise_effective_caps();
	if (r < 0) {
		job->err = r;
		return 0;
	}
	if (chdir(job->layers_dir) < 0 ||
	    (job->has_upper && mkdir("0/" OVL_WORKDIR, 0700) < 0 && errno != EEXIST) ||
	    mount("overlay", job->target, "overlay", 0, job->options) < 0)
		job->err = negative_errno();
	else
		job->err = 0;
	return 0;
}

static int run_ovl_mounter(struct ovl_mount_job *job)
{
	_cleanup_free_ void *stack = malloc(MOUNTER_STACK);
	int status;
	pid_t pid;

	if (!stack)
		return -ENOMEM;
	job->err = -ECHILD;
	pid = clone(ovl_mounter, (char *)stack + MOUNTER_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, job);
	if (pid < 0)
		return negative_errno();
	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			return negative_errno();
	return job->err;
}

/* "lowerdir=1:2:..,upperdir=0/<upper>,workdir=0/.moat-work,<features>,index=off" */
static char *ovl_options(const struct ovl_config *c, const char *upper_name)
{
	_cleanup_free_ char *lowers = NULL, *esc = NULL;
	size_t len = 0;
	char *opts;

	lowers = malloc(c->n_lowers * 12 + 1);
	if (!lowers)
		return NULL;
	for (size_t i = 0; i < c->n_lowers; i++)
		len += sprintf(lowers + len, "%s%zu", i ? ":" : "", i + 1);
	if (upper_name) {
		esc = ovl_escape(upper_name);
		if (!esc)
			return NULL;
	}
	/*
	 * index=off: Docker's overlay still uses the same upper, and with the
	 * index on overlayfs refuses an upper in use by another mount (EBUSY).
	 */
	if (asprintf(&opts, "lowerdir=%s%s%s%s%s%s,index=off", lowers,
		     esc ? ",upperdir=0/" : "", esc ? esc : "",
		     esc ? ",workdir=0/" OVL_WORKDIR : "", c->features ? "," : "",
		     c->features ? c->features : "") < 0)
		return NULL;
	return opts;
}

static int mount_layer(const char *layers, size_t index, const char *src, int userns_fd,
		       bool rdonly)
{
	_cleanup_free_ char *target = NULL;
	int r;

	if (asprintf(&target, "%s/%zu", layers, index) < 0)
		return -ENOMEM;
	r = mkdir_ok(target, 0700);
	if (r < 0)
		return r;
	return idmap_mount(src, target, userns_fd, rdonly);
}

/*
 * A new overlay at target over idmapped views of c's layers: each lower
 * read-only at layers/1..N; the upper's parent directory at layers/0, since
 * upper and workdir must share one mount.  Our workdir is a new directory next
 * to the upper (Docker's layer directory, removed with the container): the
 * original overlay keeps its own, which a second overlay would empty on mount.
 */
static int ovl_mount_layers(const struct ovl_config *c, const char *work_dir, const char *target,
			    const struct idmap_range *range, int userns_fd)
{
	_cleanup_free_ char *layers = NULL, *upper = NULL, *opts = NULL;
	const char *upper_name = NULL;
	struct ovl_mount_job job = { .uid = range->host_uid, .gid = range->host_gid };
	int r;

	if (asprintf(&layers, "%s/layers", work_dir) < 0)
		return -ENOMEM;
	/* Nobody but the mounter needs to reach the layers. */
	r = mkdir_ok(layers, 0700);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_lowers; i++) {
		r = mount_layer(layers, i + 1, c->lowers[i], userns_fd, true);
		if (r < 0)
			return r;
	}
	if (c->upper) {
		char *slash;

		upper = realpath(c->upper, NULL);
		if (!upper)
			return negative_errno();
		slash = strrchr(upper, '/');
		if (slash == upper)
			return -EINVAL; /* an upper directly below / would idmap all of / */
		*slash = '\0';
		upper_name = slash + 1;
		r = mount_layer(layers, 0, upper, userns_fd, false);
		if (r < 0)
			return r;
	}
	opts = ovl_options(c, upper_name);
	if (!opts)
		return -ENOMEM;
	job.layers_dir = layers;
	job.has_upper = upper_name;
	job.target = target;
	job.options = opts;
	return run_ovl_mounter(&job);
}


/*
 * The layers of the overlay e mounted at root.  Docker names lower layers
 * "l/XXXX" relative to its overlay2 directory when the absolute option string
 * would be too long; root is then <overlay2>/<id>/merged.
 */
static int ovl_config_of(const struct mountinfo_entry *e, const char *root, struct ovl_config *ret)
{
	_cleanup_free_ char *base = strdup(root);
	char *slash;

	if (!base)
		return -ENOMEM;
	for (int i = 0; i < 2 && (slash = strrchr(base, '/')); i++)
		*slash = '\0';
	return ovl_config_parse(e->super_opts, base, ret);
}

int prepare_overlay(const struct mountinfo_entry *e, const char *root, const char *dir,
		    const char *target, const struct idmap_range *range, int userns_fd)
{
	_cleanup_(ovl_config_donep) struct ovl_config c = {};
	int r;

	r = ovl_config_of(e, root, &c);
	if (r < 0)
		return r;
	return ovl_mount_layers(&c, dir, target, range, userns_fd);
}

bool is_overlay_root(const struct mountinfo_entry *e)
{
	return e && strcmp(e->fstype, "overlay") == 0 && strcmp(e->root, "/") == 0;
}

int probe_overlay(const struct mountinfo_entry *e, const char *root, int userns_fd)
{
	_cleanup_(ovl_config_donep) struct ovl_config c = {};
	int r;

	r = ovl_config_of(e, root, &c);
	if (r < 0)
		return r == -EOPNOTSUPP ? 0 : r;
	for (size_t i = 0; i < c.n_lowers; i++) {
		r = idmap_probe(c.lowers[i], userns_fd);
		if (r <= 0)
			return r;
	}
	return c.upper ? idmap_probe(c.upper, userns_fd) : 1;
}
