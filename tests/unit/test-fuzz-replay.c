// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Replay of the fuzz corpora (tests/fuzz/): every seed and regression input
 * of each target, once, through the target's LLVMFuzzerTestOneInput (built
 * here under another name, without libFuzzer). A target aborts on a broken
 * invariant; a crash kills the suite, which tests/run.sh reports. One TAP
 * line per input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "macro.h"

int fuzz_spec_init(int *argc, char ***argv);
int fuzz_spec_one(const uint8_t *data, size_t size);
int fuzz_config_one(const uint8_t *data, size_t size);

struct target {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
};

static const struct target targets[] = {
	{ "spec", fuzz_spec_one },
	{ "config", fuzz_config_one },
};

struct input {
	const struct target *t;
	char *path;
};

static void replay(void **state)
{
	const struct input *in = *state;
	_cleanup_free_ char *buf = NULL;
	size_t len;

	assert_int_equal(read_file(in->path, &buf, &len), 0);
	assert_int_equal(in->t->one((const uint8_t *)buf, len), 0);
}

static int add_dir(struct CMUnitTest **tests, size_t *n, const struct target *t, const char *dir)
{
	struct dirent **names;
	int k = scandir(dir, &names, NULL, alphasort);

	if (k < 0)
		return 0; /* no regressions yet */
	for (int i = 0; i < k; i++) {
		struct input *in = calloc(1, sizeof(*in));
		struct CMUnitTest *m = realloc(*tests, (*n + 1) * sizeof(**tests));
		char *name = NULL;

		if (!in || !m || asprintf(&in->path, "%s/%s", dir, names[i]->d_name) < 0 ||
		    asprintf(&name, "%s %s", t->name, in->path + strlen(FUZZ_DIR) + 1) < 0)
			return -1;
		in->t = t;
		*tests = m;
		if (names[i]->d_name[0] != '.')
			m[(*n)++] = (struct CMUnitTest){ .name = name, .test_func = replay,
							 .initial_state = in };
		free(names[i]);
	}
	free(names);
	return 0;
}

int main(void)
{
	struct CMUnitTest *tests = NULL;
	size_t n = 0;

	(void)fuzz_spec_init(NULL, NULL);
	for (size_t i = 0; i < ELEMENTSOF(targets); i++) {
		static const char *const kinds[] = { "corpus", "regressions" };

		for (size_t j = 0; j < ELEMENTSOF(kinds); j++) {
			_cleanup_free_ char *dir = NULL;

			if (asprintf(&dir, "%s/%s/%s", FUZZ_DIR, kinds[j], targets[i].name) < 0 ||
			    add_dir(&tests, &n, &targets[i], dir) < 0)
				return 1;
		}
	}
	/* the inputs and names live until the process ends */
	return _cmocka_run_group_tests("fuzz-replay", tests, n, NULL, NULL);
}
