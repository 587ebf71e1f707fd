/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MOAT_RUNTIME_SECCOMP_H
#define MOAT_RUNTIME_SECCOMP_H

#include <json-c/json.h>

/* Add moat's seccomp rules to the spec (see seccomp.c), creating an
 * allow-all profile for a container that has none. */
void seccomp_add_moat_rules(struct json_object *spec);

#endif
