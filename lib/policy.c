// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * policy.c - register containers in the kernel policy that moat-loader
 * pinned: the maps of struct moat_policy (policy-map.h), opened from
 * the pin directory by their names (bpf/moat.h).
 */
#include <bpf/bpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>
#include <stdint.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "macro.h"
#include "mountinfo.h"
#include "paths.h"
#include "policy.h"

#include "policy-map.h"

static const char *const ns_names[] = { "user", "mnt", "pid", "net", "ipc", "uts", "cgroup",
					"time", "pid_for_children", "time_for_children" };

/* The maps opened, each into its field of struct moat_policy. */
static const struct {
	const char *name;
	size_t offset;
} pinned_maps[] = {
	{ MOAT_MAP_CONTAINERS, offsetof(struct moat_policy, containers_fd) },
	{ MOAT_MAP_CONTAINER_LEVELS, offsetof(struct moat_policy, container_levels_fd) },
	{ MOAT_MAP_RESTRICTED, offsetof(struct moat_policy, restricted_fd) },
	{ MOAT_MAP_RESTRICTED_FILTER, offsetof(struct moat_policy, restricted_filter_fd) },
	{ MOAT_MAP_NS_OWNER, offsetof(struct moat_policy, ns_owner_fd) },
	{ MOAT_MAP_PROTECTED_MOUNTS, offsetof(struct moat_policy, protected_mounts_fd) },
};

#define MAP_FD(p, i) ((int *)((char *)(p) + pinned_maps[i].offset))

static int open_pinned(const char *pin_dir, const char *name, int *ret)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fd == -1 ? negative_errno() : fd;
	*ret = fd;
	return 0;
}

int moat_policy_open(const char *pin_dir, struct moat_policy **ret)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	int r;

	if (!pin_dir)
		pin_dir = MOAT_PIN_DIR;
	if (moat_bpf_lsm_enabled() == 0)
		return -EOPNOTSUPP;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(pinned_maps); i++)
		*MAP_FD(p, i) = -1;
	p->pin_dir_fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->pin_dir_fd < 0)
		return negative_errno();
	for (size_t i = 0; i < ELEMENTSOF(pinned_maps); i++) {
		r = open_pinned(pin_dir, pinned_maps[i].name, MAP_FD(p, i));
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(p);
	return 0;
}

void moat_policy_close(struct moat_policy *p)
{
	if (!p)
		return;
	closep(&p->pin_dir_fd);
	for (size_t i = 0; i < ELEMENTSOF(pinned_maps); i++)
		closep(MAP_FD(p, i));
	free(p);
}

void moat_policy_closep(struct moat_policy **p) { moat_policy_close(*p); }

int moat_cgroup_id(const char *cgroup_dir, uint64_t *ret)
{
	struct stat st;

	if (stat(cgroup_dir, &st) < 0)
		return negative_errno();
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*ret = st.st_ino;
	return 0;
}

/* The first pid listed in the cgroup's cgroup.procs, 0 if empty. */
static int cgroup_first_pid(const char *cgroup_dir, pid_t *ret)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[PATH_MAX];
	int pid = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup_dir);
	f = fopen(path, "re");
	if (!f)
		return negative_errno();
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	*ret = pid;
	return 0;
}

static int ns_inum(pid_t pid, const char *name, __u32 *ret)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	if (stat(path, &st) < 0)
		return negative_errno();
	*ret = st.st_ino;
	return 0;
}

/* The host's user namespace: init's, or (where /proc/1/ns is not readable)
 * our own, since moat's tools run in the host's user namespace. */
static __u32 host_userns_inum(void)
{
	__u32 inum = 0;

	if (ns_inum(1, "user", &inum) < 0)
		(void)ns_inum(getpid(), "user", &inum);
	return inum;
}

/* Record pid's namespaces as the container's; returns its userns inode. */
static int record_namespaces(struct moat_policy *p, uint64_t cgroup_id, pid_t pid, __u32 *userns)
{
	struct moat_ns_owner owner = { .cgroup_id = cgroup_id };

	*userns = 0;
	for (size_t i = 0; i < ELEMENTSOF(ns_names); i++) {
		__u32 inum;

		if (ns_inum(pid, ns_names[i], &inum) < 0)
			continue; /* e.g. no time namespaces in this kernel */
		if (i == 0) {
			if (inum == host_userns_inum())
				continue; /* the host's user namespace is never a container's */
			*userns = inum;
		}
		if (bpf_map_update_elem(p->ns_owner_fd, &inum, &owner, BPF_ANY) < 0)
			return negative_errno();
	}
	return 0;
}

