/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap.c - idmapped views of a container's rootfs and bind sources.
 *
 * An idmapped mount is open_tree(OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_IDMAP)
 * with a user namespace whose uid_map is "0 host_uid count" (the container's
 * own mapping) + move_mount.  overlayfs itself cannot be idmapped, but since
 * Linux 5.19 it accepts idmapped layers, so an overlay rootfs is rebuilt as a
 * new overlay over idmapped views of its layers.
 *
 * Layout under work_dir (the caller's, mode 0711):
 *   rootfs          the view handed to the runtime as root.path
 *   layers/0        idmapped upper's parent (upper and our workdir in it)
 *   layers/1..N     idmapped lower layers, read-only, top first
 *   binds/<index>   idmapped bind sources
 *
 * Propagation: anything attached under a shared mount is copied to all of that
 * mount's peers, whatever the propagation of the attached tree, and the host's
 * / is usually shared.  Our mounts would then show up in every namespace that
 * is a peer or slave of the host's (systemd services, and each container start
 * would add mounts to all of them).  So work_dir first becomes a private bind
 * of itself: that one bind is copied to the peers (harmless, and its unmount
 * propagates back to them since its parent stays shared), everything below it
 * stays in the caller's namespace.  Each view is private too, so mounts made
 * later under the source do not leak into the container's rootfs, or back.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "idmap.h"
#include "macro.h"
#include "userns.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
struct mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#endif

/* Our overlay's workdir, created next to the original upper (see ovl_mount_layers). */
#define OVL_WORKDIR ".moat-work"
#define MOUNTER_STACK (64 * 1024)

static inline void mountinfo_donep(struct mountinfo *mi) { mountinfo_done(mi); }
static inline void ovl_config_donep(struct ovl_config *c) { ovl_config_done(c); }
static inline void closedirp(DIR **d)
{
	if (*d)
		(void)closedir(*d);
}

/* ---- mountinfo ---- */

