// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cli.c - moat-runc takes runc's global flags (and passes them on) plus its
 * own --runc and --config (never passed on).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "error.h"
#include "fs.h"
#include "log.h"

/* runc's global flags that take a value, and the boolean ones. */
static const char *const runc_value_flags[] = { "root", "log", "log-format", "criu", "rootless" };
static const char *const runc_bool_flags[] = { "debug", "systemd-cgroup" };

/* "--name", "-name", "--name=..." -> the name, in buf (without the value). */
static const char *flag_name(const char *arg, char *buf, size_t size, const char **inline_value)
{
	const char *eq;

	*inline_value = NULL;
	if (arg[0] != '-' || arg[1] == '\0')
		return NULL;
	arg += arg[1] == '-' ? 2 : 1;
	eq = strchr(arg, '=');
	snprintf(buf, size, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
	if (eq)
		*inline_value = eq + 1;
	return buf;
}

const char *cli_flag_value(char **args, int n, int *i, const char *name, const char *alias)
{
	const char *inl, *f;
	char buf[64];

	f = flag_name(args[*i], buf, sizeof(buf), &inl);
	if (!f || (strcmp(f, name) && !(alias && !strcmp(f, alias))))
		return NULL;
	if (inl)
		return (*i)++, inl;
	if (*i + 1 >= n)
		return NULL;
	*i += 2;
	return args[*i - 1];
}

bool cli_flag_bool(const char *arg, const char *name, const char *alias)
{
	const char *inl, *f;
	char buf[64];

	f = flag_name(arg, buf, sizeof(buf), &inl);
	if (!f || (strcmp(f, name) && !(alias && !strcmp(f, alias))))
		return false;
	return !inl || strcmp(inl, "false") != 0;
}

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

static int keep_global(struct context *ctx, const char *name, char **argv, int from, int to)
{
	bool log = !strcmp(name, "log") || !strcmp(name, "log-format");

	for (int i = from; i < to; i++) {
		ctx->globals[ctx->n_globals++] = argv[i];
		if (!log)
			ctx->quiet_globals[ctx->n_quiet_globals++] = argv[i];
	}
	return 0;
}

static void note_global(struct context *ctx, const char *name, const char *value)
{
	if (!strcmp(name, "root"))
		ctx->root_flag = value;
	else if (!strcmp(name, "log"))
		ctx->log_path = value;
	else if (!strcmp(name, "log-format"))
		ctx->log_format = value;
	else if (!strcmp(name, "debug"))
		ctx->debug = strcmp(value, "false") != 0;
	else if (!strcmp(name, "runc"))
		ctx->runc_flag = value;
	else if (!strcmp(name, "config"))
		ctx->config_flag = value;
}

/* One global flag at argv[*i]; advances *i. */
static int parse_global(struct context *ctx, int argc, char **argv, int *i, bool *help,
			bool *version, char **err)
{
	const char *inl, *name;
	char buf[64];
	int start = *i;
	bool moat;

	name = flag_name(argv[*i], buf, sizeof(buf), &inl);
	if (!strcmp(name, "help") || !strcmp(name, "h"))
		return *help = true, (*i)++, 0;
	if (!strcmp(name, "version") || !strcmp(name, "v"))
		return *version = true, (*i)++, 0;
	if (in_list(name, runc_bool_flags, ELEMENTSOF(runc_bool_flags))) {
		note_global(ctx, name, inl ? inl : "true");
		(*i)++;
		return keep_global(ctx, name, argv, start, *i);
	}
	moat = !strcmp(name, "runc") || !strcmp(name, "config");
	if (!moat && !in_list(name, runc_value_flags, ELEMENTSOF(runc_value_flags)))
		return error_set(err, -EINVAL, "unknown global flag `%s` (see moat-runc --help)",
				 argv[*i]);
	if (!inl && *i + 1 >= argc)
		return error_set(err, -EINVAL, "flag `%s` needs a value", argv[*i]);
	note_global(ctx, name, inl ? inl : argv[*i + 1]);
	*i += inl ? 1 : 2;
	return moat ? 0 : keep_global(ctx, name, argv, start, *i);
}

int cli_parse_globals(struct context *ctx, int argc, char **argv, bool *help, bool *version,
		      char **err)
{
	int i = 1, r;

	ctx->globals = calloc(argc + 1, sizeof(char *));
	ctx->quiet_globals = calloc(argc + 1, sizeof(char *));
	if (!ctx->globals || !ctx->quiet_globals)
		return error_set(err, -ENOMEM, "%m");
	while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		r = parse_global(ctx, argc, argv, &i, help, version, err);
		if (r < 0)
			return r;
	}
	if (i < argc) {
		ctx->command = argv[i];
		ctx->args = argv + i + 1;
		ctx->n_args = argc - i - 1;
	}
	return 0;
}

/* path, made absolute against the working directory (hooks run elsewhere). */
static int absolute(const char *path, char **ret)
{
	_cleanup_free_ char *cwd = NULL;

	if (path[0] == '/')
		return (*ret = strdup(path)) ? 0 : -ENOMEM;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return negative_errno();
	return path_join(cwd, path, ret);
}

static int settle_root(struct context *ctx, char **err)
{
	int r = absolute(ctx->root_flag ? ctx->root_flag : MOAT_RUNC_DEFAULT_ROOT, &ctx->root);

	return r < 0 ? error_set(err, r, "%m") : 0;
}

static int settle_log(struct context *ctx, char **err)
{
	FILE *f;

	if (!ctx->log_path)
		return 0;
	f = fopen(ctx->log_path, "ae");
	if (!f)
		return error_set(err, negative_errno(), "cannot open the log %s: %m", ctx->log_path);
	log_set_file(f, ctx->log_format && !strcmp(ctx->log_format, "json"));
	return 0;
}

int context_setup(struct context *ctx, char **err)
{
	const char *env_runc = getenv("MOAT_RUNC");
	bool must_exist;
	int r;

	r = settle_log(ctx, err);
	if (r >= 0)
		r = settle_root(ctx, err);
	if (r < 0)
		return r;
	r = absolute(config_path(ctx->config_flag, &must_exist), &ctx->config_path);
	if (r < 0)
		return error_set(err, r, "%m");
	r = config_load(&ctx->cfg, ctx->config_path, must_exist); /* logs its errors */
	if (r < 0)
		return r;
	ctx->runc = ctx->runc_flag			 ? ctx->runc_flag
		    : env_runc && env_runc[0]		 ? env_runc
							 : ctx->cfg.runc;
	ctx->self = realpath("/proc/self/exe", NULL);
	return ctx->self ? 0 : error_set(err, negative_errno(), "cannot resolve /proc/self/exe: %m");
}

void context_free(struct context *ctx)
{
	free(ctx->globals);
	free(ctx->quiet_globals);
	free(ctx->root);
	free(ctx->config_path);
	free(ctx->self);
	config_free(&ctx->cfg);
}
