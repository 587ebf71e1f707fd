/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * view.h - how a container reaches its rootfs and its bind-mount sources.
 *
 * With idmap = required|optional (moat.conf), each gets an idmapped view
 * (idmap.h) under <view dir>/mnt, so that the container sees the files' real
 * ownership. When idmapping is off, or fails with optional, a plain bind view
 * is made under <view dir>/view instead: the container's root (host uid
 * 100000+) can traverse the 0711 view dir, but not, say, Docker's 0710
 * data-root. If even that cannot be mounted (no CAP_SYS_ADMIN), the original
 * path is used.
 *
 * The view dir is <state_dir>-views/<id>, beside the state dir and not in
 * it: the state dir is a restricted object in the kernel policy, and runc's
 * init, already registered, still walks the path to the rootfs to
 * pivot_root into it.
 */
#ifndef MOAT_RUNTIME_VIEW_H
#define MOAT_RUNTIME_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "idmap.h"

struct view_ctx {
	const struct moat_config *cfg;
	const char *id;
	char *dir; /* the container's state dir */
	struct idmap_range range;
	bool idmapped; /* at least one idmapped view was made */
	char *warning; /* why idmapping was given up (optional mode), once */
};

/* *ret: the path runc must use instead of root. */
int view_rootfs(struct view_ctx *v, const char *root, char **ret, char **err);
/* *ret: the source runc must bind instead of src (canonical). */
int view_bind(struct view_ctx *v, const char *src, unsigned index, bool recursive, char **ret,
	      char **err);
/* <state_dir>-views/<id> (malloc'd), NULL on ENOMEM. */
char *view_dir(const char *state_dir, const char *id);
/* Fail with a message naming the directory unless every directory above
 * <state_dir>-views is searchable by others (the container's root, host uid
 * first_uid and up, must reach its view; runc would fail deep in its rootfs
 * setup with "permission denied"). */
int view_dir_check(const char *state_dir, uint32_t first_uid, char **err);
/* Create it (0711, parents too). */
int view_dir_create(const char *state_dir, const char *id, char **ret);
/* Undo both kinds of view made under dir. */
int view_release(const char *dir);
void view_ctx_free(struct view_ctx *v);

#endif