static int octal_at(const char *s)
{
	if (s[0] != '\\' || s[1] < '0' || s[1] > '3' || s[2] < '0' || s[2] > '7' || s[3] < '0' ||
	    s[3] > '7')
		return -1;
	return (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
}

void mountinfo_unescape(char *s)
{
	char *d = s;

	while (*s) {
		int c = octal_at(s);

		if (c > 0) {
			*d++ = (char)c;
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *ret)
{
	struct mountinfo_entry e = {};
	char *field[5], *tok;

	/* id parent major:minor root mount_point options [optional...] - fstype source super */
	for (size_t i = 0; i < ELEMENTSOF(field); i++) {
		field[i] = strsep(&line, " ");
		if (!field[i] || !line)
			return -EBADMSG;
	}
	if (sscanf(field[0], "%d", &e.id) != 1 || sscanf(field[1], "%d", &e.parent_id) != 1 ||
	    sscanf(field[2], "%u:%u", &e.major, &e.minor) != 2)
		return -EBADMSG;
	e.root = field[3];
	e.mount_point = field[4];
	(void)strsep(&line, " "); /* per-mount options */
	for (;;) {
		tok = strsep(&line, " ");
		if (!tok || !line)
			return -EBADMSG;
		if (strcmp(tok, "-") == 0)
			break;
		if (strncmp(tok, "shared:", 7) == 0)
			e.shared = true;
	}
	e.fstype = strsep(&line, " ");
	e.source = strsep(&line, " ");
	e.super_options = line;
	if (!e.source || !e.super_options)
		return -EBADMSG;
	mountinfo_unescape(e.root);
	mountinfo_unescape(e.mount_point);
	mountinfo_unescape(e.fstype);
	mountinfo_unescape(e.source);
	*ret = e;
	return 0;
}

void mountinfo_done(struct mountinfo *mi)
{
	free(mi->buf);
	free(mi->entries);
	*mi = (struct mountinfo){};
}

int mountinfo_parse(char *text, struct mountinfo *ret)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = { .buf = text };
	size_t cap = 0;
	char *p = text, *line;
	int r;

	while ((line = strsep(&p, "\n"))) {
		if (!*line)
			continue;
		if (mi.n == cap) {
			struct mountinfo_entry *n;

			cap = cap ? cap * 2 : 64;
			n = realloc(mi.entries, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			mi.entries = n;
		}
		r = mountinfo_parse_line(line, &mi.entries[mi.n]);
		if (r < 0)
			return r;
		mi.n++;
	}
	*ret = mi;
	mi = (struct mountinfo){};
	return 0;
}

static int mountinfo_read(struct mountinfo *ret)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, cap = 16384;
	ssize_t n;

	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	while ((n = read(fd, buf + size, cap - size - 1)) != 0) {
		if (n < 0)
			return negative_errno();
		size += n;
		if (size == cap - 1) {
			char *b = realloc(buf, cap * 2);

			if (!b)
				return -ENOMEM;
			buf = b;
			cap *= 2;
		}
	}
	buf[size] = '\0';
	return mountinfo_parse(TAKE_PTR(buf), ret);
}

const struct mountinfo_entry *mountinfo_find(const struct mountinfo *mi, const char *path)
{
	for (size_t i = mi->n; i > 0; i--)
		if (strcmp(mi->entries[i - 1].mount_point, path) == 0)
			return &mi->entries[i - 1];
	return NULL;
}

const struct mountinfo_entry *mountinfo_find_id(const struct mountinfo *mi, int id)
{
	for (size_t i = 0; i < mi->n; i++)
		if (mi->entries[i].id == id)
			return &mi->entries[i];
	return NULL;
}

/* path below (or at) dir: "" for dir itself, "/x/y" below it, NULL elsewhere. */
static const char *path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return strcmp(path, "/") == 0 ? "" : path;
	if (strncmp(path, dir, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return NULL;
	return path + n;
}

bool mountinfo_is_self_bind(const struct mountinfo_entry *e, const struct mountinfo_entry *parent)
{
	const char *rel;
	size_t n;

	if (!parent || e->major != parent->major || e->minor != parent->minor)
		return false;
	rel = path_below(e->mount_point, parent->mount_point);
	if (!rel)
		return false;
	/* e->root must be parent->root + rel ("/" + "/a" = "/a"; "/x" + "" = "/x"). */
	n = strcmp(parent->root, "/") == 0 ? 0 : strlen(parent->root);
	if (strncmp(e->root, parent->root, n) != 0)
		return false;
	if (*rel == '\0')
		return strcmp(e->root + n, n ? "" : "/") == 0;
	return strcmp(e->root + n, rel) == 0;
}

/* ---- overlay options ---- */

/*
 * Decode one character of a raw option value: an octal escape or a plain
 * character.  *octal tells which, so a decoded ':' (from "\072") is never a
 * separator.
 */
static char decode_char(const char **s, bool *octal)
{
	int c = octal_at(*s);

	*octal = c > 0;
	if (*octal) {
		*s += 4;
		return (char)c;
	}
	return *(*s)++;
}

enum decode_mode {
	DECODE_OCTAL,	 /* lowerdir+=: shown as given, only octal-escaped */
	DECODE_OVL,	 /* upperdir=, workdir=: overlayfs also takes "\\x" as x */
	DECODE_OVL_LIST, /* lowerdir=: and an unescaped ':' separates */
};

/*
 * Decode a raw value: octal escapes, then (but for DECODE_OCTAL) overlayfs'
 * own backslash escapes.  DECODE_OVL_LIST stops after the first separating
 * ':' and sets *more.
 */
static char *decode_value(const char *raw, size_t len, enum decode_mode mode, size_t *consumed,
			  bool *more)
{
	const char *s = raw, *end = raw + len;
	char *out = malloc(len + 1), *d = out;
	bool octal, escaped = false, sep = false;

	if (!out)
		return NULL;
	while (s < end && !sep) {
		char c = decode_char(&s, &octal);

		if (escaped) {
			*d++ = c;
			escaped = false;
		} else if (c == '\\' && mode != DECODE_OCTAL) {
			escaped = true;
		} else if (c == ':' && !octal && mode == DECODE_OVL_LIST) {
			sep = true;
		} else {
			*d++ = c;
		}
	}
	*d = '\0';
	if (consumed)
		*consumed = s - raw;
	if (more)
		*more = sep;
	return out;
}

static int strv_push(char ***v, size_t *n, char *s)
{
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int ovl_split_lowerdir(const char *raw, char ***ret, size_t *ret_n)
{
	size_t len = strlen(raw), pos = 0, used, n = 0;
	char **v = NULL;
	bool more = true;
	int r = 0;

	if (len == 0)
		return -EINVAL;
	while (more) {
		char *elem = decode_value(raw + pos, len - pos, DECODE_OVL_LIST, &used, &more);

		if (elem && !*elem) {
			free(elem);
			r = -EOPNOTSUPP;
			break;
		}
		r = strv_push(&v, &n, elem);
		if (r < 0)
			break;
		pos += used;
	}
	if (r < 0) {
		strv_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Make *path (decoded, NULL if out of memory) absolute, relative to base. */
static int resolve(char **path, const char *base)
{
	char *abs;

	if (!*path)
		return -ENOMEM;
	if ((*path)[0] == '/')
		return 0;
	if (!base)
		return -EINVAL;
	if (asprintf(&abs, "%s/%s", base, *path) < 0)
		return -ENOMEM;
	free(*path);
	*path = abs;
	return 0;
}

/* Options that change how the layers are read: the new overlay must use them too. */
static bool is_feature_option(const char *key, size_t len)
{
	static const char *const keys[] = { "redirect_dir", "metacopy", "userxattr", "xino", "verity" };

	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (strlen(keys[i]) == len && strncmp(key, keys[i], len) == 0)
			return true;
	return false;
}

static int append_feature(char **features, const char *opt, size_t len)
{
	char *n;

	if (asprintf(&n, "%s%s%.*s", *features ? *features : "", *features ? "," : "", (int)len,
		     opt) < 0)
		return -ENOMEM;
	free(*features);
	*features = n;
	return 0;
}

static int ovl_config_add_lowers(struct ovl_config *c, const char *raw, size_t len, bool split,
				 const char *base)
{
	_cleanup_free_ char *value = strndup(raw, len);
	char **v = NULL;
	size_t n = 0;
	int r;

	if (!value)
		return -ENOMEM;
	if (split) {
		r = ovl_split_lowerdir(value, &v, &n);
		if (r < 0)
			return r;
	} else {
		r = strv_push(&v, &n, decode_value(value, len, DECODE_OCTAL, NULL, NULL));
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = resolve(&v[i], base);
		if (r >= 0)
			r = strv_push(&c->lowers, &c->n_lowers, TAKE_PTR(v[i]));
	}
	strv_free(v, n);
	return r;
}

static int ovl_config_add(struct ovl_config *c, const char *opt, size_t len, const char *base)
{
	const char *eq = memchr(opt, '=', len);
	size_t klen = eq ? (size_t)(eq - opt) : len, vlen = eq ? len - klen - 1 : 0;
	const char *val = eq ? eq + 1 : NULL;
	char **slot = NULL;

	if (klen == 8 && strncmp(opt, "lowerdir", 8) == 0 && eq)
		return ovl_config_add_lowers(c, val, vlen, true, base);
	if (klen == 9 && strncmp(opt, "lowerdir+", 9) == 0 && eq)
		return ovl_config_add_lowers(c, val, vlen, false, base);
	if (klen == 8 && strncmp(opt, "datadir+", 8) == 0)
		return -EOPNOTSUPP;
	if (klen == 8 && strncmp(opt, "upperdir", 8) == 0 && eq)
		slot = &c->upper;
	else if (klen == 7 && strncmp(opt, "workdir", 7) == 0 && eq)
		slot = &c->work;
	else if (is_feature_option(opt, klen))
		return append_feature(&c->features, opt, len);
	else
		return 0; /* index, uuid, nfs_export, volatile, ro/rw: not carried over */
	free(*slot);
	*slot = decode_value(val, vlen, DECODE_OVL, NULL, NULL);
	return resolve(slot, base);
}

void ovl_config_done(struct ovl_config *c)
{
	strv_free(c->lowers, c->n_lowers);
	free(c->upper);
	free(c->work);
	free(c->features);
	*c = (struct ovl_config){};
}

int ovl_config_parse(const char *super_options, const char *base, struct ovl_config *ret)
{
	_cleanup_(ovl_config_donep) struct ovl_config c = {};
	const char *p = super_options;
	int r;

	/* A ',' inside a value is shown as "\054": every raw ',' separates. */
	while (*p) {
		size_t len = strcspn(p, ",");

		r = ovl_config_add(&c, p, len, base);
		if (r < 0)
			return r;
		p += len;
		if (*p == ',')
			p++;
	}
	if (c.n_lowers == 0 || !c.upper != !c.work)
		return -EINVAL;
	*ret = c;
	c = (struct ovl_config){};
	return 0;
}

char *ovl_escape(const char *path)
{
	char *out = malloc(strlen(path) * 2 + 1), *d = out;

	if (!out)
		return NULL;
	for (; *path; path++) {
		if (*path == '\\' || *path == ':' || *path == ',')
			*d++ = '\\';
		*d++ = *path;
	}
	*d = '\0';
	return out;
}

/* ---- mounts ---- */

/*
 * The user namespace of the last range asked for, kept open: one container
 * start makes its rootfs view and a bind view per volume with one range, and
 * each new namespace costs a clone and two wake-ups (0.15 ms, up to 1.5 ms on
 * a VM with idle CPUs).  Per thread, so no lock; O_CLOEXEC, so nothing the
 * caller executes inherits it.  The fd is borrowed: callers do not close it.
 */
static __thread struct {
	struct idmap_range range;
	int fd;
} userns_cache = { .fd = -1 };

static int range_userns(const struct idmap_range *r)
{
	int fd;

	if (userns_cache.fd >= 0 && memcmp(&userns_cache.range, r, sizeof(*r)) == 0)
		return userns_cache.fd;
	fd = userns_open(r->host_uid, r->host_gid, r->count);
	if (fd < 0)
		return fd;
	if (userns_cache.fd >= 0)
		(void)close(userns_cache.fd);
	userns_cache.range = *r;
	userns_cache.fd = fd;
	return fd;
}

static int check_range(const struct idmap_range *r)
{
	if (!r || r->count == 0 || r->host_uid == 0 || r->host_gid == 0 ||
	    r->host_uid > UINT32_MAX - r->count || r->host_gid > UINT32_MAX - r->count)
		return -EINVAL;
	return 0;
}

static int mkdir_ok(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0)
		return errno == EEXIST ? 0 : negative_errno();
	/* mkdir honours the umask; the container's root must traverse what we make */
	return chmod(path, mode) < 0 ? negative_errno() : 0;
}

/* A view of src (its mount only, not submounts) at the existing target, idmapped and private. */
static int idmap_mount(const char *src, const char *target, int userns_fd, bool rdonly)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP | (rdonly ? MOUNT_ATTR_RDONLY : 0),
		.userns_fd = userns_fd,
		.propagation = MS_PRIVATE,
	};
	_cleanup_close_ int fd = -1;

	fd = syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return negative_errno();
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return negative_errno();
	return 0;
}

/* Make work_dir a private mount (a bind of itself) unless it already is (see the top). */
static int make_work_dir_private(const char *work_dir, const struct mountinfo *mi)
{
	const struct mountinfo_entry *top = mountinfo_find(mi, work_dir);

	if (top && !top->shared && mountinfo_is_self_bind(top, mountinfo_find_id(mi, top->parent_id)))
		return 0;
	if (mount(work_dir, work_dir, NULL, MS_BIND, NULL) < 0)
		return negative_errno();
	if (mount(NULL, work_dir, NULL, MS_PRIVATE, NULL) < 0) {
		int r = negative_errno();

		(void)umount2(work_dir, MNT_DETACH);
		return r;
	}
	return 0;
}

/* Canonical work_dir, made a private mount; mi is read for the caller too. */
static int open_work_dir(const char *work_dir, char **ret_dir, struct mountinfo *ret_mi)
{
	_cleanup_free_ char *dir = realpath(work_dir, NULL);
	int r;

	if (!dir)
		return negative_errno();
	r = mountinfo_read(ret_mi);
	if (r < 0)
		return r;
	r = make_work_dir_private(dir, ret_mi);
	if (r < 0) {
		mountinfo_done(ret_mi);
		return r;
	}
	*ret_dir = TAKE_PTR(dir);
	return 0;
}

/*
 * The overlay is mounted by a child with fsuid/fsgid = the container's root
 * and its full capabilities (setfsuid drops CAP_CHOWN, CAP_DAC_* and
 * CAP_FOWNER from the effective set; they come back from the permitted one).
 * overlayfs does its upper-layer work (workdir, copy-up, whiteouts) with the
 * mounter's credentials, and through an idmapped upper real root (uid 0) has
 * no mapping: creating the workdir fails with EOVERFLOW and the overlay falls
 * back to read-only.  The container's root maps to 0 on disk, as it should.
 * The child also chdirs to layers/ so the options can name layers "1:2:...",
 * which keeps a 100-layer image under the one page mount(2) accepts; being a
 * separate task (CLONE_VM|CLONE_VFORK, no CLONE_FS) neither change reaches the
 * caller.
 */
struct ovl_mount_job {
	const char *layers_dir, *target, *options;
	bool has_upper;
	uid_t uid;
	gid_t gid;
	int err;
};

static int raise_effective_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d) < 0)
		return negative_errno();
	for (size_t i = 0; i < ELEMENTSOF(d); i++)
		d[i].effective = d[i].permitted;
	return syscall(SYS_capset, &h, d) < 0 ? negative_errno() : 0;
}

