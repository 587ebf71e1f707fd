# moat - top-level Makefile.  `make` builds, `make check` runs every suite
# (host and QEMU guest), `make demo` shows moat at work.  V=1 shows commands.
.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

OUTPUT ?= build
PREFIX ?= /usr/local
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS ?= -g -O2
CFLAGS += $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing
CPPFLAGS += -Ilib -Ibpf -I$(OUTPUT)
LDFLAGS ?=

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BINARIES :=
CLEAN :=
UNIT_TESTS :=
TEST_PROGRAMS :=

# Every part is required: a missing one fails the build rather than
# silently dropping a binary or a suite.
include mk/lib.mk
include bpf/build.mk
include loader/build.mk
include runtime/build.mk
include fsemu/build.mk
include tests/idmap.mk
include tests/security/build.mk
include tests/race/build.mk
include tests/setup.mk
include tests/soak.mk
include tests/fuzz/build.mk
include tests/build.mk

all: $(BINARIES) $(TEST_PROGRAMS)

$(OUTPUT) $(OUTPUT)/obj:
	$(Q)mkdir -p $@

unit-tests: $(UNIT_TESTS)

# The README's commands work on a machine without the packages: `check`,
# `vmtest` and `demo` install them first (deps), then build in a second make,
# because this one read the makefiles before pkg-config, clang and bpftool
# were there.  Without -j, that make uses every core.
deps:
	$(Q)scripts/deps.sh

NPROC := $(shell nproc 2>/dev/null || echo 1)
JOBS = --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))

# The guest kernels (scripts/vm.sh --kernel-series): every guest suite runs
# once on each, in one boot per kernel.  KERNEL=6.12 picks one.
KERNELS ?= 6.1 6.12
KERNEL ?=
KERNEL_ARGS = $(foreach k,$(or $(KERNEL),$(KERNELS)),--kernel $(k))

# Every test suite: unit, host integration, QEMU guest; one closing line.
check: deps
	$(Q)$(MAKE) $(JOBS) all unit-tests
	$(Q)tests/run.sh $(KERNEL_ARGS)

# Only what needs the QEMU guest (BPF-LSM).
vmtest: deps
	$(Q)$(MAKE) $(JOBS) all
	$(Q)tests/run.sh --only vm $(KERNEL_ARGS)

# libFuzzer targets, $(FUZZ_TIME) seconds in all (600): tests/fuzz/README.md
fuzz: $(FUZZ_TARGETS)
	$(Q)FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh $(FUZZ_TARGETS)

# Long fault and load runs (tests/soak.mk); `make check` runs the short ones.
.PHONY: soak

bench: all
	$(Q)tests/bench/run.sh

demo: deps
	$(Q)$(MAKE) $(JOBS) all
	$(Q)MOAT_KERNEL=$(or $(KERNEL),$(firstword $(KERNELS))) scripts/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/moat
	install -m 0755 $(BINARIES) $(DESTDIR)$(PREFIX)/bin/
	test -e $(DESTDIR)/etc/moat/moat.conf || install -m 0644 etc/moat.conf $(DESTDIR)/etc/moat/moat.conf
	install -D -m 0644 loader/moat-loader.service $(DESTDIR)/etc/systemd/system/moat-loader.service
	install -D -m 0755 loader/moat-loader.init $(DESTDIR)/etc/init.d/moat-loader

clean:
	rm -rf $(OUTPUT) $(CLEAN)

.PHONY: all unit-tests deps check vmtest fuzz bench demo install clean
