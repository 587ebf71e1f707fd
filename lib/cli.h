/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.h - what moat's command-line mains share: the mapping of a command's
 * result to the exit status, done once in main.
 *
 *   0         success
 *   1         any failure (a negative errno, logged where it was found)
 *   2         a usage error: the command logged what is wrong with its
 *             arguments and returned -EUSAGE
 */
#ifndef MOAT_CLI_H
#define MOAT_CLI_H

#include <stdlib.h>

#define EXIT_USAGE 2
/* Not a kernel or libc errno (Linux's end below 150): a command's usage
 * error, logged with log_error_errno(SYNTHETIC_ERRNO(EUSAGE), "...") (never
 * with %m). */
#define EUSAGE 4095

static inline int exit_status(int r)
{
	if (r >= 0)
		return EXIT_SUCCESS;
	return r == -EUSAGE ? EXIT_USAGE : EXIT_FAILURE;
}

#endif
