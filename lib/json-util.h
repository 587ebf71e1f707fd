/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json-util.h - loading a JSON object with json-c, and where it went wrong
 * when it is not one. The caller words the message (lib/ does not log).
 */
#ifndef MOAT_JSON_UTIL_H
#define MOAT_JSON_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "macro.h"

static inline void json_object_putp(struct json_object **j)
{
	if (*j)
		json_object_put(*j);
}
#define _cleanup_json_ _cleanup_(json_object_putp)

/* How moat writes JSON that people read (daemon.json, setup's manifest). */
#define JSON_PRETTY (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

enum json_load_flags {
	/*
	 * Only what Go's encoding/json (dockerd, runc) accepts too: json-c's
	 * strict mode, and no single quote or comment outside strings, which
	 * json-c lets through even then.
	 */
	JSON_LOAD_GO_STRICT = 1 << 0,
};

/* Where and why text is not a JSON object. */
struct json_load_error {
	const char *what; /* "unexpected end of input", "not a JSON object", ... */
	size_t offset;	  /* of the first byte that does not fit */
	unsigned line;	  /* of that byte, from 1 */
	bool syntax;	  /* not JSON at all (else JSON, but not one object) */
};

/*
 * Parse len bytes of text (a NUL after them, as read_file() gives) as one
 * JSON object and nothing after it but blanks. -EINVAL and *e filled when it
 * is not one; -EFBIG beyond json-c's 2 GiB; -ENOMEM.
 */
int json_load_object(const char *text, size_t len, unsigned flags, struct json_object **ret,
		     struct json_load_error *e);

#endif
