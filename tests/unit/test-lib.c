// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-lib.c - libmoat's pure functions: denial lines, start-mount flags,
 * the mountinfo parser. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "event.h"
#include "mountinfo.h"
#include "policy.h"

static void event_line_names_rule_pid_comm_object(void **state)
{
	struct moat_event e = { .cgroup_id = 42, .pid = 7, .rule = MOAT_RULE_MOUNT_FSTYPE, .ret = -1 };
	char line[512];

	strcpy(e.comm, "mount");
	strcpy(e.object, "debugfs");
	moat_event_format(&e, line, sizeof(line));
	assert_non_null(strstr(line, "denied rule=mount-fstype pid=7 comm=mount cgroup=42 object=debugfs"));
	assert_non_null(strstr(line, "Operation not permitted"));
	assert_non_null(strstr(line, "mount a filesystem type"));
}

static void event_line_for_bpf_names_the_command(void **state)
{
	struct moat_event e = { .rule = MOAT_RULE_BPF, .detail = 12, .ret = -1 };
	char line[512];

	moat_event_format(&e, line, sizeof(line));
	assert_non_null(strstr(line, "object=bpf command 12"));
}

static void event_line_survives_unterminated_fields(void **state)
{
	struct moat_event e = { .rule = 999, .ret = -13 };
	char line[1024];

	memset(e.comm, 'c', sizeof(e.comm));
	memset(e.object, 'o', sizeof(e.object));
	moat_event_format(&e, line, sizeof(line));
	assert_non_null(strstr(line, "rule=unknown"));
	assert_non_null(strstr(line, "cccccccccccccccc cgroup"));
}

static void rule_names_cover_every_rule(void **state)
{
	for (unsigned r = 1; r < MOAT_RULE_MAX; r++)
		assert_string_not_equal(moat_rule_name(r), "unknown");
	assert_string_equal(moat_rule_name(0), "unknown");
}

static void start_mounts_may_not_be_unmounted(void **state)
{
	assert_int_equal(moat_mount_protection("/mnt", "rw,relatime", "ext4"), MOAT_MOUNT_NO_UMOUNT);
}

static void read_only_start_mounts_stay_read_only(void **state)
{
	assert_int_equal(moat_mount_protection("/mnt", "ro,nosuid", "ext4"),
			 MOAT_MOUNT_NO_UMOUNT | MOAT_MOUNT_NO_RW);
	/* "ro" must be a whole option, not a prefix */
	assert_int_equal(moat_mount_protection("/mnt", "rw,rootcontext=x", "ext4"), MOAT_MOUNT_NO_UMOUNT);
}

static void proc_and_sys_cannot_be_overmounted_but_cgroups_can(void **state)
{
	assert_true(moat_mount_protection("/proc", "rw", "proc") & MOAT_MOUNT_NO_OVERMOUNT);
	assert_true(moat_mount_protection("/proc/uptime", "rw", "fuse") & MOAT_MOUNT_NO_OVERMOUNT);
	assert_true(moat_mount_protection("/sys", "ro", "sysfs") & MOAT_MOUNT_NO_OVERMOUNT);
	assert_false(moat_mount_protection("/sys/fs/cgroup", "ro", "tmpfs") & MOAT_MOUNT_NO_OVERMOUNT);
	assert_false(moat_mount_protection("/sys/fs/cgroup/memory", "ro", "cgroup") & MOAT_MOUNT_NO_OVERMOUNT);
	assert_false(moat_mount_protection("/procfoo", "rw", "tmpfs") & MOAT_MOUNT_NO_OVERMOUNT);
}

/* ---- lib/mountinfo ---- */

