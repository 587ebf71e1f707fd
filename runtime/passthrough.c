// SPDX-License-Identifier: LGPL-2.1-or-later
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"
#include "log.h"
#include "passthrough.h"

int runc_check(const struct context *ctx, char **err)
{
	struct stat runc, self;

	if (stat(ctx->runc, &runc) < 0)
		return error_set(err, negative_errno(), "runc not found at %s: %m (set --runc, "
				 "MOAT_RUNC or runc in %s)", ctx->runc, ctx->config_path);
	if (!S_ISREG(runc.st_mode) || access(ctx->runc, X_OK) < 0)
		return error_set(err, -EACCES, "runc at %s is not an executable file", ctx->runc);
	if (stat("/proc/self/exe", &self) == 0 && self.st_dev == runc.st_dev &&
	    self.st_ino == runc.st_ino)
		return error_set(err, -ELOOP, "runc at %s is moat-runc itself: point --runc, "
				 "MOAT_RUNC or runc in %s at the real runc", ctx->runc,
				 ctx->config_path);
	return 0;
}

static char **build_argv(const struct context *ctx, char **globals, int n_globals,
			 const char *command, char **args, int n_args)
{
	char **argv = calloc(n_globals + n_args + 3, sizeof(char *));
	int n = 0;

	if (!argv)
		return NULL;
	argv[n++] = (char *)ctx->runc;
	for (int i = 0; i < n_globals; i++)
		argv[n++] = globals[i];
	if (command)
		argv[n++] = (char *)command;
	for (int i = 0; i < n_args; i++)
		argv[n++] = args[i];
	return argv;
}

char **runc_argv(const struct context *ctx, const char *command, char **args, int n_args)
{
	return build_argv(ctx, ctx->globals, ctx->n_globals, command, args, n_args);
}

int runc_exec(const struct context *ctx, char **argv, char **err)
{
	int r = runc_check(ctx, err);

	if (r < 0)
		return r;
	execv(ctx->runc, argv);
	return error_set(err, negative_errno(), "cannot execute %s: %m", ctx->runc);
}

int runc_spawn(const struct context *ctx, char **argv, pid_t *ret, char **err)
{
	pid_t pid;
	int r = runc_check(ctx, err);

	if (r < 0)
		return r;
	pid = fork();
	if (pid < 0)
		return error_set(err, negative_errno(), "cannot fork: %m");
	if (pid == 0) {
		execv(ctx->runc, argv);
		fprintf(stderr, "moat-runc: cannot execute %s: %m\n", ctx->runc);
		_exit(127);
	}
	*ret = pid;
	return 0;
}

int runc_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int call(const struct context *ctx, const char *command, const char *const *args,
		bool to_stderr)
{
	_cleanup_free_ char **argv = NULL;
	int n = 0;
	pid_t pid;

	while (args[n])
		n++;
	argv = build_argv(ctx, ctx->quiet_globals, ctx->n_quiet_globals, command, (char **)args, n);
	if (!argv || runc_check(ctx, NULL) < 0)
		return 127;
	pid = fork();
	if (pid < 0)
		return 127;
	if (pid == 0) {
		if (to_stderr)
			(void)dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(ctx->runc, argv);
		_exit(127);
	}
	return runc_wait(pid);
}

int runc_call(const struct context *ctx, const char *command, const char *const *args)
{
	return call(ctx, command, args, true);
}

int runc_call_stdout(const struct context *ctx, const char *command, const char *const *args)
{
	return call(ctx, command, args, false);
}

/* Every command moat does not handle: exec the real runc. (Here, not in
 * main.c, so that start.c links into the unit tests.) */
int cmd_passthrough(struct context *ctx)
{
	_cleanup_free_ char **argv = runc_argv(ctx, ctx->command, ctx->args, ctx->n_args);
	_cleanup_free_ char *err = NULL;

	if (!argv)
		return log_error("out of memory"), 1;
	runc_exec(ctx, argv, &err);
	log_error("%s", err);
	return 1;
}
