#!/usr/bin/env bats
# moat-runc with the kernel policy, in the guest: containers are registered
# after create and before start, bpf() is denied inside them while a plain
# runc container may use it, and delete leaves nothing in the maps. The rootfs
# lives on the ext4 disk, so it is an idmapped view as in production.

load ../integration/helpers/runtime
load helpers/policy

setup_file() {
  grep -qw bpf /sys/kernel/security/lsm 2>/dev/null || skip "BPF-LSM is not active here (run in the guest)"
  [ -n "${MOAT_VM_DISK:-}" ] || skip "no ext4 disk (scripts/vm.sh --disk)"
  export T=$MOAT_VM_DISK/rt.$$ PIDS=$BATS_FILE_TMPDIR/pids
  export DENIALS=$BATS_FILE_TMPDIR/denials.log LOADER_LOG=$BATS_FILE_TMPDIR/loader.log
  export LOADER_PID=$BATS_FILE_TMPDIR/loader.pid
  mkdir -p "$T" && chmod 0711 "$T"
  rt_make_rootfs "$T/rootfs"
  add_bpftool "$T/rootfs"
  rt_make_base_bundle
  # the machine's own defaults: state under /run/moat, kernel policy required
  export MOAT_CONF=$T/moat.conf
  printf 'state_dir = /run/moat\nkernel_policy = required\n' >"$MOAT_CONF"
  mkdir -p "$T/runc-root" "$T/plain-root" "$T/bundles"
  : >"$T/empty"
  start_loader
}

teardown_file() {
  [ -n "${T:-}" ] && [ -d "$T" ] && rt_delete_all
  policy_teardown_file
  [ -n "${T:-}" ] && { rt_umount_below "$T"; rm -rf "$T"; }
}

# bpftool and the libraries it needs, copied into the rootfs.
add_bpftool() {
  local r=$1 lib
  mkdir -p "$r/usr/sbin"
  cp /usr/sbin/bpftool "$r/usr/sbin/"
  for lib in $(ldd /usr/sbin/bpftool | grep -o '/[^ ]*'); do
    mkdir -p "$r$(dirname "$lib")"
    cp -L "$lib" "$r$lib"
  done
}

sleeper() { bundle "$1" '.process.args = ["sleep", "600"]'; }
privileged() {
  bundle "$1" '.process.args = ["sleep", "600"]
    | .process.capabilities |= with_entries(.value = ["CAP_SYS_ADMIN","CAP_BPF","CAP_PERFMON","CAP_NET_ADMIN","CAP_SYS_RESOURCE"])
    | del(.linux.seccomp) | .linux.maskedPaths = [] | .linux.readonlyPaths = []
    | .mounts |= map(if .destination == "/sys/fs/cgroup" then .options -= ["ro"] else . end)'
}

@test "runtime: a moat container is registered before it starts" {
  b=$(sleeper reg)
  moat create --bundle "$b" reg <"$T/empty" >"$T/reg.out" 2>&1
  # created, not started: already in the kernel policy
  pid=$(moat state reg | jq -r .pid)
  cg=$(sed -n 's/^0:://p' /proc/"$pid"/cgroup)
  run "$MOATCTL" ps
  [[ "$output" == *"/sys/fs/cgroup$cg"* ]]
  moat start reg
  run moat exec reg cat /proc/self/uid_map
  [[ "$output" =~ ^[[:space:]]*0[[:space:]]+100000[[:space:]]+65536 ]]
}

@test "runtime: bpftool map show fails inside a privileged moat container, works under plain runc" {
  b=$(privileged bpfbox)
  moat run -d --bundle "$b" bpfbox <"$T/empty" >"$T/bpfbox.out" 2>&1
  run moat exec bpfbox bpftool map show
  [ "$status" -ne 0 ]
  [[ "$output" == *"Error: can't get next map: Operation not permitted"* ]]
  plain_runc run -d --bundle "$b" plainbox <"$T/empty" >"$T/plainbox.out" 2>&1
  run plain_runc exec plainbox bpftool map show
  [ "$status" -eq 0 ]
  [[ "$output" == *"name containers"* ]]
}

@test "runtime: the BPF rule holds for a moat container's child cgroup" {
  run moat exec bpfbox sh -c 'mkdir -p /sys/fs/cgroup/inner && echo $$ > /sys/fs/cgroup/inner/cgroup.procs && cat /proc/self/cgroup && exec bpftool map show'
  [[ "$output" == *"0::/inner"* ]]
  [[ "$output" == *"Error: can't get next map: Operation not permitted"* ]]
}

@test "runtime: run -d records the start mounts: /proc cannot be unmounted (plain runc: it can)" {
  id=$(stat -c %i "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/"$(moat state bpfbox | jq -r .pid)"/cgroup)")
  run bpftool map dump pinned /sys/fs/bpf/moat/protected_mounts
  [[ "$output" == *"\"cgroup_id\": $id"* ]]
  run moat exec bpfbox umount -l /proc
  [ "$status" -ne 0 ]
  run moat exec bpfbox test -e /proc/self/status
  [ "$status" -eq 0 ]
  run plain_runc exec plainbox umount -l /proc
  [ "$status" -eq 0 ]
  run plain_runc exec plainbox test -e /proc/self/status
  [ "$status" -ne 0 ]
}

