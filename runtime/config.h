/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.h - moat.conf: "key = value" lines, "#" starts a comment line.
 * etc/moat.conf documents every key.
 */
#ifndef MOAT_RUNTIME_CONFIG_H
#define MOAT_RUNTIME_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MOAT_DEFAULT_CONFIG "/etc/moat/moat.conf"
#define MOAT_DEFAULT_RUNC "/usr/sbin/runc"
#define MOAT_DEFAULT_STATE_DIR "/run/moat"
#define MOAT_RANGE_SIZE 65536u
#define MOAT_DEFAULT_POOL_START 100000u
#define MOAT_DEFAULT_POOL_SIZE (1024u * MOAT_RANGE_SIZE)

enum kernel_policy_mode { KERNEL_POLICY_REQUIRED, KERNEL_POLICY_OPTIONAL };
enum idmap_mode { IDMAP_REQUIRED, IDMAP_OPTIONAL, IDMAP_OFF };
enum fsemu_mode { FSEMU_REQUIRED, FSEMU_OPTIONAL, FSEMU_OFF };

struct strv {
	char **v;
	size_t n;
};

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
	char *fsemu_mountpoint; /* moat-fs's FUSE mountpoint */
	enum fsemu_mode fsemu;
	uint32_t max_start_mounts; /* per container, in the kernel policy */
};

int strv_push(struct strv *s, const char *value);
void strv_free(struct strv *s);

/* The defaults; path is what messages will name. */
int config_init(struct moat_config *c, const char *path);
/* Defaults, then the file at path (a missing file is an error only when
 * must_exist). On error *err names the file, the line and the value. */
int config_load(struct moat_config *c, const char *path, bool must_exist, char **err);
/* Apply the lines of f over c (from config_init); name is used in messages. */
int config_parse(struct moat_config *c, FILE *f, const char *name, char **err);
void config_free(struct moat_config *c);

#endif
