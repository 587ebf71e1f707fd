# Shared setup for the kernel-policy suites in the guest.
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
OUT=${OUTPUT:-build}
case $OUT in /*) ;; *) OUT=$REPO/$OUT ;; esac
ATTACK=$OUT/tests/moat-attack
LOADER=$OUT/moat-loader
MOATCTL=$OUT/moatctl
NPROGS=12

export REG=/sys/fs/cgroup/moat-test-reg CTL=/sys/fs/cgroup/moat-test-ctl
export CHILD=$REG/child REG_BPF=/sys/fs/cgroup/moat-test-bpf

start_loader() {
  "$LOADER" --events-log "$DENIALS" start >>"$LOADER_LOG" 2>&1 &
  echo $! >"$LOADER_PID"
  disown $! 2>/dev/null || true
  for _ in $(seq 50); do
    grep -q "the policy pinned" "$LOADER_LOG" 2>/dev/null && return 0
    sleep 0.2
  done
  cat "$LOADER_LOG" >&2
  return 1
}

# A background helper process; its pid is appended to $PIDS.
spawn() {
  "$@" </dev/null >/dev/null 2>&1 &
  echo $! >>"$PIDS"
}

wait_for() { for _ in $(seq 50); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }

policy_setup_file() {
  [ -d /sys/fs/bpf ] && grep -qw bpf /sys/kernel/security/lsm ||
    skip "BPF-LSM is not active here (run in the guest: scripts/vm.sh)"
  export T=$BATS_FILE_TMPDIR PIDS=$BATS_FILE_TMPDIR/pids
  export DENIALS=$T/denials.log LOADER_LOG=$T/loader.log LOADER_PID=$T/loader.pid
  export MNT=$T/mnt MNT_FILE=$T/mnt-file DOCKER_ETC=$T/etc-docker
  export DOCKER_SOCK=$T/docker.sock NS_SOCK=$T/ns.sock PIDFD_SOCK=$T/pidfd.sock
  mkdir -p "$MNT" "$DOCKER_ETC" "$REG" "$CTL" "$CHILD"
  : >"$MNT_FILE"
  echo '{}' >"$DOCKER_ETC/daemon.json"
  start_loader
  # the "container": a process with private namespaces in the registered cgroup
  spawn sh -c "echo \$\$ > $REG/cgroup.procs && exec unshare --net --uts --ipc --mount --pid --fork sleep 3600"
  local unshare_pid; unshare_pid=$(tail -n1 "$PIDS")
  for _ in $(seq 50); do
    SLEEPER=$(cat /proc/"$unshare_pid"/task/*/children 2>/dev/null | awk '{print $1}')
    [ -n "$SLEEPER" ] && break; sleep 0.1
  done
  export SLEEPER
  "$MOATCTL" register --pid "$SLEEPER" "$REG"
  export REG_ID; REG_ID=$(stat -c %i "$REG")
  # host objects and servers, all unregistered
  spawn "$ATTACK" listen "$DOCKER_SOCK"
  spawn "$ATTACK" serve-fd "$NS_SOCK" /proc/1/ns/net
  spawn "$ATTACK" serve-fd "$PIDFD_SOCK" pidfd
  wait_for "$DOCKER_SOCK" && wait_for "$NS_SOCK" && wait_for "$PIDFD_SOCK"
  "$MOATCTL" restrict "$DOCKER_ETC"
  "$MOATCTL" restrict "$DOCKER_SOCK"
}

policy_teardown_file() {
  [ -n "${PIDS:-}" ] && [ -f "$PIDS" ] && xargs -r kill -9 <"$PIDS" 2>/dev/null
  [ -f "${LOADER_PID:-/nonexistent}" ] && kill "$(cat "$LOADER_PID")" 2>/dev/null
  "$LOADER" stop 2>/dev/null || true
  umount -l "$MNT" "$MNT_FILE" "$DOCKER_ETC" 2>/dev/null || true
  sleep 0.2
  # deepest first: rmdir needs a cgroup without children
  for cg in $(find "$REG" /sys/fs/cgroup/moat-test-* -depth -type d 2>/dev/null) "$REG_BPF"; do
    [ -d "$cg" ] || continue
    xargs -r kill -9 <"$cg/cgroup.procs" 2>/dev/null
    rmdir "$cg" 2>/dev/null || true
  done
}

# denied ERRNO-NAME ACTION ARGS: the attack fails in the registered cgroup.
denied() {
  local want=$1; shift
  local msg
  case $want in
    EPERM) msg="Operation not permitted" ;;
    EACCES) msg="Permission denied" ;;
    EAFNOSUPPORT) msg="Address family not supported by protocol" ;;
    *) echo "denied: unknown errno name $want"; return 1 ;;
  esac
  run "$ATTACK" --cgroup "$REG" "$@"
  if [ "$status" -ne 1 ] || [[ "$output" != *"$msg"* ]]; then
    echo "expected '$*' to be denied with $want ($msg) in $REG; status $status: $output"
    return 1
  fi
}

# allowed ACTION ARGS: the same attack works from the control cgroup.
allowed() {
  run "$ATTACK" --cgroup "$CTL" "$@"
  if [ "$status" -ne 0 ]; then
    echo "control: expected '$*' to succeed in $CTL; status $status: $output"
    return 1
  fi
}
