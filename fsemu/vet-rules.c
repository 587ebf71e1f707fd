// SPDX-License-Identifier: LGPL-2.1-or-later
/* vet-rules.c - see vet-rules.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fs-util.h"
#include "policy.h"
#include "vet-rules.h"

const struct vet_mount *vet_table_find(const struct vet_table *t, int mnt_id)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->m[i].mnt_id == mnt_id)
			return &t->m[i];
	return NULL;
}

int vet_table_add(struct vet_table *t, int mnt_id, int parent_id, unsigned major, unsigned minor,
		  bool ro, const char *root, const char *mount_point, const char *fstype)
{
	struct vet_mount *m = realloc(t->m, (t->n + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	t->m = m;
	m = &t->m[t->n];
	*m = (struct vet_mount){ mnt_id, parent_id, major, minor, ro, strdup(root),
				 strdup(mount_point), strdup(fstype) };
	if (!m->root || !m->mount_point || !m->fstype) {
		free(m->root), free(m->mount_point), free(m->fstype);
		return -ENOMEM;
	}
	t->n++;
	return 0;
}

void vet_table_clear(struct vet_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->m[i].root), free(t->m[i].mount_point), free(t->m[i].fstype);
	free(t->m);
	t->m = NULL;
	t->n = 0;
}

static int deny(const char **why, const char *what)
{
	*why = what;
	return -EPERM;
}

int vet_rule_umount(const struct vet_table *start, int mnt_id, const char **why)
{
	if (vet_table_find(start, mnt_id))
		return deny(why, "a mount the container started with");
	return 0;
}

/* target is a start mount that is read-only, or a bind copy of one: same
 * superblock, its root at or below the read-only one's. */
static const struct vet_mount *readonly_origin(const struct vet_table *start,
					       const struct vet_mount *target)
{
	const struct vet_mount *self = vet_table_find(start, target->mnt_id);

	if (self)
		return self->ro ? self : NULL;
	for (size_t i = 0; i < start->n; i++) {
		const struct vet_mount *s = &start->m[i];

		if (s->ro && s->major == target->major && s->minor == target->minor &&
		    path_startswith(target->root, s->root))
			return s;
	}
	return NULL;
}

int vet_rule_remount(const struct vet_table *start, const struct vet_mount *target,
		     unsigned long flags, const char **why)
{
	if (flags & MS_RDONLY)
		return 0;
	if (!readonly_origin(start, target))
		return 0;
	return deny(why, vet_table_find(start, target->mnt_id) ?
			 "read-write remount of a read-only mount the container started with" :
			 "read-write remount of a copy of a read-only mount the container started with");
}

int vet_rule_bind(const struct vet_table *start, const struct vet_mount *source, bool recursive,
		  const char **why)
{
	if (recursive || !source)
		return 0;
	/* a bind of the rootfs uncovers the image's own files: only kernel
	 * filesystems hide something under their start mounts (binds from the
	 * host are locked by the user namespace, runtime/seal.h) */
	if (strcmp(source->fstype, "proc") != 0 && strcmp(source->fstype, "sysfs") != 0)
		return 0;
	for (size_t i = 0; i < start->n; i++)
		if (start->m[i].parent_id == source->mnt_id)
			return deny(why, "a non-recursive bind would uncover what a start mount covers");
	return 0;
}

int vet_rule_move(const struct vet_table *start, int mnt_id, bool is_mount_root, const char **why)
{
	if (is_mount_root && vet_table_find(start, mnt_id))
		return deny(why, "moving a mount the container started with");
	return 0;
}

int vet_rule_overmount(const struct vet_table *start, int mnt_id, bool is_mount_root,
		       const char **why)
{
	const struct vet_mount *m = vet_table_find(start, mnt_id);

	if (!m || !is_mount_root)
		return 0;
	if (moat_mount_protection(m->mount_point, "", m->fstype) & MOAT_MOUNT_NO_OVERMOUNT)
		return deny(why, "mounting over a /proc or /sys mount the container started with");
	return 0;
}
