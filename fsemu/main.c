// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * moat-fs - one FUSE filesystem per host that emulates /proc and /sys
 * files for every container (see render.h, sysctl.h, lib/fsemu-files.h),
 * and that survives its own restart (keeper.h).
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "caps.h"
#include "cli.h"
#include "config.h"
#include "fsemu.h"
#include "handoff.h"
#include "keeper.h"
#include "log.h"
#include "paths.h"
#include "process-util.h"
#include "vet.h"

#define FUSE_SUPER_MAGIC 0x65735546

struct options {
	const char *mountpoint, *state_dir, *vet_socket, *config;
	int foreground, debug, stop, no_vet;
	unsigned threads;
};

static void usage(FILE *f)
{
	fputs("Usage: moat-fs [OPTIONS]\n"
	      "Emulate /proc and /sys files for containers over FUSE.\n\n"
	      "  -m, --mountpoint DIR  where to mount (moat.conf's fsemu_mountpoint;\n"
	      "                        default " MOAT_FS_MOUNTPOINT ")\n"
	      "  -s, --state-dir DIR   state kept across restarts (moat.conf's\n"
	      "                        fsemu_state_dir; default " MOAT_FS_STATE_DIR ")\n"
	      "  -c, --config PATH     moat.conf (or " MOAT_CONFIG_ENV "; default " MOAT_CONFIG_PATH
	      ",\n"
	      "                        whose absence means the defaults); the flags above win\n"
	      "  -f, --foreground      do not detach\n"
	      "  -t, --threads N       request threads (default 1: the fastest, see fsemu.h)\n"
	      "  -d, --debug           log every request\n"
	      "      --vet-socket PATH where runc hands over containers' seccomp fds for\n"
	      "                        mount vetting (default <DIR>" MOAT_VET_SOCKET_SUFFIX ")\n"
	      "      --no-vet          do not vet mounts (emulation only)\n"
	      "      --stop            unmount DIR and stop every moat-fs process of it\n"
	      "  -h, --help            this help\n\n"
	      "Starting moat-fs on a mountpoint that is already served replaces the\n"
	      "running worker without breaking the mount. A worker that dies (even by\n"
	      "SIGKILL) is restarted by the keeper process; SIGTERM restarts it too.\n"
	      "To stop for good: moat-fs --stop (or unmount DIR).\n",
	      f);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "mountpoint", required_argument, NULL, 'm' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 't' },
		{ "debug", no_argument, NULL, 'd' },
		{ "stop", no_argument, NULL, 'S' },
		{ "vet-socket", required_argument, NULL, 'V' },
		{ "no-vet", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*o = (struct options){ .threads = 1 };
	while ((c = getopt_long(argc, argv, "m:s:c:ft:dh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->mountpoint = optarg; break;
		case 's': o->state_dir = optarg; break;
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = 1; break;
		case 't': o->threads = (unsigned)atoi(optarg); break;
		case 'd': o->debug = 1; break;
		case 'S': o->stop = 1; break;
		case 'V': o->vet_socket = optarg; break;
		case 'N': o->no_vet = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc || o->threads < 1 || o->threads > FSEMU_MAX_THREADS) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* --- mounting --- */

/* A FUSE mount whose server is gone answers ENOTCONN: clear it away. */
static int check_mountpoint(const char *dir)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(dir, &sfs) < 0 || sfs.f_type != FUSE_SUPER_MAGIC)
		return 0;
	if (stat(dir, &st) == 0)
		return log_error_errno(SYNTHETIC_ERRNO(EBUSY), "%s is a FUSE mount served by someone else",
				       dir);
	if (errno == ENOTCONN && umount2(dir, MNT_DETACH) == 0) {
		log_info("cleared the dead mount on %s", dir);
		return 0;
	}
	return log_error_errno(errno, "cannot clear the dead mount on %s: %m", dir);
}

static int mount_fuse(const char *dir)
{
	_cleanup_close_ int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	char opts[128];

	if (fd < 0)
		return log_error_errno(errno, "cannot open /dev/fuse: %m");
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fd);
	if (mount("moat-fs", dir, "fuse.moat-fs", MS_NOSUID | MS_NODEV, opts) < 0)
		return log_error_errno(errno, "cannot mount on %s: %m", dir);
	return TAKE_FD(fd);
}

