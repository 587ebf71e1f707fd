#!/usr/bin/env bats
# Mount vetting (fsemu/vet.h) with the kernel policy, in the guest: the
# spec's transcript, /proc/sysrq-trigger kept from the host, and the remount
# race against a read-only root that runc made inside the container (not
# locked by the user namespace): only the kernel policy's protected start
# mounts (bpf/protect.bpf.c) hold it, which the control without the policy
# shows. The rootfs lives on the ext4 disk (idmapped, as in production).

load ../integration/helpers/runtime
load helpers/policy
load helpers/kernel
source "$BATS_TEST_DIRNAME/../helpers/fsemu.bash"

setup_file() {
  grep -qw bpf /sys/kernel/security/lsm 2>/dev/null || skip "BPF-LSM is not active here (run in the guest)"
  [ -n "${MOAT_VM_DISK:-}" ] || skip "no ext4 disk (scripts/vm.sh --disk)"
  [ -e /dev/fuse ] || modprobe fuse
  fs_setup_file
  FS_T=$T FS_MNT=$MNT FS_STATE=$STATE
  fs_start
  export T=$MOAT_VM_DISK/vet.$$ PIDS=$BATS_FILE_TMPDIR/pids
  export DENIALS=$BATS_FILE_TMPDIR/denials.log LOADER_LOG=$BATS_FILE_TMPDIR/loader.log
  export LOADER_PID=$BATS_FILE_TMPDIR/loader.pid
  mkdir -p "$T" && chmod 0711 "$T"
  rt_make_rootfs "$T/rootfs"
  mkdir -p "$T/rootfs/root/tmpfs" "$T/home"
  echo hello >"$T/home/file"
  cp "$OUT/tests/remount-race" "$T/rootfs/remount-race"
  rt_make_base_bundle
  export MOAT_CONF=$T/moat.conf
  printf 'state_dir = /run/moat\nkernel_policy = required\nfsemu = required\nfsemu_mountpoint = %s\n' \
    "$FS_MNT" >"$MOAT_CONF"
  # the layer switched off: no kernel policy (no loader at this pin dir)
  printf 'state_dir = /run/moat\nkernel_policy = optional\npin_dir = %s/no-pin\nfsemu = required\nfsemu_mountpoint = %s\n' \
    "$T" "$FS_MNT" >"$T/nopolicy.conf"
  mkdir -p "$T/runc-root" "$T/plain-root" "$T/bundles"
  : >"$T/empty"
  start_loader
  export FS_T FS_MNT FS_STATE
}

teardown_file() {
  [ -n "${T:-}" ] && [ -d "$T" ] && rt_delete_all
  policy_teardown_file
  [ -n "${T:-}" ] && { rt_umount_below "$T"; rm -rf "$T"; }
  T=$FS_T MNT=$FS_MNT STATE=$FS_STATE fs_teardown_file
}
teardown() { rt_delete_all; }

# vetted NAME SCRIPT: the spec's container (--cap-add SYS_ADMIN -v $HOME:/mnt:ro,
# --read-only) running SCRIPT.
vetted() {
  bundle "$1" '.process.args = ["sh", "-c", $s] | .root.readonly = true
    | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])
    | .mounts += [{destination: "/mnt", type: "bind", source: ($T + "/home"), options: ["rbind", "ro"]},
                  {destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]' \
    --arg s "$2" --arg T "$T"
}

# create + start (start records the start mounts), wait, print the output.
run_moat() {
  local b=$1 id=$2
  moat create --bundle "$b" "$id" <"$T/empty" >"$T/$id.out" 2>&1 || { cat "$T/$id.out"; return 1; }
  moat start "$id" >>"$T/$id.out" 2>&1
  for _ in $(seq 600); do
    [ "$(moat state "$id" 2>/dev/null | jq -r .status)" = stopped ] && break
    sleep 0.1
  done
  cat "$T/$id.out"
  moat delete --force "$id" >/dev/null 2>&1
}

@test "vet: the spec's transcript in the guest" {
  local b
  b=$(vetted transcript 'mount -o remount,rw /mnt /mnt; mount -t tmpfs tmpfs /root/tmpfs &&
    mount -o remount,ro /root/tmpfs /root/tmpfs && grep " /root/tmpfs " /proc/mounts &&
    mount -o remount,rw /root/tmpfs /root/tmpfs && grep " /root/tmpfs " /proc/mounts &&
    umount /root/tmpfs && umount /proc; echo end')
  run run_moat "$b" vet-transcript
  echo "$output"
  [[ "$output" == *"mount: permission denied (are you root?)"* ]]
  [[ "$output" == *"tmpfs /root/tmpfs tmpfs ro,"*"tmpfs /root/tmpfs tmpfs rw,"* ]]
  [[ "$output" == *"umount: can't unmount /proc: Operation not permitted"* ]]
  # with the kernel policy, umount2 is not trapped: the kernel refused it
  grep -q "rule=mount-protected" "$DENIALS"
  grep -q "container vet-transcript: denied mount of /mnt" "$FS_STATE"/*.log
}

@test "vet: seccomp wake-ups are synchronous where the kernel offers them (6.6+), as before where not" {
  # after the transcript's container: moat-fs has set up one seccomp fd
  if kernel_at_least 6 6; then
    grep -q "seccomp notifications: synchronous wake-ups (6.6+)" "$FS_STATE"/*.log
  else
    grep -q "seccomp notifications: no synchronous wake-ups on this kernel (6.6+): Invalid argument" "$FS_STATE"/*.log
  fi
}

@test "vet: writing /proc/sysrq-trigger in a moat container never reaches the kernel" {
  local b before
  b=$(vetted sysrq 'echo h >/proc/sysrq-trigger && echo written' | tail -n1)
  jq '.linux.readonlyPaths += ["/proc/sysrq-trigger"]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
  before=$(dmesg | grep -c 'sysrq: HELP' || true)
  run run_moat "$b" vet-sysrq
  echo "$output"
  [[ "$output" == *written* ]]
  [ "$(dmesg | grep -c 'sysrq: HELP' || true)" = "$before" ]
  # the control: plain runc, as root on the guest, no read-only path
  jq '.linux.readonlyPaths = []' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
  run plain_runc run --bundle "$b" vet-sysrq-plain <"$T/empty"
  echo "plain runc: $output"
  [[ "$output" == *written* ]]
  [ "$(dmesg | grep -c 'sysrq: HELP' || true)" -gt "$before" ]
}

# The read-only root is made by runc inside the container: the user namespace
# does not lock it. The vetting reads the path, the kernel reads it again; a
# flipping thread wins that race without the kernel policy, never with it.
@test "vet: the remount race on the read-only root (10000 tries) never wins with the kernel policy" {
  local b
  b=$(vetted race 'mount -t tmpfs tmpfs /root/tmpfs && /remount-race 10000 / /root/tmpfs')
  MOAT_CONF=$T/nopolicy.conf run run_moat "$b" vet-race-nopolicy
  echo "without the kernel policy: $output"
  [[ "$output" =~ writable=[1-9] ]]
  run run_moat "$b" vet-race
  echo "with it: $output"
  [[ "$output" =~ tries=10000\ remounted=[1-9][0-9]*\ writable=0 ]]
}
