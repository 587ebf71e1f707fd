// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ops.c - the FUSE operations. They dispatch on the inode (tree.h), answer
 * with -errno style errors, and render a file for the reading process when
 * it reads at offset 0; reads at other offsets are served from that
 * rendering, kept in the open file's handle, so nobody sees a torn file.
 * Handles (fh) carry the worker's instance number: a handle opened under an
 * earlier worker is unknown here, and is then rendered afresh.
 */
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fsemu.h"
#include "log.h"
#include "tree.h"

#define TIMEOUT 86400.0 /* the tree never changes: let the kernel cache it */

struct handle {
	pthread_mutex_t lock;
	int refs; /* the table's, and each request's at work on it */
	uint64_t ino;
	int rendered;
	struct buf content;
};

/* --- handles --- */

int handles_init(struct handles *h)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	return 0;
}

void handles_free(struct handles *h)
{
	for (uint32_t i = 0; i < h->n; i++)
		if (h->slot[i]) {
			buf_free(&h->slot[i]->content);
			free(h->slot[i]);
		}
	free(h->slot);
	free(h->free_list);
	pthread_mutex_destroy(&h->lock);
}

static int handle_new(struct handles *h, uint64_t ino, uint64_t *fh)
{
	struct handle *hd = calloc(1, sizeof(*hd));
	uint32_t i;

	if (!hd)
		return -ENOMEM;
	pthread_mutex_init(&hd->lock, NULL);
	hd->ino = ino;
	hd->refs = 1;
	pthread_mutex_lock(&h->lock);
	if (h->nfree) {
		i = h->free_list[--h->nfree];
	} else {
		if (h->n == h->cap) {
			uint32_t cap = h->cap ? h->cap * 2 : 64;
			struct handle **s = realloc(h->slot, cap * sizeof(*s));
			uint32_t *fl = s ? realloc(h->free_list, cap * sizeof(*fl)) : NULL;

			if (s)
				h->slot = s;
			if (!fl) {
				pthread_mutex_unlock(&h->lock);
				free(hd);
				return -ENOMEM;
			}
			h->free_list = fl;
			h->cap = cap;
		}
		i = h->n++;
	}
	h->slot[i] = hd;
	pthread_mutex_unlock(&h->lock);
	*fh = (uint64_t)h->instance << 32 | i;
	return 0;
}

