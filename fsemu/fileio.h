/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fileio.h - small reads of kernel text files (procfs, sysfs, cgroupfs)
 * relative to a directory fd, so that tests can point them at a fake tree.
 * Every function returns 0 (or a length) or a negative errno.
 */
#ifndef MOAT_FSEMU_FILEIO_H
#define MOAT_FSEMU_FILEIO_H

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/* Up to size-1 bytes of dirfd/path into buf, NUL-terminated; the length. */
ssize_t read_small_at(int dirfd, const char *path, char *buf, size_t size);
/* The whole of dirfd/path appended to b. */
int read_all_at(int dirfd, const char *path, struct buf *b);
/* A decimal number; "max" reads as UINT64_MAX, a negative number as -ERANGE. */
int read_u64_at(int dirfd, const char *path, uint64_t *ret);
int parse_u64(const char *s, uint64_t *ret);

/* "key value" (or "key: value") lines: the keys wanted, filled in when found. */
struct kv_want {
	const char *key;
	uint64_t *val;
};
/* One pass over text; returns how many wanted keys were found. */
int parse_kv(const char *text, const struct kv_want *want, size_t n);

#endif
