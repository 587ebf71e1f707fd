#!/usr/bin/env bats
# moat-runc + moat-fs: every moat container gets moat-fs's emulated files
# (runtime/emulate.h). moat-fs runs on a temp mountpoint (tests/helpers/fsemu.bash,
# its own temp dir $FS_T); moat-runc's world is helpers/runtime.bash's $T.
load helpers/runtime
source "$BATS_TEST_DIRNAME/../helpers/fsemu.bash"

setup_file() {
  rt_fs_setup_file
  rt_write_conf "$T/optional.conf" "fsemu_mountpoint = $T/no-fs" "fsemu = optional"
  rt_write_conf "$T/required.conf" "fsemu_mountpoint = $T/no-fs" "fsemu = required"
}

teardown_file() { rt_fs_teardown_file; }
teardown() { rt_teardown; }

host_uptime() { cut -d. -f1 /proc/uptime; }

# sh_bundle NAME SCRIPT [jq filter [jq args]]: a bundle running sh -c SCRIPT, in
# cgroup $CGNAME-NAME (which fs_teardown_file removes if left).
sh_bundle() {
  local name=$1 script=$2 filter=${3:-}
  shift 2; shift || true
  bundle "$name" ".process.args = [\"sh\", \"-c\", \$s] | .linux.cgroupsPath = \$cg $filter" \
    --arg s "$script" --arg cg "/$CGNAME-$name" "$@"
}

# The container's output: the last line (moat-runc's warnings come first).
last() { tail -n1 <<<"$output"; }

@test "a moat container reads its own uptime; a plain runc container the host's" {
  local b
  [ "$(host_uptime)" -ge 10 ] || skip "the host has been up less than 10 s"
  b=$(sh_bundle uptime 'cat /proc/uptime')
  out_of moat run --bundle "$b" fsemu-uptime
  echo "moat: $output"
  [ "$status" -eq 0 ]
  [ "$(last | cut -d. -f1)" -lt 10 ]
  out_of plain_runc run --bundle "$b" fsemu-uptime-plain
  echo "plain: $output"
  [ "$status" -eq 0 ]
  [ "$(last | cut -d. -f1)" -ge 10 ]
}

@test "MemTotal follows the container's memory limit" {
  local b
  b=$(sh_bundle mem 'grep MemTotal /proc/meminfo' '| .linux.resources.memory = {limit: 134217728}')
  out_of moat run --bundle "$b" fsemu-mem
  echo "$output"
  [ "$status" -eq 0 ] || { [[ $output == *memory* ]] && skip "no memory limit here: $output"; false; }
  [ "$(echo "$output" | kb_of MemTotal)" = 131072 ]
}

@test "kernel.panic written in a moat container stays in the container" {
  local b host
  host=$(cat /proc/sys/kernel/panic)
  b=$(sh_bundle panic "echo $((host + 7)) >/proc/sys/kernel/panic; cat /proc/sys/kernel/panic")
  out_of moat run --bundle "$b" fsemu-panic
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(last)" = $((host + 7)) ]
  [ "$(cat /proc/sys/kernel/panic)" = "$host" ]
}

@test "a spec that mounts /proc/uptime itself keeps its own" {
  local b
  echo "42.00 1.00" >"$T/my-uptime"
  b=$(sh_bundle own 'cat /proc/uptime' \
    '| .mounts += [{destination: "/proc/uptime", type: "bind", source: $u, options: ["rbind", "ro"]}]' \
    --arg u "$T/my-uptime")
  out_of moat run --bundle "$b" fsemu-own
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(last)" = "42.00 1.00" ]
}

@test "fsemu = required without moat-fs refuses the container and leaves nothing" {
  local b
  b=$(sh_bundle req 'cat /proc/uptime')
  MOAT_CONF=$T/required.conf create_out --bundle "$b" fsemu-req
  echo "$output"
  [ "$status" -ne 0 ]
  [[ $output == *"moat-fs is not mounted on $T/no-fs"* ]]
  assert_nothing_left
}

@test "fsemu = optional without moat-fs runs the container with a warning" {
  local b
  [ "$(host_uptime)" -ge 10 ] || skip "the host has been up less than 10 s"
  b=$(sh_bundle opt 'cat /proc/uptime')
  MOAT_CONF=$T/optional.conf out_of moat run --bundle "$b" fsemu-opt
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"moat-fs is not mounted on $T/no-fs"* ]]
  [ "$(last | cut -d. -f1)" -ge 10 ]
}

@test "/proc/sysrq-trigger is writable (moat-fs swallows it) although the spec lists it read-only" {
  local b
  [ -e /proc/sysrq-trigger ] || skip "this kernel has no /proc/sysrq-trigger (tests/vm/fsemu.bats checks it)"
  b=$(sh_bundle sysrq 'echo h >/proc/sysrq-trigger && echo written' \
    '| .linux.readonlyPaths += ["/proc/sysrq-trigger"] | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])')
  out_of plain_runc run --bundle "$b" fsemu-sysrq-plain
  echo "plain runc: $output"
  [[ "$output" == *"Read-only file system"* ]]
  out_of moat run --bundle "$b" fsemu-sysrq
  echo "moat: $output"
  [ "$status" -eq 0 ]
  [ "$(last)" = written ]
}
