#!/usr/bin/env bash
# scripts/docker-vm.sh - the moat VM's Docker engine: run INSIDE the guest
# (scripts/vm.sh --disk SIZE -- scripts/docker-vm.sh run -- COMMAND).
#
# Usage: scripts/docker-vm.sh start [--no-control]
#        scripts/docker-vm.sh stop
#        scripts/docker-vm.sh run [--no-control] -- COMMAND [ARGS...]
#
# start: moat-loader (BPF-LSM policy, waits for the pins), moat-fs when built,
#   containerd, and dockerd with moat as its runtime for every container:
#   daemon.json from `moatctl setup docker`, the engine's `runc` a link to
#   moat-runc (a directory first in the engine's PATH: the guest's /usr is the
#   host's, read-only), moat.conf with kernel_policy = required. Docker listens
#   on /var/run/docker.sock (the default: plain `docker` talks to it).
#   Unless --no-control, a second dockerd on the same containerd runs every
#   container with the real runc, for comparison: $MOAT_DOCKER_CONTROL
#   (unix:///run/docker-runc.sock). Both get the image moat-test
#   (scripts/mkimage.sh). Data-roots are on the ext4 disk ($MOAT_VM_DISK):
#   overlay2 and idmapped mounts need it in the 6.1 guest.
# stop: removes every container, stops all of the above, undoes the setup and
#   removes what start made; safe to run twice.
# run: start, COMMAND, stop; exits with COMMAND's status.
#
# Environment: MOAT_DOCKER_TIMEOUT (seconds for the engines to answer,
# default 120), OUTPUT (the build directory, default build).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
out=${OUTPUT:-build}
case $out in /*) ;; *) out=$repo/$out ;; esac
timeout_s=${MOAT_DOCKER_TIMEOUT:-120}
run=/run/moat-docker                 # sockets, pids, logs, configs (tmpfs)
sock=/run/docker.sock control_sock=/run/docker-runc.sock
export MOAT_DOCKER_CONTROL=unix://$control_sock

say() { echo "docker-vm: $*" >&2; }
die() { say "$*"; exit 1; }
elapsed() { echo $((SECONDS - t0))s; }

disk_dir() {
  [ -n "${MOAT_VM_DISK:-}" ] || die "no ext4 disk: run in the guest with scripts/vm.sh --disk SIZE"
  echo "$MOAT_VM_DISK/moat-docker"
}

# ping SOCKET: does the engine answer (curl: no Go start-up under TCG)?
ping() { [ "$(curl -s -m 5 --unix-socket "$1" http://d/_ping 2>/dev/null)" = OK ]; }

# wait_for SECONDS TEST...: poll TEST every 0.2 s.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# close_fds: in a subshell about to exec a daemon, close every inherited fd
# above 2. A daemon that keeps a test runner's pipe open (bats has several)
# keeps whoever reads it waiting for an end of file that never comes.
close_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
  done
  return 0
}

# run_bg LOG PIDFILE CMD...: a daemon in the background, output to LOG.
run_bg() {
  local log=$1 pidfile=$2; shift 2
  (close_fds; exec "$@" </dev/null >>"$log" 2>&1) &
  [ -z "$pidfile" ] || echo $! >"$pidfile"
}

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
loader_pinned() { grep -q "the policy pinned" "$run/loader.log" 2>/dev/null; }

# dockerd and containerd are large Go binaries read over 9p: fault them in
# with one sequential read each while the loader starts.
warm_binaries() {
  cat /usr/sbin/dockerd /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/sbin/runc \
    "$(command -v docker)" >/dev/null 2>&1 &
}

# dockerd refuses to run a container when AppArmor is on and its profile
# cannot be loaded (no apparmor_parser here): tell it AppArmor is off, by a
# file mounted over the module parameter. That mount hides part of /sys, and
# the kernel lets a user namespace mount sysfs only if some sysfs mount of its
# mount namespace is fully visible (mount_too_revealing): a second, plain
# sysfs mount under $run is.
mask_apparmor() {
  local f=/sys/module/apparmor/parameters/enabled
  [ "$(cat $f 2>/dev/null)" = Y ] || return 0
  command -v apparmor_parser >/dev/null && return 0
  echo N >"$run/apparmor-enabled"
  mkdir -p "$run/sysfs"
  mount -t sysfs -o nosuid,nodev,noexec sysfs "$run/sysfs" &&
    mount --bind "$run/apparmor-enabled" $f && : >"$run/apparmor-masked"
}

start_loader() {
  run_bg "$run/loader.log" "$run/loader.pid" "$out/moat-loader" --events-log "$run/denials.log" start
  wait_for 30 loader_pinned || { cat "$run/loader.log" >&2; die "moat-loader did not pin the policy"; }
  say "moat-loader: the kernel policy is enforced ($(elapsed))"
}

start_moat_fs() {
  [ -x "$out/moat-fs" ] || { say "moat-fs: not built, no /proc emulation"; return 0; }
  [ -e /dev/fuse ] || modprobe fuse 2>/dev/null
  if (close_fds; exec "$out/moat-fs" </dev/null >>"$run/moat-fs.log" 2>&1); then
    : >"$run/moat-fs.started"
    say "moat-fs: /proc emulation on /run/moat-fs"
  else
    say "moat-fs: did not start (see $run/moat-fs.log); going on without it"
  fi
}

write_configs() {
  local d=$1
  mkdir -p "$run/bin" "$d"
  cat >"$run/moat.conf" <<EOF
# the moat VM's moat.conf (scripts/docker-vm.sh)
runc = /usr/sbin/runc
kernel_policy = required
idmap = optional
docker_data_root = $d/data
restricted_path = $d
restricted_path = $run
restricted_path = $control_sock
EOF
  cat >"$run/control.json" <<'EOF'
{"runtimes": {"runc-real": {"path": "/usr/sbin/runc"}}, "default-runtime": "runc-real"}
EOF
  cat >"$run/containerd.toml" <<EOF
version = 2
root = "$d/containerd"
state = "$run/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$run/containerd.sock"
EOF
}

# moat as Docker's runtime: what an operator does with `moatctl setup docker`.
setup_docker() {
  "$out/moatctl" setup docker --runtime-path "$out/moat-runc" --runc-path "$run/bin/runc" \
    --moat-conf "$run/moat.conf" --state-dir "$run/setup" --no-systemd --no-reload \
    >"$run/setup.log" 2>&1 || { cat "$run/setup.log" >&2; die "moatctl setup docker failed"; }
  sed 's/^/docker-vm: setup: /' "$run/setup.log" >&2
}

# The engine's environment: moat's runc link first in PATH, moat.conf.
engine_env=()
start_engines() {
  local d=$1 control=$2
  local -a common=(--containerd "$run/containerd.sock" --iptables=false --bridge=none
                   --ip-masq=false --userland-proxy=false
                   --storage-driver overlay2 --exec-opt native.cgroupdriver=cgroupfs)
  engine_env=(env "PATH=$run/bin:$PATH" "MOAT_CONFIG=$run/moat.conf")
  run_bg "$run/containerd.log" "$run/containerd.pid" \
    "${engine_env[@]}" containerd --config "$run/containerd.toml"
  run_bg "$run/dockerd.log" "" \
    "${engine_env[@]}" dockerd --config-file /etc/docker/daemon.json "${common[@]}" \
    --data-root "$d/data" --exec-root "$d/exec" --pidfile "$run/dockerd.pid" -H "unix://$sock"
  if [ "$control" = 1 ]; then
    run_bg "$run/dockerd-runc.log" "" \
      dockerd --config-file "$run/control.json" "${common[@]}" \
      --containerd-namespace control --containerd-plugins-namespace control-plugins \
      --data-root "$d/runc-data" --exec-root "$d/runc-exec" --pidfile "$run/dockerd-runc.pid" \
      -H "unix://$control_sock"
  fi
  if ! wait_for "$timeout_s" ping "$sock"; then
    tail -n 20 "$run/dockerd.log" "$run/containerd.log" >&2
    die "dockerd (moat) did not answer on $sock within ${timeout_s}s (logs above; MOAT_DOCKER_TIMEOUT)"
  fi
  say "dockerd (moat): up on $sock ($(elapsed))"
  if [ "$control" = 1 ]; then
    if ! wait_for "$timeout_s" ping "$control_sock"; then
      tail -n 20 "$run/dockerd-runc.log" >&2
      die "dockerd (runc) did not answer on $control_sock within ${timeout_s}s"
    fi
    say "dockerd (runc, for comparison): up on $control_sock ($(elapsed))"
  fi
}

import_images() {
  local control=$1 pid
  "$repo/scripts/mkimage.sh" --no-check &
  pid=$!
  if [ "$control" = 1 ]; then
    DOCKER_HOST=$MOAT_DOCKER_CONTROL "$repo/scripts/mkimage.sh" --no-check || die "image import (runc) failed"
  fi
  wait "$pid" || die "image import (moat) failed"
  say "image moat-test imported ($(elapsed))"
}

cmd_start() {
  local control=1 d
  [ "${1:-}" != --no-control ] || control=0
  t0=$SECONDS
  [ "$(id -u)" = 0 ] || die "must run as root (in the guest)"
  grep -qw bpf /sys/kernel/security/lsm 2>/dev/null ||
    die "BPF-LSM is not active here: run in the guest (scripts/vm.sh --disk SIZE -- $0 ...)"
  d=$(disk_dir) || exit 1
  [ "$(stat -f -c %T "$MOAT_VM_DISK")" = ext2/ext3 ] || die "$MOAT_VM_DISK is not ext4"
  for b in moat-loader moatctl moat-runc; do
    [ -x "$out/$b" ] || die "$out/$b is not built (make)"
  done
  ! pid_alive "$run/dockerd.pid" || die "already started (scripts/docker-vm.sh stop first)"
  mkdir -p "$run" "$d"
  warm_binaries
  mask_apparmor
  write_configs "$d"
  start_loader
  start_moat_fs
  setup_docker
  start_engines "$d" "$control" || exit 1
  import_images "$control"
}

# stop_pid FILE NAME: SIGTERM, then SIGKILL after 20 s.
stop_pid() {
  local f=$1 pid i
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null
  rm -f "$f"
}

remove_containers() {
  local s ids
  for s in "$sock" "$control_sock"; do
    ping "$s" || continue
    ids=$(curl -s -m 30 --unix-socket "$s" "http://d/containers/json?all=1" | jq -r '.[].Id')
    for id in $ids; do
      say "stop: removing container ${id:0:12}"
      curl -s -m 60 -o /dev/null --unix-socket "$s" -X DELETE "http://d/containers/$id?force=1&v=1"
    done
  done
}

cmd_stop() {
  local d m left
  # only what start made: never another engine that listens on the socket
  [ -d "$run" ] || return 0
  t0=$SECONDS
  d=$(disk_dir 2>/dev/null) || d=
  remove_containers
  say "stop: containers removed ($(elapsed))"
  stop_pid "$run/dockerd.pid"
  stop_pid "$run/dockerd-runc.pid"
  stop_pid "$run/containerd.pid"
  # shims outlive containerd by design; ours name our containerd's socket
  pkill -9 -f -- "-address $run/containerd.sock" 2>/dev/null
  say "stop: engines stopped ($(elapsed))"
  [ ! -e "$run/moat-fs.started" ] || timeout 30 "$out/moat-fs" --stop >/dev/null 2>&1 ||
    say "stop: moat-fs --stop failed"
  stop_pid "$run/loader.pid"
  [ ! -e "$run/loader.log" ] || "$out/moat-loader" stop >/dev/null 2>&1
  [ ! -d "$run/setup" ] || "$out/moatctl" setup docker --undo --state-dir "$run/setup" \
    --no-systemd --no-reload >/dev/null 2>&1 || say "moatctl setup docker --undo failed"
  say "stop: moat-fs, moat-loader stopped, setup undone ($(elapsed))"
  # mounts left below our directories (overlays, shm, netns), deepest first
  for m in $(awk -v a="$d/" -v b="$run/" 'index($5, a) == 1 || index($5, b) == 1 { print $5 }' \
               /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null
  done
  if [ -e "$run/apparmor-masked" ]; then
    umount /sys/module/apparmor/parameters/enabled 2>/dev/null
  fi
  # the engines' cgroups (docker/<id>), empty once the containers are gone
  find /sys/fs/cgroup/docker -depth -type d -exec rmdir {} + 2>/dev/null
  rm -f "$sock" "$control_sock"
  # --one-file-system: never into a mount that is still there (sysfs!)
  [ -z "$d" ] || rm -rf --one-file-system "$d"
  rm -rf --one-file-system "$run"
  left=$(pgrep -f -- "/run/moat-docker/|moat-docker/data|$out/moat-fs" | tr '\n' ' ')
  [ -z "$left" ] || say "stop: still running: $left"
  say "stop: done ($(elapsed))"
  return 0
}

cmd_run() {
  local control_opt=() rc
  while [ $# -gt 0 ]; do
    case $1 in
      --no-control) control_opt=(--no-control); shift ;;
      --) shift; break ;;
      *) break ;;
    esac
  done
  [ $# -gt 0 ] || die "run: no command"
  trap 'cmd_stop' EXIT
  cmd_start "${control_opt[@]}" || exit 1
  "$@"
  rc=$?
  exit "$rc"
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop ;;
  run) shift; cmd_run "$@" ;;
  -h|--help) awk 'NR > 1 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$0" ;;
  *) awk 'NR > 1 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$0" >&2; exit 2 ;;
esac
