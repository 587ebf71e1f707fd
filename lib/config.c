// SPDX-License-Identifier: LGPL-2.1-or-later
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "conf-parser.h"
#include "config.h"
#include "fs-util.h"
#include "log.h"
#include "moat.h"

static const char *const default_restricted[] = {
	"/var/run/docker.sock", "/run/docker.sock", "/etc/docker",	   "/var/lib/docker",
	"/etc/moat",		MOAT_RUN_DIR,	    "/var/lib/moat",	   "/sys/fs/bpf",
	"/var/lib/containerd",	"/run/containerd",
};
#define DEFAULT_DATA_ROOT "/var/lib/docker"

/* The values of kernel_policy, and of idmap and fsemu, which can be off. */
static const char *const kernel_policy_names[] = { "required", "optional", NULL };
static const char *const mode_names[] = { "required", "optional", "off", NULL };
_Static_assert(KERNEL_POLICY_REQUIRED == 0 && IDMAP_REQUIRED == 0 && FSEMU_REQUIRED == 0 &&
		       KERNEL_POLICY_OPTIONAL == 1 && IDMAP_OFF == 2 && FSEMU_OFF == 2 &&
		       IDMAP_OPTIONAL == 1 && FSEMU_OPTIONAL == 1,
	       "the enums follow the names");

static const uint32_t one = 1;

#define ITEM(key, parse, field, arg) CONF_ITEM(key, parse, struct moat_config, field, arg)

/* Every key of moat.conf (etc/moat.conf documents them). */
static const struct conf_item config_items[] = {
	ITEM("runc", conf_parse_path, runc, NULL),
	ITEM("state_dir", conf_parse_path, state_dir, NULL),
	ITEM("uid_pool_start", conf_parse_u32, pool_start, NULL),
	ITEM("uid_pool_size", conf_parse_u32, pool_size, NULL),
	ITEM("restricted_path", conf_parse_path_strv, restricted, NULL),
	ITEM("docker_data_root", conf_parse_path_strv, data_roots, NULL),
	ITEM("kernel_policy", conf_parse_enum, kernel_policy, kernel_policy_names),
	ITEM("pin_dir", conf_parse_path, pin_dir, NULL),
	ITEM("idmap", conf_parse_enum, idmap, mode_names),
	ITEM("fsemu", conf_parse_enum, fsemu, mode_names),
	ITEM("fsemu_mountpoint", conf_parse_path, fsemu_mountpoint, NULL),
	ITEM("fsemu_state_dir", conf_parse_path, fsemu_state_dir, NULL),
	ITEM("max_start_mounts", conf_parse_u32, max_start_mounts, &one),
	ITEM("allow_bpf_annotation", conf_parse_bool, allow_bpf_annotation, NULL),
};

const char *config_path(const char *flag, bool *must_exist)
{
	const char *env = getenv(MOAT_CONFIG_ENV);

	*must_exist = true;
	if (flag)
		return flag;
	if (env && env[0])
		return env;
	*must_exist = false;
	return MOAT_CONFIG_PATH;
}

int config_init(struct moat_config *c, const char *path)
{
	*c = (struct moat_config){
		.pool_start = MOAT_DEFAULT_POOL_START,
		.pool_size = MOAT_DEFAULT_POOL_SIZE,
		.kernel_policy = KERNEL_POLICY_REQUIRED,
		.idmap = IDMAP_OPTIONAL,
		.fsemu = FSEMU_OPTIONAL,
		.max_start_mounts = MOAT_DEFAULT_START_MOUNTS,
	};
	c->path = strdup(path);
	c->runc = strdup(MOAT_RUNC_PATH);
	c->state_dir = strdup(MOAT_RUN_DIR);
	c->pin_dir = strdup(MOAT_PIN_DIR);
	c->fsemu_mountpoint = strdup(MOAT_FS_MOUNTPOINT);
	c->fsemu_state_dir = strdup(MOAT_FS_STATE_DIR);
	if (!c->path || !c->runc || !c->state_dir || !c->pin_dir || !c->fsemu_mountpoint ||
	    !c->fsemu_state_dir)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(default_restricted); i++)
		if (strv_push(&c->restricted, default_restricted[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* The pool must hold whole ranges, never reach host id 0 or (uid_t)-1. */
static int check_pool(const struct moat_config *c, const char *name)
{
	uint64_t end = (uint64_t)c->pool_start + c->pool_size;

	if (c->pool_start == 0)
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
				       "%s: uid_pool_start must not be 0 (host root)", name);
	if (c->pool_size < MOAT_RANGE_SIZE || c->pool_size % MOAT_RANGE_SIZE)
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
				       "%s: uid_pool_size %" PRIu32 " is not a non-zero multiple of %u",
				       name, c->pool_size, MOAT_RANGE_SIZE);
	if (end > UINT32_MAX)
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
				       "%s: uid pool %" PRIu32 "+%" PRIu32
				       " goes past the last valid id 4294967294",
				       name, c->pool_start, c->pool_size);
	return 0;
}

/* Containers must reach the FUSE files, and the kernel policy keeps them out
 * of the state dir. */
static int check_fsemu(const struct moat_config *c, const char *name)
{
	if (c->fsemu != FSEMU_OFF && path_startswith(c->fsemu_mountpoint, c->state_dir))
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
				       "%s: fsemu_mountpoint %s must not lie under state_dir %s", name,
				       c->fsemu_mountpoint, c->state_dir);
	return 0;
}

static int config_finish(struct moat_config *c, const char *name)
{
	int r;

	if (c->data_roots.n == 0 && strv_push(&c->data_roots, DEFAULT_DATA_ROOT) < 0)
		return log_error_errno(SYNTHETIC_ERRNO(ENOMEM), "%s: %m", name);
	r = check_pool(c, name);
	return r < 0 ? r : check_fsemu(c, name);
}

int config_parse(struct moat_config *c, FILE *f, const char *name)
{
	int r = conf_parse(config_items, ELEMENTSOF(config_items), c, f, name);

	return r < 0 ? r : config_finish(c, name);
}

int config_load(struct moat_config *c, const char *path, bool must_exist)
{
	_cleanup_fclose_ FILE *f = NULL;
	int r;

	r = config_init(c, path);
	if (r < 0)
		return log_error_errno(r, "%s: %m", path);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return config_finish(c, path);
		return log_error_errno(errno, "cannot read config %s: %m", path);
	}
	c->loaded = true;
	return config_parse(c, f, path);
}

void config_free(struct moat_config *c)
{
	free(c->path);
	free(c->runc);
	free(c->state_dir);
	free(c->pin_dir);
	free(c->fsemu_mountpoint);
	free(c->fsemu_state_dir);
	strv_free(&c->restricted);
	strv_free(&c->data_roots);
	*c = (struct moat_config){ 0 };
}
