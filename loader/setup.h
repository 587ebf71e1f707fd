/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * setup.h - `moatctl setup docker`: make moat the Docker engine's runtime for
 * every container, and undo it exactly.
 *
 *  - daemon.json: "runtimes": {"moat": {"path": RUNTIME}}, "default-runtime":
 *    "moat", and the builder entitlements network-host and security-insecure
 *    off; every other key is kept.
 *  - the `runc` the engine executes for --runtime=runc (dockerd 20.10 refuses
 *    to redefine the runtime named "runc": "runtime name 'runc' is reserved"):
 *    moved aside to RUNC.real (dpkg-divert when dpkg owns it) and replaced by
 *    a link to moat-runc; moat.conf's `runc` then names RUNC.real.
 *  - a systemd drop-in that starts docker.service after moat-loader (and
 *    moat-fs).
 *  - dockerd, if running, is told to reload (SIGHUP).
 * What was there before is kept in the state directory (a manifest and the
 * original files), so that --undo puts back the same bytes, or removes a file
 * that did not exist.
 */
#ifndef MOAT_LOADER_SETUP_H
#define MOAT_LOADER_SETUP_H

#include <stdbool.h>
#include <stdio.h>

/* moat's own paths (moat-runc's runc, moat.conf, the state dir) are
 * lib/paths.h's; these are the engine's and the system's. */
#define SETUP_DAEMON_JSON "/etc/docker/daemon.json"
#define SETUP_RUNTIME_PATH "/usr/local/bin/moat-runc"
#define SETUP_SYSTEMD_DIR "/etc/systemd/system"
#define SETUP_DOCKER_PIDFILE "/var/run/docker.pid"
#define SETUP_RUNTIME_NAME "moat"

struct setup_options {
	const char *daemon_json;
	const char *runtime_path;
	const char *runc_path; /* NULL: leave the engine's runc alone */
	const char *moat_conf;
	const char *state_dir;
	const char *systemd_dir; /* NULL: no drop-in */
	const char *pidfile; /* NULL: do not signal dockerd */
	bool undo;
};

void setup_options_default(struct setup_options *o);

/*
 * Merge moat's settings into the text of a daemon.json (NULL or blank: an
 * empty configuration). On success *out is the new text (ending in a
 * newline) and each change is a line appended to *report (may be NULL).
 * -EINVAL when the text is not a JSON object or a key moat sets has the wrong
 * type; *err (when not NULL) then says why. Nothing else is changed.
 */
int setup_merge_daemon_json(const char *text, const char *runtime_path, char **out,
			    char **report, char **err);

/* Apply or undo; messages go to out (what changed) and the log (errors). */
int setup_docker(const struct setup_options *o, FILE *out);
int setup_docker_undo(const struct setup_options *o, FILE *out);

struct moat_config;
/* moatctl's entry point: argv[0] is "setup"; cfg is moatctl's moat.conf
 * (the default --moat-conf). */
int cmd_setup(int argc, char **argv, const struct moat_config *cfg);

#endif
