#!/usr/bin/env bats
# Faults in the guest, with the kernel policy (moat-loader) and moat-fs:
# moat-runc killed with SIGKILL at random points of create (or its
# createRuntime hook), start and delete, moat-loader and moat-fs's worker or
# keeper killed, during container lifecycles (10; MOAT_SOAK=1: 100). No
# container ever runs without its kernel registration, every container
# reported started is enforced (a debugfs mount from its cgroup is denied),
# and after the normal reclaim no record, range, view, mount or map entry is
# left. The rootfs lives on the ext4 disk, so views are idmapped.
# tests/fault/README.md.

load ../integration/helpers/runtime
load helpers/policy
source "$BATS_TEST_DIRNAME/../helpers/fsemu.bash"
load ../fault/lib

setup_file() { ft_vm_setup_file; }
teardown_file() { ft_vm_teardown_file; }

setup() { ft_setup; }

@test "vm fault: control: the leak check sees a registration nobody reclaimed, and delete frees it" {
  ft_bundle ft-control
  ft_plain create --bundle "$FT_B" ft-control
  [ "$FT_RC" = 0 ]
  ft_plain start ft-control
  [ "$FT_RC" = 0 ]
  ft_enforced ft-control
  "$RUNC_BIN" --root "$T/runc-root" delete --force ft-control
  run ft_leaks
  echo "$output"
  [[ $output == *"state records: ft-control"* ]]
  [[ $output == *"kernel registrations (cgroup ids):"* ]]
  ft_plain delete ft-control
  run ft_leaks
  [ -z "$output" ]
}

@test "vm fault: moat-runc, moat-loader and moat-fs killed at random points: always registered, nothing left" {
  local n=10
  [ "${MOAT_SOAK:-0}" = 1 ] && n=100
  ft_note "seed ${MOAT_FAULT_SEED:-$$}, $n lifecycles"
  ft_calibrate ft-calib
  ft_faults "$n" create hook start delete loader fs create delete start none
}
