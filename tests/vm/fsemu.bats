#!/usr/bin/env bats
# moat-fs in the QEMU guest (Debian 6.1, pure cgroup2 at /sys/fs/cgroup):
# the core checks of tests/integration/fsemu.bats where limits live in
# cgroup2 files (memory.max, cpuset.cpus, cpu.max). Runs inside the guest:
#   scripts/vm.sh -- bats --tap tests/vm

load ../helpers/fsemu

setup_file() {
  [ "${MOAT_VM:-}" = 1 ] || return 0
  [ -e /dev/fuse ] || modprobe fuse
  fs_setup_file
  fs_start
}

teardown_file() {
  [ "${MOAT_VM:-}" = 1 ] || return 0
  fs_teardown_file
}

setup() {
  [ "${MOAT_VM:-}" = 1 ] || skip "not inside the scripts/vm.sh guest (MOAT_VM unset)"
}

@test "guest: pure cgroup2, moat-fs mounted" {
  [ "$HYBRID" = 0 ] && [ "$V2" = /sys/fs/cgroup ]
  [ "$(stat -f -c %T "$MNT")" = fuseblk ] || [ "$(stat -f -c %T "$MNT")" = fuse ]
  [ "$(cat /proc/"$(fs_keeper_pid)"/comm)" = moatfs-keeper ]
}

@test "guest: a host process sees the host's files" {
  run in_cg "$V2" cat "$MNT/proc/meminfo"
  [ "$(echo "$output" | kb_of MemTotal)" = "$(kb_of MemTotal </proc/meminfo)" ]
  run in_cg "$V2" cat "$MNT/sys/devices/system/cpu/online"
  [ "$output" = "$(cat /sys/devices/system/cpu/online)" ]
}

@test "guest: meminfo MemTotal is memory.max, also a parent's" {
  local cg sub
  cg=$(fs_cg_make "$V2" mem)
  echo 96M >"$cg/memory.max"
  run in_cg "$cg" cat "$MNT/proc/meminfo"
  [ "$(echo "$output" | kb_of MemTotal)" -eq 98304 ]
  local free; free=$(echo "$output" | kb_of MemFree)
  [ "$free" -le 98304 ] && [ "$free" -gt 50000 ]
  # a limit on the parent only
  echo max >"$cg/memory.max"
  echo "+memory" >"$cg/cgroup.subtree_control" 2>/dev/null || true
  sub=$(fs_cg_make "$cg" sub)
  echo 64M >"$cg/memory.max"
  run in_cg "$sub" cat "$MNT/proc/meminfo"
  [ "$(echo "$output" | kb_of MemTotal)" -eq 65536 ]
}

@test "guest: cpu online, cpuinfo and stat follow cpuset.cpus and cpu.max" {
  [ "$(nproc)" -gt 1 ] || skip "one CPU only"
  local cg
  cg=$(fs_cg_make "$V2" cpus)
  echo 1 >"$cg/cpuset.cpus"
  run in_cg "$cg" cat "$MNT/sys/devices/system/cpu/online"
  [ "$output" = 1 ]
  run in_cg "$cg" grep -c ^processor "$MNT/proc/cpuinfo"
  [ "$output" = 1 ]
  run in_cg "$cg" grep -c '^cpu[0-9]' "$MNT/proc/stat"
  [ "$output" = 1 ]
  echo 0-1 >"$cg/cpuset.cpus"
  echo "50000 100000" >"$cg/cpu.max"
  sleep 1.1 # limits are cached for a second
  run in_cg "$cg" cat "$MNT/sys/devices/system/cpu/online"
  [ "$output" = 0 ]
}

@test "guest: uptime of a fresh pid namespace" {
  run unshare --pid --fork --mount-proc sh -c "sleep 1; cat $MNT/proc/uptime"
  [ "$status" -eq 0 ]
  local up=${output%%.*}
  [ "$up" -ge 1 ] && [ "$up" -lt 15 ]
  # busybox cat copies with sendfile(2)
  run unshare --pid --fork --mount-proc sh -c "sleep 1; busybox cat $MNT/proc/uptime"
  [[ $output == [0-9]*.[0-9][0-9]\ [0-9]*.[0-9][0-9] ]]
}

@test "guest: two containers set kernel.panic, the host's is unchanged" {
  local a b host
  host=$(cat /proc/sys/kernel/panic)
  a=$(fs_cg_make "$V2" panic-a)
  b=$(fs_cg_make "$V2" panic-b)
  in_cg "$a" sh -c "echo 31 >$MNT/proc/sys/kernel/panic"
  in_cg "$b" sh -c "echo 37 >$MNT/proc/sys/kernel/panic"
  [ "$(in_cg "$a" cat "$MNT/proc/sys/kernel/panic")" = 31 ]
  [ "$(in_cg "$b" cat "$MNT/proc/sys/kernel/panic")" = 37 ]
  [ "$(cat /proc/sys/kernel/panic)" = "$host" ]
  run in_cg "$a" sh -c "echo x >$MNT/proc/sys/kernel/panic"
  [ "$status" -ne 0 ]
}

@test "guest: somaxconn is raised to the largest wish and given back" {
  local a orig
  orig=$(cat "$T/somaxconn.orig")
  a=$(fs_cg_make "$V2" somax)
  in_cg "$a" sh -c "echo $(( orig + 50 )) >$MNT/proc/sys/net/core/somaxconn"
  [ "$(cat /proc/sys/net/core/somaxconn)" = $(( orig + 50 )) ]
  fs_cg_remove "$a"
  for i in $(seq 60); do [ "$(cat /proc/sys/net/core/somaxconn)" = "$orig" ] && break; sleep 0.25; done
  [ "$(cat /proc/sys/net/core/somaxconn)" = "$orig" ]
}

@test "guest: kill -9 of the worker, restart: the container reads on" {
  local cg old
  cg=$(fs_cg_make "$V2" restart)
  echo 80M >"$cg/memory.max"
  old=$(fs_worker_pid)
  kill -9 "$old"
  fs_start
  [ "$(fs_worker_pid)" != "$old" ]
  run in_cg "$cg" cat "$MNT/proc/meminfo"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | kb_of MemTotal)" -eq 81920 ]
}
