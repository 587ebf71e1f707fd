/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * state.h - moat's per-container state, under the state dir (moat.conf
 * state_dir, /run/moat by default):
 *
 *   <state_dir>/lock                    flock(2)ed while ranges are claimed
 *   <state_dir>/containers/<id>/        0711: the container's root can traverse it
 *       state.json                      struct cstate
 *       config.json                     the rewritten spec: runc's bundle
 *       mnt/                            idmapped views (idmap.h)
 *       view/                           plain bind views, when not idmapped
 *       hook-error                      why the createRuntime hook failed
 *
 * A record is live while runc knows the container (<runc_root>/<id> exists)
 * or while the moat-runc that creates it runs; any other record is stale,
 * e.g. left by a moat-runc that was killed, and is released at the next
 * claim or delete. State files are replaced atomically, so a crash never
 * leaves a torn one.
 */
#ifndef MOAT_RUNTIME_STATE_H
#define MOAT_RUNTIME_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ranges.h"

struct cstate {
	char *id;
	char *runc_root; /* absolute */
	char *bundle; /* the bundle runc was given by the caller */
	uint32_t uid_start, uid_size; /* host ids: uid and gid alike */
	char *joined; /* the container whose user namespace this one joins */
	pid_t creator_pid;
	uint64_t creator_start;
	pid_t pid; /* the init process, recorded by the hook */
	uint64_t pid_start;
	char *cgroup_dir;
	uint64_t cgroup_id;
	bool registered; /* in the kernel policy */
	bool allow_bpf;
	bool idmapped;
};

void cstate_free(struct cstate *s);
bool cstate_live(const struct cstate *s);

/* Is id usable as a directory name (runc's rule: [A-Za-z0-9_+.-], not . or ..)? */
bool state_id_valid(const char *id);
/* <state_dir>/containers/<id>[/<name>], malloc'd (name may be NULL). */
char *state_path(const char *state_dir, const char *id, const char *name);

int state_read(const char *state_dir, const char *id, struct cstate *ret);
int state_write(const char *state_dir, const struct cstate *s);

/* Called under the lock for each stale record (or a directory without a
 * readable record: then s->id is set and nothing else). */
typedef void (*state_release_fn)(const char *state_dir, struct cstate *s, void *userdata);

/* Under the lock: release stale records, refuse a live record of the same
 * id (-EEXIST), give s a range (unless s->uid_size is already set: joining
 * another container's user namespace), create the directory and write s. */
int state_claim(const char *state_dir, const struct range_pool *pool, struct cstate *s,
		state_release_fn release, void *userdata, char **err);
/* Under the lock: release stale records. */
int state_reclaim(const char *state_dir, state_release_fn release, void *userdata);
/* The same, the caller holding the lock. */
int state_reclaim_locked(const char *state_dir, state_release_fn release, void *userdata);
/* Take the lock (creating the state dir); *ret_fd releases it when closed. */
int state_lock(const char *state_dir, int *ret_fd);

typedef int (*state_cb)(struct cstate *s, void *userdata);
/* Call cb on each readable record; stops at the first non-zero return. */
int state_foreach(const char *state_dir, state_cb cb, void *userdata);

#endif
