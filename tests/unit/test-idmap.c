// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-idmap - the mount table and overlayfs option parsing of runtime/idmap.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "idmap.h"
#include "macro.h"

/* lib/mountinfo.h splits each line (tests/unit/test-lib.c); the table adds "shared". */
static void test_parse_shared(void **state)
{
	struct mountinfo mi;
	char *text = strdup("36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 shared:7 - ext3 /dev/root "
			    "rw,errors=continue\n"
			    "22 1 0:21 / /shared:x rw,nosuid - proc proc rw\n");

	assert_non_null(text);
	assert_int_equal(mountinfo_parse(text, &mi), 0);
	assert_int_equal(mi.n, 2);
	assert_true(mountinfo_is_shared(&mi, &mi.entries[0]));
	assert_string_equal(mi.entries[0].mount_point, "/mnt 2");
	assert_string_equal(mi.entries[0].super_opts, "rw,errors=continue");
	assert_false(mountinfo_is_shared(&mi, &mi.entries[1]));
	mountinfo_done(&mi);
}

static void test_parse_find(void **state)
{
	struct mountinfo mi;
	const struct mountinfo_entry *e;
	char *text = strdup("1 0 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n"
			    "2 1 0:30 / /w rw shared:1 - tmpfs t rw\n"
			    "3 2 0:30 / /w rw - tmpfs t rw\n"
			    "\n");

	assert_non_null(text);
	assert_int_equal(mountinfo_parse(text, &mi), 0);
	assert_int_equal(mi.n, 3);
	e = mountinfo_find(&mi, "/w");
	assert_non_null(e);
	assert_int_equal(e->mnt_id, 3); /* the topmost of a stack */
	assert_null(mountinfo_find(&mi, "/x"));
	assert_int_equal(mountinfo_find_id(&mi, 2)->parent_id, 1);
	assert_null(mountinfo_find_id(&mi, 9));
	mountinfo_done(&mi);

	text = strdup("1 0 8:1 / / rw ext4\n");
	assert_int_equal(mountinfo_parse(text, &mi), -EINVAL); /* text was taken over */
}

/* The live table parses, whatever this machine has mounted. */
static void test_parse_live(void **state)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	struct mountinfo mi;
	char *text = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(text);
	n = fread(text, 1, (1 << 20) - 1, f);
	assert_true(n > 0);
	assert_int_equal(mountinfo_parse(text, &mi), 0);
	assert_true(mi.n > 0);
	for (size_t i = 0; i < mi.n; i++)
		assert_true(mi.entries[i].mount_point[0] == '/');
	assert_non_null(mountinfo_find(&mi, "/"));
	mountinfo_done(&mi);
}

static struct mountinfo_entry entry(int id, int parent, unsigned minor, char *root, char *mp)
{
	return (struct mountinfo_entry){ .mnt_id = id, .parent_id = parent, .major = 0, .minor = minor,
					 .root = root, .mount_point = mp };
}

static void test_self_bind(void **state)
{
	struct mountinfo_entry rootfs = entry(1, 0, 1, "/", "/");
	struct mountinfo_entry var = entry(2, 1, 2, "/", "/var");
	struct mountinfo_entry sub = entry(3, 1, 2, "/data", "/srv");
	struct mountinfo_entry tmp = entry(4, 1, 3, "/", "/run/w");

	/* mount --bind /var/lib/x /var/lib/x */
	struct mountinfo_entry e = entry(10, 2, 2, "/lib/x", "/var/lib/x");
	assert_true(mountinfo_is_self_bind(&e, &var));
	/* on / */
	e = entry(11, 1, 1, "/home/w", "/home/w");
	assert_true(mountinfo_is_self_bind(&e, &rootfs));
	/* below a bind whose root is not its filesystem's root */
	e = entry(12, 3, 2, "/data/w", "/srv/w");
	assert_true(mountinfo_is_self_bind(&e, &sub));
	/* stacked on a tmpfs mounted at the same place */
	e = entry(13, 4, 3, "/", "/run/w");
	assert_true(mountinfo_is_self_bind(&e, &tmp));

	/* a tmpfs at the place, a bind of another directory, another device */
	e = entry(14, 1, 3, "/", "/home/w");
	assert_false(mountinfo_is_self_bind(&e, &rootfs));
	e = entry(15, 2, 2, "/lib/y", "/var/lib/x");
	assert_false(mountinfo_is_self_bind(&e, &var));
	e = entry(16, 3, 2, "/w", "/srv/w");
	assert_false(mountinfo_is_self_bind(&e, &sub));
	e = entry(17, 2, 2, "/lib/x", "/var/lib/x");
	assert_false(mountinfo_is_self_bind(&e, NULL));
	/* /var2 is not below /var */
	e = entry(18, 2, 2, "/2/x", "/var2/x");
	assert_false(mountinfo_is_self_bind(&e, &var));
}

