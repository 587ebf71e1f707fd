/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ranges.h - the uid/gid range allocator. Each container gets an exclusive
 * range of MOAT_RANGE_SIZE host ids (uid and gid alike) from the pool in
 * moat.conf: the lowest range that no live container holds. The caller (a
 * locked scan of moat's state, see state.h) supplies the ranges in use.
 */
#ifndef MOAT_RUNTIME_RANGES_H
#define MOAT_RUNTIME_RANGES_H

#include <stddef.h>
#include <stdint.h>

struct range_pool {
	uint32_t start; /* first host id of the pool */
	uint32_t size; /* number of ids, a multiple of MOAT_RANGE_SIZE */
};

/* The first host id of the lowest free range in *ret. used[] holds the
 * first ids of the ranges in use (any alignment: a range overlapping one
 * in use is not free). -ENOSPC when the pool is exhausted. A range that
 * would hold host id 0 is never returned. */
int ranges_pick(const struct range_pool *pool, const uint32_t *used, size_t n_used,
		uint32_t *ret);

#endif
