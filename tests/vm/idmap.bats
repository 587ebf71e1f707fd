#!/usr/bin/env bats
# runtime/idmap.c in the 6.1 guest (Debian's kernel), where only ext4 of the
# guest's filesystems takes idmapped mounts (tmpfs gained them in 6.3): the
# checks of tests/integration/idmap.bats on the --disk ext4 filesystem,
# overlay over idmapped layers included, and the probe's answers.  Runs as
#   scripts/vm.sh --disk 512M -- bats --tap tests/vm

load ../helpers/idmap

setup() {
  [ "${MOAT_VM:-}" = 1 ] || skip "not inside the scripts/vm.sh guest (MOAT_VM unset)"
  [ -n "${MOAT_VM_DISK:-}" ] || skip "no ext4 disk in the guest (scripts/vm.sh --disk SIZE)"
  idm_setup bind "$MOAT_VM_DISK"
}

teardown() {
  idm_teardown
}

@test "idmap 6.1: plain rootfs on ext4: root's files are container root's through the view only" {
  check_plain_ownership
}

@test "idmap 6.1: plain rootfs: container root writes through the view as 0 on disk" {
  check_plain_write
}

@test "idmap 6.1: overlay rootfs on ext4: new overlay over idmapped layers" {
  check_overlay
}

@test "idmap 6.1: bind views of a file and of a directory" {
  check_bind
}

@test "idmap 6.1: release leaves no mount and no directory, twice" {
  check_release
}

@test "idmap 6.1: a failed prepare leaves nothing; an existing view is not stacked on" {
  check_failure_leaves_nothing
}

@test "idmap 6.1: views do not propagate to peer mount namespaces" {
  check_no_propagation
}

@test "idmap 6.1: supported: ext4 and an overlay on it yes; tmpfs, an overlay on it, proc no" {
  local t
  mkdir "$D/dir"
  idm_make_overlay "$D/overlay2"
  [ "$("$IDMAP_TOOL" supported "$D/dir")" = 1 ]
  [ "$("$IDMAP_TOOL" supported "$D/overlay2/ctr/merged")" = 1 ]
  [ "$("$IDMAP_TOOL" supported /proc)" = 0 ]
  t=$D/tmpfs
  mkdir "$t"
  mount -t tmpfs tmp "$t"
  idm_make_overlay "$t"
  [ "$("$IDMAP_TOOL" supported "$t")" = 0 ]
  [ "$("$IDMAP_TOOL" supported "$t/ctr/merged")" = 0 ]
  # and a rootfs on tmpfs fails cleanly
  run "$IDMAP_TOOL" rootfs "$t/lay1/diff" "$D/wd" "${RANGE[@]}"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ $output == *"Invalid argument"* ]]
  [ -z "$(mounts_below "$D/wd")" ]
}

@test "idmap 6.1: runc, user namespace: nobody's rootfs without the view, root's with it" {
  check_runc
}

@test "idmap 6.1: runc on an overlay rootfs view writes to the upper as 0" {
  check_runc_overlay
}

@test "idmap 6.1: cost of idmap_prepare_rootfs (TCG)" {
  idm_make_rootfs "$D/src"
  idm_make_overlay "$D/overlay2"
  run "$IDMAP_TOOL" bench "$D/src" "$D/wd" "${RANGE[@]}" 10
  echo "# plain:   $output" >&3
  [ "$status" -eq 0 ]
  run "$IDMAP_TOOL" bench "$D/overlay2/ctr/merged" "$D/wd" "${RANGE[@]}" 10
  echo "# overlay: $output" >&3
  [ "$status" -eq 0 ]
}
