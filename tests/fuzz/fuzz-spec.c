// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz-spec.c - libFuzzer target: a config.json's text through what
 * `moat-runc create` does to it (prepare.h), minus the system.
 *
 *   parse         spec_parse(), as spec_load() after reading the file;
 *   check         the namespace checks (nscheck.h) and the restricted bind
 *                 sources (mounts.h), as checks.c does them, but with the
 *                 system's answers made up: a namespace path is the host's
 *                 when it is /proc/{1,self,thread-self}/ns/..., a live moat
 *                 container's for /proc/4242/ns/... and /proc/4343/ns/...,
 *                 some other namespace otherwise; a bind source is
 *                 canonicalised (path_canonical: realpath of what exists)
 *                 instead of being required to exist;
 *   rewrite       rewrite_spec() with views that are names only, moat-fs's
 *                 files (emulate_add) and moat's hook, as prepare.c;
 *   save          the text spec_save() would write, parsed back.
 *
 * Nothing is mounted, claimed, written or run. The rewritten spec must keep
 * moat's invariants (user namespace and range, no namespace of the host, the
 * views, the seccomp rule, the hook first); a violation aborts, so libFuzzer
 * reports it like a crash.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "emulate.h"
#include "error.h"
#include "fs.h"
#include "log.h"
#include "mounts.h"
#include "rewrite.h"
#include "seccomp.h"

#define FUZZ_BUNDLE "/run/moat-fuzz/bundle"
#define FUZZ_VIEWS "/run/moat-fuzz/views"
#define FUZZ_SELF "/usr/local/bin/moat-runc"
#define FUZZ_RANGE_START 100000u

/* The live moat containers whose namespaces a spec may join. */
static const struct cstate live[] = {
	{ .id = (char *)"moat-a", .pid = 4242, .uid_start = 165536, .uid_size = 65536 },
	{ .id = (char *)"moat-b", .pid = 4343, .uid_start = 231072, .uid_size = 65536 },
};

static struct moat_config cfg;
static struct mount_rules rules;

#define fuzz_assert(cond, ...)                                                            \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz-spec: invariant broken: " __VA_ARGS__);     \
			fputc('\n', stderr);                                              \
			abort();                                                          \
		}                                                                         \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *f = fmemopen((char *)"", 1, "r");
	struct strv paths = { 0 };

	log_setup("fuzz-spec", LOG_LEVEL_ERROR);
	if (!f || config_init(&cfg, "/etc/moat/moat.conf") < 0 ||
	    config_parse(&cfg, f, "moat.conf") < 0)
		abort();
	fclose(f);
	/* checks.c's restricted_paths(): moat.conf's and moat's own */
	for (size_t i = 0; i < cfg.restricted.n; i++)
		(void)strv_push(&paths, cfg.restricted.v[i]);
	(void)strv_push(&paths, cfg.state_dir);
	(void)strv_push(&paths, cfg.pin_dir);
	(void)strv_push(&paths, cfg.fsemu_state_dir);
	(void)strv_push(&paths, "/run/runc");
	(void)strv_push(&paths, "/usr/sbin/runc");
	(void)strv_push(&paths, FUZZ_SELF);
	if (mount_rules_init(&rules, &paths, &cfg.data_roots) < 0)
		abort();
	strv_free(&paths);
	return 0;
}

/* The made-up answer of nscheck_classify() for path. */
static enum ns_origin classify_path(const char *path, const char **owner)
{
	static const char *const host[] = { "/proc/1/ns/", "/proc/self/ns/",
					    "/proc/thread-self/ns/" };
	int pid;

	*owner = NULL;
	if (!path || !path[0])
		return NS_PRIVATE;
	for (size_t i = 0; i < ELEMENTSOF(host); i++)
		if (!strncmp(path, host[i], strlen(host[i])))
			return NS_HOST;
	if (sscanf(path, "/proc/%d/ns/", &pid) == 1)
		for (size_t i = 0; i < ELEMENTSOF(live); i++)
			if (live[i].pid == pid) {
				*owner = live[i].id;
				return NS_CONTAINER;
			}
	return NS_OTHER;
}

