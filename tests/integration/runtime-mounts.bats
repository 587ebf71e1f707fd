#!/usr/bin/env bats
# moat-runc: restricted host mounts. Each attack is run twice: under plain
# runc it reaches the secret, under moat-runc the create is refused.
load helpers/runtime

setup_file() {
  rt_setup_file
  mkdir -p "$T/data/secret" "$T/data/public" "$T/other" "$T/share"
  echo s3cret >"$T/data/secret/key"
  echo s3cret >"$T/data/token"
  echo hello >"$T/share/greeting"
  ln -s "$T/data/secret" "$T/link-to-secret"
  ln "$T/data/token" "$T/hardlink-to-token"
  # a Docker data-root: per-container files, a volume, and its private parts
  D=$T/docker
  mkdir -p "$D/containers/abc/mounts/shm" "$D/volumes/vol1/_data" "$D/image"
  echo ctr >"$D/containers/abc/hostname"
  echo '{}' >"$D/containers/abc/config.v2.json"
  echo vol >"$D/volumes/vol1/_data/file"
  : >"$D/volumes/metadata.db"
  # (a data-root is restricted without being listed as restricted_path)
  rt_write_conf "$T/moat.conf" "restricted_path = $T/data/secret" "restricted_path = $T/data/token" \
    "docker_data_root = $D"
  export D
}
teardown_file() { rt_teardown_file; }
teardown() { rt_teardown; }

# binder NAME SOURCE: a bundle that shows what SOURCE gives at /mnt/NAME. The
# mount point is made beforehand: the container's root, an unmapped host uid
# without idmapped mounts, cannot create it in the root-owned rootfs.
binder() {
  local b real
  b=$(bundle "$1" '.mounts += [{"destination": $d, "type": "bind", "source": $s, "options": ["rbind", "ro"]}]
    | .process.args = ["sh", "-c", "cat \($d)/key 2>/dev/null || cat \($d) 2>/dev/null || ls \($d)"]' \
    --arg s "$2" --arg d "/mnt/$1")
  real=$(cd "$b" && realpath -q "$2") || true
  if [ -d "$real" ]; then mkdir -p "$T/rootfs/mnt/$1"; else touch "$T/rootfs/mnt/$1"; fi
  echo "$b"
}

# attack NAME SOURCE: plain runc reads the secret through SOURCE, moat refuses.
attack() {
  local b
  b=$(binder "$1" "$2")
  run plain_runc run --bundle "$b" "$1-plain" <"$T/empty"
  echo "plain: $output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"${3:-s3cret}"* ]]
  run moat run --bundle "$b" "$1" <"$T/empty"
  echo "moat: $output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error in the container spec: can't mount $2 because it's configured as a restricted host mount"* ]]
  [[ "$output" != *s3cret* ]]
  assert_nothing_left
}

@test "binding the restricted file itself" {
  attack key "$T/data/secret/key"
}

@test "binding the restricted directory" {
  attack dir "$T/data/secret"
}

@test "binding a symlink to it" {
  attack symlink "$T/link-to-secret"
}

@test "binding it through .." {
  attack dotdot "$T/other/../data/secret/key"
}

@test "binding a parent directory that contains it" {
  attack parent "$T/data" secret
}

# (A hard link to a file inside a restricted directory cannot be told without
# a scan; fs.protected_hardlinks keeps others from making one.)
@test "binding a hard link to a restricted file" {
  attack hardlink "$T/hardlink-to-token"
}

@test "binding / is refused" {
  b=$(binder root /)
  run moat run --bundle "$b" root <"$T/empty"
  [ "$status" -ne 0 ]
  [[ "$output" == *"can't mount / because it's configured as a restricted host mount"* ]]
  assert_nothing_left
}

@test "the built-in list: /etc/docker/daemon.json and /etc (which contains /etc/docker)" {
  for src in /etc/docker/daemon.json /etc /var/run/docker.sock /sys/fs/bpf; do
    b=$(binder builtin "$src")
    run moat run --bundle "$b" builtin <"$T/empty"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"error in the container spec: can't mount $src because it's configured as a restricted host mount"* ]] ||
      [[ "$output" == *"error in the container spec: can't mount $src: No such file or directory"* ]]
  done
  assert_nothing_left
}

@test "moat's own state dir, config and runc root are restricted" {
  mkdir -p "$T/state"
  for src in "$T/state" "$T/moat.conf" "$T/runc-root"; do
    b=$(binder own "$src")
    run moat run --bundle "$b" own <"$T/empty"
    echo "$src: $output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"can't mount $src because it's configured as a restricted host mount"* ]]
  done
}

@test "an ordinary host directory is mounted" {
  b=$(binder share "$T/share")
  run moat run --bundle "$b" share <"$T/empty"
  [ "$status" -eq 0 ]
  [[ "$output" == *greeting* ]]
  assert_nothing_left
}

