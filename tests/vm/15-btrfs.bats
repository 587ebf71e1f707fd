#!/usr/bin/env bats
# Restricted host objects on btrfs (issue 11, item 9), in the guest. stat()'s
# st_dev on btrfs is the subvolume's anonymous device, while the kernel's
# inode has the superblock's; and inode numbers repeat in every subvolume of
# one filesystem. moat keys a btrfs object by its subvolume's device (and by
# the superblock's as a fallback), so the rule holds at the top and inside a
# subvolume, and an object of the same number in another subvolume stays
# free. Each attack runs from the registered cgroup and the control cgroup.

load helpers/policy

setup_file() {
  command -v mkfs.btrfs >/dev/null || skip "no mkfs.btrfs (scripts/deps.sh installs btrfs-progs)"
  # before the loader: its programs see btrfs's types only if it is loaded
  modprobe btrfs 2>/dev/null || skip "no btrfs module for $(uname -r)"
  modprobe loop 2>/dev/null || true
  policy_setup_file
  export FS=$T/btrfs
  truncate -s 256M "$T/btrfs.img"
  mkfs.btrfs -q "$T/btrfs.img" >/dev/null 2>&1
  mkdir -p "$FS"
  mount -o loop "$T/btrfs.img" "$FS"
  btrfs -q subvolume create "$FS/sub"
  # the first object made in each subvolume: the same inode number (257)
  mkdir "$FS/secret" "$FS/sub/secret"
  echo top >"$FS/secret/file"
  echo sub >"$FS/sub/secret/file"
}

teardown_file() {
  umount "$FS" 2>/dev/null || true
  policy_teardown_file
}

@test "btrfs: st_dev is not the superblock's device, and inode numbers repeat across subvolumes" {
  local sb_dev
  sb_dev=$(awk -v m="$FS" '$5 == m { print $3 }' /proc/self/mountinfo)
  [ -n "$sb_dev" ]
  [ "$(stat -c '%Hd:%Ld' "$FS/secret")" != "$sb_dev" ]
  [ "$(stat -c '%Hd:%Ld' "$FS/sub/secret")" != "$sb_dev" ]
  [ "$(stat -c %i "$FS/secret")" = "$(stat -c %i "$FS/sub/secret")" ]
}

@test "btrfs: a restricted directory at the top of the filesystem is denied (control reads it)" {
  "$MOATCTL" restrict "$FS/secret"
  denied EACCES open "$FS/secret/file"
  allowed open "$FS/secret/file"
  # same inode number in the subvolume: not restricted, not denied
  run "$ATTACK" --cgroup "$REG" open "$FS/sub/secret/file"
  [ "$status" -eq 0 ]
  "$MOATCTL" unrestrict "$FS/secret"
  run "$ATTACK" --cgroup "$REG" open "$FS/secret/file"
  [ "$status" -eq 0 ]
}

@test "btrfs: a restricted directory inside a subvolume is denied (control reads it)" {
  "$MOATCTL" restrict "$FS/sub/secret"
  denied EACCES open "$FS/sub/secret/file"
  allowed open "$FS/sub/secret/file"
  denied EPERM open-tree "$FS/sub/secret" "$MNT"
  allowed open-tree "$FS/sub/secret" "$MNT"
  run "$ATTACK" --cgroup "$REG" open "$FS/secret/file"
  [ "$status" -eq 0 ]
  "$MOATCTL" unrestrict "$FS/sub/secret"
}
