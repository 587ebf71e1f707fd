#!/usr/bin/env bats
# The README's "Two commands" (make demo, make check) work on a fresh machine:
# each installs the packages (scripts/deps.sh) before it compiles anything,
# and CI (.ci/run) runs exactly the README's test command, nothing before it.
# Cheap: `make -n` only (with -n, make still runs the recursive $(MAKE) lines,
# dry too), so nothing is installed or built.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
  T=$(mktemp -d /tmp/moat-readme-test.XXXXXX)
}

teardown() {
  rm -rf "$T"
}

# The commands of the README's "## Two commands" block, comments dropped.
readme_commands() {
  awk '/^## Two commands/ { sec = 1; next } /^## / { sec = 0 }
       sec && /^```/ { blk = !blk; next }
       sec && blk { sub(/[ \t]*#.*/, ""); if ($0 != "") print }' "$REPO/README.md"
}

# What .ci/run does besides the shebang, comments, `set -...` and the cd into
# the repository.
ci_commands() {
  grep -vE '^[[:space:]]*(#|$|set -|cd "\$\(dirname "\$0"\)/\.\."$)' "$REPO/.ci/run"
}

# dry_run ARGS...: `make -n ARGS` as on a fresh machine: a fresh output dir
# (everything to build), the compilers and archivers renamed so that every
# build step is recognisable. Prints make's lines.
dry_run() {
  # as typed: nothing inherited from a make this suite may run under
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u KERNEL -u KERNELS \
    make -C "$REPO" --no-print-directory -n OUTPUT="$T/out" \
    CC=moat-probe-cc CLANG=moat-probe-clang BPFTOOL=moat-probe-bpftool AR=moat-probe-ar "$@" \
    2>&1
}

# deps_first: stdin (make -n's lines) runs scripts/deps.sh, later builds
# something, and builds nothing before deps.sh.
deps_first() {
  awk '/scripts\/deps\.sh/ && !deps { deps = NR }
       /(^|[ ;&|(])moat-probe-(cc|clang|bpftool|ar)( |$)/ && !build { build = NR; line = $0 }
       END {
         if (!deps) { print "no scripts/deps.sh"; exit 1 }
         if (!build) { print "builds nothing"; exit 1 }
         if (build < deps) { print "builds before deps.sh (line " build "): " line; exit 1 }
       }'
}

@test "the README has its two commands: make demo, make check" {
  run readme_commands
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'make demo\nmake check')" ]
}

@test "each README command installs the packages before it compiles anything" {
  local cmd
  while read -r cmd; do
    [[ $cmd == "make "* ]] || { echo "not a make command: $cmd"; return 1; }
    # shellcheck disable=SC2086 # the README's words
    dry_run ${cmd#make } >"$T/dry" || { cat "$T/dry"; return 1; }
    run deps_first <"$T/dry"
    echo "$cmd: $output"
    [ "$status" -eq 0 ]
  done < <(readme_commands)
}

@test "the ordering check fails on a target that builds before deps.sh (the old make check)" {
  printf 'old-check: all $(UNIT_TESTS)\n\tscripts/deps.sh\n\ttests/run.sh\n' >"$T/old.mk"
  dry_run -f Makefile -f "$T/old.mk" old-check >"$T/dry"
  run deps_first <"$T/dry"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == "builds before deps.sh"* ]]
}

@test ".ci/run runs exactly the README's test command, nothing before it" {
  local readme_test
  readme_test=$(readme_commands | grep -x 'make check')
  run ci_commands
  echo "$output"
  [ "$output" = "$readme_test" ]
}

@test "make check runs the guest suites on both kernels; KERNEL= picks one" {
  run dry_run check
  [[ $output == *"tests/run.sh --kernel 6.1 --kernel 6.12"* ]]
  run dry_run vmtest KERNEL=6.12
  [[ $output == *"tests/run.sh --only vm --kernel 6.12"* ]]
}
