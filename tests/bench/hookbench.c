// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * hookbench - time the system calls moat's BPF-LSM hooks sit on, for the
 * calling (unregistered) process. Prints "NAME ns/op" lines.
 *   hookbench DIR ITERATIONS
 */
#include <bpf/bpf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void bench_mount(const char *dir, int n)
{
	double t0 = now_ns();

	for (int i = 0; i < n; i++) {
		if (mount("tmpfs", dir, "tmpfs", 0, NULL) < 0 || umount(dir) < 0) {
			perror("mount/umount");
			exit(1);
		}
	}
	printf("mount+umount %.0f\n", (now_ns() - t0) / n);
}

static void bench_bpf(int n)
{
	double t0 = now_ns();
	__u32 id = 0;

	for (int i = 0; i < n; i++)
		(void)bpf_map_get_next_id(id, &id);
	printf("bpf-get-next-id %.0f\n", (now_ns() - t0) / n);
}

/* open/stat/close of a file three directories deep: file_open and
 * inode_permission run on every one of these for every process */
static void bench_open(const char *dir, int n)
{
	char path[4096];
	struct stat st;
	double t0;
	int fd;

	snprintf(path, sizeof(path), "%s/a/b/c/file", dir);
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) < 0) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
	printf("open+close %.0f\n", (now_ns() - t0) / n);
}

int main(int argc, char **argv)
{
	char path[4096];
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: hookbench DIR ITERATIONS\n");
		return 2;
	}
	n = atoi(argv[2]);
	snprintf(path, sizeof(path), "mkdir -p %s/a/b/c %s/m && touch %s/a/b/c/file", argv[1],
		 argv[1], argv[1]);
	if (system(path) != 0)
		return 1;
	snprintf(path, sizeof(path), "%s/m", argv[1]);
	bench_mount(path, n / 10);
	bench_bpf(n);
	bench_open(argv[1], n);
	return 0;
}
