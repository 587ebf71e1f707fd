// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * emulate-hook.c - `moat-runc hook emulate ROOTFS SOURCE DEST [SOURCE DEST]...`,
 * the createContainer hook emulate.h adds for the moat-fs files runc will
 * not mount from config.json (/proc/sys/..., /proc/sysrq-trigger).
 *
 * runc runs it in the container's mount and user namespaces, after the
 * spec's mounts and before pivot_root: ROOTFS/proc is the container's own
 * procfs and SOURCE (under moat-fs's mountpoint) is still visible. Each
 * DEST is resolved inside ROOTFS (RESOLVE_IN_ROOT: a symlink cannot lead
 * out of it) and the bind mount is made on exactly what was resolved
 * (/proc/self/fd/N). A DEST the container's /proc does not have (no Yama,
 * no conntrack) is skipped. One process for all the files, no shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"
#include "macro.h"

static int bind_into(int root, const char *rootfs, const char *source, const char *dest)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, root, dest, &how, sizeof(how));
	char target[64];

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return log_error_errno(errno, "cannot resolve %s in %s: %m", dest, rootfs);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (mount(source, target, NULL, MS_BIND, NULL) < 0)
		return log_error_errno(errno, "cannot bind %s over %s in %s: %m", source, dest, rootfs);
	return 0;
}

int hook_emulate(int argc, char **argv)
{
	_cleanup_close_ int root = -1;
	int r;

	if (argc < 1 || argc % 2 == 0)
		return log_error("usage: moat-runc hook emulate ROOTFS SOURCE DEST [SOURCE DEST]..."), 1;
	if ((root = open(argv[0], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return log_error_errno(errno, "cannot open the rootfs %s: %m", argv[0]), 1;
	for (int i = 1; i + 1 < argc; i += 2)
		if ((r = bind_into(root, argv[0], argv[i], argv[i + 1])) < 0)
			return 1;
	return 0;
}
