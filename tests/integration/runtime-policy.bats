#!/usr/bin/env bats
# moat-runc: the createRuntime hook, kernel registration (fail closed), and
# every failure path of create leaving nothing behind.
load helpers/runtime

setup_file() {
  rt_setup_file
  rt_write_conf "$T/required.conf"
  sed -i 's/kernel_policy = optional/kernel_policy = required/' "$T/required.conf"
}
teardown_file() { rt_teardown_file; }
teardown() { rt_teardown; }

@test "kernel_policy = required without moat-loader: create refused, nothing left" {
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  out_of "$MOAT_RUNC_BIN" --config "$T/required.conf" --root "$T/runc-root" --log "$T/req.log" \
    --log-format json create --bundle "$b" req
  [ "$status" -ne 0 ]
  msg="cannot apply the kernel policy to container req: moat-loader is not running ($T/no-pin not found); start it, or set kernel_policy = optional in $T/required.conf"
  msg2="cannot apply the kernel policy to container req: BPF-LSM is not active in this kernel"
  [[ "$output" == *"$msg"* ]] || [[ "$output" == *"$msg2"* ]]
  [ "$(tail -n 1 "$T/req.log" | jq -r .level)" = error ]
  [[ "$(tail -n 1 "$T/req.log" | jq -r .msg)" == "cannot apply the kernel policy to container req: "* ]]
  assert_nothing_left
}

@test "kernel_policy = optional: a warning, and the container runs" {
  b=$(bundle opt '.process.args = ["true"]')
  run moat run --bundle "$b" opt <"$T/empty"
  [ "$status" -eq 0 ]
  [[ "$output" == *"warning: the kernel policy is not applied to container opt"* ]]
}

@test "the hook records the init process and its cgroup in moat's state" {
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  moat create --bundle "$b" hooked <"$T/empty" >"$T/hooked.out" 2>&1
  s="$T/state/containers/hooked/state.json"
  [ "$(jq -r .pid "$s")" = "$(pid_of moat hooked)" ]
  cg=$(jq -r .cgroup_dir "$s")
  [ -d "$cg" ]
  [ "$(jq -r .cgroup_id "$s")" = "$(stat -c %i "$cg")" ]
  grep -qx "$(pid_of moat hooked)" "$cg/cgroup.procs"
  [ "$(jq -r .registered "$s")" = false ]
  [ "$(jq -r '.hooks.createRuntime[0].args[-2:] | join(" ")' "$T/state/containers/hooked/config.json")" = "hook create-runtime" ]
}

@test "the hook alone fails closed when the policy is required" {
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  moat create --bundle "$b" alone <"$T/empty" >"$T/alone.out" 2>&1
  p=$(pid_of moat alone)
  run "$MOAT_RUNC_BIN" --config "$T/required.conf" --root "$T/runc-root" hook create-runtime \
    <<<"{\"ociVersion\": \"1.0.2\", \"id\": \"alone\", \"pid\": $p, \"status\": \"creating\"}"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot apply the kernel policy to container alone: "* ]]
  [[ "$(cat "$T/state/containers/alone/hook-error")" == "cannot apply the kernel policy to container alone: "* ]]
}

@test "a failing moat hook aborts the create: its message is the last error, nothing left" {
  # a prestart hook (run before moat's createRuntime hook) spoils moat's state
  b=$(bundle hookfail '.process.args = ["sleep", "1000"]
    | .hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "echo garbage > \($s)"]}]' \
    --arg s "$T/state/containers/hookfail/state.json")
  out_of "$MOAT_RUNC_BIN" --config "$T/moat.conf" --root "$T/runc-root" --log "$T/hookfail.log" \
    --log-format json create --bundle "$b" hookfail
  [ "$status" -ne 0 ]
  [ "$(tail -n 1 "$T/hookfail.log" | jq -r .msg)" = "container hookfail has no moat state in $T/state" ]
  assert_nothing_left
}

@test "a user createRuntime hook failing after moat's: nothing left" {
  b=$(bundle userhook '.process.args = ["sleep", "1000"] | .hooks.createRuntime = [{"path": "/bin/false"}]')
  create_out --bundle "$b" userhook
  [ "$status" -ne 0 ]
  assert_nothing_left
}

@test "runc failing to create (no such executable): nothing left" {
  b=$(bundle noexe '.process.args = ["/no/such/binary"]')
  create_out --bundle "$b" noexe
  [ "$status" -ne 0 ]
  assert_nothing_left
  run moat run --bundle "$b" noexe2 <"$T/empty"
  [ "$status" -ne 0 ]
  assert_nothing_left
}

