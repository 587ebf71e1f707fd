/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.h - moat.conf, read by every moat binary: one struct, one table of
 * keys (config.c), one parser (conf-parser.h). etc/moat.conf documents
 * every key; each binary uses the ones that concern it:
 *
 *   moat-runc    all of them
 *   moat-loader  pin_dir
 *   moatctl      pin_dir (and `setup docker`: runc)
 *   moat-fs      fsemu_mountpoint, fsemu_state_dir
 *
 * Every binary takes --config PATH; without it MOAT_CONFIG, without that
 * MOAT_CONFIG_PATH, whose absence means the defaults (a file named by
 * --config or MOAT_CONFIG must exist). An unknown key or a bad value is an
 * error naming the file, the line and the value, in every binary.
 *
 * A new key: a field here, its default in config_init() (and its free in
 * config_free() when it owns memory), a line in config.c's table, its
 * documentation in etc/moat.conf.
 */
#ifndef MOAT_CONFIG_H
#define MOAT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "paths.h"
#include "strv.h"

#define MOAT_RANGE_SIZE 65536u
#define MOAT_DEFAULT_POOL_START 100000u
#define MOAT_DEFAULT_POOL_SIZE (1024u * MOAT_RANGE_SIZE)

enum kernel_policy_mode { KERNEL_POLICY_REQUIRED, KERNEL_POLICY_OPTIONAL };
enum idmap_mode { IDMAP_REQUIRED, IDMAP_OPTIONAL, IDMAP_OFF };
enum fsemu_mode { FSEMU_REQUIRED, FSEMU_OPTIONAL, FSEMU_OFF };

struct moat_config {
	char *path; /* the file read; the default path when none was */
	bool loaded; /* a file was read */
	char *runc;
	char *state_dir;
	uint32_t pool_start, pool_size;
	struct strv restricted; /* defaults + restricted_path lines */
	struct strv data_roots; /* docker_data_root lines, or the default */
	enum kernel_policy_mode kernel_policy;
	enum idmap_mode idmap;
	char *pin_dir;
	bool allow_bpf_annotation;
	enum fsemu_mode fsemu;
	char *fsemu_mountpoint; /* moat-fs's FUSE mountpoint */
	char *fsemu_state_dir; /* moat-fs's sockets and locks */
	uint32_t max_start_mounts; /* per container, in the kernel policy */
};

/* The file to read: flag (--config) if set, else $MOAT_CONFIG if set and
 * not empty, else MOAT_CONFIG_PATH. *must_exist: whether it was named. */
const char *config_path(const char *flag, bool *must_exist);

/* The defaults; path is what messages will name. */
int config_init(struct moat_config *c, const char *path);
/* Defaults, then the file at path (a missing file is an error only when
 * must_exist). Errors are logged, naming the file, the line and the value. */
int config_load(struct moat_config *c, const char *path, bool must_exist);
/* Apply the lines of f over c (from config_init), then check the whole;
 * name is used in messages. */
int config_parse(struct moat_config *c, FILE *f, const char *name);
void config_free(struct moat_config *c);

#endif
