// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * setup.c - `moatctl setup docker [--undo]` (see setup.h).
 *
 * The state directory holds manifest.json and one backup file per file
 * changed. The manifest is rewritten before each change, so an interrupted
 * setup can still be undone. Its shape:
 *   {"files": [{"path": P, "backup": "file-N" | null, "mode": M}, ...],
 *    "dirs": [D, ...],                       directories setup created
 *    "runc": {"path": P, "real": R | null, "dpkg": bool}}
 * A file entry whose backup is null did not exist: undo removes it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "log.h"
#include "setup.h"

extern char **environ;

#define MANIFEST "manifest.json"
#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

void setup_options_default(struct setup_options *o)
{
	*o = (struct setup_options){
		.daemon_json = SETUP_DAEMON_JSON,
		.runtime_path = SETUP_RUNTIME_PATH,
		.runc_path = SETUP_RUNC_PATH,
		.moat_conf = SETUP_MOAT_CONF,
		.state_dir = SETUP_STATE_DIR,
		.systemd_dir = SETUP_SYSTEMD_DIR,
		.pidfile = SETUP_DOCKER_PIDFILE,
	};
}

/* ---- small file helpers ---- */

static void json_putp(struct json_object **j)
{
	if (*j)
		json_object_put(*j);
}
#define _cleanup_json_ _cleanup_(json_putp)

static void closedirp(DIR **d)
{
	if (*d)
		(void)closedir(*d);
}

/* The whole file, NUL-terminated; -ENOENT when it does not exist. */
static int read_all(const char *path, char **buf, size_t *len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *b = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return negative_errno();
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(b, cap = cap * 2 + 8192);

			if (!nb)
				return -ENOMEM;
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n - 1, f);

		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
		return -EIO;
	b[n] = '\0';
	*buf = TAKE_PTR(b);
	if (len)
		*len = n;
	return 0;
}

/* mkdir -p; each directory created is appended to created (may be NULL). */
static int mkdir_parents(const char *dir, struct json_object *created)
{
	_cleanup_free_ char *p = strdup(dir);
	char *s;

	if (!p)
		return -ENOMEM;
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) == 0) {
			if (created)
				json_object_array_add(created, json_object_new_string(p));
		} else if (errno != EEXIST) {
			return negative_errno();
		}
		*s = c;
		if (c == '\0')
			break;
	}
	return 0;
}

/* Replace path with data (a temporary file in the same directory, renamed). */
static int write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	size_t off = 0;

	if (asprintf(&tmp, "%s.moat-XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			int r = negative_errno();

			(void)unlink(tmp);
			return r;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0) {
		int r = negative_errno();

		(void)unlink(tmp);
		return r;
	}
	return 0;
}

static char *path_join(const char *a, const char *b)
{
	char *p;

	return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

/* Run argv, quietly; its exit status, or -errno when it could not run. */
static int run_quiet(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return -r;
	if (waitpid(pid, &st, 0) < 0)
		return negative_errno();
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- daemon.json ---- */

static bool is_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* What json-c lets through even in strict mode and Go's encoding/json (so
 * dockerd) does not: a single quote or a comment outside strings. The
 * offset of the first, or -1. */
static long lenient_json_at(const char *text)
{
	bool in_string = false;

	for (const char *p = text; *p; p++) {
		if (in_string) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_string = false;
		} else if (*p == '"') {
			in_string = true;
		} else if (*p == '\'' || *p == '/' || *p == '#') {
			return p - text;
		}
	}
	return -1;
}

static int parse_json_object(const char *text, struct json_object **obj, char **err)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error e;
	size_t len = strlen(text);
	long bad = lenient_json_at(text);

	if (bad >= 0) {
		if (err && asprintf(err, "not valid JSON (unexpected '%c' at offset %ld)", text[bad],
				    bad) < 0)
			*err = NULL;
		return -EINVAL;
	}

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	if (!o || e != json_tokener_success) {
		if (err && asprintf(err, "not valid JSON (%s at offset %zu)",
				    e == json_tokener_continue ? "unexpected end" :
								 json_tokener_error_desc(e),
				    json_tokener_get_parse_end(tok)) < 0)
			*err = NULL;
		json_object_put(o);
		json_tokener_free(tok);
		return -EINVAL;
	}
	if (!is_blank(text + json_tokener_get_parse_end(tok))) {
		if (err && asprintf(err, "not valid JSON (more data after the value, at offset %zu)",
				    json_tokener_get_parse_end(tok)) < 0)
			*err = NULL;
		json_object_put(o);
		json_tokener_free(tok);
		return -EINVAL;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		if (err)
			*err = strdup("not a JSON object ({...})");
		json_object_put(o);
		return -EINVAL;
	}
	*obj = o;
	return 0;
}

