/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * setup-manifest.h - the state directory of `moatctl setup docker` (see
 * setup.h): what setup changed, and the originals, so that --undo puts back
 * the same bytes.
 *
 * The state directory holds manifest.json and one backup file per file
 * changed. The manifest is rewritten before each change, so an interrupted
 * setup can still be undone. Its shape:
 *   {"files": [{"path": P, "backup": "file-N" | null, "mode": M}, ...],
 *    "dirs": [D, ...],                       directories setup created
 *    "runc": {"path": P, "real": R | null, "dpkg": bool}}
 * A file entry whose backup is null did not exist: undo removes it.
 */
#ifndef MOAT_LOADER_SETUP_MANIFEST_H
#define MOAT_LOADER_SETUP_MANIFEST_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#define MANIFEST "manifest.json"

struct manifest {
	const char *dir;
	struct json_object *root, *files, *dirs;
};

void manifest_free(struct manifest *m);
/* Read dir's manifest (*existed), or start an empty one. */
int manifest_load(struct manifest *m, const char *dir, bool *existed);
int manifest_save(struct manifest *m);
/* Before the first change to path: keep its bytes (or that it was absent). */
int manifest_save_original(struct manifest *m, const char *path);
/* mkdir -p the directory of a file; what was created goes in the manifest. */
int mkdir_parents_dirname(const char *file, struct manifest *m);
/* Change path to text: its original kept (manifest_save_original), its
 * directory made (mkdir_parents_dirname), then text written atomically with
 * the mode path had (new_mode when it is new). Errors are logged. */
int manifest_write_file(struct manifest *m, const char *path, const char *text, mode_t new_mode);
/* The saved copy of a file entry, put back (or the file removed). */
int manifest_restore_file(struct manifest *m, struct json_object *e, FILE *out);
/* Remove the state directory and what is in it. */
int manifest_remove_dir(struct manifest *m);

#endif
