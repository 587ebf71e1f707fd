// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of config.json reading and rewriting (runtime/spec.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "spec.h"

static char tmp[64], path[128];

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/moat-unit.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(path, sizeof(path), "%s/config.json", tmp);
	return 0;
}

static int teardown(void **state)
{
	return rm_rf(tmp);
}

static struct json_object *load(const char *text, char **err)
{
	struct json_object *o = NULL;

	assert_int_equal(write_file_atomic(path, text, 0600), 0);
	if (spec_load(path, &o, err) < 0)
		return NULL;
	return o;
}

static void test_malformed(void **state)
{
	char *err = NULL;
	char expected[256];

	assert_null(load("{\"a\": 1,\n \"b\": }", &err));
	snprintf(expected, sizeof(expected), "cannot parse %s: ", path);
	assert_memory_equal(err, expected, strlen(expected));
	assert_non_null(strstr(err, "(line 2)"));
	free(err), err = NULL;
	assert_null(load("{\"a\": ", &err));
	assert_non_null(strstr(err, "cannot parse"));
	free(err), err = NULL;
	assert_null(load("[1, 2]", &err));
	assert_non_null(strstr(err, "not a JSON object"));
	free(err), err = NULL;
	assert_null(load("{} {}", &err));
	assert_non_null(strstr(err, "unexpected data after the JSON value"));
	free(err);
}

static void test_rewrites(void **state)
{
	const char *args[] = { "moat-runc", "hook", "create-runtime", NULL };
	struct json_object *o, *ns, *hooks;
	char *saved = NULL;

	o = load("{\"x-vendor\": {\"deep\": [1, 2.50, \"s\"]}, \"linux\": {\"namespaces\": "
		 "[{\"type\": \"pid\"}, {\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}]}, "
		 "\"hooks\": {\"createRuntime\": [{\"path\": \"/bin/mine\"}]}, "
		 "\"annotations\": {\"io.moat.allow-bpf\": \"true\"}}",
		 NULL);
	assert_non_null(o);
	spec_set_namespace(o, "user", NULL);
	spec_set_namespace(o, "cgroup", NULL);
	spec_set_id_mappings(o, 165536, 65536);
	spec_prepend_hook(o, "createRuntime", "/usr/bin/moat-runc", args);
	assert_int_equal(spec_save(o, path, NULL), 0);
	json_object_put(o);
	assert_int_equal(read_file(path, &saved, NULL), 0);
	assert_non_null(strstr(saved, "\"x-vendor\":{\"deep\":[1,2.50,\"s\"]}"));
	assert_non_null(strstr(saved, "\"uidMappings\":[{\"containerID\":0,\"hostID\":165536,"
				      "\"size\":65536}]"));
	free(saved);
	assert_int_equal(spec_load(path, &o, NULL), 0);
	ns = spec_namespace(o, "user");
	assert_non_null(ns);
	assert_null(spec_member(ns, "path"));
	assert_non_null(spec_namespace(o, "cgroup"));
	hooks = spec_member(spec_member(o, "hooks"), "createRuntime");
	assert_int_equal(json_object_array_length(hooks), 2);
	assert_string_equal(spec_string(json_object_array_get_idx(hooks, 0), "path"),
			    "/usr/bin/moat-runc");
	assert_string_equal(spec_string(json_object_array_get_idx(hooks, 1), "path"), "/bin/mine");
	assert_string_equal(spec_annotation(o, "io.moat.allow-bpf"), "true");
	json_object_put(o);
}

static void test_bind_detection(void **state)
{
	struct json_object *o = load("{\"mounts\": [{\"type\": \"bind\"}, {\"type\": \"none\", "
				     "\"options\": [\"rbind\", \"ro\"]}, {\"type\": \"tmpfs\", "
				     "\"options\": [\"nosuid\"]}, {\"options\": [\"bind\"]}]}",
				     NULL);
	struct json_object *m = spec_member(o, "mounts");

	assert_true(spec_mount_is_bind(json_object_array_get_idx(m, 0)));
	assert_true(spec_mount_is_bind(json_object_array_get_idx(m, 1)));
	assert_true(spec_mount_has_option(json_object_array_get_idx(m, 1), "rbind"));
	assert_false(spec_mount_is_bind(json_object_array_get_idx(m, 2)));
	assert_true(spec_mount_is_bind(json_object_array_get_idx(m, 3)));
	json_object_put(o);
}

/* runc (Go's encoding/json) reads keys case-insensitively, long s and
 * Kelvin sign included: such a spelling would be obeyed by runc and missed
 * by moat, e.g. {"Linux": {"namespaces": []}} gives the host's namespaces. */
static void test_case_variants(void **state)
{
	static const char *const refused[] = {
		"{\"linux\": {}, \"Linux\": {\"namespaces\": []}}",
		"{\"MOUNTS\": [{\"type\": \"bind\", \"source\": \"/etc/docker\"}]}",
		"{\"linux\": {\"namespaces\": [{\"type\": \"pid\", \"Path\": \"/proc/1/ns/pid\"}]}}",
		"{\"mount\\u017f\": []}",
		"{\"hoo\\u212as\": {}}",
		"{\"mounts\": [{\"destination\": \"/x\", \"SOURCE\": \"/etc\"}]}",
	};
	struct json_object *o;
	char *err = NULL;

	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		assert_null(load(refused[i], &err));
		assert_non_null(strstr(err, "is not spelled as the OCI field"));
		free(err), err = NULL;
	}
	/* map keys are matched exactly by Go too, and unknown keys are left alone */
	o = load("{\"annotations\": {\"Path\": \"x\"}, \"linux\": {\"sysctl\": {\"TYPE\": \"1\"}}, "
		 "\"mountz\": 1}", &err);
	assert_non_null(o);
	json_object_put(o);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_malformed),
		T(test_rewrites),
		T(test_bind_detection),
		T(test_case_variants),
	};

	return cmocka_run_group_tests_name("runtime-spec", tests, NULL, NULL);
}
