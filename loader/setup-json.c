// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * setup-json.c - the file helpers of `moatctl setup docker` and the daemon.json merge
 * (see setup.h, setup-internal.h).
 */
#include <spawn.h>
#include <strings.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "log.h"
#include "setup-internal.h"
#include "setup.h"

extern char **environ;

/* ---- small file helpers ---- */

/* The whole file, NUL-terminated; -ENOENT when it does not exist. */
int read_all(const char *path, char **buf, size_t *len)
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
int mkdir_parents(const char *dir, struct json_object *created)
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
int write_atomic(const char *path, const char *data, size_t len, mode_t mode)
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

char *path_join(const char *a, const char *b)
{
	char *p;

	return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

/* Run argv, quietly; its exit status, or -errno when it could not run. */
int run_quiet(char *const argv[])
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

int parse_json_object(const char *text, struct json_object **obj, char **err)
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