static void assert_split(const char *raw, size_t n, const char *const *want)
{
	char **v = NULL;
	size_t got = 0;

	assert_int_equal(ovl_split_lowerdir(raw, &v, &got), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i], want[i]);
		free(v[i]);
	}
	free(v);
}

static void test_split_lowerdir(void **state)
{
	char **v;
	size_t n;

	assert_split("/a", 1, (const char *const[]){ "/a" });
	assert_split("/a:/b:/c", 3, (const char *const[]){ "/a", "/b", "/c" });
	/* Docker's short names, relative */
	assert_split("l/AB:l/CD", 2, (const char *const[]){ "l/AB", "l/CD" });
	/* "\:" given to mount(2) is shown as "\134:" (6.1 and 6.18) */
	assert_split("/a\\134:b:/c", 2, (const char *const[]){ "/a:b", "/c" });
	/* a ':' escaped in octal ("\072") never separates */
	assert_split("/x\\072y:/z", 2, (const char *const[]){ "/x:y", "/z" });
	/* an escaped backslash, then a real separator */
	assert_split("/a\\134\\134:/b", 2, (const char *const[]){ "/a\\", "/b" });
	/* space, comma */
	assert_split("/c\\040d:/e\\134\\054f", 2, (const char *const[]){ "/c d", "/e,f" });

	assert_int_equal(ovl_split_lowerdir("", &v, &n), -EINVAL);
	/* data-only layers ("::") and stray separators */
	assert_int_equal(ovl_split_lowerdir("/a::/b", &v, &n), -EOPNOTSUPP);
	assert_int_equal(ovl_split_lowerdir("/a:", &v, &n), -EOPNOTSUPP);
	assert_int_equal(ovl_split_lowerdir(":/a", &v, &n), -EOPNOTSUPP);
}

static void test_config_docker_absolute(void **state)
{
	struct ovl_config c;

	assert_int_equal(ovl_config_parse("rw,lowerdir=/var/lib/docker/overlay2/l/AAA:"
					  "/var/lib/docker/overlay2/l/BBB,"
					  "upperdir=/var/lib/docker/overlay2/id1/diff,"
					  "workdir=/var/lib/docker/overlay2/id1/work,index=off",
					  "/var/lib/docker/overlay2", &c),
			 0);
	assert_int_equal(c.n_lowers, 2);
	assert_string_equal(c.lowers[0], "/var/lib/docker/overlay2/l/AAA");
	assert_string_equal(c.lowers[1], "/var/lib/docker/overlay2/l/BBB");
	assert_string_equal(c.upper, "/var/lib/docker/overlay2/id1/diff");
	assert_string_equal(c.work, "/var/lib/docker/overlay2/id1/work");
	assert_null(c.features);
	ovl_config_done(&c);
}

