// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * attach.c - the skeleton rule chain: open (pin_root_path) -> load ->
 * attach -> pin links. The maps declare their own pinning
 * (LIBBPF_PIN_BY_NAME, bpf/policy.bpf.h): at load libbpf reuses the maps
 * pinned under pin_root_path, with the registrations already in them, and
 * pins the ones that are not there yet.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <limits.h>
#include <string.h>
#include <libgen.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "attach.h"
#include "macro.h"
#include "moat.h"
#include "moat.skel.h"
#include "paths.h"
#include "policy.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct moat_bpf *, moat_bpf__destroy);

/* Filesystems a container may never mount: they expose the kernel or host. */
static const char *const denied_fstypes[] = {
	"bpf",	 "debugfs", "tracefs", "securityfs", "configfs",
	"pstore", "efivarfs", "binfmt_misc", "kernfs",
};

static void link_pin_path(const char *pin_dir, const struct bpf_program *prog, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" MOAT_LINK_SUBDIR "/%s", pin_dir, bpf_program__name(prog));
}

static int fill_denied_fstypes(struct moat_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.denied_fstypes);
	__u8 one = 1;

	for (size_t i = 0; i < ELEMENTSOF(denied_fstypes); i++) {
		struct moat_fstype_key key = {};

		strncpy(key.name, denied_fstypes[i], sizeof(key.name) - 1);
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY) < 0)
			return negative_errno();
	}
	return 0;
}

/* Attach prog and pin its link, or keep (and optionally upgrade) the pinned one. */
static int attach_or_adopt(const char *pin_dir, struct bpf_program *prog, bool upgrade, int *adopted)
{
	char path[PATH_MAX];
	struct bpf_link *link;
	int r;

	link_pin_path(pin_dir, prog, path, sizeof(path));
	link = bpf_link__open(path);
	if (link) {
		r = upgrade ? bpf_link__update_program(link, prog) : 0;
		(void)bpf_link__disconnect(link);
		bpf_link__destroy(link);
		(*adopted)++;
		return r;
	}
	link = bpf_program__attach(prog);
	if (!link)
		return negative_errno();
	r = bpf_link__pin(link, path);
	bpf_link__destroy(link); /* the pin keeps it attached */
	return r;
}

static bool skel_has_program(struct moat_bpf *skel, const char *name)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
		if (strcmp(bpf_program__name(prog), name) == 0)
			return true;
	return false;
}

/* On upgrade: detach links pinned by an older build for programs this build
 * no longer has (merged or removed), so no stale program keeps running. */
static int unpin_stale_links(struct moat_bpf *skel, const char *links)
{
	DIR *d = opendir(links);
	struct dirent *de;
	int r = 0;

	if (!d)
		return negative_errno();
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || skel_has_program(skel, de->d_name))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
			r = negative_errno();
	}
	closedir(d);
	return r;
}

static bool all_links_pinned(const char *pin_dir)
{
	/* parses the ELF only, loads nothing */
	_cleanup_(moat_bpf__destroyp) struct moat_bpf *skel = moat_bpf__open();
	struct bpf_program *prog;
	char path[PATH_MAX];
	struct stat st;

	if (!skel)
		return false;
	bpf_object__for_each_program(prog, skel->obj) {
		link_pin_path(pin_dir, prog, path, sizeof(path));
		if (stat(path, &st) < 0)
			return false;
	}
	return true;
}

static int open_events(const char *pin_dir, int *events_fd)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/" MOAT_MAP_EVENTS, pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return negative_errno();
	*events_fd = fd;
	return 0;
}

