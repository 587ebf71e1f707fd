// SPDX-License-Identifier: LGPL-2.1-or-later
#include <inttypes.h>
#include <string.h>

#include "fs.h"
#include "macro.h"
#include "proc.h"

int proc_start_time(pid_t pid, uint64_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	char path[64], *p;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = read_file(path, &buf, NULL);
	if (r < 0)
		return r;
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p)
		return -EIO;
	/* after ") ": state is field 3, starttime field 22 */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %" SCNu64, ret) != 1)
		return -EIO;
	return 0;
}

bool proc_alive(pid_t pid, uint64_t start_time)
{
	uint64_t now;

	return pid > 0 && proc_start_time(pid, &now) == 0 && now == start_time;
}

int proc_cgroup2_path(pid_t pid, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	char path[64], *line, *save = NULL;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	r = read_file(path, &buf, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		*ret = strdup(line + 3);
		return *ret ? 0 : -ENOMEM;
	}
	return -ENOENT;
}
