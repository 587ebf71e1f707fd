#!/usr/bin/env bats
# moat-fs on the host (hybrid cgroups here: v1 memory/cpu/cpuset, cgroup2 at
# /sys/fs/cgroup/unified): a private mount in a temp dir, "containers" made
# of test cgroups and pid namespaces, then a real runc container.

load ../helpers/fsemu

setup_file() {
  fs_setup_file
  fs_start
}

teardown_file() {
  fs_teardown_file
}

@test "moat-fs --help" {
  run "$MOATFS" --help
  [ "$status" -eq 0 ]
  [[ $output == *--mountpoint* ]]
  run "$MOATFS" --bogus
  [ "$status" -eq 2 ]
}

@test "a daemon that cannot start says why on stderr (no /dev/fuse; modprobe tried)" {
  local mnt=$T/nofuse-mnt state=$T/nofuse-state
  mkdir -p "$mnt"
  # a private /dev without fuse: modprobe fuse is tried (on this host it
  # fails: fuse is built in and there is no /lib/modules for the running
  # kernel; where it succeeds, the node is still missing in this /dev)
  run unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs /dev &&
    touch /dev/null && mount --bind "$1" /dev/null && shift && exec "$@"' sh /dev/null \
    "$MOATFS" --mountpoint "$mnt" --state-dir "$state"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == "moat-fs: cannot open /dev/fuse: No such file or directory ("*")" ]]
  [[ $output == *"(modprobe fuse failed: is the fuse module installed?)" ]] ||
    [[ $output == *"(the fuse module is loaded but there is no device node)" ]]
  run unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs /dev &&
    touch /dev/null && mount --bind "$1" /dev/null && shift && exec "$@"' sh /dev/null \
    env PATH=/nonexistent "$MOATFS" --mountpoint "$mnt" --state-dir "$state"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == *"cannot open /dev/fuse: No such file or directory (modprobe fuse failed: is the fuse module installed?)"* ]]
  [ "$(stat -c %t:%T /dev/null)" = 1:3 ]
}

@test "a daemon that fails after detaching relays its log lines to the caller's stderr" {
  # the mountpoint is served by the suite's moat-fs: the child finds out, not the parent
  run "$MOATFS" --mountpoint "$MNT" --state-dir "$T/other-state"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == *"moat-fs: $MNT is a FUSE mount served by someone else"* ]]
  [[ $output == *"did not start (log: $T/other-state/"* ]]
}

@test "the tree: files, modes, runs as keeper + worker" {
  for f in proc/uptime proc/meminfo proc/cpuinfo proc/stat proc/loadavg proc/swaps \
           proc/diskstats sys/devices/system/cpu/online; do
    [ "$(stat -c %a "$MNT/$f")" = 444 ]
  done
  [ "$(stat -c %a "$MNT/proc/sys/kernel/panic")" = 644 ]
  [ "$(stat -c %a "$MNT/proc/sysrq-trigger")" = 200 ]
  run ls "$MNT/proc/sys/net"
  [ "$output" = "$(printf 'core\nnetfilter\nunix')" ]
  [ "$(cat /proc/"$(fs_keeper_pid)"/comm)" = moatfs-keeper ]
  [ "$(cat /proc/"$(fs_worker_pid)"/comm)" = moat-fs ]
}

@test "the worker keeps only CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, the keeper nothing" {
  run grep CapEff /proc/"$(fs_worker_pid)"/status
  [ "${output##*:$'\t'}" = 0000000000080004 ]
  run grep CapBnd /proc/"$(fs_worker_pid)"/status
  [ "${output##*:$'\t'}" = 0000000000080004 ]
  run grep CapEff /proc/"$(fs_keeper_pid)"/status
  [ "${output##*:$'\t'}" = 0000000000000000 ]
}

@test "a host process sees the host's files" {
  run in_cg "$(fs_root_cgroups)" cat "$MNT/proc/meminfo"
  [ "$(echo "$output" | kb_of MemTotal)" = "$(kb_of MemTotal </proc/meminfo)" ]
  run in_cg "$(fs_root_cgroups)" cat "$MNT/sys/devices/system/cpu/online"
  [ "$output" = "$(cat /sys/devices/system/cpu/online)" ]
  run in_cg "$(fs_root_cgroups)" cat "$MNT/proc/cpuinfo"
  [ "$output" = "$(cat /proc/cpuinfo)" ]
  run cat "$MNT/proc/sys/kernel/panic"
  [ "$output" = "$(cat /proc/sys/kernel/panic)" ]
}

