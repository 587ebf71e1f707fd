#!/usr/bin/env bash
# tests/bench/hooks.sh - what moat's BPF-LSM hooks cost a process that is NOT
# in a container: mount/umount, bpf() and open/close loops, with and without
# the policy loaded (and containers registered), interleaved in one guest
# boot. Prints ns/op and the ratio loaded/unloaded (target <= 1.05).
# Run on the host: tests/bench/hooks.sh  (boots the QEMU guest itself)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUTPUT:-build}
if ! grep -qw bpf /sys/kernel/security/lsm 2>/dev/null || [ -z "${MOAT_IN_VM:-}" ]; then
  exec scripts/vm.sh -- env MOAT_IN_VM=1 "$0" "$@"
fi
N=${N:-20000} ROUNDS=${ROUNDS:-5}
tmp=$(mktemp -d); trap 'kill $lpid 2>/dev/null; "$OUT/moat-loader" stop 2>/dev/null; rm -rf "$tmp"; rmdir /sys/fs/cgroup/bench-c* 2>/dev/null' EXIT
lpid=
run() { "$OUT/tests/hookbench" "$tmp/d" "$N" | sed "s/^/$1 /"; }
load() {
  "$OUT/moat-loader" --events-log '' start >/dev/null 2>&1 & lpid=$!
  until "$OUT/moat-loader" status >/dev/null 2>&1; do sleep 0.2; done
  for i in 1 2 3 4 5 6 7 8; do mkdir -p /sys/fs/cgroup/bench-c$i; "$OUT/moatctl" register /sys/fs/cgroup/bench-c$i; done
  "$OUT/moatctl" restrict /etc
}
unload() { kill $lpid; wait $lpid 2>/dev/null || true; "$OUT/moat-loader" stop; }
for r in $(seq "$ROUNDS"); do
  run off; load; run on; unload
done >"$tmp/results"
median() { grep "^$1 $2 " "$tmp/results" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-18s %12s %12s %8s\n' operation "off ns/op" "on ns/op" ratio
for op in mount+umount bpf-get-next-id open+close; do
  off=$(median off "$op") on=$(median on "$op")
  printf '%-18s %12d %12d %8.3f\n' "$op" "$off" "$on" "$(awk -v a="$on" -v b="$off" 'BEGIN { print a / b }')"
done
