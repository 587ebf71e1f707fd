/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MOAT_LOADER_ATTACH_H
#define MOAT_LOADER_ATTACH_H

#include <stdbool.h>

/* Load, attach and pin the policy under pin_dir, or adopt the pins a previous
 * moat-loader left (no second attachment, no window without enforcement).
 * upgrade: swap the programs behind existing links for this build's.
 * On success *events_fd is the pinned ring buffer. */
int policy_start(const char *pin_dir, bool upgrade, int *events_fd, bool *adopted);
/* Remove every pin under pin_dir and wait until the programs are detached
 * (-EBUSY if another process still holds their links after 10 s). */
int policy_stop(const char *pin_dir);

#endif
