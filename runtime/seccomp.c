// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * seccomp.c - the syscalls moat answers with ENOSYS in every container.
 *
 * mount_setattr(2) can clear MOUNT_ATTR_RDONLY on a mount and no LSM hook
 * sees it (6.1 and 6.18 alike), so the kernel policy cannot keep a
 * read-only start mount read-only against it. Answering ENOSYS makes
 * mount(8) and friends fall back to mount(2), whose remounts the kernel
 * policy vets race-free (bpf/protect.bpf.c). A container without a seccomp
 * profile (--privileged) gets one that allows everything else.
 *
 * With moat-fs vetting mounts (fsemu/vet.h), the calls worth it are trapped
 * to it with SCMP_ACT_NOTIFY (a remount, bind or move; an open_tree clone;
 * move_mount; umount2 when the kernel policy does not refuse the start
 * mounts itself): see vetted_calls[]. runc hands the notify fd to moat-fs's
 * vet socket (linux.seccomp.listenerPath) during create.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "error.h"
#include "log.h"
#include "macro.h"
#include "paths.h"
#include "seccomp.h"
#include "spec.h"

static const char *const enosys_syscalls[] = { "mount_setattr" };

/* Remove name from every rule's "names", so that only moat's rule names it
 * (libseccomp refuses two actions for one syscall). */
static void drop_from_rules(struct json_object *syscalls, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(syscalls); i++) {
		struct json_object *names = spec_member(json_object_array_get_idx(syscalls, i), "names");

		if (!names || !json_object_is_type(names, json_type_array))
			continue;
		for (size_t j = json_object_array_length(names); j-- > 0;) {
			const char *n = json_object_get_string(json_object_array_get_idx(names, j));

			if (n && strcmp(n, name) == 0)
				json_object_array_del_idx(names, j, 1);
		}
	}
}

static struct json_object *enosys_rule(void)
{
	struct json_object *rule = json_object_new_object(), *names = json_object_new_array();

	for (size_t i = 0; i < sizeof(enosys_syscalls) / sizeof(*enosys_syscalls); i++)
		json_object_array_add(names, json_object_new_string(enosys_syscalls[i]));
	json_object_object_add(rule, "names", names);
	spec_set_string(rule, "action", "SCMP_ACT_ERRNO");
	json_object_object_add(rule, "errnoRet", json_object_new_int(ENOSYS));
	return rule;
}

void seccomp_add_moat_rules(struct json_object *spec)
{
	struct json_object *lnx = spec_member_object(spec, "linux");
	struct json_object *profile = spec_member(lnx, "seccomp");
	struct json_object *syscalls;

	if (!profile || !json_object_is_type(profile, json_type_object)) {
		profile = spec_member_object(lnx, "seccomp");
		spec_set_string(profile, "defaultAction", "SCMP_ACT_ALLOW");
	}
	syscalls = spec_member_array(profile, "syscalls");
	for (size_t i = 0; i < sizeof(enosys_syscalls) / sizeof(*enosys_syscalls); i++)
		drop_from_rules(syscalls, enosys_syscalls[i]);
	json_object_array_add(syscalls, enosys_rule());
}

/* --- vetting (fsemu/vet.h) --- */

/* A call moat-fs vets, and the argument bits that make one worth a round
 * trip: with any of them set (one rule each, OR'ed) it is trapped, without
 * them the profile's ALLOW stands and the kernel alone answers (a plain
 * new mount: the kernel policy's fstype and overmount rules). umount2 is
 * trapped only without the kernel policy: with it, the kernel's sb_umount
 * rule already refuses the start mounts, race-free. */
static const struct vetted_call {
	const char *name;
	unsigned int arg;
	unsigned long long bits[3]; /* none: every call is trapped */
	bool without_kernel_only;
} vetted_calls[] = {
	{ "mount", 3, { MS_REMOUNT, MS_BIND, MS_MOVE }, false },
	{ "umount2", 0, { 0 }, true },
	{ "open_tree", 2, { 1 /* OPEN_TREE_CLONE */ }, false },
	{ "move_mount", 0, { 0 }, false },
};

static bool action_allows(const char *action)
{
	return action && (strcmp(action, "SCMP_ACT_ALLOW") == 0 || strcmp(action, "SCMP_ACT_LOG") == 0);
}

/* How the profile treats name: 1 allowed (by a plain rule or the default),
 * 0 decided otherwise (denied, or by argument conditions): left alone. */
