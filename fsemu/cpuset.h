/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpuset.h - CPU lists as the kernel prints them ("0-3,8,10-11"). */
#ifndef MOAT_FSEMU_CPUSET_H
#define MOAT_FSEMU_CPUSET_H

#include <stdint.h>

#include "buf.h"

#define CPUSET_MAX 4096

struct cpuset {
	uint64_t bits[CPUSET_MAX / 64];
};

/* Parse a list; trailing blanks are fine. -EINVAL on garbage, -ERANGE past CPUSET_MAX. */
int cpuset_parse(const char *s, struct cpuset *ret);
/* Append the list (no newline). */
int cpuset_format(const struct cpuset *set, struct buf *b);
void cpuset_add(struct cpuset *set, unsigned cpu);
int cpuset_has(const struct cpuset *set, unsigned cpu);
unsigned cpuset_count(const struct cpuset *set);
void cpuset_and(struct cpuset *set, const struct cpuset *other);
/* Keep only the n lowest CPUs. */
void cpuset_keep_first(struct cpuset *set, unsigned n);

#endif