@test "meminfo: MemTotal is the v1 memory limit, MemFree what is left of it" {
  [ "$HYBRID" = 1 ] || skip "no v1 memory hierarchy"
  local cg
  cg=$(fs_cg_make /sys/fs/cgroup/memory mem)
  echo 256M >"$cg/memory.limit_in_bytes"
  run in_cg "$cg" cat "$MNT/proc/meminfo"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | kb_of MemTotal)" -eq $(( $(cat "$cg/memory.limit_in_bytes") / 1024 )) ]
  local free; free=$(echo "$output" | kb_of MemFree)
  [ "$free" -le 262144 ] && [ "$free" -gt 200000 ]
  # a container without a limit sees the host's total (limits are cached for a second)
  echo -1 >"$cg/memory.limit_in_bytes"
  sleep 1.1
  run in_cg "$cg" cat "$MNT/proc/meminfo"
  [ "$(echo "$output" | kb_of MemTotal)" = "$(kb_of MemTotal </proc/meminfo)" ]
}

@test "meminfo: MemTotal is the cgroup2 memory.max (when the v2 memory controller is on)" {
  grep -qw memory "$V2/cgroup.subtree_control" || skip "memory controller not enabled in $V2"
  local cg
  cg=$(fs_cg_make "$V2" mem2)
  echo 192M >"$cg/memory.max"
  run in_cg "$cg" cat "$MNT/proc/meminfo"
  [ "$(echo "$output" | kb_of MemTotal)" -eq 196608 ]
}

@test "cpu online, cpuinfo and stat follow a v1 cpuset" {
  [ "$HYBRID" = 1 ] || skip "no v1 cpuset hierarchy"
  local cg cpu
  cpu=$(( $(nproc) > 1 ? 1 : 0 ))
  cg=$(fs_cg_make /sys/fs/cgroup/cpuset cpuset)
  echo "$cpu" >"$cg/cpuset.cpus"
  run in_cg "$cg" cat "$MNT/sys/devices/system/cpu/online"
  [ "$output" = "$cpu" ]
  run in_cg "$cg" grep -c ^processor "$MNT/proc/cpuinfo"
  [ "$output" = 1 ]
  run in_cg "$cg" grep ^processor "$MNT/proc/cpuinfo"
  [[ $output == *": $cpu" ]]
  run in_cg "$cg" grep -c '^cpu[0-9]' "$MNT/proc/stat"
  [ "$output" = 1 ]
  run in_cg "$cg" grep "^cpu$cpu " "$MNT/proc/stat"
  [ "$status" -eq 0 ]
}

@test "cpu online follows a CFS quota" {
  [ "$HYBRID" = 1 ] || skip "no v1 cpu hierarchy"
  [ "$(nproc)" -gt 1 ] || skip "one CPU only"
  local cg
  cg=$(fs_cg_make /sys/fs/cgroup/cpu quota)
  echo 100000 >"$cg/cpu.cfs_period_us"
  echo 50000 >"$cg/cpu.cfs_quota_us"
  run in_cg "$cg" cat "$MNT/sys/devices/system/cpu/online"
  [ "$output" = 0 ]
}

@test "uptime: a fresh pid namespace sees a few seconds, the host its own" {
  local host
  run unshare --pid --fork --mount-proc sh -c "sleep 1; cat $MNT/proc/uptime"
  [ "$status" -eq 0 ]
  local up=${output%%.*}
  [ "$up" -ge 1 ] && [ "$up" -lt 10 ]
  host=$(cut -d. -f1 /proc/uptime)
  run cat "$MNT/proc/uptime"
  [ "${output%%.*}" -ge $(( host - 1 )) ]
  [ "$host" -gt "$up" ]
  # a process that is not the namespace's init finds the init
  run unshare --pid --fork --mount-proc sh -c "sleep 2 & sleep 1; sh -c 'cat $MNT/proc/uptime'"
  up=${output%%.*}
  [ "$up" -ge 1 ] && [ "$up" -lt 10 ]
}

