/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* proc.h - what /proc tells about a process. Negative errno, no logging. */
#ifndef MOAT_RUNTIME_PROC_H
#define MOAT_RUNTIME_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Field 22 of /proc/<pid>/stat: with the pid, it names a process uniquely. */
int proc_start_time(pid_t pid, uint64_t *ret);
/* Is the process pid, started at start_time, still there? */
bool proc_alive(pid_t pid, uint64_t start_time);
/* The cgroup v2 path ("0::<path>") of pid, e.g. "/docker/abc". */
int proc_cgroup2_path(pid_t pid, char **ret);

#endif
