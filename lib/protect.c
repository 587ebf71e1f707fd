// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * protect.c - record a container's start mounts in the "protected_mounts"
 * map (see bpf/protect.bpf.c for what the kernel does with them).
 */
#include <bpf/bpf.h>
#include <linux/types.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "policy-internal.h"
#include "policy.h"

static bool has_option(const char *options, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *o = options; o && *o; o = strchr(o, ',') ? strchr(o, ',') + 1 : NULL)
		if (strncmp(o, opt, n) == 0 && (o[n] == ',' || o[n] == 0))
			return true;
	return false;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

uint32_t moat_mount_protection(const char *mount_point, const char *options, const char *fstype)
{
	uint32_t flags = MOAT_MOUNT_NO_UMOUNT;

	if (has_option(options, "ro"))
		flags |= MOAT_MOUNT_NO_RW;
	/* cgroup mounts stay usable: systemd and Docker-in-Docker mount there */
	if ((under(mount_point, "/proc") || under(mount_point, "/sys")) &&
	    !under(mount_point, "/sys/fs/cgroup") && strncmp(fstype, "cgroup", 6) != 0)
		flags |= MOAT_MOUNT_NO_OVERMOUNT;
	return flags;
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPER" */
static int parse_mountinfo_line(char *line, __u32 *id, __u64 *dev, char **mount_point,
				char **options, char **fstype)
{
	unsigned int major, minor;
	char *save = NULL, *tok, *fields[6];
	int n = 0;

	for (tok = strtok_r(line, " ", &save); tok && n < 6; tok = strtok_r(NULL, " ", &save))
		fields[n++] = tok;
	if (n < 6)
		return -EINVAL;
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	tok = tok ? strtok_r(NULL, " ", &save) : NULL;
	*id = strtoul(fields[0], NULL, 10);
	if (sscanf(fields[2], "%u:%u", &major, &minor) != 2)
		return -EINVAL;
	*dev = ((__u64)major << 20) | minor; /* the kernel's s_dev encoding */
	*mount_point = fields[4];
	*options = fields[5];
	*fstype = tok ? tok : "";
	return 0;
}

/* The inode of the root of mount id, seen from inside pid's root; -ESTALE if
 * the mount point shows another mount (the mount is hidden under another). */
static int mount_root_ino(pid_t pid, const char *mount_point, __u32 id, __u64 *ino)
{
	char path[4200];
	struct statx stx;

	snprintf(path, sizeof(path), "/proc/%d/root%s", pid, mount_point);
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_INO | STATX_MNT_ID,
		  &stx) < 0)
		return negative_errno();
	if (!(stx.stx_mask & STATX_MNT_ID) || stx.stx_mnt_id != id)
		return -ESTALE;
	*ino = stx.stx_ino;
	return 0;
}

int moat_policy_protect_mounts(struct moat_policy *p, uint64_t cgroup_id, pid_t pid)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	char path[64];
	size_t len = 0;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", pid);
	f = fopen(path, "re");
	if (!f)
		return negative_errno();
	while (getline(&line, &len, f) > 0) {
		struct moat_protected_mount pm = { .cgroup_id = cgroup_id };
		char *mount_point, *options, *fstype;
		__u32 id;

		line[strcspn(line, "\n")] = 0;
		if (parse_mountinfo_line(line, &id, &pm.dev, &mount_point, &options, &fstype) < 0)
			continue;
		if (mount_root_ino(pid, mount_point, id, &pm.root_ino) < 0)
			continue; /* hidden under another mount, or gone */
		pm.flags = moat_mount_protection(mount_point, options, fstype);
		if (bpf_map_update_elem(p->protected_mounts_fd, &id, &pm, BPF_ANY) < 0)
			return negative_errno();
	}
	return 0;
}

int moat_policy_forget_mounts(struct moat_policy *p, uint64_t cgroup_id)
{
	return moat_map_forget_cgroup(p->protected_mounts_fd, sizeof(struct moat_protected_mount),
				      cgroup_id);
}
