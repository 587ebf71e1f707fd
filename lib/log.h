/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.h - the one logging layer. Library code returns negative errno and does
 * not log; the top-level caller logs once, with its component prefix.
 */
#ifndef MOAT_LOG_H
#define MOAT_LOG_H

#include "macro.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Set once by main(): the prefix of every line ("moat-loader") and the level. */
void log_setup(const char *component, enum log_level max_level);
/* Also append every line to this file (runc's --log), or NULL to stop. */
void log_set_file(FILE *f, int json);
int log_level_enabled(enum log_level level);

/* Returns -abs(err) so callers can write: return log_error_errno(r, "..."). */
int log_full_errno(enum log_level level, int err, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_full_errno(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(err, ...) log_full_errno(LOG_LEVEL_ERROR, (err), __VA_ARGS__)
#define log_warning_errno(err, ...) log_full_errno(LOG_LEVEL_WARNING, (err), __VA_ARGS__)

#endif
