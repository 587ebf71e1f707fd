/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stdioguard.h - runc chowns a detached container's stdio (fds 0-2, when they are
 * not /dev/null) to the container's root. Inside the user namespace that only
 * succeeds for files whose owner is mapped into it, i.e. owned by the ids of
 * the container's range: moat refuses such a host file or device as stdio, so
 * a container start never changes the ownership of a host file.
 */
#ifndef MOAT_RUNTIME_STDIOGUARD_H
#define MOAT_RUNTIME_STDIOGUARD_H

#include <stdint.h>

/* Check fds 0-2 against the host id range [start, start + size). */
int stdio_check(const char *id, uint32_t start, uint32_t size, char **err);

#endif
