/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * setup-runc.h - the engine's runc, for `moatctl setup docker` (see setup.h):
 * moved aside (dpkg-divert when dpkg owns it) and replaced by a link to
 * moat-runc, moat.conf pointed at the real one; and put back by --undo.
 */
#ifndef MOAT_LOADER_SETUP_RUNC_H
#define MOAT_LOADER_SETUP_RUNC_H

#include <stdio.h>

#include "setup-manifest.h"
#include "setup.h"

int step_runc(const struct setup_options *o, struct manifest *m, FILE *out);
int undo_runc(struct manifest *m, FILE *out);

#endif
