# tests/vm/helpers/docker.bash - shared by the Docker suites in the guest.
#
# setup_file starts the moat VM's engines (scripts/docker-vm.sh): dockerd
# with moat as the runtime of every container on /var/run/docker.sock (plain
# `docker`), and a control dockerd whose containers run with the real runc
# ($MOAT_DOCKER_CONTROL, `control`). teardown_file removes every container
# and stops everything; nothing is left behind.
#
# Under TCG one `docker` CLI start costs ~2.5 s and a container start ~5 s:
# the tests share long-running containers where they can.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
OUT=${OUTPUT:-build}
case $OUT in /*) ;; *) OUT=$REPO/$OUT ;; esac
DVM=$REPO/scripts/docker-vm.sh
export MOAT_DOCKER_CONTROL=unix:///run/docker-runc.sock
IMAGE=moat-test

# Why this file's tests skip, or empty. (bats 1.8 cannot skip from
# setup_file: it reports a failure; the reason is exported to each test.)
docker_skip_reason() {
  local b
  [ "${MOAT_VM:-}" = 1 ] || { echo "not inside the scripts/vm.sh guest (MOAT_VM unset)"; return; }
  [ -n "${MOAT_VM_DISK:-}" ] || { echo "no ext4 disk in the guest (scripts/vm.sh --disk SIZE)"; return; }
  grep -qw bpf /sys/kernel/security/lsm 2>/dev/null || { echo "BPF-LSM is not active in this kernel"; return; }
  for b in moat-runc moat-loader moatctl; do
    [ -x "$OUT/$b" ] || { echo "$OUT/$b is not built (make)"; return; }
  done
  command -v dockerd >/dev/null || echo "dockerd is not installed (docker.io)"
}

# Returns 1 when the tests are to be skipped (DOCKER_SKIP says why).
docker_setup_file() {
  DOCKER_SKIP=$(docker_skip_reason)
  export DOCKER_SKIP
  [ -z "$DOCKER_SKIP" ] || return 1
  unset DOCKER_HOST DOCKER_CONTEXT
  : >"$BATS_FILE_TMPDIR/started"
  if ! "$DVM" start >"$BATS_FILE_TMPDIR/docker-vm.log" 2>&1 3>&-; then
    sed 's/^/# /' "$BATS_FILE_TMPDIR/docker-vm.log" >&3
    "$DVM" stop >/dev/null 2>&1 3>&-
    echo "# scripts/docker-vm.sh start failed" >&3
    exit 1
  fi
}

docker_setup() {
  [ -z "${DOCKER_SKIP:-}" ] || skip "$DOCKER_SKIP"
}

docker_teardown_file() {
  [ -e "$BATS_FILE_TMPDIR/started" ] || return 0
  mkdir -p "$OUT/test-logs"
  "$DVM" stop >"$OUT/test-logs/docker-vm-stop.log" 2>&1 3>&-
  # nothing of ours may survive: engines, shims, the loader, mounts
  local left
  left=$(pgrep -f -- "/run/moat-docker/|moat-docker/data" | tr '\n' ' ')
  [ -z "$left" ] || { echo "# left behind: $left" >&3; return 1; }
}

# moat / control: the docker CLI against either engine, under bats' run.
# What ran and what it said goes to the test's output (shown on failure).
# moat-runc's warnings (e.g. a bind source it cannot idmap) reach the
# client's stderr; they are shown, then left out of output and lines.
moat() {
  run docker "$@"
  printf '# moat: docker %s -> %s\n%s\n' "$*" "$status" "$output"
  output=$(grep -v '^moat-runc: warning: ' <<<"$output" || true)
  mapfile -t lines <<<"$output"
  [ -n "$output" ] || lines=()
}
control() {
  run env DOCKER_HOST="$MOAT_DOCKER_CONTROL" docker "$@"
  printf '# runc: docker %s -> %s\n%s\n' "$*" "$status" "$output"
}

# The output with runs of blanks squeezed: "   0  100000  65536" -> "0 100000 65536".
squeezed() { tr -s ' \t' ' ' <<<"$output" | sed 's/^ //; s/ $//'; }

# The runtime's message: what follows "OCI runtime create failed: " on the
# line that has it, without the final ": unknown" and full stop.
oci_error() {
  local line
  line=$(grep -m1 -o 'OCI runtime create failed: .*' <<<"$output") || return 1
  line=${line#OCI runtime create failed: }
  line=${line%.}
  echo "$line"
}

# refused "MESSAGE" ARGS...: `docker ARGS` fails with the runtime saying MESSAGE.
refused() {
  local want=$1 got; shift
  moat "$@"
  if [ "$status" -eq 0 ]; then
    echo "expected 'docker $*' to be refused; it ran: $output"
    return 1
  fi
  got=$(oci_error) || { echo "no OCI runtime error in: $output"; return 1; }
  if [ "$got" != "$want" ]; then
    printf 'docker %s\n  expected: %s\n  got:      %s\n' "$*" "$want" "$got"
    return 1
  fi
}

# The uid map as "0 FIRST COUNT".
is_moat_map() { [[ $1 =~ ^0\ [1-9][0-9]*\ 65536$ ]] && [ "${1#0 }" != "0 4294967295" ]; }

# Whether moat-runc applies the kernel's mount protection (ro stays ro) to
# a container's start mounts: its sources call the registration library's
# moat_policy_protect_mounts when it does.
runtime_protects_mounts() {
  grep -q 'moat_policy_protect_mounts' "$REPO"/runtime/*.c 2>/dev/null
}
