#!/usr/bin/env bats
# Load on the host (no kernel policy): many moat containers alive at once
# (50; MOAT_SOAK=1: 200), each with moat-fs's files. Their uid ranges are
# pairwise disjoint, moat-fs answers reads in them (every 5th; all in the soak), moat-runc keeps no
# process per container, and deleting them all leaves nothing. Reports (never
# asserts) create/start time against the live count and moat-fs's memory per
# container. tests/load/README.md.
load helpers/runtime
source "$BATS_TEST_DIRNAME/../helpers/fsemu.bash"
load ../fault/lib
load ../load/lib

setup_file() {
  command -v "$RUNC_BIN" >/dev/null || skip "runc not installed"
  ft_setup_file /tmp optional
}
teardown_file() { ft_teardown_file; }
setup() { ft_setup; }

@test "load: containers alive at once, disjoint ranges, moat-fs answering in each, nothing left" {
  local n=${MOAT_LOAD_N:-50}
  export LD_READ_STEP=5 # reads in every 5th container; all of them in the soak
  [ "${MOAT_SOAK:-0}" = 1 ] && n=${MOAT_LOAD_N:-200} LD_READ_STEP=1
  ft_note "$n containers"
  ld_load "$n"
}
