/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* commands.h - the commands moat-runc handles itself; each returns the exit status. */
#ifndef MOAT_RUNTIME_COMMANDS_H
#define MOAT_RUNTIME_COMMANDS_H

#include <stdbool.h>

#include "context.h"

int cmd_create(struct context *ctx);
int cmd_run(struct context *ctx);
int cmd_delete(struct context *ctx);
int cmd_hook(struct context *ctx);
int cmd_start(struct context *ctx);
/* exec the real runc with this command and its arguments, unchanged */
int cmd_passthrough(struct context *ctx);

/* create's and run's arguments (runc's flags; unknown ones are runc's
 * business and passed on as they are). */
struct create_args {
	const char *id;
	const char *bundle; /* "." when not given */
	const char *console_socket;
	bool detach, keep;
	char **rest; /* the arguments without --bundle, for runc */
	int n_rest;
};
int create_args_parse(char **args, int n, struct create_args *ret, char **err);
/* runc's argv: command --bundle DIR [--console-socket ABS] rest... */
char **create_args_argv(const struct context *ctx, const char *command,
			const struct create_args *a, const char *bundle, const char *orig_bundle);
void create_args_free(struct create_args *a);

struct prepared;
/* Spawn runc's create or run for the prepared container; its exit status.
 * forward: pass signals on to runc. */
int launch_runc(struct context *ctx, const char *command, const struct create_args *a,
		struct prepared *p, bool forward);
/* Undo the container, runc's side included; if runc failed because moat's
 * hook did, log the hook's message last (containerd reports the last error). */
void launch_release(struct context *ctx, struct prepared *p, int status);

#endif
