# tests/helpers/idmap.bash - shared by tests/integration/idmap.bats (host,
# tmpfs) and tests/vm/idmap.bats (6.1 guest, ext4): the checks of
# runtime/idmap.c, driven through build/tests/idmap-tool.
#
# Each test gets a directory $D of its own, a mount (tmpfs on the host, a bind
# of a directory of the ext4 disk in the guest) made shared as the host's / is
# on a systemd machine, so that propagation is tested as it happens there.
# Container stdio is always a pipe, never a host device (runc chowns it).
# Host ids: container root is 100000 (range 100000..165535).

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
IDMAP_TOOL=${IDMAP_TOOL:-$REPO/${OUTPUT:-build}/tests/idmap-tool}
RUNC_BIN=${RUNC_BIN:-/usr/sbin/runc}
RANGE=(100000 100000 65536)

# idm_setup tmpfs|bind PARENT: make $D (0711) below PARENT, and $D/wd (0711).
idm_setup() {
  [ -x "$IDMAP_TOOL" ] || { echo "# $IDMAP_TOOL not built (run make)" >&3; return 1; }
  D=$(mktemp -d "$2/moat-idmap.XXXXXX")
  if [ "$1" = tmpfs ]; then
    mount -t tmpfs -o mode=0711 moat-idmap "$D"
  else
    mount --bind "$D" "$D"
  fi
  mount --make-shared "$D"
  chmod 0711 "$D"
  mkdir -m 0711 "$D/wd"
  PIDS=()
}

idm_teardown() {
  [ -n "${D:-}" ] && [ -d "$D" ] || return 0
  local p m
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  "$IDMAP_TOOL" release "$D/wd" >/dev/null 2>&1 || true
  # Deepest first; the overlays before the layers they use.
  for m in $(awk -v d="$D" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  umount -l "$D" 2>/dev/null || true
  rm -rf "$D"
}

# mounts_below DIR: mount points at or below DIR, one a line.
mounts_below() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# as_ct_root CMD...: run CMD as the container root's host ids (100000).
as_ct_root() {
  setpriv --reuid 100000 --regid 100000 --clear-groups -- "$@"
}

# userns_start: a process (NS_PID) in a new user namespace mapping 0-65535 to
# 100000-165535, the map written from here (no newuidmap on these machines).
userns_start() {
  unshare --user sleep 300 &
  NS_PID=$!
  PIDS+=("$NS_PID")
  until [ "$(readlink "/proc/$NS_PID/ns/user")" != "$(readlink /proc/self/ns/user)" ]; do
    sleep 0.02
  done
  echo "0 100000 65536" >"/proc/$NS_PID/uid_map"
  echo "0 100000 65536" >"/proc/$NS_PID/gid_map"
}

# in_userns CMD...: run CMD as root of that user namespace.
in_userns() {
  nsenter -U -t "$NS_PID" -- "$@"
}

# idm_make_rootfs DIR: a tiny root-owned tree with a root-only file.
idm_make_rootfs() {
  mkdir -p "$1/bin" "$1/etc" "$1/tmp"
  echo root >"$1/etc/owned-by-root"
  echo secret >"$1/etc/root-only"
  chmod 0600 "$1/etc/root-only"
  chmod 1777 "$1/tmp"
}

# idm_make_busybox DIR: a busybox-static rootfs for runc.
idm_make_busybox() {
  local a
  mkdir -p "$1"/{bin,proc,sys,dev,etc,tmp}
  chmod 1777 "$1/tmp"
  cp /bin/busybox "$1/bin/busybox"
  for a in sh id ls touch stat cat; do ln -sf busybox "$1/bin/$a"; done
}

# idm_make_overlay STORE: a Docker overlay2-like store: layers lay1, lay2 (as
# short l/XXXX symlinks, like Docker's), a container layer ctr/{diff,work,merged},
# mounted as dockerd mounts a long option string: relative names, from STORE.
idm_make_overlay() {
  local s=$1
  mkdir -p "$s/l" "$s/lay1/diff/bin" "$s/lay2/diff/etc" "$s/ctr/diff" "$s/ctr/work" "$s/ctr/merged"
  echo base >"$s/lay1/diff/bin/file"
  echo gone >"$s/lay1/diff/bin/gone"
  echo conf >"$s/lay2/diff/etc/conf"
  ln -s ../lay1/diff "$s/l/AAAA"
  ln -s ../lay2/diff "$s/l/BBBB"
  (cd "$s" && mount -t overlay overlay \
    -o lowerdir=l/BBBB:l/AAAA,upperdir=ctr/diff,workdir=ctr/work,index=off ctr/merged)
}

# ---- checks ----

check_plain_ownership() {
  idm_make_rootfs "$D/src"
  run "$IDMAP_TOOL" rootfs "$D/src" "$D/wd" "${RANGE[@]}"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "$D/wd/rootfs" ]
  # From the host: the view shows container root's ids, the disk keeps 0.
  [ "$(stat -c %u:%g "$D/wd/rootfs/etc/owned-by-root")" = 100000:100000 ]
  [ "$(stat -c %u:%g "$D/src/etc/owned-by-root")" = 0:0 ]
  # Control, from inside a user namespace like the container's: without the
  # view root's files are nobody's; through it they are root's.
  userns_start
  [ "$(in_userns stat -c %u:%g "$D/src/etc/owned-by-root")" = 65534:65534 ]
  [ "$(in_userns stat -c %u:%g "$D/wd/rootfs/etc/owned-by-root")" = 0:0 ]
  run in_userns cat "$D/src/etc/root-only"
  [ "$status" -ne 0 ]
  run in_userns cat "$D/wd/rootfs/etc/root-only"
  [ "$output" = secret ]
}

