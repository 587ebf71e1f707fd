// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * moatctl - the operator's CLI over the kernel policy pinned by moat-loader.
 */
#include <ftw.h>
#include <stdbool.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "paths.h"
#include "policy.h"
#include "setup.h"

/* moat.conf's, or --pin-dir's */
static const char *pin_dir;

/* Returns status, so that a command can `return usage(stderr, -EUSAGE)`. */
static int usage(FILE *f, int status)
{
	fprintf(f,
		"Usage: moatctl [--pin-dir DIR] [--config PATH] COMMAND [ARGS]\n"
		"\n"
		"  --pin-dir DIR   the pinned policy (moat.conf's pin_dir; default " MOAT_PIN_DIR ")\n"
		"  --config PATH   moat.conf (or " MOAT_CONFIG_ENV "; default " MOAT_CONFIG_PATH ",\n"
		"                  whose absence means the defaults)\n"
		"\n"
		"Commands:\n"
		"  register CGROUP_DIR [--allow-bpf] [--pid PID]\n"
		"                        put a cgroup (v2 directory) and its descendants under\n"
		"                        the policy; its namespaces are read from PID (default:\n"
		"                        the cgroup's first process)\n"
		"  unregister CGROUP_DIR  take it out again\n"
		"  protect-mounts CGROUP_DIR PID\n"
		"                         record PID's current mounts as the container's start\n"
		"                         mounts (no umount/move, ro stays ro, no overmount of /proc, /sys)\n"
		"  ps                     list registered containers\n"
		"  restrict PATH          add a host object no container may reach\n"
		"  unrestrict PATH        remove it\n"
		"  events [--log FILE]    follow denials as moat-loader logs them\n"
		"                         (default " MOAT_EVENTS_LOG ")\n"
		"  setup docker [--undo] [--daemon-json PATH] [--runtime-path PATH] ...\n"
		"                         make moat Docker's runtime for every container\n"
		"                         (moatctl setup docker --help)\n");
	return status;
}

static int open_policy(struct moat_policy **p)
{
	int r = moat_policy_open(pin_dir, p);

	if (r == -ENOENT)
		return log_error_errno(r, "the kernel policy is not loaded (no pins under %s): "
				       "start moat-loader first", pin_dir);
	if (r == -EOPNOTSUPP)
		return log_error_errno(r, "BPF-LSM is not active in this kernel ('bpf' missing "
				       "from /sys/kernel/security/lsm)");
	if (r < 0)
		return log_error_errno(r, "cannot open the policy under %s: %m", pin_dir);
	return 0;
}

static int cmd_register(int argc, char **argv, const struct moat_config *cfg)
{
	static const struct option options[] = {
		{ "allow-bpf", no_argument, NULL, 'b' },
		{ "pid", required_argument, NULL, 'p' },
		{}
	};
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	uint32_t flags = 0;
	pid_t pid = 0;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
		if (c == 'b')
			flags |= MOAT_ALLOW_BPF;
		else if (c == 'p')
			pid = atoi(optarg);
		else
			return usage(stderr, -EUSAGE);
	}
	if (optind != argc - 1)
		return log_error_errno(SYNTHETIC_ERRNO(EUSAGE), "register: expected one CGROUP_DIR");
	r = open_policy(&p);
	if (r < 0)
		return r;
	r = moat_policy_register(p, argv[optind], pid, flags);
	if (r == -EINVAL)
		return log_error_errno(r, "cannot register '%s': it is the root cgroup", argv[optind]);
	if (r == -ECHRNG) {
		unsigned level = 0;

		(void)moat_cgroup_level(argv[optind], &level);
		return log_error_errno(r, "cannot register '%s': it is %u levels deep, and the kernel "
				       "policy reaches containers at most %d levels deep",
				       argv[optind], level, MOAT_CGROUP_LEVELS - 1);
	}
	if (r < 0)
		return log_error_errno(r, "cannot register '%s': %m", argv[optind]);
	return 0;
}

static int cmd_unregister(int argc, char **argv, const struct moat_config *cfg)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	int r;

	if (argc != 2)
		return log_error_errno(SYNTHETIC_ERRNO(EUSAGE), "unregister: expected one CGROUP_DIR");
	r = open_policy(&p);
	if (r < 0)
		return r;
	r = moat_policy_unregister(p, argv[1]);
	if (r == -ENOENT)
		return log_error_errno(r, "'%s' is not registered", argv[1]);
	if (r < 0)
		return log_error_errno(r, "cannot unregister '%s': %m", argv[1]);
	return 0;
}

static int cmd_protect_mounts(int argc, char **argv, const struct moat_config *cfg)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	uint64_t id;
	int r;

	if (argc != 3)
		return log_error_errno(SYNTHETIC_ERRNO(EUSAGE), "protect-mounts: expected CGROUP_DIR PID");
	r = moat_cgroup_id(argv[1], &id);
	if (r < 0)
		return log_error_errno(r, "cannot read cgroup '%s': %m", argv[1]);
	r = open_policy(&p);
	if (r < 0)
		return r;
	r = moat_policy_protect_mounts(p, id, atoi(argv[2]), 0);
	if (r < 0)
		return log_error_errno(r, "cannot record the mounts of pid '%s': %m", argv[2]);
	return 0;
}

