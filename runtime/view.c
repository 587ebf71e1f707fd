// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "error.h"
#include "fs.h"
#include "view.h"

static int ensure_subdir(struct view_ctx *v, const char *name, char **ret)
{
	int r;

	if (asprintf(ret, "%s/%s", v->dir, name) < 0)
		return -ENOMEM;
	r = mkdir_mode(*ret, 0711);
	if (r < 0) {
		free(*ret);
		*ret = NULL;
	}
	return r;
}

/* A mount point like src: a directory, or an empty file for anything else. */
static int make_mount_point(const char *src, const char *target)
{
	struct stat st;
	int fd;

	if (stat(src, &st) < 0)
		return negative_errno();
	if (S_ISDIR(st.st_mode))
		return mkdir(target, 0711) < 0 && errno != EEXIST ? negative_errno() : 0;
	fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return negative_errno();
	close(fd);
	return 0;
}

static int plain_view(struct view_ctx *v, const char *src, const char *name, bool recursive,
		      char **ret)
{
	_cleanup_free_ char *base = NULL, *target = NULL;
	int r;

	r = ensure_subdir(v, "view", &base);
	if (r < 0)
		return r;
	if (asprintf(&target, "%s/%s", base, name) < 0)
		return -ENOMEM;
	r = make_mount_point(src, target);
	if (r < 0)
		return r;
	if (mount(src, target, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return negative_errno();
	*ret = TAKE_PTR(target);
	return 0;
}

/* r from idmap_prepare_*: 0 done, 1 fall back to a plain view, < 0 fail. */
static int idmap_outcome(struct view_ctx *v, int r, const char *what, char **err)
{
	if (r >= 0) {
		v->idmapped = true;
		return 0;
	}
	if (v->cfg->idmap == IDMAP_REQUIRED)
		return error_set(err, r, "cannot make an idmapped mount of %s for container %s: "
				 "%m (set idmap = optional in %s to run it without)", what, v->id,
				 v->cfg->path);
	if (!v->warning)
		(void)error_set(&v->warning, r, "container %s: no idmapped mount of %s (%m): its "
				"files keep their host ownership in the container", v->id, what);
	return 1;
}

/* The plain view of src, or src itself when even that cannot be made. */
static int plain_or_same(struct view_ctx *v, const char *src, const char *name, bool recursive,
			 char **ret)
{
	if (plain_view(v, src, name, recursive, ret) == 0)
		return 0;
	*ret = strdup(src);
	return *ret ? 0 : -ENOMEM;
}

int view_rootfs(struct view_ctx *v, const char *root, char **ret, char **err)
{
	_cleanup_free_ char *work = NULL;
	int r;

	if (v->cfg->idmap != IDMAP_OFF) {
		r = ensure_subdir(v, "mnt", &work);
		if (r < 0)
			return error_set(err, r, "cannot create %s/mnt: %m", v->dir);
		r = idmap_prepare_rootfs(root, work, &v->range, ret);
		r = idmap_outcome(v, r, root, err);
		if (r <= 0)
			return r;
	}
	return plain_or_same(v, root, "rootfs", true, ret);
}

int view_bind(struct view_ctx *v, const char *src, unsigned index, bool recursive, char **ret,
	      char **err)
{
	_cleanup_free_ char *work = NULL;
	char name[32];
	int r;

	if (v->cfg->idmap != IDMAP_OFF) {
		r = ensure_subdir(v, "mnt", &work);
		if (r < 0)
			return error_set(err, r, "cannot create %s/mnt: %m", v->dir);
		r = idmap_prepare_bind(src, work, index, &v->range, ret);
		r = idmap_outcome(v, r, src, err);
		if (r <= 0)
			return r;
	}
	snprintf(name, sizeof(name), "bind-%u", index);
	return plain_or_same(v, src, name, recursive, ret);
}

char *view_dir(const char *state_dir, const char *id)
{
	char *dir;

	return asprintf(&dir, "%s-views/%s", state_dir, id) < 0 ? NULL : dir;
}

static int check_searchable(const char *state_dir, const char *dir, uint32_t first_uid,
			    char **err)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return errno == ENOENT ? 0 /* made 0711 with the state dir */
				       : error_set(err, -errno, "state_dir %s: cannot stat %s: %m",
						   state_dir, dir);
	if (S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH))
		return error_set(err, -EACCES,
				 "state_dir %s: %s is mode %04o, but must be searchable by others "
				 "(0711): a container's root (host uid %u and up) walks through it "
				 "to its rootfs view in %s-views",
				 state_dir, dir, st.st_mode & 07777, first_uid, state_dir);
	return 0;
}

int view_dir_check(const char *state_dir, uint32_t first_uid, char **err)
{
	_cleanup_free_ char *dir = strdup(state_dir);
	char *last;
	size_t n;
	int r = 0;

	if (!dir)
		return error_set(err, -ENOMEM, "%m");
	for (n = strlen(dir); n > 1 && dir[n - 1] == '/';)
		dir[--n] = '\0';
	last = strrchr(dir, '/');
	if (dir[0] != '/' || !last)
		return 0;
	/* "/", "/a", "/a/b", ... up to the state dir's parent */
	for (char *s = dir; s && s <= last && r >= 0; s = strchr(s + 1, '/')) {
		char *cut = s == dir ? s + 1 : s, saved = *cut;

		*cut = '\0';
		r = check_searchable(state_dir, dir, first_uid, err);
		*cut = saved;
	}
	return r;
}

int view_dir_create(const char *state_dir, const char *id, char **ret)
{
	_cleanup_free_ char *parent = NULL, *dir = view_dir(state_dir, id);
	int r;

	if (!dir || asprintf(&parent, "%s-views", state_dir) < 0)
		return -ENOMEM;
	r = mkdir_mode(parent, 0711);
	if (r >= 0)
		r = mkdir_mode(dir, 0711);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(dir);
	return 0;
}

int view_release(const char *dir)
{
	_cleanup_free_ char *work = NULL;
	struct stat st;
	int r = 0, u;

	if (asprintf(&work, "%s/mnt", dir) < 0)
		return -ENOMEM;
	if (stat(work, &st) == 0)
		r = idmap_release(work);
	if (r == -ENOENT)
		r = 0;
	u = umount_below(dir);
	return r < 0 ? r : u;
}

void view_ctx_free(struct view_ctx *v)
{
	free(v->dir);
	free(v->warning);
	v->dir = v->warning = NULL;
}
