#!/usr/bin/env bash
# tests/bench/procfs.sh - /proc emulation speed: open/read/close loops
# (tests/bench/procread) on /proc/{meminfo,uptime,stat,cpuinfo} through
# moat-fs, through lxcfs (the baseline, on a temp mountpoint) and on the
# real /proc, in the same run, from a "container" (a test cgroup with a
# memory limit, in its own pid namespace) so that both emulations do their
# container work. Then the RSS of moat-fs after 100 containers' worth of
# cgroups have read through it.
# Usage: tests/bench/procfs.sh [SECONDS per measurement (default 2)] [ROUNDS (default 2)]
# Env: OUTPUT (build dir), BENCH_CONTAINERS (default 100).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-build}
SECS=${1:-2} ROUNDS=${2:-2} NCT=${BENCH_CONTAINERS:-100}
FILES=(meminfo uptime stat cpuinfo)

make -s "$OUTPUT/moat-fs" "$OUTPUT/tests/bench/procread"
READER=$PWD/$OUTPUT/tests/bench/procread
[ "$(id -u)" = 0 ] || { echo "procfs.sh: must run as root" >&2; exit 1; }

T=$(mktemp -d /tmp/moat-bench.XXXXXX)
CG=moat-bench-$$
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then V2=/sys/fs/cgroup/unified; else V2=/sys/fs/cgroup; fi
MEMV1=
[ "$(stat -f -c %T /sys/fs/cgroup/memory 2>/dev/null)" = cgroupfs ] && MEMV1=/sys/fs/cgroup/memory
lxcfs_pid=

cleanup() {
  set +e
  "$OUTPUT/moat-fs" --mountpoint "$T/moatfs" --state-dir "$T/state" --stop >/dev/null 2>&1
  if [ -n "$lxcfs_pid" ]; then umount -l "$T/lxcfs" 2>/dev/null; kill "$lxcfs_pid" 2>/dev/null; wait "$lxcfs_pid" 2>/dev/null; fi
  for d in $(cat "$T/cgroups" 2>/dev/null); do
    for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    for i in 1 2 3 4 5; do rmdir "$d" 2>/dev/null && break; sleep 0.2; done
  done
  rm -rf "$T"
}
trap cleanup EXIT

# make_cg NAME: cgroups (v2, plus v1 memory on a hybrid host) with a 512M limit; prints their dirs.
make_cg() {
  local dirs=$V2/$CG-$1
  mkdir -p "$V2/$CG-$1"; echo "$V2/$CG-$1" >>"$T/cgroups"
  [ -e "$V2/$CG-$1/memory.max" ] && echo 512M >"$V2/$CG-$1/memory.max"
  if [ -n "$MEMV1" ]; then
    mkdir -p "$MEMV1/$CG-$1"; echo "$MEMV1/$CG-$1" >>"$T/cgroups"
    echo 512M >"$MEMV1/$CG-$1/memory.limit_in_bytes"
    dirs="$dirs $MEMV1/$CG-$1"
  fi
  echo "$dirs"
}

# in_ct DIRS CMD...: CMD as pid 1 of a new pid namespace inside those cgroups.
in_ct() {
  local dirs=$1; shift
  sh -c 'for d in $0; do echo $$ >"$d/cgroup.procs"; done; exec unshare --pid --fork --kill-child "$@"' "$dirs" "$@"
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

mkdir -p "$T/moatfs" "$T/lxcfs"
"$OUTPUT/moat-fs" --mountpoint "$T/moatfs" --state-dir "$T/state"
have_lxcfs=0
if command -v lxcfs >/dev/null; then
  lxcfs -f -p "$T/lxcfs.pid" "$T/lxcfs" >"$T/lxcfs.log" 2>&1 3>&- &
  lxcfs_pid=$!
  for i in $(seq 50); do [ -e "$T/lxcfs/proc/meminfo" ] && { have_lxcfs=1; break; }; sleep 0.1; done
fi
ct=$(make_cg bench)

declare -A rate med
measure() { # TARGET FILE PATH
  local out r
  out=$(in_ct "$ct" "$READER" "$3" "$SECS")
  read -r _ r m _ _ <<<"$out"
  if [ "${rate[$1,$2]:-0}" -lt "$r" ]; then rate[$1,$2]=$r; med[$1,$2]=$m; fi
}
targets=(native moat-fs)
[ "$have_lxcfs" = 1 ] && targets+=(lxcfs)
for round in $(seq "$ROUNDS"); do
  for f in "${FILES[@]}"; do
    for t in "${targets[@]}"; do
      case $t in
        native) measure native "$f" "/proc/$f" ;;
        moat-fs) measure moat-fs "$f" "$T/moatfs/proc/$f" ;;
        lxcfs) measure lxcfs "$f" "$T/lxcfs/proc/$f" ;;
      esac
    done
  done
done

us() { awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
echo "# /proc reads from a container: best of $ROUNDS x ${SECS}s, reads/s (median latency in us)"
printf '%-9s %20s %20s %20s %12s %12s\n' file native moat-fs lxcfs moat/lxcfs moat/native
for f in "${FILES[@]}"; do
  l="-"; [ "$have_lxcfs" = 1 ] && l="${rate[lxcfs,$f]} ($(us "${med[lxcfs,$f]}"))"
  printf '%-9s %20s %20s %20s %12s %12s\n' "$f" \
    "${rate[native,$f]} ($(us "${med[native,$f]}"))" \
    "${rate[moat-fs,$f]} ($(us "${med[moat-fs,$f]}"))" "$l" \
    "$([ "$have_lxcfs" = 1 ] && ratio "${rate[moat-fs,$f]}" "${rate[lxcfs,$f]}" || echo -)" \
    "$(ratio "${rate[moat-fs,$f]}" "${rate[native,$f]}")"
done

# Memory: NCT containers read through moat-fs (and lxcfs).
worker=$(cat "$(ls "$T"/state/*.pid | grep -v keeper)")
keeper=$(cat "$T"/state/*.keeper.pid)
before=$(rss_kb "$worker")
lbefore=$([ "$have_lxcfs" = 1 ] && rss_kb "$lxcfs_pid" || echo 0)
for i in $(seq "$NCT"); do
  d=$(make_cg "c$i")
  in_ct "$d" sh -c "cat $T/moatfs/proc/meminfo $T/moatfs/proc/stat $T/moatfs/proc/uptime $T/moatfs/proc/loadavg >/dev/null;
    [ $have_lxcfs = 0 ] || cat $T/lxcfs/proc/meminfo $T/lxcfs/proc/stat $T/lxcfs/proc/uptime >/dev/null"
done
after=$(rss_kb "$worker")
echo "# memory after $NCT containers' cgroups were read through each"
echo "moat-fs worker RSS: ${before} kB before, ${after} kB after; keeper RSS: $(rss_kb "$keeper") kB"
[ "$have_lxcfs" = 1 ] && echo "lxcfs RSS:          ${lbefore} kB before, $(rss_kb "$lxcfs_pid") kB after"
exit 0
