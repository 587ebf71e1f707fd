// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz-config.c - libFuzzer target: moat.conf's text through config_parse()
 * over the defaults, as config_load() does after opening the file. A
 * configuration it accepts must be one moat-runc can use (the checks of
 * lib/config.c: absolute paths, a pool of whole ranges that never reaches
 * host id 0 or (uid_t)-1, moat-fs outside the state dir); a refusal must say
 * why, in a line of the log that names the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

#define fuzz_assert(cond, ...)                                                            \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz-config: invariant broken: " __VA_ARGS__);   \
			fputc('\n', stderr);                                              \
			abort();                                                          \
		}                                                                         \
	} while (0)

static void check_paths(const struct strv *s, const char *what)
{
	fuzz_assert(s->n > 0 || strcmp(what, "docker_data_root"), "no docker_data_root");
	for (size_t i = 0; i < s->n; i++)
		fuzz_assert(s->v[i][0] == '/', "%s %s is not absolute", what, s->v[i]);
}

static void check_accepted(const struct moat_config *c)
{
	uint64_t end = (uint64_t)c->pool_start + c->pool_size;

	fuzz_assert(c->pool_start > 0, "the pool starts at host root");
	fuzz_assert(c->pool_size >= MOAT_RANGE_SIZE && c->pool_size % MOAT_RANGE_SIZE == 0,
		    "pool size %u", c->pool_size);
	fuzz_assert(end <= UINT32_MAX, "the pool ends at %llu", (unsigned long long)end);
	fuzz_assert(c->runc[0] == '/' && c->state_dir[0] == '/' && c->pin_dir[0] == '/' &&
		    c->fsemu_mountpoint[0] == '/' && c->fsemu_state_dir[0] == '/',
		    "a path is not absolute");
	check_paths(&c->restricted, "restricted_path");
	check_paths(&c->data_roots, "docker_data_root");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct moat_config c;
	char *err = NULL;
	size_t err_len = 0;
	FILE *f, *log;
	int r;

	if (size == 0) /* fmemopen() wants a buffer */
		return 0;
	f = fmemopen((void *)data, size, "r");
	log = open_memstream(&err, &err_len);
	if (!f || !log || config_init(&c, "fuzz.conf") < 0)
		abort();
	log_setup("moat", LOG_LEVEL_QUIET);
	log_set_file(log, 0);
	r = config_parse(&c, f, "fuzz.conf");
	log_set_file(NULL, 0);
	fclose(log);
	if (r < 0)
		fuzz_assert(!strncmp(err, "moat: fuzz.conf", 15), "refused (%d) without saying why",
			    r);
	else
		check_accepted(&c);
	fclose(f);
	free(err);
	config_free(&c);
	return 0;
}
