// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * procread - open/read-to-EOF/close loop on one file for N seconds, the way
 * top or free read /proc. Prints one line:
 *   <reads> <reads_per_s> <median_ns> <p99_ns> <bytes_of_last_read>
 * Usage: procread FILE SECONDS
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES (1u << 22)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* One open/read/close cycle; returns the bytes read or -1. */
static ssize_t read_once(const char *path, char *buf, size_t size)
{
	ssize_t total = 0, n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, size)) > 0)
		total += n;
	close(fd);
	return n < 0 ? -1 : total;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	uint32_t *lat;
	uint64_t start, end, n = 0;
	ssize_t bytes = 0;
	double seconds;

	if (argc != 3) {
		fprintf(stderr, "usage: procread FILE SECONDS\n");
		return 2;
	}
	seconds = atof(argv[2]);
	lat = calloc(MAX_SAMPLES, sizeof(*lat));
	if (!lat)
		return 1;
	start = now_ns();
	end = start + (uint64_t)(seconds * 1e9);
	for (uint64_t t0 = start, t1; t0 < end; t0 = t1) {
		bytes = read_once(argv[1], buf, sizeof(buf));
		if (bytes < 0) {
			fprintf(stderr, "procread: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		t1 = now_ns();
		lat[n % MAX_SAMPLES] = (uint32_t)(t1 - t0 > UINT32_MAX ? UINT32_MAX : t1 - t0);
		n++;
	}
	size_t m = n < MAX_SAMPLES ? n : MAX_SAMPLES;
	qsort(lat, m, sizeof(*lat), cmp_u32);
	printf("%llu %.0f %u %u %zd\n", (unsigned long long)n, n / ((now_ns() - start) / 1e9),
	       lat[m / 2], lat[m * 99 / 100], bytes);
	free(lat);
	return 0;
}
