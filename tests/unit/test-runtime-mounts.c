// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the restricted-mount checks (runtime/mounts.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "mounts.h"

static struct mount_rules rules_of(const char *const *restricted, size_t n, const char *data_root)
{
	struct strv r = { 0 }, d = { 0 };
	struct mount_rules rules;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(strv_push(&r, restricted[i]), 0);
	assert_int_equal(strv_push(&d, data_root), 0);
	assert_int_equal(mount_rules_init(&rules, &r, &d), 0);
	strv_free(&r);
	strv_free(&d);
	return rules;
}

static void test_inside_equal_contains(void **state)
{
	const char *list[] = { "/nonexistent-moat/etc/docker", "/nonexistent-moat/run/docker.sock" };
	struct mount_rules r = rules_of(list, 2, "/nonexistent-moat/docker");

	assert_non_null(mounts_restricted_match(&r, "/nonexistent-moat/etc/docker"));
	assert_non_null(mounts_restricted_match(&r, "/nonexistent-moat/etc/docker/daemon.json"));
	assert_non_null(mounts_restricted_match(&r, "/nonexistent-moat/etc"));
	assert_non_null(mounts_restricted_match(&r, "/nonexistent-moat"));
	assert_non_null(mounts_restricted_match(&r, "/"));
	assert_null(mounts_restricted_match(&r, "/nonexistent-moat/etc/dockerfile"));
	assert_null(mounts_restricted_match(&r, "/nonexistent-moat/etc/ssl"));
	assert_null(mounts_restricted_match(&r, "/home"));
	mount_rules_free(&r);
}

static void test_docker_exemptions(void **state)
{
	struct mount_rules r = rules_of(NULL, 0, "/nonexistent-moat/docker");
	const char *d = "/nonexistent-moat/docker";
	char p[256];

#define EXEMPT(rest, yes)                                                                          \
	snprintf(p, sizeof(p), "%s/%s", d, rest);                                                 \
	assert_int_equal(mounts_exempt(&r, p), yes)
	EXEMPT("containers/abc/hostname", 1);
	EXEMPT("containers/abc/hosts", 1);
	EXEMPT("containers/abc/resolv.conf", 1);
	EXEMPT("containers/abc/mounts/shm", 1);
	EXEMPT("volumes/v1/_data", 1);
	EXEMPT("volumes/v1/_data/sub/dir", 1);
	EXEMPT("containers/abc/config.v2.json", 0);
	EXEMPT("containers/abc", 0);
	EXEMPT("containers/abc/mounts", 0);
	EXEMPT("containers/hostname", 0);
	EXEMPT("containers/a/b/hostname", 0);
	EXEMPT("volumes/metadata.db", 0);
	EXEMPT("volumes/v1", 0);
	EXEMPT("volumes/v1/_database", 0);
	EXEMPT("image/overlay2", 0);
	EXEMPT("", 0);
	assert_false(mounts_exempt(&r, "/elsewhere/containers/abc/hostname"));
	mount_rules_free(&r);
}

/* A temp tree: secret/key restricted, with a symlink, "..", a hard link. */
static char tmp[64];

static int setup(void **state)
{
	char path[256];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "/tmp/moat-unit.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(path, sizeof(path), "%s/secret", tmp);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/other", tmp);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/token", tmp);
	f = fopen(path, "w");
	fclose(f);
	snprintf(path, sizeof(path), "%s/secret/key", tmp);
	f = fopen(path, "w");
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	return rm_rf(tmp);
}

static int check(const struct mount_rules *r, const char *bundle, const char *src, char **real)
{
	char *err = NULL;
	int ret = mounts_check_source(r, bundle, src, real, &err);

	if (ret == -EPERM) {
		char expected[512];

		snprintf(expected, sizeof(expected), "can't mount %s because it's configured as a "
			 "restricted host mount", src);
		assert_string_equal(err, expected);
	}
	free(err);
	return ret;
}

static void test_check_source(void **state)
{
	char secret[128], token[128], p[256], q[256], *real = NULL;
	const char *list[] = { secret, token };
	struct mount_rules r;

	snprintf(secret, sizeof(secret), "%s/secret", tmp);
	snprintf(token, sizeof(token), "%s/token", tmp);
	r = rules_of(list, 2, "/var/lib/docker");
	snprintf(p, sizeof(p), "%s/secret/key", tmp);
	assert_int_equal(check(&r, "/", p, &real), -EPERM);
	snprintf(p, sizeof(p), "%s/link", tmp);
	assert_int_equal(symlink(secret, p), 0);
	assert_int_equal(check(&r, "/", p, &real), -EPERM);
	snprintf(p, sizeof(p), "%s/other/../secret", tmp);
	assert_int_equal(check(&r, "/", p, &real), -EPERM);
	assert_int_equal(check(&r, tmp, "secret/key", &real), -EPERM); /* relative to the bundle */
	assert_int_equal(check(&r, "/", tmp, &real), -EPERM); /* contains it */
	snprintf(p, sizeof(p), "%s/other/hardlink", tmp);
	assert_int_equal(link(token, p), 0);
	assert_int_equal(check(&r, "/", p, &real), -EPERM); /* same inode */
	snprintf(q, sizeof(q), "%s/other", tmp);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(check(&r, "/", q, &real), 0);
	assert_string_equal(real, q);
	free(real);
	snprintf(p, sizeof(p), "%s/missing", tmp);
	assert_int_equal(check(&r, "/", p, &real), -ENOENT);
	mount_rules_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inside_equal_contains),
		cmocka_unit_test(test_docker_exemptions),
		cmocka_unit_test_setup_teardown(test_check_source, setup, teardown),
	};

	return cmocka_run_group_tests_name("runtime-mounts", tests, NULL, NULL);
}
