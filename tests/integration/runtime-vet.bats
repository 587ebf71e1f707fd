#!/usr/bin/env bats
# moat-runc + moat-fs: mount vetting over seccomp user notification
# (fsemu/vet.h). A container with CAP_SYS_ADMIN and a read-only host bind,
# as in the spec's transcript. The vetting alone (no kernel policy here) is
# what answers for the mounts runc made inside the container (/, /proc,
# the emulated files): the control is the same container under moat-runc
# with moat-fs not vetting (--no-vet, fsemu = optional), and plain runc.
load helpers/runtime
source "$BATS_TEST_DIRNAME/../helpers/fsemu.bash"

setup_file() {
  rt_fs_setup_file
  mkdir -p "$T/home" "$T/rootfs/root/tmpfs"
  cp "$REPO/${OUTPUT:-build}/tests/remount-race" "$T/rootfs/remount-race"
  echo hello >"$T/home/file"
}

teardown_file() { rt_fs_teardown_file; }
teardown() { rt_teardown; }

# vetted NAME SCRIPT: the spec's container (--cap-add SYS_ADMIN -v $HOME:/mnt:ro)
# running SCRIPT; root read-only like `docker run --read-only`.
vetted() {
  bundle "$1" '.process.args = ["sh", "-c", $s] | .root.readonly = true
    | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])
    | .linux.cgroupsPath = $cg
    | .mounts += [{destination: "/mnt", type: "bind", source: ($T + "/home"), options: ["rbind", "ro"]},
                  {destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]' \
    --arg s "$2" --arg T "$T" --arg cg "/$CGNAME-$1"
}

