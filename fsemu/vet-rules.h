/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vet-rules.h - the decisions of the mount vetting (vet.h), on mounts
 * already identified: no system call here, so the unit tests drive them.
 * Each returns 0 (let the kernel do it) or -EPERM, and sets *why.
 */
#ifndef MOAT_FSEMU_VET_RULES_H
#define MOAT_FSEMU_VET_RULES_H

#include <stdbool.h>
#include <stddef.h>

struct vet_mount {
	int mnt_id, parent_id;
	unsigned int major, minor;
	bool ro;
	char *root;        /* within its filesystem */
	char *mount_point; /* as the container sees it */
	char *fstype;
};

struct vet_table {
	struct vet_mount *m;
	size_t n;
};

const struct vet_mount *vet_table_find(const struct vet_table *t, int mnt_id);
int vet_table_add(struct vet_table *t, int mnt_id, int parent_id, unsigned major, unsigned minor,
		  bool ro, const char *root, const char *mount_point, const char *fstype);
void vet_table_clear(struct vet_table *t);

/* umount2 of the mount mnt_id. */
int vet_rule_umount(const struct vet_table *start, int mnt_id, const char **why);
/* A remount of target with mount(2) flags. */
int vet_rule_remount(const struct vet_table *start, const struct vet_mount *target,
		     unsigned long flags, const char **why);
/* A bind (or open_tree clone) of a place in source, recursive or not. */
int vet_rule_bind(const struct vet_table *start, const struct vet_mount *source, bool recursive,
		  const char **why);
/* Moving the mount mnt_id (MS_MOVE, move_mount). */
int vet_rule_move(const struct vet_table *start, int mnt_id, bool is_mount_root, const char **why);
/* Mounting anything onto the root of mount mnt_id. */
int vet_rule_overmount(const struct vet_table *start, int mnt_id, bool is_mount_root,
		       const char **why);

#endif
