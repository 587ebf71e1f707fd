/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error.h - moat-runc's error: a message carried up to the one place that
 * prints it, in crun's style (libcrun_error_t). A function that fails fills
 * *err and returns a negative errno; a caller adds its context with
 * error_wrap(); only the command's top level logs it, once.
 *
 *   return error_set(err, -ENOENT, "cannot read %s: %m", path);
 *   return error_wrap(err, r, "container %s", id);
 *     -> "container abc: cannot read /x: No such file or directory"
 *
 * A call into lib/ that logs its own error (moat.conf) leaves *err NULL:
 * moat-runc's main then prints nothing more.
 */
#ifndef MOAT_RUNTIME_ERROR_H
#define MOAT_RUNTIME_ERROR_H

#include "macro.h"

/* Set *err (if err and *err is still NULL) to the formatted message and
 * return r, which must be negative (-EINVAL is used when it is not). %m
 * names r. */
int error_set(char **err, int r, const char *fmt, ...) _printf_(3, 4);

/* Put the formatted context before the message: "<context>: <message>".
 * Without a message yet, the context and r's description ("%m") become it.
 * Returns r. */
int error_wrap(char **err, int r, const char *fmt, ...) _printf_(3, 4);

#endif