@test "runtime: the spec's remount transcript: a read-only bind stays read-only, own tmpfs is free" {
  mkdir -p "$T/home" && echo hi >"$T/home/file"
  b=$(bundle vet '.process.args = ["sleep", "600"] | .root.readonly = false
    | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])
    | .mounts += [{"destination": "/mnt", "type": "bind", "source": $home, "options": ["rbind", "ro"]}]' \
    --arg home "$T/home")
  moat create --bundle "$b" vet <"$T/empty" >"$T/vet.out" 2>&1
  moat start vet
  run moat exec vet mount -o remount,rw /mnt /mnt
  [ "$status" -ne 0 ]
  [[ "$output" == *"mount: permission denied (are you root?)"* ]]
  run moat exec vet sh -c 'mkdir -p /root/tmpfs && mount -t tmpfs tmpfs /root/tmpfs &&
    mount -o remount,ro /root/tmpfs /root/tmpfs && grep " /root/tmpfs " /proc/mounts &&
    mount -o remount,rw /root/tmpfs /root/tmpfs && grep " /root/tmpfs " /proc/mounts && umount /root/tmpfs'
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"tmpfs /root/tmpfs tmpfs ro,"* ]]
  [[ "$output" == *"tmpfs /root/tmpfs tmpfs rw,"* ]]
  run moat exec vet umount /proc
  [ "$status" -ne 0 ]
  # control: plain runc, same bundle: the remount works
  plain_runc run -d --bundle "$b" vetctl <"$T/empty" >"$T/vetctl.out" 2>&1
  run plain_runc exec vetctl mount -o remount,rw /mnt /mnt
  [ "$status" -eq 0 ]
  run plain_runc exec vetctl sh -c 'grep " /mnt " /proc/mounts'
  [[ "$output" == *" rw,"* ]]
}

@test "runtime: delete removes the container from every map" {
  id=$(stat -c %i "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/"$(moat state bpfbox | jq -r .pid)"/cgroup)")
  moat delete --force bpfbox
  run "$MOATCTL" ps
  [[ "$output" != *"$id"* ]]
  run bpftool map dump pinned /sys/fs/bpf/moat/ns_owner
  [[ "$output" != *"\"cgroup_id\": $id"* ]]
  run bpftool map dump pinned /sys/fs/bpf/moat/protected_mounts
  [[ "$output" != *"\"cgroup_id\": $id"* ]]
}

@test "runtime: without the loader, kernel_policy = required refuses the container" {
  kill "$(cat "$LOADER_PID")"; "$LOADER" stop
  b=$(sleeper failclosed)
  out_of moat run -d --bundle "$b" failclosed
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot apply the kernel policy to container failclosed"* ]]
  [ -z "$("$RUNC_BIN" --root "$T/runc-root" list -q | grep failclosed)" ]
  start_loader
}

# Issue 11, item 10: protected_mounts holds 65536 start mounts for all
# containers. One container with more start mounts than max_start_mounts is
# refused before it starts and leaves no entry; the next container starts.
# The same spec runs under plain runc (the refusal is moat's quota).
@test "runtime: a container over max_start_mounts is refused, leaves no entry, and another still starts" {
  printf 'state_dir = /run/moat\nkernel_policy = required\nmax_start_mounts = 40\n' >"$T/quota.conf"
  b=$(bundle manymounts '.process.args = ["sleep", "600"]
    | .mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}]
    | .mounts += [range(0; 60) | {"destination": "/mnt/m\(.)", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}]')
  MOAT_CONF=$T/quota.conf moat create --bundle "$b" manymounts <"$T/empty" >"$T/manymounts.out" 2>&1
  id=$(stat -c %i "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/"$(moat state manymounts | jq -r .pid)"/cgroup)")
  MOAT_CONF=$T/quota.conf out_of moat start manymounts
  [ "$status" -ne 0 ]
  [[ "$output" == *"container manymounts has more than 40 start mounts, the most the kernel policy records for one container (max_start_mounts in $T/quota.conf)"* ]]
  run bpftool map dump pinned /sys/fs/bpf/moat/protected_mounts
  [[ "$output" != *"\"cgroup_id\": $id"* ]]
  MOAT_CONF=$T/quota.conf moat delete --force manymounts
  # a second container starts and gets its start mounts recorded
  b2=$(sleeper second)
  MOAT_CONF=$T/quota.conf moat create --bundle "$b2" second <"$T/empty" >"$T/second.out" 2>&1
  MOAT_CONF=$T/quota.conf moat start second
  id2=$(stat -c %i "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/"$(moat state second | jq -r .pid)"/cgroup)")
  run bpftool map dump pinned /sys/fs/bpf/moat/protected_mounts
  [[ "$output" == *"\"cgroup_id\": $id2"* ]]
  MOAT_CONF=$T/quota.conf moat delete --force second
  # control: plain runc runs the same spec with its 61 mounts
  plain_runc run -d --bundle "$b" manyplain <"$T/empty" >"$T/manyplain.out" 2>&1
  run plain_runc exec manyplain sh -c 'grep -c " /mnt/m" /proc/mounts'
  [ "$output" -eq 60 ]
  plain_runc delete --force manyplain
}
