/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mountinfo.h - the one parser of /proc/PID/mountinfo (proc(5)):
 *
 *   ID PARENT MAJ:MIN ROOT MOUNT_POINT MOUNT_OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTS
 *
 * Paths come unescaped (the kernel writes space, tab, newline and
 * backslash as \040, \011, \012, \134). Mount points are relative to the
 * root of the process whose file is read.
 */
#ifndef MOAT_MOUNTINFO_H
#define MOAT_MOUNTINFO_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct mountinfo_entry {
	int mnt_id, parent_id;
	unsigned int major, minor;
	const char *root;        /* the mount's root within its filesystem */
	const char *mount_point; /* where it is mounted */
	const char *mount_opts;  /* per-mount: "rw,nosuid,relatime" */
	const char *fstype;      /* "ext4", "fuse.moat-fs" */
	const char *source;
	const char *super_opts;  /* per-superblock */
};

/* Split one line (modified in place, trailing newline allowed) into e. */
int mountinfo_parse_line(char *line, struct mountinfo_entry *e);

/* Call cb for every line of f; stops at the first cb returning non-zero
 * and returns that; 0 at the end; -EINVAL for a malformed line. */
typedef int (*mountinfo_cb)(const struct mountinfo_entry *e, void *userdata);
int mountinfo_foreach(FILE *f, mountinfo_cb cb, void *userdata);

/* The same over /proc/<pid>/mountinfo (pid 0: self). -errno if unreadable. */
int mountinfo_foreach_pid(pid_t pid, mountinfo_cb cb, void *userdata);

/* Whether a comma-separated option list holds opt exactly ("ro", not "rootcontext"). */
bool mountinfo_has_option(const char *opts, const char *opt);

/* The kernel's s_dev of an entry (MKDEV as in struct super_block). */
static inline unsigned long long mountinfo_kdev(const struct mountinfo_entry *e)
{
	return ((unsigned long long)e->major << 20) | e->minor;
}

#endif
