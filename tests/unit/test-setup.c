// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-setup - `moatctl setup docker` (loader/setup.c): the daemon.json merge,
 * and setup/undo on files in a temporary directory (daemon.json, moat.conf, a
 * fake runc, a systemd drop-in), undo giving back the same bytes. */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "macro.h"
#include "setup.h"

#define RT "/usr/local/bin/moat-runc"

/* ---- helpers ---- */

static struct json_object *merged(const char *in, char **report)
{
	char *out = NULL, *err = NULL;
	struct json_object *j;

	assert_int_equal(setup_merge_daemon_json(in, RT, &out, report, &err), 0);
	assert_null(err);
	assert_true(out[strlen(out) - 1] == '\n');
	j = json_tokener_parse(out);
	assert_non_null(j);
	free(out);
	return j;
}

static const char *str_at(struct json_object *j, const char *a, const char *b, const char *c)
{
	struct json_object *v = json_object_object_get(j, a);

	if (b)
		v = json_object_object_get(v, b);
	if (c)
		v = json_object_object_get(v, c);
	return v ? json_object_get_string(v) : NULL;
}

struct world {
	char dir[64];
	char json[256], conf[256], runc[256], rt[256];
	char state[256], systemd[256];
	struct setup_options o;
	FILE *out;
	char *outbuf;
	size_t outlen;
};

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static char *get(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	if (!f) {
		free(buf);
		return NULL;
	}
	buf[fread(buf, 1, 65535, f)] = '\0';
	fclose(f);
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int world_setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	strcpy(w->dir, "/tmp/moat-test-setup.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->json, sizeof(w->json), "%s/etc/docker/daemon.json", w->dir);
	snprintf(w->conf, sizeof(w->conf), "%s/moat.conf", w->dir);
	snprintf(w->runc, sizeof(w->runc), "%s/runc", w->dir);
	snprintf(w->rt, sizeof(w->rt), "%s/moat-runc", w->dir);
	snprintf(w->state, sizeof(w->state), "%s/state/setup", w->dir);
	snprintf(w->systemd, sizeof(w->systemd), "%s/systemd", w->dir);
	put(w->rt, "#!/bin/sh\n", 0755);
	setup_options_default(&w->o);
	w->o.daemon_json = w->json;
	w->o.runtime_path = w->rt;
	w->o.runc_path = NULL;
	w->o.moat_conf = w->conf;
	w->o.state_dir = w->state;
	w->o.systemd_dir = NULL;
	w->o.pidfile = NULL;
	w->out = open_memstream(&w->outbuf, &w->outlen);
	*state = w;
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int world_teardown(void **state)
{
	struct world *w = *state;

	fclose(w->out);
	free(w->outbuf);
	nftw(w->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(w);
	return 0;
}

static const char *output(struct world *w)
{
	fflush(w->out);
	return w->outbuf;
}

/* ---- the merge ---- */

static void test_merge_empty(void **state)
{
	const char *inputs[] = { NULL, "", "  \n" };

	for (size_t i = 0; i < ELEMENTSOF(inputs); i++) {
		struct json_object *j = merged(inputs[i], NULL);
		struct json_object *e = json_object_object_get(
			json_object_object_get(json_object_object_get(j, "builder"), "Entitlements"),
			"network-host");

		assert_string_equal(str_at(j, "runtimes", "moat", "path"), RT);
		assert_string_equal(str_at(j, "default-runtime", NULL, NULL), "moat");
		assert_non_null(e);
		assert_false(json_object_get_boolean(e));
		assert_string_equal(str_at(j, "builder", "Entitlements", "security-insecure"),
				    "false");
		json_object_put(j);
	}
}

static void test_merge_keeps_other_keys(void **state)
{
	char *report = NULL;
	struct json_object *j = merged(
		"{\"log-level\": \"warn\", \"default-runtime\": \"runc\",\n"
		" \"runtimes\": {\"nvidia\": {\"path\": \"/usr/bin/nvidia-container-runtime\"}},\n"
		" \"builder\": {\"GC\": {\"Enabled\": true}}, \"data-root\": \"/srv/docker\"}",
		&report);

	assert_string_equal(str_at(j, "log-level", NULL, NULL), "warn");
	assert_string_equal(str_at(j, "data-root", NULL, NULL), "/srv/docker");
	assert_string_equal(str_at(j, "runtimes", "nvidia", "path"),
			    "/usr/bin/nvidia-container-runtime");
	assert_string_equal(str_at(j, "runtimes", "moat", "path"), RT);
	assert_string_equal(str_at(j, "builder", "GC", "Enabled"), "true");
	assert_string_equal(str_at(j, "default-runtime", NULL, NULL), "moat");
	/* the report names each change and warns about the other runtime */
	assert_non_null(strstr(report, "default-runtime = \"moat\" (was \"runc\")"));
	assert_non_null(strstr(report, "runtimes.moat = { \"path\": \"" RT "\" } (new)"));
	assert_non_null(strstr(report, "warning: runtimes.nvidia"));
	assert_non_null(strstr(report, "bypasses moat"));
	json_object_put(j);
	free(report);
}

/* Go matches struct fields case-insensitively: reuse "entitlements". */
static void test_merge_entitlements_any_case(void **state)
{
	struct json_object *j = merged(
		"{\"builder\": {\"entitlements\": {\"network-host\": true, \"device\": true}}}",
		NULL);
	struct json_object *b = json_object_object_get(j, "builder");

	assert_null(json_object_object_get(b, "Entitlements"));
	assert_int_equal(json_object_object_length(b), 1);
	assert_string_equal(str_at(b, "entitlements", "network-host", NULL), "false");
	assert_string_equal(str_at(b, "entitlements", "security-insecure", NULL), "false");
	assert_string_equal(str_at(b, "entitlements", "device", NULL), "true");
	json_object_put(j);
}

static void test_merge_idempotent(void **state)
{
	char *once = NULL, *twice = NULL, *report = NULL;

	assert_int_equal(setup_merge_daemon_json("{\"debug\": true}", RT, &once, NULL, NULL), 0);
	assert_int_equal(setup_merge_daemon_json(once, RT, &twice, &report, NULL), 0);
	assert_string_equal(once, twice);
	assert_string_equal(report, "");
	free(once);
	free(twice);
	free(report);
}

static void test_merge_malformed(void **state)
{
	const char *bad[] = { "{\"a\": ", "{\"a\": 1,}", "[1, 2]", "\"moat\"", "{} {}",
			      "{\"runtimes\": 5}", "{\"runtimes\": [\"moat\"]}",
			      "{\"builder\": \"yes\"}", "{\"builder\": {\"Entitlements\": 1}}",
			      "{'a': 1}", "{\"a\": 'b'}", "{/* c */}", "{\"a\": 1} // c" };

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char *out = NULL, *err = NULL;

		assert_int_equal(setup_merge_daemon_json(bad[i], RT, &out, NULL, &err), -EINVAL);
		assert_null(out);
		assert_non_null(err);
		assert_true(strstr(err, "not valid JSON") || strstr(err, "not a JSON object") ||
			    strstr(err, "not an object"));
		free(err);
	}
}

/* ---- setup and undo on files ---- */

static void test_setup_creates_then_undo_removes(void **state)
{
	struct world *w = *state;
	char *text, dir[PATH_MAX];

	assert_int_equal(setup_docker(&w->o, w->out), 0);
	text = get(w->json);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"default-runtime\": \"moat\""));
	free(text);
	assert_non_null(strstr(output(w), "daemon.json: created"));
	assert_non_null(strstr(output(w), "--undo"));

	assert_int_equal(setup_docker_undo(&w->o, w->out), 0);
	assert_false(exists(w->json));
	/* the directories setup made (etc/docker) and the state are gone */
	snprintf(dir, sizeof(dir), "%s/etc", w->dir);
	assert_false(exists(dir));
	assert_false(exists(w->state));
	assert_non_null(strstr(output(w), "removed (it did not exist before)"));
}