static int ovl_mounter(void *arg)
{
	struct ovl_mount_job *job = arg;
	int r;

	(void)setfsgid(job->gid);
	(void)setfsuid(job->uid);
	if ((uid_t)setfsuid(-1) != job->uid || (gid_t)setfsgid(-1) != job->gid) {
		job->err = -EPERM;
		return 0;
	}
	r = raise_effective_caps();
	if (r < 0) {
		job->err = r;
		return 0;
	}
	if (chdir(job->layers_dir) < 0 ||
	    (job->has_upper && mkdir("0/" OVL_WORKDIR, 0700) < 0 && errno != EEXIST) ||
	    mount("overlay", job->target, "overlay", 0, job->options) < 0)
		job->err = negative_errno();
	else
		job->err = 0;
	return 0;
}

static int run_ovl_mounter(struct ovl_mount_job *job)
{
	_cleanup_free_ void *stack = malloc(MOUNTER_STACK);
	int status;
	pid_t pid;

	if (!stack)
		return -ENOMEM;
	job->err = -ECHILD;
	pid = clone(ovl_mounter, (char *)stack + MOUNTER_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, job);
	if (pid < 0)
		return negative_errno();
	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			return negative_errno();
	return job->err;
}

/* "lowerdir=1:2:..,upperdir=0/<upper>,workdir=0/.moat-work,<features>,index=off" */
static char *ovl_options(const struct ovl_config *c, const char *upper_name)
{
	_cleanup_free_ char *lowers = NULL, *esc = NULL;
	size_t len = 0;
	char *opts;

	lowers = malloc(c->n_lowers * 12 + 1);
	if (!lowers)
		return NULL;
	for (size_t i = 0; i < c->n_lowers; i++)
		len += sprintf(lowers + len, "%s%zu", i ? ":" : "", i + 1);
	if (upper_name) {
		esc = ovl_escape(upper_name);
		if (!esc)
			return NULL;
	}
	/*
	 * index=off: Docker's overlay still uses the same upper, and with the
	 * index on overlayfs refuses an upper in use by another mount (EBUSY).
	 */
	if (asprintf(&opts, "lowerdir=%s%s%s%s%s%s,index=off", lowers,
		     esc ? ",upperdir=0/" : "", esc ? esc : "",
		     esc ? ",workdir=0/" OVL_WORKDIR : "", c->features ? "," : "",
		     c->features ? c->features : "") < 0)
		return NULL;
	return opts;
}

