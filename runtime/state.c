// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "error.h"
#include "fs.h"
#include "proc.h"
#include "config.h"
#include "state.h"

void cstate_free(struct cstate *s)
{
	free(s->id);
	free(s->runc_root);
	free(s->bundle);
	free(s->joined);
	free(s->cgroup_dir);
	*s = (struct cstate){ 0 };
}

bool cstate_live(const struct cstate *s)
{
	_cleanup_free_ char *runc_dir = NULL;
	struct stat st;

	if (s->runc_root && asprintf(&runc_dir, "%s/%s", s->runc_root, s->id) >= 0 &&
	    stat(runc_dir, &st) == 0)
		return true;
	return proc_alive(s->creator_pid, s->creator_start);
}

bool state_id_valid(const char *id)
{
	if (!id[0] || !strcmp(id, ".") || !strcmp(id, "..") || strlen(id) > 1024)
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+.-") ==
	       strlen(id);
}

char *state_path(const char *state_dir, const char *id, const char *name)
{
	char *p;
	int r;

	if (name)
		r = asprintf(&p, "%s/containers/%s/%s", state_dir, id, name);
	else
		r = asprintf(&p, "%s/containers/%s", state_dir, id);
	return r < 0 ? NULL : p;
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static struct json_object *cstate_to_json(const struct cstate *s)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "id", s->id);
	add_str(o, "runc_root", s->runc_root);
	add_str(o, "bundle", s->bundle);
	add_u64(o, "uid_start", s->uid_start);
	add_u64(o, "uid_size", s->uid_size);
	add_str(o, "joined", s->joined);
	add_u64(o, "creator_pid", s->creator_pid);
	add_u64(o, "creator_start", s->creator_start);
	add_u64(o, "pid", s->pid);
	add_u64(o, "pid_start", s->pid_start);
	add_str(o, "cgroup_dir", s->cgroup_dir);
	add_u64(o, "cgroup_id", s->cgroup_id);
	json_object_object_add(o, "registered", json_object_new_boolean(s->registered));
	json_object_object_add(o, "allow_bpf", json_object_new_boolean(s->allow_bpf));
	json_object_object_add(o, "idmapped", json_object_new_boolean(s->idmapped));
	return o;
}

