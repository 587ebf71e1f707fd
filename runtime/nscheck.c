// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "nscheck.h"

static const char *const oci_names[NS_KIND_MAX] = {
	[NS_PID] = "pid",   [NS_NET] = "network", [NS_IPC] = "ipc",	  [NS_UTS] = "uts",
	[NS_MNT] = "mount", [NS_USER] = "user",	  [NS_CGROUP] = "cgroup",
};
static const char *const proc_names[NS_KIND_MAX] = {
	[NS_PID] = "pid", [NS_NET] = "net",   [NS_IPC] = "ipc",	     [NS_UTS] = "uts",
	[NS_MNT] = "mnt", [NS_USER] = "user", [NS_CGROUP] = "cgroup",
};

const char *ns_oci_name(enum ns_kind k) { return oci_names[k]; }
const char *ns_proc_name(enum ns_kind k) { return proc_names[k]; }

int ns_kind_from_oci(const char *name)
{
	for (int k = 0; k < NS_KIND_MAX; k++)
		if (strcmp(name, oci_names[k]) == 0)
			return k;
	return -1;
}

unsigned nscheck_host_shared(const struct ns_plan *plan)
{
	unsigned mask = 0;

	for (int k = 0; k < NS_KIND_MAX; k++) {
		if (!(NS_REQUIRED & (1u << k)))
			continue;
		if (plan->origin[k] == NS_MISSING || plan->origin[k] == NS_HOST)
			mask |= 1u << k;
	}
	return mask;
}

#define NS_WHY "(because they use the linux user-namespace for isolation)"

char *nscheck_message(unsigned mask)
{
	static const enum ns_kind order[] = { NS_PID, NS_NET, NS_IPC, NS_UTS, NS_MNT };
	char list[64] = "", *msg = NULL;

	if (mask == (1u << NS_NET)) {
		if (asprintf(&msg, "moat containers can't share a network namespace with the host "
			     NS_WHY) < 0)
			return NULL;
		return msg;
	}
	for (size_t i = 0; i < ELEMENTSOF(order); i++) {
		if (!(mask & (1u << order[i])))
			continue;
		if (list[0])
			strcat(list, " ");
		strcat(list, oci_names[order[i]]);
	}
	if (asprintf(&msg, "moat containers can't share namespaces [%s] with the host " NS_WHY,
		     list) < 0)
		return NULL;
	return msg;
}

int nscheck_join_target(const struct ns_plan *plan, const char **ret, char **err)
{
	const char *target = NULL;

	for (int k = 0; k < NS_KIND_MAX; k++) {
		const char *o = plan->owner[k];

		if (plan->origin[k] != NS_CONTAINER)
			continue;
		if (target && strcmp(target, o) != 0)
			return error_set(err, -EINVAL, "can't join the namespaces of two moat "
					 "containers (%s and %s)", target, o);
		target = o;
	}
	if (plan->origin[NS_USER] == NS_OTHER)
		return error_set(err, -EINVAL, "can't join a user namespace that belongs to no "
				 "moat container");
	*ret = target;
	return 0;
}

int ns_id_of(const char *path, struct ns_id *ret)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return negative_errno();
	ret->dev = st.st_dev;
	ret->ino = st.st_ino;
	return 0;
}

size_t nscheck_host_ids(enum ns_kind k, struct ns_id *host)
{
	char path[64];
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/1/ns/%s", proc_names[k]);
	if (ns_id_of(path, &host[n]) == 0)
		n++;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", proc_names[k]);
	if (ns_id_of(path, &host[n]) == 0)
		n++;
	return n;
}

int nscheck_classify(enum ns_kind k, const char *path, const struct ns_id *host, size_t n_host,
		     ns_owner_fn owner, void *userdata, enum ns_origin *ret_origin,
		     const char **ret_owner)
{
	struct ns_id id;
	int r;

	*ret_owner = NULL;
	if (!path || !path[0]) {
		*ret_origin = NS_PRIVATE;
		return 0;
	}
	r = ns_id_of(path, &id);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n_host; i++) {
		if (id.dev == host[i].dev && id.ino == host[i].ino) {
			*ret_origin = NS_HOST;
			return 0;
		}
	}
	*ret_owner = owner ? owner(k, &id, userdata) : NULL;
	*ret_origin = *ret_owner ? NS_CONTAINER : NS_OTHER;
	return 0;
}