static int mount_layer(const char *layers, size_t index, const char *src, int userns_fd,
		       bool rdonly)
{
	_cleanup_free_ char *target = NULL;
	int r;

	if (asprintf(&target, "%s/%zu", layers, index) < 0)
		return -ENOMEM;
	r = mkdir_ok(target, 0700);
	if (r < 0)
		return r;
	return idmap_mount(src, target, userns_fd, rdonly);
}

/*
 * A new overlay at target over idmapped views of c's layers: each lower
 * read-only at layers/1..N; the upper's parent directory at layers/0, since
 * upper and workdir must share one mount.  Our workdir is a new directory next
 * to the upper (Docker's layer directory, removed with the container): the
 * original overlay keeps its own, which a second overlay would empty on mount.
 */
static int ovl_mount_layers(const struct ovl_config *c, const char *work_dir, const char *target,
			    const struct idmap_range *range, int userns_fd)
{
	_cleanup_free_ char *layers = NULL, *upper = NULL, *opts = NULL;
	const char *upper_name = NULL;
	struct ovl_mount_job job = { .uid = range->host_uid, .gid = range->host_gid };
	int r;

	if (asprintf(&layers, "%s/layers", work_dir) < 0)
		return -ENOMEM;
	/* Nobody but the mounter needs to reach the layers. */
	r = mkdir_ok(layers, 0700);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_lowers; i++) {
		r = mount_layer(layers, i + 1, c->lowers[i], userns_fd, true);
		if (r < 0)
			return r;
	}
	if (c->upper) {
		char *slash;

		upper = realpath(c->upper, NULL);
		if (!upper)
			return negative_errno();
		slash = strrchr(upper, '/');
		if (slash == upper)
			return -EINVAL; /* an upper directly below / would idmap all of / */
		*slash = '\0';
		upper_name = slash + 1;
		r = mount_layer(layers, 0, upper, userns_fd, false);
		if (r < 0)
			return r;
	}
	opts = ovl_options(c, upper_name);
	if (!opts)
		return -ENOMEM;
	job.layers_dir = layers;
	job.has_upper = upper_name;
	job.target = target;
	job.options = opts;
	return run_ovl_mounter(&job);
}

