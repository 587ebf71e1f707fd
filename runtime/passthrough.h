/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthrough.h - running the real runc. */
#ifndef MOAT_RUNTIME_PASSTHROUGH_H
#define MOAT_RUNTIME_PASSTHROUGH_H

#include <sys/types.h>

#include "context.h"

/* Is ctx->runc an executable that is not moat-runc itself? */
int runc_check(const struct context *ctx, char **err);
/* argv for runc: its path, the global flags, command, then args. Only the
 * array is allocated. */
char **runc_argv(const struct context *ctx, const char *command, char **args, int n_args);
/* execv() runc; returns only on failure. */
int runc_exec(const struct context *ctx, char **argv, char **err);
/* fork + execv; the child inherits every fd that is not close-on-exec. */
int runc_spawn(const struct context *ctx, char **argv, pid_t *ret, char **err);
/* Wait for pid: its exit status, or 128 + the signal that killed it. */
int runc_wait(pid_t pid);
/* Run runc with these arguments after the globals (but --log), stdout sent
 * to stderr; its exit status. Used for clean-ups ("delete --force ID"). */
int runc_call(const struct context *ctx, const char *command, const char *const *args);
/* The same, stdout left alone. */
int runc_call_stdout(const struct context *ctx, const char *command, const char *const *args);

#endif
