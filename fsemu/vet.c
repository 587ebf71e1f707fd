// SPDX-License-Identifier: LGPL-2.1-or-later
/* vet.c - the vetting thread: runc's connections on the vet socket, and
 * the notify fds they bring (see vet.h). */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "handoff.h"
#include "log.h"
#include "macro.h"
#include "vet-internal.h"
#include "vet.h"

#define MAX_FDS 4

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/* An epoll entry: the listener and the stop eventfd have c == NULL. */
struct watch {
	int fd;
	struct vet_container *c;
	struct watch *next;
};

struct vet {
	int listen_fd, stop_fd, resync_fd, epoll_fd;
	atomic_int keeper_fd;
	char state_dir[PATH_MAX];
	bool running;
	pthread_t thread;
	struct vet_container *containers;
	struct watch *watches;
};

static int watch_add(struct vet *v, int fd, struct vet_container *c)
{
	struct watch *w = malloc(sizeof(*w));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	if (!w)
		return -ENOMEM;
	*w = (struct watch){ fd, c, v->watches };
	if (epoll_ctl(v->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(w);
		return negative_errno();
	}
	v->watches = w;
	return 0;
}

static struct vet_container *container_find(struct vet *v, const char *id)
{
	for (struct vet_container *c = v->containers; c; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

static struct vet_container *container_new(struct vet *v, const char *id)
{
	struct vet_container *c = calloc(1, sizeof(*c));

	if (!c || !(c->id = strdup(id))) {
		free(c);
		return NULL;
	}
	c->next = v->containers;
	v->containers = c;
	return c;
}

/* The container of a notify fd. The first fd runc brings comes from its
 * init (init_pid), after every mount runc made: those are its start mounts,
 * saved for a later worker. One the keeper held (init_pid 0) finds them
 * in what was saved. */
static struct vet_container *container_get(struct vet *v, const char *id, pid_t init_pid)
{
	struct vet_container *c = container_find(v, id);
	int r;

	if (c)
		return c;
	if (!(c = container_new(v, id)))
		return NULL;
	if (init_pid > 0) {
		c->init_pid = init_pid;
		if ((r = vet_read_mounts(init_pid, &c->start)) < 0)
			log_warning_errno(r, "container %s: cannot read the mounts of pid %d: %m", id,
					  init_pid);
		else if ((r = vet_store_save(v->state_dir, c)) < 0)
			log_warning_errno(r, "container %s: cannot save its start mounts: %m", id);
	} else if ((r = vet_store_load(v->state_dir, c)) < 0) {
		log_warning_errno(r, "container %s: its start mounts are lost (%m): only the kernel "
				  "protects them now", id);
	}
	log_info("container %s: vetting its mounts (%zu start mounts)", id, c->start.n);
	return c;
}

static void keeper_hold(struct vet *v, int fd, const char *id)
{
	char word[256];
	int k = atomic_load(&v->keeper_fd);

	snprintf(word, sizeof(word), "VET:%s", id);
	if (k >= 0 && msg_send(k, word, fd) < 0)
		log_warning("container %s: the keeper cannot hold its seccomp fd", id);
}

static void container_put(struct vet *v, struct vet_container *c)
{
	if (--c->nfds > 0)
		return;
	for (struct vet_container **p = &v->containers; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	log_debug("container %s: no vetted process left", c->id);
	vet_store_remove(v->state_dir, c->id);
	vet_table_clear(&c->start);
	free(c->id);
	free(c);
}

/* runc's message: the container's state (specs.ContainerProcessState) and
 * its fds (SCM_RIGHTS), "seccompFd" among them. */
static ssize_t recv_state(int sock, char *buf, size_t size, int *fds, int *nfds)
{
	char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
	struct iovec iov = { buf, size - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);

	*nfds = 0;
	if (n < 0)
		return negative_errno();
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			*nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)*nfds);
		}
	buf[n] = 0;
	return n;
}

static int seccomp_fd_of(struct json_object *st, const int *fds, int nfds)
{
	struct json_object *names = NULL;

	if (!json_object_object_get_ex(st, "fds", &names) || !json_object_is_type(names, json_type_array))
		return -1;
	for (int i = 0; i < nfds && i < (int)json_object_array_length(names); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(names, i)) ?: "",
			   "seccompFd") == 0)
			return i;
	return -1;
}

