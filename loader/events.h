/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MOAT_LOADER_EVENTS_H
#define MOAT_LOADER_EVENTS_H

#include <signal.h>
#include <stdio.h>

/* Drain the denial ring buffer into log lines (and into `out` if not NULL)
 * until *stop becomes non-zero. */
int events_follow(int events_fd, FILE *out, volatile sig_atomic_t *stop);

#endif
