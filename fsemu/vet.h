/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vet.h - mount vetting over seccomp user notification.
 *
 * moat-runc gives every container seccomp rules SCMP_ACT_NOTIFY for the
 * mount calls worth vetting (runtime/seccomp.c: mount with MS_REMOUNT,
 * MS_BIND or MS_MOVE, open_tree with OPEN_TREE_CLONE, move_mount, and
 * umount2 when the kernel policy does not refuse the start mounts itself),
 * merged into its own profile,
 * and points runc's linux.seccomp.listenerPath at moat-fs's vet socket
 * (<mountpoint>.vet.sock). runc connects there during create, with the
 * container's state and the notify fd (SCM_RIGHTS); the first fd of a
 * container comes from its init, after runc made every mount, so the
 * mount table read then is the container's *start mounts*. Each exec'd
 * process brings its own fd. Data-path syscalls are never trapped.
 *
 * What is answered (vet-rules.h has the rules, vet-call.c the reading):
 *   - umount of a start mount: EPERM ("/", "/proc", "/sys", the emulated
 *     files, the masks...);
 *   - a remount that leaves writable a read-only start mount, or a bind
 *     copy of one (same superblock, root within): EPERM;
 *   - a non-recursive bind or open_tree clone of a proc/sysfs mount that
 *     has start mounts on it (it would uncover masked or emulated files),
 *     moving a start mount, mounting over a start mount under /proc or
 *     /sys: EPERM;
 *   - a caller without CAP_SYS_ADMIN in its own user namespace: EPERM;
 *   - anything else, mounts the container makes itself included (tmpfs
 *     under /root, remounted ro and rw, unmounted): the kernel performs it
 *     (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 * A decision is taken on the caller's path as read from its memory, then
 * the kernel re-reads it: a thread of the caller could swap it in between.
 * The race-free backstops are the kernel's: read-only views and masks are
 * locked by the user namespace (runtime/seal.h) and the kernel policy
 * denies remount/umount/overmount of start mounts by mount id
 * (bpf/protect.bpf.c). The vetting gives the spec's answers and the logs;
 * the kernel makes them hold.
 */
#ifndef MOAT_FSEMU_VET_H
#define MOAT_FSEMU_VET_H

struct vet;

struct vet_config {
	const char *socket_path; /* where runc connects */
	const char *state_dir;   /* moat-fs's: the start mounts, vet-<id>.json */
	int keeper_fd;           /* the keeper's connection (keeper.h) */
};

/* Take the notify fds the keeper holds (a worker restarted: their
 * containers' calls waited meanwhile), listen on socket_path (replacing a
 * stale socket), and serve in a thread. Every notify fd is also handed to
 * the keeper ("VET:<id>"), which holds it while no worker serves. */
int vet_start(const struct vet_config *cfg, struct vet **ret);
/* A new keeper: hand it every notify fd (from the vetting thread). */
void vet_set_keeper(struct vet *v, int keeper_fd);
/* Stop the thread; close the listener and every notify fd. */
void vet_free(struct vet *v);

#endif