check_plain_write() {
  idm_make_rootfs "$D/src"
  "$IDMAP_TOOL" rootfs "$D/src" "$D/wd" "${RANGE[@]}"
  as_ct_root sh -c "echo new >'$D/wd/rootfs/etc/by-ct' && mkdir '$D/wd/rootfs/etc/dir-by-ct' &&
                    echo more >>'$D/wd/rootfs/etc/owned-by-root'"
  [ "$(stat -c %u:%g "$D/src/etc/by-ct")" = 0:0 ]
  [ "$(stat -c %u:%g "$D/src/etc/dir-by-ct")" = 0:0 ]
  [ "$(cat "$D/src/etc/owned-by-root")" = "$(printf 'root\nmore')" ]
  # Without the view the same writer is refused.
  run as_ct_root touch "$D/src/etc/denied"
  [ "$status" -ne 0 ]
  # A second container, another range: reads container 1's file as its root's.
  "$IDMAP_TOOL" release "$D/wd"
  "$IDMAP_TOOL" rootfs "$D/src" "$D/wd" 165536 165536 65536
  [ "$(stat -c %u:%g "$D/wd/rootfs/etc/by-ct")" = 165536:165536 ]
}

check_overlay() {
  local s=$D/overlay2 out
  idm_make_overlay "$s"
  run "$IDMAP_TOOL" rootfs "$s/ctr/merged" "$D/wd" "${RANGE[@]}"
  echo "$output"
  [ "$status" -eq 0 ]
  local v=$D/wd/rootfs
  # A new overlay over idmapped layers; Docker's stays mounted.
  [ "$(findmnt -n -o FSTYPE "$v")" = overlay ]
  [ "$(findmnt -n -o FSTYPE "$s/ctr/merged")" = overlay ]
  grep -q " $D/wd/layers/1 ro,.*idmapped" /proc/self/mountinfo
  grep -q " $D/wd/layers/0 rw,.*idmapped" /proc/self/mountinfo
  # Both lower layers (resolved through l/XXXX) with container root's ids.
  [ "$(stat -c %u:%g "$v/bin/file" "$v/etc/conf" | sort -u)" = 100000:100000 ]
  # Copy-up, whiteout, a new file and directory, as the container's root.
  as_ct_root sh -c "echo more >>'$v/bin/file' && rm '$v/bin/gone' && echo n >'$v/new' && mkdir '$v/newdir'"
  # ...land in Docker's upper owned by 0, a whiteout for the removed file.
  [ "$(stat -c %u:%g "$s/ctr/diff/bin/file" "$s/ctr/diff/new" "$s/ctr/diff/newdir" | sort -u)" = 0:0 ]
  [ "$(stat -c %F:%t:%T "$s/ctr/diff/bin/gone")" = "character special file:0:0" ]
  [ "$(cat "$s/lay1/diff/bin/file")" = base ]
  [ "$(cat "$v/bin/file")" = "$(printf 'base\nmore')" ]
  # Docker's workdir is untouched (a second overlay on it would empty it);
  # ours is a new one next to the upper.
  [ -d "$s/ctr/work/work" ]
  [ -d "$s/ctr/.moat-work/work" ]
  # Docker's overlay sees what the container wrote.
  [ "$(cat "$s/ctr/merged/new")" = n ]
}

