// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include <linux/types.h>

#include "config.h"
#include "../fsemu/mounts.h"
#include "moat.h"
#include "error.h"

static const char *const default_restricted[] = {
	"/var/run/docker.sock", "/run/docker.sock", "/etc/docker",	   "/var/lib/docker",
	"/etc/moat",		"/run/moat",	    "/var/lib/moat",	   "/sys/fs/bpf",
	"/var/lib/containerd",	"/run/containerd",
};

int strv_push(struct strv *s, const char *value)
{
	char **v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->v = v;
	s->v[s->n] = strdup(value);
	if (!s->v[s->n])
		return -ENOMEM;
	s->n++;
	return 0;
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
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
	c->runc = strdup(MOAT_DEFAULT_RUNC);
	c->state_dir = strdup(MOAT_DEFAULT_STATE_DIR);
	c->pin_dir = strdup(MOAT_PIN_DIR);
	c->fsemu_mountpoint = strdup(MOAT_FS_DEFAULT_MOUNTPOINT);
	if (!c->path || !c->runc || !c->state_dir || !c->pin_dir || !c->fsemu_mountpoint)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(default_restricted); i++)
		if (strv_push(&c->restricted, default_restricted[i]) < 0)
			return -ENOMEM;
	return 0;
}

static int parse_u32(const char *v, uint32_t *ret)
{
	char *end;
	uintmax_t n;

	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	n = strtoumax(v, &end, 10);
	if (errno || *end || n > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)n;
	return 0;
}

static int parse_bool(const char *v, bool *ret)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		return *ret = true, 0;
	if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		return *ret = false, 0;
	return -EINVAL;
}

static int parse_policy(const char *v, enum kernel_policy_mode *ret)
{
	if (!strcmp(v, "required"))
		return *ret = KERNEL_POLICY_REQUIRED, 0;
	if (!strcmp(v, "optional"))
		return *ret = KERNEL_POLICY_OPTIONAL, 0;
	return -EINVAL;
}

static int parse_idmap(const char *v, enum idmap_mode *ret)
{
	if (!strcmp(v, "required"))
		return *ret = IDMAP_REQUIRED, 0;
	if (!strcmp(v, "optional"))
		return *ret = IDMAP_OPTIONAL, 0;
	if (!strcmp(v, "off"))
		return *ret = IDMAP_OFF, 0;
	return -EINVAL;
}

static int parse_fsemu(const char *v, enum fsemu_mode *ret)
{
	if (!strcmp(v, "required"))
		return *ret = FSEMU_REQUIRED, 0;
	if (!strcmp(v, "optional"))
		return *ret = FSEMU_OPTIONAL, 0;
	if (!strcmp(v, "off"))
		return *ret = FSEMU_OFF, 0;
	return -EINVAL;
}

static int set_path(char **slot, const char *v)
{
	if (v[0] != '/')
		return -EINVAL;
	free(*slot);
	*slot = strdup(v);
	return *slot ? 0 : -ENOMEM;
}

static int push_path(struct strv *s, const char *v)
{
	return v[0] == '/' ? strv_push(s, v) : -EINVAL;
}

/* Apply one key; -ENOKEY for an unknown key, -EINVAL for a bad value. */
static int config_set(struct moat_config *c, const char *k, const char *v)
{
	if (!strcmp(k, "runc"))
		return set_path(&c->runc, v);
	if (!strcmp(k, "state_dir"))
		return set_path(&c->state_dir, v);
	if (!strcmp(k, "pin_dir"))
		return set_path(&c->pin_dir, v);
	if (!strcmp(k, "uid_pool_start"))
		return parse_u32(v, &c->pool_start);
	if (!strcmp(k, "uid_pool_size"))
		return parse_u32(v, &c->pool_size);
	if (!strcmp(k, "restricted_path"))
		return push_path(&c->restricted, v);
	if (!strcmp(k, "docker_data_root"))
		return push_path(&c->data_roots, v);
	if (!strcmp(k, "kernel_policy"))
		return parse_policy(v, &c->kernel_policy);
	if (!strcmp(k, "idmap"))
		return parse_idmap(v, &c->idmap);
	if (!strcmp(k, "fsemu"))
		return parse_fsemu(v, &c->fsemu);
	if (!strcmp(k, "fsemu_mountpoint"))
		return set_path(&c->fsemu_mountpoint, v);
	if (!strcmp(k, "max_start_mounts"))
		return parse_u32(v, &c->max_start_mounts) < 0 || !c->max_start_mounts ? -EINVAL : 0;
	if (!strcmp(k, "allow_bpf_annotation"))
		return parse_bool(v, &c->allow_bpf_annotation);
	return -ENOKEY;
}