/* The value of key, or of a key equal to it but for case (Go's encoding/json
 * matches struct fields that way); its exact spelling in *found. */
static struct json_object *get_key_nocase(struct json_object *obj, const char *key,
					   const char **found)
{
	json_object_object_foreach(obj, k, v)
	{
		if (strcasecmp(k, key) == 0) {
			*found = k;
			return v;
		}
	}
	*found = key;
	return NULL;
}

/* obj[key] as an object, created when absent; NULL (and *err) when it is
 * there with another type. */
static struct json_object *child_object(struct json_object *obj, const char *key, bool nocase,
					const char *name, char **err)
{
	const char *k = key;
	struct json_object *v;

	if (nocase)
		v = get_key_nocase(obj, key, &k);
	else
		v = json_object_object_get(obj, key);
	if (!v || json_object_is_type(v, json_type_null)) {
		v = json_object_new_object();
		json_object_object_add(obj, k, v);
		return v;
	}
	if (!json_object_is_type(v, json_type_object)) {
		if (err && asprintf(err, "\"%s\" is a JSON %s, not an object", name,
				    json_type_to_name(json_object_get_type(v))) < 0)
			*err = NULL;
		return NULL;
	}
	return v;
}

static const char *json_text(struct json_object *v)
{
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Set obj[key] = val (taking it), reporting the change as NAME: old -> new. */
static void set_reported(struct json_object *obj, const char *key, struct json_object *val,
			 const char *name, FILE *rep)
{
	struct json_object *old = json_object_object_get(obj, key);

	if (old && json_object_equal(old, val)) {
		json_object_put(val);
		return;
	}
	if (rep && !old) {
		fprintf(rep, "%s = %s (new)\n", name, json_text(val));
	} else if (rep) {
		_cleanup_free_ char *was = strdup(json_text(old));

		fprintf(rep, "%s = %s (was %s)\n", name, json_text(val), was ? was : "?");
	}
	json_object_object_add(obj, key, val);
}

static int merge_runtimes(struct json_object *root, const char *runtime_path, FILE *rep,
			  char **err)
{
	struct json_object *runtimes, *moat;

	runtimes = child_object(root, "runtimes", false, "runtimes", err);
	if (!runtimes)
		return -EINVAL;
	moat = json_object_new_object();
	json_object_object_add(moat, "path", json_object_new_string(runtime_path));
	set_reported(runtimes, SETUP_RUNTIME_NAME, moat, "runtimes." SETUP_RUNTIME_NAME, rep);
	set_reported(root, "default-runtime", json_object_new_string(SETUP_RUNTIME_NAME),
		     "default-runtime", rep);
	json_object_object_foreach(runtimes, name, rt)
	{
		struct json_object *p = json_object_is_type(rt, json_type_object) ?
						json_object_object_get(rt, "path") :
						NULL;

		if (strcmp(name, SETUP_RUNTIME_NAME) && rep)
			fprintf(rep,
				"warning: runtimes.%s (%s) bypasses moat: containers run with "
				"--runtime=%s are not isolated; remove it from daemon.json\n",
				name, p ? json_object_get_string(p) : "?", name);
	}
	return 0;
}

/* BuildKit's entitlements (dockerd >= 19.03: builder.Entitlements). */
static int merge_builder(struct json_object *root, FILE *rep, char **err)
{
	static const char *const ents[] = { "network-host", "security-insecure" };
	struct json_object *builder, *e;
	const char *k;

	builder = child_object(root, "builder", true, "builder", err);
	if (!builder)
		return -EINVAL;
	get_key_nocase(builder, "Entitlements", &k);
	e = child_object(builder, k, true, "builder.Entitlements", err);
	if (!e)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(ents); i++) {
		_cleanup_free_ char *name = NULL;

		if (asprintf(&name, "builder.%s.%s", k, ents[i]) < 0)
			return -ENOMEM;
		set_reported(e, ents[i], json_object_new_boolean(0), name, rep);
	}
	return 0;
}

