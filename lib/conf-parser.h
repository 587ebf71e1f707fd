/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf-parser.h - a table-driven parser of "key = value" files, in the
 * shape of systemd's conf-parser: each key names a parser function and the
 * offset of the field it fills. moat.conf's table is in config.c.
 *
 * The format: one "key = value" per line, blanks around both trimmed; a line
 * whose first non-blank is "#" is a comment, a blank line is nothing. A key
 * given twice is parsed twice (scalars: the last wins; conf_parse_path_strv:
 * each adds).
 */
#ifndef MOAT_CONF_PARSER_H
#define MOAT_CONF_PARSER_H

#include <stddef.h>
#include <stdio.h>

/*
 * Parse value into the field at data (arg: the item's). 0; -EINVAL for a
 * value the key does not take, after setting *why (a short reason, static)
 * when it can say more than "invalid value"; or another negative errno.
 * A parser logs nothing: conf_parse() names the file, line, key and value.
 */
typedef int (*conf_parser_fn)(const char *value, void *data, const void *arg, const char **why);

struct conf_item {
	const char *key;
	conf_parser_fn parse;
	size_t offset; /* of the field in the struct the file fills */
	const void *arg;
};

#define CONF_ITEM(key, parse, type, field, arg) { key, parse, offsetof(type, field), arg }

/* char *: an absolute path, replacing the one there (freed). */
int conf_parse_path(const char *value, void *data, const void *arg, const char **why);
/* struct strv: an absolute path, appended. */
int conf_parse_path_strv(const char *value, void *data, const void *arg, const char **why);
/* uint32_t: decimal digits only; arg, when not NULL, points to the least
 * value taken (a uint32_t). */
int conf_parse_u32(const char *value, void *data, const void *arg, const char **why);
/* bool: true, yes, 1 / false, no, 0. */
int conf_parse_bool(const char *value, void *data, const void *arg, const char **why);
/* An enum (int-sized): arg is its names, indexed by value, NULL-terminated. */
int conf_parse_enum(const char *value, void *data, const void *arg, const char **why);

/*
 * Apply the lines of f to the struct at base, using the n items. An unknown
 * key, a line that is not "key = value", or a value its parser refuses stops
 * the parse: logged as "<name>:<line>: ..." quoting the key or the value,
 * and -EINVAL returned.
 */
int conf_parse(const struct conf_item *items, size_t n, void *base, FILE *f, const char *name);

#endif
