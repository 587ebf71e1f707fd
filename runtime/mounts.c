// SPDX-License-Identifier: LGPL-2.1-or-later
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "fs.h"
#include "mounts.h"

static int rules_add(struct mount_rules *r, const char *path)
{
	_cleanup_free_ char *real = NULL;
	struct stat st;
	size_t n = r->restricted.n;
	int ret;

	ret = path_canonical(path, &real);
	if (ret < 0)
		return ret;
	if (strv_push(&r->restricted, real) < 0)
		return -ENOMEM;
	r->dev = realloc(r->dev, (n + 1) * sizeof(*r->dev));
	r->ino = realloc(r->ino, (n + 1) * sizeof(*r->ino));
	if (!r->dev || !r->ino)
		return -ENOMEM;
	r->dev[n] = 0;
	r->ino[n] = 0;
	if (stat(real, &st) == 0) {
		r->dev[n] = st.st_dev;
		r->ino[n] = st.st_ino;
	}
	return 0;
}

int mount_rules_init(struct mount_rules *r, const struct strv *restricted,
		     const struct strv *data_roots)
{
	int ret;

	*r = (struct mount_rules){ 0 };
	for (size_t i = 0; i < restricted->n; i++) {
		ret = rules_add(r, restricted->v[i]);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < data_roots->n; i++) {
		_cleanup_free_ char *real = NULL;

		ret = path_canonical(data_roots->v[i], &real);
		if (ret < 0)
			return ret;
		if (strv_push(&r->data_roots, real) < 0)
			return -ENOMEM;
	}
	return 0;
}

void mount_rules_free(struct mount_rules *r)
{
	strv_free(&r->restricted);
	strv_free(&r->data_roots);
	free(r->dev);
	free(r->ino);
	*r = (struct mount_rules){ 0 };
}

const char *mounts_restricted_match(const struct mount_rules *r, const char *real)
{
	for (size_t i = 0; i < r->restricted.n; i++) {
		const char *x = r->restricted.v[i];

		if (path_startswith(real, x) || path_startswith(x, real))
			return x;
	}
	return NULL;
}

/* rest is "<one component>/<tail>" exactly? */
static bool is_component_then(const char *rest, const char *tail)
{
	const char *slash = strchr(rest, '/');

	return slash && slash != rest && strcmp(slash + 1, tail) == 0;
}

/* rest is "<one component>/_data" or below it? */
static bool is_volume_data(const char *rest)
{
	const char *slash = strchr(rest, '/');

	return slash && slash != rest && strncmp(slash + 1, "_data", 5) == 0 &&
	       (slash[6] == '\0' || slash[6] == '/');
}

static bool exempt_under(const char *root, const char *real)
{
	static const char *const files[] = { "resolv.conf", "hostname", "hosts", "mounts/shm" };
	const char *rest = path_startswith(real, root);

	/* a data root of / would make every host path Docker's: it exempts nothing */
	if (!rest || !*rest || !strcmp(root, "/"))
		return false;
	if (strncmp(rest, "containers/", 11) == 0) {
		for (size_t i = 0; i < ELEMENTSOF(files); i++)
			if (is_component_then(rest + 11, files[i]))
				return true;
		return false;
	}
	return strncmp(rest, "volumes/", 8) == 0 && is_volume_data(rest + 8);
}

bool mounts_exempt(const struct mount_rules *r, const char *real)
{
	if (strstr(real, "/../") || strstr(real, "/./"))
		return false; /* only canonical paths are exempt */
	for (size_t i = 0; i < r->data_roots.n; i++)
		if (exempt_under(r->data_roots.v[i], real))
			return true;
	return false;
}

/* Same inode as an existing restricted object (hard link, bind of it)? */
static bool same_inode_as_restricted(const struct mount_rules *r, const char *real)
{
	struct stat st;

	if (stat(real, &st) < 0)
		return false;
	for (size_t i = 0; i < r->restricted.n; i++)
		if (r->ino[i] && r->ino[i] == st.st_ino && r->dev[i] == st.st_dev)
			return true;
	return false;
}

int mounts_check_source(const struct mount_rules *r, const char *bundle, const char *source,
			char **ret_real, char **err)
{
	_cleanup_free_ char *joined = NULL, *real = NULL;
	int ret;

	ret = path_join(bundle, source, &joined);
	if (ret < 0)
		return error_set(err, ret, "%m");
	real = realpath(joined, NULL);
	if (!real)
		return error_set(err, negative_errno(), "can't mount %s: %m", source);
	if (!mounts_exempt(r, real) &&
	    (mounts_restricted_match(r, real) || same_inode_as_restricted(r, real)))
		return error_set(err, -EPERM,
				 "can't mount %s because it's configured as a restricted host mount",
				 source);
	*ret_real = TAKE_PTR(real);
	return 0;
}
