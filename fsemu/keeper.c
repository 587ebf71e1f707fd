// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "keeper.h"
#include "log.h"

#define MAX_CONNS 16
#define STOP_GRACE 3.0

enum role { ROLE_NEW, ROLE_WORKER, ROLE_WAITING };

struct conn {
	int fd;
	pid_t pid;
	enum role role;
};

/* A seccomp notify fd of a vetted container (fsemu/vet.h), held for the
 * next worker. */
struct held {
	int fd;
	char id[252];
};

struct keeper {
	const struct keeper_conf *conf;
	struct held *held;
	size_t nheld;
	struct conn conns[MAX_CONNS];
	int nconns;
	double stop_deadline;	  /* for the workers a TAKEOVER asked to stop */
	pid_t child;		  /* the worker we execed, until it connects or dies */
	double alone_since;	  /* no worker since then (0: we have one) */
	double spawned[5];	  /* when the last workers were started */
	unsigned nspawned;
	double delay;		  /* back-off */
	double last_check;
	double grace_until; /* the worker that started us has until then to connect */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void finish(struct keeper *k, int status)
{
	/* leave the socket alone if a newer keeper owns it by now */
	if (read_pid_file(k->conf->paths->keeper_pid) == getpid()) {
		(void)unlink(k->conf->paths->sock);
		(void)unlink(k->conf->paths->keeper_pid);
	}
	_exit(status);
}

static int count_role(struct keeper *k, enum role role)
{
	int n = 0;

	for (int i = 0; i < k->nconns; i++)
		n += k->conns[i].role == role;
	return n;
}

static void drop_conn(struct keeper *k, int i)
{
	close(k->conns[i].fd);
	k->conns[i] = k->conns[--k->nconns];
}

static void stop_workers(struct keeper *k)
{
	for (int i = 0; i < k->nconns; i++)
		if (k->conns[i].role == ROLE_WORKER)
			(void)msg_send(k->conns[i].fd, "STOP", -1);
	k->stop_deadline = now_s() + STOP_GRACE;
}

static void accept_conn(struct keeper *k)
{
	int fd = accept4(k->conf->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	uid_t uid;
	pid_t pid;

	if (fd < 0)
		return;
	if (k->nconns == MAX_CONNS || unix_peer(fd, &uid, &pid) < 0 || uid != 0) {
		close(fd);
		return;
	}
	k->conns[k->nconns++] = (struct conn){ fd, pid, ROLE_NEW };
}

static void hold(struct keeper *k, int fd, const char *id)
{
	struct held *h = realloc(k->held, (k->nheld + 1) * sizeof(*h));

	if (!h) {
		close(fd);
		return;
	}
	k->held = h;
	h[k->nheld].fd = fd;
	snprintf(h[k->nheld].id, sizeof(h->id), "%s", id);
	k->nheld++;
}

/* A worker asks for them: "VET:<id>" + fd each, then "VETEND". */
static void hand_held(struct keeper *k, int sock)
{
	char word[256];

	for (size_t i = 0; i < k->nheld; i++) {
		snprintf(word, sizeof(word), "VET:%s", k->held[i].id);
		if (msg_send(sock, word, k->held[i].fd) < 0)
			return;
	}
	(void)msg_send(sock, "VETEND", -1);
}

/* Every process of a filter is gone: its fd hangs up. */
static void drop_hung_up(struct keeper *k)
{
	for (size_t i = 0; i < k->nheld; i++) {
		struct pollfd p = { k->held[i].fd, 0, 0 };

		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
			close(k->held[i].fd);
			k->held[i--] = k->held[--k->nheld];
		}
	}
}

/* Returns 1 if the connection was dropped. */
static int handle_msg(struct keeper *k, int i)
{
	struct conn *c = &k->conns[i];
	char word[256];
	int fd;
	ssize_t n = msg_recv(c->fd, word, sizeof(word), &fd);

	if (n > 0 && fd >= 0 && strncmp(word, "VET:", 4) == 0) {
		hold(k, fd, word + 4);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		if (c->pid == k->child)
			k->child = 0;
		drop_conn(k, i);
		return 1;
	}
	if (strcmp(word, "TAKEOVER") == 0) {
		c->role = ROLE_WAITING;
		if (c->pid == k->child)
			k->child = 0;
		stop_workers(k);
	} else if (strcmp(word, "ADOPT") == 0) {
		c->role = ROLE_WORKER;
		k->grace_until = 0;
	} else if (strcmp(word, "VETFDS") == 0) {
		hand_held(k, c->fd);
	} else if (strcmp(word, "GONE") == 0) {
		log_info("keeper: the FUSE connection ended");
		finish(k, 0);
	} else if (strcmp(word, "QUIT") == 0) {
		log_info("keeper: asked to quit");
		stop_workers(k);
		finish(k, 0);
	}
	return 0;
}

/* Hand the fd to a waiting worker once the old ones are gone. */
static void serve_waiting(struct keeper *k)
{
	if (!count_role(k, ROLE_WAITING))
		return;
	if (count_role(k, ROLE_WORKER)) {
		if (now_s() < k->stop_deadline)
			return;
		for (int i = 0; i < k->nconns; i++)
			if (k->conns[i].role == ROLE_WORKER) {
				log_warning("keeper: worker %d did not stop, killing it", k->conns[i].pid);
				kill(k->conns[i].pid, SIGKILL);
				drop_conn(k, i--);
			}
	}
	for (int i = 0; i < k->nconns; i++)
		if (k->conns[i].role == ROLE_WAITING) {
			if (msg_send(k->conns[i].fd, "FD", k->conf->fuse_fd) < 0) {
				drop_conn(k, i);
				return;
			}
			k->conns[i].role = ROLE_WORKER;
			return;
		}
}

static void spawn_worker(struct keeper *k)
{
	double t = now_s();
	pid_t pid;

	/* restart at once, unless workers keep dying (5 within 10 s): then
	 * back off, up to 10 s between tries */
	double fifth = k->spawned[k->nspawned % ELEMENTSOF(k->spawned)];

	k->delay = k->nspawned >= ELEMENTSOF(k->spawned) && t - fifth < 10 ?
			   (k->delay ? k->delay * 2 : 0.5) : 0;
	if (k->delay > 10)
		k->delay = 10;
	k->spawned[k->nspawned++ % ELEMENTSOF(k->spawned)] = t;
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execv(k->conf->worker_argv[0], k->conf->worker_argv);
		_exit(127);
	}
	if (pid > 0) {
		log_info("keeper: started worker %d", pid);
		k->child = pid;
	}
}