# The remnants of a moat-runc killed mid-way: a record whose creator is gone
# and that runc does not know, with a view still mounted; and a directory
# without a record. Both are reclaimed by the next create.
make_zombie() {
  local z=$T/state/containers/$1 v=$T/state-views/$1
  mkdir -p "$z" "$v/view/rootfs"
  mount --bind "$T/rootfs" "$v/view/rootfs"
  jq -n --arg id "$1" --arg root "$T/runc-root" --argjson pid "$2" --argjson start "$3" \
    '{id: $id, runc_root: $root, uid_start: 100000, uid_size: 65536, creator_pid: $pid, creator_start: $start}' \
    >"$z/state.json"
}

@test "the remnants of a killed moat-runc are reclaimed at the next create" {
  mkdir -p "$T/state/containers"
  sh -c 'exit 0' & dead=$!; wait $dead
  make_zombie zombie "$dead" 1
  mkdir -p "$T/state/containers/half"
  b=$(bundle cat '.process.args = ["cat", "/proc/self/uid_map"]')
  run moat run --bundle "$b" next <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -v warning | tr -s ' ')" = " 0 100000 65536" ]
  [ ! -e "$T/state/containers/zombie" ]
  [ ! -e "$T/state/containers/half" ]
  assert_nothing_left
}

@test "a record whose creator is still running is not reclaimed" {
  sleep 1000 & live=$!
  start=$(awk '{ print $22 }' /proc/$live/stat)
  make_zombie creating "$live" "$start"
  b=$(bundle cat '.process.args = ["cat", "/proc/self/uid_map"]')
  run moat run --bundle "$b" after <"$T/empty"
  kill $live
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -v warning | tr -s ' ')" = " 0 165536 65536" ]
  [ -d "$T/state/containers/creating" ]
  moat delete creating 2>/dev/null || true # the creator is gone now: delete reclaims it
  [ ! -e "$T/state/containers/creating" ]
  assert_nothing_left
}

@test "io.moat.allow-bpf is honoured only when moat.conf allows it" {
  b=$(bundle bpf '.process.args = ["sleep", "1000"] | .annotations["io.moat.allow-bpf"] = "true"')
  moat create --bundle "$b" bpf-no <"$T/empty" >"$T/bpf-no.out" 2>&1
  grep -q "annotation io.moat.allow-bpf ignored" "$T/bpf-no.out"
  [ "$(jq -r .allow_bpf "$T/state/containers/bpf-no/state.json")" = false ]
  rt_write_conf "$T/bpf.conf" "allow_bpf_annotation = true"
  MOAT_CONF="$T/bpf.conf" moat create --bundle "$b" bpf-yes <"$T/empty" >"$T/bpf.out" 2>&1
  [ "$(jq -r .allow_bpf "$T/state/containers/bpf-yes/state.json")" = true ]
}

@test "registration in the kernel policy (needs moat-loader and BPF-LSM)" {
  [ -e /sys/fs/bpf/moat/containers ] || skip "moat-loader is not running here (BPF-LSM cannot load on this host; see tests/vm)"
  rt_write_conf "$T/kernel.conf"
  sed -i "s|kernel_policy = optional|kernel_policy = required|; s|pin_dir = .*|pin_dir = /sys/fs/bpf/moat|" "$T/kernel.conf"
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  MOAT_CONF="$T/kernel.conf" moat create --bundle "$b" reg <"$T/empty" >"$T/reg.out" 2>&1
  [ "$(jq -r .registered "$T/state/containers/reg/state.json")" = true ]
  MOAT_CONF="$T/kernel.conf" moat delete --force reg
  assert_nothing_left
}

# CVE-2024-21626: a cwd in /proc/<pid>/fd starts the process in whatever
# directory a leaked fd is, outside the container's root.
@test "process.cwd in a process's fd directory is refused, naming the container and the value; nothing left" {
  local cwd
  for cwd in /proc/self/fd/7 /proc/thread-self/fd/7 /proc/1/fd/3 /proc/self/fd \
      //proc/./self/fd/7 /proc/../proc/self/fd/7/.. /proc/self/fd/7/../.. /proc/12/task/12/fd/4; do
    b=$(bundle cwdfd ".process.cwd = \"$cwd\"")
    run moat run --bundle "$b" cwdfd <"$T/empty"
    echo "$cwd: $output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"container cwdfd: process.cwd \`$cwd\` is in a process's fd directory"* ]]
    assert_nothing_left
  done
}

@test "process.cwd elsewhere in /proc is not refused" {
  b=$(bundle cwdproc '.process.cwd = "/proc/self/fdinfo" | .process.args = ["pwd"]')
  run moat run --bundle "$b" cwdproc <"$T/empty"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/proc/1/fdinfo"* ]]
}

@test "/dev/null is still root:root" {
  assert_dev_null_intact
}