static uint64_t wanted_id;
static char found_path[4096];

static int match_cgroup(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_D && st->st_ino == wanted_id) {
		snprintf(found_path, sizeof(found_path), "%s", path);
		return 1;
	}
	return 0;
}

/* The cgroup directory whose id is cgroup_id, or "?" if it is gone. */
static const char *cgroup_path(uint64_t cgroup_id)
{
	const char *root;

	strcpy(found_path, "?");
	wanted_id = cgroup_id;
	if (moat_cgroup2_root(&root) == 0)
		(void)nftw(root, match_cgroup, 32, FTW_PHYS | FTW_MOUNT);
	return found_path;
}

static int print_container(uint64_t id, const struct moat_container *c, void *userdata)
{
	printf("%-12" PRIu64 " %-9s %-12u %s\n", id, c->flags & MOAT_ALLOW_BPF ? "yes" : "no",
	       c->userns_inum, cgroup_path(id));
	return 0;
}

static int cmd_ps(int argc, char **argv, const struct moat_config *cfg)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	int r = open_policy(&p);

	if (r < 0)
		return r;
	printf("%-12s %-9s %-12s %s\n", "CGROUP-ID", "ALLOW-BPF", "USERNS", "CGROUP");
	r = moat_policy_foreach(p, print_container, NULL);
	return r < 0 ? log_error_errno(r, "cannot list the containers: %m") : 0;
}

static int set_restricted(int argc, char **argv, bool add)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	int r;

	if (argc != 2)
		return log_error_errno(SYNTHETIC_ERRNO(EUSAGE), "%s: expected one PATH", argv[0]);
	r = open_policy(&p);
	if (r < 0)
		return r;
	r = add ? moat_policy_restrict(p, argv[1]) : moat_policy_unrestrict(p, argv[1]);
	if (r < 0)
		return log_error_errno(r, "cannot %s '%s': %m", argv[0], argv[1]);
	return 0;
}

static int cmd_restrict(int argc, char **argv, const struct moat_config *cfg)
{
	return set_restricted(argc, argv, true);
}
static int cmd_unrestrict(int argc, char **argv, const struct moat_config *cfg)
{
	return set_restricted(argc, argv, false);
}

/* Follow the loader's denial log like `tail -f`, from its current end. */
static int cmd_events(int argc, char **argv, const struct moat_config *cfg)
{
	const char *path = argc == 3 && strcmp(argv[1], "--log") == 0 ? argv[2] : MOAT_EVENTS_LOG;
	_cleanup_fclose_ FILE *f = NULL;
	char line[1024];

	if (argc != 1 && argc != 3)
		return log_error_errno(SYNTHETIC_ERRNO(EUSAGE), "events: expected [--log FILE]");
	f = fopen(path, "re");
	if (!f)
		return log_error_errno(errno, "cannot open '%s' (is moat-loader running?): %m", path);
	(void)fseek(f, 0, SEEK_END);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		if (fgets(line, sizeof(line), f)) {
			fputs(line, stdout);
			continue;
		}
		clearerr(f);
		(void)poll(NULL, 0, 200);
	}
}

static const struct {
	const char *name;
	/* argv[0] is the command; cfg is moat.conf */
	int (*run)(int argc, char **argv, const struct moat_config *cfg);
} commands[] = {
	{ "register", cmd_register },	      { "unregister", cmd_unregister },
	{ "protect-mounts", cmd_protect_mounts }, { "ps", cmd_ps },
	{ "restrict", cmd_restrict },	      { "unrestrict", cmd_unrestrict },
	{ "events", cmd_events },	      { "setup", cmd_setup },
};

static int run(int argc, char **argv, const char *config_flag)
{
	_cleanup_(config_free) struct moat_config cfg = {};
	const char *config;
	bool must_exist;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		config = config_path(config_flag, &must_exist);
		r = config_load(&cfg, config, must_exist);
		if (r < 0)
			return r;
		if (!pin_dir)
			pin_dir = cfg.pin_dir;
		return commands[i].run(argc, argv, &cfg);
	}
	log_error("unknown command '%s'", argv[0]);
	return usage(stderr, -EUSAGE);
}

int main(int argc, char **argv)
{
	const char *config = NULL;

	log_setup("moatctl", LOG_LEVEL_INFO);
	while (argc > 2 && (!strcmp(argv[1], "--pin-dir") || !strcmp(argv[1], "--config"))) {
		if (!strcmp(argv[1], "--pin-dir"))
			pin_dir = argv[2];
		else
			config = argv[2];
		argc -= 2, argv += 2;
	}
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout, EXIT_SUCCESS);
	return exit_status(run(argc - 1, argv + 1, config));
}
