#!/usr/bin/env bash
# tests/bench/hooks.sh - what moat's BPF-LSM hooks cost a process that is NOT
# in a container: mount/umount, bpf() and open/close loops, without the
# policy loaded ("off") and with it loaded and 0, 1 and 200 containers
# registered, interleaved in one guest boot (ROUNDS rounds, median per
# column). The measuring process sits in a cgroup at the containers' level
# (level 2, as a systemd service beside Docker's containers), the worst
# place for the lookup: one ancestor is looked up there. Prints ns/op and
# the ratios against "off" (target <= 1.05).
# Run on the host: tests/bench/hooks.sh  (boots the QEMU guest itself)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUTPUT:-build}
if ! grep -qw bpf /sys/kernel/security/lsm 2>/dev/null || [ -z "${MOAT_IN_VM:-}" ]; then
  exec scripts/vm.sh -- env MOAT_IN_VM=1 "$0" "$@"
fi
N=${N:-20000} ROUNDS=${ROUNDS:-5} CONTAINERS=${CONTAINERS:-200}
CG=/sys/fs/cgroup
HOST=$CG/bench-host/svc CTRS=$CG/bench-ctrs
tmp=$(mktemp -d) lpid=

cleanup() {
  [ -z "$lpid" ] || kill "$lpid" 2>/dev/null || true
  "$OUT/moat-loader" stop 2>/dev/null || true
  rmdir "$CTRS"/c* "$CTRS" "$HOST" "$CG/bench-host" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# run LABEL: one hookbench pass from the host-level cgroup
run() {
  sh -c "echo \$\$ >$HOST/cgroup.procs && exec $OUT/tests/hookbench $tmp/d $N" | sed "s/^/$1 /"
}
load() {
  "$OUT/moat-loader" --events-log '' start >/dev/null 2>&1 & lpid=$!
  until "$OUT/moat-loader" status >/dev/null 2>&1; do sleep 0.2; done
  "$OUT/moatctl" restrict /etc
}
unload() { kill "$lpid"; wait "$lpid" 2>/dev/null || true; lpid=; "$OUT/moat-loader" stop; }
register() { for i in $(seq "$1" "$2"); do "$OUT/moatctl" register "$CTRS/c$i"; done; }

mkdir -p "$HOST" "$CTRS"
for i in $(seq "$CONTAINERS"); do mkdir -p "$CTRS/c$i"; done
for _ in $(seq "$ROUNDS"); do
  run off
  load
  run on-0
  register 1 1
  run on-1
  register 2 "$CONTAINERS"
  run "on-$CONTAINERS"
  unload
done >"$tmp/results"

median() { grep "^$1 $2 " "$tmp/results" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
cols=(on-0 on-1 "on-$CONTAINERS")
printf '%-16s %9s' operation "off ns/op"
for c in "${cols[@]}"; do printf ' %9s %6s' "$c" ratio; done
echo
for op in mount+umount bpf-get-next-id open+close; do
  off=$(median off "$op")
  printf '%-16s %9d' "$op" "$off"
  for c in "${cols[@]}"; do
    on=$(median "$c" "$op")
    printf ' %9d %6s' "$on" "$(ratio "$on" "$off")"
  done
  echo
done
echo "($ROUNDS rounds of N=$N, medians; containers at cgroup level 2, the process beside them)"
