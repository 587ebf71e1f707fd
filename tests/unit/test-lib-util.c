// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-lib-util.c - libmoat's helpers: path_startswith, mkdir -p, the atomic
 * writer, JSON loading with its error position, the table-driven conf
 * parser, and the error idiom's macros. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "conf-parser.h"
#include "fs-util.h"
#include "json-util.h"
#include "log.h"
#include "strv.h"

static void path_startswith_is_by_component(void **state)
{
	assert_string_equal(path_startswith("/usr/lib", "/usr"), "lib");
	assert_string_equal(path_startswith("/usr/lib/x", "/usr/"), "lib/x");
	assert_string_equal(path_startswith("/usr", "/usr"), "");
	assert_string_equal(path_startswith("/usr/", "/usr"), "");
	assert_string_equal(path_startswith("/usr", "/usr//"), "");
	assert_string_equal(path_startswith("//usr///lib", "/usr"), "lib");
	assert_string_equal(path_startswith("/usr/lib", "/"), "usr/lib");
	assert_string_equal(path_startswith("/", "/"), "");
	assert_null(path_startswith("/usrx", "/usr"));
	assert_null(path_startswith("/us", "/usr"));
	assert_null(path_startswith("/usr", "/usr/lib"));
	assert_null(path_startswith("usr/lib", "/usr"));
	assert_null(path_startswith("/usr/lib", "usr"));
	assert_string_equal(path_startswith("proc/sys/kernel/panic", "proc/sys"), "kernel/panic");
	/* lexical: ".." is a name like any other */
	assert_string_equal(path_startswith("/a/../b", "/a"), "../b");
}

static void path_join_keeps_an_absolute_rel(void **state)
{
	char *p;

	assert_int_equal(path_join("/a", "b/c", &p), 0);
	assert_string_equal(p, "/a/b/c");
	free(p);
	assert_int_equal(path_join("/a", "/etc", &p), 0);
	assert_string_equal(p, "/etc");
	free(p);
}

static int record(const char *dir, void *userdata)
{
	return strv_push(userdata, dir);
}

