// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of moat-fs's emulated sysctls: per-container values, input
 * validation, raising the host's limits to the largest wish and giving them
 * back, persistence. The host's /proc/sys is a fake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysctl.h"

#define NFAKE 16

struct fake_host {
	char name[NFAKE][64], value[NFAKE][128];
	int n, writes;
};

static int fake_read(void *userdata, const char *name, char *buf, size_t size)
{
	struct fake_host *h = userdata;

	for (int i = 0; i < h->n; i++)
		if (strcmp(h->name[i], name) == 0)
			return snprintf(buf, size, "%s", h->value[i]);
	return -ENOENT;
}

static int fake_write(void *userdata, const char *name, const char *value)
{
	struct fake_host *h = userdata;

	for (int i = 0; i < h->n; i++)
		if (strcmp(h->name[i], name) == 0) {
			snprintf(h->value[i], sizeof(h->value[i]), "%s", value);
			h->writes++;
			return 0;
		}
	return -ENOENT;
}

static void fake_set(struct fake_host *h, const char *name, const char *value)
{
	if (fake_write(h, name, value) == 0) {
		h->writes--;
		return;
	}
	snprintf(h->name[h->n], sizeof(h->name[0]), "%s", name);
	snprintf(h->value[h->n++], sizeof(h->value[0]), "%s", value);
}

static const char *fake_get(struct fake_host *h, const char *name)
{
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->name[i], name) == 0)
			return h->value[i];
	return NULL;
}

