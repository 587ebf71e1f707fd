/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysctl.h - emulated /proc/sys settings that the kernel does not namespace.
 *
 * Each container reads and writes its own value, which starts as the host's.
 * The host's value is never touched, except for the limits flagged
 * SYSCTL_RAISE_HOST, where raising is safe and needed for the container's
 * wish to take effect: there the host gets the largest value any live
 * container asked for, never less than the host's own value before moat-fs
 * raised it (its "original"). When no container asks for more any more
 * (containers write lower values or go away), the original is written back.
 * If the administrator changed the host's value meanwhile, that value
 * becomes the original.
 *
 * Which of the listed settings the kernel (6.x) namespaces, checked on the
 * running kernel: net.core.somaxconn and net.unix.max_dgram_qlen are per
 * network namespace (writable by the netns owner); nf_conntrack_max is
 * global (read-only in other netns); the rest are global. For the two
 * per-netns ones (SYSCTL_PER_NETNS): a container that shares the host's
 * network namespace is treated like the global limits (emulated and raised
 * on the host); a container with its own network namespace should not get
 * the file mounted at all (lib/fsemu-files.h says so: its own file is its
 * own); if it is mounted anyway, the value is kept per container and
 * applied nowhere.
 *
 * Functions return 0 (or a length) or a negative errno; -EINVAL for a write
 * that is not a valid value.
 */
#ifndef MOAT_FSEMU_SYSCTL_H
#define MOAT_FSEMU_SYSCTL_H

#include <stddef.h>

enum sysctl_kind {
	SYSCTL_INT,    /* one int in [min, max] */
	SYSCTL_ULONG,  /* one unsigned long in [min, max] */
	SYSCTL_INTVEC, /* up to nvals ints, tab-separated (kernel.printk) */
	SYSCTL_STRING, /* a line of text shorter than max (kernel.core_pattern) */
	SYSCTL_SYSRQ,  /* /proc/sysrq-trigger: any write accepted, nothing kept */
};

enum sysctl_flags {
	SYSCTL_RAISE_HOST = 1 << 0,
	SYSCTL_PER_NETNS = 1 << 1,
};

struct sysctl_def {
	const char *name; /* under /proc/sys ("kernel/panic"); sysrq-trigger is under /proc */
	enum sysctl_kind kind;
	unsigned flags;
	int nvals;
	long long min, max;
	const char *fallback; /* the value when the host has no such file */
};

size_t sysctl_def_count(void);
const struct sysctl_def *sysctl_def_get(size_t i);
/* The index of name, or -ENOENT. */
int sysctl_def_find(const char *name);

/* How the host's /proc/sys is read and written (the tests fake it). name is
 * a def's name; read returns the length of the value read, without the
 * trailing newline. */
struct sysctl_host {
	int (*read)(void *userdata, const char *name, char *buf, size_t size);
	int (*write)(void *userdata, const char *name, const char *value);
	void *userdata;
};
/* The real /proc/sys. */
extern const struct sysctl_host sysctl_host_proc;

struct sysctl_store;

/* state_file: where values are kept across restarts (NULL: nowhere); an
 * existing file is loaded. */
int sysctl_store_new(const struct sysctl_host *host, const char *state_file,
		     struct sysctl_store **ret);
void sysctl_store_free(struct sysctl_store *s);

/* The file content one caller sees ("5\n"). key names the container
 * (cg_paths_key); NULL reads the host's value. */
int sysctl_read(struct sysctl_store *s, size_t def, const char *key, char *buf, size_t size);
/* A container writes data. own_netns: the caller has its own network
 * namespace (then a SYSCTL_PER_NETNS value is not applied to the host). */
int sysctl_write(struct sysctl_store *s, size_t def, const char *key, int own_netns,
		 const char *data, size_t len);
/* Drop the values of the containers for which alive() says 0, and give the
 * host back what they no longer need. Returns how many were dropped. */
typedef int (*sysctl_alive_fn)(const char *key, void *userdata);
int sysctl_prune(struct sysctl_store *s, sysctl_alive_fn alive, void *userdata);

#endif
