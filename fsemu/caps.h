/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps.h - what moat-fs keeps once it is set up (libcap).
 *
 * The worker keeps only CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: it reads
 * /proc/PID/ns/{pid,net} of callers owned by other users (a user-namespaced
 * container's root is uid 100000 to us), which needs ptrace read access,
 * and the mount vetting (vet.h) reads a caller's memory (ptrace attach
 * access) and resolves its paths through /proc/PID/root, across the
 * container's own 0700 directories (CAP_DAC_READ_SEARCH). Everything else it does
 * as the root user without capabilities: /proc/PID/{cgroup,status,stat,
 * uid_map} and cgroup files are world-readable, its state files are its
 * own, and writing the raised limits (fs.file-max, fs.nr_open,
 * net.core.somaxconn, nf_conntrack_max, max_dgram_qlen) is allowed to uid 0
 * by /proc/sys's own check. CAP_SYS_ADMIN is only needed to mount, before
 * the drop. The bounding set is cut to the same, so a worker the keeper
 * execs again gets no more. The keeper keeps nothing.
 */
#ifndef MOAT_FSEMU_CAPS_H
#define MOAT_FSEMU_CAPS_H

#include <sys/capability.h>

/* Cut the bounding set to bound[], then keep only keep[] (permitted and
 * effective). */
int caps_limit(const cap_value_t *bound, int nbound, const cap_value_t *keep, int nkeep);

#endif
