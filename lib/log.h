/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.h - the one logging layer. Library code returns negative errno and does
 * not log; the top-level caller logs once, with its component prefix.
 *
 * The error idiom of each layer (lib/README.md says why):
 *   lib/            returns 0 or -errno; never logs, except where the message
 *                   needs what only lib knows (moat.conf's file:line).
 *   daemons and the CLIs' commands (loader/, fsemu/, moatctl):
 *                   return -errno; where they log, they log and return in
 *                   one statement:
 *                     return log_error_errno(r, "cannot open %s: %m", path);
 *                     return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
 *                                            "'%s' is not absolute", path);
 *   runtime/        carries a message up with the error (runtime/error.h:
 *                   error_set, error_wrap), printed once by moat-runc's main.
 *   CLI mains       map the -errno of the command to the exit status once
 *                   (exit_status(), lib/cli.h).
 */
#ifndef MOAT_LOG_H
#define MOAT_LOG_H

#include "macro.h"

enum log_level {
	LOG_LEVEL_QUIET = -1, /* as the max level: nothing on stderr (a log file still gets all) */
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/* Set once by main(): the prefix of every line ("moat-loader") and the level. */
void log_setup(const char *component, enum log_level max_level);
/* Also append every line to this file (runc's --log), or NULL to stop.
 * Returns the file set before. */
FILE *log_set_file(FILE *f, int json);
int log_level_enabled(enum log_level level);

/* An errno value made up by the caller rather than returned by a call:
 * log_error_errno(SYNTHETIC_ERRNO(EINVAL), "...") logs and returns -EINVAL
 * (%m names EINVAL). ERRNO_VALUE() takes the flag off again. */
#define SYNTHETIC_ERRNO(num) (1 << 30 | (num))
#define ERRNO_VALUE(val) ((val) < 0 ? -(val) & ~(1 << 30) : (val) & ~(1 << 30))

/* Returns -ERRNO_VALUE(err) so callers can write: return log_error_errno(r, "...").
 * With err 0 (log_error() and friends) it returns 0: use log_error_errno
 * with SYNTHETIC_ERRNO() where the caller must fail. */
int log_full_errno(enum log_level level, int err, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_full_errno(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(err, ...) log_full_errno(LOG_LEVEL_ERROR, (err), __VA_ARGS__)
#define log_warning_errno(err, ...) log_full_errno(LOG_LEVEL_WARNING, (err), __VA_ARGS__)

#endif
