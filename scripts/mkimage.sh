#!/usr/bin/env bash
# scripts/mkimage.sh - the test image "moat-test": busybox-static (every
# applet as a symlink), Debian's bpftool with the shared libraries it loads
# (ldd), /etc/passwd and /etc/group.  There is no registry here, so the image
# is a rootfs tarball given to `docker import`.
#
# Usage: scripts/mkimage.sh [--tar-only] [--no-check] [--name NAME] [--dind]
#   (no option)  build the tarball if needed, then `docker import` it as
#                moat-test unless the engine (DOCKER_HOST) already has it
#   --tar-only   only build the tarball (on the host: once, cached) and print
#                its path
#   --no-check   import without asking the engine first (a fresh engine:
#                saves a docker CLI start, seconds under TCG)
#   --dind       the Docker-in-Docker image "moat-dind": the above plus
#                Debian's dockerd, containerd, shim, runc and docker-init with
#                the libraries they need (no client: use the inner socket)
#   --name NAME  import under another name
# The tarballs are cached under build/images/ and rebuilt when this script,
# busybox, bpftool (or, with --dind, the engine binaries) change.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
out=$repo/${OUTPUT:-build}/images
case $out in "$repo"//*) out=${OUTPUT}/images ;; esac
tar_only=0 dind=0 check=1 name='' stage=''
while [ $# -gt 0 ]; do
  case $1 in
    --tar-only) tar_only=1; shift ;;
    --dind) dind=1; shift ;;
    --no-check) check=0; shift ;;
    --name) name=${2:?--name needs a value}; shift 2 ;;
    -h|--help) awk 'NR > 1 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "mkimage: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ "$dind" = 1 ]; then image=moat-dind; else image=moat-test; fi
name=${name:-$image}

die() { echo "mkimage: $*" >&2; exit 1; }

# Executables copied with their libraries.
bins=(/usr/sbin/bpftool)
if [ "$dind" = 1 ]; then
  # no docker client (45 MB): the inner engine is driven through its socket
  bins+=(/usr/sbin/dockerd /usr/bin/containerd /usr/bin/containerd-shim-runc-v2
         /usr/sbin/runc /usr/bin/docker-init)
fi

# copy_with_libs ROOT FILE...: each file at its own path, plus what ldd lists.
copy_with_libs() {
  local root=$1 f lib; shift
  for f in "$@"; do
    [ -e "$f" ] || die "$f is missing (scripts/deps.sh)"
    install -D -m 0755 "$f" "$root$f"
    # "libX => /path (addr)" and the loader "/lib64/ld-linux... (addr)"
    for lib in $(ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
      [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
    done
  done
}

build_tar() {
  local tar=$1 a
  stage=$(mktemp -d "$out/.stage.XXXXXX") && [ -d "$stage" ] || die "cannot make a staging directory"
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,etc,tmp,root,mnt,run,var/tmp}
  chmod 1777 "$stage/tmp" "$stage/var/tmp"
  chmod 0700 "$stage/root"
  cp /bin/busybox "$stage/bin/busybox"
  # --install -s would link the host's paths: make the links ourselves
  for a in $(/bin/busybox --list-full); do
    [ -e "$stage/$a" ] || ln -s /bin/busybox "$stage/$a"
  done
  copy_with_libs "$stage" "${bins[@]}"
  cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat >"$stage/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
docker:x:999:
nogroup:x:65534:
EOF
  if [ "$dind" = 1 ]; then
    # dockerd wants iptables unless told otherwise; the inner engine runs with
    # --iptables=false --bridge=none (scripts/docker-vm.sh does the same).
    mkdir -p "$stage/etc/docker" "$stage/var/lib/docker" "$stage/var/run"
    echo '{}' >"$stage/etc/docker/daemon.json"
  fi
  # a private temporary name: concurrent builds each publish a whole file
  tar --numeric-owner --owner=0 --group=0 -C "$stage" -cf "$stage.tar" .
  mv -f "$stage.tar" "$tar"
  rm -rf "$stage"
  trap - EXIT
}

mkdir -p "$out"
# keyed on what goes in, not on the rest of this script
key=$({ declare -f build_tar copy_with_libs; stat -c '%n %s %Y' /bin/busybox "${bins[@]}"; } |
      sha256sum | cut -c1-12)
tar=$out/$image-$key.tar
if [ ! -s "$tar" ]; then
  build_tar "$tar"
  find "$out" -maxdepth 1 -name "$image-*.tar" ! -name "${tar##*/}" -delete
fi
if [ "$tar_only" = 1 ]; then
  echo "$tar"
  exit 0
fi
command -v docker >/dev/null || die "no docker client"
if [ "$check" = 1 ] && docker image inspect "$name" >/dev/null 2>&1; then
  exit 0
fi
docker import "$tar" "$name" >/dev/null || die "docker import of $tar failed"
