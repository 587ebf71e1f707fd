/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * userns.c - a user namespace with a given mapping, as an fd.
 *
 * A namespace is only reachable through a process in it, so a child is cloned
 * into a new user namespace and parks in read() on a pipe; the parent writes
 * the child's uid_map and gid_map (as root in the parent namespace it needs no
 * "setgroups deny"), opens /proc/<child>/ns/user and closes the pipe, which
 * ends the child.  CLONE_VM avoids copying the address space (the child runs
 * on a small stack of its own and only calls prctl and read), CLONE_FILES lets
 * the parent's close() of the pipe reach the child.  This runs on every
 * container start, so it stays at one clone, two small writes, an open and a
 * wait (about 0.1 ms).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "macro.h"
#include "userns.h"

#define USERNS_CHILD_STACK (16 * 1024)

static int userns_child(void *arg)
{
	int fd = *(int *)arg;
	char c;

	/* Do not outlive a parent that dies before it closes the pipe. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)!read(fd, &c, 1);
	return 0;
}

static int write_map(pid_t pid, const char *which, uint32_t id, uint32_t count)
{
	char path[64], line[64];
	_cleanup_close_ int fd = -1;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
	n = snprintf(line, sizeof(line), "0 %" PRIu32 " %" PRIu32 "\n", id, count);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	if (write(fd, line, n) != n)
		return negative_errno();
	return 0;
}

static int open_child_userns(pid_t pid, uint32_t uid, uint32_t gid, uint32_t count)
{
	char path[64];
	int r, fd;

	r = write_map(pid, "uid_map", uid, count);
	if (r < 0)
		return r;
	r = write_map(pid, "gid_map", gid, count);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? negative_errno() : fd;
}

int userns_open(uint32_t uid, uint32_t gid, uint32_t count)
{
	_cleanup_free_ void *stack = NULL;
	int pipefd[2], fd, status;
	pid_t pid;

	if (count == 0 || uid > UINT32_MAX - count + 1 || gid > UINT32_MAX - count + 1)
		return -EINVAL;
	stack = malloc(USERNS_CHILD_STACK);
	if (!stack)
		return -ENOMEM;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return negative_errno();

	pid = clone(userns_child, (char *)stack + USERNS_CHILD_STACK,
		    CLONE_NEWUSER | CLONE_VM | CLONE_FILES | SIGCHLD, &pipefd[0]);
	if (pid < 0) {
		fd = negative_errno();
		(void)close(pipefd[0]);
		(void)close(pipefd[1]);
		return fd;
	}
	fd = open_child_userns(pid, uid, gid, count);
	/*
	 * EOF on the shared pipe ends the child.  The read end stays open until
	 * the child is gone, so its number cannot be reused under the child's
	 * read(); the child's stack is freed after the wait too.
	 */
	(void)close(pipefd[1]);
	while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
		;
	(void)close(pipefd[0]);
	return fd;
}