int setup_merge_daemon_json(const char *text, const char *runtime_path, char **out,
			    char **report, char **err)
{
	_cleanup_json_ struct json_object *root = NULL;
	_cleanup_free_ char *rep_buf = NULL;
	size_t rep_len = 0;
	FILE *rep;
	int r;

	if (err)
		*err = NULL;
	if (is_blank(text))
		root = json_object_new_object();
	else if ((r = parse_json_object(text, &root, err)) < 0)
		return r;
	rep = open_memstream(&rep_buf, &rep_len);
	if (!rep)
		return -ENOMEM;
	r = merge_runtimes(root, runtime_path, rep, err);
	if (r >= 0)
		r = merge_builder(root, rep, err);
	fclose(rep);
	if (r < 0)
		return r;
	if (asprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_FLAGS)) < 0)
		return -ENOMEM;
	if (report)
		*report = TAKE_PTR(rep_buf);
	return 0;
}

/* ---- the manifest ---- */

struct manifest {
	const char *dir;
	struct json_object *root, *files, *dirs;
};

static void manifest_free(struct manifest *m)
{
	json_object_put(m->root);
	m->root = NULL;
}

static int manifest_load(struct manifest *m, const char *dir, bool *existed)
{
	_cleanup_free_ char *path = path_join(dir, MANIFEST), *text = NULL;
	int r;

	m->dir = dir;
	if (!path)
		return -ENOMEM;
	r = read_all(path, &text, NULL);
	*existed = r >= 0;
	if (r == -ENOENT) {
		m->root = json_object_new_object();
		json_object_object_add(m->root, "files", json_object_new_array());
		json_object_object_add(m->root, "dirs", json_object_new_array());
	} else if (r < 0) {
		return log_error_errno(r, "cannot read %s: %m", path);
	} else if (parse_json_object(text, &m->root, NULL) < 0) {
		return log_error("%s is damaged (not a JSON object); restore the files by hand "
				 "from %s",
				 path, dir);
	}
	m->files = json_object_object_get(m->root, "files");
	m->dirs = json_object_object_get(m->root, "dirs");
	if (!json_object_is_type(m->files, json_type_array) ||
	    !json_object_is_type(m->dirs, json_type_array))
		return log_error("%s is damaged (no files or dirs list)", path);
	return 0;
}

static int manifest_save(struct manifest *m)
{
	_cleanup_free_ char *path = path_join(m->dir, MANIFEST), *text = NULL;
	int r;

	if (!path)
		return -ENOMEM;
	r = mkdir_parents(m->dir, NULL);
	if (r < 0)
		return log_error_errno(r, "cannot create %s: %m", m->dir);
	if (asprintf(&text, "%s\n", json_object_to_json_string_ext(m->root, JSON_FLAGS)) < 0)
		return -ENOMEM;
	r = write_atomic(path, text, strlen(text), 0600);
	if (r < 0)
		return log_error_errno(r, "cannot write %s: %m", path);
	return 0;
}

static struct json_object *manifest_file(struct manifest *m, const char *path)
{
	size_t n = json_object_array_length(m->files);

	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(m->files, i);
		struct json_object *p = json_object_object_get(e, "path");

		if (p && strcmp(json_object_get_string(p), path) == 0)
			return e;
	}
	return NULL;
}

/* Before the first change to path: keep its bytes (or that it was absent). */
static int manifest_save_original(struct manifest *m, const char *path)
{
	_cleanup_free_ char *data = NULL, *backup = NULL, *bpath = NULL;
	struct json_object *e;
	struct stat st;
	size_t len = 0;
	int r;

	if (manifest_file(m, path))
		return 0;
	e = json_object_new_object();
	json_object_object_add(e, "path", json_object_new_string(path));
	r = read_all(path, &data, &len);
	if (r == -ENOENT) {
		json_object_object_add(e, "backup", NULL);
	} else if (r < 0) {
		json_object_put(e);
		return log_error_errno(r, "cannot read %s: %m", path);
	} else {
		if (stat(path, &st) < 0)
			st.st_mode = 0644;
		if (asprintf(&backup, "file-%zu", json_object_array_length(m->files)) < 0 ||
		    !(bpath = path_join(m->dir, backup))) {
			json_object_put(e);
			return -ENOMEM;
		}
		r = mkdir_parents(m->dir, NULL);
		if (r >= 0)
			r = write_atomic(bpath, data, len, 0600);
		if (r < 0) {
			json_object_put(e);
			return log_error_errno(r, "cannot save %s to %s: %m", path, bpath);
		}
		json_object_object_add(e, "backup", json_object_new_string(backup));
		json_object_object_add(e, "mode", json_object_new_int(st.st_mode & 07777));
	}
	json_object_array_add(m->files, e);
	return manifest_save(m);
}

