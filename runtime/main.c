// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * moat-runc - a drop-in for runc that isolates every container (see
 * usage()). create, run and delete are moat's; every other command is
 * exec'd to the real runc with the same arguments, moat's flags removed.
 */
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"
#include "log.h"
#include "passthrough.h"

#ifndef MOAT_VERSION
#define MOAT_VERSION "0.1.0"
#endif

static void usage(const char *runc)
{
	printf("moat-runc - runc, with every container isolated: its own user namespace and\n"
	       "uid range, no namespace shared with the host, no restricted host mount, and\n"
	       "its cgroup registered in moat's kernel policy.\n\n"
	       "Usage: moat-runc [global options] COMMAND [arguments...]\n\n"
	       "Commands moat-runc handles itself:\n"
	       "   create   check and rewrite the bundle's spec, then `runc create`\n"
	       "   run      the same, then `runc run`\n"
	       "   delete   `runc delete`, then release the container's uid range, mounts,\n"
	       "            kernel registration and state\n"
	       "   restore  refused: a restored checkpoint would bypass moat's checks\n"
	       "Every other command (start, state, list, exec, kill, pause, resume, ps, ...)\n"
	       "is passed to runc unchanged.\n\n"
	       "Global options passed on to runc:\n"
	       "   --root PATH  --log PATH  --log-format text|json  --debug\n"
	       "   --systemd-cgroup  --rootless VALUE  --criu PATH\n"
	       "moat-runc's own global options (never passed on):\n"
	       "   --runc PATH    the real runc (or MOAT_RUNC, or runc in moat.conf;\n"
	       "                  default " MOAT_RUNC_PATH ")\n"
	       "   --config PATH  moat.conf (or " MOAT_CONFIG_ENV "; default " MOAT_CONFIG_PATH
	       ",\n"
	       "                  whose absence means the defaults)\n"
	       "   --help, -h     this help\n"
	       "   --version, -v  moat-runc's and runc's versions\n\n"
	       "For runc's commands and their flags, see `%s --help`.\n",
	       runc);
}

static int version(struct context *ctx)
{
	const char *args[] = { NULL };

	printf("moat-runc version %s\n", MOAT_VERSION);
	fflush(stdout);
	ctx->n_globals = 0;
	ctx->n_quiet_globals = 0;
	if (runc_check(ctx, NULL) < 0) {
		printf("runc: not found at %s\n", ctx->runc);
		return 1;
	}
	return runc_call_stdout(ctx, "--version", args);
}

static int dispatch(struct context *ctx)
{
	const char *c = ctx->command;

	if (!strcmp(c, "create"))
		return cmd_create(ctx);
	if (!strcmp(c, "run"))
		return cmd_run(ctx);
	if (!strcmp(c, "delete"))
		return cmd_delete(ctx);
	if (!strcmp(c, "start"))
		return cmd_start(ctx);
	if (!strcmp(c, "hook"))
		return cmd_hook(ctx);
	if (!strcmp(c, "restore"))
		return log_error("restore is not supported: a container restored from a "
				 "checkpoint would bypass moat's checks"), 1;
	return cmd_passthrough(ctx);
}

static const char *usage_runc(const struct context *ctx)
{
	const char *env = getenv("MOAT_RUNC");

	return ctx->runc_flag ? ctx->runc_flag : env && env[0] ? env : MOAT_RUNC_PATH;
}

int main(int argc, char **argv)
{
	struct context ctx = { 0 };
	_cleanup_free_ char *err = NULL;
	bool help = false, ver = false;
	int r;

	log_setup("moat-runc", LOG_LEVEL_INFO);
	r = cli_parse_globals(&ctx, argc, argv, &help, &ver, &err);
	if (r >= 0 && (help || (!ctx.command && !ver) ||
		       (ctx.command && !strcmp(ctx.command, "help") && ctx.n_args == 0))) {
		usage(usage_runc(&ctx));
		context_free(&ctx);
		return 0;
	}
	if (r >= 0)
		r = context_setup(&ctx, &err);
	if (r < 0) {
		if (err) /* else it was logged where it was found */
			log_error("%s", err);
		context_free(&ctx);
		return 1;
	}
	if (ctx.debug)
		log_setup("moat-runc", LOG_LEVEL_DEBUG);
	r = ver ? version(&ctx) : dispatch(&ctx);
	context_free(&ctx);
	return r;
}