check_bind() {
  mkdir -p "$D/vol/sub"
  echo data >"$D/vol/sub/f"
  echo conf >"$D/file.conf"
  # Under a strict umask too, what it makes the container's root can traverse.
  run bash -c "umask 077 && '$IDMAP_TOOL' bind '$D/file.conf' '$D/wd' 3 ${RANGE[*]}"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "$D/wd/binds/3" ]
  [ -f "$D/wd/binds/3" ]
  [ "$(stat -c %a "$D/wd/binds")" = 711 ]
  [ "$(as_ct_root cat "$D/wd/binds/3")" = conf ]
  [ "$(stat -c %u:%g "$D/wd/binds/3")" = 100000:100000 ]
  as_ct_root sh -c "echo written >'$D/wd/binds/3'"
  [ "$(cat "$D/file.conf")" = written ]
  [ "$(stat -c %u:%g "$D/file.conf")" = 0:0 ]
  run "$IDMAP_TOOL" bind "$D/vol" "$D/wd" 4 "${RANGE[@]}"
  [ "$status" -eq 0 ]
  [ "$(stat -c %u:%g "$D/wd/binds/4/sub/f")" = 100000:100000 ]
  as_ct_root touch "$D/wd/binds/4/sub/by-ct"
  [ "$(stat -c %u:%g "$D/vol/sub/by-ct")" = 0:0 ]
  # Volumes: the next container, another range, owns what the last one wrote.
  "$IDMAP_TOOL" release "$D/wd"
  "$IDMAP_TOOL" bind "$D/vol" "$D/wd" 0 200000 200000 65536
  [ "$(stat -c %u:%g "$D/wd/binds/0/sub/by-ct")" = 200000:200000 ]
}

check_release() {
  idm_make_rootfs "$D/src"
  idm_make_overlay "$D/overlay2"
  echo f >"$D/file"
  "$IDMAP_TOOL" rootfs "$D/overlay2/ctr/merged" "$D/wd" "${RANGE[@]}"
  "$IDMAP_TOOL" bind "$D/file" "$D/wd" 0 "${RANGE[@]}"
  "$IDMAP_TOOL" bind "$D/src" "$D/wd" 1 "${RANGE[@]}"
  [ "$(mounts_below "$D/wd" | wc -l)" -ge 6 ] # wd, rootfs, 3 layers, 2 binds
  run "$IDMAP_TOOL" release "$D/wd"
  echo "$output"
  [ "$status" -eq 0 ]
  mounts_below "$D/wd"
  [ -z "$(mounts_below "$D/wd")" ]
  find "$D/wd" -mindepth 1
  [ -z "$(find "$D/wd" -mindepth 1)" ]
  [ ! -e "$D/overlay2/ctr/.moat-work" ]
  # What it worked on is intact, Docker's overlay still mounted.
  [ "$(cat "$D/file")" = f ]
  [ -f "$D/src/etc/owned-by-root" ]
  [ "$(findmnt -n -o FSTYPE "$D/overlay2/ctr/merged")" = overlay ]
  run "$IDMAP_TOOL" release "$D/wd"
  [ "$status" -eq 0 ]
  run "$IDMAP_TOOL" release "$D/does-not-exist"
  [ "$status" -eq 0 ]
}

check_failure_leaves_nothing() {
  idm_make_rootfs "$D/src"
  run "$IDMAP_TOOL" rootfs "$D/nonexistent" "$D/wd" "${RANGE[@]}"
  [ "$status" -ne 0 ]
  run "$IDMAP_TOOL" rootfs "$D/src" "$D/wd" 0 0 65536 # host root is no container range
  [ "$status" -ne 0 ]
  [ -z "$(mounts_below "$D/wd")" ]
  # A layer that is gone: the half-made overlay view is undone.
  idm_make_overlay "$D/overlay2"
  mv "$D/overlay2/lay1" "$D/overlay2/moved"
  run "$IDMAP_TOOL" rootfs "$D/overlay2/ctr/merged" "$D/wd" "${RANGE[@]}"
  echo "$output"
  [ "$status" -ne 0 ]
  mounts_below "$D/wd"
  [ -z "$(mounts_below "$D/wd")" ]
  [ -z "$(find "$D/wd" -mindepth 1)" ]
  # A view already there is kept, not stacked on.
  "$IDMAP_TOOL" rootfs "$D/src" "$D/wd" "${RANGE[@]}"
  run "$IDMAP_TOOL" rootfs "$D/src" "$D/wd" "${RANGE[@]}"
  [[ $output == *"busy"* ]]
  [ "$(mounts_below "$D/wd/rootfs" | wc -l)" -eq 1 ]
}