/* Add or update the containers entry, the level's count raised first. */
static int insert_container(struct moat_policy *p, uint64_t id, struct moat_container *c)
{
	struct moat_container old;
	int r;

	r = policy_lock(p);
	if (r < 0)
		return r;
	if (bpf_map_lookup_elem(p->containers_fd, &id, &old) == 0)
		c->level = old.level; /* registered already: counted already */
	else
		r = policy_count_level(p, c->level, +1);
	if (r >= 0 && bpf_map_update_elem(p->containers_fd, &id, c, BPF_ANY) < 0) {
		r = negative_errno();
		if (bpf_map_lookup_elem(p->containers_fd, &id, &old) < 0)
			(void)policy_count_level(p, c->level, -1);
	}
	policy_unlock(p);
	return r;
}

int moat_policy_register(struct moat_policy *p, const char *cgroup_dir, pid_t ns_pid,
			 uint32_t flags)
{
	struct moat_container c = { .flags = flags };
	uint64_t id;
	int r;

	r = moat_cgroup_id(cgroup_dir, &id);
	if (r < 0)
		return r;
	if (id == 1)
		return -EINVAL; /* the root cgroup holds every process */
	r = moat_cgroup_level(cgroup_dir, &c.level);
	if (r < 0)
		return r;
	if (c.level == 0)
		return -EINVAL;
	if (c.level >= MOAT_CGROUP_LEVELS)
		return -ECHRNG;
	r = cgroup_limit_nesting(cgroup_dir);
	if (r < 0)
		return r;
	if (ns_pid == 0) {
		r = cgroup_first_pid(cgroup_dir, &ns_pid);
		if (r < 0)
			return r;
	}
	if (ns_pid > 0) {
		r = record_namespaces(p, id, ns_pid, &c.userns_inum);
		if (r < 0)
			return r;
	}
	return insert_container(p, id, &c);
}

/* Delete the containers entry, then lower its level's count. */
static int delete_container(struct moat_policy *p, uint64_t cgroup_id)
{
	struct moat_container c;
	int r;

	r = policy_lock(p);
	if (r < 0)
		return r;
	if (bpf_map_lookup_elem(p->containers_fd, &cgroup_id, &c) < 0)
		r = negative_errno();
	else if (bpf_map_delete_elem(p->containers_fd, &cgroup_id) < 0)
		r = negative_errno();
	else
		r = policy_count_level(p, c.level, -1);
	policy_unlock(p);
	return r;
}

int moat_policy_unregister_id(struct moat_policy *p, uint64_t cgroup_id)
{
	int r = delete_container(p, cgroup_id);

	(void)moat_map_forget_cgroup(p->ns_owner_fd, sizeof(struct moat_ns_owner), cgroup_id);
	(void)moat_policy_forget_mounts(p, cgroup_id);
	return r;
}

int moat_policy_unregister(struct moat_policy *p, const char *cgroup_dir)
{
	uint64_t id;
	int r;

	r = moat_cgroup_id(cgroup_dir, &id);
	if (r < 0)
		return r;
	return moat_policy_unregister_id(p, id);
}

int moat_policy_lookup(struct moat_policy *p, uint64_t cgroup_id, struct moat_container *ret)
{
	if (bpf_map_lookup_elem(p->containers_fd, &cgroup_id, ret) < 0)
		return negative_errno();
	return 0;
}

struct mount_dev {
	int mnt_id;
	__u64 kdev;
	bool found;
};

static int match_mount_dev(const struct mountinfo_entry *e, void *userdata)
{
	struct mount_dev *m = userdata;

	if (e->mnt_id != m->mnt_id)
		return 0;
	m->kdev = mountinfo_kdev(e);
	m->found = true;
	return 1;
}

/* The restricted map's keys for one object: the superblock's, and on btrfs
 * also the subvolume's. */
struct restricted_keys {
	struct moat_restricted_key k[2];
	size_t n;
};

