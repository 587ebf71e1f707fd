// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdbool.h>
#include <sys/stat.h>

#include "error.h"
#include "stdioguard.h"

static bool in_range(uint32_t id, uint32_t start, uint32_t size)
{
	return id >= start && (uint64_t)id < (uint64_t)start + size;
}

int stdio_check(const char *id, uint32_t start, uint32_t size, char **err)
{
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;

		if (fstat(fd, &st) < 0)
			continue;
		if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
			continue; /* pipes and sockets belong to nobody's filesystem */
		if (!in_range(st.st_uid, start, size) && !in_range(st.st_gid, start, size))
			continue; /* the container's root cannot chown it */
		return error_set(err, -EPERM, "stdio fd %d of container %s is a host file owned by "
				 "%u:%u, inside the container's id range %u-%u: runc would give it "
				 "to the container's root; use a pipe", fd, id, st.st_uid,
				 st.st_gid, start, start + size - 1);
	}
	return 0;
}