static void classify(struct json_object *spec, struct ns_plan *ns)
{
	for (int k = 0; k < NS_KIND_MAX; k++) {
		struct json_object *e = spec_namespace(spec, ns_oci_name(k));

		ns->owner[k] = NULL;
		ns->origin[k] = e ? classify_path(spec_string(e, "path"), &ns->owner[k]) :
				    NS_MISSING;
	}
}

/* checks.c's check_namespaces(), on the made-up classification. */
static int check_namespaces(struct plan *pl, char **err)
{
	const char *join = NULL;
	unsigned shared;
	int r;

	classify(pl->spec, &pl->ns);
	shared = nscheck_host_shared(&pl->ns);
	if (shared) {
		_cleanup_free_ char *msg = nscheck_message(shared);

		fuzz_assert(msg, "no message for shared namespaces %#x", shared);
		return error_set(err, -EINVAL, SPEC_INVALID ": %s", msg);
	}
	r = nscheck_join_target(&pl->ns, &join, err);
	if (r < 0 || !join)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(live); i++)
		if (!strcmp(live[i].id, join)) {
			pl->joined = (struct cstate){ .id = strdup(join), .pid = live[i].pid,
						      .uid_start = live[i].uid_start,
						      .uid_size = live[i].uid_size };
			return pl->joined.id ? 0 : -ENOMEM;
		}
	fuzz_assert(false, "join target %s is no live container", join);
	return -EINVAL;
}

/* mounts_check_source(), lexically: the source need not exist here. */
static int check_source(struct plan *pl, const char *src, char **ret, char **err)
{
	_cleanup_free_ char *joined = NULL, *real = NULL;

	if (path_join(pl->bundle, src, &joined) < 0 || path_canonical(joined, &real) < 0)
		return error_set(err, -ENOMEM, "%m");
	if (!mounts_exempt(&rules, real) && mounts_restricted_match(&rules, real))
		return error_set(err, -EPERM, "can't mount %s because it's configured as a "
				 "restricted host mount", src);
	*ret = TAKE_PTR(real);
	return 0;
}

/* checks.c's check_mounts(). */
static int check_mounts(struct plan *pl, char **err)
{
	struct json_object *mounts = spec_member(pl->spec, "mounts");
	int r = 0;

	if (!mounts || !json_object_is_type(mounts, json_type_array))
		return 0;
	pl->n_mounts = json_object_array_length(mounts);
	pl->sources = calloc(pl->n_mounts + 1, sizeof(char *));
	if (!pl->sources)
		return -ENOMEM;
	for (size_t i = 0; i < pl->n_mounts && r >= 0; i++) {
		struct json_object *m = json_object_array_get_idx(mounts, i);
		const char *src = spec_string(m, "source");

		if (!spec_mount_is_bind(m))
			continue;
		if (!src)
			return error_set(err, -EINVAL, SPEC_ERROR ": bind mount #%zu has no source", i);
		r = check_source(pl, src, &pl->sources[i], err);
	}
	return r;
}

static int fake_rootfs(void *userdata, const char *root, char **ret, char **err)
{
	/* "/" has a /proc: emulate_add() then adds its sysctl hook too */
	bool slash = *(const bool *)userdata;

	fuzz_assert(root[0] == '/', "rootfs %s is not absolute", root);
	*ret = strdup(slash ? "/" : FUZZ_VIEWS "/mnt/rootfs");
	return *ret ? 0 : -ENOMEM;
}

static int fake_bind(void *userdata, const char *src, unsigned index, bool recursive,
		     char **ret, char **err)
{
	fuzz_assert(src[0] == '/', "bind source %s is not absolute", src);
	return asprintf(ret, FUZZ_VIEWS "/mnt/%u", index) < 0 ? -ENOMEM : 0;
}

static void check_mappings(struct json_object *lnx, const char *key, uint32_t start)
{
	struct json_object *m = spec_member(lnx, key), *e;

	fuzz_assert(m && json_object_is_type(m, json_type_array) &&
		    json_object_array_length(m) == 1, "%s is not one mapping", key);
	e = json_object_array_get_idx(m, 0);
	fuzz_assert(json_object_get_int64(spec_member(e, "hostID")) == start &&
		    json_object_get_int64(spec_member(e, "containerID")) == 0 &&
		    json_object_get_int64(spec_member(e, "size")) == 65536, "%s is not moat's", key);
}

