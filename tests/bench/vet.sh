#!/usr/bin/env bash
# tests/bench/vet.sh - what mount vetting (fsemu/vet.h) costs a container
# that mounts: a mount(tmpfs)+umount loop in a moat-runc container whose
# mounts moat-fs vets, against the same container with moat-fs not vetting
# (--no-vet), and under plain runc, in the same run. Target: vetted at most
# 1.5x unvetted. Two rounds: on this host without the kernel policy (umount2
# is trapped then), and in the QEMU guest with it (umount2 is left to the
# kernel's sb_umount rule; a plain new mount is never trapped). Not part of
# `make check`.
# Usage: tests/bench/vet.sh [PAIRS]   (default 2000 per batch, 5 batches; OUTPUT=build)
#        MOAT_BENCH_HOST_ONLY=1 for the host round alone
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUTPUT:-build}
PAIRS=${1:-2000}
REPO=$PWD
MOAT=$REPO/$OUT/moat-runc MOATFS=$REPO/$OUT/moat-fs LOOP=$REPO/$OUT/tests/mountloop
RUNC=${RUNC:-/usr/sbin/runc}
for b in "$MOAT" "$MOATFS" "$LOOP"; do [ -x "$b" ] || { echo "vet.sh: $b not built (run make)" >&2; exit 1; }; done

policy=optional
if [ -n "${MOAT_IN_VM:-}" ]; then
  policy=required
  [ -e /dev/fuse ] || modprobe fuse
  "$REPO/$OUT/moat-loader" --events-log '' start >/dev/null 2>&1 & lpid=$!
  until "$REPO/$OUT/moat-loader" status >/dev/null 2>&1; do sleep 0.2; done
fi
T=$(mktemp -d "${MOAT_VM_DISK:-/tmp}/moat-bench-vet.XXXXXX")
chmod 0711 "$T"
cleanup() {
  for root in "$T/runc-root" "$T/moat-root"; do
    for id in $("$RUNC" --root "$root" list -q 2>/dev/null); do "$RUNC" --root "$root" delete --force "$id" >/dev/null 2>&1 || true; done
  done
  for m in vet novet; do "$MOATFS" --mountpoint "$T/$m" --state-dir "$T/$m-state" --stop >/dev/null 2>&1 || true; done
  sleep 0.5
  awk -v d="$T" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
  rm -rf "$T"
  if [ -n "${lpid:-}" ]; then kill "$lpid"; wait "$lpid" 2>/dev/null || true; "$REPO/$OUT/moat-loader" stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

mkdir -p "$T/rootfs"/{bin,proc,sys,dev,tmp,mnt} "$T/bundle" "$T/runc-root" "$T/moat-root" "$T/vet" "$T/novet"
cp /bin/busybox "$T/rootfs/bin/" && chroot "$T/rootfs" /bin/busybox --install -s /bin
cp "$LOOP" "$T/rootfs/mountloop"
(cd "$T/bundle" && "$RUNC" spec)
jq --arg r "$T/rootfs" --arg n "$PAIRS" '.root.path = $r | .process.terminal = false
  | .process.args = ["/mountloop", $n, "/mnt"]
  | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])' \
  "$T/bundle/config.json" >"$T/c.json" && mv "$T/c.json" "$T/bundle/config.json"
"$MOATFS" --mountpoint "$T/vet" --state-dir "$T/vet-state"
"$MOATFS" --mountpoint "$T/novet" --state-dir "$T/novet-state" --no-vet
for m in vet novet; do
  printf 'state_dir = %s/state\nkernel_policy = %s\nfsemu = %s\nfsemu_mountpoint = %s/%s\n' \
    "$T" "$policy" "$([ $m = vet ] && echo required || echo optional)" "$T" "$m" >"$T/$m.conf"
  [ "$policy" = required ] || printf 'pin_dir = %s/no-pin\n' "$T" >>"$T/$m.conf"
done
: >"$T/empty"

ns() { grep -o 'ns_per_pair=[0-9]*' | cut -d= -f2; }
declare -A best
for round in 1 2 3; do
  for what in runc novet vet; do
    case $what in
      runc) out=$("$RUNC" --root "$T/runc-root" run --bundle "$T/bundle" "b-$what-$round" <"$T/empty" 2>&1) ;;
      *) out=$("$MOAT" --config "$T/$what.conf" --root "$T/moat-root" run --bundle "$T/bundle" "b-$what-$round" <"$T/empty" 2>&1) ;;
    esac
    v=$(ns <<<"$out") || { echo "vet.sh: $what failed: $out" >&2; exit 1; }
    if [ -z "${best[$what]:-}" ] || [ "$v" -lt "${best[$what]}" ]; then best[$what]=$v; fi
  done
done
if [ "$policy" = required ]; then where="guest (TCG), kernel policy on"; else where="host, no kernel policy"; fi
printf '%-34s %10s %8s   (%s)\n' "mount(tmpfs)+umount, per pair" "ns" "ratio" "$where"
printf '%-34s %10d %8s\n' "plain runc (no user namespace)" "${best[runc]}" "-"
printf '%-34s %10d %8s\n' "moat-runc, not vetted (baseline)" "${best[novet]}" "1.00"
printf '%-34s %10d %8.2f\n' "moat-runc, vetted by moat-fs" "${best[vet]}" "$(echo "${best[vet]} / ${best[novet]}" | bc -l)"
echo "target: vetted at most 1.50x not vetted"
if [ -z "${MOAT_IN_VM:-}" ] && [ -z "${MOAT_BENCH_HOST_ONLY:-}" ]; then
  echo
  scripts/vm.sh --disk 1G --timeout 900 -- env MOAT_IN_VM=1 "$0" "$@"
fi
