#!/usr/bin/env bats
# Faults on the host (no kernel policy: kernel_policy = optional): moat-runc
# killed with SIGKILL at random points of create (or its createRuntime hook),
# start and delete, moat-fs's worker or keeper killed, during container
# lifecycles. After the normal reclaim (a following create and delete) no uid
# range, record, view dir or mount is left, and no container ever runs
# outside a 64Ki range of its own. MOAT_SOAK=1: 100 lifecycles instead of 20;
# MOAT_FAULT_SEED fixes the random points. tests/fault/README.md.
load helpers/runtime
source "$BATS_TEST_DIRNAME/../helpers/fsemu.bash"
load ../fault/lib

setup_file() {
  command -v "$RUNC_BIN" >/dev/null || skip "runc not installed"
  ft_setup_file /tmp optional
}
teardown_file() { ft_teardown_file; }
setup() { ft_setup; }

@test "fault: control: the leak check sees a record nobody reclaimed, and delete frees it" {
  ft_bundle ft-control
  ft_plain create --bundle "$FT_B" ft-control
  [ "$FT_RC" = 0 ]
  ft_plain start ft-control
  [ "$FT_RC" = 0 ]
  # runc forgets the container behind moat's back: moat's record is stale
  "$RUNC_BIN" --root "$T/runc-root" delete --force ft-control
  run ft_leaks
  echo "$output"
  [[ $output == *"state records: ft-control"* ]]
  [[ $output == *"view dirs: ft-control"* ]]
  [[ $output == *"mounts: $T/state-views/ft-control/"* ]]
  ft_plain delete ft-control
  run ft_leaks
  [ -z "$output" ]
}

@test "fault: moat-runc killed at random points of create, its hook, start, delete: nothing left after the reclaim" {
  local n=20
  [ "${MOAT_SOAK:-0}" = 1 ] && n=100
  ft_note "seed ${MOAT_FAULT_SEED:-$$}, $n lifecycles"
  ft_calibrate ft-calib
  ft_faults "$n" create hook start delete create delete start none
}

@test "fault: moat-fs's worker or keeper killed during lifecycles: containers read on, nothing left" {
  local n=4
  [ "${MOAT_SOAK:-0}" = 1 ] && n=30
  ft_note "seed ${MOAT_FAULT_SEED:-$$}, $n lifecycles"
  ft_calibrate ft-calib
  ft_faults "$n" fs
}