@test "loadavg counts the container's runnable tasks" {
  local cg
  cg=$(fs_cg_make "$V2" load)
  run in_cg "$cg" sh -c "(while :; do :; done) & a=\$!; (while :; do :; done) & b=\$!; sleep 0.5; cat $MNT/proc/loadavg; kill \$a \$b"
  [ "$status" -eq 0 ]
  # "a b c running/total last": 2 spinning (+ maybe cat) of 4-5 threads
  local rt=$(echo "$output" | cut -d' ' -f4)
  [ "${rt%/*}" -ge 2 ] && [ "${rt#*/}" -ge 4 ] && [ "${rt#*/}" -le 6 ]
}

@test "swaps and diskstats are rendered for a container" {
  local cg
  cg=$(fs_cg_make "$V2" swaps)
  run in_cg "$cg" cat "$MNT/proc/swaps"
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == Filename* ]]
  run in_cg "$cg" cat "$MNT/proc/diskstats"
  [ "$status" -eq 0 ]
}

@test "two containers set kernel.panic each its own; the host's is unchanged" {
  local a b host
  host=$(cat /proc/sys/kernel/panic)
  a=$(fs_cg_make "$V2" panic-a)
  b=$(fs_cg_make "$V2" panic-b)
  in_cg "$a" sh -c "echo 17 >$MNT/proc/sys/kernel/panic"
  in_cg "$b" sh -c "echo 23 >$MNT/proc/sys/kernel/panic"
  [ "$(in_cg "$a" cat "$MNT/proc/sys/kernel/panic")" = 17 ]
  [ "$(in_cg "$b" cat "$MNT/proc/sys/kernel/panic")" = 23 ]
  [ "$(cat /proc/sys/kernel/panic)" = "$host" ]
  # the host through the mount reads the host's and may not write
  [ "$(in_cg "$(fs_root_cgroups)" cat "$MNT/proc/sys/kernel/panic")" = "$host" ]
  run in_cg "$(fs_root_cgroups)" sh -c "echo 5 >$MNT/proc/sys/kernel/panic"
  [ "$status" -ne 0 ]
  # garbage is refused and changes nothing
  run in_cg "$a" sh -c "echo bogus >$MNT/proc/sys/kernel/panic"
  [ "$status" -ne 0 ]
  [ "$(in_cg "$a" cat "$MNT/proc/sys/kernel/panic")" = 17 ]
}

@test "core_pattern and sysrq-trigger are the container's own" {
  local a host
  host=$(cat /proc/sys/kernel/core_pattern)
  a=$(fs_cg_make "$V2" core)
  in_cg "$a" sh -c "echo '|/tmp/evil %p' >$MNT/proc/sys/kernel/core_pattern"
  [ "$(in_cg "$a" cat "$MNT/proc/sys/kernel/core_pattern")" = "|/tmp/evil %p" ]
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$host" ]
  in_cg "$a" sh -c "echo h >$MNT/proc/sysrq-trigger"
}

@test "only root may write a sysctl" {
  local a
  a=$(fs_cg_make "$V2" nonroot)
  run in_cg "$a" setpriv --reuid 1000 --regid 1000 --clear-groups sh -c "echo 3 >$MNT/proc/sys/kernel/panic"
  [ "$status" -ne 0 ]
  run in_cg "$a" setpriv --reuid 1000 --regid 1000 --clear-groups cat "$MNT/proc/sys/kernel/panic"
  [ "$status" -eq 0 ]
}

@test "somaxconn: the host gets the largest wish, and the original back" {
  local a b orig
  orig=$(cat "$T/somaxconn.orig")
  a=$(fs_cg_make "$V2" somax-a)
  b=$(fs_cg_make "$V2" somax-b)
  in_cg "$a" sh -c "echo $(( orig + 100 )) >$MNT/proc/sys/net/core/somaxconn"
  [ "$(cat /proc/sys/net/core/somaxconn)" = $(( orig + 100 )) ]
  in_cg "$b" sh -c "echo $(( orig + 200 )) >$MNT/proc/sys/net/core/somaxconn"
  [ "$(cat /proc/sys/net/core/somaxconn)" = $(( orig + 200 )) ]
  [ "$(in_cg "$a" cat "$MNT/proc/sys/net/core/somaxconn")" = $(( orig + 100 )) ]
  # a container with its own netns keeps its wish to itself
  local c; c=$(fs_cg_make "$V2" somax-c)
  in_cg "$c" unshare -n sh -c "echo $(( orig + 900 )) >$MNT/proc/sys/net/core/somaxconn"
  [ "$(cat /proc/sys/net/core/somaxconn)" = $(( orig + 200 )) ]
  # b goes away: the host follows down to a's wish (checked every 5 s), then to the original
  fs_cg_remove "$b"
  for i in $(seq 80); do [ "$(cat /proc/sys/net/core/somaxconn)" = $(( orig + 100 )) ] && break; sleep 0.25; done
  [ "$(cat /proc/sys/net/core/somaxconn)" = $(( orig + 100 )) ]
  fs_cg_remove "$a"
  for i in $(seq 80); do [ "$(cat /proc/sys/net/core/somaxconn)" = "$orig" ] && break; sleep 0.25; done
  [ "$(cat /proc/sys/net/core/somaxconn)" = "$orig" ]
}

