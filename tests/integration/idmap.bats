#!/usr/bin/env bats
# runtime/idmap.c on the host kernel (6.18), where tmpfs takes idmapped mounts:
# rootfs views (plain directory, Docker-style overlay), bind views, release,
# propagation, and runc containers with and without the view.  The same checks
# run on ext4 in the 6.1 guest: tests/vm/idmap.bats.

load ../helpers/idmap

setup() {
  [ "$(id -u)" = 0 ] || skip "needs root"
  idm_setup tmpfs "${BATS_TMPDIR:-/tmp}"
}

teardown() {
  idm_teardown
}

@test "idmap: plain rootfs: root's files are container root's through the view only" {
  check_plain_ownership
}

@test "idmap: plain rootfs: container root writes through the view as 0 on disk" {
  check_plain_write
}

@test "idmap: overlay rootfs (Docker layout, l/ names): new overlay over idmapped layers" {
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

@test "idmap: supported: tmpfs and an overlay on it yes, proc no" {
  mkdir "$D/dir"
  idm_make_overlay "$D/overlay2"
  [ "$("$IDMAP_TOOL" supported "$D/dir")" = 1 ]
  [ "$("$IDMAP_TOOL" supported "$D/overlay2/ctr/merged")" = 1 ]
  [ "$("$IDMAP_TOOL" supported /proc)" = 0 ]
  # a probe leaves nothing behind
  [ "$(mounts_below "$D" | wc -l)" -eq 2 ] # $D and Docker's overlay
}

@test "idmap: runc, user namespace: nobody's rootfs without the view, root's with it" {
  check_runc
}

@test "idmap: runc on an overlay rootfs view writes to the upper as 0" {
  check_runc_overlay
}

@test "idmap: cost of idmap_prepare_rootfs" {
  idm_make_rootfs "$D/src"
  idm_make_overlay "$D/overlay2"
  run "$IDMAP_TOOL" bench "$D/src" "$D/wd" "${RANGE[@]}" 20
  echo "# plain:   $output" >&3
  [ "$status" -eq 0 ]
  run "$IDMAP_TOOL" bench "$D/overlay2/ctr/merged" "$D/wd" "${RANGE[@]}" 20
  echo "# overlay: $output" >&3
  [ "$status" -eq 0 ]
  [ -z "$(mounts_below "$D/wd")" ]
}
