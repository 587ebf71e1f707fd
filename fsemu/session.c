// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * session.c - the worker's libfuse session.
 *
 * The worker never reads the connection's first /dev/fuse fd (the one the
 * keeper holds): it reads a clone of it (FUSE_DEV_IOC_CLONE), a device of
 * its own on the same connection. Requests wait in the connection's queue
 * until some device reads them; a request read by a device stays on that
 * device's list until answered, and when the device is closed (the worker
 * died, even by SIGKILL) the kernel fails what is on its list with
 * ECONNABORTED. So a request in flight when the worker dies fails once,
 * nothing hangs, and the connection lives on in the keeper's device.
 *
 * libfuse talks to the clone through its custom I/O hooks so that the
 * worker can keep the connection's FUSE_INIT request in a file, and a
 * later worker can replay it into its fresh session (a libfuse session
 * refuses every request before INIT; the reply to the replay is swallowed:
 * the kernel had its answer long ago).
 */
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "fsemu.h"
#include "log.h"
#include "policy.h"
#include "tree.h"

static __thread int thread_swallow_replies;

/* --- custom I/O --- */

static void save_init(struct fsemu *fs, const void *req, size_t len)
{
	char tmp[4200];
	_cleanup_close_ int fd = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp", fs->cfg.init_file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, req, len) != (ssize_t)len || rename(tmp, fs->cfg.init_file) < 0) {
		log_warning_errno(errno, "cannot keep FUSE_INIT in %s: %m", fs->cfg.init_file);
		return;
	}
	fs->init_saved = 1;
}

static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
	struct fsemu *fs = userdata;
	ssize_t n = read(fd, buf, len);
	const struct fuse_in_header *in = buf;

	if (n < (ssize_t)sizeof(*in))
		return n;
	if (in->opcode == FUSE_INIT && !fs->init_saved)
		save_init(fs, buf, (size_t)n);
	return n;
}

static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	ssize_t total = 0;

	if (thread_swallow_replies) {
		for (int i = 0; i < count; i++)
			total += (ssize_t)iov[i].iov_len;
		return total;
	}
	return writev(fd, iov, count);
}

static const struct fuse_custom_io custom_io = { .read = io_read, .writev = io_writev };

/* --- takeover --- */

static int replay_init(struct fsemu *fs)
{
	_cleanup_(buf_free) struct buf b = { 0 };
	struct fuse_buf fbuf = { 0 };
	int r = read_all_at(AT_FDCWD, fs->cfg.init_file, &b);

	if (r < 0)
		return log_error_errno(r, "cannot take over: no FUSE_INIT in %s: %m",
				       fs->cfg.init_file);
	if (b.len < sizeof(struct fuse_in_header) + 8 ||
	    ((struct fuse_in_header *)b.data)->opcode != FUSE_INIT)
		return log_error_errno(EINVAL, "cannot take over: %s is damaged", fs->cfg.init_file);
	fbuf.mem = b.data;
	fbuf.size = b.len;
	thread_swallow_replies = 1;
	fuse_session_process_buf(fs->se, &fbuf);
	thread_swallow_replies = 0;
	fs->init_saved = 1;
	return 0;
}

/* --- threads --- */

static void wake_main(struct fsemu *fs)
{
	uint64_t one = 1;

	(void)!write(fs->gone_fd, &one, sizeof(one));
}

static void *loop_thread(void *arg)
{
	struct fsemu *fs = arg;
	struct fuse_buf fbuf = { 0 };

	while (!__atomic_load_n(&fs->stopping, __ATOMIC_ACQUIRE)) {
		int r = fuse_session_receive_buf(fs->se, &fbuf);

		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r <= 0) {
			if (r < 0)
				log_error_errno(r, "reading /dev/fuse: %m");
			break;
		}
		fuse_session_process_buf(fs->se, &fbuf);
	}
	free(fbuf.mem);
	if (!__atomic_load_n(&fs->stopping, __ATOMIC_ACQUIRE))
		wake_main(fs); /* the connection ended */
	return NULL;
}

static void on_sigusr1(int sig) { (void)sig; }

int fsemu_start(struct fsemu *fs)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 }; /* no SA_RESTART: read(2) returns EINTR */

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return negative_errno();
	for (; fs->nthreads < fs->cfg.threads; fs->nthreads++) {
		int r = pthread_create(&fs->threads[fs->nthreads], NULL, loop_thread, fs);

		if (r)
			return -r;
	}
	return 0;
}

void fsemu_stop(struct fsemu *fs)
{
	__atomic_store_n(&fs->stopping, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < fs->nthreads; i++) {
		/* a signal sent just before the thread blocks in read(2) is
		 * lost: keep sending until it is out */
		while (pthread_tryjoin_np(fs->threads[i], NULL) != 0) {
			pthread_kill(fs->threads[i], SIGUSR1);
			nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
		}
	}
	fs->nthreads = 0;
}

void fsemu_tick(struct fsemu *fs)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	(void)sysctl_prune(fs->sysctl, caller_key_alive, fs->callers);
	caller_cache_expire(fs->callers, (double)ts.tv_sec - 600);
}

/* --- setup --- */

