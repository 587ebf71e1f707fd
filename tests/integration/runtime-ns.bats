#!/usr/bin/env bats
# moat-runc: no namespace shared with the host; joining another moat
# container's namespaces means joining its user namespace and range.
load helpers/runtime

setup_file() { rt_setup_file; }
teardown_file() { rt_teardown_file; }
teardown() { rt_teardown; }

PREFIX="error in the container spec: invalid or unsupported container spec: "
WHY="(because they use the linux user-namespace for isolation)"

without() { # without TYPE...: a bundle whose spec lacks those namespaces
  local sel=true t
  for t in "$@"; do sel="$sel and .type != \"$t\""; done
  bundle "no-$(echo "$@" | tr ' ' -)" ".process.args = [\"readlink\", \"/proc/self/ns/pid\"] | .linux.namespaces |= map(select($sel))"
}

refused_with() { # refused_with BUNDLE ID MESSAGE
  run moat run --bundle "$1" "$2" <"$T/empty"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"$3"* ]]
  assert_nothing_left
}

@test "plain runc shares the host's pid namespace when the spec has none (the control)" {
  b=$(without pid)
  run plain_runc run --bundle "$b" pid-plain <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$output" = "$(readlink /proc/self/ns/pid)" ]
}

@test "no pid namespace: refused" {
  refused_with "$(without pid)" nopid "${PREFIX}moat containers can't share namespaces [pid] with the host $WHY"
}

@test "no network namespace: refused with the network wording" {
  refused_with "$(without network)" nonet "${PREFIX}moat containers can't share a network namespace with the host $WHY"
}

@test "no ipc namespace: refused" {
  refused_with "$(without ipc)" noipc "${PREFIX}moat containers can't share namespaces [ipc] with the host $WHY"
}

@test "no uts namespace: refused" {
  refused_with "$(without uts)" nouts "${PREFIX}moat containers can't share namespaces [uts] with the host $WHY"
}

@test "no mount namespace: refused" {
  refused_with "$(without mount)" nomnt "${PREFIX}moat containers can't share namespaces [mount] with the host $WHY"
}

@test "several host namespaces are listed together" {
  refused_with "$(without pid ipc)" pidipc "${PREFIX}moat containers can't share namespaces [pid ipc] with the host $WHY"
}

@test "a path to a host namespace is refused like a missing one" {
  for t in pid:pid network:net ipc:ipc uts:uts mount:mnt; do
    b=$(bundle "path-${t%%:*}" '.linux.namespaces |= map(if .type == $t then .path = $p else . end)' \
      --arg t "${t%%:*}" --arg p "/proc/$$/ns/${t##*:}")
    run moat run --bundle "$b" "path-${t%%:*}" <"$T/empty"
    [ "$status" -ne 0 ]
    [[ "$output" == *"$PREFIX"*"host $WHY"* ]]
  done
  assert_nothing_left
}

@test "the refusal is the last error of the --log (what containerd reports)" {
  b=$(without pid)
  out_of "$MOAT_RUNC_BIN" --config "$T/moat.conf" --root "$T/runc-root" --log "$T/log.json" \
    --log-format json create --bundle "$b" --pid-file "$T/logged.pid" logged
  [ "$status" -ne 0 ]
  [ "$(tail -n 1 "$T/log.json" | jq -r .level)" = error ]
  [ "$(tail -n 1 "$T/log.json" | jq -r .msg)" = "${PREFIX}moat containers can't share namespaces [pid] with the host $WHY" ]
  [ ! -e "$T/logged.pid" ]
  assert_nothing_left
}

@test "a container always gets a private cgroup namespace" {
  b=$(bundle cg '.process.args = ["readlink", "/proc/self/ns/cgroup"] | .linux.namespaces |= map(select(.type != "cgroup"))')
  run moat run --bundle "$b" cg <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -v warning)" != "$(readlink /proc/self/ns/cgroup)" ]
}

@test "joining another moat container's network namespace joins its user namespace and range" {
  s=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$s" owner
  p=$(pid_of moat owner)
  detached moat "$s" other # holds 165536
  b=$(bundle joiner '.process.args = ["sleep", "1000"]
    | .linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/proc/$p/ns/net")
  detached moat "$b" joiner
  q=$(pid_of moat joiner)
  [ "$(readlink /proc/$q/ns/net)" = "$(readlink /proc/$p/ns/net)" ]
  [ "$(readlink /proc/$q/ns/user)" = "$(readlink /proc/$p/ns/user)" ]
  [ "$(cat /proc/$q/uid_map)" = "$(cat /proc/$p/uid_map)" ]
  # the shared range stays taken while the joiner lives
  moat delete --force owner
  detached moat "$s" later
  [ "$(tr -s ' ' </proc/$(pid_of moat later)/uid_map)" = " 0 231072 65536" ]
}

@test "joining the namespaces of two different moat containers is refused" {
  s=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$s" one
  detached moat "$s" two
  b=$(bundle two-owners '.linux.namespaces |= map(if .type == "network" then .path = $a
      elif .type == "ipc" then .path = $b else . end)' \
    --arg a "/proc/$(pid_of moat one)/ns/net" --arg b "/proc/$(pid_of moat two)/ns/ipc")
  run moat run --bundle "$b" both <"$T/empty"
  [ "$status" -ne 0 ]
  [[ "$output" == *"${PREFIX}can't join the namespaces of two moat containers (one and two)"* ]]
  [ ! -e "$T/state/containers/both" ]
}

@test "/dev/null is still root:root" {
  assert_dev_null_intact
}
