#!/usr/bin/env bash
# tests/bench/docker-run.sh - what moat adds to `docker run --rm moat-test true`
# end to end (CLI, dockerd, containerd, shim, runtime): the moat engine
# against the control engine whose runtime is plain runc, interleaved, in one
# boot of the moat VM (scripts/docker-vm.sh). Prints each engine's median
# and the ratio moat/runc (target <= 1.10).
# Usage: tests/bench/docker-run.sh [RUNS]   (default 10 per engine; boots the
#        QEMU guest itself, about 3 minutes under TCG)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-${RUNS:-10}}
if [ -z "${MOAT_IN_VM:-}" ]; then
  scripts/mkimage.sh --tar-only >/dev/null
  exec scripts/vm.sh --disk 2G --timeout 1800 -- env MOAT_IN_VM=1 RUNS="$RUNS" \
    scripts/docker-vm.sh run -- "$0" "$RUNS"
fi

T=$(mktemp -d /tmp/moat-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
# one timed run, in ms; a failed run aborts the benchmark
once() {
  local t0 t1
  t0=$(date +%s%N)
  if ! docker run --rm moat-test true >"$T/out" 2>&1; then
    echo "docker-run.sh: docker run failed (DOCKER_HOST=${DOCKER_HOST:-default}):" >&2
    cat "$T/out" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
# one untimed run each first: page cache, first-use costs
DOCKER_HOST=$MOAT_DOCKER_CONTROL once >/dev/null
once >/dev/null
for i in $(seq "$RUNS"); do
  # alternate which engine goes first
  if [ $((i % 2)) = 0 ]; then
    echo "runc $(DOCKER_HOST=$MOAT_DOCKER_CONTROL once)"
    echo "moat $(once)"
  else
    echo "moat $(once)"
    echo "runc $(DOCKER_HOST=$MOAT_DOCKER_CONTROL once)"
  fi
done >"$T/results"
median() { awk -v k="$1" '$1 == k { print $2 }' "$T/results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
r=$(median runc) m=$(median moat)
printf '%-34s %8s %8s %8s\n' "docker run --rm moat-test true" "runs" "min ms" "median"
for k in runc moat; do
  printf '%-34s %8d %8d %8d\n' "  $k" "$RUNS" \
    "$(awk -v k="$k" '$1 == k { print $2 }' "$T/results" | sort -n | head -n1)" "$(median "$k")"
done
printf 'ratio moat/runc (median): %.3f (target <= 1.10)\n' "$(awk -v a="$m" -v b="$r" 'BEGIN { print a / b }')"
