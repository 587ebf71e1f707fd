/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap-internal.h - what the parts of idmap.c share (not part of idmap.h's
 * API): the mount API's constants, cleanup helpers, and the helpers each
 * part uses from another.
 */
#ifndef MOAT_RUNTIME_IDMAP_INTERNAL_H
#define MOAT_RUNTIME_IDMAP_INTERNAL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/types.h>

#include "idmap.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
struct mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#endif

/* Our overlay's workdir, created next to the original upper (see ovl_mount_layers). */
#define OVL_WORKDIR ".moat-work"
#define MOUNTER_STACK (64 * 1024)

static inline void mountinfo_donep(struct mountinfo *mi) { mountinfo_done(mi); }
static inline void ovl_config_donep(struct ovl_config *c) { ovl_config_done(c); }

/* ---- idmap-mountinfo.c ---- */

/* The value of the octal escape \NNN at s (\000..\377), or -1. */
int octal_at(const char *s);
int mountinfo_read(struct mountinfo *ret);

/* ---- idmap.c ---- */

int mkdir_ok(const char *path, mode_t mode);
int idmap_mount(const char *src, const char *target, int userns_fd, bool rdonly);
/* 1 if path's filesystem takes an idmap, 0 if not; the detached copy goes with its fd. */
int idmap_probe(const char *path, int userns_fd);

/* ---- idmap-overlay.c ---- */

bool is_overlay_root(const struct mountinfo_entry *e);
int prepare_overlay(const struct mountinfo_entry *e, const char *root, const char *dir,
		    const char *target, const struct idmap_range *range, int userns_fd);
int probe_overlay(const struct mountinfo_entry *e, const char *root, int userns_fd);

/* ---- idmap-release.c ---- */

/* After a failed prepare: undo its part, and the private bind if nothing else is below it. */
void undo_prepare(const char *dir, const char *bind_target);

#endif
