/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seal.h - what the kernel itself keeps for moat in a container's mounts.
 *
 * runc's init creates the container's mount namespace inside the
 * container's user namespace, so the kernel copies the host's mount tree,
 * moat's views included, into it *locked* (mount_namespaces(7)):
 *   - a read-only view stays read-only in the copy and in every bind or
 *     open_tree clone of it (MNT_LOCK_READONLY: remount rw gives EPERM);
 *   - a mount under a view can neither be unmounted nor be left behind by
 *     a non-recursive bind or clone of the view (MNT_LOCKED: EINVAL).
 * So, in the host mount namespace, before runc runs:
 *   - the view of a bind mount with "ro" is made read-only;
 *   - a place the spec covers inside an rbind mount (a later mount's
 *     destination, or a masked path) gets a backstop in the view: an
 *     empty read-only tmpfs over a directory, /dev/null over a file. runc
 *     still mounts what the spec says on top; unmounting that uncovers the
 *     backstop, never the host's files.
 * This holds with the user namespace alone, without the kernel policy, and
 * is race-free. Places reached through a symlink are left to runc.
 */
#ifndef MOAT_RUNTIME_SEAL_H
#define MOAT_RUNTIME_SEAL_H

#include <json-c/json.h>

/* Seal the views under view_dir that the spec's mounts use. */
int seal_views(struct json_object *spec, const char *view_dir, const char *id, char **err);

#endif
