/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error.h - an error message carried up to the one place that prints it, in
 * crun's style: library code fills *err and returns a negative errno; only
 * the command's top level logs it, once.
 */
#ifndef MOAT_RUNTIME_ERROR_H
#define MOAT_RUNTIME_ERROR_H

#include "macro.h"

/* Set *err (if err and *err is still NULL) to the formatted message and
 * return r, which must be negative (-EINVAL is used when it is not). */
int error_set(char **err, int r, const char *fmt, ...) _printf_(3, 4);

/* Prefix an existing message: "<prefix>: <old>". Returns r. */
int error_prefix(char **err, int r, const char *prefix);

#endif
