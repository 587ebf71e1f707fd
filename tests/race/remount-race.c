// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * remount-race - the remount race against mount vetting (fsemu/vet.h).
 *
 *   remount-race TRIES PROTECTED DECOY
 *
 * A thread flips a path buffer between DECOY (a mount of the container's
 * own, which the vetting lets it remount read-write) and PROTECTED (a
 * read-only start mount); the main thread calls
 * mount(NULL, buffer, NULL, MS_REMOUNT|MS_BIND, NULL) TRIES times, hoping
 * the vetting reads DECOY and the kernel then acts on PROTECTED. After each
 * call it looks whether PROTECTED became writable (statvfs), and if so
 * puts it back read-only and counts it. Prints
 *   tries=N remounted=N writable=N
 * and exits 0; a static binary for a busybox rootfs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

static char target[4096];
static const char *protected_path, *decoy;
static atomic_int stop;

static void *flipper(void *arg)
{
	size_t np = strlen(protected_path), nd = strlen(decoy);

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		memcpy(target, decoy, nd + 1);
		for (volatile int i = 0; i < 50; i++)
			;
		memcpy(target, protected_path, np + 1);
		for (volatile int i = 0; i < 50; i++)
			;
	}
	return NULL;
}

static int writable(const char *path)
{
	struct statvfs sv;

	return statvfs(path, &sv) == 0 && !(sv.f_flag & ST_RDONLY);
}

int main(int argc, char **argv)
{
	long tries, remounted = 0, became_writable = 0;
	pthread_t t;

	if (argc != 4 || (tries = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: remount-race TRIES PROTECTED DECOY\n");
		return 2;
	}
	protected_path = argv[2];
	decoy = argv[3];
	if (writable(protected_path)) {
		fprintf(stderr, "remount-race: %s is writable to begin with\n", protected_path);
		return 2;
	}
	strcpy(target, decoy);
	if (pthread_create(&t, NULL, flipper, NULL) != 0)
		return 2;
	for (long i = 0; i < tries; i++) {
		if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND, NULL) == 0)
			remounted++;
		if (writable(protected_path)) {
			became_writable++;
			(void)mount(NULL, protected_path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
		}
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("tries=%ld remounted=%ld writable=%ld\n", tries, remounted, became_writable);
	return 0;
}
