#!/usr/bin/env bash
# Install every Debian package that moat's build, tests and demo need.
# Idempotent and non-interactive; safe to run again.
set -euo pipefail

# The guest kernels (scripts/vm.sh --kernel-series): linux-image-amd64 is
# 6.1, linux-image-6.12-amd64 (bookworm's security suite) the newest 6.12.
PACKAGES=(
  build-essential make pkg-config clang llvm libclang-rt-14-dev
  libbpf-dev bpftool libelf-dev zlib1g-dev
  libseccomp-dev libcap-dev libfuse3-dev fuse3 libjson-c-dev libcmocka-dev
  bats jq hyperfine runc busybox-static
  qemu-system-x86 linux-image-amd64 linux-image-6.12-amd64 xz-utils zstd cpio kmod e2fsprogs btrfs-progs
  docker.io lxcfs util-linux iproute2 strace
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all packages present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine's apt-daily, or another user's apt-get, may hold dpkg's
# lock for a while: wait for it rather than fail.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
