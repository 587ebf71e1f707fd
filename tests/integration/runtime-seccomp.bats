#!/usr/bin/env bats
# mount_setattr(2) answers ENOSYS in every moat container (no LSM hook sees
# it clear MOUNT_ATTR_RDONLY; mount(8) falls back to mount(2), which the
# kernel policy vets). Control: under plain runc it makes a ro bind rw.

load helpers/runtime

setup_file() {
  rt_setup_file
  cp "$REPO/${OUTPUT:-build}/tests/escape" "$T/rootfs/bin/escape"
}
teardown_file() { rt_teardown_file; }
teardown() { rt_teardown; }

privileged_setattr() {
  mkdir -p "$T/ro-src"
  bundle "$1" '.process.args = ["/bin/escape", "run", "mount-setattr-rw"] | del(.linux.seccomp)
    | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])
    | .mounts += [{"destination": "/hostro-setattr", "type": "bind", "source": $src, "options": ["rbind", "ro"]}]' \
    --arg src "$T/ro-src"
}

@test "mount_setattr clearing read-only: works under plain runc, ENOSYS under moat" {
  b=$(privileged_setattr setattr)
  run plain_runc run --bundle "$b" setattr-ctl <"$T/empty"
  echo "control: $output"
  [[ "$output" == *"mount-setattr-rw ok"* ]]
  run moat run --bundle "$b" setattr <"$T/empty"
  [[ "$output" == *"mount-setattr-rw blocked"*"Function not implemented"* ]]
}

@test "a container's own seccomp profile keeps its rules, moat's rule is added" {
  b=$(bundle keep '.process.args = ["true"] | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mount_setattr", "acct"], "action": "SCMP_ACT_ERRNO"}]}')
  out_of moat create --bundle "$b" keep
  [ "$status" -eq 0 ]
  spec=$T/state/containers/keep/config.json
  [ "$(jq -c '.linux.seccomp.syscalls[0].names' "$spec")" = '["acct"]' ]
  [ "$(jq -c '.linux.seccomp.syscalls[-1]' "$spec")" = '{"names":["mount_setattr"],"action":"SCMP_ACT_ERRNO","errnoRet":38}' ]
}
