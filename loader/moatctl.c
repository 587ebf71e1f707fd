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

#include "log.h"
#include "policy.h"
#include "setup.h"

static const char *pin_dir = MOAT_PIN_DIR;

static int usage(FILE *f, int status)
{
	fprintf(f,
		"Usage: moatctl [--pin-dir DIR] COMMAND [ARGS]\n"
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
		"                         (default /run/moat/denials.log)\n"
		"  setup docker [--undo] [--daemon-json PATH] [--runtime-path PATH] ...\n"
		"                         make moat Docker's runtime for every container\n"
		"                         (moatctl setup docker --help)\n");
	return status;
}

static int open_policy(struct moat_policy **p)
{
	int r = moat_policy_open(pin_dir, p);

	if (r == -ENOENT)
		return log_error("the kernel policy is not loaded (no pins under %s): start "
				 "moat-loader first", pin_dir), r;
	if (r == -EOPNOTSUPP)
		return log_error("BPF-LSM is not active in this kernel ('bpf' missing from "
				 "/sys/kernel/security/lsm)"), r;
	if (r < 0)
		return log_error_errno(r, "cannot open the policy under %s: %m", pin_dir);
	return 0;
}

static int cmd_register(int argc, char **argv)
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
			return usage(stderr, 2);
	}
	if (optind != argc - 1)
		return log_error("register: expected one CGROUP_DIR"), 2;
	r = open_policy(&p);
	if (r < 0)
		return 1;
	r = moat_policy_register(p, argv[optind], pid, flags);
	if (r == -EINVAL)
		return log_error("cannot register '%s': it is the root cgroup", argv[optind]), 1;
	if (r == -ECHRNG) {
		unsigned level = 0;

		(void)moat_cgroup_level(argv[optind], &level);
		return log_error("cannot register '%s': it is %u levels deep, and the kernel policy "
				 "reaches containers at most %d levels deep", argv[optind], level,
				 MOAT_CGROUP_LEVELS - 1), 1;
	}
	if (r < 0)
		return log_error_errno(r, "cannot register '%s': %m", argv[optind]), 1;
	return 0;
}

static int cmd_unregister(int argc, char **argv)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	int r;

	if (argc != 2)
		return log_error("unregister: expected one CGROUP_DIR"), 2;
	if (open_policy(&p) < 0)
		return 1;
	r = moat_policy_unregister(p, argv[1]);
	if (r == -ENOENT)
		return log_error("'%s' is not registered", argv[1]), 1;
	if (r < 0)
		return log_error_errno(r, "cannot unregister '%s': %m", argv[1]), 1;
	return 0;
}

static int cmd_protect_mounts(int argc, char **argv)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	uint64_t id;
	int r;

	if (argc != 3)
		return log_error("protect-mounts: expected CGROUP_DIR PID"), 2;
	r = moat_cgroup_id(argv[1], &id);
	if (r < 0)
		return log_error_errno(r, "cannot read cgroup '%s': %m", argv[1]), 1;
	if (open_policy(&p) < 0)
		return 1;
	r = moat_policy_protect_mounts(p, id, atoi(argv[2]), 0);
	if (r < 0)
		return log_error_errno(r, "cannot record the mounts of pid '%s': %m", argv[2]), 1;
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

static int cmd_ps(void)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;

	if (open_policy(&p) < 0)
		return 1;
	printf("%-12s %-9s %-12s %s\n", "CGROUP-ID", "ALLOW-BPF", "USERNS", "CGROUP");
	return moat_policy_foreach(p, print_container, NULL) < 0 ? 1 : 0;
}

static int cmd_restrict(int argc, char **argv, bool add)
{
	_cleanup_(moat_policy_closep) struct moat_policy *p = NULL;
	int r;

	if (argc != 2)
		return log_error("%s: expected one PATH", argv[0]), 2;
	if (open_policy(&p) < 0)
		return 1;
	r = add ? moat_policy_restrict(p, argv[1]) : moat_policy_unrestrict(p, argv[1]);
	if (r < 0)
		return log_error_errno(r, "cannot %s '%s': %m", argv[0], argv[1]), 1;
	return 0;
}

/* Follow the loader's denial log like `tail -f`, from its current end. */
static int cmd_events(int argc, char **argv)
{
	const char *path = argc == 3 && strcmp(argv[1], "--log") == 0 ? argv[2] : "/run/moat/denials.log";
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[1024];

	if (argc != 1 && argc != 3)
		return log_error("events: expected [--log FILE]"), 2;
	if (!f)
		return log_error_errno(errno, "cannot open '%s' (is moat-loader running?): %m", path), 1;
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

int main(int argc, char **argv)
{
	const char *cmd;

	log_setup("moatctl", LOG_LEVEL_INFO);
	while (argc > 2 && strcmp(argv[1], "--pin-dir") == 0) {
		pin_dir = argv[2];
		argc -= 2, argv += 2;
	}
	if (argc < 2)
		return usage(stderr, 2);
	cmd = argv[1];
	argc--, argv++;
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help"))
		return usage(stdout, 0);
	if (!strcmp(cmd, "register"))
		return cmd_register(argc, argv);
	if (!strcmp(cmd, "unregister"))
		return cmd_unregister(argc, argv);
	if (!strcmp(cmd, "protect-mounts"))
		return cmd_protect_mounts(argc, argv);
	if (!strcmp(cmd, "ps"))
		return cmd_ps();
	if (!strcmp(cmd, "restrict"))
		return cmd_restrict(argc, argv, true);
	if (!strcmp(cmd, "unrestrict"))
		return cmd_restrict(argc, argv, false);
	if (!strcmp(cmd, "events"))
		return cmd_events(argc, argv);
	if (!strcmp(cmd, "setup"))
		return cmd_setup(argc, argv);
	log_error("unknown command '%s'", cmd);
	return usage(stderr, 2);
}