static void handle_put(struct handle *hd)
{
	if (!hd || __atomic_sub_fetch(&hd->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	buf_free(&hd->content);
	pthread_mutex_destroy(&hd->lock);
	free(hd);
}

/* A reference to the handle, or NULL for handles of an earlier worker.
 * remove: take it out of the table too (release). */
static struct handle *handle_get(struct handles *h, uint64_t fh, uint64_t ino, int remove)
{
	struct handle *hd = NULL;
	uint32_t i = (uint32_t)fh;

	if ((uint32_t)(fh >> 32) != h->instance)
		return NULL;
	pthread_mutex_lock(&h->lock);
	if (i < h->n && h->slot[i] && h->slot[i]->ino == ino) {
		hd = h->slot[i];
		if (remove) {
			h->slot[i] = NULL;
			h->free_list[h->nfree++] = i;
		} else {
			__atomic_add_fetch(&hd->refs, 1, __ATOMIC_ACQ_REL);
		}
	}
	pthread_mutex_unlock(&h->lock);
	return hd;
}

/* --- rendering for a caller --- */

static double boottime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int render_sysctl(struct fsemu *fs, const struct node *n, const struct container *ct,
			 struct buf *out)
{
	char value[256];
	int r = sysctl_read(fs->sysctl, (size_t)n->arg, ct->is_host ? NULL : ct->key, value,
			    sizeof(value));

	return r < 0 ? r : buf_puts(out, value);
}

static int render_file(struct fsemu *fs, fuse_req_t req, const struct node *n, struct buf *out)
{
	pid_t pid = fuse_req_ctx(req)->pid;
	struct container *ct = NULL;
	struct render_ctx ctx = { .host = &fs->host, .now = boottime(), .init_start = -1 };
	int r;

	if ((r = caller_container(fs->callers, pid, ctx.now, &ct)) < 0)
		return r;
	buf_reset(out);
	if (n->kind == NODE_SYSCTL) {
		r = render_sysctl(fs, n, ct, out);
		container_put(ct);
		return r;
	}
	ctx.cg = (struct cg_view){ &fs->roots, &ct->paths };
	ctx.is_host = ct->is_host;
	if (n->arg == RENDER_UPTIME || (n->arg == RENDER_LOADAVG && !ct->is_host))
		(void)caller_init_start(fs->callers, pid, ctx.now, &ctx.init_start);
	ctx.host_cache = fs->host_cache;
	pthread_mutex_lock(&ct->lock);
	ctx.load = &ct->load;
	ctx.limits = &ct->limits;
	r = renderer_get(n->arg)(&ctx, out);
	pthread_mutex_unlock(&ct->lock);
	container_put(ct);
	return r;
}

/* --- operations --- */

/*
 * File sizes. A size of 0, as procfs reports, would be right for read(2)
 * (direct I/O ignores it) but not for sendfile(2)/splice(2), which busybox
 * cat uses: since Linux 6.5 FUSE serves splice from the page cache even for
 * direct I/O files (fixed upstream later), and so reads only up to i_size.
 * So files claim a size above what they can hold (fs->file_size); a splice
 * reader gets a short read at the end of its content, and the kernel then
 * shrinks i_size to that length, which ends the reader's copy right there.
 * The next open grows it back (grow_size) for the next reader, whose
 * content may be longer. Page-cache reads are told from read(2)'s direct
 * I/O by their lock owner: the kernel sets one on direct reads only.
 * Concurrent splice readers of one file from containers whose contents
 * differ in length may still see each other's size.
 */
static off_t node_size(struct fsemu *fs, const struct node *n)
{
	if (n->kind == NODE_DIR)
		return 0;
	return fs->file_size;
}

static void node_stat(struct fsemu *fs, uint64_t ino, const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = n->mode;
	st->st_size = node_size(fs, n);
	st->st_nlink = n->kind == NODE_DIR ? 2 : 1;
	st->st_blksize = 4096;
	st->st_atim = st->st_mtim = st->st_ctim = fs->started;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fsemu *fs = fuse_req_userdata(req);
	struct fuse_entry_param e = { .attr_timeout = TIMEOUT, .entry_timeout = TIMEOUT };

	e.ino = tree_lookup(parent, name);
	if (e.ino) {
		e.generation = 1;
		node_stat(fs, e.ino, tree_node(e.ino), &e.attr);
	} else if (!tree_node(parent)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fuse_reply_entry(req, &e); /* ino 0: a cached negative entry */
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fsemu *fs = fuse_req_userdata(req);
	const struct node *n = tree_node(ino);
	struct stat st;

	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	node_stat(fs, ino, n, &st);
	fuse_reply_attr(req, &st, TIMEOUT);
}

/* Truncation ahead of a write ("echo 1 > file" without O_TRUNC support). */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	const struct node *n = tree_node(ino);

	if (!n || n->kind != NODE_SYSCTL || (to_set & ~(FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME |
							FUSE_SET_ATTR_MTIME |
							FUSE_SET_ATTR_ATIME_NOW |
							FUSE_SET_ATTR_MTIME_NOW |
							FUSE_SET_ATTR_CTIME))) {
		fuse_reply_err(req, n ? EPERM : ENOENT);
		return;
	}
	op_getattr(req, ino, fi);
}

/* Give the inode its claimed size back (see node_size): storing one byte
 * at its end into the page cache is the one way to grow i_size from here. */
static void grow_size(struct fsemu *fs, fuse_ino_t ino)
{
	char last = '\n';
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(1);

	bv.buf[0].mem = &last;
	(void)fuse_lowlevel_notify_store(fs->se, ino, fs->file_size - 1, &bv, 0);
}

static int may_write(struct fsemu *fs, fuse_req_t req, const struct node *n)
{
	const struct fuse_ctx *c = fuse_req_ctx(req);

	if (n->kind != NODE_SYSCTL || !(n->mode & 0222))
		return -EACCES;
	return caller_is_root(fs->callers, c->pid, c->uid) ? 0 : -EACCES;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fsemu *fs = fuse_req_userdata(req);
	const struct node *n = tree_node(ino);
	uint64_t fh;
	int r;

	if (!n || n->kind == NODE_DIR) {
		fuse_reply_err(req, n ? EISDIR : ENOENT);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY && (r = may_write(fs, req, n)) < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	if ((r = handle_new(&fs->handles, ino, &fh)) < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = fh;
	fi->direct_io = 1; /* every open sees its own rendering: no page cache */
	fi->keep_cache = 0;
	fi->noflush = 1;
	if (ino < ELEMENTSOF(fs->shrunk) && __atomic_exchange_n(&fs->shrunk[ino], 0, __ATOMIC_RELAXED))
		grow_size(fs, ino);
	fuse_reply_open(req, fi);
}

static void reply_slice(fuse_req_t req, fuse_ino_t ino, const struct fuse_file_info *fi,
			const struct buf *b, size_t size, off_t off)
{
	struct fsemu *fs = fuse_req_userdata(req);
	size_t len = (size_t)off < b->len ? b->len - (size_t)off : 0;

	if (len < size && fi->lock_owner == 0 && ino < ELEMENTSOF(fs->shrunk))
		__atomic_store_n(&fs->shrunk[ino], 1, __ATOMIC_RELAXED); /* see node_size */
	fuse_reply_buf(req, len ? b->data + off : NULL, len < size ? len : size);
}


static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fsemu *fs = fuse_req_userdata(req);
	const struct node *n = tree_node(ino);
	struct handle *hd = handle_get(&fs->handles, fi->fh, ino, 0);
	struct buf tmp = { 0 };
	int r = 0;

	if (!n || n->kind == NODE_DIR) {
		handle_put(hd);
		fuse_reply_err(req, n ? EISDIR : ENOENT);
		return;
	}
	if (!hd) { /* opened under an earlier worker */
		if ((r = render_file(fs, req, n, &tmp)) < 0)
			fuse_reply_err(req, -r);
		else
			reply_slice(req, ino, fi, &tmp, size, off);
		buf_free(&tmp);
		return;
	}
	pthread_mutex_lock(&hd->lock);
	if (off == 0 || !hd->rendered) {
		r = render_file(fs, req, n, &hd->content);
		hd->rendered = r == 0;
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		reply_slice(req, ino, fi, &hd->content, size, off);
	pthread_mutex_unlock(&hd->lock);
	/* the reply may have let the file be closed: RELEASE only drops the table's reference */
	handle_put(hd);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *data, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct fsemu *fs = fuse_req_userdata(req);
	const struct node *n = tree_node(ino);
	pid_t pid = fuse_req_ctx(req)->pid;
	struct container *ct = NULL;
	int r;

	if (!n || n->kind != NODE_SYSCTL) {
		fuse_reply_err(req, n ? EACCES : ENOENT);
		return;
	}
	if (off != 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if ((r = caller_container(fs->callers, pid, boottime(), &ct)) < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	if (ct->is_host)
		r = -EPERM; /* the host writes its own /proc/sys */
	else
		r = sysctl_write(fs->sysctl, (size_t)n->arg, ct->key,
				 caller_own_netns(fs->callers, pid), data, size);
	container_put(ct);
	if (r < 0) {
		log_debug("write to %s: %s", n->name, strerror(-r));
		fuse_reply_err(req, -r);
	} else {
		fuse_reply_write(req, size);
	}
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fsemu *fs = fuse_req_userdata(req);

	handle_put(handle_get(&fs->handles, fi->fh, ino, 1));
	fuse_reply_err(req, 0);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fsemu *fs = fuse_req_userdata(req);
	const struct node *n = tree_node(ino);
	uint64_t ents[64];
	size_t count = 0, len = 0;
	char buf[4096];

	if (!n || n->kind != NODE_DIR) {
		fuse_reply_err(req, n ? ENOTDIR : ENOENT);
		return;
	}
	/* offsets: 1 ".", 2 "..", then the children in order */
	ents[count++] = ino;
	ents[count++] = n->parent ? n->parent : ino;
	for (uint64_t c = n->first_child; c && count < ELEMENTSOF(ents); c = tree_node(c)->next_sibling)
		ents[count++] = c;
	if (size > sizeof(buf))
		size = sizeof(buf);
	for (size_t i = off > 0 ? (size_t)off : 0; i < count; i++) {
		const char *name = i == 0 ? "." : i == 1 ? ".." : tree_node(ents[i])->name;
		struct stat st;
		size_t need;

		node_stat(fs, ents[i], tree_node(ents[i]), &st);
		need = fuse_add_direntry(req, buf + len, size - len, name, &st, (off_t)i + 1);
		if (need > size - len)
			break;
		len += need;
	}
	fuse_reply_buf(req, buf, len);
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	/* no page cache (direct_io), no splice: requests are small */
	conn->want &= ~(FUSE_CAP_AUTO_INVAL_DATA | FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
			FUSE_CAP_SPLICE_MOVE | FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
}

const struct fuse_lowlevel_ops fsemu_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.release = op_release,
	.readdir = op_readdir,
};
