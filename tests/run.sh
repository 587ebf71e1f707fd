#!/usr/bin/env bash
# tests/run.sh - run every suite and print one closing line:
#   N passed, N failed, N skipped
# Suites speak TAP (bats with each test's duration).  unit: cmocka binaries;
# integration: bats on the host; vm: bats inside the QEMU guest, all of
# tests/vm/ in one boot per kernel, as suites vm-6.1 and vm-6.12 (the kernel
# series scripts/vm.sh boots).
# Usage: tests/run.sh [--only unit|integration|vm]... [--kernel SERIES]...
#   --kernel SERIES  only this guest kernel (default: $MOAT_KERNELS, else 6.1 6.12)
set -uo pipefail
cd "$(dirname "$0")/.."
OUTPUT=${OUTPUT:-build}
only=() kernels=()
while [ $# -gt 0 ]; do
  case $1 in
    --only) only+=("$2"); shift 2 ;;
    --kernel) kernels+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "tests/run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
# A hung guest suite must not eat CI's time (90 minutes): 40 minutes per
# kernel. A quiet machine runs a whole guest suite in far less; with ~7 other
# QEMU guests beside it (load 17-20) one took over 30 minutes.
vm_timeout=${MOAT_VM_TIMEOUT:-2400}
# shellcheck disable=SC2206 # a list of series, split on blanks
[ ${#kernels[@]} -gt 0 ] || kernels=(${MOAT_KERNELS:-6.1 6.12})
wanted() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }

passed=0 failed=0 skipped=0 summary=()
log_dir=$OUTPUT/test-logs
mkdir -p "$log_dir"

# count_tap NAME FILE RC SECONDS: add a suite's TAP results to the totals.
count_tap() {
  local name=$1 file=$2 rc=$3 secs=$4 p f s
  s=$(grep -cE '^ok .*# (skip|SKIP)' "$file")
  p=$(( $(grep -cE '^ok ' "$file") - s ))
  f=$(grep -cE '^not ok ' "$file")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok - $name exited with status $rc without reporting a failure"
    f=1
  fi
  if [ $((p + f + s)) -eq 0 ]; then
    echo "not ok - $name ran no test"
    f=1
  fi
  summary+=("$(printf '# %-28s %3d passed, %d failed, %d skipped (%ds)' "$name" "$p" "$f" "$s" "$secs")")
  echo "${summary[-1]}"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

run_suite() { # NAME CMD...
  local name=$1 log=$log_dir/$1.tap rc t0=$SECONDS; shift
  mkdir -p "$(dirname "$log")"
  echo "# suite $name"
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  count_tap "$name" "$log" "$rc" $((SECONDS - t0))
}

if wanted unit; then
  for t in "$OUTPUT"/tests/unit/*; do
    [ -x "$t" ] || continue
    run_suite "unit/$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
  done
fi
if wanted integration; then
  for t in tests/integration/*.bats; do
    [ -e "$t" ] || continue
    run_suite "integration/$(basename "$t" .bats)" bats --tap --timing "$t"
  done
fi
if wanted vm; then
  if ls tests/vm/*.bats >/dev/null 2>&1; then
    for k in "${kernels[@]}"; do
      run_suite "vm-$k" scripts/vm.sh --kernel-series "$k" --disk 2G --timeout "$vm_timeout" -- \
        bats --tap --timing tests/vm
    done
  fi
fi

echo "# summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
