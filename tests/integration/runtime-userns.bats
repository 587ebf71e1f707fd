#!/usr/bin/env bats
# moat-runc: a user namespace with an exclusive uid range on every container.
load helpers/runtime

setup_file() { rt_setup_file; }
teardown_file() { rt_teardown_file; }
teardown() { rt_teardown; }

uid_map_of() { tr -s ' ' <"/proc/$1/uid_map" | sed 's/^ //'; }

@test "plain runc: the container's root is host root (the control)" {
  b=$(bundle plain '.process.args = ["cat", "/proc/self/uid_map"]')
  run plain_runc run --bundle "$b" plain1 <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | tr -s ' ' | sed 's/^ //')" = "0 0 4294967295" ]
}

@test "the first container is mapped to 0 100000 65536, uid and gid" {
  b=$(bundle first '.process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u"]')
  run moat run --bundle "$b" first <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -v warning | tr -s ' ' | sed 's/^ //' | paste -sd,)" = "0 100000 65536,0 100000 65536,0" ]
  assert_nothing_left
}

@test "a second live container gets 0 165536 65536" {
  s=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$s" one
  [ "$(uid_map_of "$(pid_of moat one)")" = "0 100000 65536" ]
  b=$(bundle cat '.process.args = ["cat", "/proc/self/uid_map"]')
  run moat run --bundle "$b" two <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -v warning | tr -s ' ' | sed 's/^ //')" = "0 165536 65536" ]
}

@test "an identity user namespace (--userns=host) still gets a moat range" {
  b=$(bundle hostns '.process.args = ["cat", "/proc/self/uid_map"]
    | .linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 4294967295}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 4294967295}]')
  run plain_runc run --bundle "$b" hostns-plain <"$T/empty"
  [ "$(echo "$output" | tr -s ' ' | sed 's/^ //')" = "0 0 4294967295" ]
  run moat run --bundle "$b" hostns <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -v warning | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ]
}

@test "joining the host's user namespace by path still gets a moat range" {
  b=$(bundle hostuser '.process.args = ["cat", "/proc/self/uid_map"]
    | .linux.namespaces += [{"type": "user", "path": $p}]' --arg p "/proc/$$/ns/user")
  run moat run --bundle "$b" hostuser <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -v warning | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ]
}

@test "20 concurrent creates get 20 disjoint ranges" {
  s=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  for i in $(seq 1 20); do
    moat create --bundle "$s" "c$i" <"$T/empty" >"$T/c$i.out" 2>&1 &
  done
  wait
  starts=()
  for i in $(seq 1 20); do
    starts+=("$(uid_map_of "$(pid_of moat "c$i")" | cut -d' ' -f2)")
  done
  [ "$(printf '%s\n' "${starts[@]}" | sort -u | wc -l)" -eq 20 ]
  expected=$(for k in $(seq 0 19); do echo $((100000 + k * 65536)); done | sort)
  [ "$(printf '%s\n' "${starts[@]}" | sort)" = "$expected" ]
}

@test "delete frees the range: the lowest free one is handed out next" {
  s=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$s" a
  detached moat "$s" b
  [ "$(uid_map_of "$(pid_of moat b)")" = "0 165536 65536" ]
  moat delete --force a
  [ ! -e "$T/state/containers/a" ]
  detached moat "$s" c
  [ "$(uid_map_of "$(pid_of moat c)")" = "0 100000 65536" ]
}

@test "the range of a container that vanished behind moat's back is reclaimed" {
  s=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$s" lost
  [ -d "$T/state/containers/lost" ]
  # as if moat-runc had died before releasing: runc forgets it, moat does not
  "$RUNC_BIN" --root "$T/runc-root" delete --force lost
  detached moat "$s" next
  [ "$(uid_map_of "$(pid_of moat next)")" = "0 100000 65536" ]
  [ ! -e "$T/state/containers/lost" ]
}

privileged_filter='.process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps, inheritable: $caps}
  | del(.linux.seccomp) | .linux.maskedPaths = [] | .linux.readonlyPaths = [] | .root.readonly = false
  | (.mounts[] | select(.type == "sysfs")).options = ["nosuid", "noexec", "nodev", "rw"]
  | (.mounts[] | select(.type == "cgroup")).options = ["nosuid", "noexec", "nodev", "relatime", "rw"]
  | .linux.resources.devices = [{"allow": true, "access": "rwm"}]
  | .linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}]'

