# tests/integration/helpers/runtime.bash - shared by runtime*.bats.
#
# Each .bats file gets a private world in a temp dir $T (0711, so container
# roots - host uid 100000+ - can traverse it): a busybox-static rootfs, a base
# bundle, a test moat.conf (state dir in $T, kernel_policy = optional, a pin
# dir that does not exist), and private runc roots for moat-runc and for
# plain runc. Nothing outside $T is touched; only containers in those roots
# are ever deleted.
#
# Container stdio is always a pipe or a file in $T: never a host device such
# as /dev/null (runc chowns a container's stdio to the container's root).

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MOAT_RUNC_BIN=${MOAT_RUNC_BIN:-$REPO/${OUTPUT:-build}/moat-runc}
RUNC_BIN=${RUNC_BIN:-/usr/sbin/runc}

rt_setup_file() {
  [ -x "$MOAT_RUNC_BIN" ] || { echo "# $MOAT_RUNC_BIN not built (run make)" >&3; return 1; }
  T=$(mktemp -d /tmp/moat-rt.XXXXXX)
  chmod 0711 "$T"
  export T
  rt_make_rootfs "$T/rootfs"
  rt_make_base_bundle
  rt_write_conf "$T/moat.conf"
  mkdir -p "$T/runc-root" "$T/plain-root" "$T/bundles"
  : >"$T/empty"
}

rt_teardown_file() {
  [ -n "${T:-}" ] && [ -d "$T" ] || return 0
  rt_delete_all
  rt_umount_below "$T"
  rm -rf "$T"
}

# Delete every container of our private roots (never anything else).
rt_delete_all() {
  local root id
  for root in "$T/runc-root" "$T/plain-root"; do
    [ -d "$root" ] || continue
    for id in $("$RUNC_BIN" --root "$root" list -q 2>/dev/null); do
      if [ "$root" = "$T/runc-root" ]; then
        moat delete --force "$id" >/dev/null 2>&1 || "$RUNC_BIN" --root "$root" delete --force "$id" >/dev/null 2>&1
      else
        "$RUNC_BIN" --root "$root" delete --force "$id" >/dev/null 2>&1
      fi
    done
  done
}

rt_umount_below() {
  local m
  for m in $(awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}

rt_make_rootfs() {
  local r=$1
  mkdir -p "$r"/{bin,proc,sys,dev,etc,tmp,mnt,root}
  cp /bin/busybox "$r/bin/busybox"
  chroot "$r" /bin/busybox --install -s /bin
  echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
  echo 'root:x:0:' >"$r/etc/group"
}

# The base bundle: `runc spec` (private pid, network, ipc, uts, mount
# namespaces, like Docker's), no terminal, absolute rootfs.
rt_make_base_bundle() {
  mkdir -p "$T/base"
  (cd "$T/base" && "$RUNC_BIN" spec)
  jq --arg root "$T/rootfs" '.root.path = $root | .process.terminal = false' \
    "$T/base/config.json" >"$T/base/config.tmp" && mv "$T/base/config.tmp" "$T/base/config.json"
}

# rt_write_conf FILE [extra lines...]
rt_write_conf() {
  local f=$1; shift
  {
    echo "state_dir = $T/state"
    echo "kernel_policy = optional"
    echo "pin_dir = $T/no-pin"
    for l in "$@"; do echo "$l"; done
  } >"$f"
}

# bundle NAME JQ-FILTER [jq args...]: a bundle from the base one; prints its dir.
bundle() {
  local name=$1 filter=$2; shift 2
  mkdir -p "$T/bundles/$name"
  jq "$@" "$filter" "$T/base/config.json" >"$T/bundles/$name/config.json"
  echo "$T/bundles/$name"
}

# args_filter CMD...: a jq filter setting process.args
args_json() { printf '%s\n' "$@" | jq -R . | jq -sc .; }

moat() { "$MOAT_RUNC_BIN" --config "${MOAT_CONF:-$T/moat.conf}" --root "$T/runc-root" "$@"; }
plain_runc() { "$RUNC_BIN" --root "$T/plain-root" "$@"; }

# run_fg RUNTIME BUNDLE ID: a foreground run, stdin from a file in $T.
# Output (container's and runtime's) in $output, via bats' `run`.
# detached RUNTIME BUNDLE ID: run -d, stdio to files in $T.
detached() {
  local rt=$1 b=$2 id=$3
  "$rt" run -d --bundle "$b" "$id" <"$T/empty" >"$T/$id.out" 2>"$T/$id.err"
}

pid_of() { "$1" state "$2" | jq -r .pid; }

# Nothing of moat's left: no container state dir, no mount under $T/state.
assert_nothing_left() {
  local left
  left=$(ls -A "$T/state/containers" 2>/dev/null || true)
  [ -z "$left" ] || { echo "state left: $left"; return 1; }
  ! grep -q " $T/state" /proc/self/mountinfo || { echo "mounts left under $T/state"; return 1; }
  left=$("$RUNC_BIN" --root "$T/runc-root" list -q)
  [ -z "$left" ] || { echo "runc containers left: $left"; return 1; }
}

assert_dev_null_intact() {
  [ "$(stat -c '%u:%g %t:%T' /dev/null)" = "0:0 1:3" ] || {
    echo "/dev/null is now $(stat -c '%u:%g %t:%T' /dev/null)"; return 1; }
}

# Per-test clean-up: delete this file's containers, keep $T.
rt_teardown() {
  rt_delete_all
}

# create_out ARGS...: `moat create`; out_of CMD...: any command; its stdio a file in $T (a created
# container holds its stdio open: with bats' `run`, a create that wrongly
# succeeds would hang the test instead of failing it). Sets $status, $output.
create_out() { out_of moat create "$@"; }
out_of() {
  status=0
  "$@" <"$T/empty" >"$T/cmd.out" 2>&1 || status=$?
  output=$(cat "$T/cmd.out")
}

# With moat-fs (tests/helpers/fsemu.bash, sourced by the caller): moat-fs on its
# own temp world ($FS_T, its mountpoint $FS_MNT, state $FS_STATE), then
# moat-runc's world $T, whose moat.conf requires that moat-fs.
rt_fs_setup_file() {
  command -v "$RUNC_BIN" >/dev/null || skip "runc not installed"
  fs_setup_file
  FS_T=$T FS_MNT=$MNT FS_STATE=$STATE
  fs_start
  rt_setup_file
  rt_write_conf "$T/moat.conf" "fsemu_mountpoint = $FS_MNT" "fsemu = required"
  export FS_T FS_MNT FS_STATE
}

rt_fs_teardown_file() {
  rt_teardown_file
  T=$FS_T fs_teardown_file
}
