#!/usr/bin/env bash
# Regenerate vmlinux/vmlinux.h from the BTF of Debian's 6.1 kernel.
# Usage: scripts/gen-vmlinux.sh [VMLINUZ]   (default: newest /boot/vmlinuz-6.1.*-amd64)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
vmlinuz=${1:-$(ls /boot/vmlinuz-6.1.*-amd64 | sort -V | tail -n1)}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$here/scripts/extract-vmlinux.sh" "$vmlinuz" "$tmp/vmlinux"
bpftool btf dump file "$tmp/vmlinux" format c > "$here/vmlinux/vmlinux.h"
echo "vmlinux.h generated from $vmlinuz"