/* mkdir -p the directory of a file; what was created goes in the manifest. */
static int mkdir_parents_dirname(const char *file, struct manifest *m)
{
	_cleanup_free_ char *dir = strdup(file);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	size_t before;
	int r;

	if (!dir)
		return -ENOMEM;
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	before = json_object_array_length(m->dirs);
	r = mkdir_parents(dir, m->dirs);
	if (r < 0)
		return log_error_errno(r, "cannot create %s: %m", dir);
	return json_object_array_length(m->dirs) != before ? manifest_save(m) : 0;
}

/* ---- the steps ---- */

static int step_daemon_json(const struct setup_options *o, struct manifest *m, FILE *out)
{
	_cleanup_free_ char *text = NULL, *merged = NULL, *report = NULL, *err = NULL;
	struct stat st;
	char *line, *save;
	int r;

	r = read_all(o->daemon_json, &text, NULL);
	if (r < 0 && r != -ENOENT)
		return log_error_errno(r, "cannot read %s: %m", o->daemon_json);
	r = setup_merge_daemon_json(text, o->runtime_path, &merged, &report, &err);
	if (r == -EINVAL)
		return log_error("%s: %s; nothing was changed", o->daemon_json,
				 err ? err : "invalid"),
		       r;
	if (r < 0)
		return log_error_errno(r, "cannot merge %s: %m", o->daemon_json);
	if (text && strcmp(text, merged) == 0) {
		fprintf(out, "%s: already configured for moat\n", o->daemon_json);
		return 0;
	}
	r = manifest_save_original(m, o->daemon_json);
	if (r < 0)
		return r;
	r = mkdir_parents_dirname(o->daemon_json, m);
	if (r < 0)
		return r;
	if (stat(o->daemon_json, &st) < 0)
		st.st_mode = 0644;
	r = write_atomic(o->daemon_json, merged, strlen(merged), st.st_mode & 07777);
	if (r < 0)
		return log_error_errno(r, "cannot write %s: %m", o->daemon_json);
	fprintf(out, "%s: %s\n", o->daemon_json, text ? "updated" : "created");
	for (line = strtok_r(report, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(out, "  %s\n", line);
	return 0;
}

/* The runc that moat.conf names: its last `runc = ...` line, or the default. */
static char *conf_runc(const char *conf)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save, *val = NULL;

	if (read_all(conf, &text, NULL) < 0)
		return strdup(SETUP_RUNC_PATH);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *k = line + strspn(line, " \t"), *eq = strchr(k, '=');
		size_t klen;

		if (*k == '#' || !eq)
			continue;
		klen = strcspn(k, " \t=");
		if (klen != 4 || strncmp(k, "runc", 4))
			continue;
		eq++;
		eq += strspn(eq, " \t");
		eq[strcspn(eq, " \t\r")] = '\0';
		free(val);
		val = strdup(eq);
	}
	return val ? val : strdup(SETUP_RUNC_PATH);
}

/* Append `runc = real` to moat.conf (a later line wins). */
static int point_conf_at(const struct setup_options *o, struct manifest *m, const char *real,
			 FILE *out)
{
	_cleanup_free_ char *cur = conf_runc(o->moat_conf), *text = NULL, *new = NULL;
	struct stat st;
	int r;

	if (cur && strcmp(cur, real) == 0)
		return 0;
	r = manifest_save_original(m, o->moat_conf);
	if (r < 0)
		return r;
	r = read_all(o->moat_conf, &text, NULL);
	if (r < 0 && r != -ENOENT)
		return log_error_errno(r, "cannot read %s: %m", o->moat_conf);
	if (asprintf(&new, "%s%s# moatctl setup docker: the engine's runc is moat-runc now\nrunc = %s\n",
		     text ? text : "", text && *text && text[strlen(text) - 1] != '\n' ? "\n" : "",
		     real) < 0)
		return -ENOMEM;
	r = mkdir_parents_dirname(o->moat_conf, m);
	if (r < 0)
		return r;
	if (stat(o->moat_conf, &st) < 0)
		st.st_mode = 0644;
	r = write_atomic(o->moat_conf, new, strlen(new), st.st_mode & 07777);
	if (r < 0)
		return log_error_errno(r, "cannot write %s: %m", o->moat_conf);
	fprintf(out, "%s: runc = %s (the real runc, for moat-runc)\n", o->moat_conf, real);
	return 0;
}

