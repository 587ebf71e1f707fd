#!/usr/bin/env bats
# Load in the guest, with the kernel policy (moat-loader) and moat-fs: many
# moat containers alive at once (20; MOAT_SOAK=1: MOAT_LOAD_N, default 100),
# each registered, ranges pairwise disjoint, moat-fs answering in each;
# deleting them all leaves no record, mount or map entry. Reports create
# time against the live count and memory per container.
# tests/load/README.md.

load ../integration/helpers/runtime
load helpers/policy
source "$BATS_TEST_DIRNAME/../helpers/fsemu.bash"
load ../fault/lib
load ../load/lib

setup_file() { ft_vm_setup_file; }
teardown_file() { ft_vm_teardown_file; }

setup() { ft_setup; }

@test "vm load: containers alive at once, each registered, disjoint ranges, moat-fs answering, nothing left" {
  local n=20
  export LD_READ_STEP=4 # reads in every 4th container; all of them in the soak
  [ "${MOAT_SOAK:-0}" = 1 ] && n=${MOAT_LOAD_N:-100} LD_READ_STEP=1
  ft_note "$n containers, guest memory $(awk '/^MemTotal/ { print $2 }' /proc/meminfo) kB"
  ld_load "$n"
}
