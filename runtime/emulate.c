// SPDX-License-Identifier: LGPL-2.1-or-later
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "emulate.h"
#include "error.h"
#include "fsemu-files.h"
#include "log.h"
#include "spec.h"

#define FUSE_SUPER_MAGIC 0x65735546

/* Bind options that work in a user-namespaced container too: moat-fs mounts
 * with nosuid,nodev, and a bind made in a user namespace may not drop those
 * locked flags, so they are repeated; ["bind","ro"] alone fails with EPERM
 * there. Writable files get no "ro". */
static const char *const options_ro[] = { "rbind", "ro", "nosuid", "nodev" };
static const char *const options_rw[] = { "rbind", "nosuid", "nodev" };

/* The hook: for each (source, destination) pair, bind the FUSE file over
 * <rootfs><destination> when that exists (a sysctl absent from this kernel
 * is skipped). Hooks get no PATH: mount is named by absolute path. */
#define HOOK_SCRIPT                                                                         \
	"m=$1 r=$2; shift 2; while [ $# -ge 2 ]; do "                                      \
	"if [ -e \"$r$2\" ]; then \"$m\" --bind \"$1\" \"$r$2\" || exit 1; fi; shift 2; done"

int emulate_check(const struct moat_config *cfg, bool *ret_available, char **err)
{
	struct statfs sf;

	*ret_available = false;
	if (cfg->fsemu == FSEMU_OFF)
		return 0;
	if (statfs(cfg->fsemu_mountpoint, &sf) == 0 && sf.f_type == FUSE_SUPER_MAGIC) {
		*ret_available = true;
		return 0;
	}
	if (cfg->fsemu == FSEMU_REQUIRED)
		return error_set(err, -ENOENT, "moat-fs is not mounted on %s (fsemu = required): "
				 "refusing to start the container without /proc emulation",
				 cfg->fsemu_mountpoint);
	log_warning("moat-fs is not mounted on %s: the container runs without /proc emulation",
		    cfg->fsemu_mountpoint);
	return 0;
}

/* Is d the same path as dest ("/proc/uptime"), give or take slashes? */
static bool same_destination(const char *d, const char *dest)
{
	size_t n;

	d += strspn(d, "/");
	dest += strspn(dest, "/");
	n = strlen(dest);
	return !strncmp(d, dest, n) && d[n + strspn(d + n, "/")] == '\0';
}

static bool spec_mounts_destination(struct json_object *mounts, const char *dest)
{
	size_t n = json_object_array_length(mounts);

	for (size_t i = 0; i < n; i++) {
		const char *d = spec_string(json_object_array_get_idx(mounts, i), "destination");

		if (d && same_destination(d, dest))
			return true;
	}
	return false;
}

static struct json_object *bind_mount(const char *dest, const char *source, bool rw)
{
	struct json_object *m = json_object_new_object(), *opts = json_object_new_array();
	const char *const *o = rw ? options_rw : options_ro;
	size_t n = rw ? ELEMENTSOF(options_rw) : ELEMENTSOF(options_ro);

	for (size_t i = 0; i < n; i++)
		json_object_array_add(opts, json_object_new_string(o[i]));
	spec_set_string(m, "destination", dest);
	spec_set_string(m, "type", "bind");
	spec_set_string(m, "source", source);
	json_object_object_add(m, "options", opts);
	return m;
}

static const char *find_mount_binary(void)
{
	static const char *const candidates[] = { "/usr/bin/mount", "/bin/mount", "/usr/sbin/mount",
						  "/sbin/mount" };

	for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

/* The hook's mount(8) follows symlinks: a rootfs whose /proc is not a plain
 * directory gets no sysctl mounts (runc puts procfs where /proc resolves). */
static bool rootfs_proc_is_dir(const char *rootfs)
{
	_cleanup_free_ char *proc = NULL;
	struct stat st;

	if (asprintf(&proc, "%s/proc", rootfs) < 0)
		return false;
	if (lstat(proc, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	log_warning("%s is not a directory: no emulated sysctls in this container", proc);
	return false;
}

/* The hook's arguments: sh -c SCRIPT sh MOUNT ROOTFS (SOURCE DEST)... */
static int add_hook(struct json_object *spec, const char *mountpoint, const char *rootfs,
		    char **err)
{
	const char *args[6 + 2 * MOAT_FS_FILES_MAX + 1];
	char *sources[MOAT_FS_FILES_MAX] = { 0 };
	size_t n = 0, k = 0;
	int r = 0;

	args[n++] = "sh";
	args[n++] = "-c";
	args[n++] = HOOK_SCRIPT;
	args[n++] = "sh";
	args[n++] = find_mount_binary();
	args[n++] = rootfs;
	if (!args[4])
		return error_set(err, -ENOENT, "cannot find mount(8) for moat-fs's sysctl mounts");
	for (size_t i = 0; i < moat_fs_files_count; i++) {
		const struct moat_fs_file *e = &moat_fs_files[i];

		/* moat never shares the host's network namespace */
		if (!(e->flags & MOAT_FS_NOT_BY_RUNC) || (e->flags & MOAT_FS_HOST_NETNS_ONLY))
			continue;
		if (asprintf(&sources[k], "%s%s", mountpoint, e->path) < 0) {
			r = error_set(err, -ENOMEM, "%m");
			break;
		}
		args[n++] = sources[k++];
		args[n++] = e->path;
	}
	args[n] = NULL;
	if (r >= 0)
		spec_append_hook(spec, "createContainer", "/bin/sh", args);
	for (size_t i = 0; i < k; i++)
		free(sources[i]);
	return r;
}

/* runc would make the emulated /proc/sysrq-trigger read-only (Docker lists
 * it in readonlyPaths) and writes to it would fail with EROFS: moat-fs
 * swallows them, they never reach the host, so it stays writable. */
static void unlist_readonly(struct json_object *spec, const char *path)
{
	struct json_object *ro = spec_member(spec_member(spec, "linux"), "readonlyPaths");

	for (size_t i = ro && json_object_is_type(ro, json_type_array) ?
			json_object_array_length(ro) : 0; i-- > 0;) {
		const char *p = json_object_get_string(json_object_array_get_idx(ro, i));

		if (p && same_destination(p, path))
			json_object_array_del_idx(ro, i, 1);
	}
}

int emulate_add(struct json_object *spec, const char *mountpoint, char **err)
{
	struct json_object *mounts = spec_member_array(spec, "mounts");
	const char *rootfs = spec_string(spec_member(spec, "root"), "path");

	if (!rootfs || rootfs[0] != '/')
		return error_set(err, -EINVAL, "emulation: root.path is not absolute");
	for (size_t i = 0; i < moat_fs_files_count; i++) {
		const struct moat_fs_file *e = &moat_fs_files[i];
		_cleanup_free_ char *source = NULL;

		if (e->flags & MOAT_FS_NOT_BY_RUNC || spec_mounts_destination(mounts, e->path))
			continue;
		if (asprintf(&source, "%s%s", mountpoint, e->path) < 0)
			return error_set(err, -ENOMEM, "%m");
		json_object_array_add(mounts, bind_mount(e->path, source, e->flags & MOAT_FS_RW));
	}
	if (!rootfs_proc_is_dir(rootfs))
		return 0;
	unlist_readonly(spec, "/proc/sysrq-trigger");
	return add_hook(spec, mountpoint, rootfs, err);
}
