#!/usr/bin/env bats
# moat-runc: the mounts the kernel keeps locked in a container (runtime/seal.h).
# Each attack runs from a container with every capability and no seccomp
# profile of its own: under plain runc it reaches the host's files (the
# control), under moat-runc (user namespace, no kernel policy) the kernel
# refuses it, and the host's files are unchanged.
load helpers/runtime

ESC=${ESC:-$REPO/${OUTPUT:-build}/tests/escape}

setup_file() {
  rt_setup_file
  mkdir -p "$T/ro/remount" "$T/ro/rebind" "$T/ro/opentree" "$T/secret/private" "$T/masked/inner"
  echo s3cret >"$T/secret/private/key"
  echo s3cret >"$T/masked/inner/key"
  chmod -R a+rwX "$T/ro" && chmod -R a+rX "$T/secret" "$T/masked"
  cp "$ESC" "$T/rootfs/escape"
  mkdir -p "$T/rootfs/root/tmpfs" "$T/rootfs"/{hostro-remount,hostro-rebind,hostro-opentree,hostsecret3,hostmasked}
}
teardown_file() { rt_teardown_file; }
teardown() { rt_teardown; rm -f "$T"/ro/*/*.* 2>/dev/null || true; }

# sealed NAME SCRIPT: a --privileged-style bundle running SCRIPT.
sealed() {
  bundle "$1" '.process.args = ["sh", "-c", $script] | .root.readonly = false
    | .process.capabilities |= with_entries(.value = ["CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE", "CAP_CHOWN"])
    | del(.linux.seccomp) | .linux.maskedPaths = ["/hostmasked/inner"] | .linux.readonlyPaths = []
    | .process.env += ["ESC_TAG=t"]
    | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
        {destination: "/hostro-remount", type: "bind", source: ($T + "/ro/remount"), options: ["rbind", "ro"]},
        {destination: "/hostro-rebind", type: "bind", source: ($T + "/ro/rebind"), options: ["rbind", "ro"]},
        {destination: "/hostro-opentree", type: "bind", source: ($T + "/ro/opentree"), options: ["rbind", "ro"]},
        {destination: "/hostsecret3", type: "bind", source: ($T + "/secret"), options: ["rbind"]},
        {destination: "/hostsecret3/private", type: "tmpfs", source: "tmpfs", options: ["size=64k"]},
        {destination: "/hostmasked", type: "bind", source: ($T + "/masked"), options: ["rbind"]}]' \
    --arg script "$2" --arg T "$T"
}

# both NAME SCRIPT CHECK: SCRIPT escapes plain runc (CHECK holds afterwards on
# the host, or the container printed s3cret) and is refused under moat.
both() {
  local b
  b=$(sealed "$1" "$2")
  run plain_runc run --bundle "$b" "$1-plain" <"$T/empty"
  echo "plain runc: $output"
  [ "$status" -eq 0 ]
  [[ "$output" == *s3cret* ]] || eval "$3"
  rm -f "$T"/ro/*/*.* 2>/dev/null || true
  run moat run --bundle "$b" "$1" <"$T/empty"
  echo "moat: $output"
  [[ "$output" != *s3cret* ]]
  if eval "$3"; then echo "escaped moat: $3"; return 1; fi
  assert_nothing_left
}

@test "a read-only bind cannot be remounted read-write" {
  both remount 'mount -o remount,bind,rw /hostro-remount && touch /hostro-remount/x.t' \
    '[ -e "$T/ro/remount/x.t" ]'
  [[ "$output" == *"mount: permission denied (are you root?)"* ]]
}

@test "a bind copy of a read-only bind cannot be remounted read-write" {
  both rebind 'mkdir -p /tmp/c && mount --bind /hostro-rebind /tmp/c &&
    mount -o remount,bind,rw /tmp/c && touch /tmp/c/x.t' '[ -e "$T/ro/rebind/x.t" ]'
}

@test "an open_tree clone of a read-only bind cannot be remounted read-write" {
  both opentree '/escape run open-tree-rw' '[ -e "$T/ro/opentree/open-tree-rw.t" ]'
}

@test "a non-recursive bind does not uncover what a nested mount covers" {
  both unmask 'mkdir -p /tmp/u && mount --bind /hostsecret3 /tmp/u && cat /tmp/u/private/key' false
}

@test "unmounting a nested mount does not uncover the host's files" {
  both umountnested 'umount /hostsecret3/private; cat /hostsecret3/private/key' false
}

@test "unmounting a masked path does not uncover the host's files" {
  both umountmask 'umount /hostmasked/inner; cat /hostmasked/inner/key' false
}

@test "mounts the container makes itself stay its own (the spec's tmpfs transcript)" {
  local b
  b=$(sealed own 'mkdir -p /root/tmpfs && mount -t tmpfs tmpfs /root/tmpfs &&
    mount -o remount,ro /root/tmpfs /root/tmpfs && grep -w /root/tmpfs /proc/mounts &&
    mount -o remount,rw /root/tmpfs /root/tmpfs && grep -w /root/tmpfs /proc/mounts &&
    touch /hostsecret3/private/ok && umount /root/tmpfs && echo done')
  run moat run --bundle "$b" own <"$T/empty"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"tmpfs /root/tmpfs tmpfs ro"* ]]
  [[ "$output" == *"tmpfs /root/tmpfs tmpfs rw"* ]]
  [[ "$output" == *done* ]]
}
