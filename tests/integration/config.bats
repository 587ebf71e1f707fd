#!/usr/bin/env bats
# moat.conf is read by every moat binary (lib/config.h): pin_dir, moat-fs's
# mountpoint and state dir set in the file alone (no flag) are what
# moat-fs, moat-runc, moat-loader and moatctl use; an unknown key or a bad
# value is refused by each, naming the file, the line and the value.
# moat-loader cannot load BPF-LSM on this host (tests/vm/10-policy.bats
# loads with a configured pin_dir): here it reports the configured pin dir,
# and `status`, `stop` and moatctl work on maps pinned there by bpftool.
load helpers/runtime
source "$BATS_TEST_DIRNAME/../helpers/fsemu.bash"

LOADER=$REPO/${OUTPUT:-build}/moat-loader
MOATCTL=$REPO/${OUTPUT:-build}/moatctl

setup_file() {
  command -v "$RUNC_BIN" >/dev/null || skip "runc not installed"
  fs_setup_file
  FS_T=$T FS_MNT=$MNT FS_STATE=$STATE
  rt_setup_file
  PINS=$T/pins
  mkdir -p "$PINS" "$T/rootfs/mnt/pins" "$T/rootfs/mnt/fs-state"
  # nothing but the file says where moat-fs mounts and keeps its state
  cat >"$T/moat.conf" <<EOF
state_dir = $T/state
kernel_policy = optional
pin_dir = $PINS
fsemu = required
fsemu_mountpoint = $FS_MNT
fsemu_state_dir = $FS_STATE
EOF
  MOAT_CONFIG=$T/moat.conf "$MOATFS" >>"$FS_T/moat-fs.log" 2>&1 3>&- || {
    cat "$FS_T/moat-fs.log"; return 1; }
  fs_wait_ready
  export FS_T FS_MNT FS_STATE PINS
}

teardown_file() {
  local pids p i
  pids=$(cat "$FS_STATE"/*.pid 2>/dev/null)
  "$MOATFS" --config "$T/moat.conf" --stop
  for i in $(seq 50); do
    for p in $pids; do kill -0 "$p" 2>/dev/null && { sleep 0.1; continue 2; }; done
    break
  done
  rt_teardown_file
  T=$FS_T fs_teardown_file
  for p in $pids; do
    ! kill -0 "$p" 2>/dev/null || { echo "# moat-fs pid $p left behind" >&3; kill -9 "$p"; return 1; }
  done
}
teardown() { rt_teardown; }

@test "moat-fs mounts on moat.conf's fsemu_mountpoint and keeps its state in fsemu_state_dir" {
  grep -q " $FS_MNT .* fuse.moat-fs " /proc/self/mountinfo
  [ -S "$FS_MNT.vet.sock" ]
  ls "$FS_STATE"/*.sock "$FS_STATE"/*.keeper.pid
  [ "$(stat -c %a "$FS_STATE")" = 700 ]
}

@test "moat-runc bind-mounts moat-fs's files from moat.conf's fsemu_mountpoint" {
  local b
  b=$(bundle fs '.process.args = ["grep", " /proc/uptime ", "/proc/self/mountinfo"]')
  out_of moat run --bundle "$b" cfg-fs
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$(tail -n1 <<<"$output")" == *" - fuse.moat-fs "* ]]
}

@test "moat-runc refuses to bind moat.conf's pin_dir and fsemu_state_dir into a container" {
  local b what
  for what in pins:"$PINS" fs-state:"$FS_STATE"; do
    b=$(bundle "${what%%:*}" '.mounts += [{destination: $d, type: "bind", source: $s, options: ["rbind", "ro"]}]' \
      --arg s "${what#*:}" --arg d "/mnt/${what%%:*}")
    create_out --bundle "$b" "cfg-${what%%:*}"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"can't mount ${what#*:} because it's configured as a restricted host mount"* ]]
  done
  assert_nothing_left
}

@test "moat-loader and moatctl use moat.conf's pin_dir: status, ps and stop on maps pinned there" {
  command -v bpftool >/dev/null || skip "no bpftool"
  mkdir -p "$T/bpf"
  printf 'pin_dir = %s\n' "$T/bpf/moat" >"$T/bpf.conf"
  # a private bpffs in a private mount namespace: nothing shared is touched;
  # there, every map bpf/moat.h names, made by bpftool
  run unshare -m sh -c "mount -t bpf bpf '$T/bpf' || exit 1
    '$LOADER' --config '$T/bpf.conf' status; echo rc=\$?
    mkdir '$T/bpf/moat'
    for m in \$(sed -n 's/^#define MOAT_MAP_[A-Z_]* \"\\(.*\\)\"\$/\\1/p' '$REPO/bpf/moat.h'); do
      bpftool map create '$T/bpf/moat/'\$m type hash key 8 value 8 entries 4 name \$m || exit 1
    done
    MOAT_CONFIG='$T/bpf.conf' '$LOADER' status; echo rc=\$?
    '$MOATCTL' --config '$T/bpf.conf' ps; echo rc=\$?
    '$LOADER' --config '$T/bpf.conf' stop; echo rc=\$?
    [ -e '$T/bpf/moat' ] && echo left || echo gone"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"the policy is not pinned under $T/bpf/moat: No such file or directory"*rc=1* ]]
  [[ "$output" == *"the policy is pinned under $T/bpf/moat"$'\n'rc=0* ]]
  [[ "$output" == *CGROUP-ID*$'\n'rc=0* ]]
  [[ "$output" == *rc=0$'\n'gone ]] # stop removed the pins and the dir
}

@test "moat-loader start names moat.conf's pin_dir when it cannot use it" {
  printf 'pin_dir = %s\n' "$T/no-bpffs/moat" >"$T/nobpf.conf"
  run "$LOADER" --config "$T/nobpf.conf" --events-log '' start
  [ "$status" -eq 1 ]
  [[ "$output" == *"the parent of the pin directory '$T/no-bpffs/moat' is not a BPF filesystem"* ]]
  [ ! -e "$T/no-bpffs/moat" ]
}

# refused_by_each CONF MESSAGE: every binary, run with --config CONF, fails
# (status 1) with MESSAGE as the last words of its output.
refused_by_each() {
  local conf=$1 message=$2 what
  for what in "$MOAT_RUNC_BIN --root $T/runc-root list" "$LOADER status" "$MOATCTL ps" "$MOATFS --stop"; do
    set -- $what
    out_of "$1" --config "$conf" "${@:2}"
    echo "${1##*/} $status: $output"
    [ "$status" -eq 1 ] && [[ "$output" == *"$message" ]] || return 1
  done
}

@test "an unknown key or a bad value: every binary names the file, the line and the value" {
  printf '# mine\npin_dirx = /x\n' >"$T/bad-key.conf"
  printf 'fsemu = sometimes\n' >"$T/bad-value.conf"
  refused_by_each "$T/bad-key.conf" "$T/bad-key.conf:2: unknown key \`pin_dirx\`"
  refused_by_each "$T/bad-value.conf" "$T/bad-value.conf:1: invalid value \`sometimes\` for fsemu"
}

@test "a file named by --config or MOAT_CONFIG must exist, in every binary" {
  refused_by_each "$T/missing.conf" "cannot read config $T/missing.conf: No such file or directory"
  MOAT_CONFIG=$T/missing.conf run "$LOADER" status
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot read config $T/missing.conf"* ]]
}