static size_t rules_naming(struct json_object *spec, const char *syscall)
{
	struct json_object *sc = spec_member(spec_member(spec_member(spec, "linux"), "seccomp"),
					     "syscalls");
	size_t n = 0;

	fuzz_assert(json_object_is_type(sc, json_type_array), "no seccomp syscalls");
	for (size_t i = 0; i < json_object_array_length(sc); i++) {
		struct json_object *names = spec_member(json_object_array_get_idx(sc, i), "names");

		for (size_t j = 0; json_object_is_type(names, json_type_array) &&
				   j < json_object_array_length(names); j++)
			n += !strcmp(json_object_get_string(json_object_array_get_idx(names, j)) ?: "",
				     syscall);
	}
	return n;
}

/* With moat-fs's vetting: a trapped call has a listener, and no rule lets
 * it through unconditionally beside its traps (libseccomp would refuse the
 * profile, or the traps would be dead). */
static void check_vetting(struct json_object *spec)
{
	static const char *const calls[] = { "mount", "umount2", "open_tree", "move_mount" };
	struct json_object *p = spec_member(spec_member(spec, "linux"), "seccomp");
	struct json_object *sc = spec_member(p, "syscalls");

	for (size_t c = 0; c < ELEMENTSOF(calls); c++) {
		size_t traps = 0, open_allows = 0;

		for (size_t i = 0; i < json_object_array_length(sc); i++) {
			struct json_object *r = json_object_array_get_idx(sc, i);
			struct json_object *names = spec_member(r, "names"), *args = spec_member(r, "args");
			const char *action = spec_string(r, "action") ?: "";
			bool named = false;

			for (size_t j = 0; json_object_is_type(names, json_type_array) &&
					   j < json_object_array_length(names); j++)
				named |= !strcmp(json_object_get_string(json_object_array_get_idx(names, j)) ?: "",
						 calls[c]);
			if (!named)
				continue;
			traps += !strcmp(action, "SCMP_ACT_NOTIFY");
			open_allows += !strcmp(action, "SCMP_ACT_ALLOW") &&
				       (!args || json_object_array_length(args) == 0);
		}
		fuzz_assert(!traps || spec_string(p, "listenerPath"), "%s is trapped without a listener",
			    calls[c]);
		fuzz_assert(!traps || !open_allows, "%s is trapped and allowed outright", calls[c]);
	}
}

/* Go's encoding/json (runc) folds ASCII case, long s and the Kelvin sign. */
static int go_fold(const char **p)
{
	if (!strncmp(*p, "\xc5\xbf", 2))
		return *p += 2, 's';
	if (!strncmp(*p, "\xe2\x84\xaa", 3))
		return *p += 3, 'k';
	return tolower((unsigned char)*(*p)++);
}

static bool go_equal_fold(const char *a, const char *b)
{
	while (*a && *b)
		if (go_fold(&a) != go_fold(&b))
			return false;
	return !*a && !*b;
}

/* Two keys of one struct object that runc would read as the same field
 * (the objects that are Go maps keep their keys apart). */
static const char *go_duplicate(struct json_object *o)
{
	static const char *const maps[] = { "annotations", "sysctl", "unified", "timeOffsets" };
	const char *bad = NULL;

	if (json_object_is_type(o, json_type_array))
		for (size_t i = 0; !bad && i < json_object_array_length(o); i++)
			bad = go_duplicate(json_object_array_get_idx(o, i));
	if (!json_object_is_type(o, json_type_object))
		return bad;
	json_object_object_foreach(o, key, value) {
		bool map = false;

		json_object_object_foreach(o, other, v2) {
			(void)v2;
			if (key != other && go_equal_fold(key, other))
				return key;
		}
		for (size_t i = 0; i < ELEMENTSOF(maps); i++)
			map |= !strcmp(key, maps[i]);
		if (!map && (bad = go_duplicate(value)))
			return bad;
	}
	return NULL;
}