@test "kill -9 of the worker during reads, then a restart: the container reads on" {
  local cg old reader fails
  cg=$(fs_cg_make "$V2" restart)
  in_cg "$cg" sh -c "echo 11 >$MNT/proc/sys/kernel/panic"
  in_cg "$cg" sh -c "while [ ! -e $T/stop ]; do cat $MNT/proc/meminfo >/dev/null 2>&1 && echo ok || echo FAIL; done" >"$T/reader.log" 3>&- &
  reader=$!
  # a file opened before the restart and read after it
  exec 5<"$MNT/proc/uptime"
  sleep 0.5
  old=$(fs_worker_pid)
  kill -9 "$old"
  sleep 0.3
  fs_start # the administrator restarts moat-fs
  [ "$(fs_worker_pid)" != "$old" ]
  sleep 0.5
  touch "$T/stop"
  wait "$reader"
  fails=$(grep -c FAIL "$T/reader.log" || true)
  echo "reads: $(wc -l <"$T/reader.log"), failed: $fails"
  [ "$fails" -le 1 ]
  [ "$(tail -n1 "$T/reader.log")" = ok ]
  run cat <&5
  exec 5<&-
  [ "$status" -eq 0 ]
  # the container's emulated sysctl survived
  [ "$(in_cg "$cg" cat "$MNT/proc/sys/kernel/panic")" = 11 ]
  ! grep -q "Transport endpoint" "$T/reader.log" || false
}

@test "the keeper restarts a killed worker by itself, a new worker replaces a killed keeper" {
  local w k
  w=$(fs_worker_pid)
  kill -9 "$w"
  for i in $(seq 40); do [ "$(fs_worker_pid)" != "$w" ] && kill -0 "$(fs_worker_pid)" 2>/dev/null && break; sleep 0.1; done
  [ "$(fs_worker_pid)" != "$w" ]
  run cat "$MNT/proc/uptime"
  [ "$status" -eq 0 ]
  k=$(fs_keeper_pid)
  kill -9 "$k"
  for i in $(seq 40); do [ "$(fs_keeper_pid)" != "$k" ] && break; sleep 0.1; done
  [ "$(fs_keeper_pid)" != "$k" ]
  [ "$(cat /proc/"$(fs_keeper_pid)"/comm)" = moatfs-keeper ]
  # and the new keeper does its job: kill the worker again
  w=$(fs_worker_pid)
  kill -9 "$w"
  for i in $(seq 40); do [ "$(fs_worker_pid)" != "$w" ] && kill -0 "$(fs_worker_pid)" 2>/dev/null && break; sleep 0.1; done
  run cat "$MNT/proc/meminfo"
  [ "$status" -eq 0 ]
}

@test "killall -9 moat-fs does not end the mount (the keeper is moatfs-keeper)" {
  local p
  for p in $(fs_pids); do
    [ "$(cat /proc/"$p"/comm)" = moat-fs ] && kill -9 "$p"
  done
  fs_wait_ready
  run cat "$MNT/proc/meminfo"
  [ "$status" -eq 0 ]
}