# The views stay in this mount namespace: a peer namespace of the shared $D
# gets neither them nor (after release) the private bind of wd.
check_no_propagation() {
  idm_make_rootfs "$D/src"
  unshare --mount --propagation unchanged sleep 300 &
  local peer=$!
  PIDS+=("$peer")
  until [ "$(readlink "/proc/$peer/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]; do
    sleep 0.02
  done
  # The peer does receive what is mounted on $D (the test is able to fail).
  mkdir "$D/probe"
  mount -t tmpfs probe "$D/probe"
  grep -q " $D/probe " "/proc/$peer/mountinfo"
  umount "$D/probe"
  "$IDMAP_TOOL" rootfs "$D/src" "$D/wd" "${RANGE[@]}"
  "$IDMAP_TOOL" bind "$D/src" "$D/wd" 0 "${RANGE[@]}"
  grep -q " $D/wd/rootfs " /proc/self/mountinfo
  # (grep -c: a "! grep" would not fail a bats test)
  [ "$(grep -c " $D/wd/" "/proc/$peer/mountinfo")" -eq 0 ]
  "$IDMAP_TOOL" release "$D/wd"
  [ "$(grep -c " $D/wd " "/proc/$peer/mountinfo")" -eq 0 ]
}

# runc_bundle DIR ROOT ARGS_JSON: a user-namespaced (0 -> 100000) bundle.
runc_bundle() {
  mkdir -p "$1"
  (cd "$1" && "$RUNC_BIN" spec && mv config.json spec.json)
  jq --arg root "$2" --argjson args "$3" '
    .root = {path: $root, readonly: false} | .process.terminal = false | .process.args = $args
    | .linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .mounts |= map(select(.destination != "/sys/fs/cgroup"))' "$1/spec.json" >"$1/config.json"
}

# runc_run BUNDLE: run it to the end; stdio are pipes, never a host device.
runc_run() {
  (
    set -o pipefail
    true | "$RUNC_BIN" --root "$D/runc-root" run --bundle "$1" "moat-idmap-$$-$RANDOM" 2>&1 | cat
  )
}

check_runc() {
  local args='["/bin/sh","-c","id; ls -ln /bin/busybox; touch /etc/x && echo touched"]'
  local null_before
  null_before=$(stat -c %u:%g /dev/null)
  idm_make_busybox "$D/data/img/rootfs"
  # Control: the rootfs as it is, in a user-namespaced container: nobody's.
  runc_bundle "$D/b-plain" "$D/data/img/rootfs" "$args"
  run runc_run "$D/b-plain"
  echo "$output"
  [[ $output == *"uid=0 gid=0"* ]]
  [[ $output == *" 65534 "*"/bin/busybox"* ]]
  [[ $output != *touched* ]]
  # Through the view: root's, and writable.  Its source now sits below a
  # 0710 root-owned directory, as Docker's data-root: the view is reachable.
  chmod 0710 "$D/data"
  "$IDMAP_TOOL" rootfs "$D/data/img/rootfs" "$D/wd" "${RANGE[@]}"
  runc_bundle "$D/b-view" "$D/wd/rootfs" "$args"
  run runc_run "$D/b-view"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"uid=0 gid=0"* ]]
  [[ $output == *" 0 "*" 0 "*"/bin/busybox"* ]]
  [[ $output == *touched* ]]
  [ "$(stat -c %u:%g "$D/data/img/rootfs/etc/x")" = 0:0 ]
  [ "$(stat -c %u:%g /dev/null)" = "$null_before" ]
}

check_runc_overlay() {
  local s=$D/overlay2
  mkdir -p "$s/l" "$s/img/diff" "$s/ctr/diff" "$s/ctr/work" "$s/ctr/merged"
  idm_make_busybox "$s/img/diff"
  ln -s ../img/diff "$s/l/IMG"
  mount -t overlay overlay \
    -o "lowerdir=$s/l/IMG,upperdir=$s/ctr/diff,workdir=$s/ctr/work" "$s/ctr/merged"
  chmod 0710 "$s" "$s/ctr"
  "$IDMAP_TOOL" rootfs "$s/ctr/merged" "$D/wd" "${RANGE[@]}"
  runc_bundle "$D/b-ovl" "$D/wd/rootfs" \
    '["/bin/sh","-c","ls -ln /bin/busybox; echo hi >/tmp/x && rm /bin/cat && echo wrote"]'
  run runc_run "$D/b-ovl"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *" 0 "*" 0 "*"/bin/busybox"* ]]
  [[ $output == *wrote* ]]
  [ "$(stat -c %u:%g "$s/ctr/diff/tmp/x")" = 0:0 ]
  [ "$(stat -c %F "$s/ctr/diff/bin/cat")" = "character special file" ]
  [ -L "$s/img/diff/bin/cat" ]
}
