// SPDX-License-Identifier: LGPL-2.1-or-later
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "json-util.h"

/* The first single quote or comment outside a string, or -1. */
static long not_go_json_at(const char *text, size_t len)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '\'' || c == '/' || c == '#') {
			return (long)i;
		}
	}
	return -1;
}

static bool blank_from(const char *text, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++)
		if (!strchr(" \t\r\n", text[i]))
			return false;
	return true;
}

static int load_error(const char *text, size_t offset, const char *what,
		      struct json_load_error *e)
{
	e->what = what;
	e->syntax = true;
	e->offset = offset;
	e->line = 1;
	for (size_t i = 0; i < offset && text[i]; i++)
		e->line += text[i] == '\n';
	return -EINVAL;
}

/* json-c's parse of text, or NULL and *e. */
static struct json_object *tokenize(const char *text, size_t len, unsigned flags,
				    struct json_load_error *e, size_t *end)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error err;
	struct json_object *o;

	if (!tok) {
		e->what = NULL;
		return NULL;
	}
	if (flags & JSON_LOAD_GO_STRICT)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	err = json_tokener_get_error(tok);
	*end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o && err == json_tokener_success)
		return o;
	json_object_put(o);
	(void)load_error(text, *end, err == json_tokener_continue ? "unexpected end of input" :
				     json_tokener_error_desc(err), e);
	return NULL;
}

int json_load_object(const char *text, size_t len, unsigned flags, struct json_object **ret,
		     struct json_load_error *e)
{
	struct json_object *o;
	size_t end;
	long bad;

	if (len >= INT_MAX) /* json-c takes an int */
		return -EFBIG;
	if ((flags & JSON_LOAD_GO_STRICT) && (bad = not_go_json_at(text, len)) >= 0)
		return load_error(text, (size_t)bad, text[bad] == '\'' ? "unexpected '''" :
				  "unexpected comment", e);
	o = tokenize(text, len, flags, e, &end);
	if (!o)
		return e->what ? -EINVAL : -ENOMEM;
	if (!blank_from(text, len, end)) {
		json_object_put(o);
		return load_error(text, end, "unexpected data after the JSON value", e);
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		(void)load_error(text, 0, "not a JSON object", e);
		e->syntax = false;
		return -EINVAL;
	}
	*ret = o;
	return 0;
}
