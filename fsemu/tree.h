/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tree.h - the fixed tree moat-fs serves. Inode numbers are positions in a
 * table built from an append-only list, so a restarted worker gives every
 * file the inode the kernel already knows (the kernel keeps its dentries
 * and open files across a worker restart).
 */
#ifndef MOAT_FSEMU_TREE_H
#define MOAT_FSEMU_TREE_H

#include <stdint.h>
#include <sys/types.h>

#define TREE_ROOT 1

enum node_kind { NODE_DIR, NODE_RENDER, NODE_SYSCTL };

struct node {
	const char *name; /* last path component; "" for the root */
	uint64_t parent;
	enum node_kind kind;
	int arg; /* enum renderer_id, or the sysctl index */
	mode_t mode;
	uint64_t first_child, next_sibling;
};

/* Build the table (idempotent); -errno if the list is inconsistent. */
int tree_build(void);
/* NULL if ino is not a node. */
const struct node *tree_node(uint64_t ino);
/* 0 if parent has no child name. */
uint64_t tree_lookup(uint64_t parent, const char *name);
/* The node's path below the mountpoint ("proc/meminfo") into buf. */
int tree_path(uint64_t ino, char *buf, size_t size);

#endif
