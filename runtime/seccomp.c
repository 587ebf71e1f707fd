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
 */
#include <errno.h>
#include <json-c/json.h>
#include <string.h>

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
