#!/usr/bin/env bats
# moat-runc as runc: the CLI contract containerd-shim-runc-v2 relies on, the
# pass-through commands, and clear errors that leave nothing behind.
load helpers/runtime

setup_file() { rt_setup_file; }
teardown_file() { rt_teardown_file; }
teardown() { rt_teardown; }

shim() { # the way containerd-shim-runc-v2 calls the runtime
  "$MOAT_RUNC_BIN" --config "$T/moat.conf" --root "$T/runc-root" --log "$T/shim.log" --log-format json "$@"
}

@test "--help prints moat's usage and points at runc's" {
  run "$MOAT_RUNC_BIN" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage: moat-runc [global options] COMMAND"* ]]
  [[ "$output" == *"--runc PATH"* ]]
  [[ "$output" == *"runc --help"* ]]
  run "$MOAT_RUNC_BIN" -h
  [ "$status" -eq 0 ]
}

@test "--version prints moat-runc's and runc's versions" {
  run moat --version
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "moat-runc version "* ]]
  [[ "$output" == *"runc version"* ]]
}

@test "an unknown global flag is a clear error" {
  run moat --frobnicate list
  [ "$status" -ne 0 ]
  [[ "$output" == *"unknown global flag \`--frobnicate\`"* ]]
}

@test "a missing runc is a clear error naming the path, and create leaves nothing" {
  run moat --runc "$T/no-runc" list
  [ "$status" -ne 0 ]
  [[ "$output" == *"runc not found at $T/no-runc"* ]]
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  MOAT_RUNC="$T/no-runc" create_out --bundle "$b" norunc
  [ "$status" -ne 0 ]
  [[ "$output" == *"runc not found at $T/no-runc"* ]]
  assert_nothing_left
}

@test "a state_dir under a directory others cannot search is refused up front, naming it" {
  local d=$T/private
  mkdir -m 0700 "$d"
  rt_write_conf "$T/private.conf" && sed -i "s|^state_dir = .*|state_dir = $d/state|" "$T/private.conf"
  b=$(bundle private '.process.args = ["true"]')
  # what a 0700 mktemp dir did: runc failed in its rootfs setup, "permission denied"
  MOAT_CONF=$T/private.conf out_of moat run --bundle "$b" private
  [ "$status" -ne 0 ]
  [[ "$output" == *"state_dir $d/state: $d is mode 0700, but must be searchable by others (0711): a container's root (host uid 100000 and up) walks through it to its rootfs view in $d/state-views"* ]]
  [[ "$output" != *"permission denied"* ]]
  [ -z "$(ls -A "$d/state/containers" 2>/dev/null)" ]
  [ ! -e "$d/state-views" ]
  # made searchable, the same container runs
  chmod 0711 "$d"
  MOAT_CONF=$T/private.conf out_of moat run --bundle "$b" private
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "moat-runc refuses to run itself as runc" {
  run moat --runc "$MOAT_RUNC_BIN" list
  [ "$status" -ne 0 ]
  [[ "$output" == *"is moat-runc itself"* ]]
  ln -sf "$MOAT_RUNC_BIN" "$T/runc-link"
  run moat --runc "$T/runc-link" list
  [ "$status" -ne 0 ]
  [[ "$output" == *"is moat-runc itself"* ]]
}

@test "a malformed config.json is a clear error naming the file, nothing left" {
  mkdir -p "$T/bundles/bad"
  printf '{"ociVersion": "1.0.2", "process": {' >"$T/bundles/bad/config.json"
  create_out --bundle "$T/bundles/bad" bad
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot parse $T/bundles/bad/config.json: "* ]]
  printf '{"ociVersion": "1.0.2",, }' >"$T/bundles/bad/config.json"
  create_out --bundle "$T/bundles/bad" bad
  [[ "$output" == *"cannot parse $T/bundles/bad/config.json: "*"line 1"* ]]
  assert_nothing_left
}

@test "a malformed moat.conf names the line and the value" {
  printf 'state_dir = %s\nkernel_policy = sometimes\n' "$T/state" >"$T/bad.conf"
  run "$MOAT_RUNC_BIN" --config "$T/bad.conf" list
  [ "$status" -ne 0 ]
  [[ "$output" == *"$T/bad.conf:2: invalid value \`sometimes\` for kernel_policy"* ]]
  printf '# comment\n\nfrobnicate = 1\n' >"$T/bad.conf"
  run "$MOAT_RUNC_BIN" --config "$T/bad.conf" list
  [[ "$output" == *"$T/bad.conf:3: unknown key \`frobnicate\`"* ]]
  MOAT_CONFIG="$T/missing.conf" run "$MOAT_RUNC_BIN" list
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot read config $T/missing.conf"* ]]
}

@test "the containerd-shim sequence: create, start, state, exec, ps, pause, resume, kill, delete" {
  b=$(bundle shim '.process.args = ["sleep", "1000"]')
  shim create --bundle "$b" --pid-file "$T/shim.pid" shimmed <"$T/empty" >"$T/shim.out" 2>&1
  [ "$(cat "$T/shim.pid")" = "$(pid_of moat shimmed)" ]
  [ "$(moat state shimmed | jq -r .status)" = created ]
  shim start shimmed
  [ "$(moat state shimmed | jq -r .status)" = running ]
  echo '{"args": ["sleep", "1000"], "env": ["PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}' >"$T/process.json"
  shim exec --process "$T/process.json" --detach --pid-file "$T/exec.pid" shimmed <"$T/empty" >"$T/exec.out" 2>&1 || { cat "$T/exec.out"; false; }
  [ "$(tr -s ' ' </proc/$(cat "$T/exec.pid")/uid_map)" = " 0 100000 65536" ]
  run shim ps --format json shimmed
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq length)" -eq 2 ]
  shim pause shimmed
  [ "$(moat state shimmed | jq -r .status)" = paused ]
  shim resume shimmed
  [ "$(moat state shimmed | jq -r .status)" = running ]
  shim kill shimmed 15 # pid 1 ignores it (no handler): then containerd sends 9
  shim kill shimmed 9
  for _ in $(seq 50); do [ "$(moat state shimmed | jq -r .status)" = stopped ] && break; sleep 0.1; done
  [ "$(moat state shimmed | jq -r .status)" = stopped ]
  [ -d "$T/state/containers/shimmed" ]
  shim delete shimmed
  run moat state shimmed
  [ "$status" -ne 0 ]
  assert_nothing_left
}

