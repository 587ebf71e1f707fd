// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-lib.c - libmoat's pure functions: denial lines, start-mount flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "event.h"
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
