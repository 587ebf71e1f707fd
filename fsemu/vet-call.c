// SPDX-License-Identifier: LGPL-2.1-or-later
/* vet-call.c - one trapped call: receive it, read it, decide (vet-rules.h),
 * answer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "vet-internal.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif

static struct seccomp_notif_sizes sizes;

int vet_sizes_init(void)
{
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return negative_errno();
	if (sizes.seccomp_notif < sizeof(struct seccomp_notif))
		sizes.seccomp_notif = sizeof(struct seccomp_notif);
	if (sizes.seccomp_notif_resp < sizeof(struct seccomp_notif_resp))
		sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
	return 0;
}

/* What one call is about, for the decision and the log. */
struct call {
	pid_t tid;
	const struct vet_container *c;
	const char *name;
	char path[PATH_MAX];
	const char *why;
};

static int path_arg(struct call *k, unsigned long addr)
{
	return vet_read_string(k->tid, addr, k->path, sizeof(k->path));
}

/* The mount k->path names, as the caller sees it. */
static int place_of(struct call *k, int dirfd, bool follow, bool empty_ok, struct vet_place *p)
{
	return vet_resolve(k->tid, dirfd, k->path, follow, empty_ok, p);
}

static int remount(struct call *k, const struct vet_place *p, unsigned long flags)
{
	struct vet_table line = { 0 };
	int r = vet_lookup_mount(k->tid, p->mnt_id, &line);

	if (r < 0)
		return r == -ENOENT ? -EPERM : r;
	r = vet_rule_remount(&k->c->start, &line.m[0], flags, &k->why);
	vet_table_clear(&line);
	return r;
}

static int bind_source(struct call *k, int dirfd, bool empty_ok, bool recursive)
{
	struct vet_table line = { 0 };
	struct vet_place p;
	int r = place_of(k, dirfd, true, empty_ok, &p);

	if (r < 0)
		return r;
	if ((r = vet_lookup_mount(k->tid, p.mnt_id, &line)) < 0)
		return r == -ENOENT ? -EPERM : r;
	r = vet_rule_bind(&k->c->start, &line.m[0], recursive, &k->why);
	vet_table_clear(&line);
	return r;
}