static void test_config_docker_relative(void **state)
{
	struct ovl_config c;

	/* Docker's form when the absolute one would exceed a page: relative to overlay2/ */
	assert_int_equal(ovl_config_parse("rw,lowerdir=l/AAA:l/BBB:l/CCC,upperdir=id1/diff,"
					  "workdir=id1/work",
					  "/data/docker/overlay2", &c),
			 0);
	assert_int_equal(c.n_lowers, 3);
	assert_string_equal(c.lowers[0], "/data/docker/overlay2/l/AAA");
	assert_string_equal(c.lowers[2], "/data/docker/overlay2/l/CCC");
	assert_string_equal(c.upper, "/data/docker/overlay2/id1/diff");
	assert_string_equal(c.work, "/data/docker/overlay2/id1/work");
	ovl_config_done(&c);

	/* relative names with nothing to resolve them against */
	assert_int_equal(ovl_config_parse("rw,lowerdir=l/AAA", NULL, &c), -EINVAL);
}

static void test_config_features(void **state)
{
	struct ovl_config c;

	assert_int_equal(ovl_config_parse("rw,lowerdir=/l,upperdir=/u/d,workdir=/u/w,"
					  "redirect_dir=on,metacopy=on,userxattr,index=on,"
					  "uuid=on,nfs_export=on,xino=off,volatile",
					  NULL, &c),
			 0);
	assert_string_equal(c.features, "redirect_dir=on,metacopy=on,userxattr,xino=off");
	ovl_config_done(&c);
}

static void test_config_escapes_and_new_api(void **state)
{
	struct ovl_config c;

	/* upperdir with an escaped comma and a space; lowerdir+ (6.5+, fsconfig) */
	assert_int_equal(ovl_config_parse("ro,lowerdir+=/t/x:y,lowerdir+=/t/q\\040r\\134s,"
					  "upperdir=/u\\134\\054v/d,workdir=/u\\134\\054v/w",
					  NULL, &c),
			 0);
	assert_int_equal(c.n_lowers, 2);
	assert_string_equal(c.lowers[0], "/t/x:y"); /* one layer per lowerdir+, never split */
	assert_string_equal(c.lowers[1], "/t/q r\\s");
	assert_string_equal(c.upper, "/u,v/d");
	assert_string_equal(c.work, "/u,v/w");
	ovl_config_done(&c);

	/* read-only overlay */
	assert_int_equal(ovl_config_parse("ro,lowerdir=/a:/b", NULL, &c), 0);
	assert_null(c.upper);
	assert_null(c.work);
	ovl_config_done(&c);
}

static void test_config_invalid(void **state)
{
	struct ovl_config c;

	assert_int_equal(ovl_config_parse("rw,upperdir=/u,workdir=/w", NULL, &c), -EINVAL);
	assert_int_equal(ovl_config_parse("rw,lowerdir=/l,upperdir=/u", NULL, &c), -EINVAL);
	assert_int_equal(ovl_config_parse("rw,lowerdir=/l,workdir=/w", NULL, &c), -EINVAL);
	assert_int_equal(ovl_config_parse("rw,lowerdir=/l,datadir+=/d", NULL, &c), -EOPNOTSUPP);
	assert_int_equal(ovl_config_parse("rw,lowerdir=/l::/d", NULL, &c), -EOPNOTSUPP);
}

static void test_escape(void **state)
{
	char *s = ovl_escape("a:b,c\\d e");

	assert_string_equal(s, "a\\:b\\,c\\\\d e");
	free(s);
	s = ovl_escape("diff");
	assert_string_equal(s, "diff");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_shared),
		cmocka_unit_test(test_parse_find),
		cmocka_unit_test(test_parse_live),
		cmocka_unit_test(test_self_bind),
		cmocka_unit_test(test_split_lowerdir),
		cmocka_unit_test(test_config_docker_absolute),
		cmocka_unit_test(test_config_docker_relative),
		cmocka_unit_test(test_config_features),
		cmocka_unit_test(test_config_escapes_and_new_api),
		cmocka_unit_test(test_config_invalid),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
