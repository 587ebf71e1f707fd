// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"

void cpuset_add(struct cpuset *set, unsigned cpu)
{
	if (cpu < CPUSET_MAX)
		set->bits[cpu / 64] |= 1ull << (cpu % 64);
}

int cpuset_has(const struct cpuset *set, unsigned cpu)
{
	return cpu < CPUSET_MAX && (set->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned cpuset_count(const struct cpuset *set)
{
	unsigned n = 0;

	for (size_t i = 0; i < ELEMENTSOF(set->bits); i++)
		n += (unsigned)__builtin_popcountll(set->bits[i]);
	return n;
}

void cpuset_and(struct cpuset *set, const struct cpuset *other)
{
	for (size_t i = 0; i < ELEMENTSOF(set->bits); i++)
		set->bits[i] &= other->bits[i];
}

void cpuset_keep_first(struct cpuset *set, unsigned n)
{
	for (unsigned cpu = 0; cpu < CPUSET_MAX; cpu++)
		if (cpuset_has(set, cpu)) {
			if (n)
				n--;
			else
				set->bits[cpu / 64] &= ~(1ull << (cpu % 64));
		}
}

static int parse_cpu(const char **s, unsigned *ret)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)**s))
		return -EINVAL;
	v = strtoul(*s, &end, 10);
	if (v >= CPUSET_MAX)
		return -ERANGE;
	*s = end;
	*ret = (unsigned)v;
	return 0;
}

int cpuset_parse(const char *s, struct cpuset *ret)
{
	*ret = (struct cpuset){ 0 };
	while (*s && !isspace((unsigned char)*s)) {
		unsigned lo, hi;
		int r = parse_cpu(&s, &lo);

		if (r < 0)
			return r;
		hi = lo;
		if (*s == '-') {
			s++;
			if ((r = parse_cpu(&s, &hi)) < 0)
				return r;
			if (hi < lo)
				return -EINVAL;
		}
		for (unsigned c = lo; c <= hi; c++)
			cpuset_add(ret, c);
		if (*s == ',')
			s++;
		else if (*s && !isspace((unsigned char)*s))
			return -EINVAL;
	}
	return 0;
}

int cpuset_format(const struct cpuset *set, struct buf *b)
{
	int first = 1, r = 0;

	for (unsigned cpu = 0; cpu < CPUSET_MAX && r == 0; cpu++) {
		unsigned end = cpu;

		if (!cpuset_has(set, cpu))
			continue;
		while (end + 1 < CPUSET_MAX && cpuset_has(set, end + 1))
			end++;
		r = end == cpu ? buf_printf(b, "%s%u", first ? "" : ",", cpu) :
				 buf_printf(b, "%s%u-%u", first ? "" : ",", cpu, end);
		first = 0;
		cpu = end;
	}
	return r;
}
