#!/usr/bin/env bash
# tests/bench/vet.sh - what mount vetting (fsemu/vet.h) costs a container
# that mounts: a mount(tmpfs)+umount loop in a moat-runc container whose
# mounts moat-fs vets, against the same container with moat-fs not vetting
# (--no-vet), and under plain runc, in the same run. Target: vetted at most
# 1.5x unvetted. Not part of `make check`.
# Usage: tests/bench/vet.sh [PAIRS]   (default 2000 per batch, 5 batches; OUTPUT=build)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUTPUT:-build}
PAIRS=${1:-2000}
REPO=$PWD
MOAT=$REPO/$OUT/moat-runc MOATFS=$REPO/$OUT/moat-fs LOOP=$REPO/$OUT/tests/mountloop
RUNC=${RUNC:-/usr/sbin/runc}
for b in "$MOAT" "$MOATFS" "$LOOP"; do [ -x "$b" ] || { echo "vet.sh: $b not built (run make)" >&2; exit 1; }; done

T=$(mktemp -d /tmp/moat-bench-vet.XXXXXX)
chmod 0711 "$T"
cleanup() {
  for root in "$T/runc-root" "$T/moat-root"; do
    for id in $("$RUNC" --root "$root" list -q 2>/dev/null); do "$RUNC" --root "$root" delete --force "$id" >/dev/null 2>&1 || true; done
  done
  for m in vet novet; do "$MOATFS" --mountpoint "$T/$m" --state-dir "$T/$m-state" --stop >/dev/null 2>&1 || true; done
  sleep 0.5
  awk -v d="$T" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
  rm -rf "$T"
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
  printf 'state_dir = %s/state\nkernel_policy = optional\npin_dir = %s/no-pin\nfsemu = %s\nfsemu_mountpoint = %s/%s\n' \
    "$T" "$T" "$([ $m = vet ] && echo required || echo optional)" "$T" "$m" >"$T/$m.conf"
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
printf '%-34s %10s %8s\n' "mount(tmpfs)+umount, per pair" "ns" "ratio"
printf '%-34s %10d %8s\n' "plain runc (no user namespace)" "${best[runc]}" "-"
printf '%-34s %10d %8s\n' "moat-runc, not vetted (baseline)" "${best[novet]}" "1.00"
printf '%-34s %10d %8.2f\n' "moat-runc, vetted by moat-fs" "${best[vet]}" "$(echo "${best[vet]} / ${best[novet]}" | bc -l)"
echo "target: vetted at most 1.50x not vetted"
