/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* context.h - what every moat-runc command gets: the global flags and moat.conf. */
#ifndef MOAT_RUNTIME_CONTEXT_H
#define MOAT_RUNTIME_CONTEXT_H

#include <stdbool.h>

#include "config.h"

#define MOAT_RUNC_DEFAULT_ROOT "/run/runc"

struct context {
	char **globals; /* runc's own global flags as given, moat's removed */
	int n_globals;
	char **quiet_globals; /* the same without --log and --log-format */
	int n_quiet_globals;
	const char *root_flag; /* --root as given */
	char *root; /* --root made absolute, or runc's default */
	const char *log_path, *log_format;
	bool debug;
	const char *runc_flag, *config_flag; /* --runc, --config */
	char *config_path; /* the one used (flag, MOAT_CONFIG or the default) */
	struct moat_config cfg;
	const char *runc; /* the runc to exec: flag, MOAT_RUNC, moat.conf, default */
	char *self; /* realpath of /proc/self/exe */
	const char *command; /* NULL: none given */
	char **args; /* the command's arguments */
	int n_args;
};

/* Parse argv's global flags (runc's, plus --runc and --config). Stops at
 * the command. Unknown flags give -EINVAL with *err set. Sets help/version. */
int cli_parse_globals(struct context *ctx, int argc, char **argv, bool *help, bool *version,
		      char **err);
/* Load moat.conf and settle runc's path and the log file. */
int context_setup(struct context *ctx, char **err);
void context_free(struct context *ctx);

/* The value of a command flag given as "--name v", "--name=v", "-name v"
 * (urfave/cli's forms), at args[*i]; advances *i past it. NULL if args[*i]
 * is not that flag. alias may be NULL (e.g. "b" for --bundle). */
const char *cli_flag_value(char **args, int n, int *i, const char *name, const char *alias);
/* Is args[i] the boolean flag name/alias (also "--name=true")? */
bool cli_flag_bool(const char *arg, const char *name, const char *alias);

#endif