/* /dev/fuse, checked before detaching so that a daemon that cannot start
 * says why on the caller's stderr.  Missing: the fuse module may just not be
 * loaded, so ask modprobe (which makes the node appear in devtmpfs). */
static int modprobe_fuse(void)
{
	char *argv[] = { "modprobe", "-q", "fuse", NULL };

	return run_quiet(argv) == 0 ? 0 : -ENOPKG;
}

static int check_fuse_device(void)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC), r;

	if (fd < 0 && (errno == ENOENT || errno == ENODEV)) {
		r = modprobe_fuse();
		fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return log_error_errno(errno, "cannot open /dev/fuse: %m (%s)",
					       r < 0 ? "modprobe fuse failed: is the fuse module installed?"
						     : "the fuse module is loaded but there is no device node");
	}
	if (fd < 0)
		return log_error_errno(errno, "cannot open /dev/fuse: %m");
	close(fd);
	return 0;
}

/* --- getting the /dev/fuse fd --- */

static char **worker_argv(const struct options *o, const char *self)
{
	static char threads[16];
	static char *argv[16];
	int n = 0;

	snprintf(threads, sizeof(threads), "%u", o->threads);
	argv[n++] = (char *)self;
	argv[n++] = "--mountpoint";
	argv[n++] = (char *)o->mountpoint;
	argv[n++] = "--state-dir";
	argv[n++] = (char *)o->state_dir;
	argv[n++] = "--threads";
	argv[n++] = threads;
	argv[n++] = "--foreground";
	if (o->debug)
		argv[n++] = "--debug";
	if (o->no_vet) {
		argv[n++] = "--no-vet";
	} else {
		argv[n++] = "--vet-socket";
		argv[n++] = (char *)o->vet_socket;
	}
	argv[n] = NULL;
	return argv;
}

static int start_keeper(const struct fs_paths *p, int fuse_fd, char **argv)
{
	_cleanup_close_ int listen_fd = unix_listen(p->sock);
	struct keeper_conf conf = { fuse_fd, listen_fd, p, argv };
	int sock, r;

	if (listen_fd < 0)
		return log_error_errno(listen_fd, "cannot listen on %s: %m", p->sock);
	if ((r = keeper_spawn(&conf)) < 0)
		return log_error_errno(r, "cannot start the keeper: %m");
	sock = unix_connect(p->sock);
	if (sock < 0 || (r = msg_send(sock, "ADOPT", -1)) < 0)
		return log_error_errno(sock < 0 ? sock : r, "cannot reach the keeper: %m");
	return sock;
}

/* Take the fd from a running keeper: 1 (keeper and fuse_fd set), or 0 if there is none. */
static int take_over(const struct fs_paths *p, int *keeper, int *fuse_fd)
{
	_cleanup_close_ int sock = unix_connect(p->sock);
	char word[16];
	ssize_t n;
	int r;

	if (sock == -ENOENT || sock == -ECONNREFUSED)
		return 0;
	if (sock < 0)
		return log_error_errno(sock, "cannot reach the keeper at %s: %m", p->sock);
	if ((r = msg_send(sock, "TAKEOVER", -1)) < 0)
		return log_error_errno(r, "cannot talk to the keeper: %m");
	n = msg_recv(sock, word, sizeof(word), fuse_fd);
	if (n <= 0 || strcmp(word, "FD") != 0 || *fuse_fd < 0)
		return log_error_errno(SYNTHETIC_ERRNO(EPROTO),
				       "the keeper did not hand over the connection");
	*keeper = TAKE_FD(sock);
	return 1;
}

static int fresh_mount(const struct fs_paths *p, char **argv, int *keeper, int *fuse_fd)
{
	int r;

	if ((r = check_mountpoint(p->mountpoint)) < 0)
		return r;
	/* a new connection: the last one's INIT is void */
	(void)unlink(p->init);
	if ((*fuse_fd = mount_fuse(p->mountpoint)) < 0)
		return *fuse_fd;
	if ((*keeper = start_keeper(p, *fuse_fd, argv)) < 0) {
		(void)umount2(p->mountpoint, MNT_DETACH);
		return *keeper;
	}
	log_info("mounted on %s", p->mountpoint);
	return 0;
}

/* --- serving --- */

