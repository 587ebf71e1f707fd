// SPDX-License-Identifier: LGPL-2.1-or-later
/* create.c - `moat-runc create`: prepare the container, then `runc create`. */
#include <signal.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "passthrough.h"
#include "prepare.h"

static volatile pid_t forward_to;

/* Pass on signals sent to moat-runc by a process; a terminal's signals
 * (SI_KERNEL) already reach runc, which is in the same process group. */
static void forward_signal(int sig, siginfo_t *info, void *uctx)
{
	if (forward_to > 0 && info->si_code <= 0)
		(void)kill(forward_to, sig);
}

static void forward_signals(pid_t pid)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	struct sigaction sa = { .sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO | SA_RESTART };

	forward_to = pid;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

int launch_runc(struct context *ctx, const char *command, const struct create_args *a,
		struct prepared *p, bool forward)
{
	_cleanup_free_ char **argv = NULL;
	_cleanup_free_ char *err = NULL;
	pid_t pid;
	int r;

	argv = create_args_argv(ctx, command, a, p->dir, p->st.bundle);
	if (!argv)
		return log_error("out of memory"), 1;
	r = runc_spawn(ctx, argv, &pid, &err);
	if (r < 0)
		return log_error("%s", err), 1;
	if (forward)
		forward_signals(pid);
	return runc_wait(pid);
}

void launch_release(struct context *ctx, struct prepared *p, int status)
{
	_cleanup_free_ char *why = NULL;

	if (status != 0 && p->st.id)
		why = prepare_hook_error(ctx, p->st.id);
	prepare_abort(ctx, p);
	if (why)
		log_error("%s", why); /* the last error: containerd reports it */
}

int cmd_create(struct context *ctx)
{
	_cleanup_free_ char *err = NULL;
	struct create_args a = { 0 };
	struct prepared p = { 0 };
	int r, status;

	r = create_args_parse(ctx->args, ctx->n_args, &a, &err);
	if (r >= 0)
		r = prepare_container(ctx, a.id, a.bundle, true, &p, &err);
	if (r < 0) {
		prepare_abort(ctx, &p);
		create_args_free(&a);
		return log_error("%s", err), 1;
	}
	status = launch_runc(ctx, "create", &a, &p, false);
	create_args_free(&a);
	if (status != 0)
		launch_release(ctx, &p, status);
	else
		prepared_free(&p);
	return status;
}
