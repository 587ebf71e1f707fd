// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * moat-attack - one attack per invocation, for the security suites. Exits 0
 * when the attack worked, 1 (with the errno) when the kernel refused it, 2 on
 * bad usage. --cgroup DIR first moves the process into that cgroup, so a test
 * needs no extra fork per attack (forks cost up to 300 ms under TCG).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef FSCONFIG_CMD_CREATE
#define FSCONFIG_CMD_CREATE 6
#endif

static int fail(const char *what)
{
	fprintf(stderr, "moat-attack: %s: %s\n", what, strerror(errno));
	return 1;
}

static int join_cgroup(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "we");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f) != 0) {
		fprintf(stderr, "moat-attack: cannot join cgroup %s: %s\n", dir, strerror(errno));
		exit(2);
	}
	return 0;
}

static int unix_socket(const char *path, int listen_too)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	if (fd < 0)
		return -1;
	if (listen_too) {
		(void)unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
			return -1;
	} else if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	return fd;
}

static int send_fd(int sock, int fd)
{
	char c = 'x', buf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
			      .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, buf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
			      .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		errno = EPERM; /* the kernel dropped the fd: file_receive refused it */
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* serve-fd SOCK PATH|pidfd: hand an fd to every client, forever. */
static int serve_fd(const char *sock_path, const char *what)
{
	int ls = unix_socket(sock_path, 1), fd;

	if (ls < 0)
		return fail("listen");
	if (strcmp(what, "pidfd") == 0)
		fd = syscall(SYS_pidfd_open, getpid(), 0);
	else
		fd = open(what, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(what);
	for (;;) {
		int c = accept(ls, NULL, NULL);

		if (c >= 0) {
			(void)send_fd(c, fd);
			close(c);
		}
	}
}

/* A pidfd needs the namespaces to join named; an nsfs fd names its own. */
static int setns_flags(int fd)
{
	char link[64], target[64] = {};

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if (readlink(link, target, sizeof(target) - 1) > 0 && strstr(target, "[pidfd]"))
		return CLONE_NEWNET | CLONE_NEWUTS;
	return 0;
}

static int do_setns_fd(int fd, const char *what)
{
	if (fd < 0)
		return fail(what);
	if (setns(fd, setns_flags(fd)) < 0)
		return fail("setns");
	return 0;
}

static int fs_new_mount(const char *type, const char *target)
{
	int fs = syscall(SYS_fsopen, type, 0), mnt;

	if (fs < 0)
		return fail("fsopen");
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fail("fsconfig create");
	mnt = syscall(SYS_fsmount, fs, 0, 0);
	if (mnt < 0)
		return fail("fsmount");
	if (target && syscall(SYS_move_mount, mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return fail("move_mount");
	if (target)
		(void)umount2(target, MNT_DETACH);
	return 0;
}

static int open_tree_move(const char *src, const char *target)
{
	int t = syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | O_CLOEXEC);

	if (t < 0)
		return fail("open_tree");
	if (syscall(SYS_move_mount, t, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return fail("move_mount");
	(void)umount2(target, MNT_DETACH);
	return 0;
}

/*
 * A bind copy of src at target, by mount(MS_BIND) ("bind") or by open_tree
 * with OPEN_TREE_CLONE then move_mount ("open-tree"), remounted read-write.
 * Works (0) only if the copy ends up writable; the copy is unmounted after.
 */
static int copy_remount_rw(const char *how, const char *src, const char *target)
{
	struct statvfs st;
	int r = 0, t;

	if (!strcmp(how, "bind")) {
		if (mount(src, target, NULL, MS_BIND, NULL) < 0)
			return fail("mount --bind");
	} else {
		t = syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | O_CLOEXEC);
		if (t < 0)
			return fail("open_tree");
		if (syscall(SYS_move_mount, t, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return fail("move_mount");
	}
	if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND, NULL) < 0)
		r = fail("remount,bind,rw");
	else if (statvfs(target, &st) < 0 || (st.f_flag & ST_RDONLY))
		r = (fprintf(stderr, "moat-attack: %s is still read-only\n", target), 1);
	(void)umount2(target, MNT_DETACH);
	return r;
}

static int mount_and_undo(const char *src, const char *target, const char *type, unsigned long fl)
{
	if (mount(src, target, type, fl, NULL) < 0)
		return fail("mount");
	(void)umount2(target, MNT_DETACH);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: moat-attack [--cgroup DIR] ACTION ARGS\n"
		"  mount TYPE DIR | fsmount TYPE [DIR] | bind SRC DIR | open-tree SRC DIR\n"
		"  overmount DIR | copy-rw bind|open-tree SRC DIR | open PATH\n"
		"  connect SOCK | listen SOCK\n"
		"  setns PATH | recv SOCK | recv-setns SOCK | peer-setns SOCK | serve-fd SOCK PATH|pidfd\n"
		"  socket FAMILY | finit-module KO\n");
	return 2;
}

/* 6.12's modules are .ko.xz: the kernel decompresses them itself when told
 * (5.17+, CONFIG_MODULE_DECOMPRESS); 6.1's are plain .ko. */
static int module_flags(const char *ko)
{
	const char *dot = strrchr(ko, '.');

	return dot && (!strcmp(dot, ".xz") || !strcmp(dot, ".zst") || !strcmp(dot, ".gz")) ?
		       4 /* MODULE_INIT_COMPRESSED_FILE */ : 0;
}

int main(int argc, char **argv)
{
	const char *a;

	if (argc > 2 && strcmp(argv[1], "--cgroup") == 0) {
		join_cgroup(argv[2]);
		argc -= 2, argv += 2;
	}
	if (argc < 2)
		return usage();
	a = argv[1];
	if (!strcmp(a, "mount") && argc == 4)
		return mount_and_undo(argv[2], argv[3], argv[2], 0);
	if (!strcmp(a, "fsmount") && argc >= 3)
		return fs_new_mount(argv[2], argc > 3 ? argv[3] : NULL);
	if (!strcmp(a, "bind") && argc == 4)
		return mount_and_undo(argv[2], argv[3], NULL, MS_BIND);
	if (!strcmp(a, "open-tree") && argc == 4)
		return open_tree_move(argv[2], argv[3]);
	if (!strcmp(a, "copy-rw") && argc == 5)
		return copy_remount_rw(argv[2], argv[3], argv[4]);
	if (!strcmp(a, "overmount") && argc == 3)
		return mount_and_undo("tmpfs", argv[2], "tmpfs", 0);
	if (!strcmp(a, "open") && argc == 3)
		return open(argv[2], O_RDONLY | O_CLOEXEC) < 0 ? fail(argv[2]) : 0;
	if (!strcmp(a, "connect") && argc == 3)
		return unix_socket(argv[2], 0) < 0 ? fail(argv[2]) : 0;
	if (!strcmp(a, "listen") && argc == 3) {
		int ls = unix_socket(argv[2], 1);

		if (ls < 0)
			return fail("listen");
		for (;;)
			close(accept(ls, NULL, NULL));
	}
	if (!strcmp(a, "setns") && argc == 3)
		return do_setns_fd(open(argv[2], O_RDONLY | O_CLOEXEC), argv[2]);
	if (!strcmp(a, "recv") && argc == 3) {
		int s = unix_socket(argv[2], 0);

		if (s < 0)
			return fail(argv[2]);
		return recv_fd(s) < 0 ? fail("receive fd") : 0;
	}
	if (!strcmp(a, "peer-setns") && argc == 3) {
		/* 6.5+: the peer's pidfd, made for the caller: no file_receive */
		int s = unix_socket(argv[2], 0), fd = -1;
		socklen_t len = sizeof(fd);

		if (s < 0)
			return fail(argv[2]);
		if (getsockopt(s, SOL_SOCKET, 77 /* SO_PEERPIDFD */, &fd, &len) < 0)
			return fail("getsockopt SO_PEERPIDFD");
		return do_setns_fd(fd, "peer pidfd");
	}
	if (!strcmp(a, "recv-setns") && argc == 3) {
		int s = unix_socket(argv[2], 0);

		if (s < 0)
			return fail(argv[2]);
		return do_setns_fd(recv_fd(s), "receive fd");
	}
	if (!strcmp(a, "serve-fd") && argc == 4)
		return serve_fd(argv[2], argv[3]);
	if (!strcmp(a, "socket") && argc == 3)
		return socket(atoi(argv[2]), SOCK_DGRAM, 0) < 0 ? fail("socket") : 0;
	if (!strcmp(a, "finit-module") && argc == 3) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return fail(argv[2]);
		return syscall(SYS_finit_module, fd, "", module_flags(argv[2])) < 0 ? fail("finit_module") : 0;
	}
	return usage();
}
