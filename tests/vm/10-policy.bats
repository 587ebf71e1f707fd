#!/usr/bin/env bats
# Kernel policy (BPF-LSM), in the QEMU guest, with no user namespace at all:
# each attack runs from a registered cgroup (must be denied) and from an
# unregistered control cgroup (must succeed: the control proves the attack
# is real). Runs as root inside scripts/vm.sh.

load helpers/policy
load helpers/kernel

setup_file() {
  policy_setup_file
}

teardown_file() {
  policy_teardown_file
}

@test "guest: moat-loader attached one set of links" {
  run bpftool link show
  [ "$(grep -c 'attach_type lsm_mac' <<<"$output")" -eq "$NPROGS" ]
}

# --- mount rule -------------------------------------------------------------

@test "mount: debugfs denied in a container, mounts in the control" {
  denied EPERM mount debugfs "$MNT"
  allowed mount debugfs "$MNT"
}

@test "mount: bpf filesystem denied, control mounts it" {
  denied EPERM mount bpf "$MNT"
  allowed mount bpf "$MNT"
}

@test "mount: tracefs, securityfs, configfs, pstore, binfmt_misc denied, control mounts them" {
  for fs in tracefs securityfs configfs pstore binfmt_misc; do
    denied EPERM mount "$fs" "$MNT"
    allowed mount "$fs" "$MNT"
  done
}

@test "mount: tmpfs (an ordinary filesystem) still mounts in a container" {
  run "$ATTACK" --cgroup "$REG" mount tmpfs "$MNT"
  [ "$status" -eq 0 ]
}

@test "new mount API: fsopen(bpf)+fsmount+move_mount denied, control attaches it" {
  denied EPERM fsmount bpf "$MNT"
  allowed fsmount bpf "$MNT"
}

@test "new mount API: a detached fsmount of debugfs is denied too" {
  denied EPERM fsmount debugfs
  allowed fsmount debugfs
}

@test "descendant cgroup: a child cgroup of a container is still the container" {
  run "$ATTACK" --cgroup "$CHILD" mount debugfs "$MNT"
  [ "$status" -eq 1 ]
  [[ "$output" == *"Operation not permitted"* ]]
}

# --- cgroup depth (issue 11, item 7) ------------------------------------------

# deep_cgroup BASE N: make BASE/n1/.../nN and print its path
deep_cgroup() {
  local d=$1
  for i in $(seq "$2"); do d=$d/n$i; done
  mkdir -p "$d" && echo "$d"
}

@test "depth: a container 16 levels deep is still the container in a child cgroup it makes" {
  # the old lookup walked ancestor levels 1-15 only: a child of a container
  # at level 16 escaped every rule
  local deep ctl_deep
  deep=$(deep_cgroup /sys/fs/cgroup/moat-test-deep 15)
  ctl_deep=$(deep_cgroup /sys/fs/cgroup/moat-test-deepctl 15)
  "$MOATCTL" register "$deep"
  mkdir -p "$deep/child/grandchild" "$ctl_deep/child/grandchild"
  run "$ATTACK" --cgroup "$deep/child/grandchild" mount debugfs "$MNT"
  [ "$status" -eq 1 ] && [[ "$output" == *"Operation not permitted"* ]]
  run "$ATTACK" --cgroup "$ctl_deep/child/grandchild" mount debugfs "$MNT"
  [ "$status" -eq 0 ]
  "$MOATCTL" unregister "$deep"
}

@test "depth: registering a cgroup deeper than the lookup reaches is refused with its depth, nothing recorded" {
  local too_deep
  too_deep=$(deep_cgroup /sys/fs/cgroup/moat-test-deep 31)
  run "$MOATCTL" register "$too_deep"
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot register '$too_deep': it is 32 levels deep"*"at most 31 levels deep"* ]]
  run "$MOATCTL" ps
  [[ "$output" != *"$too_deep"* ]]
  # level 31, the deepest reachable, registers and is enforced
  "$MOATCTL" register "${too_deep%/*}"
  run "$ATTACK" --cgroup "$too_deep" mount debugfs "$MNT"
  [ "$status" -eq 1 ] && [[ "$output" == *"Operation not permitted"* ]]
  "$MOATCTL" unregister "${too_deep%/*}"
}

