/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vet-internal.h - the parts of the mount vetting (vet.h) between its files. */
#ifndef MOAT_FSEMU_VET_INTERNAL_H
#define MOAT_FSEMU_VET_INTERNAL_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <sys/types.h>

#include "vet-rules.h"

struct vet_container {
	char *id;
	pid_t init_pid;
	struct vet_table start; /* its start mounts */
	unsigned int nfds;      /* notify fds open for it */
	struct vet_container *next;
};

/* vet-proc.c: the caller as the kernel sees it */

/* A NUL-terminated string at addr in pid's memory. */
int vet_read_string(pid_t pid, unsigned long addr, char *buf, size_t size);
/* Whether pid has CAP_SYS_ADMIN in its own user namespace (libcap). */
bool vet_caller_has_sys_admin(pid_t pid);

struct vet_place {
	int mnt_id;
	bool mount_root; /* the root of that mount (a mount point) */
};
/* Resolve path as tid sees it, relative to its fd dirfd (or AT_FDCWD);
 * an empty path with empty_ok is dirfd itself. */
int vet_resolve(pid_t tid, int dirfd, const char *path, bool follow, bool empty_ok,
		struct vet_place *ret);
/* The line of tid's mountinfo for mnt_id, into a one-entry table. */
int vet_lookup_mount(pid_t tid, int mnt_id, struct vet_table *ret);
/* Every mount of pid: its start mounts. */
int vet_read_mounts(pid_t pid, struct vet_table *ret);

/* vet-store.c: start mounts kept across a worker's restart */
int vet_store_save(const char *dir, const struct vet_container *c);
/* Fill c->start (and init_pid) from what was saved for c->id. */
int vet_store_load(const char *dir, struct vet_container *c);
void vet_store_remove(const char *dir, const char *id);

/* vet-call.c: one notification, received and answered */
int vet_answer(int notify_fd, const struct vet_container *c);
/* Buffers sized for the kernel's structs (SECCOMP_GET_NOTIF_SIZES). */
int vet_sizes_init(void);

#endif
