#!/usr/bin/env bash
# tests/bench/runc-run.sh - what moat-runc adds to a container start:
# `moat-runc run` against `runc run` of /bin/true on the same busybox-static
# bundle, interleaved (hyperfine, or a plain loop without it), plus
# moat-runc's peak RSS. Not part of `make check`.
# Usage: tests/bench/runc-run.sh [RUNS]   (default 50; OUTPUT=build)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUTPUT:-build}
RUNS=${1:-50}
MOAT=$PWD/$OUT/moat-runc
RUNC=${RUNC:-/usr/sbin/runc}
[ -x "$MOAT" ] || { echo "runc-run.sh: $MOAT not built (run make)" >&2; exit 1; }

T=$(mktemp -d /tmp/moat-bench.XXXXXX)
chmod 0711 "$T"
cleanup() {
  for root in "$T/runc-root" "$T/moat-root"; do
    for id in $("$RUNC" --root "$root" list -q 2>/dev/null); do "$RUNC" --root "$root" delete --force "$id" >/dev/null 2>&1 || true; done
  done
  awk -v d="$T" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
  rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/rootfs/bin" "$T/rootfs/proc" "$T/rootfs/sys" "$T/rootfs/dev" "$T/bundle" "$T/runc-root" "$T/moat-root"
cp /bin/busybox "$T/rootfs/bin/"
chroot "$T/rootfs" /bin/busybox --install -s /bin
(cd "$T/bundle" && "$RUNC" spec)
jq --arg r "$T/rootfs" '.root.path = $r | .process.terminal = false | .process.args = ["/bin/true"]' \
  "$T/bundle/config.json" >"$T/c.json" && mv "$T/c.json" "$T/bundle/config.json"
# the same with a user namespace, for what moat-runc itself adds
mkdir -p "$T/bundle-userns"
jq '.linux.namespaces += [{"type": "user"}, {"type": "cgroup"}]
  | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
  | .linux.gidMappings = .linux.uidMappings' "$T/bundle/config.json" >"$T/bundle-userns/config.json"
printf 'state_dir = %s/state\nkernel_policy = optional\npin_dir = %s/no-pin\n' "$T" "$T" >"$T/moat.conf"
: >"$T/empty"

# one container start each; stdio never a host device (runc chowns it)
cat >"$T/runc.sh" <<EOS
#!/bin/sh
exec "$RUNC" --root "$T/runc-root" run --bundle "$T/bundle" "r\$\$" <"$T/empty" >"$T/out" 2>&1
EOS
cat >"$T/userns.sh" <<EOS
#!/bin/sh
exec "$RUNC" --root "$T/runc-root" run --bundle "$T/bundle-userns" "u\$\$" <"$T/empty" >"$T/out" 2>&1
EOS
cat >"$T/moat.sh" <<EOS
#!/bin/sh
exec "$MOAT" --config "$T/moat.conf" --root "$T/moat-root" run --bundle "$T/bundle" "m\$\$" <"$T/empty" >"$T/out" 2>&1
EOS
chmod +x "$T/runc.sh" "$T/userns.sh" "$T/moat.sh"
"$T/moat.sh" || { cat "$T/out"; exit 1; }

echo "# runc run, runc run with a user namespace, moat-runc run: /bin/true, $RUNS runs each, interleaved"
if command -v hyperfine >/dev/null; then
  # hyperfine runs one command's batch after the other: interleave by rounds
  rounds=5 per=$(( (RUNS + 4) / 5 ))
  for r in $(seq $rounds); do
    hyperfine -N --warmup 2 --runs "$per" --export-json "$T/h$r.json" "$T/runc.sh" "$T/userns.sh" "$T/moat.sh" >/dev/null
  done
  jq -s '[.[].results[] | {cmd: .command, t: .times[]}]' "$T"/h*.json >"$T/all.json"
  med() { jq --arg c "$1" '[.[] | select(.cmd | endswith($c)) | .t] | sort | .[length/2|floor] * 1000' "$T/all.json"; }
  runc_ms=$(med /runc.sh) userns_ms=$(med /userns.sh) moat_ms=$(med /moat.sh)
else
  : >"$T/runc.t"; : >"$T/userns.t"; : >"$T/moat.t"
  for _ in $(seq "$RUNS"); do
    for x in runc userns moat; do
      s=$(date +%s%N); "$T/$x.sh"; e=$(date +%s%N); echo $(( (e - s) / 1000 )) >>"$T/$x.t"
    done
  done
  med() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1000}'; }
  runc_ms=$(med "$T/runc.t"); userns_ms=$(med "$T/userns.t"); moat_ms=$(med "$T/moat.t")
fi
printf '%-22s %10.2f ms (median)\n' "runc run" "$runc_ms" "runc run, userns" "$userns_ms" \
  "moat-runc run" "$moat_ms"
ratio() { awk -v a="$moat_ms" -v b="$2" -v l="$1" 'BEGIN { printf "ratio vs %-13s %10.2f x  (+%.2f ms)\n", l, a / b, a - b }'; }
ratio "runc" "$runc_ms"
ratio "runc, userns" "$userns_ms"

# Peak RSS of the moat-runc process itself: its VmHWM while it waits for
# runc (prepare done), and what /usr/bin/time sees (runc, a child, included).
mkdir -p "$T/sleeper"
jq '.process.args = ["sleep", "1"]' "$T/bundle/config.json" >"$T/sleeper/config.json"
"$MOAT" --config "$T/moat.conf" --root "$T/moat-root" run --bundle "$T/sleeper" hwm \
  <"$T/empty" >"$T/out" 2>&1 &
mpid=$!
sleep 0.5
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$mpid/status")
wait "$mpid" || true
printf 'moat-runc peak RSS %8d KiB (VmHWM of its own process)\n' "$hwm"
/usr/bin/time -v "$MOAT" --config "$T/moat.conf" --root "$T/moat-root" run --bundle "$T/bundle" rss \
  <"$T/empty" >"$T/out" 2>"$T/time.txt" || true
awk -F': ' '/Maximum resident set size/ { printf "max RSS, runc incl. %6d KiB (/usr/bin/time -v)\n", $2 }' "$T/time.txt"
