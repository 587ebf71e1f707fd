#!/usr/bin/env bash
# tests/bench/run.sh - every benchmark (`make bench`). Each prints its own
# table of ratios against a baseline measured in the same run: runc for
# moat-runc, lxcfs and native /proc for moat-fs, an unloaded kernel for the
# BPF-LSM hooks (in the QEMU guest), runc as Docker's runtime for moat.
# Performance is reported here, never asserted in tests.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
for b in runc-run.sh procfs.sh vet.sh hooks.sh docker-run.sh; do
  [ -x "tests/bench/$b" ] || continue
  echo "== $b"
  "tests/bench/$b" || { echo "bench: $b failed" >&2; status=1; }
  echo
done
exit $status
