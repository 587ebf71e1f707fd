/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* strv.h - a growing list of strings (moat.conf's repeatable keys). */
#ifndef MOAT_STRV_H
#define MOAT_STRV_H

#include <stddef.h>

struct strv {
	char **v;
	size_t n;
};

/* Append a copy of value. */
int strv_push(struct strv *s, const char *value);
void strv_free(struct strv *s);

#endif
