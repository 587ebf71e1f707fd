// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <sys/prctl.h>

#include "caps.h"
#include "macro.h"

static int kept(cap_value_t cap, const cap_value_t *keep, int n)
{
	for (int i = 0; i < n; i++)
		if (keep[i] == cap)
			return 1;
	return 0;
}

static void cap_freep(cap_t *c)
{
	if (*c)
		cap_free(*c);
}

int caps_limit(const cap_value_t *bound, int nbound, const cap_value_t *keep, int nkeep)
{
	_cleanup_(cap_freep) cap_t caps = NULL;

	/* the bounding set first: dropping from it needs CAP_SETPCAP */
	for (cap_value_t cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!kept(cap, bound, nbound) && cap_get_bound(cap) == 1 && cap_drop_bound(cap) < 0)
			return negative_errno();
	caps = cap_init();
	if (!caps)
		return -ENOMEM;
	if (nkeep > 0 && (cap_set_flag(caps, CAP_PERMITTED, nkeep, keep, CAP_SET) < 0 ||
			  cap_set_flag(caps, CAP_EFFECTIVE, nkeep, keep, CAP_SET) < 0))
		return negative_errno();
	if (cap_set_proc(caps) < 0)
		return negative_errno();
	return 0;
}
