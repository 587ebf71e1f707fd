// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the host-namespace checks (runtime/nscheck.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "nscheck.h"

#define WHY "(because they use the linux user-namespace for isolation)"

/* A plan with every required namespace private. */
static struct ns_plan private_plan(void)
{
	struct ns_plan p = { 0 };

	for (int k = 0; k < NS_KIND_MAX; k++)
		p.origin[k] = NS_PRIVATE;
	p.origin[NS_USER] = p.origin[NS_CGROUP] = NS_MISSING;
	return p;
}

static void test_private_is_fine(void **state)
{
	struct ns_plan p = private_plan();

	assert_int_equal(nscheck_host_shared(&p), 0);
}

static void test_missing_and_host_are_shared(void **state)
{
	struct ns_plan p = private_plan();

	p.origin[NS_PID] = NS_MISSING;
	p.origin[NS_IPC] = NS_HOST;
	p.origin[NS_UTS] = NS_CONTAINER; /* another moat container's: fine */
	p.origin[NS_MNT] = NS_OTHER; /* e.g. a bind-mounted namespace: fine */
	assert_int_equal(nscheck_host_shared(&p), (1u << NS_PID) | (1u << NS_IPC));
}

static void test_user_and_cgroup_never_refused(void **state)
{
	struct ns_plan p = private_plan();

	p.origin[NS_USER] = NS_HOST;
	p.origin[NS_CGROUP] = NS_HOST;
	assert_int_equal(nscheck_host_shared(&p), 0);
}

static void expect_message(unsigned mask, const char *expected)
{
	char *msg = nscheck_message(mask);

	assert_non_null(msg);
	assert_string_equal(msg, expected);
	free(msg);
}

static void test_messages(void **state)
{
	expect_message(1u << NS_PID, "moat containers can't share namespaces [pid] with the host " WHY);
	expect_message((1u << NS_PID) | (1u << NS_IPC),
		       "moat containers can't share namespaces [pid ipc] with the host " WHY);
	expect_message(1u << NS_NET,
		       "moat containers can't share a network namespace with the host " WHY);
	expect_message(NS_REQUIRED, "moat containers can't share namespaces [pid network ipc uts "
				    "mount] with the host " WHY);
}

static void test_join_target(void **state)
{
	struct ns_plan p = private_plan();
	const char *target = "unset";
	char *err = NULL;

	assert_int_equal(nscheck_join_target(&p, &target, &err), 0);
	assert_null(target);
	p.origin[NS_NET] = NS_CONTAINER, p.owner[NS_NET] = "web";
	p.origin[NS_IPC] = NS_CONTAINER, p.owner[NS_IPC] = "web";
	assert_int_equal(nscheck_join_target(&p, &target, &err), 0);
	assert_string_equal(target, "web");
	p.owner[NS_IPC] = "db";
	assert_int_not_equal(nscheck_join_target(&p, &target, &err), 0);
	assert_string_equal(err, "can't join the namespaces of two moat containers (web and db)");
	free(err);
}

static void test_foreign_user_namespace(void **state)
{
	struct ns_plan p = private_plan();
	const char *target;
	char *err = NULL;

	p.origin[NS_USER] = NS_OTHER;
	assert_int_not_equal(nscheck_join_target(&p, &target, &err), 0);
	assert_non_null(strstr(err, "belongs to no moat container"));
	free(err);
}

static const char *owner_none(enum ns_kind k, const struct ns_id *id, void *userdata)
{
	return NULL;
}

static const char *owner_self(enum ns_kind k, const struct ns_id *id, void *userdata)
{
	struct ns_id self;

	return ns_id_of("/proc/self/ns/net", &self) == 0 && self.ino == id->ino ? "me" : NULL;
}

static void test_classify(void **state)
{
	struct ns_id host[2];
	size_t n = nscheck_host_ids(NS_NET, host);
	enum ns_origin o;
	const char *owner;

	assert_true(n >= 1);
	assert_int_equal(nscheck_classify(NS_NET, NULL, host, n, owner_none, NULL, &o, &owner), 0);
	assert_int_equal(o, NS_PRIVATE);
	assert_int_equal(nscheck_classify(NS_NET, "/proc/self/ns/net", host, n, owner_none, NULL,
					  &o, &owner), 0);
	assert_int_equal(o, NS_HOST);
	/* not the host's (no host ids given): the owner callback decides */
	assert_int_equal(nscheck_classify(NS_NET, "/proc/self/ns/net", NULL, 0, owner_self, NULL,
					  &o, &owner), 0);
	assert_int_equal(o, NS_CONTAINER);
	assert_string_equal(owner, "me");
	assert_int_equal(nscheck_classify(NS_NET, "/proc/self/ns/net", NULL, 0, owner_none, NULL,
					  &o, &owner), 0);
	assert_int_equal(o, NS_OTHER);
	assert_int_not_equal(nscheck_classify(NS_NET, "/nonexistent/ns", host, n, owner_none, NULL,
					      &o, &owner), 0);
}

static void test_names(void **state)
{
	assert_int_equal(ns_kind_from_oci("network"), NS_NET);
	assert_int_equal(ns_kind_from_oci("mount"), NS_MNT);
	assert_int_equal(ns_kind_from_oci("time"), -1);
	assert_string_equal(ns_proc_name(NS_MNT), "mnt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_is_fine),
		cmocka_unit_test(test_missing_and_host_are_shared),
		cmocka_unit_test(test_user_and_cgroup_never_refused),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_join_target),
		cmocka_unit_test(test_foreign_user_namespace),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("runtime-nscheck", tests, NULL, NULL);
}