fs_log() { cat "$FS_STATE"/*.log 2>/dev/null; }

@test "the spec's transcript: a read-only bind stays read-only, the container's own tmpfs is its own" {
  local b
  b=$(vetted transcript 'mount -o remount,rw /mnt /mnt; echo "rc=$?"
    mount -t tmpfs tmpfs /root/tmpfs && mount -o remount,ro /root/tmpfs /root/tmpfs &&
    grep " /root/tmpfs " /proc/mounts && mount -o remount,rw /root/tmpfs /root/tmpfs &&
    grep " /root/tmpfs " /proc/mounts && umount /root/tmpfs && echo unmounted')
  out_of moat run --bundle "$b" vet-transcript
  echo "$output"
  [ "$status" -eq 0 ]
  # runc relays the container's stdout and stderr through two pipes: their
  # lines may come in either order
  [[ "$output" == *"mount: permission denied (are you root?)"* ]]
  [[ "$output" == *"rc=255"* || "$output" == *"rc=1"* ]]
  [[ "$output" == *"tmpfs /root/tmpfs tmpfs ro,"* ]]
  [[ "$output" == *"tmpfs /root/tmpfs tmpfs rw,"* ]]
  [[ "$output" == *unmounted* ]]
}

# attack NAME SCRIPT [moat-only]: SCRIPT prints ESCAPED when its mount call
# worked. The controls: plain runc (unless moat-only: what moat itself adds),
# and moat-runc with moat-fs not vetting.
attack() {
  local b
  b=$(vetted "$1" "$2")
  if [ -z "${3:-}" ]; then
    out_of plain_runc run --bundle "$b" "vet-$1-plain"
    echo "plain runc: $output"
    [[ "$output" == *ESCAPED* ]]
  fi
  MOAT_CONF=$T/novet.conf out_of moat run --bundle "$b" "vet-$1-novet"
  echo "moat-runc, moat-fs not vetting: $output"
  [[ "$output" == *ESCAPED* ]]
  out_of moat run --bundle "$b" "vet-$1"
  echo "moat-runc, vetted: $output"
  [[ "$output" != *ESCAPED* ]]
  [[ "$output" == *"Operation not permitted"* || "$output" == *"permission denied"* ]]
  fs_log | grep -q "container vet-$1: denied"
}

novet_setup() {
  [ -e "$T/novet/mnt" ] && return 0
  mkdir -p "$T/novet/mnt" "$T/novet/state"
  MNT=$T/novet/mnt STATE=$T/novet/state fs_start --no-vet
  rt_write_conf "$T/novet.conf" "fsemu_mountpoint = $T/novet/mnt" "fsemu = optional"
}

@test "/proc cannot be unmounted" {
  novet_setup
  attack umount-proc 'umount -l /proc && echo ESCAPED'
}

@test "an emulated file cannot be unmounted" {
  novet_setup
  attack umount-uptime 'umount /proc/uptime && echo ESCAPED' moat-only
}

@test "the read-only root cannot be remounted read-write" {
  novet_setup
  attack remount-root 'mount -o remount,bind,rw / && echo ESCAPED'
}

@test "a non-recursive bind of /proc does not uncover the emulated files" {
  novet_setup
  attack bind-proc 'mount --bind /proc /tmp && echo ESCAPED' moat-only
}

@test "the rewritten spec traps the mount calls to moat-fs, nothing else" {
  local b
  b=$(vetted spec 'true')
  out_of moat create --bundle "$b" vet-spec
  [ "$status" -eq 0 ]
  jq -e --arg sock "$FS_MNT.vet.sock" '.linux.seccomp.listenerPath == $sock
    and ([.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_NOTIFY") | .names[]] | unique
         == ["mount", "move_mount", "open_tree", "umount2"])' \
    "$T/state/containers/vet-spec/config.json"
  moat delete --force vet-spec
}

@test "moat-fs not vetting with fsemu = required refuses the container and leaves nothing" {
  novet_setup
  local b
  rt_write_conf "$T/novet-req.conf" "fsemu_mountpoint = $T/novet/mnt" "fsemu = required"
  b=$(vetted refused 'echo ran')
  MOAT_CONF=$T/novet-req.conf out_of moat run --bundle "$b" vet-refused
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"moat-fs on $T/novet/mnt does not vet mounts (no $T/novet/mnt.vet.sock)"* ]]
  [[ "$output" != *ran* ]]
  assert_nothing_left
}

# The vetting reads the path, then the kernel reads it again: a thread
# flipping it between the container's own tmpfs and the read-only /mnt must
# never get /mnt remounted read-write (the kernel's lock on the sealed view
# is the race-free backstop; runtime/seal.h).
@test "the remount race (10000 tries, a thread flipping the path) never makes /mnt writable" {
  local b script='mount -t tmpfs tmpfs /root/tmpfs && /remount-race 10000 /mnt /root/tmpfs'
  b=$(vetted race "$script")
  out_of plain_runc run --bundle "$b" vet-race-plain
  echo "plain runc: $output"
  [[ "$output" =~ writable=[1-9] ]]
  out_of moat run --bundle "$b" vet-race
  echo "moat: $output"
  [ "$status" -eq 0 ]
  [[ "$output" =~ tries=10000\ remounted=[1-9][0-9]*\ writable=0 ]]
}

# The keeper holds every container's seccomp fd (fsemu/keeper.h): a worker
# killed with SIGKILL is replaced, the new one takes the fds over, and the
# running container's mounts are vetted on (without the handover its trapped
# calls would fail with ENOSYS from then on).
@test "kill -9 of moat-fs's worker: a running container's mounts are vetted on" {
  local b old i
  mkdir -p "$T/ctl" && chmod 0777 "$T/ctl" && rm -f "$T/ctl"/*
  b=$(vetted restart 'while [ ! -e /ctl/go ]; do sleep 0.1; done
    umount -l /proc 2>/ctl/umount.err; echo $? >/ctl/umount.rc
    mount -t tmpfs tmpfs /root/tmpfs 2>/ctl/mount.err; echo $? >/ctl/mount.rc; sleep 600')
  jq --arg T "$T" '.mounts += [{destination: "/ctl", type: "bind", source: ($T + "/ctl"), options: ["rbind"]}]' \
    "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
  mkdir -p "$T/rootfs/ctl"
  detached moat "$b" vet-restart
  old=$(fs_worker_pid)
  kill -9 "$old"
  for i in $(seq 100); do
    [ -n "$(fs_worker_pid)" ] && [ "$(fs_worker_pid)" != "$old" ] && kill -0 "$(fs_worker_pid)" 2>/dev/null && break
    sleep 0.1
  done
  [ "$(fs_worker_pid)" != "$old" ]
  touch "$T/ctl/go"
  for i in $(seq 100); do [ -e "$T/ctl/mount.rc" ] && break; sleep 0.1; done
  cat "$T/ctl"/*.err
  [ "$(cat "$T/ctl/umount.rc")" != 0 ]
  grep -q "Operation not permitted" "$T/ctl/umount.err"
  [ "$(cat "$T/ctl/mount.rc")" = 0 ]
  fs_log | grep -qE "took over [0-9]+ seccomp fds from the keeper"
  fs_log | grep -q "container vet-restart: denied umount2 of /proc"
}
