#!/usr/bin/env bats
# runtime/idmap.c in the guest, on both kernels: the checks of
# tests/integration/idmap.bats on the --disk ext4 filesystem, overlay over
# idmapped layers included, and the probe's answers, which differ: 6.1 idmaps
# ext4 only of the guest's filesystems, 6.12 tmpfs too (since 6.3).  Runs as
#   scripts/vm.sh [--kernel-series 6.12] --disk 512M -- bats --tap tests/vm

load ../helpers/idmap
load helpers/kernel

setup() {
  [ "${MOAT_VM:-}" = 1 ] || skip "not inside the scripts/vm.sh guest (MOAT_VM unset)"
  [ -n "${MOAT_VM_DISK:-}" ] || skip "no ext4 disk in the guest (scripts/vm.sh --disk SIZE)"
  idm_setup bind "$MOAT_VM_DISK"
}

teardown() {
  idm_teardown
}

@test "idmap: plain rootfs on ext4: root's files are container root's through the view only" {
  check_plain_ownership
}

@test "idmap: plain rootfs: container root writes through the view as 0 on disk" {
  check_plain_write
}

@test "idmap: overlay rootfs on ext4: new overlay over idmapped layers" {
  check_overlay
}

@test "idmap: bind views of a file and of a directory" {
  check_bind
}

@test "idmap: release leaves no mount and no directory, twice" {
  check_release
}

@test "idmap: a failed prepare leaves nothing; an existing view is not stacked on" {
  check_failure_leaves_nothing
}

@test "idmap: views do not propagate to peer mount namespaces" {
  check_no_propagation
}

@test "idmap: supported: ext4 and an overlay on it yes, proc no; tmpfs and an overlay on it from 6.3 on" {
  local t want=0
  mkdir "$D/dir"
  idm_make_overlay "$D/overlay2"
  [ "$("$IDMAP_TOOL" supported "$D/dir")" = 1 ]
  [ "$("$IDMAP_TOOL" supported "$D/overlay2/ctr/merged")" = 1 ]
  [ "$("$IDMAP_TOOL" supported /proc)" = 0 ]
  t=$D/tmpfs
  mkdir "$t"
  mount -t tmpfs tmp "$t"
  idm_make_overlay "$t"
  ! kernel_at_least 6 3 || want=1
  [ "$("$IDMAP_TOOL" supported "$t")" = "$want" ]
  [ "$("$IDMAP_TOOL" supported "$t/ctr/merged")" = "$want" ]
  run "$IDMAP_TOOL" rootfs "$t/lay1/diff" "$D/wd" "${RANGE[@]}"
  echo "$output"
  if [ "$want" = 1 ]; then
    # 6.3+: a rootfs on tmpfs gets its view like one on ext4
    [ "$status" -eq 0 ]
    [ -n "$(mounts_below "$D/wd")" ]
    "$IDMAP_TOOL" release "$D/wd"
  else
    # 6.1: it fails cleanly
    [ "$status" -ne 0 ]
    [[ $output == *"Invalid argument"* ]]
  fi
  [ -z "$(mounts_below "$D/wd")" ]
}

@test "idmap: runc, user namespace: nobody's rootfs without the view, root's with it" {
  check_runc
}

@test "idmap: runc on an overlay rootfs view writes to the upper as 0" {
  check_runc_overlay
}

@test "idmap: cost of idmap_prepare_rootfs (TCG)" {
  idm_make_rootfs "$D/src"
  idm_make_overlay "$D/overlay2"
  run "$IDMAP_TOOL" bench "$D/src" "$D/wd" "${RANGE[@]}" 10
  echo "# plain:   $output" >&3
  [ "$status" -eq 0 ]
  run "$IDMAP_TOOL" bench "$D/overlay2/ctr/merged" "$D/wd" "${RANGE[@]}" 10
  echo "# overlay: $output" >&3
  [ "$status" -eq 0 ]
}
