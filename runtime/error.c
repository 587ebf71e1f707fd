// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>
#include <string.h>

#include "error.h"

/* vasprintf, with errno = -r so that %m names r. NULL on ENOMEM. */
static char *format(int r, const char *fmt, va_list ap)
{
	int saved = errno;
	char *s;

	errno = -r;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	errno = saved;
	return s;
}

int error_set(char **err, int r, const char *fmt, ...)
{
	va_list ap;

	if (r >= 0)
		r = -EINVAL;
	if (err && !*err) {
		va_start(ap, fmt);
		*err = format(r, fmt, ap);
		va_end(ap);
	}
	return r;
}

int error_wrap(char **err, int r, const char *fmt, ...)
{
	_cleanup_free_ char *context = NULL;
	char *s;
	va_list ap;

	if (!err)
		return r;
	va_start(ap, fmt);
	context = format(r, fmt, ap);
	va_end(ap);
	if (!context)
		return r;
	if (!*err)
		return error_set(err, r, "%s: %m", context);
	if (asprintf(&s, "%s: %s", context, *err) < 0)
		return r;
	free(*err);
	*err = s;
	return r;
}
