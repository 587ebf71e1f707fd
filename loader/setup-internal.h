/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * setup-internal.h - what the parts of `moatctl setup docker` share (not
 * part of setup.h's API): setup-json.c's file helpers, setup-manifest.c's
 * manifest, setup-runc.c's runc step, setup.c's reloads.
 */
#ifndef MOAT_LOADER_SETUP_INTERNAL_H
#define MOAT_LOADER_SETUP_INTERNAL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "setup.h"

#define MANIFEST "manifest.json"
#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

static inline void json_putp(struct json_object **j)
{
	if (*j)
		json_object_put(*j);
}
#define _cleanup_json_ _cleanup_(json_putp)

static inline void closedirp(DIR **d)
{
	if (*d)
		(void)closedir(*d);
}

/* ---- setup-json.c ---- */

/* The whole file, NUL-terminated; -ENOENT when it does not exist. */
int read_all(const char *path, char **buf, size_t *len);
/* mkdir -p; each directory created is appended to created (may be NULL). */
int mkdir_parents(const char *dir, struct json_object *created);
/* Replace path with data (a temporary file in the same directory, renamed). */
int write_atomic(const char *path, const char *data, size_t len, mode_t mode);
char *path_join(const char *a, const char *b);
/* Run argv, quietly; its exit status, or -errno when it could not run. */
int run_quiet(char *const argv[]);
int parse_json_object(const char *text, struct json_object **obj, char **err);

/* ---- setup-manifest.c ---- */

struct manifest {
	const char *dir;
	struct json_object *root, *files, *dirs;
};

void manifest_free(struct manifest *m);
int manifest_load(struct manifest *m, const char *dir, bool *existed);
int manifest_save(struct manifest *m);
/* Before the first change to path: keep its bytes (or that it was absent). */
int manifest_save_original(struct manifest *m, const char *path);
/* mkdir -p the directory of a file; what was created goes in the manifest. */
int mkdir_parents_dirname(const char *file, struct manifest *m);

/* ---- setup-runc.c ---- */

int step_runc(const struct setup_options *o, struct manifest *m, FILE *out);
int undo_runc(struct manifest *m, FILE *out);

/* ---- setup.c ---- */

void systemd_reload(const struct setup_options *o, FILE *out);
/* SIGHUP makes dockerd re-read daemon.json (runtimes, default-runtime). */
void reload_dockerd(const struct setup_options *o, FILE *out);

#endif
