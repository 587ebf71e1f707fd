# tests/helpers/fsemu.bash - shared by moat-fs's bats suites
# (tests/integration/fsemu*.bats on the host, tests/vm/fsemu*.bats in the
# QEMU guest). Each suite gets a private world in $T: the FUSE mountpoint
# $MNT, the state directory $STATE, and cgroups named moat-fs-test-<pid>-*
# (listed in $T/cgroups, removed at the end). Nothing else is touched, but
# for the host's net.core.somaxconn, which the reconciliation test raises
# and which fs_teardown_file puts back.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MOATFS=${MOATFS:-$REPO/${OUTPUT:-build}/moat-fs}

fs_setup_file() {
  [ -x "$MOATFS" ] || { echo "# $MOATFS not built (run make)" >&3; return 1; }
  T=$(mktemp -d /tmp/moat-fs-test.XXXXXX)
  chmod 0711 "$T"
  MNT=$T/mnt STATE=$T/state CGNAME=moat-fs-test-$$
  mkdir -p "$MNT"
  : >"$T/cgroups"
  cat /proc/sys/net/core/somaxconn >"$T/somaxconn.orig"
  if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    V2=/sys/fs/cgroup/unified
  else
    V2=/sys/fs/cgroup
  fi
  HYBRID=0
  [ "$(stat -f -c %T /sys/fs/cgroup/memory 2>/dev/null)" = cgroupfs ] && HYBRID=1
  export T MNT STATE CGNAME V2 HYBRID
}

# Stop moat-fs, remove the cgroups, and fail if any moat-fs process of ours
# is left behind.
fs_teardown_file() {
  [ -n "${T:-}" ] && [ -d "$T" ] || return 0
  local left="" i d
  "$MOATFS" --mountpoint "$MNT" --state-dir "$STATE" --stop >/dev/null 2>&1
  for i in $(seq 50); do
    left=$(fs_pids)
    [ -z "$left" ] && break
    sleep 0.1
  done
  [ -z "$left" ] || kill -9 $left 2>/dev/null
  tac "$T/cgroups" | while read -r d; do fs_cg_remove "$d"; done
  # and what runc made for containers named after $CGNAME
  for d in /sys/fs/cgroup/*/"$CGNAME"-* /sys/fs/cgroup/"$CGNAME"-*; do
    [ -d "$d" ] && fs_cg_remove "$d"
  done
  cat "$T/somaxconn.orig" >/proc/sys/net/core/somaxconn
  umount -l "$MNT" 2>/dev/null
  rm -rf "$T"
  [ -z "$left" ] || { echo "# moat-fs processes left behind: $left" >&3; return 1; }
}

# Every process of this suite's moat-fs (worker and keeper: both carry the
# mountpoint on their command line).
fs_pids() { pgrep -f -- "--mountpoint $MNT " | tr '\n' ' '; }
fs_worker_pid() { cat "$(ls "$STATE"/*.pid | grep -v keeper)" 2>/dev/null; }
fs_keeper_pid() { cat "$STATE"/*.keeper.pid 2>/dev/null; }

# Start (or restart: take over) moat-fs in the background, detached.
fs_start() {
  "$MOATFS" --mountpoint "$MNT" --state-dir "$STATE" "$@" >>"$T/moat-fs.log" 2>&1 3>&- || return 1
  fs_wait_ready
}

fs_wait_ready() {
  local i
  for i in $(seq 100); do
    [ -n "$(fs_worker_pid)" ] && kill -0 "$(fs_worker_pid)" 2>/dev/null &&
      cat "$MNT/proc/uptime" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "moat-fs did not come up"; cat "$T/moat-fs.log"; return 1
}

# fs_cg_make HIERARCHY-DIR NAME: create a cgroup (recorded for removal); prints its path.
fs_cg_make() {
  local d=$1/$CGNAME-$2
  mkdir -p "$d" || return 1
  echo "$d" >>"$T/cgroups"
  # a new v1 cpuset has no CPUs nor memory nodes (cgroup2 inherits them)
  if [ -e "$1/cpuset.mems" ] && [ -z "$(cat "$d/cpuset.mems")" ]; then
    cat "$1/cpuset.mems" >"$d/cpuset.mems"
    cat "$1/cpuset.cpus" >"$d/cpuset.cpus"
  fi
  echo "$d"
}

fs_cg_remove() {
  local d=$1 p i
  [ -d "$d" ] || return 0
  for i in $(seq 50); do
    for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    rmdir "$d" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "# cannot remove cgroup $d" >&3
}

# in_cg "DIR..." CMD...: run CMD inside those cgroups (a "container").
in_cg() {
  local dirs=$1; shift
  sh -c 'for d in $0; do echo $$ >"$d/cgroup.procs" || exit 125; done; exec "$@"' "$dirs" "$@"
}

# The root of every hierarchy: a host process.
fs_root_cgroups() {
  local d r=$V2
  if [ "$HYBRID" = 1 ]; then
    for d in memory cpu cpuacct cpuset blkio; do r="$r /sys/fs/cgroup/$d"; done
  fi
  echo "$r"
}

kb_of() { awk -v k="$1:" '$1 == k { print $2 }'; }
