/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * paths.h - where moat keeps things on the host, and with which modes. Every
 * default path of every binary is here once; moat.conf (lib/config.h) can
 * move the ones it names.
 */
#ifndef MOAT_PATHS_H
#define MOAT_PATHS_H

/* moat.conf; --config PATH or MOAT_CONFIG name another one. */
#define MOAT_CONFIG_PATH "/etc/moat/moat.conf"
#define MOAT_CONFIG_ENV "MOAT_CONFIG"

/* The real runc moat-runc runs (moat.conf: runc). */
#define MOAT_RUNC_PATH "/usr/sbin/runc"

/*
 * moat's runtime directory, and moat-runc's default state_dir. 0711: a
 * container's root (an unprivileged host uid) must traverse it to reach
 * its rootfs view, and may list nothing. Whoever creates it first (moat-runc,
 * moat-loader for its denial log, moat-fs for its state) creates it so.
 */
#define MOAT_RUN_DIR "/run/moat"
#define MOAT_RUN_DIR_MODE 0711
/* moat-loader's denials, one line each; `moatctl events` follows them. */
#define MOAT_EVENTS_LOG MOAT_RUN_DIR "/denials.log"

/* Where moat-loader pins the policy's maps (each under its name, see
 * bpf/moat.h) and, below MOAT_LINK_SUBDIR, its programs' links
 * (moat.conf: pin_dir). */
#define MOAT_PIN_DIR "/sys/fs/bpf/moat"
#define MOAT_LINK_SUBDIR "links"

/* moat-fs's FUSE mountpoint (moat.conf: fsemu_mountpoint). Not under
 * MOAT_RUN_DIR: the kernel policy keeps containers out of the state dir,
 * and they must reach these files. */
#define MOAT_FS_MOUNTPOINT "/run/moat-fs"
/* moat-fs's sockets, locks and logs, kept across its restarts
 * (moat.conf: fsemu_state_dir). 0700. */
#define MOAT_FS_STATE_DIR MOAT_RUN_DIR "/fs-state"
#define MOAT_FS_STATE_DIR_MODE 0700
/* moat-fs's mount-vetting socket is <mountpoint> + this suffix, beside
 * the mountpoint (runc hands containers' seccomp fds over there). */
#define MOAT_VET_SOCKET_SUFFIX ".vet.sock"

/* `moatctl setup docker`'s originals and manifest. */
#define MOAT_SETUP_STATE_DIR "/var/lib/moat/setup"

#endif