/* ---- release ---- */

/* Unmount every mount at or below path, last mounted first. */
static int unmount_tree(const struct mountinfo *mi, const char *path)
{
	int r = 0;

	for (size_t i = mi->n; i > 0; i--) {
		const char *mp = mi->entries[i - 1].mount_point;

		if (!path_below(mp, path))
			continue;
		/* EINVAL/ENOENT: already gone with a parent detached before it. */
		if (umount2(mp, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
		    errno != ENOENT && r == 0)
			r = negative_errno();
	}
	return r;
}

/* Remove the tree at dirfd/name (overlayfs' workdir: a few levels at most). */
static int remove_tree_at(int dirfd, const char *name, unsigned depth)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int fd;

	if (depth > 8)
		return -ELOOP;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : negative_errno();
	d = fdopendir(fd);
	if (!d) {
		(void)close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR)
			(void)remove_tree_at(fd, de->d_name, depth + 1);
		else
			(void)unlinkat(fd, de->d_name, 0);
	}
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? negative_errno() : 0;
}

/*
 * Remove the mount points made under dir/sub: empty directories, and the
 * empty files made for file binds.  rmdir and unlink refuse a mount point and
 * rmdir a non-empty directory, so a mount that would not go never costs data.
 */
static void remove_mount_points(const char *dir, const char *sub)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int fd;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	fd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && !(d = fdopendir(fd)))
		(void)close(fd);
	while (d && (de = readdir(d))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			(void)unlinkat(fd, de->d_name, AT_REMOVEDIR);
		else if (S_ISREG(st.st_mode) && st.st_size == 0)
			(void)unlinkat(fd, de->d_name, 0);
	}
	(void)unlinkat(dfd, sub, AT_REMOVEDIR);
}

