// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * moat-loader - the boot-time service that owns moat's BPF-LSM policy.
 *
 *   moat-loader start   load, attach and pin (or adopt existing pins), then
 *                       stay in the foreground logging denials
 *   moat-loader stop    remove the pins: enforcement ends
 *   moat-loader status  say whether the policy is pinned
 */
#include <bpf/libbpf.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "attach.h"
#include "cli.h"
#include "config.h"
#include "events.h"
#include "log.h"
#include "paths.h"
#include "policy.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) { stop_requested = 1; }

static int usage(FILE *f, int status)
{
	fprintf(f,
		"Usage: moat-loader [OPTIONS] start|stop|status\n"
		"\n"
		"Load moat's BPF-LSM programs, pin them under the pin directory and\n"
		"log every denial. Killing moat-loader leaves the policy enforced; starting\n"
		"it again adopts the pinned programs. `stop` removes the pins.\n"
		"\n"
		"Options:\n"
		"  --pin-dir DIR      where to pin maps and links (moat.conf's pin_dir;\n"
		"                     default " MOAT_PIN_DIR ")\n"
		"  --config PATH      moat.conf (or " MOAT_CONFIG_ENV "; default " MOAT_CONFIG_PATH ",\n"
		"                     whose absence means the defaults)\n"
		"  --events-log FILE  also append denials to FILE (default " MOAT_EVENTS_LOG ",\n"
		"                     '' for none); `moatctl events` follows it\n"
		"  --upgrade          on start, swap this build's programs into existing links\n"
		"  --debug            verbose libbpf output\n"
		"  -h, --help         show this help\n");
	return status;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own messages (verifier logs included) only with --debug */
	if (!log_level_enabled(LOG_LEVEL_DEBUG))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Once attached, moat-loader only reads a ring buffer: keep no capability. */
static int drop_capabilities(void)
{
	cap_t none = cap_init();
	int r = 0;

	if (!none)
		return negative_errno();
	if (cap_set_proc(none) < 0)
		r = negative_errno();
	cap_free(none);
	return r;
}

static int explain_load_failure(int r)
{
	int lsm = moat_bpf_lsm_enabled();

	if (lsm == 0)
		return log_error_errno(SYNTHETIC_ERRNO(EOPNOTSUPP),
				       "BPF-LSM is not active in this kernel: 'bpf' is missing from "
				       "/sys/kernel/security/lsm. Enable it with the kernel command line "
				       "lsm=...,bpf (append ',bpf' to the current list, e.g. via "
				       "GRUB_CMDLINE_LINUX) and reboot");
	if (r == -EPERM || r == -EACCES || r == -EINVAL || r == -524)
		return log_error_errno(r, "this kernel refused to load or attach moat's BPF-LSM "
					  "programs (%s)%s. moat needs a kernel that can attach lsm/ "
					  "programs; on a machine without one, run moat in the VM: "
					  "scripts/vm.sh",
				       strerror(-r == 524 ? EOPNOTSUPP : -r),
				       lsm > 0 ? ", although 'bpf' is in its LSM list"
					       : " (securityfs is not mounted, so whether 'bpf' is in the "
						 "LSM list cannot be told: mount -t securityfs securityfs "
						 "/sys/kernel/security)");
	/* --debug shows libbpf's reasons */
	return log_error_errno(r, "loading the policy failed: %m");
}

static FILE *open_events_log(const char *path)
{
	FILE *f;

	if (!path || !*path)
		return NULL;
	(void)mkdir(MOAT_RUN_DIR, MOAT_RUN_DIR_MODE);
	f = fopen(path, "ae");
	if (!f)
		log_warning_errno(errno, "cannot open events log '%s': %m", path);
	return f;
}

static int cmd_start(const char *pin_dir, const char *events_log, bool upgrade)
{
	_cleanup_close_ int events_fd = -1;
	_cleanup_fclose_ FILE *out = NULL;
	bool adopted = false;
	int r;

	if (moat_bpf_lsm_enabled() == 0)
		return explain_load_failure(-EOPNOTSUPP);
	r = policy_start(pin_dir, upgrade, &events_fd, &adopted);
	if (r == -ENOTDIR)
		return log_error_errno(r, "the parent of the pin directory '%s' is not a BPF "
				       "filesystem: mount it first (mount -t bpf bpf /sys/fs/bpf)",
				       pin_dir);
	if (r < 0)
		return explain_load_failure(r);
	log_info("%s the policy pinned under %s", adopted ? "adopted" : "attached", pin_dir);
	out = open_events_log(events_log);
	r = drop_capabilities();
	if (r < 0)
		return log_error_errno(r, "cannot drop capabilities: %m");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	r = events_follow(events_fd, out, &stop_requested);
	if (r < 0)
		return log_error_errno(r, "reading denials failed: %m");
	log_info("stopping; the pinned policy stays enforced");
	return 0;
}

static int cmd_status(const char *pin_dir)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	int r = moat_policy_open(pin_dir, &p);

	if (r < 0)
		return log_error_errno(r, "the policy is not pinned under %s: %m", pin_dir);
	printf("the policy is pinned under %s\n", pin_dir);
	return 0;
}

static int cmd_stop(const char *pin_dir)
{
	int r = policy_stop(pin_dir);

	if (r == -EBUSY)
		return log_error_errno(r, "the pins under %s are gone, but the programs are still "
				       "attached after 10 s: another process holds their links (a "
				       "moat-loader start still running?)", pin_dir);
	if (r < 0)
		return log_error_errno(r, "cannot remove the pins under %s: %m", pin_dir);
	return 0;
}

struct options {
	const char *pin_dir, *config, *events_log;
	bool upgrade;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option options[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "events-log", required_argument, NULL, 'e' },
		{ "upgrade", no_argument, NULL, 'u' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	*o = (struct options){ .events_log = MOAT_EVENTS_LOG };
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case 'p': o->pin_dir = optarg; break;
		case 'c': o->config = optarg; break;
		case 'e': o->events_log = optarg; break;
		case 'u': o->upgrade = true; break;
		case 'd': log_setup("moat-loader", LOG_LEVEL_DEBUG); break;
		case 'h': usage(stdout, 0); return 0;
		default: return -EUSAGE;
		}
	}
	if (optind != argc - 1)
		return log_error_errno(SYNTHETIC_ERRNO(EUSAGE),
				       "expected one command: start, stop or status");
	return 1;
}

static int run(const char *command, struct options *o)
{
	_cleanup_(config_free) struct moat_config cfg = {};
	const char *config;
	bool must_exist;
	int r;

	if (strcmp(command, "start") && strcmp(command, "stop") && strcmp(command, "status"))
		return log_error_errno(SYNTHETIC_ERRNO(EUSAGE), "unknown command '%s'", command);
	config = config_path(o->config, &must_exist);
	r = config_load(&cfg, config, must_exist);
	if (r < 0)
		return r;
	if (!o->pin_dir)
		o->pin_dir = cfg.pin_dir;
	if (strcmp(command, "start") == 0)
		return cmd_start(o->pin_dir, o->events_log, o->upgrade);
	if (strcmp(command, "stop") == 0)
		return cmd_stop(o->pin_dir);
	return cmd_status(o->pin_dir);
}

int main(int argc, char **argv)
{
	struct options o;
	int r;

	log_setup("moat-loader", LOG_LEVEL_INFO);
	libbpf_set_print(libbpf_print);
	r = parse_options(argc, argv, &o);
	if (r > 0)
		r = run(argv[optind], &o);
	if (r == -EUSAGE)
		usage(stderr, EXIT_USAGE);
	return exit_status(r);
}
