#!/usr/bin/env bash
# tests/fuzz/run.sh - run each libFuzzer target for its share of FUZZ_TIME
# seconds (default 600 in all: three quarters for fuzz-spec, the rest for
# fuzz-config), one process each, one after the other, then print what
# libFuzzer measured. The seeds (tests/fuzz/corpus/<name>) and regressions
# (tests/fuzz/regressions/<name>) are read, never written: new inputs go to
# $OUTPUT/fuzz/corpus/<name>, crashes to $OUTPUT/fuzz/artifacts/<name>/.
# Usage: tests/fuzz/run.sh BUILD/fuzz/fuzz-NAME...
set -uo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-build}
total=${FUZZ_TIME:-600}
[ $# -gt 0 ] || { echo "usage: $0 FUZZER..." >&2; exit 2; }

share() { # NAME: its seconds of $total
  case $1 in
    spec) echo $(( $# == 1 && nt == 1 ? total : total * 3 / 4 )) ;;
    *) echo $(( nt == 1 ? total : (total - total * 3 / 4) / (nt - 1) )) ;;
  esac
}

nt=$# status=0 summary=()
for fuzzer in "$@"; do
  name=${fuzzer##*/fuzz-}
  secs=$(share "$name")
  work=$OUTPUT/fuzz/corpus/$name art=$OUTPUT/fuzz/artifacts/$name log=$OUTPUT/fuzz/$name.log
  mkdir -p "$work" "$art" tests/fuzz/regressions/"$name"
  dict=() && [ -e tests/fuzz/"$name".dict ] && dict=(-dict=tests/fuzz/"$name".dict)
  echo "fuzz: $name for ${secs}s (log: $log)"
  "$fuzzer" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$art/" "${dict[@]}" "$work" tests/fuzz/corpus/"$name" \
    tests/fuzz/regressions/"$name" >"$log" 2>&1
  rc=$?
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
  summary+=("$(printf '%-7s %s  exec/s avg %s' "$name" "${last:-no stats}" "${execs:-?}")")
  if [ $rc -ne 0 ]; then
    status=1
    echo "fuzz: $name failed (status $rc); crashes: $(ls "$art" | tr '\n' ' ')" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz-[a-z]+: invariant)' "$log" | head -5 >&2
  fi
done
printf 'fuzz: %s\n' "${summary[@]}"
exit $status
