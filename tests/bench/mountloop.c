// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mountloop - mount a tmpfs and unmount it N times (tests/bench/vet.sh).
 *   mountloop N DIR   prints "ns_per_pair=<median of 5 batches>"
 * Static: it runs inside a busybox rootfs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long n = argc == 3 ? atol(argv[1]) : 0;
	long long batch[5];

	if (n <= 0) {
		fprintf(stderr, "usage: mountloop N DIR\n");
		return 2;
	}
	for (int b = 0; b < 5; b++) {
		long long t0 = now_ns();

		for (long i = 0; i < n; i++) {
			if (mount("tmpfs", argv[2], "tmpfs", 0, "size=64k") < 0 || umount2(argv[2], 0) < 0) {
				perror("mountloop");
				return 1;
			}
		}
		batch[b] = (now_ns() - t0) / n;
	}
	qsort(batch, 5, sizeof(*batch), cmp);
	printf("ns_per_pair=%lld\n", batch[2]);
	return 0;
}