static int load_and_attach(const char *pin_dir, bool upgrade, int *adopted)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	_cleanup_(moat_bpf__destroyp) struct moat_bpf *skel = NULL;
	struct bpf_program *prog;
	char links[PATH_MAX];
	int r;

	skel = moat_bpf__open_opts(&opts);
	if (!skel)
		return negative_errno();
	r = moat_bpf__load(skel);
	if (r < 0)
		return r;
	r = fill_denied_fstypes(skel);
	if (r < 0)
		return r;
	snprintf(links, sizeof(links), "%s/" MOAT_LINK_SUBDIR, pin_dir);
	if (mkdir(links, 0700) < 0 && errno != EEXIST)
		return negative_errno();
	bpf_object__for_each_program(prog, skel->obj) {
		r = attach_or_adopt(pin_dir, prog, upgrade, adopted);
		if (r < 0)
			return r;
	}
	/* after the swap: the old programs overlap the new ones, never a gap */
	return upgrade ? unpin_stale_links(skel, links) : 0;
}

static bool on_bpffs(const char *pin_dir)
{
	_cleanup_free_ char *copy = strdup(pin_dir);
	struct statfs sfs;

	return copy && statfs(dirname(copy), &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC;
}

/* Counts a registration killed half-way left too high cost a lookup each;
 * set them from the containers registered now. */
static void recount_levels(const char *pin_dir)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;

	if (moat_policy_open(pin_dir, &p) == 0)
		(void)moat_policy_recount_levels(p);
}

int policy_start(const char *pin_dir, bool upgrade, int *events_fd, bool *adopted)
{
	int r, n_adopted = 0;
	bool created;

	if (!on_bpffs(pin_dir))
		return -ENOTDIR;
	created = mkdir(pin_dir, 0700) == 0;
	if (!created && errno != EEXIST)
		return negative_errno();
	if (upgrade || !all_links_pinned(pin_dir)) {
		r = load_and_attach(pin_dir, upgrade, &n_adopted);
		if (r < 0) {
			if (created) /* leave nothing behind */
				(void)policy_stop(pin_dir);
			return r;
		}
	} else
		n_adopted = 1;
	*adopted = n_adopted > 0;
	recount_levels(pin_dir);
	return open_events(pin_dir, events_fd);
}

/* Unlink every entry of dir (pins are files on bpffs), then dir itself. */
static int unpin_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			r = unpin_dir(path) < 0 ? -EIO : r;
		else if (unlink(path) < 0)
			r = negative_errno();
	}
	closedir(d);
	if (rmdir(dir) < 0 && r == 0)
		r = negative_errno();
	return r;
}

/* The ids of the programs that the links pinned in dir attach (at most n). */
static int linked_prog_ids(const char *dir, __u32 *ids, int n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];
	int k = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && k < n) {
		struct bpf_link_info info = { 0 };
		__u32 len = sizeof(info);
		int fd;

		if (de->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if ((fd = bpf_obj_get(path)) < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.prog_id)
			ids[k++] = info.prog_id;
		close(fd);
	}
	closedir(d);
	return k;
}

static bool prog_loaded(__u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return errno != ENOENT;
	close(fd);
	return true;
}

/*
 * A link whose last reference goes is freed at once in 6.1, from a
 * workqueue in 6.12: there the programs stay attached for a moment (over a
 * second under TCG) after the pins are gone. A program is freed only after
 * its link detached it, so wait for the programs to go: then `stop` means
 * enforcement ended. They stay while another process holds the links (a
 * moat-loader start still running).
 */
static int wait_progs_gone(const __u32 *ids, int n)
{
	for (int tries = 0; tries < 200; tries++) {
		bool any = false;

		for (int i = 0; i < n && !any; i++)
			any = prog_loaded(ids[i]);
		if (!any)
			return 0;
		usleep(50 * 1000);
	}
	return -EBUSY;
}

int policy_stop(const char *pin_dir)
{
	char links[PATH_MAX];
	__u32 ids[64];
	int r, n;

	/* links first: enforcement ends before the maps go away */
	snprintf(links, sizeof(links), "%s/" MOAT_LINK_SUBDIR, pin_dir);
	n = linked_prog_ids(links, ids, (int)ELEMENTSOF(ids));
	r = unpin_dir(links);
	if (r < 0)
		return r;
	r = unpin_dir(pin_dir);
	if (r < 0)
		return r;
	return wait_progs_gone(ids, n);
}