struct t {
	struct fake_host host;
	struct sysctl_host ops;
	struct sysctl_store *s;
	char state[64];
	char buf[256];
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	fake_set(&t->host, "kernel/panic", "1");
	fake_set(&t->host, "kernel/printk", "4\t4\t1\t7");
	fake_set(&t->host, "kernel/core_pattern", "core");
	fake_set(&t->host, "kernel/kptr_restrict", "0");
	fake_set(&t->host, "net/core/somaxconn", "4096");
	fake_set(&t->host, "fs/file-max", "100000");
	t->ops = (struct sysctl_host){ fake_read, fake_write, &t->host };
	snprintf(t->state, sizeof(t->state), "/tmp/test-fsemu-sysctl.%d", getpid());
	unlink(t->state);
	assert_int_equal(sysctl_store_new(&t->ops, t->state, &t->s), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	sysctl_store_free(t->s);
	unlink(t->state);
	free(t);
	return 0;
}

static size_t def(const char *name)
{
	int i = sysctl_def_find(name);

	assert_true(i >= 0);
	return (size_t)i;
}

static const char *rd(struct t *t, const char *name, const char *key)
{
	assert_true(sysctl_read(t->s, def(name), key, t->buf, sizeof(t->buf)) >= 0);
	return t->buf;
}

static int wr(struct t *t, const char *name, const char *key, const char *data)
{
	return sysctl_write(t->s, def(name), key, 0, data, strlen(data));
}

static void per_container_values(void **state)
{
	struct t *t = *state;

	assert_string_equal(rd(t, "kernel/panic", "A"), "1\n");
	assert_int_equal(wr(t, "kernel/panic", "A", "5\n"), 0);
	assert_int_equal(wr(t, "kernel/panic", "B", "  -7 "), 0);
	assert_string_equal(rd(t, "kernel/panic", "A"), "5\n");
	assert_string_equal(rd(t, "kernel/panic", "B"), "-7\n");
	assert_string_equal(rd(t, "kernel/panic", "C"), "1\n");
	assert_string_equal(rd(t, "kernel/panic", NULL), "1\n");
	/* the host is never touched for these */
	assert_string_equal(fake_get(&t->host, "kernel/panic"), "1");
	assert_int_equal(t->host.writes, 0);
}

static void invalid_input(void **state)
{
	struct t *t = *state;

	assert_int_equal(wr(t, "kernel/panic", "A", "abc"), -EINVAL);
	assert_int_equal(wr(t, "kernel/panic", "A", "5 6"), -EINVAL);
	assert_int_equal(wr(t, "kernel/panic", "A", "5x"), -EINVAL);
	assert_int_equal(wr(t, "kernel/panic", "A", ""), -EINVAL);
	assert_int_equal(wr(t, "kernel/panic", "A", "99999999999999999999"), -EINVAL);
	assert_int_equal(wr(t, "kernel/kptr_restrict", "A", "3"), -EINVAL);
	assert_int_equal(wr(t, "kernel/kptr_restrict", "A", "-1"), -EINVAL);
	assert_int_equal(wr(t, "kernel/kptr_restrict", "A", "2"), 0);
	assert_int_equal(wr(t, "fs/file-max", "A", "-5"), -EINVAL);
	assert_int_equal(wr(t, "fs/nr_open", "A", "10"), -EINVAL);
	assert_int_equal(wr(t, "kernel/printk", "A", "1 2 3 4 5"), -EINVAL);
	assert_int_equal(sysctl_write(t->s, def("kernel/panic"), "A", 0, "1\0002", 3), -EINVAL);
	assert_string_equal(rd(t, "kernel/panic", "A"), "1\n");
	/* the host caller may not write through the emulation */
	assert_int_equal(wr(t, "kernel/panic", NULL, "3"), -EPERM);
}

static void printk_vector(void **state)
{
	struct t *t = *state;

	assert_int_equal(wr(t, "kernel/printk", "A", "3\n"), 0);
	assert_string_equal(rd(t, "kernel/printk", "A"), "3\t4\t1\t7\n");
	assert_int_equal(wr(t, "kernel/printk", "A", "1 2 3 4"), 0);
	assert_string_equal(rd(t, "kernel/printk", "A"), "1\t2\t3\t4\n");
}

static void core_pattern_and_sysrq(void **state)
{
	struct t *t = *state;
	char long_pattern[200];

	assert_int_equal(wr(t, "kernel/core_pattern", "A", "|/bin/evil %p\n"), 0);
	assert_string_equal(rd(t, "kernel/core_pattern", "A"), "|/bin/evil %p\n");
	assert_string_equal(fake_get(&t->host, "kernel/core_pattern"), "core");
	memset(long_pattern, 'x', sizeof(long_pattern) - 1);
	long_pattern[sizeof(long_pattern) - 1] = 0;
	assert_int_equal(wr(t, "kernel/core_pattern", "A", long_pattern), -EINVAL);
	assert_int_equal(wr(t, "sysrq-trigger", "A", "b"), 0);
	assert_string_equal(rd(t, "sysrq-trigger", "A"), "");
	assert_int_equal(t->host.writes, 0);
}

/* A sysctl the host lacks (no Yama here) reads as its default. */
static void missing_on_host(void **state)
{
	struct t *t = *state;

	assert_string_equal(rd(t, "kernel/yama/ptrace_scope", "A"), "1\n");
	assert_int_equal(wr(t, "kernel/yama/ptrace_scope", "A", "3"), 0);
	assert_string_equal(rd(t, "kernel/yama/ptrace_scope", "A"), "3\n");
	assert_int_equal(wr(t, "kernel/yama/ptrace_scope", "A", "4"), -EINVAL);
}

static const char *alive_keys;

static int alive(const char *key, void *userdata)
{
	(void)userdata;
	return strstr(alive_keys, key) != NULL;
}

static void raise_to_max_and_back(void **state)
{
	struct t *t = *state;
	const char *h = "net/core/somaxconn";

	assert_int_equal(wr(t, h, "A", "8192"), 0);
	assert_string_equal(fake_get(&t->host, h), "8192");
	assert_int_equal(wr(t, h, "B", "16384"), 0);
	assert_string_equal(fake_get(&t->host, h), "16384");
	assert_int_equal(wr(t, h, "C", "128"), 0);
	assert_string_equal(fake_get(&t->host, h), "16384");
	/* each sees its own; one that never wrote sees the host's original */
	assert_string_equal(rd(t, h, "A"), "8192\n");
	assert_string_equal(rd(t, h, "B"), "16384\n");
	assert_string_equal(rd(t, h, "C"), "128\n");
	assert_string_equal(rd(t, h, "D"), "4096\n");
	/* B lowers its wish: the host follows down to the next largest */
	assert_int_equal(wr(t, h, "B", "100"), 0);
	assert_string_equal(fake_get(&t->host, h), "8192");
	/* A goes away: back to the original, never below it */
	alive_keys = "B C";
	assert_int_equal(sysctl_prune(t->s, alive, NULL), 1);
	assert_string_equal(fake_get(&t->host, h), "4096");
	alive_keys = "";
	assert_int_equal(sysctl_prune(t->s, alive, NULL), 2);
	assert_string_equal(fake_get(&t->host, h), "4096");
	assert_string_equal(rd(t, h, "B"), "4096\n");
}

static void own_netns_not_applied(void **state)
{
	struct t *t = *state;
	const char *h = "net/core/somaxconn";

	assert_int_equal(sysctl_write(t->s, def(h), "A", 1, "9999", 4), 0);
	assert_string_equal(rd(t, h, "A"), "9999\n");
	assert_string_equal(fake_get(&t->host, h), "4096");
	/* the global limits are raised whatever the netns */
	assert_int_equal(sysctl_write(t->s, def("fs/file-max"), "A", 1, "200000", 6), 0);
	assert_string_equal(fake_get(&t->host, "fs/file-max"), "200000");
}

static void admin_change_is_kept(void **state)
{
	struct t *t = *state;
	const char *h = "fs/file-max";

	assert_int_equal(wr(t, h, "A", "300000"), 0);
	assert_string_equal(fake_get(&t->host, h), "300000");
	fake_set(&t->host, h, "500000"); /* the administrator */
	assert_int_equal(wr(t, h, "B", "400000"), 0);
	assert_string_equal(fake_get(&t->host, h), "500000");
	alive_keys = "";
	sysctl_prune(t->s, alive, NULL);
	assert_string_equal(fake_get(&t->host, h), "500000");
}

static void survives_restart(void **state)
{
	struct t *t = *state;
	struct sysctl_store *again;
	char buf[64];

	assert_int_equal(wr(t, "kernel/panic", "ctr one", "42"), 0);
	assert_int_equal(wr(t, "net/core/somaxconn", "ctr one", "8192"), 0);
	assert_int_equal(wr(t, "kernel/printk", "ctr one", "1 1 1 1"), 0);
	assert_int_equal(sysctl_store_new(&t->ops, t->state, &again), 0);
	assert_true(sysctl_read(again, def("kernel/panic"), "ctr one", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "42\n");
	assert_true(sysctl_read(again, def("kernel/printk"), "ctr one", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "1\t1\t1\t1\n");
	/* the original is remembered too: giving back restores it */
	assert_true(sysctl_read(again, def("net/core/somaxconn"), "other", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "4096\n");
	alive_keys = "";
	sysctl_prune(again, alive, NULL);
	assert_string_equal(fake_get(&t->host, "net/core/somaxconn"), "4096");
	sysctl_store_free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(per_container_values, setup, teardown),
		cmocka_unit_test_setup_teardown(invalid_input, setup, teardown),
		cmocka_unit_test_setup_teardown(printk_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(core_pattern_and_sysrq, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_on_host, setup, teardown),
		cmocka_unit_test_setup_teardown(raise_to_max_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(own_netns_not_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(admin_change_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(survives_restart, setup, teardown),
	};

	return cmocka_run_group_tests_name("fsemu-sysctl", tests, NULL, NULL);
}
