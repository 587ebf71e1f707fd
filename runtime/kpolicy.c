// SPDX-License-Identifier: LGPL-2.1-or-later
#include <string.h>

#include "error.h"
#include "kpolicy.h"

/* Why the policy cannot be opened, and what to do about it. */
static void explain(const struct moat_config *cfg, int r, char *why, size_t size,
		    const char **remedy)
{
	if (r == -ENOENT) {
		snprintf(why, size, "moat-loader is not running (%s not found)", cfg->pin_dir);
		*remedy = "start it";
	} else if (r == -EOPNOTSUPP) {
		snprintf(why, size, "BPF-LSM is not active in this kernel (no \"bpf\" in "
			 "/sys/kernel/security/lsm)");
		*remedy = "boot with lsm=...,bpf";
	} else {
		snprintf(why, size, "cannot open the maps pinned in %s: %s", cfg->pin_dir,
			 strerror(-r));
		*remedy = "check moat-loader";
	}
}

int kpolicy_open(const struct moat_config *cfg, const char *id, struct moat_policy **ret,
		 char **err)
{
	const char *remedy;
	char why[512];
	int r = moat_policy_open(cfg->pin_dir, ret);

	if (r == 0)
		return 0;
	explain(cfg, r, why, sizeof(why), &remedy);
	if (cfg->kernel_policy == KERNEL_POLICY_OPTIONAL)
		return error_set(err, r, "the kernel policy is not applied to container %s: %s "
				 "(kernel_policy = optional in %s)", id, why, cfg->path);
	return error_set(err, r, "cannot apply the kernel policy to container %s: %s; %s, or set "
			 "kernel_policy = optional in %s", id, why, remedy, cfg->path);
}

int kpolicy_restrict_all(struct moat_policy *p, const struct strv *paths, char **err)
{
	for (size_t i = 0; i < paths->n; i++) {
		int r = moat_policy_restrict(p, paths->v[i]);

		if (r < 0 && r != -ENOENT && r != -ENOTDIR)
			return error_set(err, r, "cannot add the restricted path %s to the kernel "
					 "policy: %m", paths->v[i]);
	}
	return 0;
}

static unsigned cgroup_level(const char *dir)
{
	unsigned level = 0;

	(void)moat_cgroup_level(dir, &level);
	return level;
}

int kpolicy_register(struct moat_policy *p, const struct cstate *s, char **err)
{
	uint32_t flags = s->allow_bpf ? MOAT_ALLOW_BPF : 0;
	int r;

	if (!s->cgroup_dir)
		return error_set(err, -ENOENT, "cannot register container %s in the kernel policy: "
				 "its cgroup v2 is unknown", s->id);
	r = moat_policy_register(p, s->cgroup_dir, s->pid, flags);
	if (r == -EINVAL)
		return error_set(err, r, "cannot register container %s in the kernel policy: it has "
				 "no cgroup v2 of its own (%s)", s->id, s->cgroup_dir);
	if (r == -ECHRNG)
		return error_set(err, r, "cannot register container %s in the kernel policy: its "
				 "cgroup %s is %u levels deep, and the kernel policy reaches "
				 "containers at most %d levels deep (choose a shallower "
				 "--cgroup-parent)", s->id, s->cgroup_dir, cgroup_level(s->cgroup_dir),
				 MOAT_CGROUP_LEVELS - 1);
	if (r < 0)
		return error_set(err, r, "cannot register container %s (cgroup %s) in the kernel "
				 "policy: %m", s->id, s->cgroup_dir);
	return 0;
}

int kpolicy_protect_mounts(const struct moat_config *cfg, const struct cstate *s, char **err)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	int r = kpolicy_open(cfg, s->id, &p, err);

	if (r < 0)
		return r;
	r = moat_policy_protect_mounts(p, s->cgroup_id, s->pid, cfg->max_start_mounts);
	if (r == -EDQUOT)
		return error_set(err, r, "container %s has more than %u start mounts, the most the "
				 "kernel policy records for one container (max_start_mounts in %s)",
				 s->id, cfg->max_start_mounts, cfg->path);
	if (r == -ENOSPC)
		return error_set(err, r, "cannot record the mounts of container %s: the kernel "
				 "policy's table of start mounts (%d for all containers) is full",
				 s->id, MOAT_MAX_PROTECTED_MOUNTS);
	if (r < 0)
		return error_set(err, r, "cannot record the mounts of container %s (pid %d) in the "
				 "kernel policy: %m", s->id, s->pid);
	return 0;
}

int kpolicy_unregister(const struct moat_config *cfg, const struct cstate *s)
{
	struct moat_policy *p = NULL;
	int r;

	if (!s->registered)
		return 0;
	r = moat_policy_open(cfg->pin_dir, &p);
	if (r < 0)
		return r;
	r = moat_policy_unregister_id(p, s->cgroup_id);
	moat_policy_close(p);
	return r == -ENOENT ? 0 : r;
}
