// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "sysctl.h"

#define VALUE_MAX 128 /* CORENAME_MAX_SIZE */

/* Append-only: the FUSE tree gives each an inode number by its position. */
static const struct sysctl_def defs[] = {
	{ "kernel/panic", SYSCTL_INT, 0, 1, INT_MIN, INT_MAX, "0" },
	{ "kernel/panic_on_oops", SYSCTL_INT, 0, 1, INT_MIN, INT_MAX, "0" },
	{ "kernel/printk", SYSCTL_INTVEC, 0, 4, INT_MIN, INT_MAX, "4\t4\t1\t7" },
	{ "kernel/kptr_restrict", SYSCTL_INT, 0, 1, 0, 2, "0" },
	{ "kernel/dmesg_restrict", SYSCTL_INT, 0, 1, 0, 1, "0" },
	{ "kernel/yama/ptrace_scope", SYSCTL_INT, 0, 1, 0, 3, "1" },
	{ "kernel/core_pattern", SYSCTL_STRING, 0, 1, 0, VALUE_MAX - 1, "core" },
	{ "vm/overcommit_memory", SYSCTL_INT, 0, 1, 0, 2, "0" },
	{ "fs/file-max", SYSCTL_ULONG, SYSCTL_RAISE_HOST, 1, 0, LLONG_MAX, "9223372036854775807" },
	{ "fs/nr_open", SYSCTL_INT, SYSCTL_RAISE_HOST, 1, 64, 2147483584, "1048576" },
	{ "net/core/somaxconn", SYSCTL_INT, SYSCTL_RAISE_HOST | SYSCTL_PER_NETNS, 1, 0, INT_MAX,
	  "4096" },
	{ "net/netfilter/nf_conntrack_max", SYSCTL_INT, SYSCTL_RAISE_HOST, 1, 0, INT_MAX, "65536" },
	{ "net/unix/max_dgram_qlen", SYSCTL_INT, SYSCTL_RAISE_HOST | SYSCTL_PER_NETNS, 1, 0,
	  INT_MAX, "512" },
	{ "sysrq-trigger", SYSCTL_SYSRQ, 0, 1, 0, VALUE_MAX - 1, "" },
};

size_t sysctl_def_count(void) { return ELEMENTSOF(defs); }
const struct sysctl_def *sysctl_def_get(size_t i) { return i < ELEMENTSOF(defs) ? &defs[i] : NULL; }