static int release_rootfs(const struct mountinfo *mi, const char *work_dir)
{
	_cleanup_free_ char *rootfs = NULL, *layers = NULL, *upper_parent = NULL;
	int r, k;

	if (asprintf(&rootfs, "%s/rootfs", work_dir) < 0 ||
	    asprintf(&layers, "%s/layers", work_dir) < 0 ||
	    asprintf(&upper_parent, "%s/layers/0", work_dir) < 0)
		return -ENOMEM;
	r = unmount_tree(mi, rootfs);
	/* Our overlay's workdir, while the upper's parent is still reachable. */
	if (r == 0 && mountinfo_find(mi, upper_parent)) {
		_cleanup_close_ int fd = open(upper_parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0)
			(void)remove_tree_at(fd, OVL_WORKDIR, 0);
	}
	k = unmount_tree(mi, layers);
	(void)rmdir(rootfs);
	remove_mount_points(work_dir, "layers");
	return r < 0 ? r : k;
}

static bool has_mounts_below(const struct mountinfo *mi, const char *dir)
{
	for (size_t i = 0; i < mi->n; i++) {
		const char *rel = path_below(mi->entries[i].mount_point, dir);

		if (rel && *rel)
			return true;
	}
	return false;
}

/* Unmount the private bind make_work_dir_private() put on dir. */
static int drop_private_bind(const struct mountinfo *mi, const char *dir)
{
	const struct mountinfo_entry *top = mountinfo_find(mi, dir);

	if (!top || top->shared || !mountinfo_is_self_bind(top, mountinfo_find_id(mi, top->parent_id)))
		return 0;
	return umount2(dir, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 ? negative_errno() : 0;
}

static int release_bind(const struct mountinfo *mi, const char *target)
{
	int r = unmount_tree(mi, target);
	struct stat st;

	if (r == 0 && lstat(target, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			(void)rmdir(target);
		else if (S_ISREG(st.st_mode) && st.st_size == 0)
			(void)unlink(target);
	}
	return r;
}

/* After a failed prepare: undo its part, and the private bind if nothing else is below it. */
static void undo_prepare(const char *dir, const char *bind_target)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};

	if (mountinfo_read(&mi) < 0)
		return;
	if (bind_target)
		(void)release_bind(&mi, bind_target);
	else
		(void)release_rootfs(&mi, dir);
	mountinfo_done(&mi);
	if (mountinfo_read(&mi) < 0)
		return;
	if (!has_mounts_below(&mi, dir))
		(void)drop_private_bind(&mi, dir);
}

