// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-runtime-seccomp.c - moat's seccomp rules merged into a container's profile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "seccomp.h"
#include "spec.h"

/* The action the profile gives name: a rule's, or the default. */
static const char *action_of(struct json_object *spec, const char *name)
{
	struct json_object *p = spec_member(spec_member(spec, "linux"), "seccomp");
	struct json_object *rules = spec_member(p, "syscalls");

	for (size_t i = 0; rules && i < json_object_array_length(rules); i++) {
		struct json_object *r = json_object_array_get_idx(rules, i);
		struct json_object *names = spec_member(r, "names");

		for (size_t j = 0; names && j < json_object_array_length(names); j++)
			if (!strcmp(json_object_get_string(json_object_array_get_idx(names, j)), name))
				return spec_string(r, "action");
	}
	return spec_string(p, "defaultAction");
}

static struct json_object *vetted_with(const char *json, bool kernel_policy)
{
	struct json_object *spec = json_tokener_parse(json);
	char *err = NULL;

	assert_non_null(spec);
	seccomp_add_moat_rules(spec);
	assert_int_equal(seccomp_add_vetting(spec, "/run/moat-fs", kernel_policy, &err), 0);
	free(err);
	return spec;
}

static struct json_object *vetted(const char *json)
{
	return vetted_with(json, false);
}

/* The rules naming name: "ACTION mask/value" for each, in order, joined by ";". */
static void rules_of(struct json_object *spec, const char *name, char *buf, size_t size)
{
	struct json_object *rules = spec_member(spec_member(spec_member(spec, "linux"), "seccomp"),
						"syscalls");

	buf[0] = 0;
	for (size_t i = 0; rules && i < json_object_array_length(rules); i++) {
		struct json_object *r = json_object_array_get_idx(rules, i);
		struct json_object *names = spec_member(r, "names"), *args = spec_member(r, "args");
		struct json_object *a = args ? json_object_array_get_idx(args, 0) : NULL;

		if (!names || strcmp(json_object_get_string(json_object_array_get_idx(names, 0)), name))
			continue;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? ";" : "",
			 spec_string(r, "action"));
		if (a)
			snprintf(buf + strlen(buf), size - strlen(buf), " %llu/%llu",
				 (unsigned long long)json_object_get_uint64(spec_member(a, "value")),
				 (unsigned long long)json_object_get_uint64(spec_member(a, "valueTwo")));
	}
}

/* Only the calls worth a round trip are trapped: a remount, bind or move;
 * an open_tree clone; every move_mount; umount2 without the kernel policy. */
static void only_what_needs_vetting_is_trapped(void **state)
{
	struct json_object *spec = vetted("{\"linux\": {}}");
	struct json_object *kspec = vetted_with("{\"linux\": {}}", true);
	char buf[256];

	(void)state;
	rules_of(spec, "mount", buf, sizeof(buf));
	assert_string_equal(buf, "SCMP_ACT_NOTIFY 32/32;SCMP_ACT_NOTIFY 4096/4096;"
				 "SCMP_ACT_NOTIFY 8192/8192;SCMP_ACT_ALLOW 12320/0");
	rules_of(spec, "open_tree", buf, sizeof(buf));
	assert_string_equal(buf, "SCMP_ACT_NOTIFY 1/1;SCMP_ACT_ALLOW 1/0");
	rules_of(spec, "umount2", buf, sizeof(buf));
	assert_string_equal(buf, "SCMP_ACT_NOTIFY");
	rules_of(kspec, "umount2", buf, sizeof(buf));
	assert_string_equal(buf, ""); /* the kernel's sb_umount rule answers */
	rules_of(kspec, "move_mount", buf, sizeof(buf));
	assert_string_equal(buf, "SCMP_ACT_NOTIFY");
	json_object_put(spec);
	json_object_put(kspec);
}

static void no_profile_gets_allow_all_and_the_traps(void **state)
{
	struct json_object *spec = vetted("{\"linux\": {}}");
	struct json_object *p = spec_member(spec_member(spec, "linux"), "seccomp");

	(void)state;
	assert_string_equal(spec_string(p, "defaultAction"), "SCMP_ACT_ALLOW");
	assert_string_equal(spec_string(p, "listenerPath"), "/run/moat-fs.vet.sock");
	assert_string_equal(action_of(spec, "mount"), "SCMP_ACT_NOTIFY");
	assert_string_equal(action_of(spec, "umount2"), "SCMP_ACT_NOTIFY");
	assert_string_equal(action_of(spec, "open_tree"), "SCMP_ACT_NOTIFY");
	assert_string_equal(action_of(spec, "move_mount"), "SCMP_ACT_NOTIFY");
	assert_string_equal(action_of(spec, "mount_setattr"), "SCMP_ACT_ERRNO");
	assert_string_equal(action_of(spec, "read"), "SCMP_ACT_ALLOW");
	json_object_put(spec);
}

/* Docker's shape: default deny, mount allowed by a rule (--cap-add SYS_ADMIN). */
static void allowed_calls_are_trapped_denied_ones_stay_denied(void **state)
{
	struct json_object *spec = vetted(
		"{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"read\", \"mount\", \"umount2\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"move_mount\"], \"action\": \"SCMP_ACT_ERRNO\"}]}}}");

	(void)state;
	assert_string_equal(action_of(spec, "mount"), "SCMP_ACT_NOTIFY");
	assert_string_equal(action_of(spec, "umount2"), "SCMP_ACT_NOTIFY");
	assert_string_equal(action_of(spec, "read"), "SCMP_ACT_ALLOW");
	assert_string_equal(action_of(spec, "move_mount"), "SCMP_ACT_ERRNO");
	assert_string_equal(action_of(spec, "open_tree"), "SCMP_ACT_ERRNO"); /* the default */
	json_object_put(spec);
}

static void a_profile_denying_all_four_gets_no_listener(void **state)
{
	struct json_object *spec = vetted(
		"{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}}}");
	struct json_object *p = spec_member(spec_member(spec, "linux"), "seccomp");

	(void)state;
	assert_null(spec_member(p, "listenerPath"));
	assert_string_equal(action_of(spec, "mount"), "SCMP_ACT_ERRNO");
	json_object_put(spec);
}

/* A rule with argument conditions decides by itself: left alone. */
static void argument_rules_are_left_alone(void **state)
{
	struct json_object *spec = vetted(
		"{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		"[{\"index\": 3, \"value\": 4096, \"op\": \"SCMP_CMP_EQ\"}]}]}}}");

	(void)state;
	assert_string_equal(action_of(spec, "mount"), "SCMP_ACT_ALLOW");
	json_object_put(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_profile_gets_allow_all_and_the_traps),
		cmocka_unit_test(allowed_calls_are_trapped_denied_ones_stay_denied),
		cmocka_unit_test(a_profile_denying_all_four_gets_no_listener),
		cmocka_unit_test(argument_rules_are_left_alone),
		cmocka_unit_test(only_what_needs_vetting_is_trapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
