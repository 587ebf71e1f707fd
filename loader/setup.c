// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * setup.c - `moatctl setup docker [--undo]` (see setup.h): the steps, their
 * undo, and the command. The state directory is setup-manifest.c's, the
 * engine's runc setup-runc.c's, the daemon.json merge setup-json.c's.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "config.h"
#include "fs-util.h"
#include "log.h"
#include "process-util.h"
#include "setup-manifest.h"
#include "setup-runc.h"
#include "setup.h"

void setup_options_default(struct setup_options *o)
{
	*o = (struct setup_options){
		.daemon_json = SETUP_DAEMON_JSON,
		.runtime_path = SETUP_RUNTIME_PATH,
		.runc_path = MOAT_RUNC_PATH,
		.moat_conf = MOAT_CONFIG_PATH,
		.state_dir = MOAT_SETUP_STATE_DIR,
		.systemd_dir = SETUP_SYSTEMD_DIR,
		.pidfile = SETUP_DOCKER_PIDFILE,
	};
}
/* ---- the steps ---- */

static int step_daemon_json(const struct setup_options *o, struct manifest *m, FILE *out)
{
	_cleanup_free_ char *text = NULL, *merged = NULL, *report = NULL, *err = NULL;
	char *line, *save;
	int r;

	r = read_file(o->daemon_json, &text, NULL);
	if (r < 0 && r != -ENOENT)
		return log_error_errno(r, "cannot read %s: %m", o->daemon_json);
	r = setup_merge_daemon_json(text, o->runtime_path, &merged, &report, &err);
	if (r == -EINVAL)
		return log_error_errno(r, "%s: %s; nothing was changed", o->daemon_json,
				       err ? err : "invalid");
	if (r < 0)
		return log_error_errno(r, "cannot merge %s: %m", o->daemon_json);
	if (text && strcmp(text, merged) == 0) {
		fprintf(out, "%s: already configured for moat\n", o->daemon_json);
		return 0;
	}
	r = manifest_write_file(m, o->daemon_json, merged, 0644);
	if (r < 0)
		return r;
	fprintf(out, "%s: %s\n", o->daemon_json, text ? "updated" : "created");
	for (line = strtok_r(report, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(out, "  %s\n", line);
	return 0;
}

static bool unit_exists(const struct setup_options *o, const char *unit)
{
	const char *dirs[] = { o->systemd_dir, "/lib/systemd/system", "/usr/lib/systemd/system" };

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_free_ char *p = NULL;

		if (path_join(dirs[i], unit, &p) >= 0 && access(p, F_OK) == 0)
			return true;
	}
	return false;
}

static void systemd_reload(const struct setup_options *o, FILE *out)
{
	char *argv[] = { "systemctl", "daemon-reload", NULL };

	if (strcmp(o->systemd_dir, SETUP_SYSTEMD_DIR) || access("/run/systemd/system", F_OK))
		return;
	if (run_quiet(argv) == 0)
		fprintf(out, "systemd: reloaded (systemctl daemon-reload)\n");
	else
		log_warning("systemctl daemon-reload failed");
}

/* docker.service starts after, and requires, moat-loader (and moat-fs). */
static int step_systemd(const struct setup_options *o, struct manifest *m, FILE *out)
{
	_cleanup_free_ char *path = NULL, *want = NULL, *cur = NULL;
	struct stat st;
	bool fs;
	int r;

	if (!o->systemd_dir)
		return 0;
	if (stat(o->systemd_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(out, "%s: not there, no systemd drop-in (without systemd, the init scripts "
			     "start moat-loader and moat-fs before docker: X-Start-Before)\n",
			o->systemd_dir);
		return 0;
	}
	fs = unit_exists(o, "moat-fs.service");
	if (asprintf(&path, "%s/docker.service.d/moat.conf", o->systemd_dir) < 0 ||
	    asprintf(&want,
		     "# Written by `moatctl setup docker`; `moatctl setup docker --undo` removes it.\n"
		     "# No container starts before moat's kernel policy%s is up.\n"
		     "[Unit]\n"
		     "After=moat-loader.service moat-fs.service\n"
		     "Requires=moat-loader.service%s\n",
		     fs ? " and /proc emulation" : "", fs ? " moat-fs.service" : "") < 0)
		return -ENOMEM;
	if (read_file(path, &cur, NULL) >= 0 && strcmp(cur, want) == 0) {
		fprintf(out, "%s: already there\n", path);
		return 0;
	}
	r = manifest_save_original(m, path);
	if (r >= 0)
		r = mkdir_parents_dirname(path, m);
	if (r < 0)
		return r;
	r = write_file_atomic(path, want, 0644);
	if (r < 0)
		return log_error_errno(r, "cannot write %s: %m", path);
	fprintf(out, "%s: docker.service starts after moat-loader.service%s\n", path,
		fs ? " and moat-fs.service" : " (moat-fs.service is not installed)");
	systemd_reload(o, out);
	return 0;
}

/* SIGHUP makes dockerd re-read daemon.json (runtimes, default-runtime). */
static void reload_dockerd(const struct setup_options *o, FILE *out)
{
	_cleanup_free_ char *text = NULL, *comm = NULL, *commpath = NULL;
	long pid;

	if (!o->pidfile)
		return;
	if (read_file(o->pidfile, &text, NULL) < 0 || (pid = strtol(text, NULL, 10)) <= 0) {
		fprintf(out, "dockerd: not running (no %s); the settings apply when it starts\n",
			o->pidfile);
		return;
	}
	if (asprintf(&commpath, "/proc/%ld/comm", pid) < 0 || read_file(commpath, &comm, NULL) < 0 ||
	    strcmp(comm, "dockerd\n") != 0) {
		fprintf(out, "dockerd: not running (%s names pid %ld, which is not dockerd)\n",
			o->pidfile, pid);
		return;
	}
	if (kill((pid_t)pid, SIGHUP) < 0) {
		log_warning("cannot signal dockerd (pid %ld): %m; restart it", pid);
		return;
	}
	fprintf(out, "dockerd (pid %ld): reloading daemon.json (SIGHUP); the builder settings "
		     "apply at its next restart\n",
		pid);
}

int setup_docker(const struct setup_options *o, FILE *out)
{
	struct manifest m = {};
	bool existed;
	int r;

	if (o->runtime_path[0] != '/')
		return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "--runtime-path must be absolute, not '%s'",
				       o->runtime_path);
	if (access(o->runtime_path, X_OK) < 0)
		log_warning("%s is not an executable (yet): containers fail until it is",
			    o->runtime_path);
	r = manifest_load(&m, o->state_dir, &existed);
	if (r >= 0)
		r = step_daemon_json(o, &m, out);
	if (r >= 0)
		r = step_runc(o, &m, out);
	if (r >= 0)
		r = step_systemd(o, &m, out);
	if (r >= 0 && json_object_array_length(m.files) > 0)
		fprintf(out, "originals kept in %s; `moatctl setup docker --undo` puts them back\n",
			o->state_dir);
	if (r >= 0)
		reload_dockerd(o, out);
	manifest_free(&m);
	return r;
}

int setup_docker_undo(const struct setup_options *o, FILE *out)
{
	_cleanup_(manifest_free) struct manifest m = {};
	bool existed;
	size_t n;
	int r;

	r = manifest_load(&m, o->state_dir, &existed);
	if (r < 0)
		return r;
	if (!existed) {
		fprintf(out, "nothing to undo (no %s/%s)\n", o->state_dir, MANIFEST);
		return 0;
	}
	r = undo_runc(&m, out);
	if (r < 0)
		return r;
	json_object_object_del(m.root, "runc");
	for (n = json_object_array_length(m.files); n > 0; n--) {
		r = manifest_restore_file(&m, json_object_array_get_idx(m.files, n - 1), out);
		if (r < 0)
			return r;
		json_object_array_del_idx(m.files, n - 1, 1);
		(void)manifest_save(&m);
	}
	for (n = json_object_array_length(m.dirs); n > 0; n--)
		(void)rmdir(json_object_get_string(json_object_array_get_idx(m.dirs, n - 1)));
	r = manifest_remove_dir(&m);
	if (r < 0)
		log_warning_errno(r, "cannot remove %s: %m", o->state_dir);
	if (o->systemd_dir)
		systemd_reload(o, out);
	reload_dockerd(o, out);
	return 0;
}

/* ---- the command ---- */

static int setup_usage(FILE *f, int status)
{
	fprintf(f,
		"Usage: moatctl setup docker [--undo] [OPTIONS]\n"
		"Make moat the Docker engine's runtime for every container: daemon.json gets\n"
		"runtimes.moat and default-runtime moat, BuildKit's network.host and\n"
		"security.insecure entitlements are turned off, the engine's `runc`\n"
		"(--runtime=runc) becomes a link to moat-runc, and docker.service starts after\n"
		"moat-loader and moat-fs. dockerd, if running, reloads. --undo puts back\n"
		"exactly what was there.\n\n"
		"  --daemon-json PATH   default " SETUP_DAEMON_JSON "\n"
		"  --runtime-path PATH  moat-runc, default " SETUP_RUNTIME_PATH "\n"
		"  --runc-path PATH     the runc the engine runs, default " MOAT_RUNC_PATH "\n"
		"                       (moved to PATH.real; when absent, only a link is made)\n"
		"  --no-runc            leave the engine's runc alone\n"
		"  --moat-conf PATH     default: moatctl's moat.conf (--config)\n"
		"  --state-dir DIR      the originals, default " MOAT_SETUP_STATE_DIR "\n"
		"  --systemd-dir DIR    default " SETUP_SYSTEMD_DIR "; --no-systemd: no drop-in\n"
		"  --pidfile PATH       dockerd's, default " SETUP_DOCKER_PIDFILE
		"; --no-reload: no SIGHUP\n");
	return status;
}

int cmd_setup(int argc, char **argv, const struct moat_config *cfg)
{
	enum { O_JSON = 256, O_RT, O_RUNC, O_NORUNC, O_CONF, O_STATE, O_SD, O_NOSD, O_PID, O_NOPID };
	static const struct option options[] = {
		{ "undo", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "daemon-json", required_argument, NULL, O_JSON },
		{ "runtime-path", required_argument, NULL, O_RT },
		{ "runc-path", required_argument, NULL, O_RUNC },
		{ "no-runc", no_argument, NULL, O_NORUNC },
		{ "moat-conf", required_argument, NULL, O_CONF },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "systemd-dir", required_argument, NULL, O_SD },
		{ "no-systemd", no_argument, NULL, O_NOSD },
		{ "pidfile", required_argument, NULL, O_PID },
		{ "no-reload", no_argument, NULL, O_NOPID },
		{}
	};
	struct setup_options o;
	int c;

	setup_options_default(&o);
	o.moat_conf = cfg->path;
	if (argc < 2 || strcmp(argv[1], "docker")) {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
			return setup_usage(stdout, 0);
		log_error("setup: the only target is 'docker' (moatctl setup docker)");
		return setup_usage(stderr, -EUSAGE);
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case 'u': o.undo = true; break;
		case 'h': return setup_usage(stdout, 0);
		case O_JSON: o.daemon_json = optarg; break;
		case O_RT: o.runtime_path = optarg; break;
		case O_RUNC: o.runc_path = optarg; break;
		case O_NORUNC: o.runc_path = NULL; break;
		case O_CONF: o.moat_conf = optarg; break;
		case O_STATE: o.state_dir = optarg; break;
		case O_SD: o.systemd_dir = optarg; break;
		case O_NOSD: o.systemd_dir = NULL; break;
		case O_PID: o.pidfile = optarg; break;
		case O_NOPID: o.pidfile = NULL; break;
		default: return setup_usage(stderr, -EUSAGE);
		}
	}
	if (optind != argc)
		return log_error_errno(SYNTHETIC_ERRNO(EUSAGE), "setup docker: unexpected argument '%s'",
				       argv[optind]);
	return o.undo ? setup_docker_undo(&o, stdout) : setup_docker(&o, stdout);
}