static int serve(struct fsemu *fs, struct vet *vet, const struct fs_paths *p, char **argv,
		 int keeper)
{
	sigset_t mask;
	int sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if ((sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0)
		return negative_errno();
	for (;;) {
		struct pollfd pfd[3] = { { keeper, POLLIN, 0 }, { sfd, POLLIN, 0 }, { fs->gone_fd, POLLIN, 0 } };
		char word[256];
		int fd;

		if (poll(pfd, 3, 5000) == 0) {
			fsemu_tick(fs);
			continue;
		}
		if (pfd[2].revents) {
			log_info("the FUSE connection ended");
			(void)msg_send(keeper, "GONE", -1);
			return 0;
		}
		if (pfd[1].revents) {
			log_info("stopping on a signal (the keeper starts a new worker)");
			return 0;
		}
		if (!pfd[0].revents)
			continue;
		if (msg_recv(keeper, word, sizeof(word), &fd) > 0) {
			if (fd >= 0)
				close(fd);
			if (strcmp(word, "STOP") == 0) {
				log_info("another worker takes over");
				return 0;
			}
			continue;
		}
		log_warning("the keeper died, starting another one");
		vet_set_keeper(vet, -1);
		close(keeper);
		if ((keeper = start_keeper(p, fs->primary_fd, argv)) < 0)
			return keeper;
		vet_set_keeper(vet, keeper); /* it holds the seccomp fds too */
	}
}

/* --- main --- */

/* What the flags leave open, from moat.conf. Workers (worker_argv) get
 * every value as a flag and read no file, so that one broken later cannot
 * stop the keeper from restarting them; a file named by --config or
 * MOAT_CONFIG is read (and checked) all the same. */
static int settle_config(struct options *o, struct moat_config *cfg)
{
	bool must_exist;
	const char *path = config_path(o->config, &must_exist);
	int r;

	if (o->mountpoint && o->state_dir && !must_exist)
		return 0;
	r = config_load(cfg, path, must_exist);
	if (r < 0)
		return r;
	if (!o->mountpoint)
		o->mountpoint = cfg->fsemu_mountpoint;
	if (!o->state_dir)
		o->state_dir = cfg->fsemu_state_dir;
	return 0;
}

/* realpath(3), or for a dead mount (whose root answers ENOTCONN) the path
 * made absolute as written. */
static int absolute_path(const char *path, char *buf, size_t size)
{
	char cwd[PATH_MAX];
	size_t len;

	if (realpath(path, buf))
		return 0;
	if (errno != ENOTCONN)
		return negative_errno();
	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return negative_errno();
	if (snprintf(buf, size, "%s%s%s", path[0] == '/' ? "" : cwd, path[0] == '/' ? "" : "/",
		     path) >= (int)size)
		return -ENAMETOOLONG;
	len = strlen(buf);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = 0;
	return 0;
}

static int self_exe(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *deleted;

	if (n < 0)
		return negative_errno();
	buf[n] = 0;
	/* rebuilt under us: run the new binary next time */
	if ((deleted = strstr(buf, " (deleted)")) && deleted[10] == 0)
		*deleted = 0;
	return 0;
}

/* The parent's side of daemonize(): a child that failed logged why to the
 * log from offset on; copy that to the caller's stderr. */
_Noreturn static void await_child(const struct fs_paths *p, int ready, off_t offset)
{
	_cleanup_close_ int fd = -1;
	char c, buf[4096];
	ssize_t n;

	if (read(ready, &c, 1) == 1)
		exit(0);
	if ((fd = open(p->log, O_RDONLY | O_CLOEXEC)) >= 0 && lseek(fd, offset, SEEK_SET) == offset)
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			(void)!write(STDERR_FILENO, buf, (size_t)n);
	log_error("did not start (log: %s)", p->log);
	exit(1);
}

/* Detach; the parent exits when the child says it is serving (or failed). */
static int daemonize(const struct fs_paths *p, int *ready_fd)
{
	struct stat st;
	off_t logged = stat(p->log, &st) == 0 ? st.st_size : 0;
	int pipefd[2], fd;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return negative_errno();
	if ((pid = fork()) < 0)
		return negative_errno();
	if (pid > 0) {
		close(pipefd[1]);
		await_child(p, pipefd[0], logged);
	}
	close(pipefd[0]);
	(void)setsid();
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0)
		dup2(fd, 0), close(fd);
	if ((fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) >= 0)
		dup2(fd, 1), dup2(fd, 2), close(fd);
	*ready_fd = pipefd[1];
	return 0;
}

