// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf-parser.h"
#include "log.h"
#include "strv.h"

static int absolute(const char *value, const char **why)
{
	if (value[0] == '/')
		return 0;
	*why = "not an absolute path";
	return -EINVAL;
}

int conf_parse_path(const char *value, void *data, const void *arg, const char **why)
{
	char **slot = data, *copy;
	int r = absolute(value, why);

	if (r < 0)
		return r;
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

int conf_parse_path_strv(const char *value, void *data, const void *arg, const char **why)
{
	int r = absolute(value, why);

	return r < 0 ? r : strv_push(data, value);
}

int conf_parse_u32(const char *value, void *data, const void *arg, const char **why)
{
	uintmax_t n;
	char *end;

	if (!isdigit((unsigned char)value[0]))
		return -EINVAL;
	errno = 0;
	n = strtoumax(value, &end, 10);
	if (errno || *end || n > UINT32_MAX)
		return -EINVAL;
	if (arg && n < *(const uint32_t *)arg) {
		*why = "too small";
		return -EINVAL;
	}
	*(uint32_t *)data = (uint32_t)n;
	return 0;
}

int conf_parse_bool(const char *value, void *data, const void *arg, const char **why)
{
	static const char *const yes[] = { "true", "yes", "1" }, *const no[] = { "false", "no", "0" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (!strcmp(value, yes[i]))
			return *(bool *)data = true, 0;
		if (!strcmp(value, no[i]))
			return *(bool *)data = false, 0;
	}
	return -EINVAL;
}

int conf_parse_enum(const char *value, void *data, const void *arg, const char **why)
{
	const char *const *names = arg;

	for (int i = 0; names[i]; i++)
		if (!strcmp(value, names[i]))
			return *(int *)data = i, 0;
	return -EINVAL;
}

static char *strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static const struct conf_item *find_item(const struct conf_item *items, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(items[i].key, key))
			return &items[i];
	return NULL;
}

static int parse_line(const struct conf_item *items, size_t n, void *base, char *line,
		      const char *name, unsigned no)
{
	const struct conf_item *item;
	const char *why = NULL;
	char *eq, *key, *value;
	int r;

	line = strip(line);
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
				       "%s:%u: expected `key = value`, got `%s`", name, no, line);
	*eq = '\0';
	key = strip(line);
	value = strip(eq + 1);
	item = find_item(items, n, key);
	if (!item)
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "%s:%u: unknown key `%s`", name, no,
				       key);
	r = item->parse(value, (char *)base + item->offset, item->arg, &why);
	if (r == -EINVAL)
		return log_error_errno(r, "%s:%u: invalid value `%s` for %s%s%s%s", name, no, value,
				       key, why ? " (" : "", why ? why : "", why ? ")" : "");
	return r < 0 ? log_error_errno(r, "%s:%u: %m", name, no) : 0;
}

int conf_parse(const struct conf_item *items, size_t n, void *base, FILE *f, const char *name)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	unsigned no = 0;
	int r;

	while (getline(&line, &cap, f) >= 0) {
		r = parse_line(items, n, base, line, name, ++no);
		if (r < 0)
			return r;
	}
	if (ferror(f))
		return log_error_errno(SYNTHETIC_ERRNO(EIO), "%s: read error", name);
	return 0;
}