static int vet_mount(struct call *k, const struct seccomp_data *d)
{
	unsigned long flags = d->args[3];
	struct vet_place target, source;
	int r;

	if ((r = path_arg(k, d->args[1])) < 0 || (r = place_of(k, AT_FDCWD, true, false, &target)) < 0)
		return r;
	if (flags & MS_REMOUNT)
		return remount(k, &target, flags);
	if (flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
		return 0; /* propagation only */
	if ((r = vet_rule_overmount(&k->c->start, target.mnt_id, target.mount_root, &k->why)) < 0)
		return r;
	if (!(flags & (MS_BIND | MS_MOVE)))
		return 0;
	if ((r = path_arg(k, d->args[0])) < 0)
		return r;
	if (flags & MS_MOVE) {
		if ((r = place_of(k, AT_FDCWD, true, false, &source)) < 0)
			return r;
		return vet_rule_move(&k->c->start, source.mnt_id, source.mount_root, &k->why);
	}
	return bind_source(k, AT_FDCWD, false, flags & MS_REC);
}

static int vet_umount(struct call *k, const struct seccomp_data *d)
{
	struct vet_place p;
	int r;

	if ((r = path_arg(k, d->args[0])) < 0 ||
	    (r = place_of(k, AT_FDCWD, !(d->args[1] & UMOUNT_NOFOLLOW), false, &p)) < 0)
		return r;
	if (!p.mount_root)
		return 0; /* the kernel says EINVAL */
	return vet_rule_umount(&k->c->start, p.mnt_id, &k->why);
}

static int vet_open_tree(struct call *k, const struct seccomp_data *d)
{
	unsigned int flags = (unsigned int)d->args[2];
	int r;

	if (!(flags & OPEN_TREE_CLONE))
		return 0; /* an O_PATH-like fd: nothing is mounted */
	if ((r = path_arg(k, d->args[1])) < 0)
		return r;
	return bind_source(k, (int)d->args[0], flags & AT_EMPTY_PATH, flags & AT_RECURSIVE);
}

static int vet_move_mount(struct call *k, const struct seccomp_data *d)
{
	unsigned int flags = (unsigned int)d->args[4];
	struct vet_place p;
	int r;

	if ((r = path_arg(k, d->args[1])) < 0 ||
	    (r = place_of(k, (int)d->args[0], true, flags & MOVE_MOUNT_F_EMPTY_PATH, &p)) < 0)
		return r;
	if ((r = vet_rule_move(&k->c->start, p.mnt_id, p.mount_root, &k->why)) < 0)
		return r;
	if ((r = path_arg(k, d->args[3])) < 0 ||
	    (r = place_of(k, (int)d->args[2], true, flags & MOVE_MOUNT_T_EMPTY_PATH, &p)) < 0)
		return r;
	return vet_rule_overmount(&k->c->start, p.mnt_id, p.mount_root, &k->why);
}

static const struct {
	long nr;
	const char *name;
	int (*vet)(struct call *k, const struct seccomp_data *d);
} vetted[] = {
	{ SYS_mount, "mount", vet_mount },
	{ SYS_umount2, "umount2", vet_umount },
	{ SYS_open_tree, "open_tree", vet_open_tree },
	{ SYS_move_mount, "move_mount", vet_move_mount },
};

/* 0: let the kernel do it; < 0: answer that error. */
static int decide(struct call *k, const struct seccomp_data *d)
{
	size_t i;
	int r;

	for (i = 0; i < ELEMENTSOF(vetted) && vetted[i].nr != d->nr; i++)
		;
	if (i == ELEMENTSOF(vetted))
		return 0; /* not ours to vet */
	k->name = vetted[i].name;
	if (!vet_caller_has_sys_admin(k->tid)) {
		k->why = "no CAP_SYS_ADMIN in its user namespace";
		return -EPERM;
	}
	r = vetted[i].vet(k, d);
	if (r == -EXDEV) { /* RESOLVE_BENEATH/IN_ROOT: what we cannot follow, it may not use */
		k->why = "a path that leaves its directory or crosses a /proc magic link";
		r = -EPERM;
	}
	return r;
}

static void respond(int fd, __u64 id, int error)
{
	static struct seccomp_notif_resp *resp;

	if (!resp && !(resp = malloc(sizes.seccomp_notif_resp)))
		return;
	memset(resp, 0, sizes.seccomp_notif_resp);
	resp->id = id;
	if (error)
		resp->error = error;
	else
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
		log_warning_errno(errno, "cannot answer a vetted call: %m");
}

int vet_answer(int notify_fd, const struct vet_container *c)
{
	/* one vetting thread: buffers reused, not allocated per call */
	static struct seccomp_notif *req;
	static struct call k;
	int r;

	if (!req && !(req = malloc(sizes.seccomp_notif)))
		return -ENOMEM;
	memset(req, 0, sizes.seccomp_notif); /* the kernel wants it zeroed */
	if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return errno == ENOENT || errno == EINTR ? 0 : negative_errno();
	k = (struct call){ .tid = (pid_t)req->pid, .c = c, .name = "?" };
	r = decide(&k, &req->data);
	/* A denial is logged with what was read: make sure it was the
	 * caller's (its pid may have been reused meanwhile). Letting the
	 * kernel go on needs no such check: it acts on the caller's own
	 * arguments, and the kernel's locks and policy hold whatever we read. */
	if (r < 0 && ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
		return 0;
	if (r < 0 && k.why)
		log_info("container %s: denied %s of %s by pid %d: %s", c->id, k.name, k.path,
			 k.tid, k.why);
	else if (r < 0)
		log_debug("container %s: %s of %s by pid %d fails: %s", c->id, k.name, k.path,
			  k.tid, strerror(-r));
	respond(notify_fd, req->id, r);
	return 0;
}