static char *strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int config_line(struct moat_config *c, char *line, const char *name, unsigned no,
		       char **err)
{
	char *eq, *key, *value;
	int r;

	line = strip(line);
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return error_set(err, -EINVAL, "%s:%u: expected `key = value`, got `%s`", name, no,
				 line);
	*eq = '\0';
	key = strip(line);
	value = strip(eq + 1);
	r = config_set(c, key, value);
	if (r == -ENOKEY)
		return error_set(err, -EINVAL, "%s:%u: unknown key `%s`", name, no, key);
	if (r == -EINVAL)
		return error_set(err, r, "%s:%u: invalid value `%s` for %s", name, no, value, key);
	return r < 0 ? error_set(err, r, "%s:%u: %m", name, no) : 0;
}

/* The pool must hold whole ranges, never reach host id 0 or (uid_t)-1. */
static int config_check_pool(const struct moat_config *c, const char *name, char **err)
{
	uint64_t end = (uint64_t)c->pool_start + c->pool_size;

	if (c->pool_start == 0)
		return error_set(err, -EINVAL, "%s: uid_pool_start must not be 0 (host root)", name);
	if (c->pool_size < MOAT_RANGE_SIZE || c->pool_size % MOAT_RANGE_SIZE)
		return error_set(err, -EINVAL, "%s: uid_pool_size %" PRIu32
				 " is not a non-zero multiple of %u", name, c->pool_size,
				 MOAT_RANGE_SIZE);
	if (end > UINT32_MAX)
		return error_set(err, -EINVAL, "%s: uid pool %" PRIu32 "+%" PRIu32
				 " goes past the last valid id 4294967294", name,
				 c->pool_start, c->pool_size);
	return 0;
}

/* Containers must reach the FUSE files, and the kernel policy keeps them out
 * of the state dir. */
static int config_check_fsemu(const struct moat_config *c, const char *name, char **err)
{
	size_t n = strlen(c->state_dir);

	while (n > 1 && c->state_dir[n - 1] == '/')
		n--;
	if (c->fsemu != FSEMU_OFF && !strncmp(c->fsemu_mountpoint, c->state_dir, n) &&
	    (c->fsemu_mountpoint[n] == '/' || c->fsemu_mountpoint[n] == '\0' || n == 1))
		return error_set(err, -EINVAL, "%s: fsemu_mountpoint %s must not lie under "
				 "state_dir %s", name, c->fsemu_mountpoint, c->state_dir);
	return 0;
}

static int config_finish(struct moat_config *c, const char *name, char **err)
{
	int r;

	if (c->data_roots.n == 0 && strv_push(&c->data_roots, "/var/lib/docker") < 0)
		return -ENOMEM;
	r = config_check_pool(c, name, err);
	return r < 0 ? r : config_check_fsemu(c, name, err);
}

int config_parse(struct moat_config *c, FILE *f, const char *name, char **err)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	unsigned no = 0;
	int r;

	while (getline(&line, &cap, f) >= 0) {
		r = config_line(c, line, name, ++no, err);
		if (r < 0)
			return r;
	}
	if (ferror(f))
		return error_set(err, -EIO, "%s: read error", name);
	return config_finish(c, name, err);
}

int config_load(struct moat_config *c, const char *path, bool must_exist, char **err)
{
	_cleanup_fclose_ FILE *f = NULL;
	int r;

	r = config_init(c, path);
	if (r < 0)
		return error_set(err, r, "%m");
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return config_finish(c, path, err);
		return error_set(err, negative_errno(), "cannot read config %s: %m", path);
	}
	c->loaded = true;
	return config_parse(c, f, path, err);
}

void config_free(struct moat_config *c)
{
	free(c->path);
	free(c->runc);
	free(c->state_dir);
	free(c->pin_dir);
	free(c->fsemu_mountpoint);
	strv_free(&c->restricted);
	strv_free(&c->data_roots);
	*c = (struct moat_config){ 0 };
}