/* 64 KiB, or twice the host's largest file (cpuinfo of many CPUs). */
static off_t claimed_size(struct fsemu *fs)
{
	static const char *const files[] = { "cpuinfo", "stat", "diskstats", "meminfo" };
	off_t size = 65536;

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_(buf_free) struct buf b = { 0 };

		if (read_all_at(fs->host.proc_fd, files[i], &b) == 0 && (off_t)b.len * 2 > size)
			size = ((off_t)b.len * 2 + 4095) & ~(off_t)4095;
	}
	return size;
}

static int open_host(struct fsemu *fs)
{
	_cleanup_(buf_free) struct buf mountinfo = { 0 };
	const char *v2 = NULL;
	int r;

	fs->host.proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fs->host.sys_fd = open("/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->host.proc_fd < 0 || fs->host.sys_fd < 0)
		return log_error_errno(errno, "cannot open /proc or /sys: %m");
	fs->host.clk_tck = sysconf(_SC_CLK_TCK);
	fs->file_size = claimed_size(fs);
	for (size_t i = 0; i < ELEMENTSOF(fs->shrunk); i++)
		fs->shrunk[i] = 1; /* for all we know, by an earlier worker */
	(void)moat_cgroup2_root(&v2);
	if ((r = read_all_at(fs->host.proc_fd, "self/mountinfo", &mountinfo)) < 0)
		return log_error_errno(r, "cannot read /proc/self/mountinfo: %m");
	if ((r = cg_roots_open(&fs->roots, v2, mountinfo.data)) < 0)
		return log_error_errno(r, "cannot open the cgroup hierarchies: %m");
	return 0;
}

/* A device of our own on the connection of primary_fd. */
static int clone_device(int primary_fd)
{
	_cleanup_close_ int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	uint32_t src = (uint32_t)primary_fd;

	if (fd < 0 || ioctl(fd, FUSE_DEV_IOC_CLONE, &src) < 0)
		return negative_errno();
	return TAKE_FD(fd);
}

static int make_session(struct fsemu *fs)
{
	char *argv[] = { "moat-fs", fs->cfg.debug ? "-d" : NULL, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(fs->cfg.debug ? 2 : 1, argv);
	int r;

	fs->se = fuse_session_new(&args, &fsemu_ops, sizeof(fsemu_ops), fs);
	if (!fs->se)
		return log_error_errno(EINVAL, "cannot create the FUSE session");
	if ((r = fuse_session_custom_io(fs->se, &custom_io, fs->fuse_fd)) < 0)
		return log_error_errno(r, "cannot set up the FUSE session: %m");
	return 0;
}

int fsemu_new(const struct fsemu_config *cfg, int primary_fd, int takeover, struct fsemu **ret)
{
	struct fsemu *fs = calloc(1, sizeof(*fs));
	int r;

	if (!fs)
		return -ENOMEM;
	fs->cfg = *cfg;
	if (fs->cfg.threads < 1 || fs->cfg.threads > FSEMU_MAX_THREADS)
		fs->cfg.threads = 1;
	fs->primary_fd = primary_fd;
	fs->fuse_fd = -1;
	fs->host.proc_fd = fs->host.sys_fd = -1;
	cg_roots_init(&fs->roots);
	clock_gettime(CLOCK_REALTIME, &fs->started);
	handles_init(&fs->handles);
	if (getrandom(&fs->handles.instance, sizeof(fs->handles.instance), 0) < 0)
		fs->handles.instance = (uint32_t)getpid() ^ (uint32_t)fs->started.tv_nsec;
	*ret = fs;
	if ((r = tree_build()) < 0)
		return log_error_errno(r, "bad file list: %m");
	if ((r = open_host(fs)) < 0)
		return r;
	if ((r = caller_cache_new(fs->host.proc_fd, &fs->roots, &fs->callers)) < 0)
		return r;
	if (!(fs->host_cache = host_cache_new()))
		return -ENOMEM;
	if ((r = sysctl_store_new(&sysctl_host_proc, cfg->sysctl_file, &fs->sysctl)) < 0)
		return log_error_errno(r, "cannot load %s: %m", cfg->sysctl_file);
	fs->gone_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fs->gone_fd < 0)
		return negative_errno();
	if ((fs->fuse_fd = clone_device(primary_fd)) < 0)
		return log_error_errno(fs->fuse_fd, "cannot clone the /dev/fuse device: %m");
	if ((r = make_session(fs)) < 0)
		return r;
	if (takeover && (r = replay_init(fs)) < 0)
		return r;
	return 0;
}

void fsemu_free(struct fsemu *fs)
{
	if (!fs)
		return;
	if (fs->nthreads)
		fsemu_stop(fs);
	if (fs->se)
		fuse_session_destroy(fs->se); /* closes fuse_fd */
	else if (fs->fuse_fd >= 0)
		close(fs->fuse_fd);
	if (fs->primary_fd >= 0)
		close(fs->primary_fd);
	sysctl_store_free(fs->sysctl);
	caller_cache_free(fs->callers);
	host_cache_free(fs->host_cache);
	handles_free(&fs->handles);
	cg_roots_close(&fs->roots);
	if (fs->host.proc_fd >= 0)
		close(fs->host.proc_fd);
	if (fs->host.sys_fd >= 0)
		close(fs->host.sys_fd);
	if (fs->gone_fd > 0)
		close(fs->gone_fd);
	free(fs);
}
