// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of moat's per-container state and range claims (runtime/state.c):
 * exclusivity, reclaim of stale records, refusal of a live duplicate. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "fs.h"
#include "proc.h"
#include "state.h"

static char tmp[64], state_dir[128], runc_root[128];
static const struct range_pool pool = { 100000, 4 * MOAT_RANGE_SIZE };
static int released;

static void count_release(const char *dir, struct cstate *s, void *userdata)
{
	char *path = state_path(dir, s->id, NULL);

	released++;
	(void)rm_rf(path);
	free(path);
}

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/moat-unit.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(state_dir, sizeof(state_dir), "%s/state", tmp);
	snprintf(runc_root, sizeof(runc_root), "%s/runc", tmp);
	released = 0;
	return mkdir(runc_root, 0700);
}

static int teardown(void **state)
{
	return rm_rf(tmp);
}

/* A record for id as runc would know it (the runc state dir exists) or not. */
static int claim(const char *id, bool runc_knows, pid_t creator, uint32_t *start)
{
	struct cstate s = { .id = strdup(id), .runc_root = strdup(runc_root),
			    .creator_pid = creator };
	char path[256], *err = NULL;
	int r;

	if (creator > 0)
		(void)proc_start_time(creator, &s.creator_start);
	r = state_claim(state_dir, &pool, &s, count_release, NULL, &err);
	if (r == 0 && runc_knows) {
		snprintf(path, sizeof(path), "%s/%s", runc_root, id);
		mkdir(path, 0700);
	}
	if (start)
		*start = s.uid_start;
	free(err);
	cstate_free(&s);
	return r;
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void test_claims_are_exclusive(void **state)
{
	uint32_t a, b;

	assert_int_equal(claim("a", true, 0, &a), 0);
	assert_int_equal(claim("b", true, 0, &b), 0);
	assert_int_equal(a, 100000);
	assert_int_equal(b, 165536);
	assert_int_equal(released, 0);
}

static void test_record_survives(void **state)
{
	struct cstate s;

	assert_int_equal(claim("a", true, 0, NULL), 0);
	assert_int_equal(state_read(state_dir, "a", &s), 0);
	assert_string_equal(s.id, "a");
	assert_string_equal(s.runc_root, runc_root);
	assert_int_equal(s.uid_start, 100000);
	assert_int_equal(s.uid_size, 65536);
	s.pid = 42;
	s.registered = true;
	assert_int_equal(state_write(state_dir, &s), 0);
	cstate_free(&s);
	assert_int_equal(state_read(state_dir, "a", &s), 0);
	assert_int_equal(s.pid, 42);
	assert_true(s.registered);
	cstate_free(&s);
}

static void test_stale_is_reclaimed(void **state)
{
	uint32_t start;

	/* gone from runc, creator dead: stale */
	assert_int_equal(claim("gone", false, dead_pid(), NULL), 0);
	assert_int_equal(claim("next", true, 0, &start), 0);
	assert_int_equal(start, 100000);
	assert_int_equal(released, 1);
}

static void test_creating_is_live(void **state)
{
	uint32_t start;

	/* runc does not know it yet, but its creator (us) is running */
	assert_int_equal(claim("creating", false, getpid(), NULL), 0);
	assert_int_equal(claim("next", true, 0, &start), 0);
	assert_int_equal(start, 165536);
	assert_int_equal(released, 0);
}

static void test_live_duplicate_refused(void **state)
{
	assert_int_equal(claim("dup", true, 0, NULL), 0);
	assert_int_equal(claim("dup", true, 0, NULL), -EEXIST);
}

static void test_dir_without_record_is_removed(void **state)
{
	char path[256];
	struct stat st;

	assert_int_equal(claim("a", true, 0, NULL), 0);
	snprintf(path, sizeof(path), "%s/containers/half", state_dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(state_reclaim(state_dir, count_release, NULL), 0);
	assert_int_equal(released, 1);
	assert_int_not_equal(stat(path, &st), 0);
}

static void test_exhaustion_and_reuse(void **state)
{
	char *err = NULL;
	struct cstate s = { .id = strdup("e"), .runc_root = strdup(runc_root) };

	for (int i = 0; i < 4; i++) {
		char id[16];

		snprintf(id, sizeof(id), "c%d", i);
		assert_int_equal(claim(id, true, 0, NULL), 0);
	}
	assert_int_equal(state_claim(state_dir, &pool, &s, count_release, NULL, &err), -ENOSPC);
	assert_non_null(strstr(err, "no free uid range for container e"));
	free(err);
	cstate_free(&s);
}

static void test_joined_range_is_shared(void **state)
{
	struct cstate s = { .id = strdup("joiner"), .runc_root = strdup(runc_root),
			    .uid_start = 100000, .uid_size = 65536 };
	char *err = NULL, path[256];
	uint32_t start;

	assert_int_equal(claim("owner", true, 0, NULL), 0);
	assert_int_equal(state_claim(state_dir, &pool, &s, count_release, NULL, &err), 0);
	assert_int_equal(s.uid_start, 100000);
	snprintf(path, sizeof(path), "%s/joiner", runc_root);
	mkdir(path, 0700);
	/* the owner goes: its range stays taken by the joiner */
	snprintf(path, sizeof(path), "%s/owner", runc_root);
	rmdir(path);
	assert_int_equal(claim("later", true, 0, &start), 0);
	assert_int_equal(start, 165536);
	cstate_free(&s);
}

static void test_ids(void **state)
{
	assert_true(state_id_valid("abc-DEF_1.2+3"));
	assert_false(state_id_valid(""));
	assert_false(state_id_valid("."));
	assert_false(state_id_valid(".."));
	assert_false(state_id_valid("a/b"));
	assert_false(state_id_valid("a b"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_claims_are_exclusive), T(test_record_survives),
		T(test_stale_is_reclaimed),   T(test_creating_is_live),
		T(test_live_duplicate_refused), T(test_dir_without_record_is_removed),
		T(test_exhaustion_and_reuse), T(test_joined_range_is_shared),
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests_name("runtime-state", tests, NULL, NULL);
}
