/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * handoff.h - the files a moat-fs instance keeps under its state directory
 * (one set per mountpoint, named after a hash of its path) and the
 * messages its processes exchange over the keeper's unix socket:
 *
 *   worker -> keeper  TAKEOVER  give me the /dev/fuse fd (after stopping the current worker)
 *                     ADOPT     I serve already (I spawned you)
 *                     GONE      the connection ended (unmounted): exit
 *                     QUIT      moat-fs --stop: stop everything
 *                     VET:<id>  hold this seccomp notify fd (attached) of container <id>
 *                     VETFDS    give me every seccomp fd you hold
 *   keeper -> worker  FD        the /dev/fuse fd, attached (SCM_RIGHTS)
 *                     STOP      another worker takes over: finish and exit
 *                     VET:<id>  a held seccomp fd (attached), then VETEND
 *
 * The socket is a SOCK_SEQPACKET one in the root-only state directory,
 * and the keeper also checks that its peers are uid 0.
 */
#ifndef MOAT_FSEMU_HANDOFF_H
#define MOAT_FSEMU_HANDOFF_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct fs_paths {
	char mountpoint[PATH_MAX];
	char dir[PATH_MAX];
	char sock[108];
	char lock[PATH_MAX], init[PATH_MAX], sysctl[PATH_MAX];
	char pid[PATH_MAX], keeper_pid[PATH_MAX], log[PATH_MAX];
};

/* mountpoint must be absolute. Creates state_dir (0700) if needed. */
int fs_paths_init(struct fs_paths *p, const char *state_dir, const char *mountpoint);

int unix_listen(const char *path);
/* The same as a stream socket (runc's seccomp listener protocol, vet.h). */
int unix_listen_stream(const char *path);
/* -ENOENT or -ECONNREFUSED when nobody listens. */
int unix_connect(const char *path);
/* word: a short message; fd: attached when >= 0. */
int msg_send(int sock, const char *word, int fd);
/* 0 on EOF, else the message length; *fd gets an attached fd or -1. */
ssize_t msg_recv(int sock, char *word, size_t size, int *fd);
/* The uid and pid of the peer. */
int unix_peer(int sock, uid_t *uid, pid_t *pid);

int write_pid_file(const char *path, pid_t pid);
/* The pid in path, or 0. */
pid_t read_pid_file(const char *path);

#endif