/*
 * The keys the kernel may compute for the object at path (restricted_inode
 * in bpf/policy.bpf.h): its superblock's dev_t (i_sb->s_dev), which is
 * mountinfo's MAJ:MIN of the mount it was found on (statx's mount id of the
 * fd resolved once), not stat()'s st_dev; and on btrfs, where inode numbers
 * repeat in every subvolume of one superblock, the subvolume's anonymous
 * device, which is stat()'s st_dev and what the kernel side uses when it
 * knows btrfs's types (the module was loaded when moat-loader started).
 */
static int restricted_keys(const char *path, struct restricted_keys *keys,
			   struct moat_restricted *value)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	_cleanup_close_ int fd = -1;
	struct mount_dev m = {};
	struct statfs sfs;
	struct statx stx;
	__u64 subvol_dev;
	int r;

	if (!real)
		return negative_errno();
	fd = open(real, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &stx) < 0 || fstatfs(fd, &sfs) < 0)
		return negative_errno();
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP; /* before Linux 5.8 */
	m.mnt_id = (int)stx.stx_mnt_id;
	r = mountinfo_foreach_pid(0, match_mount_dev, &m);
	if (r < 0)
		return r;
	if (!m.found)
		return -ESTALE; /* unmounted meanwhile */
	keys->k[0] = (struct moat_restricted_key){ .dev = m.kdev, .ino = stx.stx_ino };
	keys->n = 1;
	/* the kernel's dev_t encoding, not glibc's */
	subvol_dev = ((__u64)stx.stx_dev_major << 20) | stx.stx_dev_minor;
	if (sfs.f_type == BTRFS_SUPER_MAGIC && subvol_dev != m.kdev)
		keys->k[keys->n++] = (struct moat_restricted_key){ .dev = subvol_dev, .ino = stx.stx_ino };
	memset(value, 0, sizeof(*value));
	strncpy(value->path, real, sizeof(value->path) - 1);
	return 0;
}

/* Set the inode's bit in the filter before the entry exists, so the kernel
 * never skips a restricted inode (under policy_lock: no lost update). */
static int set_filter_bit(struct moat_policy *p, __u64 ino)
{
	struct moat_restricted_filter filter;
	__u32 zero = 0, bit = ino % MOAT_FILTER_BITS;

	if (bpf_map_lookup_elem(p->restricted_filter_fd, &zero, &filter) < 0)
		return negative_errno();
	if (filter.bits[bit / 64] & (1ULL << (bit % 64)))
		return 0;
	filter.bits[bit / 64] |= 1ULL << (bit % 64);
	if (bpf_map_update_elem(p->restricted_filter_fd, &zero, &filter, BPF_ANY) < 0)
		return negative_errno();
	return 0;
}

static int update_restricted(struct moat_policy *p, const struct restricted_keys *keys,
			     const struct moat_restricted *value, bool add)
{
	int r = add ? set_filter_bit(p, keys->k[0].ino) : 0;

	for (size_t i = 0; i < keys->n && r >= 0; i++) {
		if (add && bpf_map_update_elem(p->restricted_fd, &keys->k[i], value, BPF_ANY) < 0)
			r = negative_errno();
		/* the superblock key of a btrfs object may be another
		 * subvolume's too, and gone with its unrestrict */
		else if (!add && bpf_map_delete_elem(p->restricted_fd, &keys->k[i]) < 0 &&
			 (i == keys->n - 1 || errno != ENOENT))
			r = negative_errno();
	}
	return r;
}

static int set_restricted(struct moat_policy *p, const char *path, bool add)
{
	struct restricted_keys keys;
	struct moat_restricted value;
	int r;

	r = restricted_keys(path, &keys, &value);
	if (r < 0)
		return r;
	r = policy_lock(p);
	if (r < 0)
		return r;
	r = update_restricted(p, &keys, &value, add);
	policy_unlock(p);
	return r;
}

int moat_policy_restrict(struct moat_policy *p, const char *path)
{
	return set_restricted(p, path, true);
}

int moat_policy_unrestrict(struct moat_policy *p, const char *path)
{
	return set_restricted(p, path, false);
}

int moat_policy_foreach(struct moat_policy *p, moat_container_cb cb, void *userdata)
{
	uint64_t key, next, *prev = NULL;
	struct moat_container c;
	int r;

	while (bpf_map_get_next_key(p->containers_fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(p->containers_fd, &next, &c) == 0) {
			r = cb(next, &c, userdata);
			if (r != 0)
				return r;
		}
		key = next;
		prev = &key;
	}
	return 0;
}
