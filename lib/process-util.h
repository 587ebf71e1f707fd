/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process-util.h - running other programs. */
#ifndef MOAT_PROCESS_UTIL_H
#define MOAT_PROCESS_UTIL_H

/* Run argv (argv[0] looked up in PATH) with stdout and stderr on /dev/null
 * and wait for it: its exit status (128 + N when killed by signal N), or a
 * negative errno when it could not run. */
int run_quiet(char *const argv[]);

#endif
