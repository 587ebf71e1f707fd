#!/usr/bin/env bats
# moat-loader and moatctl on the host, whose kernel cannot attach BPF-LSM
# programs (see ../shared/ENVIRONMENT.md): clear errors, nothing left behind.
# The enforcement itself is tested in the guest (tests/vm/10-policy.bats).

setup() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  OUT=${OUTPUT:-build}; case $OUT in /*) ;; *) OUT=$REPO/$OUT ;; esac
  LOADER=$OUT/moat-loader MOATCTL=$OUT/moatctl
}

@test "moat-loader --help and moatctl --help describe the commands" {
  run "$LOADER" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"start|stop|status"* ]]
  run "$MOATCTL" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"register CGROUP_DIR"* ]]
}

@test "moat-loader: unknown flag and unknown command are usage errors" {
  run "$LOADER" --bogus start
  [ "$status" -eq 2 ]
  run "$LOADER" launch
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown command 'launch'"* ]]
}

@test "moat-loader: a pin directory outside bpffs is named in the error" {
  run "$LOADER" --pin-dir "$BATS_TEST_TMPDIR/x/moat" start
  [ "$status" -eq 1 ]
  [[ "$output" == *"'$BATS_TEST_TMPDIR/x/moat' is not a BPF filesystem"* ]]
  [ ! -e "$BATS_TEST_TMPDIR/x/moat" ]
}

@test "moat-loader start on this host fails with the reason and leaves no pins" {
  # a private bpffs in a private mount namespace: nothing shared is touched
  run unshare -m sh -c "mkdir -p '$BATS_TEST_TMPDIR/bpf' && mount -t bpf bpf '$BATS_TEST_TMPDIR/bpf' &&
    { [ -e /sys/kernel/security/lsm ] || mount -t securityfs securityfs /sys/kernel/security; } &&
    cat /sys/kernel/security/lsm && echo &&
    timeout 20 '$LOADER' --events-log '' --pin-dir '$BATS_TEST_TMPDIR/bpf/moat' start; echo rc=\$?;
    ls -A '$BATS_TEST_TMPDIR/bpf'"
  if [[ "$output" == *"attached the policy"* ]]; then
    skip "this kernel can attach BPF-LSM programs; the guest suite covers enforcement"
  fi
  [[ "$output" == *"rc=1"* ]]
  if [[ "$output" == *",bpf"* || "$output" == "bpf,"* ]]; then
    [[ "$output" == *"refused to load or attach moat's BPF-LSM programs"* ]]
  else
    [[ "$output" == *"BPF-LSM is not active"*"lsm="* ]]
  fi
  [[ "$output" != *"moat"$'\n'* ]] # the pin dir was removed again
  ! grep -q "^moat$" <<<"$output" || false
}

@test "moatctl without a loaded policy says to start moat-loader" {
  run "$MOATCTL" --pin-dir "$BATS_TEST_TMPDIR/none" ps
  [ "$status" -eq 1 ]
  [[ "$output" == *"start moat-loader first"* || "$output" == *"BPF-LSM is not active"* ]]
}

@test "moatctl: unknown command is a usage error" {
  run "$MOATCTL" frobnicate
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown command 'frobnicate'"* ]]
}
