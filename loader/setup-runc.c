// SPDX-License-Identifier: LGPL-2.1-or-later
/* setup-runc.c - see setup-runc.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config.h"
#include "fs-util.h"
#include "log.h"
#include "process-util.h"
#include "setup-runc.h"

/* The runc that moat.conf names, as moat-runc reads it (the default when
 * the file is absent); its errors are logged. */
static int conf_runc(const char *conf, char **ret)
{
	_cleanup_(config_free) struct moat_config c = {};
	int r = config_load(&c, conf, false);

	if (r < 0)
		return r;
	*ret = TAKE_PTR(c.runc);
	return 0;
}

/* Append `runc = real` to moat.conf (a later line wins). */
static int point_conf_at(const struct setup_options *o, struct manifest *m, const char *real,
			 FILE *out)
{
	_cleanup_free_ char *cur = NULL, *text = NULL, *new = NULL;
	int r;

	r = conf_runc(o->moat_conf, &cur);
	if (r < 0)
		return r;
	if (strcmp(cur, real) == 0)
		return 0;
	r = read_file(o->moat_conf, &text, NULL);
	if (r < 0 && r != -ENOENT)
		return log_error_errno(r, "cannot read %s: %m", o->moat_conf);
	if (asprintf(&new, "%s%s# moatctl setup docker: the engine's runc is moat-runc now\nrunc = %s\n",
		     text ? text : "", text && *text && text[strlen(text) - 1] != '\n' ? "\n" : "",
		     real) < 0)
		return -ENOMEM;
	r = manifest_write_file(m, o->moat_conf, new, 0644);
	if (r < 0)
		return r;
	fprintf(out, "%s: runc = %s (the real runc, for moat-runc)\n", o->moat_conf, real);
	return 0;
}

static bool dpkg_owns(const char *path)
{
	char *argv[] = { "dpkg-query", "-S", (char *)path, NULL };

	return run_quiet(argv) == 0;
}

/* No runc at runc_path (e.g. a directory put first in the engine's PATH):
 * only a link there; the real runc stays what moat.conf names. */
static int link_runc(const struct setup_options *o, struct manifest *m, FILE *out)
{
	_cleanup_free_ char *real = NULL;
	char a[PATH_MAX], b[PATH_MAX];
	int r;

	r = conf_runc(o->moat_conf, &real);
	if (r < 0)
		return r;
	if (realpath(real, a) && realpath(o->runtime_path, b) && strcmp(a, b) == 0)
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
				       "%s names %s as the real runc, which is moat-runc itself: set "
				       "`runc = PATH` there first",
				       o->moat_conf, real);
	r = manifest_save_original(m, o->runc_path);
	if (r >= 0)
		r = mkdir_parents_dirname(o->runc_path, m);
	if (r < 0)
		return r;
	if (symlink(o->runtime_path, o->runc_path) < 0)
		return log_error_errno(errno, "cannot link %s to %s: %m", o->runc_path,
				       o->runtime_path);
	fprintf(out, "%s: link to %s (the engine's `runc`; the real runc is %s)\n", o->runc_path,
		o->runtime_path, real);
	return 0;
}

/* runc_path is the real runc: move it aside and put a link in its place. */
static int divert_runc(const struct setup_options *o, struct manifest *m, FILE *out)
{
	_cleanup_free_ char *real = NULL;
	struct json_object *rec;
	bool dpkg;
	int r;

	if (asprintf(&real, "%s.real", o->runc_path) < 0)
		return -ENOMEM;
	if (access(real, F_OK) == 0)
		return log_error_errno(SYNTHETIC_ERRNO(EEXIST),
				       "%s exists already (left by an earlier setup?); move it back to "
				       "%s or remove it",
				       real, o->runc_path);
	dpkg = dpkg_owns(o->runc_path);
	rec = json_object_new_object();
	json_object_object_add(rec, "path", json_object_new_string(o->runc_path));
	json_object_object_add(rec, "real", json_object_new_string(real));
	json_object_object_add(rec, "dpkg", json_object_new_boolean(dpkg));
	json_object_object_add(m->root, "runc", rec);
	r = manifest_save(m);
	if (r < 0)
		return r;
	if (dpkg) {
		char *argv[] = { "dpkg-divert", "--local", "--rename", "--divert", real,
				 "--add", (char *)o->runc_path, NULL };

		if (run_quiet(argv) != 0)
			return log_error_errno(SYNTHETIC_ERRNO(EIO),
					       "dpkg-divert --rename --divert %s --add %s failed", real,
					       o->runc_path);
	} else if (rename(o->runc_path, real) < 0) {
		return log_error_errno(errno, "cannot rename %s to %s: %m", o->runc_path, real);
	}
	if (symlink(o->runtime_path, o->runc_path) < 0)
		return log_error_errno(errno, "cannot link %s to %s: %m (run --undo)", o->runc_path,
				       o->runtime_path);
	fprintf(out, "%s: moved to %s%s; now a link to %s, so --runtime=runc runs moat too\n",
		o->runc_path, real, dpkg ? " (dpkg-divert)" : "", o->runtime_path);
	return point_conf_at(o, m, real, out);
}

int step_runc(const struct setup_options *o, struct manifest *m, FILE *out)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat st;

	if (!o->runc_path)
		return 0;
	if (lstat(o->runc_path, &st) < 0) {
		if (errno != ENOENT)
			return log_error_errno(errno, "cannot stat %s: %m", o->runc_path);
		return link_runc(o, m, out);
	}
	if (realpath(o->runc_path, a) && realpath(o->runtime_path, b) && strcmp(a, b) == 0) {
		fprintf(out, "%s: already runs %s\n", o->runc_path, o->runtime_path);
		return 0;
	}
	return divert_runc(o, m, out);
}

int undo_runc(struct manifest *m, FILE *out)
{
	struct json_object *rec = json_object_object_get(m->root, "runc"), *v;
	const char *path, *real;
	struct stat st;

	if (!rec)
		return 0;
	path = json_object_get_string(json_object_object_get(rec, "path"));
	real = json_object_get_string(json_object_object_get(rec, "real"));
	v = json_object_object_get(rec, "dpkg");
	if (!path || !real)
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "the manifest's runc record is damaged");
	if (access(real, F_OK) < 0) /* the divert never happened */
		return 0;
	if (lstat(path, &st) == 0) {
		if (!S_ISLNK(st.st_mode))
			return log_error_errno(SYNTHETIC_ERRNO(EEXIST),
					       "%s is no longer moat's link (a runc upgrade?); %s kept: "
					       "sort them out by hand",
					       path, real);
		if (unlink(path) < 0)
			return log_error_errno(errno, "cannot remove %s: %m", path);
	}
	if (json_object_get_boolean(v)) {
		char *argv[] = { "dpkg-divert", "--local", "--rename", "--remove", (char *)path, NULL };

		if (run_quiet(argv) != 0)
			return log_error_errno(SYNTHETIC_ERRNO(EIO), "dpkg-divert --rename --remove %s failed",
					       path);
	} else if (rename(real, path) < 0) {
		return log_error_errno(errno, "cannot rename %s to %s: %m", real, path);
	}
	fprintf(out, "%s: restored (from %s)\n", path, real);
	return 0;
}
