/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mounts.h - restricted host mounts. A bind mount is refused when its source,
 * resolved (symlinks, "..", relative to the bundle), is a restricted object,
 * lies inside one, or contains one; or when it is the same inode as an
 * existing restricted object (a hard link or another bind of it).
 *
 * Exempt, because Docker gives them as bind mounts from its data-root
 * (docker_data_root in moat.conf, /var/lib/docker by default):
 *   <data-root>/containers/<id>/{resolv.conf,hostname,hosts,mounts/shm}
 *   <data-root>/volumes/<name>/_data and below (named volumes)
 */
#ifndef MOAT_RUNTIME_MOUNTS_H
#define MOAT_RUNTIME_MOUNTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

struct mount_rules {
	struct strv restricted; /* canonical paths */
	dev_t *dev; /* of each restricted path, when it exists */
	ino_t *ino; /* 0 when it does not */
	struct strv data_roots; /* canonical */
};

/* Canonicalise the paths (see path_canonical) and stat the ones that exist. */
int mount_rules_init(struct mount_rules *r, const struct strv *restricted,
		     const struct strv *data_roots);
void mount_rules_free(struct mount_rules *r);

/* Pure: the restricted path that real is, is inside or contains; or NULL. */
const char *mounts_restricted_match(const struct mount_rules *r, const char *real);
/* Pure: is real one of Docker's per-container files or a named volume? */
bool mounts_exempt(const struct mount_rules *r, const char *real);

/* Check the source of a bind mount, as given in the spec (relative sources
 * are relative to bundle). 0 and *ret_real the resolved source to mount
 * instead; -EPERM and *err ("can't mount SOURCE because it's configured as a
 * restricted host mount"); or another error (e.g. a missing source). */
int mounts_check_source(const struct mount_rules *r, const char *bundle, const char *source,
			char **ret_real, char **err);

#endif
