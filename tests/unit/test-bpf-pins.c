// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test-bpf-pins.c - the maps moat-runc and moatctl open by name
 * (bpf/moat.h's MOAT_MAP_*, lib/policy.c) are the ones the BPF object pins
 * by name (LIBBPF_PIN_BY_NAME) under moat-loader's pin_root_path, and it
 * pins nothing else. Opening the skeleton only parses it: no privilege, no
 * BPF-LSM needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bpf/libbpf.h>
#include <linux/types.h>

#include "macro.h"
#include "moat.h"
#include "moat.skel.h"

#define ROOT "/sys/fs/bpf/moat-test"

static const char *const pinned[] = {
	MOAT_MAP_CONTAINERS, MOAT_MAP_CONTAINER_LEVELS, MOAT_MAP_RESTRICTED, MOAT_MAP_RESTRICTED_FILTER,
	MOAT_MAP_DENIED_FSTYPES, MOAT_MAP_NS_OWNER, MOAT_MAP_PROTECTED_MOUNTS,
	MOAT_MAP_EVENTS,
};

static bool is_pinned_name(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(pinned); i++)
		if (!strcmp(pinned[i], name))
			return true;
	return false;
}

static void every_named_map_is_pinned_by_its_name(void **state)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = ROOT);
	struct moat_bpf *skel = moat_bpf__open_opts(&opts);
	struct bpf_map *map;
	char want[256];

	assert_non_null(skel);
	for (size_t i = 0; i < ELEMENTSOF(pinned); i++) {
		map = bpf_object__find_map_by_name(skel->obj, pinned[i]);
		if (!map)
			fail_msg("bpf/moat.h names the map %s, the object has none", pinned[i]);
		snprintf(want, sizeof(want), ROOT "/%s", pinned[i]);
		if (!bpf_map__pin_path(map) || strcmp(bpf_map__pin_path(map), want))
			fail_msg("%s is pinned at %s, not %s", pinned[i],
				 bpf_map__pin_path(map) ?: "(nothing)", want);
	}
	bpf_object__for_each_map(map, skel->obj)
		if (bpf_map__pin_path(map) && !is_pinned_name(bpf_map__name(map)))
			fail_msg("%s is pinned but bpf/moat.h does not name it", bpf_map__name(map));
	moat_bpf__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_named_map_is_pinned_by_its_name),
	};

	libbpf_set_print(NULL);
	return cmocka_run_group_tests_name("bpf-pins", tests, NULL, NULL);
}