static void reap(struct keeper *k)
{
	pid_t pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		if (pid == k->child)
			k->child = 0;
}

static int connection_ended(int fuse_fd)
{
	struct pollfd p = { fuse_fd, 0, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

static void housekeeping(struct keeper *k)
{
	double t = now_s();

	reap(k);
	if (t - k->last_check >= 1) {
		k->last_check = t;
		drop_hung_up(k);
		if (connection_ended(k->conf->fuse_fd)) {
			log_info("keeper: the FUSE connection ended");
			finish(k, 0);
		}
	}
	serve_waiting(k);
	if (count_role(k, ROLE_WORKER) || count_role(k, ROLE_WAITING) || k->child) {
		k->alone_since = 0;
		return;
	}
	if (!k->alone_since)
		k->alone_since = t;
	if (t >= k->grace_until && t - k->alone_since >= 0.05 + k->delay &&
	    !connection_ended(k->conf->fuse_fd))
		spawn_worker(k);
}

/* Wake often only while something is pending. */
static int poll_timeout(struct keeper *k)
{
	return count_role(k, ROLE_WORKER) && !count_role(k, ROLE_WAITING) ? 1000 : 50;
}

static _Noreturn void keeper_main(const struct keeper_conf *conf)
{
	struct keeper k = { .conf = conf, .last_check = now_s(), .grace_until = now_s() + 5 };
	const cap_value_t bound[] = { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH };

	sigset_t none;

	(void)prctl(PR_SET_NAME, "moatfs-keeper");
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (caps_limit(bound, 2, NULL, 0) < 0)
		log_warning("keeper: cannot drop capabilities");
	(void)write_pid_file(conf->paths->keeper_pid, getpid());
	for (;;) {
		struct pollfd pfd[MAX_CONNS + 1] = { { conf->listen_fd, POLLIN, 0 } };

		for (int i = 0; i < k.nconns; i++)
			pfd[i + 1] = (struct pollfd){ k.conns[i].fd, POLLIN, 0 };
		int nconns = k.nconns;
		if (poll(pfd, (nfds_t)nconns + 1, poll_timeout(&k)) > 0) {
			if (pfd[0].revents & POLLIN)
				accept_conn(&k);
			/* from the end, as handle_msg may drop (swap-remove) entries */
			for (int i = nconns - 1; i >= 0; i--)
				if (pfd[i + 1].revents)
					handle_msg(&k, i);
		}
		housekeeping(&k);
	}
}

/* Close every fd but 0-2 and the two we keep. */
static void close_others(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0u, 0);
}

int keeper_spawn(const struct keeper_conf *conf)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return negative_errno();
	if (pid == 0) {
		(void)setsid();
		if (fork() != 0)
			_exit(0);
		close_others(conf->fuse_fd, conf->listen_fd);
		keeper_main(conf);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