int sysctl_def_find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(defs); i++)
		if (strcmp(defs[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

/* --- the real host --- */

static int proc_read(void *userdata, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	n = read_small_at(AT_FDCWD, path, buf, size);
	if (n < 0)
		return (int)n;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return (int)n;
}

static int proc_write(void *userdata, const char *name, const char *value)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	if (write(fd, value, len) != (ssize_t)len)
		return negative_errno();
	return 0;
}

const struct sysctl_host sysctl_host_proc = { proc_read, proc_write, NULL };

/* --- the store --- */

struct entry {
	char *key;
	size_t def;
	int applies; /* takes part in raising the host's value */
	char value[VALUE_MAX];
	struct entry *next;
};

struct host_state {
	int active;		/* we have (or may have) raised the host's value */
	long long orig, applied;
};

struct sysctl_store {
	pthread_mutex_t lock;
	struct sysctl_host host;
	char *state_file;
	struct entry *entries;
	struct host_state hs[ELEMENTSOF(defs)];
};

static struct entry *entry_find(struct sysctl_store *s, size_t def, const char *key)
{
	for (struct entry *e = s->entries; e; e = e->next)
		if (e->def == def && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static struct entry *entry_add(struct sysctl_store *s, size_t def, const char *key)
{
	struct entry *e = calloc(1, sizeof(*e));

	if (!e || !(e->key = strdup(key))) {
		free(e);
		return NULL;
	}
	e->def = def;
	e->next = s->entries;
	s->entries = e;
	return e;
}

static void host_value(struct sysctl_store *s, size_t def, char *buf, size_t size)
{
	if (s->host.read(s->host.userdata, defs[def].name, buf, size) < 0)
		snprintf(buf, size, "%s", defs[def].fallback);
}

/* --- parsing and validation --- */

static int parse_ll(const char **p, long long *ret)
{
	char *end;

	while (isspace((unsigned char)**p))
		(*p)++;
	if (!**p)
		return -ENODATA;
	errno = 0;
	*ret = strtoll(*p, &end, 10);
	if (end == *p || errno)
		return -EINVAL;
	if (*end && !isspace((unsigned char)*end))
		return -EINVAL;
	*p = end;
	return 0;
}

static int check_trailing(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return *p ? -EINVAL : 0;
}

static int normalize_int(const struct sysctl_def *d, const char *in, char *out, size_t size)
{
	long long v;
	int r;

	if (d->kind == SYSCTL_ULONG && strchr(in, '-'))
		return -EINVAL;
	if ((r = parse_ll(&in, &v)) < 0)
		return -EINVAL;
	if (check_trailing(in) < 0 || v < d->min || v > d->max)
		return -EINVAL;
	snprintf(out, size, "%lld", v);
	return 0;
}

/* Up to nvals integers; the ones not given keep their current value. */
static int normalize_intvec(const struct sysctl_def *d, const char *in, const char *cur,
			    char *out, size_t size)
{
	long long v[8] = { 0 };
	int n = 0;
	size_t len = 0;

	for (int i = 0; i < d->nvals && parse_ll(&cur, &v[i]) == 0; i++)
		;
	while (n < d->nvals && parse_ll(&in, &v[n]) == 0) {
		if (v[n] < d->min || v[n] > d->max)
			return -EINVAL;
		n++;
	}
	if (n == 0 || check_trailing(in) < 0)
		return -EINVAL;
	for (int i = 0; i < d->nvals; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%lld", i ? "\t" : "", v[i]);
	return len < size ? 0 : -EINVAL;
}

static int normalize_string(const struct sysctl_def *d, const char *in, size_t len, char *out,
			    size_t size)
{
	if (len && in[len - 1] == '\n')
		len--;
	if (len > (size_t)d->max || len >= size || memchr(in, '\n', len))
		return -EINVAL;
	memcpy(out, in, len);
	out[len] = 0;
	return 0;
}

/* data as the value to keep, or -EINVAL. */
static int normalize(struct sysctl_store *s, size_t def, const char *key, const char *data,
		     size_t len, char *out, size_t size)
{
	const struct sysctl_def *d = &defs[def];
	char in[VALUE_MAX + 2], cur[VALUE_MAX];

	if (len == 0 || memchr(data, 0, len))
		return -EINVAL;
	if (d->kind == SYSCTL_STRING || d->kind == SYSCTL_SYSRQ)
		return normalize_string(d, data, len, out, size);
	if (len >= sizeof(in))
		return -EINVAL;
	memcpy(in, data, len);
	in[len] = 0;
	if (d->kind != SYSCTL_INTVEC)
		return normalize_int(d, in, out, size);
	(void)sysctl_read(s, def, key, cur, sizeof(cur));
	return normalize_intvec(d, in, cur, out, size);
}

/* --- raising the host's limits --- */

static int host_ll(struct sysctl_store *s, size_t def, long long *ret)
{
	char buf[VALUE_MAX];
	const char *p = buf;

	if (s->host.read(s->host.userdata, defs[def].name, buf, sizeof(buf)) < 0)
		return -ENOENT;
	return parse_ll(&p, ret);
}

static int reconcile(struct sysctl_store *s, size_t def)
{
	struct host_state *hs = &s->hs[def];
	long long cur, want = LLONG_MIN, v;
	char value[32];

	if (!(defs[def].flags & SYSCTL_RAISE_HOST) || host_ll(s, def, &cur) < 0)
		return 0;
	if (!hs->active || cur != hs->applied)
		hs->orig = cur; /* first raise, or the administrator changed it */
	for (struct entry *e = s->entries; e; e = e->next) {
		const char *p = e->value;

		if (e->def == def && e->applies && parse_ll(&p, &v) == 0 && v > want)
			want = v;
	}
	hs->active = want > hs->orig;
	hs->applied = hs->active ? want : hs->orig;
	if (hs->applied == cur)
		return 0;
	snprintf(value, sizeof(value), "%lld", hs->applied);
	return s->host.write(s->host.userdata, defs[def].name, value);
}

/* --- persistence: one line per fact, fields %-escaped --- */

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '%' || (unsigned char)*s >= 0x7f)
			fprintf(f, "%%%02x", (unsigned char)*s);
		else
			fputc(*s, f);
}

static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		unsigned v;

		if (s[0] == '%' && sscanf(s + 1, "%2x", &v) == 1) {
			*out++ = (char)v;
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
}

static int save(struct sysctl_store *s)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (!s->state_file)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->state_file);
	if (!(f = fopen(tmp, "we")))
		return negative_errno();
	fputs("moat-fs-sysctl 1\n", f);
	for (size_t i = 0; i < ELEMENTSOF(defs); i++)
		if (s->hs[i].active)
			fprintf(f, "host %s %lld %lld\n", defs[i].name, s->hs[i].orig,
				s->hs[i].applied);
	for (struct entry *e = s->entries; e; e = e->next) {
		fprintf(f, "set %s %d ", defs[e->def].name, e->applies);
		put_escaped(f, e->key);
		fputc(' ', f);
		put_escaped(f, e->value);
		fputc('\n', f);
	}
	if (fclose(f) != 0 || rename(tmp, s->state_file) < 0)
		return negative_errno();
	return 0;
}

static void load_line(struct sysctl_store *s, char *line)
{
	char *w[5], *save_ptr = NULL;
	int n = 0, def;
	struct entry *e;

	for (char *t = strtok_r(line, " \n", &save_ptr); t && n < 5; t = strtok_r(NULL, " \n", &save_ptr))
		w[n++] = t;
	if (n < 4 || (def = sysctl_def_find(w[1])) < 0)
		return;
	if (strcmp(w[0], "host") == 0) {
		s->hs[def] = (struct host_state){ 1, atoll(w[2]), atoll(w[3]) };
	} else if (strcmp(w[0], "set") == 0 && n == 5) {
		unescape(w[3]);
		unescape(w[4]);
		if (strlen(w[4]) < VALUE_MAX && (e = entry_add(s, (size_t)def, w[3]))) {
			e->applies = atoi(w[2]);
			strcpy(e->value, w[4]);
		}
	}
}

static void load(struct sysctl_store *s)
{
	_cleanup_fclose_ FILE *f = fopen(s->state_file, "re");
	char line[4096];

	if (!f || !fgets(line, sizeof(line), f) || strcmp(line, "moat-fs-sysctl 1\n") != 0)
		return;
	while (fgets(line, sizeof(line), f))
		load_line(s, line);
}

/* --- API --- */

int sysctl_store_new(const struct sysctl_host *host, const char *state_file,
		     struct sysctl_store **ret)
{
	struct sysctl_store *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->host = *host;
	if (state_file && !(s->state_file = strdup(state_file))) {
		free(s);
		return -ENOMEM;
	}
	if (s->state_file)
		load(s);
	*ret = s;
	return 0;
}

void sysctl_store_free(struct sysctl_store *s)
{
	if (!s)
		return;
	while (s->entries) {
		struct entry *e = s->entries;

		s->entries = e->next;
		free(e->key);
		free(e);
	}
	free(s->state_file);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int sysctl_read(struct sysctl_store *s, size_t def, const char *key, char *buf, size_t size)
{
	const struct entry *e;
	char value[VALUE_MAX];

	if (def >= ELEMENTSOF(defs))
		return -ENOENT;
	if (defs[def].kind == SYSCTL_SYSRQ) {
		buf[0] = 0;
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	if (key && (e = entry_find(s, def, key)))
		snprintf(value, sizeof(value), "%s", e->value);
	else if (key && s->hs[def].active)
		snprintf(value, sizeof(value), "%lld", s->hs[def].orig); /* not what others raised it to */
	else
		host_value(s, def, value, sizeof(value));
	pthread_mutex_unlock(&s->lock);
	return snprintf(buf, size, "%s\n", value);
}

int sysctl_write(struct sysctl_store *s, size_t def, const char *key, int own_netns,
		 const char *data, size_t len)
{
	char value[VALUE_MAX];
	struct entry *e;
	int r;

	if (def >= ELEMENTSOF(defs) || !key)
		return -EPERM;
	if ((r = normalize(s, def, key, data, len, value, sizeof(value))) < 0)
		return r;
	if (defs[def].kind == SYSCTL_SYSRQ)
		return 0; /* never reaches the host */
	pthread_mutex_lock(&s->lock);
	e = entry_find(s, def, key);
	if (!e && !(e = entry_add(s, def, key))) {
		r = -ENOMEM;
	} else {
		snprintf(e->value, sizeof(e->value), "%s", value);
		e->applies = !(own_netns && (defs[def].flags & SYSCTL_PER_NETNS));
		r = reconcile(s, def);
		(void)save(s);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

int sysctl_prune(struct sysctl_store *s, sysctl_alive_fn alive, void *userdata)
{
	int dropped = 0;

	pthread_mutex_lock(&s->lock);
	for (struct entry **pe = &s->entries; *pe;) {
		struct entry *e = *pe;

		if (alive(e->key, userdata)) {
			pe = &e->next;
			continue;
		}
		*pe = e->next;
		free(e->key);
		free(e);
		dropped++;
	}
	for (size_t i = 0; i < ELEMENTSOF(defs); i++)
		if (s->hs[i].active)
			(void)reconcile(s, i);
	if (dropped)
		(void)save(s);
	pthread_mutex_unlock(&s->lock);
	return dropped;
}
