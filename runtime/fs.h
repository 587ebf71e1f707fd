/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs.h - moat-runc's filesystem helpers, beside lib/fs-util.h's (paths,
 * mkdir -p, whole-file reads, atomic writes), which it includes. Negative
 * errno on failure, no logging.
 */
#ifndef MOAT_RUNTIME_FS_H
#define MOAT_RUNTIME_FS_H

#include "fs-util.h"

/* Canonical absolute form of path: realpath() of its longest existing
 * prefix, followed by the rest. Fails only on a non-absolute path or ENOMEM. */
int path_canonical(const char *path, char **ret);

/* Lazily unmount every mount at or below dir, deepest first. */
int umount_below(const char *dir);
/* rm -rf that never crosses into another filesystem. -ENOENT is success. */
int rm_rf(const char *path);

#endif