static int profile_allows(struct json_object *profile, struct json_object *syscalls,
			  const char *name)
{
	bool named = false;

	for (size_t i = 0; i < json_object_array_length(syscalls); i++) {
		struct json_object *rule = json_object_array_get_idx(syscalls, i);
		struct json_object *names = spec_member(rule, "names"), *args = spec_member(rule, "args");

		for (size_t j = 0; names && json_object_is_type(names, json_type_array) &&
				   j < json_object_array_length(names); j++) {
			const char *n = json_object_get_string(json_object_array_get_idx(names, j));

			if (!n || strcmp(n, name) != 0)
				continue;
			if (!action_allows(spec_string(rule, "action")) ||
			    (args && json_object_array_length(args) > 0))
				return 0;
			named = true;
		}
	}
	return named || action_allows(spec_string(profile, "defaultAction"));
}

static char *vet_socket_path(const char *mountpoint)
{
	char *p;

	return asprintf(&p, "%s" MOAT_VET_SOCKET_SUFFIX, mountpoint) < 0 ? NULL : p;
}

int seccomp_vet_check(const struct moat_config *cfg, bool fsemu, bool *ret, char **err)
{
	_cleanup_free_ char *sock = NULL;
	struct stat st;

	*ret = false;
	if (!fsemu)
		return 0;
	if (!(sock = vet_socket_path(cfg->fsemu_mountpoint)))
		return error_set(err, -ENOMEM, "%m");
	if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode)) {
		*ret = true;
		return 0;
	}
	if (cfg->fsemu == FSEMU_REQUIRED)
		return error_set(err, -ENOENT, "moat-fs on %s does not vet mounts (no %s) (fsemu = "
				 "required): refusing to start the container without mount vetting",
				 cfg->fsemu_mountpoint, sock);
	log_warning("moat-fs on %s does not vet mounts (no %s): the container's mounts are "
		    "left to the kernel", cfg->fsemu_mountpoint, sock);
	return 0;
}

static struct json_object *masked_arg(unsigned int index, unsigned long long mask,
				      unsigned long long value)
{
	struct json_object *args = json_object_new_array(), *a = json_object_new_object();

	json_object_object_add(a, "index", json_object_new_int((int)index));
	json_object_object_add(a, "value", json_object_new_uint64(mask));
	json_object_object_add(a, "valueTwo", json_object_new_uint64(value));
	spec_set_string(a, "op", "SCMP_CMP_MASKED_EQ");
	json_object_array_add(args, a);
	return args;
}

static struct json_object *rule(const char *name, const char *action, struct json_object *args)
{
	struct json_object *r = json_object_new_object(), *names = json_object_new_array();

	json_object_array_add(names, json_object_new_string(name));
	json_object_object_add(r, "names", names);
	spec_set_string(r, "action", action);
	if (args)
		json_object_object_add(r, "args", args);
	return r;
}

/* The rules of one vetted call, appended to syscalls. */
static void add_call_rules(struct json_object *syscalls, const struct vetted_call *c)
{
	unsigned long long all = 0;

	if (!c->bits[0]) {
		json_object_array_add(syscalls, rule(c->name, "SCMP_ACT_NOTIFY", NULL));
		return;
	}
	for (size_t i = 0; i < ELEMENTSOF(c->bits) && c->bits[i]; i++) {
		json_object_array_add(syscalls, rule(c->name, "SCMP_ACT_NOTIFY",
						     masked_arg(c->arg, c->bits[i], c->bits[i])));
		all |= c->bits[i];
	}
	json_object_array_add(syscalls, rule(c->name, "SCMP_ACT_ALLOW", masked_arg(c->arg, all, 0)));
}

int seccomp_add_vetting(struct json_object *spec, const char *mountpoint, bool kernel_policy,
			char **err)
{
	struct json_object *profile = spec_member_object(spec_member_object(spec, "linux"), "seccomp");
	struct json_object *syscalls = spec_member_array(profile, "syscalls");
	_cleanup_free_ char *sock = vet_socket_path(mountpoint);
	size_t n = 0;

	if (!sock)
		return error_set(err, -ENOMEM, "%m");
	for (size_t i = 0; i < ELEMENTSOF(vetted_calls); i++) {
		const struct vetted_call *c = &vetted_calls[i];

		if ((c->without_kernel_only && kernel_policy) || !profile_allows(profile, syscalls, c->name))
			continue;
		drop_from_rules(syscalls, c->name);
		add_call_rules(syscalls, c);
		n++;
	}
	if (n == 0)
		return 0; /* the profile denies them all: nothing to vet */
	spec_set_string(profile, "listenerPath", sock);
	spec_set_string(profile, "listenerMetadata", "moat");
	return 0;
}