static bool dpkg_owns(const char *path)
{
	char *argv[] = { "dpkg-query", "-S", (char *)path, NULL };

	return run_quiet(argv) == 0;
}

/* No runc at runc_path (e.g. a directory put first in the engine's PATH):
 * only a link there; the real runc stays what moat.conf names. */
static int link_runc(const struct setup_options *o, struct manifest *m, FILE *out)
{
	_cleanup_free_ char *real = conf_runc(o->moat_conf);
	char a[PATH_MAX], b[PATH_MAX];
	int r;

	if (real && realpath(real, a) && realpath(o->runtime_path, b) && strcmp(a, b) == 0)
		return log_error("%s names %s as the real runc, which is moat-runc itself: set "
				 "`runc = PATH` there first",
				 o->moat_conf, real),
		       -EINVAL;
	r = manifest_save_original(m, o->runc_path);
	if (r >= 0)
		r = mkdir_parents_dirname(o->runc_path, m);
	if (r < 0)
		return r;
	if (symlink(o->runtime_path, o->runc_path) < 0)
		return log_error_errno(errno, "cannot link %s to %s: %m", o->runc_path,
				       o->runtime_path);
	fprintf(out, "%s: link to %s (the engine's `runc`; the real runc is %s)\n", o->runc_path,
		o->runtime_path, real ? real : "?");
	return 0;
}

/* runc_path is the real runc: move it aside and put a link in its place. */
static int divert_runc(const struct setup_options *o, struct manifest *m, FILE *out)
{
	_cleanup_free_ char *real = NULL;
	struct json_object *rec;
	bool dpkg;
	int r;

	if (asprintf(&real, "%s.real", o->runc_path) < 0)
		return -ENOMEM;
	if (access(real, F_OK) == 0)
		return log_error("%s exists already (left by an earlier setup?); move it back to "
				 "%s or remove it",
				 real, o->runc_path),
		       -EEXIST;
	dpkg = dpkg_owns(o->runc_path);
	rec = json_object_new_object();
	json_object_object_add(rec, "path", json_object_new_string(o->runc_path));
	json_object_object_add(rec, "real", json_object_new_string(real));
	json_object_object_add(rec, "dpkg", json_object_new_boolean(dpkg));
	json_object_object_add(m->root, "runc", rec);
	r = manifest_save(m);
	if (r < 0)
		return r;
	if (dpkg) {
		char *argv[] = { "dpkg-divert", "--local", "--rename", "--divert", real,
				 "--add", (char *)o->runc_path, NULL };

		if (run_quiet(argv) != 0)
			return log_error("dpkg-divert --rename --divert %s --add %s failed", real,
					 o->runc_path),
			       -EIO;
	} else if (rename(o->runc_path, real) < 0) {
		return log_error_errno(errno, "cannot rename %s to %s: %m", o->runc_path, real);
	}
	if (symlink(o->runtime_path, o->runc_path) < 0) {
		r = log_error_errno(errno, "cannot link %s to %s: %m (run --undo)", o->runc_path,
				    o->runtime_path);
		return r;
	}
	fprintf(out, "%s: moved to %s%s; now a link to %s, so --runtime=runc runs moat too\n",
		o->runc_path, real, dpkg ? " (dpkg-divert)" : "", o->runtime_path);
	return point_conf_at(o, m, real, out);
}

static int step_runc(const struct setup_options *o, struct manifest *m, FILE *out)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat st;

	if (!o->runc_path)
		return 0;
	if (lstat(o->runc_path, &st) < 0) {
		if (errno != ENOENT)
			return log_error_errno(errno, "cannot stat %s: %m", o->runc_path);
		return link_runc(o, m, out);
	}
	if (realpath(o->runc_path, a) && realpath(o->runtime_path, b) && strcmp(a, b) == 0) {
		fprintf(out, "%s: already runs %s\n", o->runc_path, o->runtime_path);
		return 0;
	}
	return divert_runc(o, m, out);
}

