/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fs.h - small filesystem helpers. Negative errno on failure, no logging. */
#ifndef MOAT_RUNTIME_FS_H
#define MOAT_RUNTIME_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Lexical: is path equal to dir or below it? Both absolute and canonical. */
bool path_is_inside(const char *path, const char *dir);
/* Canonical absolute form of path: realpath() of its longest existing
 * prefix, followed by the rest. Fails only on a non-absolute path or ENOMEM. */
int path_canonical(const char *path, char **ret);
/* base + "/" + rel, or rel if it is absolute. */
int path_join(const char *base, const char *rel, char **ret);

/* mkdir -p, the new directories get mode; existing ones are left alone. */
int mkdir_parents(const char *path, mode_t mode);
/* mkdir (EEXIST is fine) and chmod to mode. */
int mkdir_mode(const char *path, mode_t mode);

int read_file(const char *path, char **ret, size_t *ret_len);
/* Write data to path through a temporary file and rename(). */
int write_file_atomic(const char *path, const char *data, mode_t mode);

/* Lazily unmount every mount at or below dir, deepest first. */
int umount_below(const char *dir);
/* rm -rf that never crosses into another filesystem. -ENOENT is success. */
int rm_rf(const char *path);

#endif