static char *get_str(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

static uint64_t get_u64(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_uint64(v) : 0;
}

static bool get_bool(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

static int cstate_from_json(struct json_object *o, struct cstate *s)
{
	*s = (struct cstate){
		.id = get_str(o, "id"),
		.runc_root = get_str(o, "runc_root"),
		.bundle = get_str(o, "bundle"),
		.uid_start = (uint32_t)get_u64(o, "uid_start"),
		.uid_size = (uint32_t)get_u64(o, "uid_size"),
		.joined = get_str(o, "joined"),
		.creator_pid = (pid_t)get_u64(o, "creator_pid"),
		.creator_start = get_u64(o, "creator_start"),
		.pid = (pid_t)get_u64(o, "pid"),
		.pid_start = get_u64(o, "pid_start"),
		.cgroup_dir = get_str(o, "cgroup_dir"),
		.cgroup_id = get_u64(o, "cgroup_id"),
		.registered = get_bool(o, "registered"),
		.allow_bpf = get_bool(o, "allow_bpf"),
		.idmapped = get_bool(o, "idmapped"),
	};
	if (!s->id || !s->runc_root) {
		cstate_free(s);
		return -EBADMSG;
	}
	return 0;
}

int state_read(const char *state_dir, const char *id, struct cstate *ret)
{
	_cleanup_free_ char *path = state_path(state_dir, id, "state.json"), *buf = NULL;
	struct json_object *o;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_file(path, &buf, NULL);
	if (r < 0)
		return r;
	o = json_tokener_parse(buf);
	if (!o)
		return -EBADMSG;
	r = cstate_from_json(o, ret);
	json_object_put(o);
	if (r == 0 && strcmp(ret->id, id) != 0) {
		cstate_free(ret);
		return -EBADMSG;
	}
	return r;
}

int state_write(const char *state_dir, const struct cstate *s)
{
	_cleanup_free_ char *path = state_path(state_dir, s->id, "state.json");
	struct json_object *o;
	int r;

	if (!path)
		return -ENOMEM;
	o = cstate_to_json(s);
	r = write_file_atomic(path, json_object_to_json_string_ext(
					    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			      0600);
	json_object_put(o);
	return r;
}

int state_lock(const char *state_dir, int *ret_fd)
{
	_cleanup_free_ char *containers = NULL, *lock = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (asprintf(&containers, "%s/containers", state_dir) < 0 ||
	    asprintf(&lock, "%s/lock", state_dir) < 0)
		return -ENOMEM;
	r = mkdir_parents(state_dir, 0711);
	if (r < 0)
		return r;
	r = mkdir_mode(state_dir, 0711);
	if (r >= 0)
		r = mkdir_mode(containers, 0711);
	if (r < 0)
		return r;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return negative_errno();
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return negative_errno();
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int state_foreach(const char *state_dir, state_cb cb, void *userdata)
{
	_cleanup_free_ char *containers = NULL;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (asprintf(&containers, "%s/containers", state_dir) < 0)
		return -ENOMEM;
	d = opendir(containers);
	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while (r == 0 && (de = readdir(d))) {
		struct cstate s;

		if (!state_id_valid(de->d_name) || state_read(state_dir, de->d_name, &s) < 0)
			continue;
		r = cb(&s, userdata);
		cstate_free(&s);
	}
	closedir(d);
	return r;
}

struct sweep {
	const char *state_dir;
	state_release_fn release;
	void *userdata;
	const char *id; /* the id being claimed */
	bool id_live;
	uint32_t *used;
	size_t n_used;
};

static int sweep_one(struct sweep *w, const char *id)
{
	struct cstate s;
	uint32_t *u;

	if (state_read(w->state_dir, id, &s) < 0) {
		/* a directory without a record: a claim that crashed */
		s = (struct cstate){ .id = strdup(id) };
		if (s.id)
			w->release(w->state_dir, &s, w->userdata);
		cstate_free(&s);
		return 0;
	}
	if (!cstate_live(&s)) {
		w->release(w->state_dir, &s, w->userdata);
		cstate_free(&s);
		return 0;
	}
	if (w->id && strcmp(s.id, w->id) == 0)
		w->id_live = true;
	u = realloc(w->used, (w->n_used + 1) * sizeof(*u));
	if (!u) {
		cstate_free(&s);
		return -ENOMEM;
	}
	w->used = u;
	w->used[w->n_used++] = s.uid_start;
	cstate_free(&s);
	return 0;
}

/* Release stale records; collect the ranges of the live ones. */
static int sweep(struct sweep *w)
{
	_cleanup_free_ char *containers = NULL;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (asprintf(&containers, "%s/containers", w->state_dir) < 0)
		return -ENOMEM;
	d = opendir(containers);
	if (!d)
		return negative_errno();
	while (r == 0 && (de = readdir(d)))
		if (state_id_valid(de->d_name))
			r = sweep_one(w, de->d_name);
	closedir(d);
	return r;
}

int state_reclaim_locked(const char *state_dir, state_release_fn release, void *userdata)
{
	struct sweep w = { .state_dir = state_dir, .release = release, .userdata = userdata };
	int r;

	r = sweep(&w);
	free(w.used);
	return r;
}

int state_reclaim(const char *state_dir, state_release_fn release, void *userdata)
{
	_cleanup_close_ int lock = -1;
	int r;

	r = state_lock(state_dir, &lock);
	if (r < 0)
		return r;
	return state_reclaim_locked(state_dir, release, userdata);
}

static int claim_locked(const char *state_dir, const struct range_pool *pool, struct cstate *s,
			struct sweep *w, char **err)
{
	_cleanup_free_ char *dir = state_path(state_dir, s->id, NULL);
	int r;

	if (!dir)
		return error_set(err, -ENOMEM, "%m");
	r = sweep(w);
	if (r < 0)
		return error_set(err, r, "cannot read the state in %s: %m", state_dir);
	if (w->id_live)
		return error_set(err, -EEXIST, "container %s already exists", s->id);
	if (s->uid_size == 0) {
		r = ranges_pick(pool, w->used, w->n_used, &s->uid_start);
		if (r == -ENOSPC)
			return error_set(err, r, "no free uid range for container %s: the pool "
					 "%" PRIu32 "+%" PRIu32 " is exhausted", s->id,
					 pool->start, pool->size);
		if (r < 0)
			return error_set(err, r, "%m");
		s->uid_size = MOAT_RANGE_SIZE;
	}
	if (mkdir(dir, 0711) < 0 || chmod(dir, 0711) < 0)
		return error_set(err, negative_errno(), "cannot create %s: %m", dir);
	r = state_write(state_dir, s);
	if (r < 0) {
		(void)rm_rf(dir);
		return error_set(err, r, "cannot write the state of container %s: %m", s->id);
	}
	return 0;
}

int state_claim(const char *state_dir, const struct range_pool *pool, struct cstate *s,
		state_release_fn release, void *userdata, char **err)
{
	struct sweep w = {
		.state_dir = state_dir, .release = release, .userdata = userdata, .id = s->id,
	};
	_cleanup_close_ int lock = -1;
	int r;

	r = state_lock(state_dir, &lock);
	if (r < 0)
		return error_set(err, r, "cannot lock the state dir %s: %m", state_dir);
	r = claim_locked(state_dir, pool, s, &w, err);
	free(w.used);
	return r;
}
