/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * idmap-ovlopts.c - an overlay mount's options (see idmap.h): decoding the layers out of
 * mountinfo's super options, escaping a path for overlayfs.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "idmap-internal.h"
#include "idmap.h"
#include "macro.h"

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
