/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nscheck.h - a moat container never shares a namespace with the host. Each
 * namespace of the spec is classified (missing, private, the host's, another
 * moat container's, something else); the checks on that plan are pure.
 */
#ifndef MOAT_RUNTIME_NSCHECK_H
#define MOAT_RUNTIME_NSCHECK_H

#include <stddef.h>
#include <sys/types.h>

enum ns_kind { NS_PID, NS_NET, NS_IPC, NS_UTS, NS_MNT, NS_USER, NS_CGROUP, NS_KIND_MAX };

/* The kinds every container must have of its own (or another container's). */
#define NS_REQUIRED                                                                                \
	((1u << NS_PID) | (1u << NS_NET) | (1u << NS_IPC) | (1u << NS_UTS) | (1u << NS_MNT))

enum ns_origin {
	NS_MISSING, /* no entry in linux.namespaces: the runtime's own, i.e. the host's */
	NS_PRIVATE, /* an entry without path: a new namespace */
	NS_HOST, /* a path to the host's namespace (/proc/1/ns/<kind>) */
	NS_CONTAINER, /* a path to a live moat container's namespace */
	NS_OTHER, /* a path to some other namespace */
};

struct ns_plan {
	enum ns_origin origin[NS_KIND_MAX];
	const char *owner[NS_KIND_MAX]; /* the container's id, for NS_CONTAINER */
};

const char *ns_oci_name(enum ns_kind k); /* "network" */
const char *ns_proc_name(enum ns_kind k); /* "net" */
/* -1 for a kind moat does not track (e.g. "time"). */
int ns_kind_from_oci(const char *name);

/* Bit mask (1 << kind) of the required kinds the plan shares with the host. */
unsigned nscheck_host_shared(const struct ns_plan *plan);
/* The message for a non-zero mask from nscheck_host_shared(), malloc'd. */
char *nscheck_message(unsigned mask);
/* The moat container whose namespaces the plan joins (NULL: none). Joining
 * two different containers is refused, as is a user namespace that belongs
 * to no moat container. Returns 0 or -EINVAL with *err set. */
int nscheck_join_target(const struct ns_plan *plan, const char **ret, char **err);

/* The identity of a namespace file. */
struct ns_id {
	dev_t dev;
	ino_t ino;
};
int ns_id_of(const char *path, struct ns_id *ret);
/* Which live moat container owns the namespace? The callback returns its id
 * (borrowed) or NULL. */
typedef const char *(*ns_owner_fn)(enum ns_kind k, const struct ns_id *id, void *userdata);
/* Classify a path given in the spec. host[]: the host's namespaces of kind
 * k (init's, /proc/1/ns/<kind>, and the runtime's own, /proc/self/ns/<kind>:
 * init's cannot always be read). */
int nscheck_classify(enum ns_kind k, const char *path, const struct ns_id *host, size_t n_host,
		     ns_owner_fn owner, void *userdata, enum ns_origin *ret_origin,
		     const char **ret_owner);
/* Fill host[] (at most 2) with the host's namespaces of kind k; the count. */
size_t nscheck_host_ids(enum ns_kind k, struct ns_id *host);

#endif