static bool unit_exists(const struct setup_options *o, const char *unit)
{
	const char *dirs[] = { o->systemd_dir, "/lib/systemd/system", "/usr/lib/systemd/system" };

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_free_ char *p = path_join(dirs[i], unit);

		if (p && access(p, F_OK) == 0)
			return true;
	}
	return false;
}

static void systemd_reload(const struct setup_options *o, FILE *out)
{
	char *argv[] = { "systemctl", "daemon-reload", NULL };

	if (strcmp(o->systemd_dir, SETUP_SYSTEMD_DIR) || access("/run/systemd/system", F_OK))
		return;
	if (run_quiet(argv) == 0)
		fprintf(out, "systemd: reloaded (systemctl daemon-reload)\n");
	else
		log_warning("systemctl daemon-reload failed");
}

/* docker.service starts after, and requires, moat-loader (and moat-fs). */
static int step_systemd(const struct setup_options *o, struct manifest *m, FILE *out)
{
	_cleanup_free_ char *path = NULL, *want = NULL, *cur = NULL;
	struct stat st;
	bool fs;
	int r;

	if (!o->systemd_dir)
		return 0;
	if (stat(o->systemd_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(out, "%s: not there, no systemd drop-in (without systemd, the init scripts "
			     "start moat-loader and moat-fs before docker: X-Start-Before)\n",
			o->systemd_dir);
		return 0;
	}
	fs = unit_exists(o, "moat-fs.service");
	if (asprintf(&path, "%s/docker.service.d/moat.conf", o->systemd_dir) < 0 ||
	    asprintf(&want,
		     "# Written by `moatctl setup docker`; `moatctl setup docker --undo` removes it.\n"
		     "# No container starts before moat's kernel policy%s is up.\n"
		     "[Unit]\n"
		     "After=moat-loader.service moat-fs.service\n"
		     "Requires=moat-loader.service%s\n",
		     fs ? " and /proc emulation" : "", fs ? " moat-fs.service" : "") < 0)
		return -ENOMEM;
	if (read_all(path, &cur, NULL) >= 0 && strcmp(cur, want) == 0) {
		fprintf(out, "%s: already there\n", path);
		return 0;
	}
	r = manifest_save_original(m, path);
	if (r >= 0)
		r = mkdir_parents_dirname(path, m);
	if (r < 0)
		return r;
	r = write_atomic(path, want, strlen(want), 0644);
	if (r < 0)
		return log_error_errno(r, "cannot write %s: %m", path);
	fprintf(out, "%s: docker.service starts after moat-loader.service%s\n", path,
		fs ? " and moat-fs.service" : " (moat-fs.service is not installed)");
	systemd_reload(o, out);
	return 0;
}

/* SIGHUP makes dockerd re-read daemon.json (runtimes, default-runtime). */
static void reload_dockerd(const struct setup_options *o, FILE *out)
{
	_cleanup_free_ char *text = NULL, *comm = NULL, *commpath = NULL;
	long pid;

	if (!o->pidfile)
		return;
	if (read_all(o->pidfile, &text, NULL) < 0 || (pid = strtol(text, NULL, 10)) <= 0) {
		fprintf(out, "dockerd: not running (no %s); the settings apply when it starts\n",
			o->pidfile);
		return;
	}
	if (asprintf(&commpath, "/proc/%ld/comm", pid) < 0 || read_all(commpath, &comm, NULL) < 0 ||
	    strcmp(comm, "dockerd\n") != 0) {
		fprintf(out, "dockerd: not running (%s names pid %ld, which is not dockerd)\n",
			o->pidfile, pid);
		return;
	}
	if (kill((pid_t)pid, SIGHUP) < 0) {
		log_warning("cannot signal dockerd (pid %ld): %m; restart it", pid);
		return;
	}
	fprintf(out, "dockerd (pid %ld): reloading daemon.json (SIGHUP); the builder settings "
		     "apply at its next restart\n",
		pid);
}

int setup_docker(const struct setup_options *o, FILE *out)
{
	struct manifest m = {};
	bool existed;
	int r;

	if (o->runtime_path[0] != '/')
		return log_error("--runtime-path must be absolute, not '%s'", o->runtime_path),
		       -EINVAL;
	if (access(o->runtime_path, X_OK) < 0)
		log_warning("%s is not an executable (yet): containers fail until it is",
			    o->runtime_path);
	r = manifest_load(&m, o->state_dir, &existed);
	if (r >= 0)
		r = step_daemon_json(o, &m, out);
	if (r >= 0)
		r = step_runc(o, &m, out);
	if (r >= 0)
		r = step_systemd(o, &m, out);
	if (r >= 0 && json_object_array_length(m.files) > 0)
		fprintf(out, "originals kept in %s; `moatctl setup docker --undo` puts them back\n",
			o->state_dir);
	if (r >= 0)
		reload_dockerd(o, out);
	manifest_free(&m);
	return r;
}

/* ---- undo ---- */

static int undo_runc(struct manifest *m, FILE *out)
{
	struct json_object *rec = json_object_object_get(m->root, "runc"), *v;
	const char *path, *real;
	struct stat st;

	if (!rec)
		return 0;
	path = json_object_get_string(json_object_object_get(rec, "path"));
	real = json_object_get_string(json_object_object_get(rec, "real"));
	v = json_object_object_get(rec, "dpkg");
	if (!path || !real)
		return log_error("the manifest's runc record is damaged"), -EINVAL;
	if (access(real, F_OK) < 0) /* the divert never happened */
		return 0;
	if (lstat(path, &st) == 0) {
		if (!S_ISLNK(st.st_mode))
			return log_error("%s is no longer moat's link (a runc upgrade?); %s kept: "
					 "sort them out by hand",
					 path, real),
			       -EEXIST;
		if (unlink(path) < 0)
			return log_error_errno(errno, "cannot remove %s: %m", path);
	}
	if (json_object_get_boolean(v)) {
		char *argv[] = { "dpkg-divert", "--local", "--rename", "--remove", (char *)path, NULL };

		if (run_quiet(argv) != 0)
			return log_error("dpkg-divert --rename --remove %s failed", path), -EIO;
	} else if (rename(real, path) < 0) {
		return log_error_errno(errno, "cannot rename %s to %s: %m", real, path);
	}
	fprintf(out, "%s: restored (from %s)\n", path, real);
	return 0;
}

static int undo_file(struct manifest *m, struct json_object *e, FILE *out)
{
	const char *path = json_object_get_string(json_object_object_get(e, "path"));
	struct json_object *b = json_object_object_get(e, "backup");
	_cleanup_free_ char *bpath = NULL, *data = NULL;
	size_t len;
	int r;

	if (!path)
		return log_error("a manifest entry has no path"), -EINVAL;
	if (!b) {
		if (unlink(path) < 0 && errno != ENOENT)
			return log_error_errno(errno, "cannot remove %s: %m", path);
		fprintf(out, "%s: removed (it did not exist before)\n", path);
		return 0;
	}
	bpath = path_join(m->dir, json_object_get_string(b));
	if (!bpath)
		return -ENOMEM;
	r = read_all(bpath, &data, &len);
	if (r < 0)
		return log_error_errno(r, "cannot read the saved copy %s of %s: %m", bpath, path);
	r = write_atomic(path, data, len,
			 (mode_t)json_object_get_int(json_object_object_get(e, "mode")));
	if (r < 0)
		return log_error_errno(r, "cannot restore %s: %m", path);
	fprintf(out, "%s: restored\n", path);
	return 0;
}

static int remove_state_dir(struct manifest *m)
{
	_cleanup_(closedirp) DIR *d = opendir(m->dir);
	struct dirent *de;

	if (!d)
		return negative_errno();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			(void)unlinkat(dirfd(d), de->d_name, 0);
	return rmdir(m->dir) < 0 ? negative_errno() : 0;
}

int setup_docker_undo(const struct setup_options *o, FILE *out)
{
	struct manifest m = {};
	bool existed;
	size_t n;
	int r;

	r = manifest_load(&m, o->state_dir, &existed);
	if (r < 0)
		goto out;
	if (!existed) {
		fprintf(out, "nothing to undo (no %s/%s)\n", o->state_dir, MANIFEST);
		goto out;
	}
	r = undo_runc(&m, out);
	if (r < 0)
		goto out;
	json_object_object_del(m.root, "runc");
	for (n = json_object_array_length(m.files); n > 0; n--) {
		r = undo_file(&m, json_object_array_get_idx(m.files, n - 1), out);
		if (r < 0)
			goto out;
		json_object_array_del_idx(m.files, n - 1, 1);
		(void)manifest_save(&m);
	}
	for (n = json_object_array_length(m.dirs); n > 0; n--)
		(void)rmdir(json_object_get_string(json_object_array_get_idx(m.dirs, n - 1)));
	r = remove_state_dir(&m);
	if (r < 0)
		log_warning_errno(r, "cannot remove %s: %m", o->state_dir);
	r = 0;
	if (o->systemd_dir)
		systemd_reload(o, out);
	reload_dockerd(o, out);
out:
	manifest_free(&m);
	return r;
}

/* ---- the command ---- */

static int setup_usage(FILE *f, int status)
{
	fprintf(f,
		"Usage: moatctl setup docker [--undo] [OPTIONS]\n"
		"Make moat the Docker engine's runtime for every container: daemon.json gets\n"
		"runtimes.moat and default-runtime moat, BuildKit's network.host and\n"
		"security.insecure entitlements are turned off, the engine's `runc`\n"
		"(--runtime=runc) becomes a link to moat-runc, and docker.service starts after\n"
		"moat-loader and moat-fs. dockerd, if running, reloads. --undo puts back\n"
		"exactly what was there.\n\n"
		"  --daemon-json PATH   default " SETUP_DAEMON_JSON "\n"
		"  --runtime-path PATH  moat-runc, default " SETUP_RUNTIME_PATH "\n"
		"  --runc-path PATH     the runc the engine runs, default " SETUP_RUNC_PATH "\n"
		"                       (moved to PATH.real; when absent, only a link is made)\n"
		"  --no-runc            leave the engine's runc alone\n"
		"  --moat-conf PATH     default " SETUP_MOAT_CONF "\n"
		"  --state-dir DIR      the originals, default " SETUP_STATE_DIR "\n"
		"  --systemd-dir DIR    default " SETUP_SYSTEMD_DIR "; --no-systemd: no drop-in\n"
		"  --pidfile PATH       dockerd's, default " SETUP_DOCKER_PIDFILE
		"; --no-reload: no SIGHUP\n");
	return status;
}

int cmd_setup(int argc, char **argv)
{
	enum { O_JSON = 256, O_RT, O_RUNC, O_NORUNC, O_CONF, O_STATE, O_SD, O_NOSD, O_PID, O_NOPID };
	static const struct option options[] = {
		{ "undo", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "daemon-json", required_argument, NULL, O_JSON },
		{ "runtime-path", required_argument, NULL, O_RT },
		{ "runc-path", required_argument, NULL, O_RUNC },
		{ "no-runc", no_argument, NULL, O_NORUNC },
		{ "moat-conf", required_argument, NULL, O_CONF },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "systemd-dir", required_argument, NULL, O_SD },
		{ "no-systemd", no_argument, NULL, O_NOSD },
		{ "pidfile", required_argument, NULL, O_PID },
		{ "no-reload", no_argument, NULL, O_NOPID },
		{}
	};
	struct setup_options o;
	int c;

	setup_options_default(&o);
	if (argc < 2 || strcmp(argv[1], "docker")) {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
			return setup_usage(stdout, 0);
		log_error("setup: the only target is 'docker' (moatctl setup docker)");
		return setup_usage(stderr, 2);
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case 'u': o.undo = true; break;
		case 'h': return setup_usage(stdout, 0);
		case O_JSON: o.daemon_json = optarg; break;
		case O_RT: o.runtime_path = optarg; break;
		case O_RUNC: o.runc_path = optarg; break;
		case O_NORUNC: o.runc_path = NULL; break;
		case O_CONF: o.moat_conf = optarg; break;
		case O_STATE: o.state_dir = optarg; break;
		case O_SD: o.systemd_dir = optarg; break;
		case O_NOSD: o.systemd_dir = NULL; break;
		case O_PID: o.pidfile = optarg; break;
		case O_NOPID: o.pidfile = NULL; break;
		default: return setup_usage(stderr, 2);
		}
	}
	if (optind != argc)
		return log_error("setup docker: unexpected argument '%s'", argv[optind]), 2;
	if (o.undo)
		return setup_docker_undo(&o, stdout) < 0 ? 1 : 0;
	return setup_docker(&o, stdout) < 0 ? 1 : 0;
}
