// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fsemu-files.h"
#include "macro.h"
#include "render.h"
#include "sysctl.h"
#include "tree.h"

#define MAX_NODES 128

static struct node nodes[MAX_NODES + 1]; /* [0] unused: inode 0 is invalid */
static char names[MAX_NODES + 1][64];
static uint64_t count;

static uint64_t add_node(uint64_t parent, const char *name, size_t len, enum node_kind kind,
			 int arg, mode_t mode)
{
	uint64_t ino = ++count;
	struct node *n = &nodes[ino];

	snprintf(names[ino], sizeof(names[ino]), "%.*s", (int)len, name);
	*n = (struct node){ names[ino], parent, kind, arg, mode, 0, 0 };
	if (parent) {
		/* keep children in list order */
		uint64_t *link = &nodes[parent].first_child;

		while (*link)
			link = &nodes[*link].next_sibling;
		*link = ino;
	}
	return ino;
}

static uint64_t child(uint64_t parent, const char *name, size_t len)
{
	for (uint64_t c = nodes[parent].first_child; c; c = nodes[c].next_sibling)
		if (strlen(nodes[c].name) == len && strncmp(nodes[c].name, name, len) == 0)
			return c;
	return 0;
}

static int add_file(const struct moat_fs_file *f)
{
	uint64_t dir = TREE_ROOT;
	const char *p = f->path + 1, *slash;
	enum node_kind kind = f->renderer == RENDER_SYSCTL ? NODE_SYSCTL : NODE_RENDER;
	int arg = f->renderer;
	mode_t mode = S_IFREG | 0444;

	if (kind == NODE_SYSCTL) {
		const char *name = moat_fs_file_sysctl(f);

		if (!name || (arg = sysctl_def_find(name)) < 0)
			return -ENOENT;
		mode = sysctl_def_get((size_t)arg)->kind == SYSCTL_SYSRQ ? S_IFREG | 0200 :
									   S_IFREG | 0644;
	}
	while ((slash = strchr(p, '/'))) {
		uint64_t d = child(dir, p, (size_t)(slash - p));

		if (!d && count >= MAX_NODES)
			return -E2BIG;
		dir = d ? d : add_node(dir, p, (size_t)(slash - p), NODE_DIR, -1, S_IFDIR | 0555);
		p = slash + 1;
	}
	if (count >= MAX_NODES || child(dir, p, strlen(p)))
		return -EINVAL;
	add_node(dir, p, strlen(p), kind, arg, mode);
	return 0;
}

int tree_build(void)
{
	int r;

	if (count)
		return 0;
	add_node(0, "", 0, NODE_DIR, -1, S_IFDIR | 0555);
	/* the list's order gives the inode numbers (lib/fsemu-files.h) */
	for (size_t i = 0; i < moat_fs_files_count; i++)
		if ((r = add_file(&moat_fs_files[i])) < 0) {
			count = 0;
			return r;
		}
	return 0;
}

const struct node *tree_node(uint64_t ino)
{
	return ino >= 1 && ino <= count ? &nodes[ino] : NULL;
}

uint64_t tree_lookup(uint64_t parent, const char *name)
{
	const struct node *p = tree_node(parent);

	return p && p->kind == NODE_DIR ? child(parent, name, strlen(name)) : 0;
}

int tree_path(uint64_t ino, char *buf, size_t size)
{
	const struct node *n = tree_node(ino);
	char tmp[512];

	if (!n)
		return -ENOENT;
	if (ino == TREE_ROOT || n->parent == TREE_ROOT)
		return snprintf(buf, size, "%s", n->name) < (int)size ? 0 : -ENAMETOOLONG;
	if (tree_path(n->parent, tmp, sizeof(tmp)) < 0)
		return -ENAMETOOLONG;
	return snprintf(buf, size, "%s/%s", tmp, n->name) < (int)size ? 0 : -ENAMETOOLONG;
}