static const char *state_id(struct json_object *st, pid_t *init_pid)
{
	struct json_object *s = NULL, *o = NULL;

	if (!json_object_object_get_ex(st, "state", &s))
		return NULL;
	*init_pid = json_object_object_get_ex(s, "pid", &o) ? json_object_get_int(o) : 0;
	return json_object_object_get_ex(s, "id", &o) ? json_object_get_string(o) : NULL;
}

/* 6.6+: the trapped caller and this thread hand over on one CPU, no IPI.
 * Older kernels refuse the flag and wake as before; which one, said once. */
static void set_sync_wakeup(int fd)
{
	static bool said;
	int r = ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0 ?
			-errno : 0;

	if (said)
		return;
	said = true;
	if (r == 0)
		log_info("seccomp notifications: synchronous wake-ups (6.6+)");
	else
		log_full_errno(LOG_LEVEL_INFO, r, "seccomp notifications: no synchronous wake-ups "
				"on this kernel (6.6+): %m; woken as before");
}

static void accept_one(struct vet *v)
{
	_cleanup_close_ int sock = accept4(v->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	struct timeval tv = { 2, 0 };
	char buf[65536];
	int fds[MAX_FDS], nfds = 0, i = -1, r;
	struct json_object *st = NULL;
	struct vet_container *c;
	const char *id = NULL;
	pid_t init_pid = 0;
	uid_t uid;
	pid_t peer;

	if (sock < 0)
		return;
	(void)setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (unix_peer(sock, &uid, &peer) < 0 || uid != 0)
		return log_warning("vet socket: refused a peer that is not root"), (void)0;
	if (recv_state(sock, buf, sizeof(buf), fds, &nfds) <= 0)
		goto out;
	if (!(st = json_tokener_parse(buf)) || (i = seccomp_fd_of(st, fds, nfds)) < 0 ||
	    !(id = state_id(st, &init_pid)) || init_pid <= 0) {
		log_warning("vet socket: a message from pid %d without a container state and its seccomp fd",
			    peer);
		goto out;
	}
	if (!(c = container_get(v, id, init_pid)))
		goto out;
	set_sync_wakeup(fds[i]);
	if ((r = watch_add(v, fds[i], c)) < 0) {
		log_warning_errno(r, "container %s: cannot watch its seccomp fd: %m", id);
		c->nfds++;
		container_put(v, c);
		goto out;
	}
	c->nfds++;
	keeper_hold(v, fds[i], id);
	fds[i] = -1; /* the watch owns it */
out:
	for (int j = 0; j < nfds; j++)
		if (fds[j] >= 0)
			close(fds[j]);
	json_object_put(st);
}

static void drop_watch(struct vet *v, struct watch *w)
{
	for (struct watch **p = &v->watches; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
	(void)epoll_ctl(v->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	if (w->c)
		container_put(v, w->c);
	free(w);
}

/* A new keeper holds nothing yet. */
static void resync(struct vet *v)
{
	eventfd_t n;

	(void)eventfd_read(v->resync_fd, &n);
	for (struct watch *w = v->watches; w; w = w->next)
		if (w->c)
			keeper_hold(v, w->fd, w->c->id);
}

void vet_set_keeper(struct vet *v, int keeper_fd)
{
	if (!v)
		return;
	atomic_store(&v->keeper_fd, keeper_fd);
	(void)eventfd_write(v->resync_fd, 1);
}

static void *serve(void *userdata)
{
	struct vet *v = userdata;

	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(v->epoll_fd, ev, 16, -1);

		for (int i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;

			if (w->fd == v->stop_fd)
				return NULL;
			if (w->fd == v->resync_fd)
				resync(v);
			else if (w->fd == v->listen_fd)
				accept_one(v);
			else if (ev[i].events & EPOLLIN)
				(void)vet_answer(w->fd, w->c);
			else if (ev[i].events & (EPOLLHUP | EPOLLERR))
				drop_watch(v, w); /* every process of that filter is gone */
		}
	}
}

/* The notify fds the keeper holds, each watched again. */
static int adopt_held(struct vet *v)
{
	int k = atomic_load(&v->keeper_fd), n = 0;

	if (k < 0 || msg_send(k, "VETFDS", -1) < 0)
		return 0;
	for (;;) {
		char word[256];
		struct vet_container *c;
		int fd = -1;

		if (msg_recv(k, word, sizeof(word), &fd) <= 0 || strcmp(word, "VETEND") == 0) {
			if (fd >= 0)
				close(fd);
			return n;
		}
		if (fd < 0 || strncmp(word, "VET:", 4) != 0 || !(c = container_get(v, word + 4, 0)) ||
		    watch_add(v, fd, c) < 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		c->nfds++;
		n++;
	}
}

/* Start mounts saved for containers no fd is left for. */
static void remove_stale_stores(struct vet *v)
{
	DIR *d = opendir(v->state_dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char id[256];
		size_t n = strlen(e->d_name);

		if (strncmp(e->d_name, "vet-", 4) != 0 || n < 9 || n - 9 >= sizeof(id) ||
		    strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(n - 9), e->d_name + 4);
		if (!container_find(v, id))
			vet_store_remove(v->state_dir, id);
	}
	closedir(d);
}

/* fd, watched, or closed on failure. */
static int watch_fd(struct vet *v, int fd)
{
	int r;

	if (fd < 0)
		return fd;
	if ((r = watch_add(v, fd, NULL)) < 0)
		close(fd);
	return r < 0 ? r : fd;
}

static int eventfd_or_errno(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	return fd < 0 ? negative_errno() : fd;
}

int vet_start(const struct vet_config *cfg, struct vet **ret)
{
	_cleanup_free_ struct vet *v = calloc(1, sizeof(*v));
	int r, n;

	if (!v)
		return -ENOMEM;
	atomic_init(&v->keeper_fd, cfg->keeper_fd);
	snprintf(v->state_dir, sizeof(v->state_dir), "%s", cfg->state_dir);
	if ((r = vet_sizes_init()) < 0)
		return log_error_errno(r, "no seccomp user notification here: %m");
	if ((v->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return negative_errno();
	v->listen_fd = v->resync_fd = -1;
	if ((v->stop_fd = watch_fd(v, eventfd_or_errno())) < 0)
		r = v->stop_fd;
	else if ((v->resync_fd = watch_fd(v, eventfd_or_errno())) < 0)
		r = v->resync_fd;
	else if ((v->listen_fd = watch_fd(v, unix_listen_stream(cfg->socket_path))) < 0)
		r = log_error_errno(v->listen_fd, "cannot listen on %s: %m", cfg->socket_path);
	if (r >= 0) {
		if ((n = adopt_held(v)) > 0)
			log_info("took over %d seccomp fds from the keeper", n);
		remove_stale_stores(v);
		r = -pthread_create(&v->thread, NULL, serve, v);
	}
	v->running = r == 0;
	if (r < 0) {
		vet_free(TAKE_PTR(v));
		return r;
	}
	log_info("vetting mounts for containers on %s", cfg->socket_path);
	*ret = TAKE_PTR(v);
	return 0;
}

void vet_free(struct vet *v)
{
	if (!v)
		return;
	if (v->running) {
		(void)eventfd_write(v->stop_fd, 1);
		pthread_join(v->thread, NULL);
	}
	/* the listener and stop_fd are watches too */
	while (v->watches)
		drop_watch(v, v->watches);
	if (v->epoll_fd >= 0)
		close(v->epoll_fd);
	free(v);
}
