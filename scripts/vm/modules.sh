#!/usr/bin/env bash
# Print, one per line and in load order (dependencies first), the paths of the
# kernel modules the guest's initramfs must insmod, resolved from modules.dep.
# Modules built into the kernel are skipped silently; unknown ones fail.
# Usage: scripts/vm/modules.sh KVER MODULE...
set -euo pipefail

kver=${1:?usage: modules.sh KVER MODULE...}; shift
moddir=/lib/modules/$kver
[ $# -gt 0 ] || { echo "usage: modules.sh KVER MODULE..." >&2; exit 2; }

[ -r "$moddir/modules.dep" ] || { echo "modules.sh: no $moddir/modules.dep" >&2; exit 1; }

# modules.dep lines look like "kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko ...":
# the dependency list is already transitive and ordered so that the last one
# must be loaded first, so emit it reversed, then the module itself.
declare -A seen=()
emit() { [ -n "${seen[$1]:-}" ] || { seen[$1]=1; echo "$moddir/$1"; }; }
for m in "$@"; do
  m=${m//-/_}
  line=$(grep -E "/${m}\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -n1) || line=
  if [ -z "$line" ]; then
    # Built in (listed in modules.builtin) is fine; anything else is a typo.
    grep -qE "/${m}\.ko$" "$moddir/modules.builtin" 2>/dev/null && continue
    echo "modules.sh: module '$m' not found for kernel $kver" >&2; exit 1
  fi
  read -r -a deps <<<"${line#*:}"
  for ((i = ${#deps[@]} - 1; i >= 0; i--)); do emit "${deps[i]}"; done
  emit "${line%%:*}"
done
