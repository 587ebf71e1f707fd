// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-fsemu-vet.c - the decisions of moat-fs's mount vetting (vet-rules.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sys/mount.h>

#include "vet-rules.h"

/* A container's start mounts: rootfs, /proc with an emulated file and a
 * mask, /sys, a read-only host bind at /mnt, a writable one at /data. */
static struct vet_table start;

static int setup(void **state)
{
	(void)state;
	vet_table_add(&start, 20, 1, 8, 1, false, "/rootfs", "/", "ext4");
	vet_table_add(&start, 21, 20, 0, 5, false, "/", "/proc", "proc");
	vet_table_add(&start, 22, 21, 0, 40, true, "/proc/uptime", "/proc/uptime", "fuse.moat-fs");
	vet_table_add(&start, 23, 21, 0, 6, true, "/", "/proc/kcore", "tmpfs");
	vet_table_add(&start, 24, 20, 0, 7, true, "/", "/sys", "sysfs");
	vet_table_add(&start, 25, 20, 8, 2, true, "/home/u", "/mnt", "ext4");
	vet_table_add(&start, 26, 20, 8, 2, false, "/srv/data", "/data", "ext4");
	vet_table_add(&start, 27, 24, 0, 8, false, "/", "/sys/fs/cgroup", "cgroup2");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vet_table_clear(&start);
	return 0;
}

static struct vet_mount mount_of(int id, int parent, unsigned maj, unsigned min, bool ro,
				 char *root, char *mp, char *fstype)
{
	return (struct vet_mount){ id, parent, maj, min, ro, root, mp, fstype };
}

static void start_mounts_cannot_be_unmounted(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(vet_rule_umount(&start, 20, &why), -EPERM);
	assert_int_equal(vet_rule_umount(&start, 21, &why), -EPERM);
	assert_int_equal(vet_rule_umount(&start, 22, &why), -EPERM);
	assert_non_null(why);
	assert_int_equal(vet_rule_umount(&start, 99, &why), 0); /* its own tmpfs */
}

static void read_only_start_mounts_stay_read_only(void **state)
{
	struct vet_mount mnt = start.m[5], data = start.m[6];
	struct vet_mount own = mount_of(99, 20, 0, 50, true, "/", "/root/tmpfs", "tmpfs");
	const char *why = NULL;

	(void)state;
	assert_int_equal(vet_rule_remount(&start, &mnt, MS_REMOUNT | MS_BIND, &why), -EPERM);
	assert_int_equal(vet_rule_remount(&start, &mnt, MS_REMOUNT, &why), -EPERM);
	assert_int_equal(vet_rule_remount(&start, &mnt, MS_REMOUNT | MS_BIND | MS_RDONLY, &why), 0);
	assert_int_equal(vet_rule_remount(&start, &data, MS_REMOUNT | MS_BIND, &why), 0);
	assert_int_equal(vet_rule_remount(&start, &own, MS_REMOUNT, &why), 0);
	assert_int_equal(vet_rule_remount(&start, &own, MS_REMOUNT | MS_RDONLY, &why), 0);
}

static void copies_of_read_only_start_mounts_stay_read_only(void **state)
{
	struct vet_mount copy = mount_of(100, 20, 8, 2, true, "/home/u", "/tmp/c", "ext4");
	struct vet_mount below = mount_of(101, 20, 8, 2, true, "/home/u/sub", "/tmp/d", "ext4");
	struct vet_mount beside = mount_of(102, 20, 8, 2, true, "/home/user2", "/tmp/e", "ext4");
	struct vet_mount of_data = mount_of(103, 20, 8, 2, true, "/srv/data", "/tmp/f", "ext4");
	const char *why = NULL;

	(void)state;
	assert_int_equal(vet_rule_remount(&start, &copy, MS_REMOUNT | MS_BIND, &why), -EPERM);
	assert_int_equal(vet_rule_remount(&start, &below, MS_REMOUNT | MS_BIND, &why), -EPERM);
	/* "/home/user2" is not under "/home/u" */
	assert_int_equal(vet_rule_remount(&start, &beside, MS_REMOUNT | MS_BIND, &why), 0);
	assert_int_equal(vet_rule_remount(&start, &of_data, MS_REMOUNT | MS_BIND, &why), 0);
}

static void non_recursive_binds_of_proc_and_sys_are_refused(void **state)
{
	struct vet_mount proc = start.m[1], sys = start.m[4], mnt = start.m[5], root = start.m[0];
	struct vet_mount own_proc = mount_of(104, 20, 0, 60, false, "/", "/tmp/p", "proc");
	const char *why = NULL;

	(void)state;
	assert_int_equal(vet_rule_bind(&start, &proc, false, &why), -EPERM);
	assert_int_equal(vet_rule_bind(&start, &sys, false, &why), -EPERM);
	assert_int_equal(vet_rule_bind(&start, &proc, true, &why), 0);
	assert_int_equal(vet_rule_bind(&start, &root, false, &why), 0); /* the image's own files */
	assert_int_equal(vet_rule_bind(&start, &mnt, false, &why), 0);
	assert_int_equal(vet_rule_bind(&start, &own_proc, false, &why), 0); /* nothing on it */
}

static void start_mounts_cannot_be_moved_or_covered_under_proc_and_sys(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(vet_rule_move(&start, 21, true, &why), -EPERM);
	assert_int_equal(vet_rule_move(&start, 25, true, &why), -EPERM);
	assert_int_equal(vet_rule_move(&start, 99, true, &why), 0);
	assert_int_equal(vet_rule_overmount(&start, 22, true, &why), -EPERM);
	assert_int_equal(vet_rule_overmount(&start, 21, true, &why), -EPERM);
	assert_int_equal(vet_rule_overmount(&start, 21, false, &why), 0);   /* a dir in /proc */
	assert_int_equal(vet_rule_overmount(&start, 27, true, &why), 0);    /* cgroups: DinD */
	assert_int_equal(vet_rule_overmount(&start, 25, true, &why), 0);    /* over /mnt */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(start_mounts_cannot_be_unmounted),
		cmocka_unit_test(read_only_start_mounts_stay_read_only),
		cmocka_unit_test(copies_of_read_only_start_mounts_stay_read_only),
		cmocka_unit_test(non_recursive_binds_of_proc_and_sys_are_refused),
		cmocka_unit_test(start_mounts_cannot_be_moved_or_covered_under_proc_and_sys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
