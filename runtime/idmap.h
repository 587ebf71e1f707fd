/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap.h - idmapped views of a container's rootfs and bind sources.
 *
 * A container with a user namespace (container ids 0..count-1 = host ids
 * host_uid..) sees root-owned files as nobody.  These calls make views in
 * which a file owned by host id N on disk appears owned by host_uid+N, so the
 * container's root owns what root owns on disk, and what it writes lands on
 * disk owned by 0: the next container, with another range, reads it as its
 * own root's.  Everything is made under a caller-owned work_dir (mode 0711),
 * which also lets the container's root reach the rootfs without traversing
 * Docker's 0710 data-root directories.  The caller must be root.  A range
 * starting at host id 0 (no user namespace) is -EINVAL.
 */
#ifndef MOAT_IDMAP_H
#define MOAT_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mountinfo.h"

struct idmap_range {
	uint32_t host_uid, host_gid, count;
};

/*
 * Make the rootfs root_path visible with real ownership at work_dir/rootfs and
 * return that path in *ret (malloc'd).  A plain directory becomes an idmapped
 * bind; the root of an overlayfs mount (Docker's overlay2 "merged") becomes a
 * new overlay over idmapped views of its layers (work_dir/layers/N), the
 * original overlay staying mounted.
 */
int idmap_prepare_rootfs(const char *root_path, const char *work_dir, const struct idmap_range *r,
			 char **ret);
/* Idmapped view of a bind source (file or directory) at work_dir/binds/<index>; *ret = its path. */
int idmap_prepare_bind(const char *src, const char *work_dir, unsigned index,
		       const struct idmap_range *r, char **ret);
/* Undo everything made under work_dir (lazy unmounts, then the directories). Safe to call twice. */
int idmap_release(const char *work_dir);
/*
 * 1 if idmap_prepare_rootfs/bind can work on path's filesystem (for the root of
 * an overlay mount: on every layer's), 0 if not, <0 on error.  Leaves nothing.
 */
int idmap_supported(const char *path);

/* ---- Parsing internals, exposed for tests/unit/test-idmap.c ---- */

/* /proc/self/mountinfo read whole; each line split in place by
 * lib/mountinfo.h, whose entries point into buf. */
struct mountinfo {
	char *buf;
	struct mountinfo_entry *entries;
	bool *shared;		/* per entry: "shared:N" among its optional fields */
	size_t n;
};

/* Parse a whole mountinfo text (taken over: freed by mountinfo_done).
 * -EINVAL if a line is malformed. */
int mountinfo_parse(char *text, struct mountinfo *ret);
void mountinfo_done(struct mountinfo *mi);
/* Whether e (an entry of mi) is a shared mount. */
bool mountinfo_is_shared(const struct mountinfo *mi, const struct mountinfo_entry *e);
/* The topmost mount at path (the last one listed), or NULL. */
const struct mountinfo_entry *mountinfo_find(const struct mountinfo *mi, const char *path);
const struct mountinfo_entry *mountinfo_find_id(const struct mountinfo *mi, int id);
/* Whether e is a bind of its mount point's own directory onto itself. */
bool mountinfo_is_self_bind(const struct mountinfo_entry *e, const struct mountinfo_entry *parent);

/* An overlay mount's layers, decoded from its mountinfo super options. */
struct ovl_config {
	char **lowers;		/* top first, as in lowerdir= */
	size_t n_lowers;
	char *upper, *work;	/* NULL for a read-only overlay */
	char *features;		/* options that change how layers read, "redirect_dir=on,...", or NULL */
};

/*
 * Split a raw (still octal-escaped) lowerdir= value into decoded paths.  A ':'
 * separates unless escaped for overlayfs ("\:", shown as "\134:") or octal
 * ("\072").  Empty elements ("::", data-only layers) give -EOPNOTSUPP.
 */
int ovl_split_lowerdir(const char *raw, char ***ret, size_t *ret_n);
/*
 * Decode an overlay mount's super options.  Relative layer paths (Docker's
 * "l/XXXX" when the option string is long) are taken relative to base.
 */
int ovl_config_parse(const char *super_options, const char *base, struct ovl_config *ret);
void ovl_config_done(struct ovl_config *c);
/* Escape '\\', ':' and ',' with a backslash, for an overlayfs option value. */
char *ovl_escape(const char *path);

#endif