@test "a relative source is resolved against the bundle" {
  b=$(binder relative "../../share")
  run moat run --bundle "$b" relative <"$T/empty"
  [ "$status" -eq 0 ]
  [[ "$output" == *greeting* ]]
  b=$(binder relative2 "../../data/secret")
  run moat run --bundle "$b" relative2 <"$T/empty"
  [ "$status" -ne 0 ]
  [[ "$output" == *"can't mount ../../data/secret because it's configured as a restricted host mount"* ]]
}

@test "Docker's per-container files and named volumes are exempt; the rest of the data-root is not" {
  b=$(binder hostname "$D/containers/abc/hostname")
  run moat run --bundle "$b" hostname <"$T/empty"
  [ "$status" -eq 0 ]
  [[ "$output" == *ctr* ]]
  b=$(binder volume "$D/volumes/vol1/_data")
  run moat run --bundle "$b" volume <"$T/empty"
  [ "$status" -eq 0 ]
  [[ "$output" == *file* ]]
  b=$(binder shm "$D/containers/abc/mounts/shm")
  run moat run --bundle "$b" shm <"$T/empty"
  [ "$status" -eq 0 ]
  for src in "$D/containers/abc/config.v2.json" "$D/containers/abc" "$D/volumes/metadata.db" "$D/volumes" "$D/image"; do
    b=$(binder docker "$src")
    run moat run --bundle "$b" docker <"$T/empty"
    [ "$status" -ne 0 ]
    [[ "$output" == *"can't mount $src because it's configured as a restricted host mount"* ]]
  done
  assert_nothing_left
}

@test "a missing bind source is a clear error, nothing left" {
  b=$(binder missing "$T/does-not-exist")
  run moat run --bundle "$b" missing <"$T/empty"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error in the container spec: can't mount $T/does-not-exist: No such file or directory"* ]]
  assert_nothing_left
}

@test "/dev/null is still root:root" {
  assert_dev_null_intact
}

# overlayfs is mountable in a user namespace (5.11+): its lowerdir names
# host directories as a bind's source does.
@test "an overlay mount with a restricted lowerdir" {
  local b
  mkdir -p "$T/ovl/upper" "$T/ovl/work" "$T/rootfs/mnt/ovl"
  b=$(bundle overlay '.mounts += [{"destination": "/mnt/ovl", "type": "overlay", "source": "overlay",
      "options": ["lowerdir=" + $low, "upperdir=" + $T + "/ovl/upper", "workdir=" + $T + "/ovl/work"]}]
    | .process.args = ["cat", "/mnt/ovl/key"]' --arg low "$T/data/secret" --arg T "$T")
  run plain_runc run --bundle "$b" overlay-plain <"$T/empty"
  echo "plain: $output"
  [ "$status" -eq 0 ]
  [[ "$output" == *s3cret* ]]
  run moat run --bundle "$b" overlay <"$T/empty"
  echo "moat: $output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error in the container spec: can't mount $T/data/secret because it's configured as a restricted host mount"* ]]
  [[ "$output" != *s3cret* ]]
  assert_nothing_left
}

# Since 6.8 overlayfs also takes one layer per option, lowerdir+= and
# datadir+= (with mount(2) as with fsconfig); 6.1 does not know them.
@test "an overlay mount with a restricted lowerdir+ or datadir+ (6.8+)" {
  local b key
  mkdir -p "$T/ovl/upper" "$T/ovl/work" "$T/ovl/low" "$T/rootfs/mnt/ovl"
  b=$(bundle overlay-add '.mounts += [{"destination": "/mnt/ovl", "type": "overlay", "source": "overlay",
      "options": ["lowerdir+=" + $low, "upperdir=" + $T + "/ovl/upper", "workdir=" + $T + "/ovl/work"]}]
    | .process.args = ["cat", "/mnt/ovl/key"]' --arg low "$T/data/secret" --arg T "$T")
  run plain_runc run --bundle "$b" overlay-add-plain <"$T/empty"
  echo "plain: $output"
  [ "$status" -eq 0 ] || skip "this kernel ($(uname -r)) has no lowerdir+ (6.8+)"
  [[ "$output" == *s3cret* ]]
  for key in lowerdir+ datadir+; do
    b=$(bundle overlay-add '.mounts += [{"destination": "/mnt/ovl", "type": "overlay", "source": "overlay",
        "options": ["lowerdir+=" + $T + "/ovl/low", $key + "=" + $low,
                    "upperdir=" + $T + "/ovl/upper", "workdir=" + $T + "/ovl/work"]}]
      | .process.args = ["true"]' --arg low "$T/data/secret" --arg T "$T" --arg key "$key")
    run moat run --bundle "$b" overlay-add <"$T/empty"
    echo "moat $key: $output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"error in the container spec: can't mount $T/data/secret because it's configured as a restricted host mount"* ]]
    assert_nothing_left
  done
}