/* ---- API ---- */

/*
 * The layers of the overlay e mounted at root.  Docker names lower layers
 * "l/XXXX" relative to its overlay2 directory when the absolute option string
 * would be too long; root is then <overlay2>/<id>/merged.
 */
static int ovl_config_of(const struct mountinfo_entry *e, const char *root, struct ovl_config *ret)
{
	_cleanup_free_ char *base = strdup(root);
	char *slash;

	if (!base)
		return -ENOMEM;
	for (int i = 0; i < 2 && (slash = strrchr(base, '/')); i++)
		*slash = '\0';
	return ovl_config_parse(e->super_options, base, ret);
}

static int prepare_overlay(const struct mountinfo_entry *e, const char *root, const char *dir,
			   const char *target, const struct idmap_range *range, int userns_fd)
{
	_cleanup_(ovl_config_donep) struct ovl_config c = {};
	int r;

	r = ovl_config_of(e, root, &c);
	if (r < 0)
		return r;
	return ovl_mount_layers(&c, dir, target, range, userns_fd);
}

static bool is_overlay_root(const struct mountinfo_entry *e)
{
	return e && strcmp(e->fstype, "overlay") == 0 && strcmp(e->root, "/") == 0;
}

int idmap_prepare_rootfs(const char *root_path, const char *work_dir, const struct idmap_range *range,
			 char **ret)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};
	_cleanup_free_ char *root = NULL, *dir = NULL, *target = NULL;
	const struct mountinfo_entry *e;
	int r, userns_fd = -1;

	r = check_range(range);
	if (r < 0)
		return r;
	root = realpath(root_path, NULL);
	if (!root)
		return negative_errno();
	r = open_work_dir(work_dir, &dir, &mi);
	if (r < 0)
		return r;
	if (asprintf(&target, "%s/rootfs", dir) < 0)
		return -ENOMEM;
	if (mountinfo_find(&mi, target))
		return -EBUSY;
	r = mkdir_ok(target, 0711);
	if (r >= 0) {
		userns_fd = range_userns(range);
		r = userns_fd;
	}
	if (r >= 0) {
		e = mountinfo_find(&mi, root);
		if (is_overlay_root(e))
			r = prepare_overlay(e, root, dir, target, range, userns_fd);
		else
			r = idmap_mount(root, target, userns_fd, false);
	}
	if (r < 0) {
		undo_prepare(dir, NULL);
		return r;
	}
	*ret = TAKE_PTR(target);
	return 0;
}