@test "depth: a registered cgroup's cgroup.max.depth stops nesting where the ptrace/pidfd walk ends" {
  local nest
  [ "$(cat "$REG/cgroup.max.depth")" = 16 ]
  nest=$(deep_cgroup "$REG" 16)
  run mkdir "$nest/n17"
  [ "$status" -ne 0 ]
  [[ "$output" == *"Resource temporarily unavailable"* ]]
  # a task 16 levels below is still the container's: its pidfd may be received
  spawn "$ATTACK" --cgroup "$nest" serve-fd "$T/deep-pidfd.sock" pidfd
  wait_for "$T/deep-pidfd.sock"
  run "$ATTACK" --cgroup "$REG" recv-setns "$T/deep-pidfd.sock"
  [ "$status" -eq 0 ]
}

# --- restricted host objects -------------------------------------------------

@test "restricted: reading a file inside a restricted dir is denied" {
  denied EACCES open "$DOCKER_ETC/daemon.json"
  allowed open "$DOCKER_ETC/daemon.json"
}

@test "restricted: bind-mounting a file from a restricted dir is denied" {
  denied EACCES bind "$DOCKER_ETC/daemon.json" "$MNT_FILE"
  allowed bind "$DOCKER_ETC/daemon.json" "$MNT_FILE"
}

@test "restricted: a symlink to the restricted dir does not get around it" {
  ln -sfn "$DOCKER_ETC" "$BATS_FILE_TMPDIR/link"
  denied EACCES open "$BATS_FILE_TMPDIR/link/daemon.json"
  allowed open "$BATS_FILE_TMPDIR/link/daemon.json"
}

@test "restricted: open_tree+move_mount of a restricted dir is denied" {
  denied EPERM open-tree "$DOCKER_ETC" "$MNT"
  allowed open-tree "$DOCKER_ETC" "$MNT"
}

@test "restricted: mounting over a restricted dir is denied" {
  denied EPERM overmount "$DOCKER_ETC"
  allowed overmount "$DOCKER_ETC"
}

@test "restricted: connecting to a restricted unix socket is denied" {
  denied EACCES connect "$DOCKER_SOCK"
  allowed connect "$DOCKER_SOCK"
}

# --- namespace join ------------------------------------------------------------

@test "ns join: setns into the host's netns via /proc/1/ns/net is denied" {
  denied EACCES setns /proc/1/ns/net
  allowed setns /proc/1/ns/net
}

@test "ns join: a host netns fd received over a unix socket is refused" {
  denied EPERM recv-setns "$NS_SOCK"
  allowed recv-setns "$NS_SOCK"
}

@test "ns join: a pidfd of a host process received over a unix socket is refused" {
  # on receipt (file_receive: an anon inode "[pidfd]" in 6.1, a pidfs file
  # from 6.9), not only at the setns (ptrace_access_check)
  denied EPERM recv "$PIDFD_SOCK"
  [[ $output == *"receive fd: Operation not permitted"* ]]
  allowed recv "$PIDFD_SOCK"
  denied EPERM recv-setns "$PIDFD_SOCK"
  allowed recv-setns "$PIDFD_SOCK"
}

@test "ns join: a host pidfd from SO_PEERPIDFD (6.5+: no file_receive) cannot be joined" {
  kernel_at_least 6 5 || skip "SO_PEERPIDFD is 6.5+ (this is $(uname -r))"
  # the pidfd is the container's to hold; setns through it asks
  # ptrace_access_check, which refuses a process outside the container
  denied EPERM peer-setns "$PIDFD_SOCK"
  [[ $output == *"setns: Operation not permitted"* ]]
  allowed peer-setns "$PIDFD_SOCK"
}

@test "ns join: the container's own namespaces can still be joined" {
  run "$ATTACK" --cgroup "$REG" setns "/proc/$SLEEPER/ns/uts"
  [ "$status" -eq 0 ]
}

# --- bpf() -----------------------------------------------------------------------

@test "bpf: bpftool map show fails with Operation not permitted in a container" {
  run sh -c "echo \$\$ > $REG/cgroup.procs && exec bpftool map show"
  [ "$status" -ne 0 ]
  [[ "$output" == *"Error: can't get next map: Operation not permitted"* ]]
  run sh -c "echo \$\$ > $CTL/cgroup.procs && exec bpftool map show"
  [ "$status" -eq 0 ]
  [[ "$output" == *"name containers"* ]]
}

@test "bpf: a container registered with --allow-bpf may use bpf()" {
  mkdir -p "$REG_BPF"
  "$MOATCTL" register --allow-bpf "$REG_BPF"
  run sh -c "echo \$\$ > $REG_BPF/cgroup.procs && exec bpftool map show"
  [ "$status" -eq 0 ]
}

# --- kernel modules ----------------------------------------------------------------

@test "module: finit_module of dummy.ko denied, control loads it" {
  ko=$(modinfo -n dummy 2>/dev/null) || skip "no dummy module for $(uname -r)"
  grep -q '^dummy ' /proc/modules && rmmod dummy
  denied EPERM finit-module "$ko"
  allowed finit-module "$ko"
  rmmod dummy
}

