/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MOAT_EVENT_H
#define MOAT_EVENT_H

#include <stddef.h>
#include <linux/types.h>

#include "moat.h"

/* "bpf", "mount-fstype", ... for enum moat_rule. */
const char *moat_rule_name(__u32 rule);
/* One log line saying who was denied what and why. */
int moat_event_format(const struct moat_event *e, char *buf, size_t len);

#endif
