#!/usr/bin/env bash
# Extract the ELF vmlinux from a Debian vmlinuz (xz stream in 6.1, zstd in 6.12).
# Usage: scripts/extract-vmlinux.sh VMLINUZ OUT
set -euo pipefail
in=$1 out=$2
try() { # $1 magic (grep -P), $2 decompressor
  local off
  for off in $(LC_ALL=C grep -obaP "$1" "$in" | cut -d: -f1); do
    if tail -c +$((off + 1)) "$in" | $2 2>/dev/null > "$out.tmp" || [ -s "$out.tmp" ]; then
      if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
        mv "$out.tmp" "$out"; return 0
      fi
    fi
  done
  rm -f "$out.tmp"; return 1
}
try '\xfd7zXZ\x00' 'xz -dc' || try '\x28\xb5\x2f\xfd' 'zstd -dc' || {
  echo "extract-vmlinux: no xz or zstd ELF stream found in '$in'" >&2; exit 1; }