@test "module: a module request (socket(AF_APPLETALK)) is denied, control autoloads it" {
  modinfo appletalk >/dev/null 2>&1 || skip "no appletalk module for $(uname -r)"
  grep -q '^appletalk ' /proc/modules && skip "appletalk already loaded"
  denied EAFNOSUPPORT socket 5
  allowed socket 5
}

# --- events, registration life cycle, loader restarts --------------------------------

@test "events: every denial is logged with rule, pid, command and object" {
  run "$ATTACK" --cgroup "$REG" mount debugfs "$MNT"
  sleep 1
  grep -q "denied rule=mount-fstype pid=.* comm=moat-attack cgroup=$REG_ID object=debugfs" "$DENIALS"
  grep -q "denied rule=bpf .*comm=bpftool" "$DENIALS"
}

@test "moatctl ps lists the registered containers; unregister lets the attack through" {
  run "$MOATCTL" ps
  [[ "$output" == *"$REG"* ]]
  "$MOATCTL" unregister "$REG"
  run "$ATTACK" --cgroup "$REG" mount debugfs "$MNT"
  [ "$status" -eq 0 ]
  "$MOATCTL" register --pid "$SLEEPER" "$REG"
  denied EPERM mount debugfs "$MNT"
}

@test "moatctl refuses the root cgroup and names a missing directory" {
  run "$MOATCTL" register /sys/fs/cgroup
  [ "$status" -ne 0 ]
  [[ "$output" == *"root cgroup"* ]]
  run "$MOATCTL" register /sys/fs/cgroup/does-not-exist
  [ "$status" -ne 0 ]
  [[ "$output" == *"'/sys/fs/cgroup/does-not-exist'"* ]]
}

@test "loader: SIGKILL leaves the policy enforced; a restart adopts it (one set of links)" {
  kill -9 "$(cat "$LOADER_PID")"
  sleep 0.5
  denied EPERM mount debugfs "$MNT"
  start_loader
  grep -q "adopted the policy" "$LOADER_LOG"
  run bpftool link show
  [ "$(grep -c 'attach_type lsm_mac' <<<"$output")" -eq "$NPROGS" ]
  denied EPERM mount debugfs "$MNT"
}

@test "loader: stop removes the pins and enforcement ends" {
  kill "$(cat "$LOADER_PID")"
  "$LOADER" stop
  [ ! -e /sys/fs/bpf/moat ]
  run bpftool link show
  [ "$(grep -c 'attach_type lsm_mac' <<<"$output")" -eq 0 ]
  # at once: stop returns once the programs are detached (6.12 frees the
  # links from a workqueue, 6.1 at the last close)
  run "$ATTACK" --cgroup "$REG" mount debugfs "$MNT"
  echo "$output"
  [ "$status" -eq 0 ]
}

# After the test above: no policy is loaded. pin_dir set in moat.conf alone.
conf_loader_cleanup() {
  [ -e "$T/pin.conf" ] || return 0
  [ -f "$T/conf-loader.pid" ] && kill "$(cat "$T/conf-loader.pid")" 2>/dev/null
  "$LOADER" --config "$T/pin.conf" stop 2>/dev/null || true
}
teardown() { conf_loader_cleanup; }

@test "loader: moat.conf's pin_dir alone: moat-loader pins there, moatctl registers there, stop unpins" {
  local pins=/sys/fs/bpf/moat-conf-test
  printf 'pin_dir = %s\n' "$pins" >"$T/pin.conf"
  MOAT_CONFIG=$T/pin.conf "$LOADER" --events-log '' start >"$T/conf-loader.log" 2>&1 &
  echo $! >"$T/conf-loader.pid"
  for _ in $(seq 100); do
    grep -q "the policy pinned under $pins" "$T/conf-loader.log" && break
    sleep 0.2
  done
  cat "$T/conf-loader.log"
  grep -q "attached the policy pinned under $pins" "$T/conf-loader.log"
  [ -e "$pins/containers" ] && [ ! -e /sys/fs/bpf/moat ]
  "$MOATCTL" --config "$T/pin.conf" register --pid "$SLEEPER" "$REG"
  denied EPERM mount debugfs "$MNT"
  kill "$(cat "$T/conf-loader.pid")"
  "$LOADER" --config "$T/pin.conf" stop
  [ ! -e "$pins" ]
  run "$ATTACK" --cgroup "$REG" mount debugfs "$MNT"
  [ "$status" -eq 0 ]
}
