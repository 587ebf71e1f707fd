#!/usr/bin/env bats
# Start mounts (the kernel half of mount vetting), in the guest, no user
# namespace: a "container" with its own mount namespace, registered and with
# its mounts recorded. From the registered cgroup the mounts it started with
# cannot be remounted rw or unmounted; from the control cgroup, in the very
# same mount namespace, they can. Mounts it makes itself stay free to use
# (the spec's tmpfs transcript).

load helpers/policy

setup_file() {
  policy_setup_file
  export RO_SRC=$T/ro-src RO=$T/ro RW=$T/rw COPY=$T/copy
  mkdir -p "$RO_SRC/sub/deeper" "$RO" "$RW" "$COPY"
  echo data >"$RO_SRC/file"
  mkdir -p "$BOXCG"
  spawn sh -c "echo \$\$ > $BOXCG/cgroup.procs && exec unshare -m --propagation private sh -c 'mount --bind $RO_SRC $RO && mount -o remount,bind,ro $RO && mount --bind $RO_SRC $RW && exec sleep 3600'"
  local sh_pid; sh_pid=$(tail -n1 "$PIDS")
  for _ in $(seq 50); do
    grep -q " $RO " /proc/"$sh_pid"/mountinfo 2>/dev/null && grep -q " $RW " /proc/"$sh_pid"/mountinfo && break
    sleep 0.1
  done
  export BOX=$sh_pid
  "$MOATCTL" register --pid "$BOX" "$BOXCG"
  "$MOATCTL" protect-mounts "$BOXCG" "$BOX"
}

teardown_file() {
  policy_teardown_file
}

BOXCG=/sys/fs/cgroup/moat-test-box

# in_box CGROUP CMD...: run CMD in the box's mount namespace from CGROUP.
in_box() {
  local cg=$1; shift
  run sh -c "echo \$\$ > $cg/cgroup.procs && exec nsenter -t $BOX -m -- $*"
}

@test "protect: a read-only start mount cannot be remounted rw (control can)" {
  in_box "$BOXCG" mount -o remount,bind,rw "$RO"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ermission denied"* || "$output" == *"not permitted"* ]]
  in_box "$CTL" mount -o remount,bind,rw "$RO"
  [ "$status" -eq 0 ]
  in_box "$CTL" mount -o remount,bind,ro "$RO"
  [ "$status" -eq 0 ]
}

# rebind-rw and open-tree-rw of the escape battery, against the kernel rule
# alone: a bind copy is a new mount the container made, not a start mount.
@test "protect: a bind copy (mount --bind) of a read-only start mount cannot be made rw (control can)" {
  in_box "$BOXCG" "$ATTACK" copy-rw bind "$RO" "$COPY"
  [ "$status" -eq 1 ]
  [[ "$output" == *"remount,bind,rw: Operation not permitted"* ]]
  in_box "$CTL" "$ATTACK" copy-rw bind "$RO" "$COPY"
  [ "$status" -eq 0 ]
}

@test "protect: an open_tree clone + move_mount of a read-only start mount cannot be made rw (control can)" {
  in_box "$BOXCG" "$ATTACK" copy-rw open-tree "$RO" "$COPY"
  [ "$status" -eq 1 ]
  [[ "$output" == *"remount,bind,rw: Operation not permitted"* ]]
  in_box "$CTL" "$ATTACK" copy-rw open-tree "$RO" "$COPY"
  [ "$status" -eq 0 ]
}

@test "protect: a bind copy of a directory beneath a read-only start mount cannot be made rw (control can)" {
  in_box "$BOXCG" "$ATTACK" copy-rw bind "$RO/sub/deeper" "$COPY"
  [ "$status" -eq 1 ]
  in_box "$BOXCG" "$ATTACK" copy-rw open-tree "$RO/sub" "$COPY"
  [ "$status" -eq 1 ]
  in_box "$CTL" "$ATTACK" copy-rw bind "$RO/sub/deeper" "$COPY"
  [ "$status" -eq 0 ]
}

@test "protect: a bind copy of a read-only start mount may be remounted if it stays ro" {
  in_box "$BOXCG" sh -c "'mount --bind $RO $COPY && mount -o remount,bind,ro,nosuid $COPY && umount $COPY'"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "protect: a start mount cannot be unmounted (control can, then restores it)" {
  in_box "$BOXCG" umount "$RW"
  [ "$status" -ne 0 ]
  in_box "$BOXCG" umount -l /proc
  [ "$status" -ne 0 ]
  in_box "$CTL" umount "$RW"
  [ "$status" -eq 0 ]
}

@test "protect: nothing can be mounted over /proc (control can)" {
  in_box "$BOXCG" mount -t tmpfs tmpfs /proc
  [ "$status" -ne 0 ]
  in_box "$CTL" mount -t tmpfs tmpfs /proc
  [ "$status" -eq 0 ]
  in_box "$CTL" umount /proc
}

@test "protect: a remount that keeps a start mount ro is allowed" {
  in_box "$BOXCG" mount -o remount,bind,ro,nosuid "$RO"
  [ "$status" -eq 0 ]
}

@test "protect: the spec's tmpfs transcript: own mounts can be mounted, remounted ro and rw, unmounted" {
  in_box "$BOXCG" sh -c "'mkdir -p $T/own && mount -t tmpfs tmpfs $T/own && mount -o remount,ro $T/own && grep \" $T/own .* ro,\" /proc/self/mountinfo && mount -o remount,rw $T/own && grep \" $T/own .* rw,\" /proc/self/mountinfo && umount $T/own'"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "protect: denials are logged as mount-protected" {
  sleep 0.5
  grep -q "denied rule=mount-protected .*cgroup=$(stat -c %i "$BOXCG")" "$DENIALS"
}