static int stop_all(const struct fs_paths *p)
{
	int sock;

	if (umount2(p->mountpoint, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		log_warning_errno(errno, "cannot unmount %s: %m", p->mountpoint);
	sock = unix_connect(p->sock);
	if (sock >= 0) {
		(void)msg_send(sock, "QUIT", -1);
		close(sock);
	}
	return 0;
}

static int run(const struct options *o, char **argv, const struct fs_paths *p)
{
	struct fsemu_config cfg = { p->init, p->sysctl, o->threads, o->debug };
	const cap_value_t keep[] = { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH };
	_cleanup_close_ int lock = -1;
	int keeper = -1, fuse_fd = -1, ready = -1, r;
	struct fsemu *fs = NULL;
	struct vet *vet = NULL;

	if ((r = check_fuse_device()) < 0)
		return r;
	if (!o->foreground && (r = daemonize(p, &ready)) < 0)
		return log_error_errno(r, "cannot detach: %m");
	lock = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return log_error_errno(errno, "cannot lock %s: %m", p->lock);
	r = take_over(p, &keeper, &fuse_fd);
	if (r == 0)
		r = fresh_mount(p, argv, &keeper, &fuse_fd);
	else if (r > 0)
		log_info("took over %s", p->mountpoint);
	if (r < 0)
		return r;
	r = fsemu_new(&cfg, fuse_fd, keeper >= 0 && r > 0, &fs);
	if (r < 0)
		goto out;
	if ((r = caps_limit(keep, 2, keep, 2)) < 0) {
		log_error_errno(r, "cannot drop capabilities: %m");
		goto out;
	}
	if ((r = fsemu_start(fs)) < 0)
		goto out;
	/* after the drop: the thread starts with the capabilities kept */
	if (!o->no_vet) {
		struct vet_config vc = { o->vet_socket, p->dir, keeper };

		if ((r = vet_start(&vc, &vet)) < 0)
			goto out;
	}
	(void)write_pid_file(p->pid, getpid());
	close(TAKE_FD(lock));
	if (ready >= 0)
		(void)!write(ready, "", 1), close(ready);
	r = serve(fs, vet, p, argv, keeper);
out:
	vet_free(vet);
	fsemu_free(fs);
	if (read_pid_file(p->pid) == getpid())
		(void)unlink(p->pid);
	return r;
}

/* Block the signalfd's signals in every thread. */
static void block_signals(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int moat_fs(struct options *o)
{
	static char self[PATH_MAX], mountpoint[PATH_MAX], vet_socket[PATH_MAX + 16];
	_cleanup_(config_free) struct moat_config cfg = {};
	struct fs_paths paths;
	int r;

	if (geteuid() != 0)
		return log_error_errno(SYNTHETIC_ERRNO(EPERM), "must run as root");
	if ((r = settle_config(o, &cfg)) < 0)
		return r;
	(void)mkdir(MOAT_RUN_DIR, MOAT_RUN_DIR_MODE);
	if (!o->stop && mkdir(o->mountpoint, 0755) < 0 && errno != EEXIST)
		return log_error_errno(errno, "cannot create %s: %m", o->mountpoint);
	if ((r = absolute_path(o->mountpoint, mountpoint, sizeof(mountpoint))) < 0)
		return log_error_errno(r, "%s: %m", o->mountpoint);
	o->mountpoint = mountpoint;
	if (!o->vet_socket) {
		snprintf(vet_socket, sizeof(vet_socket), "%s" MOAT_VET_SOCKET_SUFFIX, mountpoint);
		o->vet_socket = vet_socket;
	}
	if ((r = fs_paths_init(&paths, o->state_dir, mountpoint)) < 0)
		return log_error_errno(r, "cannot use state directory %s: %m", o->state_dir);
	if (o->stop)
		return stop_all(&paths);
	if ((r = self_exe(self, sizeof(self))) < 0)
		return log_error_errno(r, "cannot find my own binary: %m");
	block_signals();
	return run(o, worker_argv(o, self), &paths);
}

int main(int argc, char **argv)
{
	struct options o;

	if (parse_options(argc, argv, &o) < 0)
		return EXIT_USAGE;
	log_setup("moat-fs", o.debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	return exit_status(moat_fs(&o));
}
