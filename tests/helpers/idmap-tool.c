// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * idmap-tool - drive runtime/idmap.c from the bats suites.
 *
 *   idmap-tool rootfs ROOT WORK_DIR UID GID COUNT        prints the view's path
 *   idmap-tool bind SRC WORK_DIR INDEX UID GID COUNT     prints the view's path
 *   idmap-tool release WORK_DIR
 *   idmap-tool supported PATH                            prints 1 or 0
 *   idmap-tool bench ROOT WORK_DIR UID GID COUNT N       N prepare+release rounds,
 *                                                        a new range (user namespace) each,
 *                                                        as N container starts
 *
 * Errors go to stderr as "idmap-tool: ...", exit status 1.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "idmap.h"
#include "log.h"

static int parse_u32(const char *s, uint32_t *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > UINT32_MAX)
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "not a number: '%s'", s);
	*ret = (uint32_t)v;
	return 0;
}

static int parse_range(char **argv, struct idmap_range *r)
{
	if (parse_u32(argv[0], &r->host_uid) < 0 || parse_u32(argv[1], &r->host_gid) < 0 ||
	    parse_u32(argv[2], &r->count) < 0)
		return -EINVAL;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmd_rootfs(char **argv)
{
	struct idmap_range range;
	_cleanup_free_ char *path = NULL;
	int r;

	if (parse_range(argv + 2, &range) < 0)
		return -EINVAL;
	r = idmap_prepare_rootfs(argv[0], argv[1], &range, &path);
	if (r < 0)
		return log_error_errno(r, "idmapped rootfs of '%s' in '%s': %m", argv[0], argv[1]);
	puts(path);
	return 0;
}

static int cmd_bind(char **argv)
{
	struct idmap_range range;
	_cleanup_free_ char *path = NULL;
	uint32_t index;
	int r;

	if (parse_u32(argv[2], &index) < 0 || parse_range(argv + 3, &range) < 0)
		return -EINVAL;
	r = idmap_prepare_bind(argv[0], argv[1], index, &range, &path);
	if (r < 0)
		return log_error_errno(r, "idmapped bind of '%s' in '%s': %m", argv[0], argv[1]);
	puts(path);
	return 0;
}

static int cmd_release(char **argv)
{
	int r = idmap_release(argv[0]);

	return r < 0 ? log_error_errno(r, "release of '%s': %m", argv[0]) : 0;
}

static int cmd_supported(char **argv)
{
	int r = idmap_supported(argv[0]);

	if (r < 0)
		return log_error_errno(r, "probe of '%s': %m", argv[0]);
	printf("%d\n", r);
	return 0;
}

static int cmd_bench(char **argv)
{
	struct idmap_range range;
	double prepare = 0, release = 0, t;
	uint32_t n;
	int r;

	if (parse_range(argv + 2, &range) < 0 || parse_u32(argv[5], &n) < 0 || n == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		struct idmap_range ri = { range.host_uid + i * range.count,
					  range.host_gid + i * range.count, range.count };
		_cleanup_free_ char *path = NULL;

		t = now_ms();
		r = idmap_prepare_rootfs(argv[0], argv[1], &ri, &path);
		prepare += now_ms() - t;
		if (r < 0)
			return log_error_errno(r, "idmapped rootfs of '%s': %m", argv[0]);
		t = now_ms();
		r = idmap_release(argv[1]);
		release += now_ms() - t;
		if (r < 0)
			return log_error_errno(r, "release of '%s': %m", argv[1]);
	}
	printf("prepare_rootfs %.3f ms, release %.3f ms (mean of %" PRIu32 ")\n", prepare / n,
	       release / n, n);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int argc;
		int (*fn)(char **argv);
	} cmds[] = {
		{ "rootfs", 5, cmd_rootfs }, { "bind", 6, cmd_bind },	      { "release", 1, cmd_release },
		{ "supported", 1, cmd_supported }, { "bench", 6, cmd_bench },
	};

	log_setup("idmap-tool", LOG_LEVEL_INFO);
	for (size_t i = 0; argc > 1 && i < ELEMENTSOF(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0) {
			if (argc - 2 != cmds[i].argc)
				break;
			return cmds[i].fn(argv + 2) < 0 ? 1 : 0;
		}
	fprintf(stderr, "usage: idmap-tool rootfs|bind|release|supported|bench ARGS... (see source)\n");
	return 2;
}
