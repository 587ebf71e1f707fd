// SPDX-License-Identifier: LGPL-2.1-or-later
/* setup-manifest.c - see setup-manifest.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fs-util.h"
#include "json-util.h"
#include "log.h"
#include "setup-manifest.h"

/* ---- the manifest ---- */

void manifest_free(struct manifest *m)
{
	json_object_put(m->root);
	m->root = NULL;
}

int manifest_load(struct manifest *m, const char *dir, bool *existed)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct json_load_error e;
	size_t len;
	int r;

	m->dir = dir;
	if (path_join(dir, MANIFEST, &path) < 0)
		return -ENOMEM;
	r = read_file(path, &text, &len);
	*existed = r >= 0;
	if (r == -ENOENT) {
		m->root = json_object_new_object();
		json_object_object_add(m->root, "files", json_object_new_array());
		json_object_object_add(m->root, "dirs", json_object_new_array());
	} else if (r < 0) {
		return log_error_errno(r, "cannot read %s: %m", path);
	} else if (json_load_object(text, len, JSON_LOAD_GO_STRICT, &m->root, &e) < 0) {
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
				       "%s is damaged (not a JSON object); restore the files by hand "
				       "from %s",
				       path, dir);
	}
	m->files = json_object_object_get(m->root, "files");
	m->dirs = json_object_object_get(m->root, "dirs");
	if (!json_object_is_type(m->files, json_type_array) ||
	    !json_object_is_type(m->dirs, json_type_array))
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "%s is damaged (no files or dirs list)",
				       path);
	return 0;
}

int manifest_save(struct manifest *m)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	if (path_join(m->dir, MANIFEST, &path) < 0)
		return -ENOMEM;
	r = mkdir_parents(m->dir, 0755);
	if (r < 0)
		return log_error_errno(r, "cannot create %s: %m", m->dir);
	if (asprintf(&text, "%s\n", json_object_to_json_string_ext(m->root, JSON_PRETTY)) < 0)
		return -ENOMEM;
	r = write_file_atomic(path, text, 0600);
	if (r < 0)
		return log_error_errno(r, "cannot write %s: %m", path);
	return 0;
}

static struct json_object *manifest_file(struct manifest *m, const char *path)
{
	size_t n = json_object_array_length(m->files);

	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(m->files, i);
		struct json_object *p = json_object_object_get(e, "path");

		if (p && strcmp(json_object_get_string(p), path) == 0)
			return e;
	}
	return NULL;
}

/* Before the first change to path: keep its bytes (or that it was absent). */
int manifest_save_original(struct manifest *m, const char *path)
{
	_cleanup_free_ char *data = NULL, *backup = NULL, *bpath = NULL;
	struct json_object *e;
	struct stat st;
	size_t len = 0;
	int r;

	if (manifest_file(m, path))
		return 0;
	e = json_object_new_object();
	json_object_object_add(e, "path", json_object_new_string(path));
	r = read_file(path, &data, &len);
	if (r == -ENOENT) {
		json_object_object_add(e, "backup", NULL);
	} else if (r < 0) {
		json_object_put(e);
		return log_error_errno(r, "cannot read %s: %m", path);
	} else {
		if (stat(path, &st) < 0)
			st.st_mode = 0644;
		if (asprintf(&backup, "file-%zu", json_object_array_length(m->files)) < 0 ||
		    path_join(m->dir, backup, &bpath) < 0) {
			json_object_put(e);
			return -ENOMEM;
		}
		r = mkdir_parents(m->dir, 0755);
		if (r >= 0)
			r = write_data_atomic(bpath, data, len, 0600);
		if (r < 0) {
			json_object_put(e);
			return log_error_errno(r, "cannot save %s to %s: %m", path, bpath);
		}
		json_object_object_add(e, "backup", json_object_new_string(backup));
		json_object_object_add(e, "mode", json_object_new_int(st.st_mode & 07777));
	}
	json_object_array_add(m->files, e);
	return manifest_save(m);
}

static int add_made_dir(const char *dir, void *userdata)
{
	struct json_object *dirs = userdata;

	return json_object_array_add(dirs, json_object_new_string(dir)) < 0 ? -ENOMEM : 0;
}

int mkdir_parents_dirname(const char *file, struct manifest *m)
{
	_cleanup_free_ char *dir = strdup(file);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	size_t before;
	int r;

	if (!dir)
		return -ENOMEM;
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	before = json_object_array_length(m->dirs);
	r = mkdir_parents_full(dir, 0755, 0755, add_made_dir, m->dirs);
	if (r < 0)
		return log_error_errno(r, "cannot create %s: %m", dir);
	return json_object_array_length(m->dirs) != before ? manifest_save(m) : 0;
}

int manifest_write_file(struct manifest *m, const char *path, const char *text, mode_t new_mode)
{
	struct stat st;
	int r;

	r = manifest_save_original(m, path);
	if (r >= 0)
		r = mkdir_parents_dirname(path, m);
	if (r < 0)
		return r;
	if (stat(path, &st) < 0)
		st.st_mode = new_mode;
	r = write_file_atomic(path, text, st.st_mode & 07777);
	if (r < 0)
		return log_error_errno(r, "cannot write %s: %m", path);
	return 0;
}

/* ---- undo ---- */

int manifest_restore_file(struct manifest *m, struct json_object *e, FILE *out)
{
	const char *path = json_object_get_string(json_object_object_get(e, "path"));
	struct json_object *b = json_object_object_get(e, "backup");
	_cleanup_free_ char *bpath = NULL, *data = NULL;
	size_t len;
	int r;

	if (!path)
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "a manifest entry has no path");
	if (!b) {
		if (unlink(path) < 0 && errno != ENOENT)
			return log_error_errno(errno, "cannot remove %s: %m", path);
		fprintf(out, "%s: removed (it did not exist before)\n", path);
		return 0;
	}
	if (path_join(m->dir, json_object_get_string(b), &bpath) < 0)
		return -ENOMEM;
	r = read_file(bpath, &data, &len);
	if (r < 0)
		return log_error_errno(r, "cannot read the saved copy %s of %s: %m", bpath, path);
	r = write_data_atomic(path, data, len,
			      (mode_t)json_object_get_int(json_object_object_get(e, "mode")));
	if (r < 0)
		return log_error_errno(r, "cannot restore %s: %m", path);
	fprintf(out, "%s: restored\n", path);
	return 0;
}

int manifest_remove_dir(struct manifest *m)
{
	_cleanup_closedir_ DIR *d = opendir(m->dir);
	struct dirent *de;

	if (!d)
		return negative_errno();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			(void)unlinkat(dirfd(d), de->d_name, 0);
	return rmdir(m->dir) < 0 ? negative_errno() : 0;
}
