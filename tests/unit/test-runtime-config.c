// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of moat.conf parsing (lib/config.c, lib/conf-parser.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

/* The parser logs its errors: the tests read them from a log file. */
static char *logged;
static size_t logged_len;

static void capture_log(void)
{
	FILE *f = open_memstream(&logged, &logged_len);

	assert_non_null(f);
	log_setup("moat", LOG_LEVEL_QUIET);
	log_set_file(f, 0);
}

/* What was logged since capture_log(), in *err when r failed. */
static int end_capture(int r, char **err)
{
	FILE *f = log_set_file(NULL, 0);

	fclose(f);
	if (r < 0 && err)
		*err = logged;
	else
		free(logged);
	logged = NULL;
	return r;
}

/* Parse text over the defaults; 0 or the error, *err the message. */
static int parse(struct moat_config *c, const char *text, char **err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	assert_int_equal(config_init(c, "test.conf"), 0);
	capture_log();
	r = config_parse(c, f, "test.conf");
	fclose(f);
	return end_capture(r, err);
}

static int load(struct moat_config *c, const char *path, bool must_exist, char **err)
{
	capture_log();
	return end_capture(config_load(c, path, must_exist), err);
}

static void test_defaults(void **state)
{
	struct moat_config c;
	char *err = NULL;

	assert_int_equal(parse(&c, "", &err), 0);
	assert_string_equal(c.runc, "/usr/sbin/runc");
	assert_string_equal(c.state_dir, "/run/moat");
	assert_string_equal(c.pin_dir, "/sys/fs/bpf/moat");
	assert_int_equal(c.pool_start, 100000);
	assert_int_equal(c.pool_size, 1024 * 65536);
	assert_int_equal(c.kernel_policy, KERNEL_POLICY_REQUIRED);
	assert_int_equal(c.idmap, IDMAP_OPTIONAL);
	assert_false(c.allow_bpf_annotation);
	assert_int_equal(c.fsemu, FSEMU_OPTIONAL);
	assert_string_equal(c.fsemu_mountpoint, "/run/moat-fs");
	assert_string_equal(c.fsemu_state_dir, "/run/moat/fs-state");
	assert_int_equal(c.max_start_mounts, 1024);
	assert_int_equal(c.restricted.n, 10);
	assert_string_equal(c.restricted.v[0], "/var/run/docker.sock");
	assert_int_equal(c.data_roots.n, 1);
	assert_string_equal(c.data_roots.v[0], "/var/lib/docker");
	config_free(&c);
}

static void test_every_key(void **state)
{
	struct moat_config c;
	char *err = NULL;
	const char *text = "# a comment\n"
			   "\n"
			   "runc = /opt/runc\n"
			   "  state_dir=/tmp/state  \n"
			   "uid_pool_start = 200000\n"
			   "uid_pool_size = 131072\n"
			   "restricted_path = /srv/secret\n"
			   "restricted_path = /srv/other\n"
			   "docker_data_root = /data/docker\n"
			   "kernel_policy = optional\n"
			   "idmap = off\n"
			   "pin_dir = /tmp/pin\n"
			   "allow_bpf_annotation = yes\n"
			   "fsemu = required\n"
			   "fsemu_mountpoint = /srv/moat-fs\n"
			   "fsemu_state_dir = /srv/moat-fs-state\n"
			   "max_start_mounts = 64\n";

	assert_int_equal(parse(&c, text, &err), 0);
	assert_int_equal(c.max_start_mounts, 64);
	assert_null(err);
	assert_string_equal(c.runc, "/opt/runc");
	assert_string_equal(c.state_dir, "/tmp/state");
	assert_int_equal(c.pool_start, 200000);
	assert_int_equal(c.pool_size, 131072);
	assert_int_equal(c.restricted.n, 12);
	assert_string_equal(c.restricted.v[10], "/srv/secret");
	assert_string_equal(c.restricted.v[11], "/srv/other");
	assert_int_equal(c.data_roots.n, 1);
	assert_string_equal(c.data_roots.v[0], "/data/docker");
	assert_int_equal(c.kernel_policy, KERNEL_POLICY_OPTIONAL);
	assert_int_equal(c.idmap, IDMAP_OFF);
	assert_string_equal(c.pin_dir, "/tmp/pin");
	assert_true(c.allow_bpf_annotation);
	assert_int_equal(c.fsemu, FSEMU_REQUIRED);
	assert_string_equal(c.fsemu_mountpoint, "/srv/moat-fs");
	assert_string_equal(c.fsemu_state_dir, "/srv/moat-fs-state");
	config_free(&c);
}

