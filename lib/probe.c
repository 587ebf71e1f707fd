// SPDX-License-Identifier: LGPL-2.1-or-later
/* probe.c - cached probes of what this machine supports. */
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "macro.h"
#include "policy.h"

#define LSM_LIST "/sys/kernel/security/lsm"

int moat_bpf_lsm_enabled(void)
{
	static int cached = -1;
	_cleanup_fclose_ FILE *f = NULL;
	char buf[512], *tok, *save = NULL;

	if (cached >= 0)
		return cached;
	f = fopen(LSM_LIST, "re");
	if (!f)
		return negative_errno();
	if (!fgets(buf, sizeof(buf), f))
		return -EIO;
	buf[strcspn(buf, "\n")] = 0;
	cached = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "bpf") == 0)
			cached = 1;
	return cached;
}

static int is_cgroup2(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

int moat_cgroup2_root(const char **ret)
{
	static const char *cached;

	if (!cached) {
		if (is_cgroup2("/sys/fs/cgroup/unified"))
			cached = "/sys/fs/cgroup/unified";
		else if (is_cgroup2("/sys/fs/cgroup"))
			cached = "/sys/fs/cgroup";
		else
			return -ENOENT;
	}
	*ret = cached;
	return 0;
}
