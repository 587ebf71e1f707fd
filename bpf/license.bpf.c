// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* license.bpf.c - the linked moat.bpf.o's one license section. LSM programs
 * must be GPL-compatible; moat's BPF code is dual GPL-2.0/BSD-2-Clause. */
#include "policy.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
