// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the uid range allocator (runtime/ranges.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>

#include "config.h"
#include "ranges.h"

#define R MOAT_RANGE_SIZE

static const struct range_pool pool = { 100000, 4 * R };

static uint32_t pick(const struct range_pool *p, const uint32_t *used, size_t n)
{
	uint32_t start = 0;

	assert_int_equal(ranges_pick(p, used, n, &start), 0);
	return start;
}

static void test_first_and_second(void **state)
{
	uint32_t used[] = { 100000 };

	assert_int_equal(pick(&pool, NULL, 0), 100000);
	assert_int_equal(pick(&pool, used, 1), 165536);
}

static void test_lowest_free_first(void **state)
{
	uint32_t used[] = { 231072, 100000 }; /* 165536 was freed */

	assert_int_equal(pick(&pool, used, 2), 165536);
}

static void test_exhaustion(void **state)
{
	uint32_t used[] = { 100000, 165536, 231072, 296608 };
	uint32_t start;

	assert_int_equal(ranges_pick(&pool, used, 4, &start), -ENOSPC);
}

static void test_unaligned_overlap(void **state)
{
	/* a range in use that straddles two slots takes both */
	uint32_t used[] = { 100000 + R / 2 };

	assert_int_equal(pick(&pool, used, 1), 231072);
}

static void test_outside_pool_ignored(void **state)
{
	uint32_t used[] = { 1000, 99999999 };

	assert_int_equal(pick(&pool, used, 2), 100000);
}

static void test_never_host_root(void **state)
{
	struct range_pool zero = { 0, 2 * R };
	struct range_pool one = { 0, R };
	uint32_t start;

	assert_int_equal(pick(&zero, NULL, 0), R);
	assert_int_equal(ranges_pick(&one, NULL, 0, &start), -ENOSPC);
}

static void test_end_of_id_space(void **state)
{
	/* the last range would hold 4294967295, which is no valid id */
	struct range_pool top = { UINT32_MAX - 2 * R + 1, 2 * R };
	uint32_t used[] = { UINT32_MAX - 2 * R + 1 };
	uint32_t start;

	assert_int_equal(ranges_pick(&top, used, 1, &start), -ENOSPC);
}

static void test_twenty_disjoint(void **state)
{
	struct range_pool big = { 100000, 1024 * R };
	uint32_t used[20];

	for (int i = 0; i < 20; i++) {
		used[i] = pick(&big, used, i);
		assert_int_equal(used[i], 100000 + i * R);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_and_second), cmocka_unit_test(test_lowest_free_first),
		cmocka_unit_test(test_exhaustion),	  cmocka_unit_test(test_unaligned_overlap),
		cmocka_unit_test(test_outside_pool_ignored), cmocka_unit_test(test_never_host_root),
		cmocka_unit_test(test_end_of_id_space),	  cmocka_unit_test(test_twenty_disjoint),
	};

	return cmocka_run_group_tests_name("runtime-ranges", tests, NULL, NULL);
}
