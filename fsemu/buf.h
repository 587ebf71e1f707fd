/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* buf.h - a growable text buffer: what every renderer writes into. */
#ifndef MOAT_FSEMU_BUF_H
#define MOAT_FSEMU_BUF_H

#include <stddef.h>

#include "macro.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

/* 0 or -ENOMEM. The buffer stays NUL-terminated. */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const char *s, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) _printf_(2, 3);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
