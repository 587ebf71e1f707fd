// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "render.h"
#include "sysctl.h"
#include "tree.h"

#define MAX_NODES 128
#define SYSCTL(name) { "proc/sys/" name, NODE_SYSCTL, -1, name }

struct file_spec {
	const char *path;
	enum node_kind kind;
	int renderer;
	const char *sysctl;
};

/* Append only: a file's place here is its inode number's source. */
static const struct file_spec files[] = {
	{ "proc/uptime", NODE_RENDER, RENDER_UPTIME, NULL },
	{ "proc/meminfo", NODE_RENDER, RENDER_MEMINFO, NULL },
	{ "proc/cpuinfo", NODE_RENDER, RENDER_CPUINFO, NULL },
	{ "proc/stat", NODE_RENDER, RENDER_STAT, NULL },
	{ "proc/loadavg", NODE_RENDER, RENDER_LOADAVG, NULL },
	{ "proc/swaps", NODE_RENDER, RENDER_SWAPS, NULL },
	{ "proc/diskstats", NODE_RENDER, RENDER_DISKSTATS, NULL },
	{ "sys/devices/system/cpu/online", NODE_RENDER, RENDER_CPU_ONLINE, NULL },
	{ "proc/sysrq-trigger", NODE_SYSCTL, -1, "sysrq-trigger" },
	SYSCTL("kernel/panic"),
	SYSCTL("kernel/panic_on_oops"),
	SYSCTL("kernel/printk"),
	SYSCTL("kernel/kptr_restrict"),
	SYSCTL("kernel/dmesg_restrict"),
	SYSCTL("kernel/yama/ptrace_scope"),
	SYSCTL("kernel/core_pattern"),
	SYSCTL("vm/overcommit_memory"),
	SYSCTL("fs/file-max"),
	SYSCTL("fs/nr_open"),
	SYSCTL("net/core/somaxconn"),
	SYSCTL("net/netfilter/nf_conntrack_max"),
	SYSCTL("net/unix/max_dgram_qlen"),
};

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

static int add_file(const struct file_spec *f)
{
	uint64_t dir = TREE_ROOT;
	const char *p = f->path, *slash;
	int arg = f->renderer;
	mode_t mode = S_IFREG | 0444;

	if (f->kind == NODE_SYSCTL) {
		if ((arg = sysctl_def_find(f->sysctl)) < 0)
			return arg;
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
	add_node(dir, p, strlen(p), f->kind, arg, mode);
	return 0;
}

int tree_build(void)
{
	int r;

	if (count)
		return 0;
	add_node(0, "", 0, NODE_DIR, -1, S_IFDIR | 0555);
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if ((r = add_file(&files[i])) < 0) {
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
