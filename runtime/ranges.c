// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "config.h"
#include "ranges.h"

/* Mark the slots of the pool that the range starting at u overlaps. */
static void mark_used(const struct range_pool *pool, bool *taken, uint64_t slots, uint64_t u)
{
	uint64_t start = pool->start, end = start + pool->size;
	uint64_t first, last;

	if (u + MOAT_RANGE_SIZE <= start || u >= end)
		return;
	first = u > start ? (u - start) / MOAT_RANGE_SIZE : 0;
	last = (u + MOAT_RANGE_SIZE - 1 - start) / MOAT_RANGE_SIZE;
	for (uint64_t s = first; s <= last && s < slots; s++)
		taken[s] = true;
}

int ranges_pick(const struct range_pool *pool, const uint32_t *used, size_t n_used,
		uint32_t *ret)
{
	uint64_t slots = pool->size / MOAT_RANGE_SIZE;
	bool *taken;
	int r = -ENOSPC;

	if (slots == 0)
		return -ENOSPC;
	taken = calloc(slots, sizeof(*taken));
	if (!taken)
		return -ENOMEM;
	if (pool->start == 0)
		taken[0] = true; /* that range holds host root */
	for (size_t i = 0; i < n_used; i++)
		mark_used(pool, taken, slots, used[i]);
	for (uint64_t s = 0; s < slots; s++) {
		uint64_t first = pool->start + s * MOAT_RANGE_SIZE;

		if (taken[s] || first + MOAT_RANGE_SIZE - 1 > UINT32_MAX - 1)
			continue;
		*ret = (uint32_t)first;
		r = 0;
		break;
	}
	free(taken);
	return r;
}