@test "state and list behave as runc's" {
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$b" listed
  run moat list -q
  [ "$output" = listed ]
  run moat list --format json
  [ "$(echo "$output" | jq -r '.[0].id')" = listed ]
  [ "$(moat state listed | jq -r .id)" = listed ]
  [ "$(moat state listed | jq -r .status)" = running ]
  run moat state nosuch
  [ "$status" -ne 0 ]
  [[ "$output" == *"container does not exist"* ]]
}

@test "exec and kill pass through" {
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$b" ex
  run moat exec ex cat /proc/self/uid_map <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | tr -s ' ')" = " 0 100000 65536" ]
  moat kill ex KILL
  for _ in $(seq 50); do [ "$(moat state ex | jq -r .status)" = stopped ] && break; sleep 0.1; done
  [ "$(moat state ex | jq -r .status)" = stopped ]
}

@test "delete --force of a running container releases everything" {
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$b" forced
  [ -d "$T/state/containers/forced" ]
  moat delete --force forced
  assert_nothing_left
  [ -z "$(ls -A "$T/state/containers")" ]
}

@test "delete of a running container without --force fails like runc and keeps moat's state" {
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$b" busy
  run moat delete busy
  [ "$status" -ne 0 ]
  [ -d "$T/state/containers/busy" ]
  [ "$(moat state busy | jq -r .status)" = running ]
}

@test "run with a foreground process exits with its status and releases everything" {
  b=$(bundle exit3 '.process.args = ["sh", "-c", "exit 3"]')
  run moat run --bundle "$b" exit3 <"$T/empty"
  [ "$status" -eq 3 ]
  assert_nothing_left
}

@test "run --keep keeps the stopped container until delete" {
  b=$(bundle kept '.process.args = ["true"]')
  run moat run --keep --bundle "$b" kept <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(moat state kept | jq -r .status)" = stopped ]
  [ -d "$T/state/containers/kept" ]
  moat delete kept
  assert_nothing_left
}

@test "creating an existing id fails and leaves the existing container alone" {
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  detached moat "$b" dup
  create_out --bundle "$b" dup
  [ "$status" -ne 0 ]
  [[ "$output" == *"container with id exists: dup"* ]]
  [ "$(moat state dup | jq -r .status)" = running ]
  [ -d "$T/state/containers/dup" ]
}

@test "an invalid container id is refused" {
  b=$(bundle sleeper '.process.args = ["sleep", "1000"]')
  create_out --bundle "$b" "../escape"
  [ "$status" -ne 0 ]
  [[ "$output" == *"invalid container id \`../escape\`"* ]]
}

@test "restore is refused" {
  run moat restore --bundle "$T/base" restored
  [ "$status" -ne 0 ]
  [[ "$output" == *"restore is not supported"* ]]
}

@test "the caller's bundle is never modified" {
  b=$(bundle untouched '.process.args = ["true"]')
  before=$(sha256sum "$b/config.json")
  run moat run --bundle "$b" untouched <"$T/empty"
  [ "$status" -eq 0 ]
  [ "$(sha256sum "$b/config.json")" = "$before" ]
}

@test "relative --config, --root and --bundle work (the hook runs elsewhere)" {
  b=$(bundle relative '.process.args = ["cat", "/proc/self/uid_map"]')
  cd "$T"
  run "$MOAT_RUNC_BIN" --config moat.conf --root runc-root run --bundle bundles/relative relative <"$T/empty"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"0     100000      65536"* ]]
  assert_nothing_left
}

@test "/dev/null is still root:root" {
  assert_dev_null_intact
}
