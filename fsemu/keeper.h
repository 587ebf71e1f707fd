/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * keeper.h - the process that keeps the FUSE connection alive.
 *
 * The kernel ends a FUSE connection (and every later access gets
 * "Transport endpoint is not connected") when the last fd of /dev/fuse for
 * it is closed. That is what kills lxcfs's containers when lxcfs dies. So
 * the fd lives in two processes: the worker, which serves it, and this
 * keeper, which does nothing with it but hold it. Either may be SIGKILLed
 * and the other one still holds the fd:
 *   - the worker dies: the keeper execs a new worker (with a back-off if
 *     they keep dying), which takes the fd over the keeper's unix socket
 *     (SCM_RIGHTS); an administrator's "moat-fs" started by hand does the
 *     same and replaces the current worker (STOP, SIGKILL after 3 s);
 *   - the keeper dies: the worker notices its socket closing and forks a
 *     new keeper with a copy of the fd.
 * Only when both die at once (or on unmount) does the connection end.
 * Requests the dead worker had read fail once (see session.c), later ones
 * are served by the next worker. The
 * keeper is named "moatfs-keeper", so "pkill moat-fs" or "killall moat-fs"
 * do not take it along with the worker. It reads nothing from /dev/fuse
 * (polling it would wake it on every request); it checks every second
 * whether the connection ended (POLLERR) and then exits. It runs with no
 * capabilities and a bounding set of CAP_SYS_PTRACE and
 * CAP_DAC_READ_SEARCH, the worker's.
 *
 * It holds the containers' seccomp notify fds as well (fsemu/vet.h): the
 * worker hands it each one ("VET:<id>" + fd) and a new worker asks for them
 * ("VETFDS"; "VET:<id>" + fd each, then "VETEND"). While no worker serves,
 * a container's trapped mount calls wait instead of failing; the start
 * mounts behind them are in the state directory (vet-<id>.json). A held fd
 * that hangs up (every process of that filter gone) is closed.
 */
#ifndef MOAT_FSEMU_KEEPER_H
#define MOAT_FSEMU_KEEPER_H

#include "handoff.h"

struct keeper_conf {
	int fuse_fd;
	int listen_fd;
	const struct fs_paths *paths;
	char **worker_argv; /* how to start a new worker (argv[0]: an absolute path) */
};

/* Start the keeper, nobody's child (double fork) in a session of its own.
 * Returns 0 in the caller once it is forked. */
int keeper_spawn(const struct keeper_conf *k);

#endif
