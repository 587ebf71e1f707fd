/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs-util.h - paths and small files, for every moat binary. 0 or a negative
 * errno; nothing logs.
 */
#ifndef MOAT_FS_UTIL_H
#define MOAT_FS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

/*
 * If path is prefix or lies below it, the rest of path after prefix, without
 * its leading slashes ("" when they are the same); otherwise NULL:
 *   path_startswith("/usr/lib", "/usr")   -> "lib"
 *   path_startswith("/usr", "/usr/")      -> ""
 *   path_startswith("/usrx", "/usr")      -> NULL
 *   path_startswith("/usr/lib", "/")      -> "usr/lib"
 * Component by component, and lexical: repeated and trailing slashes do not
 * count, "." and ".." are names like any other and symlinks are not
 * followed. So where the answer guards something, both paths must be
 * canonical (realpath(3), path_canonical()). An absolute and a relative
 * path never match.
 */
const char *path_startswith(const char *path, const char *prefix);

/* base + "/" + rel, or rel when it is absolute, in *ret (malloc'd). */
int path_join(const char *base, const char *rel, char **ret);

/* Called with each directory mkdir_parents_full() makes, in order. */
typedef int (*mkdir_made_fn)(const char *dir, void *userdata);
/*
 * mkdir -p path: the missing parents are made with parents_mode, path with
 * mode; directories that exist are left as they are. made (may be NULL) is
 * told each directory made.
 */
int mkdir_parents_full(const char *path, mode_t parents_mode, mode_t mode, mkdir_made_fn made,
		       void *userdata);
/* mkdir -p path, every directory made gets mode. */
static inline int mkdir_parents(const char *path, mode_t mode)
{
	return mkdir_parents_full(path, mode, mode, NULL, NULL);
}
/* mkdir path (it may exist) and chmod it to mode. */
int mkdir_mode(const char *path, mode_t mode);

/* The whole file, NUL-terminated, its length in *ret_len (may be NULL);
 * -ENOENT when it does not exist. */
int read_file(const char *path, char **ret, size_t *ret_len);

/*
 * Replace path with data, all or nothing: written to a temporary file in
 * the same directory, given mode, fsync'd, then renamed over path. A crash
 * leaves the old file or the new one, never a part.
 */
int write_data_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* The same for a string. */
static inline int write_file_atomic(const char *path, const char *text, mode_t mode)
{
	return write_data_atomic(path, text, strlen(text), mode);
}

#endif
