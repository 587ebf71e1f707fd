// SPDX-License-Identifier: LGPL-2.1-or-later
/* vet-proc.c - reading a vetted caller: its memory, capabilities, paths
 * and mounts, through /proc (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "macro.h"
#include "mountinfo.h"
#include "vet-internal.h"

int vet_read_string(pid_t pid, unsigned long addr, char *buf, size_t size)
{
	size_t got = 0;

	if (!addr)
		return -EFAULT;
	while (got < size) {
		/* never across a page: the next one may be unmapped */
		size_t chunk = 4096 - ((addr + got) & 4095);
		struct iovec local = { buf + got, chunk < size - got ? chunk : size - got };
		struct iovec remote = { (void *)(addr + got), local.iov_len };
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

		if (n <= 0)
			return n < 0 ? negative_errno() : -EFAULT;
		if (memchr(buf + got, 0, (size_t)n))
			return 0;
		got += (size_t)n;
	}
	return -ENAMETOOLONG;
}

bool vet_caller_has_sys_admin(pid_t pid)
{
	cap_t caps = cap_get_pid(pid);
	cap_flag_value_t v = CAP_CLEAR;

	if (!caps)
		return false;
	(void)cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return v == CAP_SET;
}

static int open_proc(pid_t tid, const char *what)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, what);
	fd = open(path, O_PATH | O_CLOEXEC);
	return fd < 0 ? negative_errno() : fd;
}

/* "/proc/self/fd/N" and "/proc/thread-self/fd/N" (runc's way of naming a
 * checked place): the caller's fd N, or -ENOENT if path is not one. */
static int open_own_fd(pid_t tid, const char *path)
{
	const char *n = NULL;
	char what[32];

	if (strncmp(path, "/proc/self/fd/", 14) == 0)
		n = path + 14;
	else if (strncmp(path, "/proc/thread-self/fd/", 21) == 0)
		n = path + 21;
	if (!n || !*n || strlen(n) > 10)
		return -ENOENT;
	for (const char *c = n; *c; c++)
		if (!isdigit((unsigned char)*c))
			return -ENOENT;
	snprintf(what, sizeof(what), "fd/%s", n);
	return open_proc(tid, what);
}

static int open_place(pid_t tid, int dirfd, const char *path, bool follow, bool empty_ok)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
				.resolve = RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int base = -1;
	char what[32];
	int fd;

	if (!*path) {
		if (!empty_ok || dirfd < 0)
			return -ENOENT;
		snprintf(what, sizeof(what), "fd/%d", dirfd);
		return open_proc(tid, what);
	}
	if ((fd = open_own_fd(tid, path)) != -ENOENT)
		return fd;
	if (path[0] == '/') {
		base = open_proc(tid, "root");
		how.resolve |= RESOLVE_IN_ROOT;
	} else {
		snprintf(what, sizeof(what), "fd/%d", dirfd);
		base = open_proc(tid, dirfd == AT_FDCWD ? "cwd" : what);
		how.resolve |= RESOLVE_BENEATH; /* ".." out of it: not told apart, refused */
	}
	if (base < 0)
		return base;
	fd = (int)syscall(SYS_openat2, base, path, &how, sizeof(how));
	return fd < 0 ? negative_errno() : fd;
}

int vet_resolve(pid_t tid, int dirfd, const char *path, bool follow, bool empty_ok,
		struct vet_place *ret)
{
	_cleanup_close_ int fd = open_place(tid, dirfd, path, follow, empty_ok);
	struct statx stx;

	if (fd < 0)
		return fd;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		return negative_errno();
	if (!(stx.stx_mask & STATX_MNT_ID) || !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -EOPNOTSUPP;
	ret->mnt_id = (int)stx.stx_mnt_id;
	ret->mount_root = stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
	return 0;
}

struct collect {
	int only; /* a mount id, or -1 for all */
	struct vet_table *t;
};

static int collect_one(const struct mountinfo_entry *e, void *userdata)
{
	struct collect *c = userdata;

	if (c->only >= 0 && e->mnt_id != c->only)
		return 0;
	return vet_table_add(c->t, e->mnt_id, e->parent_id, e->major, e->minor,
			     mountinfo_has_option(e->mount_opts, "ro"), e->root, e->mount_point,
			     e->fstype) ?: (c->only >= 0);
}

static int collect(pid_t pid, int only, struct vet_table *ret)
{
	struct collect c = { only, ret };
	int r = mountinfo_foreach_pid(pid, collect_one, &c);

	if (r < 0) {
		vet_table_clear(ret);
		return r;
	}
	return ret->n ? 0 : -ENOENT;
}

int vet_lookup_mount(pid_t tid, int mnt_id, struct vet_table *ret)
{
	return collect(tid, mnt_id, ret);
}

int vet_read_mounts(pid_t pid, struct vet_table *ret)
{
	return collect(pid, -1, ret);
}