static void test_undo_restores_bytes(void **state)
{
	struct world *w = *state;
	const char *orig = "{ \"log-level\":\"warn\" ,\n\n  \"debug\" : false }   \n";
	char dir[PATH_MAX], *text;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/etc", w->dir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/etc/docker", w->dir);
	mkdir(dir, 0755);
	put(w->json, orig, 0640);

	/* twice: the second run changes nothing and keeps the first original */
	assert_int_equal(setup_docker(&w->o, w->out), 0);
	assert_int_equal(setup_docker(&w->o, w->out), 0);
	assert_non_null(strstr(output(w), "already configured for moat"));
	text = get(w->json);
	assert_non_null(strstr(text, "\"log-level\": \"warn\""));
	free(text);
	assert_int_equal(stat(w->json, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	assert_int_equal(setup_docker_undo(&w->o, w->out), 0);
	text = get(w->json);
	assert_string_equal(text, orig);
	free(text);
	assert_int_equal(stat(w->json, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_true(exists(dir));
	assert_false(exists(w->state));
	/* nothing left to undo */
	assert_int_equal(setup_docker_undo(&w->o, w->out), 0);
	assert_non_null(strstr(output(w), "nothing to undo"));
}

static void test_malformed_changes_nothing(void **state)
{
	struct world *w = *state;
	const char *orig = "{\"runtimes\": {\"moat\": {\"path\": \"/x\"}},\n";
	char dir[PATH_MAX], *text;

	snprintf(dir, sizeof(dir), "%s/etc", w->dir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/etc/docker", w->dir);
	mkdir(dir, 0755);
	put(w->json, orig, 0644);
	put(w->runc, "real runc", 0755);
	w->o.runc_path = w->runc;

	assert_int_equal(setup_docker(&w->o, w->out), -EINVAL);
	text = get(w->json);
	assert_string_equal(text, orig);
	free(text);
	assert_false(exists(w->state));
	/* the runc step never ran */
	text = get(w->runc);
	assert_string_equal(text, "real runc");
	free(text);
}

static void test_runc_divert_and_back(void **state)
{
	struct world *w = *state;
	char real[PATH_MAX + 8], link[PATH_MAX], *text;
	const char *conf = "# mine\nkernel_policy = required";
	struct stat st;
	ssize_t n;

	put(w->runc, "real runc", 0755);
	put(w->conf, conf, 0600);
	w->o.runc_path = w->runc;
	snprintf(real, sizeof(real), "%s.real", w->runc);

	assert_int_equal(setup_docker(&w->o, w->out), 0);
	assert_int_equal(lstat(w->runc, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(w->runc, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, w->rt);
	text = get(real);
	assert_string_equal(text, "real runc");
	free(text);
	text = get(w->conf);
	assert_non_null(strstr(text, "kernel_policy = required\n# moatctl setup docker"));
	assert_non_null(strstr(text, "\nrunc = "));
	assert_non_null(strstr(text, real));
	free(text);
	assert_non_null(strstr(output(w), "so --runtime=runc runs moat too"));

	/* again: already done */
	assert_int_equal(setup_docker(&w->o, w->out), 0);
	assert_non_null(strstr(output(w), "already runs"));

	assert_int_equal(setup_docker_undo(&w->o, w->out), 0);
	assert_int_equal(lstat(w->runc, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	text = get(w->runc);
	assert_string_equal(text, "real runc");
	free(text);
	assert_false(exists(real));
	text = get(w->conf);
	assert_string_equal(text, conf);
	free(text);
	assert_int_equal(stat(w->conf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_runc_link_when_absent(void **state)
{
	struct world *w = *state;
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/bin/runc", w->dir);
	w->o.runc_path = path;
	assert_int_equal(setup_docker(&w->o, w->out), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_false(exists(w->conf)); /* the real runc stays the default one */
	assert_int_equal(setup_docker_undo(&w->o, w->out), 0);
	assert_false(exists(path));
	snprintf(path, sizeof(path), "%s/bin", w->dir);
	assert_false(exists(path));
}

static void test_runc_leftover_real_refused(void **state)
{
	struct world *w = *state;
	char real[PATH_MAX + 8];

	put(w->runc, "real runc", 0755);
	snprintf(real, sizeof(real), "%s.real", w->runc);
	put(real, "older", 0755);
	w->o.runc_path = w->runc;
	assert_int_equal(setup_docker(&w->o, w->out), -EEXIST);
	/* daemon.json was changed before: undo puts it back */
	assert_int_equal(setup_docker_undo(&w->o, w->out), 0);
	assert_false(exists(w->json));
	assert_true(exists(real));
}

static void test_systemd_dropin(void **state)
{
	struct world *w = *state;
	char path[PATH_MAX], *text;

	mkdir(w->systemd, 0755);
	put(w->rt, "#!/bin/sh\n", 0755);
	snprintf(path, sizeof(path), "%s/moat-fs.service", w->systemd);
	put(path, "[Unit]\n", 0644);
	w->o.systemd_dir = w->systemd;
	assert_int_equal(setup_docker(&w->o, w->out), 0);
	snprintf(path, sizeof(path), "%s/docker.service.d/moat.conf", w->systemd);
	text = get(path);
	assert_non_null(text);
	assert_non_null(strstr(text, "\n[Unit]\nAfter=moat-loader.service moat-fs.service\n"
				     "Requires=moat-loader.service moat-fs.service\n"));
	free(text);
	assert_int_equal(setup_docker_undo(&w->o, w->out), 0);
	assert_false(exists(path));
	snprintf(path, sizeof(path), "%s/docker.service.d", w->systemd);
	assert_false(exists(path));
	assert_true(exists(w->systemd));
}

static void test_no_systemd_dir(void **state)
{
	struct world *w = *state;

	w->o.systemd_dir = w->systemd; /* absent */
	assert_int_equal(setup_docker(&w->o, w->out), 0);
	assert_non_null(strstr(output(w), "X-Start-Before"));
	assert_false(exists(w->systemd));
}

static void test_relative_runtime_refused(void **state)
{
	struct world *w = *state;

	w->o.runtime_path = "build/moat-runc";
	assert_int_equal(setup_docker(&w->o, w->out), -EINVAL);
	assert_false(exists(w->json));
	assert_false(exists(w->state));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_empty),
		cmocka_unit_test(test_merge_keeps_other_keys),
		cmocka_unit_test(test_merge_entitlements_any_case),
		cmocka_unit_test(test_merge_idempotent),
		cmocka_unit_test(test_merge_malformed),
		cmocka_unit_test_setup_teardown(test_setup_creates_then_undo_removes, world_setup,
						world_teardown),
		cmocka_unit_test_setup_teardown(test_undo_restores_bytes, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_changes_nothing, world_setup,
						world_teardown),
		cmocka_unit_test_setup_teardown(test_runc_divert_and_back, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_runc_link_when_absent, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_runc_leftover_real_refused, world_setup,
						world_teardown),
		cmocka_unit_test_setup_teardown(test_systemd_dropin, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_no_systemd_dir, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_relative_runtime_refused, world_setup,
						world_teardown),
	};

	return cmocka_run_group_tests_name("setup", tests, NULL, NULL);
}