@test "control: lxcfs killed with SIGKILL leaves 'Transport endpoint is not connected'" {
  command -v lxcfs >/dev/null || skip "lxcfs not installed"
  mkdir -p "$T/lxcfs"
  lxcfs -f -p "$T/lxcfs.pid" "$T/lxcfs" >"$T/lxcfs.log" 2>&1 3>&- &
  local pid=$!
  for i in $(seq 50); do [ -e "$T/lxcfs/proc/uptime" ] && break; sleep 0.1; done
  cat "$T/lxcfs/proc/uptime"
  kill -9 "$pid"; wait "$pid" || true
  run cat "$T/lxcfs/proc/uptime"
  umount -l "$T/lxcfs"
  [ "$status" -ne 0 ]
  [[ $output == *"Transport endpoint is not connected"* ]]
}

# --- a real runc container, plain and user-namespaced ---
# runc 1.1 bind-mounts into /proc only a fixed list (cpuinfo, diskstats,
# meminfo, stat, swaps, uptime, loadavg, ...): the emulated sysctl is
# mounted by a createContainer hook (in the container's mount namespace,
# before pivot_root), as moat-runc has to (see runtime/emulate.h).

make_bundle() { # NAME plain|userns
  local b=$T/bundle-$1 m mounts='[]'
  mkdir -p "$b/rootfs"/{bin,proc,sys,dev,etc,tmp}
  cp /bin/busybox "$b/rootfs/bin/busybox"
  chroot "$b/rootfs" /bin/busybox --install -s /bin
  (cd "$b" && runc spec)
  for m in proc/uptime proc/meminfo proc/cpuinfo proc/stat proc/loadavg sys/devices/system/cpu/online; do
    mounts=$(jq -c --arg m "$m" --arg src "$MNT/$m" \
      '. + [{destination: ("/" + $m), type: "bind", source: $src, options: ["rbind","ro","nosuid","nodev"]}]' <<<"$mounts")
  done
  jq --arg root "$b/rootfs" --argjson m "$mounts" --arg cg "/$CGNAME-runc-$1" \
     --arg src "$MNT/proc/sys/kernel/panic" '
      .root.path = $root | .process.terminal = false | .mounts += $m
    | .hooks.createContainer = [{path: "/bin/mount",
        args: ["mount", "--bind", $src, ($root + "/proc/sys/kernel/panic")]}]
    | .linux.cgroupsPath = $cg
    | .linux.resources.memory = {limit: 134217728}
    | .process.args = ["sh", "-c", "cat /proc/uptime; grep MemTotal /proc/meminfo; echo 9 >/proc/sys/kernel/panic; cat /proc/sys/kernel/panic; cat /proc/loadavg"]' \
    "$b/config.json" >"$b/c.json"
  if [ "$2" = userns ]; then
    jq '.linux.namespaces += [{type: "user"}]
      | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
      | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]' "$b/c.json" >"$b/config.json"
    chown -R 100000:100000 "$b/rootfs"
  else
    mv "$b/c.json" "$b/config.json"
  fi
  echo "$b"
}

run_container() { # BUNDLE ID
  : >"$T/empty"
  runc --root "$T/runc" run --bundle "$1" "$2" <"$T/empty" >"$T/$2.out" 2>&1
}

check_container_output() { # ID
  local host=$1
  cat "$T/$2.out"
  mapfile -t out <"$T/$2.out"
  [ "${out[0]%%.*}" -lt 10 ]
  [ "$(echo "${out[1]}" | kb_of MemTotal)" = 131072 ]
  [ "${out[2]}" = 9 ]
  [[ ${out[3]} == *" "[0-9]*/[1-9]*" "* ]]
  [ "$(cat /proc/sys/kernel/panic)" = "$host" ]
}

@test "a runc container reads its emulated files and writes its own kernel.panic" {
  command -v runc >/dev/null || skip "runc not installed"
  local b host
  host=$(cat /proc/sys/kernel/panic)
  b=$(make_bundle plain plain)
  run_container "$b" fsemu-plain || { cat "$T/fsemu-plain.out"; false; }
  check_container_output "$host" fsemu-plain
}

@test "a user-namespaced runc container too (mount options of runtime/emulate.c)" {
  command -v runc >/dev/null || skip "runc not installed"
  local b host
  host=$(cat /proc/sys/kernel/panic)
  b=$(make_bundle userns userns)
  run_container "$b" fsemu-userns || { cat "$T/fsemu-userns.out"; false; }
  check_container_output "$host" fsemu-userns
  [ "$(stat -c '%u:%g %t:%T' /dev/null)" = "0:0 1:3" ]
}
