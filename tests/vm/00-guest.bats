#!/usr/bin/env bats
# Sanity of the test VM itself (scripts/vm.sh): runs INSIDE the guest, as
#   scripts/vm.sh [--disk 1G] -- bats --tap tests/vm
# Checks what later suites rely on: BPF-LSM active, pure cgroup2 with the
# controllers enabled, bpffs, a writable repo, the host's tools on the shared
# root, namespaces, and (with --disk) an ext4 disk that takes idmapped mounts.

load helpers/kernel

setup() {
  [ "${MOAT_VM:-}" = 1 ] || skip "not inside the scripts/vm.sh guest (MOAT_VM unset)"
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

@test "guest runs the kernel scripts/vm.sh was asked for: ${MOAT_VM_KERNEL:-?}" {
  run uname -r
  [ "$status" -eq 0 ]
  [ "$output" = "$MOAT_VM_KERNEL" ]
  [[ $output == 6.1.* || $output == 6.12.* ]]
}

@test "bpf is an active LSM" {
  run cat /sys/kernel/security/lsm
  [ "$status" -eq 0 ]
  [[ ,$output, == *,bpf,* ]]
}

@test "/sys/fs/cgroup is pure cgroup2 with cpu and memory enabled" {
  [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
  # Pure: nothing else (no v1 hierarchy) mounted below it.
  run findmnt -rn -o TARGET,FSTYPE -R /sys/fs/cgroup
  [ "$output" = "/sys/fs/cgroup cgroup2" ]
  local c
  for c in cpu memory pids cpuset io; do
    grep -qw "$c" /sys/fs/cgroup/cgroup.controllers
    grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
  done
}

@test "a child cgroup can be created and gets a memory limit" {
  local cg=/sys/fs/cgroup/moat-vm-selftest-$$
  mkdir "$cg"
  echo 64M >"$cg/memory.max"
  [ "$(cat "$cg/memory.max")" = 67108864 ]
  rmdir "$cg"
}

@test "/sys/fs/bpf is bpffs" {
  [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]
}

@test "the repo is shared read-write at its host path" {
  [ -f "$REPO/scripts/vm.sh" ]
  mkdir -p "$REPO/build"
  local f
  f=$(mktemp "$REPO/build/.vm-selftest.XXXXXX")
  echo written-in-guest >"$f"
  [ "$(cat "$f")" = written-in-guest ]
  rm -f "$f"
}

@test "/tmp, /var/tmp, /var/lib, /var/log, /etc, /root and /run are writable" {
  local d
  for d in /tmp /var/tmp /var/lib /var/log /etc /root /run; do
    touch "$d/.vm-selftest" && rm "$d/.vm-selftest"
  done
  # The host's / is read-only underneath.
  run touch /usr/.vm-selftest
  [ "$status" -ne 0 ]
}

@test "host tools run from the shared root: runc bats bpftool busybox jq" {
  runc --version
  bats --version
  bpftool version
  busybox true
  [ "$(echo '{"a":1}' | jq .a)" = 1 ]
}

@test "unshare and nsenter work" {
  run unshare --mount --pid --fork --mount-proc sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  run unshare --user --map-root-user id -u
  [ "$status" -eq 0 ]
  [ "$output" = 0 ]
  run nsenter --target 1 --mount --uts hostname
  [ "$status" -eq 0 ]
  [ "$output" = moat-vm ]
}

@test "MOAT_VM_DISK is an ext4 filesystem" {
  [ -n "${MOAT_VM_DISK:-}" ] || skip "no disk attached (scripts/vm.sh --disk SIZE)"
  run findmnt -n -o FSTYPE,SOURCE "$MOAT_VM_DISK"
  [ "$output" = "ext4   /dev/vda" ] || [[ $output == "ext4 "*" /dev/vda" ]]
  touch "$MOAT_VM_DISK/.vm-selftest" && rm "$MOAT_VM_DISK/.vm-selftest"
}

# idmap_mount USERNS_FILE SRC DST: an idmapped bind mount made with the raw
# syscalls (util-linux 2.38 ignores X-mount.idmap; 2.39 has it).
idmap_mount() {
  python3 - "$@" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_open_tree, SYS_move_mount, SYS_mount_setattr = 428, 429, 442
OPEN_TREE_CLONE, AT_RECURSIVE, AT_EMPTY_PATH = 1, 0x8000, 0x1000
MOUNT_ATTR_IDMAP, MOVE_MOUNT_F_EMPTY_PATH, AT_FDCWD = 0x100000, 4, -100
class MountAttr(ctypes.Structure):
    _fields_ = [("set", ctypes.c_uint64), ("clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]
def check(r, what):
    if r < 0:
        e = ctypes.get_errno(); sys.exit(f"{what}: {os.strerror(e)}")
    return r
userns = os.open(sys.argv[1], os.O_RDONLY)
fd = check(libc.syscall(SYS_open_tree, AT_FDCWD, sys.argv[2].encode(),
                        OPEN_TREE_CLONE | AT_RECURSIVE), "open_tree")
attr = MountAttr(MOUNT_ATTR_IDMAP, 0, 0, userns)
check(libc.syscall(SYS_mount_setattr, fd, b"", AT_EMPTY_PATH,
                   ctypes.byref(attr), ctypes.sizeof(attr)), "mount_setattr")
check(libc.syscall(SYS_move_mount, fd, b"", AT_FDCWD, sys.argv[3].encode(),
                   MOVE_MOUNT_F_EMPTY_PATH), "move_mount")
PY
}

# userns_100000: start a process (ns_pid) in a new user namespace that maps
# 0-65535 to 100000-165535.  The map is written from here, as root outside
# (unshare --map-users would need newuidmap, which is not installed).
userns_100000() {
  unshare --user sleep 60 &
  ns_pid=$!
  until [ "$(readlink "/proc/$ns_pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]; do
    sleep 0.05
  done
  echo "0 100000 65536" >"/proc/$ns_pid/uid_map"
  echo "0 100000 65536" >"/proc/$ns_pid/gid_map"
}

@test "MOAT_VM_DISK takes idmapped mounts" {
  [ -n "${MOAT_VM_DISK:-}" ] || skip "no disk attached (scripts/vm.sh --disk SIZE)"
  command -v python3 >/dev/null || skip "python3 is not installed on the host"
  local src=$MOAT_VM_DISK/idmap-src dst=$MOAT_VM_DISK/idmap-dst
  mkdir -p "$src" "$dst"
  touch "$src/f"
  userns_100000
  run idmap_mount "/proc/$ns_pid/ns/user" "$src" "$dst"
  kill "$ns_pid"
  echo "$output"
  [ "$status" -eq 0 ]
  run stat -c %u:%g "$dst/f"
  umount "$dst"
  rm -rf "$src" "$dst"
  [ "$output" = 100000:100000 ]
}

@test "tmpfs takes idmapped mounts from 6.3 on, not in 6.1 (why --disk exists)" {
  command -v python3 >/dev/null || skip "python3 is not installed on the host"
  local src dst
  src=$(mktemp -d) dst=$(mktemp -d)
  touch "$src/f"
  userns_100000
  run idmap_mount "/proc/$ns_pid/ns/user" "$src" "$dst"
  kill "$ns_pid"
  echo "$output"
  if kernel_at_least 6 3; then
    [ "$status" -eq 0 ]
    [ "$(stat -c %u:%g "$dst/f")" = 100000:100000 ]
    umount "$dst"
  else
    [ "$status" -ne 0 ]
    [[ $output == *"mount_setattr: Invalid argument"* ]]
  fi
  rm -rf "$src" "$dst"
}
