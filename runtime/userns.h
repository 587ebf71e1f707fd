/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* userns.h - user namespace file descriptors that carry a given id mapping. */
#ifndef MOAT_USERNS_H
#define MOAT_USERNS_H

#include <stdint.h>

/*
 * Open a new user namespace whose uid_map is "0 uid count" and whose gid_map is
 * "0 gid count", as an O_CLOEXEC fd (what mount_setattr(MOUNT_ATTR_IDMAP)
 * wants).  No process is left in it.  The caller must be root in the initial
 * user namespace.  Returns the fd or a negative errno.
 */
int userns_open(uint32_t uid, uint32_t gid, uint32_t count);

#endif
