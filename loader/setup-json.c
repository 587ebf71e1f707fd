// SPDX-License-Identifier: LGPL-2.1-or-later
/* setup-json.c - the daemon.json merge of `moatctl setup docker` (see setup.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json-util.h"
#include "setup.h"

/* ---- daemon.json ---- */

static bool is_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* text as a JSON object, as dockerd would read it; *err says why not. */
static int parse_daemon_json(const char *text, struct json_object **obj, char **err)
{
	struct json_load_error e;
	int r = json_load_object(text, strlen(text), JSON_LOAD_GO_STRICT, obj, &e);

	if (r == -EINVAL && err &&
	    asprintf(err, "%s%s (line %u, offset %zu)", e.syntax ? "not valid JSON: " : "", e.what,
		     e.line, e.offset) < 0)
		*err = NULL;
	return r;
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
	else if ((r = parse_daemon_json(text, &root, err)) < 0)
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
	if (asprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_PRETTY)) < 0)
		return -ENOMEM;
	if (report)
		*report = TAKE_PTR(rep_buf);
	return 0;
}