/* What runc will be given keeps moat's invariants. */
static void check_saved(const char *text, const struct plan *pl, const struct cstate *s,
			bool slash)
{
	_cleanup_free_ char *err = NULL;
	struct json_object *spec = NULL, *hook;
	struct ns_plan ns;
	const char *user, *dup;
	char want[64];

	fuzz_assert(spec_parse(text, strlen(text), "saved", &spec, &err) == 0,
		    "the saved spec does not parse: %s", err);
	dup = go_duplicate(spec);
	fuzz_assert(!dup, "runc reads key %s as another key of its object", dup);
	classify(spec, &ns);
	fuzz_assert(nscheck_host_shared(&ns) == 0, "the saved spec shares a host namespace");
	user = spec_string(spec_namespace(spec, "user"), "path");
	snprintf(want, sizeof(want), "/proc/%d/ns/user", (int)pl->joined.pid);
	fuzz_assert(s->joined ? user && !strcmp(user, want) : !user, "user namespace path %s",
		    user ?: "(none)");
	check_mappings(spec_member(spec, "linux"), "uidMappings", s->uid_start);
	check_mappings(spec_member(spec, "linux"), "gidMappings", s->uid_start);
	fuzz_assert(!strcmp(spec_string(spec_member(spec, "root"), "path") ?: "",
			    slash ? "/" : FUZZ_VIEWS "/mnt/rootfs"), "root.path is not the view");
	for (size_t i = 0; i < pl->n_mounts; i++) {
		const char *src = spec_string(json_object_array_get_idx(spec_member(spec, "mounts"), i),
					      "source");

		fuzz_assert(!pl->sources[i] || (src && !strncmp(src, FUZZ_VIEWS "/mnt/", strlen(FUZZ_VIEWS "/mnt/"))),
			    "mount #%zu binds %s, not its view", i, src ?: "(none)");
	}
	fuzz_assert(rules_naming(spec, "mount_setattr") == 1, "mount_setattr is not in one rule");
	check_vetting(spec);
	hook = json_object_array_get_idx(spec_member(spec_member(spec, "hooks"), "createRuntime"), 0);
	fuzz_assert(!strcmp(spec_string(hook, "path") ?: "", FUZZ_SELF), "moat's hook is not first");
	json_object_put(spec);
}

/* Bits of the input that pick the variant: moat-fs on (1), the rootfs view
 * (2), mount vetting (4) with the kernel policy (8). */
static unsigned variant(const uint8_t *data, size_t size)
{
	unsigned h = 2166136261u;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return h;
}

static int rewrite(struct plan *pl, struct cstate *s, unsigned v, char **err)
{
	static const char *const args[] = { "moat-runc", "--root", "/run/runc", "hook",
					    "create-runtime", NULL };
	bool slash = v & 2;
	const struct rewrite_views views = { fake_rootfs, fake_bind, &slash };
	const char *text;
	int r;

	r = rewrite_spec(pl, s, &views, err);
	if (r >= 0 && (v & 1))
		r = emulate_add(pl->spec, cfg.fsemu_mountpoint, err);
	if (r >= 0 && (v & 4))
		r = seccomp_add_vetting(pl->spec, cfg.fsemu_mountpoint, v & 8, err);
	if (r < 0)
		return r;
	spec_prepend_hook(pl->spec, "createRuntime", FUZZ_SELF, (const char *const *)args);
	text = json_object_to_json_string_ext(pl->spec, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE);
	fuzz_assert(text, "the spec cannot be written");
	check_saved(text, pl, s, slash);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *buf = malloc(size + 1), *err = NULL;
	struct plan pl = { .bundle = strdup(FUZZ_BUNDLE) };
	struct cstate s = { .uid_start = FUZZ_RANGE_START, .uid_size = 65536 };
	int r;

	if (!buf || !pl.bundle)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0'; /* as read_file() gives it */
	r = spec_parse(buf, size, "config.json", &pl.spec, &err);
	if (r >= 0)
		r = check_namespaces(&pl, &err);
	if (r >= 0)
		r = check_mounts(&pl, &err);
	if (r >= 0 && pl.joined.id) {
		s.joined = pl.joined.id;
		s.uid_start = pl.joined.uid_start;
	}
	if (r >= 0)
		r = rewrite(&pl, &s, variant(data, size), &err);
	fuzz_assert(r >= 0 || err, "error %d without a message", r);
	plan_free(&pl);
	return 0;
}
