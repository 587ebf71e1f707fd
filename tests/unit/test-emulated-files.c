// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test-emulated-files.c - moat-fs serves exactly the files moat-runc mounts
 * into a container. Both come from lib/fsemu-files.h's one list; this walks
 * what each side makes of it: moat-fs's tree (fsemu/tree.c) and the mounts
 * and hook arguments emulate_add() (runtime/emulate.c) writes into a spec.
 * A file one side drops or adds, or a writable file mounted read-only, fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "emulate.h"
#include "fsemu-files.h"
#include "spec.h"
#include "tree.h"

#define MOUNTPOINT "/run/test-moat-fs"
#define MAX_FILES 128

/* A file as one side has it: its path in the container, writable or not. */
struct file {
	char path[256];
	int rw;
};

struct files {
	struct file f[MAX_FILES];
	size_t n;
};

static void add(struct files *s, const char *path, int rw)
{
	assert_true(s->n < MAX_FILES);
	snprintf(s->f[s->n].path, sizeof(s->f[s->n].path), "%s", path);
	s->f[s->n].rw = rw;
	s->n++;
}

static const struct file *find(const struct files *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->f[i].path, path))
			return &s->f[i];
	return NULL;
}

/* moat-fs's side: every file of its tree (not the directories). */
static void served_files(struct files *s)
{
	char rel[200], path[256];

	assert_int_equal(tree_build(), 0);
	for (uint64_t ino = TREE_ROOT;; ino++) {
		const struct node *n = tree_node(ino);

		if (!n)
			break;
		if (n->kind == NODE_DIR)
			continue;
		assert_int_equal(tree_path(ino, rel, sizeof(rel)), 0);
		snprintf(path, sizeof(path), "/%s", rel);
		add(s, path, (n->mode & 0222) != 0);
	}
}

/* The container path of a source under MOUNTPOINT, or NULL. */
static const char *below_mountpoint(const char *source)
{
	size_t n = strlen(MOUNTPOINT);

	return source && !strncmp(source, MOUNTPOINT, n) && source[n] == '/' ? source + n : NULL;
}

static void mounted_by_spec(struct files *s, struct json_object *spec)
{
	struct json_object *mounts = spec_member(spec, "mounts");

	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		struct json_object *m = json_object_array_get_idx(mounts, i);
		const char *dest = spec_string(m, "destination");
		const char *from = below_mountpoint(spec_string(m, "source"));

		if (!from)
			continue;
		assert_string_equal(from, dest); /* <mountpoint>/proc/x onto /proc/x */
		add(s, dest, !spec_mount_has_option(m, "ro"));
	}
}

/* The createContainer hook: sh -c SCRIPT sh MOUNT ROOTFS (SOURCE DEST)... */
static void mounted_by_hook(struct files *s, struct json_object *spec)
{
	struct json_object *hooks = spec_member(spec_member(spec, "hooks"), "createContainer");
	struct json_object *args;
	size_t n;

	assert_non_null(hooks);
	assert_int_equal(json_object_array_length(hooks), 1);
	args = spec_member(json_object_array_get_idx(hooks, 0), "args");
	n = json_object_array_length(args);
	assert_true(n >= 6 && (n - 6) % 2 == 0);
	for (size_t i = 6; i < n; i += 2) {
		const char *src = json_object_get_string(json_object_array_get_idx(args, i));
		const char *dest = json_object_get_string(json_object_array_get_idx(args, i + 1));

		assert_non_null(below_mountpoint(src));
		assert_string_equal(below_mountpoint(src), dest);
		add(s, dest, 1); /* a bind by mount(8) keeps moat-fs's rw */
	}
}

/* moat-runc's side: what emulate_add() puts into a fresh spec. */
static void mounted_files(struct files *s)
{
	char rootfs[] = "/tmp/moat-test-emulated.XXXXXX", proc[64];
	struct json_object *spec = json_object_new_object();
	char *err = NULL;

	assert_non_null(mkdtemp(rootfs));
	snprintf(proc, sizeof(proc), "%s/proc", rootfs);
	assert_int_equal(mkdir(proc, 0755), 0);
	spec_set_string(spec_member_object(spec, "root"), "path", rootfs);
	spec_member_array(spec, "mounts");
	assert_int_equal(emulate_add(spec, MOUNTPOINT, &err), 0);
	assert_null(err);
	mounted_by_spec(s, spec);
	mounted_by_hook(s, spec);
	json_object_put(spec);
	rmdir(proc);
	rmdir(rootfs);
}

/* Only on the host's network namespace, which a moat container never shares. */
static int host_netns_only(const char *path)
{
	for (size_t i = 0; i < moat_fs_files_count; i++)
		if (!strcmp(moat_fs_files[i].path, path))
			return (moat_fs_files[i].flags & MOAT_FS_HOST_NETNS_ONLY) != 0;
	fail_msg("%s is served but not in lib/fsemu-files.h", path);
	return 0;
}

static void every_served_file_is_mounted_and_back(void **state)
{
	struct files *served = calloc(1, sizeof(*served)), *mounted = calloc(1, sizeof(*mounted));

	served_files(served);
	mounted_files(mounted);
	assert_int_equal(served->n, moat_fs_files_count);
	for (size_t i = 0; i < served->n; i++) {
		const struct file *m = find(mounted, served->f[i].path);

		if (host_netns_only(served->f[i].path)) {
			if (m)
				fail_msg("%s is mounted, but only the host's netns has it", m->path);
			continue;
		}
		if (!m)
			fail_msg("moat-fs serves %s, moat-runc does not mount it", served->f[i].path);
		if (m->rw != served->f[i].rw)
			fail_msg("%s is %s in moat-fs but mounted %s", m->path,
				 served->f[i].rw ? "writable" : "read-only", m->rw ? "rw" : "ro");
	}
	for (size_t i = 0; i < mounted->n; i++)
		if (!find(served, mounted->f[i].path))
			fail_msg("moat-runc mounts %s, moat-fs does not serve it", mounted->f[i].path);
	free(served);
	free(mounted);
}

/* The sysctls' names are the ones fsemu/sysctl.c knows (tree_build fails
 * otherwise), and rendered files have a renderer. */
static void every_file_has_its_server(void **state)
{
	for (size_t i = 0; i < moat_fs_files_count; i++) {
		const struct moat_fs_file *f = &moat_fs_files[i];

		assert_true(f->path[0] == '/');
		if (f->renderer == RENDER_SYSCTL)
			assert_non_null(moat_fs_file_sysctl(f));
		else
			assert_true(f->renderer >= 0 && f->renderer < RENDER_NR);
		assert_int_equal(f->renderer == RENDER_SYSCTL, (f->flags & MOAT_FS_RW) != 0);
	}
	assert_true(moat_fs_files_count <= MOAT_FS_FILES_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_served_file_is_mounted_and_back),
		cmocka_unit_test(every_file_has_its_server),
	};

	return cmocka_run_group_tests_name("emulated-files", tests, NULL, NULL);
}