static void mkdir_parents_tells_what_it_made(void **state)
{
	char tmp[] = "/tmp/moat-test-lib.XXXXXX", path[128], *data;
	struct strv made = {};
	struct stat st;
	size_t len;

	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/a//b/c/", tmp);
	assert_int_equal(mkdir_parents_full(path, 0755, 0700, record, &made), 0);
	assert_int_equal(made.n, 3);
	assert_string_equal(made.v[0] + strlen(tmp), "/a");
	assert_string_equal(made.v[2] + strlen(tmp), "/a//b/c");
	assert_int_equal(stat(made.v[2], &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(made.v[1], &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	/* again: nothing made, nothing told */
	strv_free(&made);
	assert_int_equal(mkdir_parents_full(path, 0755, 0700, record, &made), 0);
	assert_int_equal(made.n, 0);

	snprintf(path, sizeof(path), "%s/a/b/c/file", tmp);
	assert_int_equal(write_data_atomic(path, "x\0y", 3, 0640), 0);
	assert_int_equal(write_file_atomic(path, "new text\n", 0600), 0);
	assert_int_equal(read_file(path, &data, &len), 0);
	assert_int_equal(len, 9);
	assert_string_equal(data, "new text\n");
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(read_file("/nonexistent/file", &data, NULL), -ENOENT);
	assert_int_equal(unlink(path), 0); /* and no temporary file beside it */
	snprintf(path, sizeof(path), "%s/a/b/c", tmp);
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/a/b", tmp);
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/a", tmp);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(tmp), 0);
}

static int load(const char *text, unsigned flags, struct json_load_error *e)
{
	struct json_object *o = NULL;
	int r = json_load_object(text, strlen(text), flags, &o, e);

	json_object_put(o);
	return r;
}

static void json_load_says_where(void **state)
{
	struct json_load_error e;

	assert_int_equal(load("{\"a\": [1, 2]}\n", 0, &e), 0);
	assert_int_equal(load("{\"a\": 1,\n \"b\": }", 0, &e), -EINVAL);
	assert_int_equal(e.line, 2);
	assert_true(e.syntax);
	assert_int_equal(load("{\"a\": ", 0, &e), -EINVAL);
	assert_string_equal(e.what, "unexpected end of input");
	assert_int_equal(load("[1]", 0, &e), -EINVAL);
	assert_string_equal(e.what, "not a JSON object");
	assert_false(e.syntax);
	assert_int_equal(load("{}\n {}", 0, &e), -EINVAL);
	assert_string_equal(e.what, "unexpected data after the JSON value");
	assert_int_equal(e.line, 2);
	/* json-c takes these; Go's encoding/json (dockerd, runc) does not */
	assert_int_equal(load("{'a': 1}", 0, &e), 0);
	assert_int_equal(load("{'a': 1}", JSON_LOAD_GO_STRICT, &e), -EINVAL);
	assert_int_equal(e.offset, 1);
	assert_int_equal(load("{\"a\": \"#not/a'comment\"}", JSON_LOAD_GO_STRICT, &e), 0);
	assert_int_equal(load("{} // c", JSON_LOAD_GO_STRICT, &e), -EINVAL);
	assert_string_equal(e.what, "unexpected comment");
}

/* A struct of the conf parser's field types, filled by a table. */
enum color { RED, GREEN };
struct toy {
	char *path;
	struct strv paths;
	uint32_t n;
	bool flag;
	enum color color;
};

static const char *const colors[] = { [RED] = "red", [GREEN] = "green", NULL };
static const struct conf_item toy_items[] = {
	CONF_ITEM("path", conf_parse_path, struct toy, path, NULL),
	CONF_ITEM("more", conf_parse_path_strv, struct toy, paths, NULL),
	CONF_ITEM("n", conf_parse_u32, struct toy, n, NULL),
	CONF_ITEM("flag", conf_parse_bool, struct toy, flag, NULL),
	CONF_ITEM("color", conf_parse_enum, struct toy, color, colors),
};

static char *logged;

static int parse_toy(struct toy *t, const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	size_t len;
	FILE *log = open_memstream(&logged, &len);
	int r;

	log_setup("toy", LOG_LEVEL_QUIET);
	log_set_file(log, 0);
	r = conf_parse(toy_items, ELEMENTSOF(toy_items), t, f, "toy.conf");
	log_set_file(NULL, 0);
	fclose(log);
	fclose(f);
	return r;
}

static void conf_parse_fills_the_fields_by_table(void **state)
{
	struct toy t = {};

	assert_int_equal(parse_toy(&t, "# c\n\n path = /a \nmore=/b\nmore = /c\nn = 7\nflag = yes\n"
				       "color = green\npath = /d\n"),
			 0);
	assert_string_equal(t.path, "/d");
	assert_int_equal(t.paths.n, 2);
	assert_string_equal(t.paths.v[1], "/c");
	assert_int_equal(t.n, 7);
	assert_true(t.flag);
	assert_int_equal(t.color, GREEN);
	free(logged);
	assert_int_equal(parse_toy(&t, "n = 1\ncolor = blue\n"), -EINVAL);
	assert_string_equal(logged, "toy: toy.conf:2: invalid value `blue` for color\n");
	free(logged);
	assert_int_equal(parse_toy(&t, "more = rel\n"), -EINVAL);
	assert_string_equal(logged,
			    "toy: toy.conf:1: invalid value `rel` for more (not an absolute path)\n");
	free(logged);
	assert_int_equal(parse_toy(&t, "\n\nshade = 1\n"), -EINVAL);
	assert_string_equal(logged, "toy: toy.conf:3: unknown key `shade`\n");
	free(logged);
	free(t.path);
	strv_free(&t.paths);
}

static void synthetic_errno_logs_and_returns_the_errno(void **state)
{
	assert_int_equal(ERRNO_VALUE(SYNTHETIC_ERRNO(EINVAL)), EINVAL);
	assert_int_equal(ERRNO_VALUE(-EPERM), EPERM);
	log_setup("test", LOG_LEVEL_QUIET);
	assert_int_equal(log_error_errno(SYNTHETIC_ERRNO(ENOENT), "x"), -ENOENT);
	assert_int_equal(log_error_errno(-EACCES, "x"), -EACCES);
	assert_int_equal(log_error("x"), 0);
	assert_int_equal(exit_status(0), 0);
	assert_int_equal(exit_status(-EPERM), 1);
	assert_int_equal(exit_status(-EUSAGE), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_startswith_is_by_component),
		cmocka_unit_test(path_join_keeps_an_absolute_rel),
		cmocka_unit_test(mkdir_parents_tells_what_it_made),
		cmocka_unit_test(json_load_says_where),
		cmocka_unit_test(conf_parse_fills_the_fields_by_table),
		cmocka_unit_test(synthetic_errno_logs_and_returns_the_errno),
	};

	return cmocka_run_group_tests_name("lib-util", tests, NULL, NULL);
}
