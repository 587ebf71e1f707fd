// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fs-util.h"
#include "handoff.h"
#include "macro.h"
#include "paths.h"

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int fs_paths_init(struct fs_paths *p, const char *state_dir, const char *mountpoint)
{
	char base[96]; /* fits sun_path with any suffix */
	int r;

	if (mountpoint[0] != '/' || strlen(state_dir) + 18 >= sizeof(base))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	snprintf(p->mountpoint, sizeof(p->mountpoint), "%s", mountpoint);
	snprintf(p->dir, sizeof(p->dir), "%s", state_dir);
	if ((r = mkdir_parents_full(state_dir, 0755, MOAT_FS_STATE_DIR_MODE, NULL, NULL)) < 0)
		return r;
	snprintf(base, sizeof(base), "%s/%016llx", state_dir,
		 (unsigned long long)fnv1a64(mountpoint));
#define P(field, suffix) snprintf(p->field, sizeof(p->field), "%s" suffix, base)
	P(sock, ".sock");
	P(lock, ".lock");
	P(init, ".init");
	P(sysctl, ".sysctl");
	P(pid, ".pid");
	P(keeper_pid, ".keeper.pid");
	P(log, ".log");
#undef P
	return 0;
}

static int sockaddr_for(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* A listening unix socket of that type at path (a stale one replaced),
 * 0600: only root may connect. */
static int listen_socket(const char *path, int type, int backlog)
{
	struct sockaddr_un sa;
	_cleanup_close_ int fd = -1;
	int r;

	if ((r = sockaddr_for(path, &sa)) < 0)
		return r;
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return negative_errno();
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, backlog) < 0)
		return negative_errno();
	return TAKE_FD(fd);
}

int unix_listen(const char *path)
{
	return listen_socket(path, SOCK_SEQPACKET, 16);
}

int unix_listen_stream(const char *path)
{
	return listen_socket(path, SOCK_STREAM, 64);
}

int unix_connect(const char *path)
{
	struct sockaddr_un sa;
	_cleanup_close_ int fd = -1;
	int r;

	if ((r = sockaddr_for(path, &sa)) < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return negative_errno();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return negative_errno();
	return TAKE_FD(fd);
}

int msg_send(int sock, const char *word, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)word, strlen(word) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? negative_errno() : 0;
}

ssize_t msg_recv(int sock, char *word, size_t size, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { word, size - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return negative_errno();
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	word[n] = 0;
	return n;
}

int unix_peer(int sock, uid_t *uid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return negative_errno();
	*uid = cred.uid;
	*pid = cred.pid;
	return 0;
}

int write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "we")))
		return negative_errno();
	fprintf(f, "%d\n", pid);
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		return negative_errno();
	return 0;
}

pid_t read_pid_file(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	int pid = 0;

	if (!f || fscanf(f, "%d", &pid) != 1)
		return 0;
	return pid;
}