static void mountinfo_splits_every_field(void **state)
{
	char line[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n";
	struct mountinfo_entry e;

	assert_int_equal(mountinfo_parse_line(line, &e), 0);
	assert_int_equal(e.mnt_id, 36);
	assert_int_equal(e.parent_id, 35);
	assert_int_equal(e.major, 98);
	assert_int_equal(e.minor, 0);
	assert_int_equal(mountinfo_kdev(&e), (98ULL << 20) | 0);
	assert_string_equal(e.root, "/mnt1");
	assert_string_equal(e.mount_point, "/mnt2");
	assert_string_equal(e.mount_opts, "rw,noatime");
	assert_string_equal(e.fstype, "ext3");
	assert_string_equal(e.source, "/dev/root");
	assert_string_equal(e.super_opts, "rw,errors=continue"); /* newline gone */
}

static void mountinfo_unescapes_paths(void **state)
{
	char line[] = "40 1 0:50 /a\\040b /mnt/with\\040space\\011tab\\012nl\\134bs rw - tmpfs "
		      "my\\040src rw";
	char bad[] = "41 1 0:50 /x\\9y /end\\04 rw - tmpfs t rw";
	struct mountinfo_entry e;

	assert_int_equal(mountinfo_parse_line(line, &e), 0);
	assert_string_equal(e.root, "/a b");
	assert_string_equal(e.mount_point, "/mnt/with space\ttab\nnl\\bs");
	assert_string_equal(e.source, "my src");
	/* not an octal escape: left as it is */
	assert_int_equal(mountinfo_parse_line(bad, &e), 0);
	assert_string_equal(e.root, "/x\\9y");
	assert_string_equal(e.mount_point, "/end\\04");
}

static void mountinfo_skips_optional_fields(void **state)
{
	char none[] = "22 1 0:21 / /proc rw,nosuid - proc proc rw";
	char many[] = "23 1 0:22 / /sys rw shared:7 master:2 propagate_from:3 unbindable - sysfs sysfs ro";
	struct mountinfo_entry e;

	assert_int_equal(mountinfo_parse_line(none, &e), 0);
	assert_string_equal(e.mount_opts, "rw,nosuid");
	assert_string_equal(e.fstype, "proc");
	assert_string_equal(e.super_opts, "rw");
	assert_int_equal(mountinfo_parse_line(many, &e), 0);
	assert_string_equal(e.mount_opts, "rw");
	assert_string_equal(e.fstype, "sysfs");
	assert_string_equal(e.source, "sysfs");
	assert_string_equal(e.super_opts, "ro");
}

/* mount -t tmpfs "" DIR: the kernel shows an empty source ("tmpfs  rw"). */
static void mountinfo_keeps_an_empty_source(void **state)
{
	char line[] = "69 45 0:39 / /tmp/x rw,relatime - tmpfs  rw,size=4k";
	struct mountinfo_entry e;

	assert_int_equal(mountinfo_parse_line(line, &e), 0);
	assert_string_equal(e.fstype, "tmpfs");
	assert_string_equal(e.source, "");
	assert_string_equal(e.super_opts, "rw,size=4k");
}

static void mountinfo_refuses_malformed_lines(void **state)
{
	char no_separator[] = "22 1 0:21 / /proc rw,nosuid proc proc rw";
	char short_line[] = "22 1 0:21 /";
	char bad_dev[] = "22 1 021 / /proc rw - proc proc rw";
	char empty[] = "";
	struct mountinfo_entry e;

	assert_int_equal(mountinfo_parse_line(no_separator, &e), -EINVAL);
	assert_int_equal(mountinfo_parse_line(short_line, &e), -EINVAL);
	assert_int_equal(mountinfo_parse_line(bad_dev, &e), -EINVAL);
	assert_int_equal(mountinfo_parse_line(empty, &e), -EINVAL);
}

static int count_mounts(const struct mountinfo_entry *e, void *userdata)
{
	int *n = userdata;

	(*n)++;
	return strcmp(e->mount_point, "/stop") == 0 ? 42 : 0;
}

static int foreach_text(const char *text, int *n)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	*n = 0;
	r = mountinfo_foreach(f, count_mounts, n);
	fclose(f);
	return r;
}

static void mountinfo_foreach_walks_stops_and_refuses(void **state)
{
	int n;

	assert_int_equal(foreach_text("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
				      "2 1 0:5 / /dev rw shared:2 - devtmpfs udev rw\n", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(foreach_text("1 0 8:1 / /stop rw - ext4 a rw\n2 1 0:5 / /x rw - t t rw\n", &n),
			 42);
	assert_int_equal(n, 1);
	assert_int_equal(foreach_text("1 0 8:1 / / rw - ext4 a rw\ngarbage\n", &n), -EINVAL);
	assert_int_equal(n, 1);
}

/* The live table parses, whatever this machine has mounted. */
static int check_live(const struct mountinfo_entry *e, void *userdata)
{
	assert_true(e->mount_point[0] == '/');
	assert_true(e->fstype[0] != 0);
	return 0;
}

static void mountinfo_reads_the_live_table(void **state)
{
	assert_int_equal(mountinfo_foreach_pid(0, check_live, NULL), 0);
	assert_int_equal(mountinfo_foreach_pid(getpid(), check_live, NULL), 0);
}

static void mountinfo_options_are_whole_words(void **state)
{
	assert_true(mountinfo_has_option("ro", "ro"));
	assert_true(mountinfo_has_option("rw,nosuid,ro", "ro"));
	assert_true(mountinfo_has_option("nosuid,ro,relatime", "ro"));
	assert_false(mountinfo_has_option("rw,rootcontext=x", "ro"));
	assert_false(mountinfo_has_option("", "ro"));
	assert_false(mountinfo_has_option(NULL, "ro"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(event_line_names_rule_pid_comm_object),
		cmocka_unit_test(event_line_for_bpf_names_the_command),
		cmocka_unit_test(event_line_survives_unterminated_fields),
		cmocka_unit_test(rule_names_cover_every_rule),
		cmocka_unit_test(start_mounts_may_not_be_unmounted),
		cmocka_unit_test(read_only_start_mounts_stay_read_only),
		cmocka_unit_test(proc_and_sys_cannot_be_overmounted_but_cgroups_can),
		cmocka_unit_test(mountinfo_splits_every_field),
		cmocka_unit_test(mountinfo_unescapes_paths),
		cmocka_unit_test(mountinfo_skips_optional_fields),
		cmocka_unit_test(mountinfo_keeps_an_empty_source),
		cmocka_unit_test(mountinfo_refuses_malformed_lines),
		cmocka_unit_test(mountinfo_foreach_walks_stops_and_refuses),
		cmocka_unit_test(mountinfo_reads_the_live_table),
		cmocka_unit_test(mountinfo_options_are_whole_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