/* The error names the file, the line number and the offending value. */
static void expect_error(const char *text, const char *message)
{
	struct moat_config c;
	char *err = NULL;

	assert_int_not_equal(parse(&c, text, &err), 0);
	assert_non_null(err);
	if (!strstr(err, message))
		fail_msg("error `%s` does not contain `%s`", err, message);
	free(err);
	config_free(&c);
}

static void test_unknown_key(void **state)
{
	expect_error("# x\nstate_dir = /a\nfrobnicate = 1\n", "test.conf:3: unknown key `frobnicate`");
}

static void test_bad_values(void **state)
{
	expect_error("kernel_policy = sometimes\n",
		     "test.conf:1: invalid value `sometimes` for kernel_policy");
	expect_error("\nidmap = maybe\n", "test.conf:2: invalid value `maybe` for idmap");
	expect_error("uid_pool_start = 1e5\n", "test.conf:1: invalid value `1e5` for uid_pool_start");
	expect_error("uid_pool_start = -1\n", "invalid value `-1` for uid_pool_start");
	expect_error("uid_pool_size = 99999999999\n", "invalid value `99999999999` for uid_pool_size");
	expect_error("allow_bpf_annotation = perhaps\n", "invalid value `perhaps`");
	expect_error("state_dir = relative/dir\n", "invalid value `relative/dir` for state_dir");
	expect_error("restricted_path = etc\n", "invalid value `etc` for restricted_path");
	expect_error("fsemu = sometimes\n", "test.conf:1: invalid value `sometimes` for fsemu");
	expect_error("fsemu_mountpoint = run/fs\n", "invalid value `run/fs` for fsemu_mountpoint");
	expect_error("fsemu_state_dir = fs\n", "invalid value `fs` for fsemu_state_dir");
	expect_error("max_start_mounts = 0\n", "invalid value `0` for max_start_mounts");
	expect_error("just some words\n", "test.conf:1: expected `key = value`, got `just some words`");
}

/* Containers must reach the FUSE files: not under the state dir, which the
 * kernel policy keeps them out of (unless emulation is off). */
static void test_fsemu_mountpoint(void **state)
{
	struct moat_config c;
	char *err = NULL;

	expect_error("fsemu_mountpoint = /run/moat/fs\n",
		     "fsemu_mountpoint /run/moat/fs must not lie under state_dir /run/moat");
	expect_error("state_dir = /srv/\nfsemu_mountpoint = /srv\n", "must not lie under");
	assert_int_equal(parse(&c, "fsemu_mountpoint = /run/moat-fs/x\n", &err), 0);
	config_free(&c);
	assert_int_equal(parse(&c, "fsemu = off\nfsemu_mountpoint = /run/moat/fs\n", &err), 0);
	assert_int_equal(c.fsemu, FSEMU_OFF);
	config_free(&c);
	assert_null(err);
}

static void test_pool_limits(void **state)
{
	expect_error("uid_pool_start = 0\n", "must not be 0");
	expect_error("uid_pool_size = 1000\n", "uid_pool_size 1000 is not a non-zero multiple of 65536");
	expect_error("uid_pool_size = 0\n", "not a non-zero multiple");
	expect_error("uid_pool_start = 4294967000\nuid_pool_size = 65536\n", "goes past");
}

static void test_last_value_wins(void **state)
{
	struct moat_config c;
	char *err = NULL;

	assert_int_equal(parse(&c, "runc = /a\nrunc = /b\n", &err), 0);
	assert_string_equal(c.runc, "/b");
	config_free(&c);
}

static void test_load_missing(void **state)
{
	struct moat_config c;
	char *err = NULL;

	assert_int_equal(load(&c, "/nonexistent/moat.conf", false, &err), 0);
	assert_false(c.loaded);
	assert_int_equal(c.pool_start, 100000);
	config_free(&c);
	assert_int_not_equal(load(&c, "/nonexistent/moat.conf", true, &err), 0);
	assert_non_null(strstr(err, "cannot read config /nonexistent/moat.conf"));
	free(err);
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),     cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_unknown_key),  cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_pool_limits),  cmocka_unit_test(test_last_value_wins),
		cmocka_unit_test(test_load_missing), cmocka_unit_test(test_fsemu_mountpoint),
	};

	return cmocka_run_group_tests_name("runtime-config", tests, NULL, NULL);
}