# Every capability of our bounding set (plain runc cannot give more).
all_caps() {
  capsh --decode="$(awk '/^CapBnd/ { print $2 }' /proc/self/status)" | sed 's/.*=//' |
    tr ',' '\n' | tr a-z A-Z | jq -R . | jq -sc .
}

@test "a --privileged-style container (all caps, no seccomp, rw sysfs) runs under moat" {
  caps=$(all_caps)
  b=$(bundle priv "$privileged_filter | .process.args = [\"sh\", \"-c\", \"cat /proc/self/uid_map; grep CapEff /proc/self/status; mount | grep ' /sys '\"]" --argjson caps "$caps")
  run moat run --bundle "$b" priv <"$T/empty"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"0     100000      65536"* ]]
  [[ "$output" == *"CapEff:	$(awk '/^CapBnd/ { print $2 }' /proc/self/status)"* ]]
  [[ "$output" == *"sysfs on /sys type sysfs (rw"* ]]
}

# A host file owned by root, mode 0600, bind-mounted without idmapping: the
# privileged container's root (host uid 100000) cannot write it under moat,
# but can under plain runc.
@test "a privileged container cannot write a root-owned host file (plain runc can)" {
  caps=$(all_caps)
  echo original >"$T/hostfile"
  chmod 0600 "$T/hostfile"
  touch "$T/rootfs/mnt/hostfile" # the mount point: the container cannot create it
  filter="$privileged_filter"' | .mounts += [{"destination": "/mnt/hostfile", "type": "bind", "source": $f, "options": ["rbind", "rw"]}]
    | .process.args = ["sh", "-c", "echo pwned > /mnt/hostfile"]'
  b=$(bundle privw "$filter" --argjson caps "$caps" --arg f "$T/hostfile")
  rt_write_conf "$T/noidmap.conf" "idmap = off"
  MOAT_CONF="$T/noidmap.conf" run moat run --bundle "$b" privw <"$T/empty"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"can't create /mnt/hostfile: Permission denied"* ]]
  [ "$(cat "$T/hostfile")" = original ]
  run plain_runc run --bundle "$b" privw-plain <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(cat "$T/hostfile")" = pwned ]
}

@test "a detached container's stdio file keeps its owner (plain runc chowns it)" {
  s=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  : >"$T/user.out"; chown 1000:1000 "$T/user.out"
  "$RUNC_BIN" --root "$T/plain-root" run -d --bundle "$s" chown-plain <"$T/empty" >"$T/user.out" 2>&1
  [ "$(stat -c %u:%g "$T/user.out")" = "0:1000" ]
  : >"$T/user2.out"; chown 1000:1000 "$T/user2.out"
  moat run -d --bundle "$s" chown-moat <"$T/empty" >"$T/user2.out" 2>&1
  sleep 0.2
  [ "$(stat -c %u:%g "$T/user2.out")" = "1000:1000" ]
}

@test "a stdio file owned by an id of the container's range is refused" {
  assert_nothing_left
  s=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  : >"$T/mapped.out"; chown 100005:100005 "$T/mapped.out"
  status=0
  moat run -d --bundle "$s" mapped <"$T/empty" >"$T/mapped.out" 2>"$T/mapped.err" || status=$?
  [ "$status" -ne 0 ]
  grep -q "stdio fd 1 of container mapped is a host file owned by 100005:100005" "$T/mapped.err"
  [ "$(stat -c %u:%g "$T/mapped.out")" = "100005:100005" ]
  assert_nothing_left
}

@test "Docker's ping_group_range sysctl is narrowed to the container's gids" {
  b=$(bundle ping '.process.args = ["cat", "/proc/sys/net/ipv4/ping_group_range"]
    | .linux.sysctl["net.ipv4.ping_group_range"] = "0 2147483647"')
  run moat run --bundle "$b" ping <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -v warning | tr -s '\t ' ' ')" = "0 65535" ]
}

@test "/dev/null is still root:root" {
  assert_dev_null_intact
}
