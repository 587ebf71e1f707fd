// SPDX-License-Identifier: LGPL-2.1-or-later
/* args.c - the arguments of create and run, the way runc (urfave/cli) reads them. */
#include <string.h>

#include "commands.h"
#include "error.h"
#include "fs.h"
#include "passthrough.h"

/* Flags of create/run that take a value, besides --bundle and --console-socket. */
static const char *const value_flags[] = { "pid-file", "preserve-fds" };

static bool takes_value(const char *arg)
{
	const char *name = arg + (arg[1] == '-' ? 2 : 1);

	if (strchr(name, '='))
		return false;
	for (size_t i = 0; i < ELEMENTSOF(value_flags); i++)
		if (strcmp(name, value_flags[i]) == 0)
			return true;
	return false;
}

static void keep(struct create_args *a, char **args, int from, int to)
{
	for (int i = from; i < to; i++)
		a->rest[a->n_rest++] = args[i];
}

/* One flag at args[*i]: note what moat needs, keep the rest for runc. */
static int parse_flag(char **args, int n, int *i, struct create_args *a, char **err)
{
	const char *v;
	int start = *i;

	if ((v = cli_flag_value(args, n, i, "bundle", "b")))
		return a->bundle = v, 0;
	if ((v = cli_flag_value(args, n, i, "console-socket", NULL)))
		return a->console_socket = v, 0;
	if (cli_flag_bool(args[*i], "detach", "d"))
		a->detach = true;
	else if (cli_flag_bool(args[*i], "keep", NULL))
		a->keep = true;
	if (takes_value(args[*i])) {
		if (*i + 1 >= n)
			return error_set(err, -EINVAL, "flag `%s` needs a value", args[*i]);
		(*i)++;
	}
	(*i)++;
	keep(a, args, start, *i);
	return 0;
}

int create_args_parse(char **args, int n, struct create_args *a, char **err)
{
	int i = 0, r;

	*a = (struct create_args){ .bundle = "." };
	a->rest = calloc(n + 1, sizeof(char *));
	if (!a->rest)
		return error_set(err, -ENOMEM, "%m");
	while (i < n && args[i][0] == '-' && args[i][1] != '\0') {
		if (strcmp(args[i], "--bundle") == 0 || strcmp(args[i], "-b") == 0 ||
		    strcmp(args[i], "--console-socket") == 0)
			if (i + 1 >= n)
				return error_set(err, -EINVAL, "flag `%s` needs a value", args[i]);
		r = parse_flag(args, n, &i, a, err);
		if (r < 0)
			return r;
	}
	if (i >= n)
		return error_set(err, -EINVAL, "a container id is required");
	if (i + 1 != n)
		return error_set(err, -EINVAL, "expected one container id, got `%s` and more",
				 args[i]);
	a->id = args[i];
	keep(a, args, i, n);
	return 0;
}

char **create_args_argv(const struct context *ctx, const char *command,
			const struct create_args *a, const char *bundle, const char *orig_bundle)
{
	char **extra = calloc(a->n_rest + 5, sizeof(char *)), **argv;
	char *socket = NULL;
	int n = 0;

	if (!extra)
		return NULL;
	extra[n++] = "--bundle";
	extra[n++] = (char *)bundle;
	if (a->console_socket) {
		/* runc resolves it after moving into the bundle: keep it the caller's */
		if (path_join(orig_bundle, a->console_socket, &socket) < 0) {
			free(extra);
			return NULL;
		}
		extra[n++] = "--console-socket";
		extra[n++] = socket; /* leaked on purpose: lives until exec */
	}
	for (int i = 0; i < a->n_rest; i++)
		extra[n++] = a->rest[i];
	argv = runc_argv(ctx, command, extra, n);
	free(extra);
	return argv;
}

void create_args_free(struct create_args *a)
{
	free(a->rest);
	a->rest = NULL;
}
