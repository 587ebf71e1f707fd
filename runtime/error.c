// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>
#include <string.h>

#include "error.h"

int error_set(char **err, int r, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (r >= 0)
		r = -EINVAL;
	if (err && !*err) {
		va_start(ap, fmt);
		errno = -r; /* so that %m names r */
		if (vasprintf(err, fmt, ap) < 0)
			*err = NULL;
		va_end(ap);
	}
	errno = saved;
	return r;
}

int error_prefix(char **err, int r, const char *prefix)
{
	char *s;

	if (!err || !*err)
		return r;
	if (asprintf(&s, "%s: %s", prefix, *err) < 0)
		return r;
	free(*err);
	*err = s;
	return r;
}