/* An empty file or directory to mount a bind source of that kind on. */
static int make_mount_point(const char *path, bool dir)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) == 0 && !!S_ISDIR(st.st_mode) != dir &&
	    (S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path)) < 0)
		return negative_errno();
	if (dir)
		return mkdir_ok(path, 0711);
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return negative_errno();
	(void)close(fd);
	return 0;
}

int idmap_prepare_bind(const char *src, const char *work_dir, unsigned index,
		       const struct idmap_range *range, char **ret)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};
	_cleanup_free_ char *dir = NULL, *binds = NULL, *target = NULL;
	struct stat st;
	int r, userns_fd = -1;

	r = check_range(range);
	if (r < 0)
		return r;
	if (stat(src, &st) < 0)
		return negative_errno();
	r = open_work_dir(work_dir, &dir, &mi);
	if (r < 0)
		return r;
	if (asprintf(&binds, "%s/binds", dir) < 0 || asprintf(&target, "%s/%u", binds, index) < 0)
		return -ENOMEM;
	if (mountinfo_find(&mi, target))
		return -EBUSY;
	r = mkdir_ok(binds, 0711);
	if (r >= 0)
		r = make_mount_point(target, S_ISDIR(st.st_mode));
	if (r >= 0) {
		userns_fd = range_userns(range);
		r = userns_fd;
	}
	if (r >= 0)
		r = idmap_mount(src, target, userns_fd, false);
	if (r < 0) {
		undo_prepare(dir, target);
		return r;
	}
	*ret = TAKE_PTR(target);
	return 0;
}

int idmap_release(const char *work_dir)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};
	_cleanup_free_ char *dir = NULL, *binds = NULL;
	int r, k;

	dir = realpath(work_dir, NULL);
	if (!dir)
		return errno == ENOENT ? 0 : negative_errno();
	r = mountinfo_read(&mi);
	if (r < 0)
		return r;
	if (asprintf(&binds, "%s/binds", dir) < 0)
		return -ENOMEM;
	r = release_rootfs(&mi, dir);
	k = unmount_tree(&mi, binds);
	remove_mount_points(dir, "binds");
	if (r == 0)
		r = k;
	k = drop_private_bind(&mi, dir);
	return r < 0 ? r : k;
}

/* 1 if path's filesystem takes an idmap, 0 if not; the detached copy goes with its fd. */
static int probe(const char *path, int userns_fd)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = userns_fd };
	_cleanup_close_ int fd = -1;

	fd = syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0)
		return errno == ENOSYS ? 0 : negative_errno();
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return errno == EINVAL || errno == ENOSYS ? 0 : negative_errno();
	return 1;
}

static int probe_overlay(const struct mountinfo_entry *e, const char *root, int userns_fd)
{
	_cleanup_(ovl_config_donep) struct ovl_config c = {};
	int r;

	r = ovl_config_of(e, root, &c);
	if (r < 0)
		return r == -EOPNOTSUPP ? 0 : r;
	for (size_t i = 0; i < c.n_lowers; i++) {
		r = probe(c.lowers[i], userns_fd);
		if (r <= 0)
			return r;
	}
	return c.upper ? probe(c.upper, userns_fd) : 1;
}

int idmap_supported(const char *path)
{
	_cleanup_(mountinfo_donep) struct mountinfo mi = {};
	_cleanup_free_ char *p = NULL;
	const struct idmap_range probe_range = { 65534, 65534, 1 };
	const struct mountinfo_entry *e;
	int r, userns_fd;

	p = realpath(path, NULL);
	if (!p)
		return negative_errno();
	r = mountinfo_read(&mi);
	if (r < 0)
		return r;
	userns_fd = range_userns(&probe_range);
	if (userns_fd < 0)
		return userns_fd;
	e = mountinfo_find(&mi, p);
	return is_overlay_root(e) ? probe_overlay(e, p, userns_fd) : probe(p, userns_fd);
}
