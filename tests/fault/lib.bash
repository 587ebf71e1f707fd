# tests/fault/lib.bash - shared by the fault and load suites
# (tests/integration/fault.bats and load.bats on the host, tests/vm/70-fault.bats
# and 80-load.bats in the QEMU guest). Load it after helpers/runtime.bash and
# tests/helpers/fsemu.bash.
#
# The world (ft_setup_file): moat-fs on tests/helpers/fsemu.bash's temp mountpoint
# $MNT (its dir is $FS_T), and helpers/runtime.bash's layout in $T under a
# base dir of the caller's choice (the guest's ext4 disk, for idmapped
# views): rootfs, base bundle, private runc root $T/runc-root, moat.conf with
# state_dir $T/state. Container ids are ft-*, load-*; their cgroups are
# /$CGNAME-<id>, which fs_teardown_file removes if anything is left.
#
# No fork is spent where bash can do without: sleeps read a FIFO with a
# timeout, clocks are $EPOCHREALTIME (the guest pays 50-300 ms per process).

FT_RR= FT_STATE= FT_LOG=

# ft_setup_file BASE-DIR POLICY: POLICY is "optional" (host: no kernel policy)
# or "required" (guest: moat-loader's pins in the default pin dir).
ft_setup_file() {
  local base=$1 policy=$2
  [ -x "$MOAT_RUNC_BIN" ] || { echo "# $MOAT_RUNC_BIN not built (run make)" >&3; return 1; }
  [ -e /dev/fuse ] || modprobe fuse
  fs_setup_file || return 1
  FS_T=$T
  fs_start || return 1
  T=$(mktemp -d "$base/moat-ft.XXXXXX")
  chmod 0711 "$T"
  export T FS_T
  rt_make_rootfs "$T/rootfs"
  rt_make_base_bundle
  mkdir -p "$T/runc-root" "$T/bundles"
  : >"$T/empty"
  : >"$T/ft.log"
  mkfifo "$T/sleep.fifo"
  {
    echo "state_dir = $T/state"
    echo "kernel_policy = $policy"
    [ "$policy" = required ] || echo "pin_dir = $T/no-pin"
    echo "fsemu = required"
    echo "fsemu_mountpoint = $MNT"
  } >"$T/moat.conf"
  export MOAT_CONF=$T/moat.conf
  # the base config with a placeholder for the cgroup: bundles without a fork
  jq '.process.args = ["sleep", "100000"] | .linux.cgroupsPath = "@CG@"' \
    "$T/base/config.json" >"$T/base/ft-config.json"
}

ft_teardown_file() {
  local id
  if [ -n "${T:-}" ] && [ -d "$T" ]; then
    ft_quiesce 20 || true
    for id in $("$RUNC_BIN" --root "$T/runc-root" list -q 2>/dev/null); do
      ft_moat delete --force "$id" >/dev/null 2>&1 ||
        "$RUNC_BIN" --root "$T/runc-root" delete --force "$id" >/dev/null 2>&1
    done
    # whatever a failed test left: records, views
    for id in $(ls "$T/state/containers" 2>/dev/null); do ft_moat delete "$id" >/dev/null 2>&1; done
    rt_umount_below "$T"
    rm -rf "$T"
  fi
  [ -n "${FS_T:-}" ] && T=$FS_T fs_teardown_file
}

# Per test: the names and the FIFO the sleeps read.
ft_setup() {
  FT_RR=$T/runc-root FT_STATE=$T/state FT_LOG=$T/ft.log
  exec {FT_SLEEP_FD}<>"$T/sleep.fifo"
  RANDOM=${MOAT_FAULT_SEED:-$$}
}

ft_moat() { "$MOAT_RUNC_BIN" --config "$T/moat.conf" --root "$T/runc-root" "$@"; }

# ft_msleep MS: sleep without a fork.
ft_msleep() {
  local ms=$1
  read -r -t "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))" -u "$FT_SLEEP_FD" _ || true
}

# ft_now: milliseconds since the epoch, in $FT_NOW.
ft_now() { local t=${EPOCHREALTIME/[.,]/}; FT_NOW=$((t / 1000)); }

# ft_bundle ID: the bundle dir of container ID (cgroup /$CGNAME-ID), in $FT_B.
ft_bundle() {
  local cfg
  FT_B=$T/bundles/$1
  mkdir -p "$FT_B"
  cfg=$(<"$T/base/ft-config.json")
  printf '%s\n' "${cfg//@CG@//$CGNAME-$1}" >"$FT_B/config.json"
}

# Are moat-runc, runc or a hook of our runc root still running?
ft_busy() { pgrep -f -- "--root $T/runc-root " >/dev/null; }

# ft_quiesce [SECONDS]: wait until no process of our runc root runs (a killed
# moat-runc leaves its runc child running: wait for what it does).
ft_quiesce() {
  local i n=$(( ${1:-30} * 50 ))
  for ((i = 0; i < n; i++)); do
    ft_busy || return 0
    ft_msleep 20
  done
  echo "still running after ${1:-30} s:"; pgrep -af -- "--root $T/runc-root "
  return 1
}

# ft_killable MAX-MS ARGS...: moat-runc ARGS in the background, killed with
# SIGKILL after a random 0..MAX-MS ms unless it is done by then. Sets FT_RC
# (137: killed) and FT_DELAY.
ft_killable() {
  local max=$1 pid; shift
  FT_DELAY=$((RANDOM % (max + 1)))
  "$MOAT_RUNC_BIN" --config "$T/moat.conf" --root "$T/runc-root" "$@" \
    <"$T/empty" >>"$FT_LOG" 2>&1 &
  pid=$!
  ft_msleep "$FT_DELAY"
  kill -9 "$pid" 2>/dev/null || true
  FT_RC=0
  wait "$pid" || FT_RC=$?
}

# ft_kill_hook ARGS...: moat-runc ARGS (a create); its createRuntime hook (a
# moat-runc too) is killed with SIGKILL as soon as it shows up (polled; the
# create runs at nice 19 to give the poller a chance). FT_RC as above;
# FT_DELAY is "caught" if SIGKILL reached the hook (possibly as it was
# exiting), "missed" if the poller never saw it.
ft_kill_hook() {
  local pid h i; FT_DELAY=missed
  nice -n 19 "$MOAT_RUNC_BIN" --config "$T/moat.conf" --root "$T/runc-root" "$@" \
    <"$T/empty" >>"$FT_LOG" 2>&1 &
  pid=$!
  for ((i = 0; i < 2000; i++)); do
    h=$(pgrep -f -- "--root $T/runc-root hook create-runtime")
    if [ -n "$h" ]; then kill -9 $h 2>/dev/null; FT_DELAY=caught; break; fi
    kill -0 "$pid" 2>/dev/null || break
  done
  FT_RC=0
  wait "$pid" || FT_RC=$?
}

# ft_plain ARGS...: moat-runc ARGS, not killed. FT_RC.
ft_plain() {
  FT_RC=0
  "$MOAT_RUNC_BIN" --config "$T/moat.conf" --root "$T/runc-root" "$@" \
    <"$T/empty" >>"$FT_LOG" 2>&1 || FT_RC=$?
}

# ft_status ID: the status of ID in our root by runc's own rule, without
# running runc: "" (runc does not know it), created (its exec.fifo is there),
# running (its init lives), stopped. (ft_check_live asks runc itself.)
ft_status() {
  local d=$T/runc-root/$1 s re='"init_process_pid":([0-9]+),"init_process_start":([0-9]+)' st
  [ -f "$d/state.json" ] || { echo ""; return; }
  read -r -d '' s <"$d/state.json" || true
  [[ $s =~ $re ]] || { echo ""; return; }
  read -r st <"/proc/${BASH_REMATCH[1]}/stat" 2>/dev/null || { echo stopped; return; }
  st=${st##*) }; set -- $st
  [ "${20}" = "${BASH_REMATCH[2]}" ] || { echo stopped; return; }
  if [ -e "$d/exec.fifo" ]; then echo created; else echo running; fi
}

# ft_pid ID: the init pid of container ID.
ft_pid() {
  local s
  s=$("$RUNC_BIN" --root "$T/runc-root" state "$1" 2>/dev/null) || return 1
  s=${s#*\"pid\": }
  echo "${s%%,*}"
}

# ft_uidmap PID: "start size" of the host range behind container uid 0.
ft_uidmap() {
  local a b c
  read -r a b c <"/proc/$1/uid_map" || return 1
  [ "$a" = 0 ] && echo "$b $c"
}

# ft_cgroup_id PID: the inode of the process' cgroup v2 directory (the id the
# kernel policy keys on).
ft_cgroup_id() {
  local line root
  root=/sys/fs/cgroup
  [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && root=/sys/fs/cgroup/unified
  while read -r line; do
    [[ $line == 0::* ]] && { stat -c %i "$root${line#0::}"; return; }
  done <"/proc/$1/cgroup"
  return 1
}

# ft_leaks [IDS...]: print what moat still holds (state records, view dirs,
# mounts under the state dirs, runc containers, cgroups of ours, and with
# $FT_BASELINE_PS the kernel registrations that were not there before).
# Nothing printed: nothing leaked.
ft_leaks() {
  local left
  left=$(ls -A "$T/state/containers" 2>/dev/null || true)
  [ -z "$left" ] || echo "state records:" $left
  left=$(ls -A "$T/state-views" 2>/dev/null || true)
  [ -z "$left" ] || echo "view dirs:" $left
  left=$(awk -v d="$T/state" '$5 == d || index($5, d "/") == 1 || index($5, d "-views/") == 1 { print $5 }' /proc/self/mountinfo)
  [ -z "$left" ] || echo "mounts:" $left
  left=$("$RUNC_BIN" --root "$T/runc-root" list -q 2>/dev/null)
  [ -z "$left" ] || echo "runc containers:" $left
  left=$(ls -d /sys/fs/cgroup/"$CGNAME"-* /sys/fs/cgroup/*/"$CGNAME"-* 2>/dev/null || true)
  [ -z "$left" ] || echo "cgroups:" $left
  if [ -n "${FT_BASELINE_PS:-}" ]; then
    left=$(ft_registered | grep -vxF -f "$FT_BASELINE_PS" || true)
    [ -z "$left" ] || echo "kernel registrations (cgroup ids):" $left
  fi
}

# ft_registered: the cgroup ids in the kernel policy (moatctl ps), one a line.
ft_registered() { "$MOATCTL" ps | awk 'NR > 1 { print $1 }'; }

# ft_list: the containers of our root as runc lists them (one `runc list`),
# in the arrays FT_IDS, FT_PIDS, FT_STS (status).
ft_list() {
  local json re='"id":"([^"]*)","pid":([0-9]+),"status":"([a-z]+)"'
  FT_IDS=() FT_PIDS=() FT_STS=()
  json=$("$RUNC_BIN" --root "$T/runc-root" list --format json) || return 1
  while [[ $json =~ $re ]]; do
    FT_IDS+=("${BASH_REMATCH[1]}") FT_PIDS+=("${BASH_REMATCH[2]}") FT_STS+=("${BASH_REMATCH[3]}")
    json=${json#*"${BASH_REMATCH[0]}"}
  done
}

# ft_ranges: "start size" of every live container of our root, one a line
# (from the init's uid_map).
ft_ranges() {
  local i
  ft_list || return 1
  for i in "${!FT_IDS[@]}"; do
    [ "${FT_PIDS[i]}" -gt 0 ] && ft_uidmap "${FT_PIDS[i]}"
  done
}

# ft_disjoint: the ranges on stdin ("start size") overlap nowhere, and each
# is a full 64Ki range.
ft_disjoint() {
  sort -n | awk '
    $2 != 65536 { print "range " $1 " has size " $2; bad = 1 }
    NR > 1 && $1 < end { print "range " $1 " overlaps the one ending at " end - 1; bad = 1 }
    { end = $1 + $2 }
    END { exit bad }'
}

# ft_uptime_in ID: the first field of /proc/uptime as container ID reads it.
ft_uptime_in() {
  local u
  u=$(timeout 30 "$MOAT_RUNC_BIN" --config "$T/moat.conf" --root "$T/runc-root" \
    exec "$1" cat /proc/uptime 2>>"$FT_LOG" <"$T/empty") || return 1
  echo "${u%%.*}"
}

# ft_host_uptime: the host's uptime, in seconds.
ft_host_uptime() { local u; read -r u _ </proc/uptime; echo "${u%%.*}"; }

# ft_fs_pid worker|keeper: the pid of this suite's moat-fs worker or keeper
# (by command name: pid files may lag behind a restart).
ft_fs_pid() {
  local p c want=moat-fs
  [ "$1" = keeper ] && want=moatfs-keeper
  for p in $(fs_pids); do
    read -r c <"/proc/$p/comm" 2>/dev/null && [ "$c" = "$want" ] && { echo "$p"; return 0; }
  done
  return 1
}

# ft_fs_ready: moat-fs answers on $MNT within 10 s (every read bounded: a
# FUSE mount whose server is gone blocks its readers).
ft_fs_ready() {
  local i
  for ((i = 0; i < 50; i++)); do
    ft_fs_pid worker >/dev/null && ft_fs_pid keeper >/dev/null &&
      timeout 2 cat "$MNT/proc/uptime" >/dev/null 2>&1 && return 0
    ft_msleep 200
  done
  echo "moat-fs does not answer on $MNT; its processes: $(fs_pids)"
  tail -n5 "$FS_T"/state/*.log
  return 1
}

ft_note() { echo "# $*" >&3; }

# --- faults ---------------------------------------------------------------

# ft_calibrate ID: one clean lifecycle; FT_TC, FT_TS, FT_TD are how long
# create, start and delete took (ms): the windows the kills are drawn from.
ft_calibrate() {
  local t0
  ft_bundle "$1"
  ft_now; t0=$FT_NOW
  ft_plain create --bundle "$FT_B" "$1"; [ "$FT_RC" = 0 ] || { cat "$FT_LOG"; return 1; }
  ft_now; FT_TC=$((FT_NOW - t0)); t0=$FT_NOW
  ft_plain start "$1"; [ "$FT_RC" = 0 ] || { cat "$FT_LOG"; return 1; }
  ft_now; FT_TS=$((FT_NOW - t0)); t0=$FT_NOW
  ft_plain delete --force "$1"; [ "$FT_RC" = 0 ] || { cat "$FT_LOG"; return 1; }
  ft_now; FT_TD=$((FT_NOW - t0))
  ft_note "calibration: create $FT_TC ms, start $FT_TS ms, delete $FT_TD ms"
}

# ft_check_live: every container of ours that runc reports created or
# running lives in a 64Ki range of the pool and, under the kernel policy
# ($FT_POLICY = 1), its cgroup is registered. Prints what is wrong.
ft_check_live() {
  local i id st p map reg="" cg bad=0
  [ "${FT_POLICY:-0}" = 1 ] && reg=$(ft_registered)
  ft_list || return 1
  for i in "${!FT_IDS[@]}"; do
    id=${FT_IDS[i]} st=${FT_STS[i]} p=${FT_PIDS[i]}
    [ "$st" = created ] || [ "$st" = running ] || continue
    map=$(ft_uidmap "$p")
    if [ -z "$map" ] || [ "${map% *}" -lt 100000 ] || [ "${map#* }" != 65536 ]; then
      echo "container $id ($st, pid $p) runs without a range of its own: uid_map '$map'"; bad=1
    fi
    if [ "${FT_POLICY:-0}" = 1 ]; then
      cg=$(ft_cgroup_id "$p")
      if ! grep -qx "$cg" <<<"$reg"; then
        echo "container $id ($st, pid $p, cgroup id $cg) runs without its kernel registration"; bad=1
      fi
    fi
  done
  return $bad
}

# ft_enforced ID: container ID (reported started) runs and is enforced: its
# range, and under the kernel policy a mount of debugfs from its cgroup is
# denied (moat-attack joins the cgroup from outside; $ATTACK).
ft_enforced() {
  local id=$1 st dir
  st=$(ft_status "$id")
  [ "$st" = running ] || { echo "container $id was reported started but is '$st'"; return 1; }
  ft_check_live || return 1
  [ "${FT_POLICY:-0}" = 1 ] || return 0
  dir=$T/mnt-attack; mkdir -p "$dir"
  if "$ATTACK" --cgroup "/sys/fs/cgroup/$CGNAME-$id" mount debugfs "$dir" >"$T/attack.out" 2>&1; then
    umount "$dir" 2>/dev/null
    echo "container $id: debugfs mounted from its cgroup: not enforced"; return 1
  fi
  grep -q "Operation not permitted" "$T/attack.out" ||
    { echo "container $id: moat-attack: $(cat "$T/attack.out")"; return 1; }
}

# ft_kill_later MAX-MS PID: SIGKILL PID after a random 0..MAX-MS ms, in the
# background; the killer's pid in $FT_KILLER.
ft_kill_later() {
  local d=$((RANDOM % ($1 + 1)))
  ( ft_msleep "$d"; kill -9 "$2" 2>/dev/null ) &
  FT_KILLER=$!
}

# ft_lifecycle ID KIND: create, start, delete container ID with one fault:
#   none | create | hook | start | delete (moat-runc killed at a random point
#   of that command, or its createRuntime hook) | fs (moat-fs's worker or
#   keeper killed at a random point) | loader (moat-loader killed).
# Checks after each command that no container runs outside its range or
# without its registration, and that a container reported started is
# enforced. Like containerd, it repeats a delete that did not finish.
# Appends "KIND outcome" to $T/outcomes.
ft_lifecycle() {
  local id=$1 kind=$2 crc src=- drc st what="" fsread=-
  FT_KILLER=
  ft_bundle "$id"
  case $kind in
    fs)
      if ((RANDOM % 2)); then what=worker; else what=keeper; fi
      ft_kill_later $((FT_TC + FT_TS)) "$(ft_fs_pid $what)" ;;
    loader) ft_kill_later $((FT_TC + FT_TS)) "$(cat "$LOADER_PID")" ;;
  esac
  case $kind in
    create) ft_killable $((FT_TC * 13 / 10)) create --bundle "$FT_B" "$id" ;;
    hook) ft_kill_hook create --bundle "$FT_B" "$id" ;;
    *) ft_plain create --bundle "$FT_B" "$id" ;;
  esac
  crc=$FT_RC
  ft_quiesce || return 1
  ft_check_live || return 1
  # a killed create may still have been finished by its runc: start what exists
  st=$(ft_status "$id")
  if [ "$st" = created ]; then
    if [ "$kind" = start ]; then
      ft_killable $((FT_TS * 13 / 10)) start "$id"
    else
      ft_plain start "$id"
    fi
    src=$FT_RC
    ft_quiesce || return 1
    if [ "$src" = 0 ]; then
      ft_enforced "$id" || return 1
    else
      ft_check_live || return 1
    fi
  fi
  [ -z "$FT_KILLER" ] || wait "$FT_KILLER" 2>/dev/null
  case $kind in
    fs)
      ft_fs_ready || return 1
      # moat-fs answers in the container again
      if [ "$(ft_status "$id")" = running ]; then
        fsread=$(ft_uptime_in "$id") || { echo "container $id cannot read /proc/uptime after moat-fs' $what was killed"; return 1; }
        [ "$fsread" -lt "$(ft_host_uptime)" ] || { echo "container $id reads the host's uptime ($fsread)"; return 1; }
      fi ;;
    loader)
      ft_start_loader || return 1 ;;
  esac
  if [ "$kind" = delete ]; then
    ft_killable $((FT_TD * 13 / 10)) delete --force "$id"
  else
    ft_plain delete --force "$id"
  fi
  drc=$FT_RC
  ft_quiesce || return 1
  # containerd's retry of a delete that did not finish
  if [ "$drc" != 0 ] && [ -n "$(ft_status "$id")" ]; then
    ft_plain delete --force "$id"
    ft_quiesce || return 1
  fi
  [ -z "$(ft_status "$id")" ] || { echo "container $id still exists after delete"; return 1; }
  [ "$kind" = hook ] && what=$FT_DELAY
  echo "$kind${what:+-$what} delay=$FT_DELAY create=$crc start=$src delete=$drc fsread=$fsread" >>"$T/outcomes"
}

# ft_start_loader: (re)start moat-loader in the background ($LOADER,
# $LOADER_LOG, $LOADER_PID) and wait until it has attached or adopted the pins.
ft_start_loader() {
  local n i
  n=$(grep -c "the policy pinned" "$LOADER_LOG" 2>/dev/null || true)
  "$LOADER" --events-log "$DENIALS" start >>"$LOADER_LOG" 2>&1 &
  echo $! >"$LOADER_PID"
  disown $! 2>/dev/null || true
  for i in $(seq 100); do
    [ "$(grep -c "the policy pinned" "$LOADER_LOG" 2>/dev/null || true)" -gt "${n:-0}" ] && return 0
    ft_msleep 100
  done
  cat "$LOADER_LOG"
  return 1
}

# ft_faults N KINDS...: N lifecycles, the fault kinds in turn, then the
# normal reclaim (a following create and delete) and the leak check.
ft_faults() {
  local n=$1 i kind probe map left; shift
  local kinds=("$@")
  : >"$T/outcomes"
  for ((i = 0; i < n; i++)); do
    kind=${kinds[i % ${#kinds[@]}]}
    ft_lifecycle "ft-$i" "$kind" || { echo "lifecycle ft-$i ($kind) failed; outcomes so far:"; cat "$T/outcomes"; return 1; }
  done
  # the normal reclaim: a following create (its sweep) and delete
  probe=ft-probe
  ft_bundle $probe
  ft_plain create --bundle "$FT_B" $probe; [ "$FT_RC" = 0 ] || { tail "$FT_LOG"; return 1; }
  # the lowest range is free again: no range leaked
  map=$(ft_uidmap "$(ft_pid $probe)")
  ft_plain delete --force $probe
  left=$(ft_leaks)
  ft_note "fault kinds and outcomes (137 = killed):"
  sed 's/ delay=[^ ]*//' "$T/outcomes" | sort | uniq -c | sed 's/^/#   /' >&3
  [ "$map" = "100000 65536" ] || { echo "the probe got range '$map', not the pool's first: a range leaked"; return 1; }
  [ -z "$left" ] || { echo "leaked after the reclaim:"; echo "$left"; return 1; }
}

# The guest suites' world (70-fault, 80-load): the kernel policy on, its
# registrations before the suite as the baseline of the leak check.
ft_vm_setup_file() {
  grep -qw bpf /sys/kernel/security/lsm 2>/dev/null || skip "BPF-LSM is not active here (run in the guest)"
  [ -n "${MOAT_VM_DISK:-}" ] || skip "no ext4 disk (scripts/vm.sh --disk)"
  export DENIALS=$BATS_FILE_TMPDIR/denials.log LOADER_LOG=$BATS_FILE_TMPDIR/loader.log
  export LOADER_PID=$BATS_FILE_TMPDIR/loader.pid FT_POLICY=1
  ft_setup_file "$MOAT_VM_DISK" required
  ft_start_loader
  export FT_BASELINE_PS=$T/baseline-ps
  ft_registered >"$FT_BASELINE_PS"
}

ft_vm_teardown_file() {
  ft_teardown_file
  [ -f "${LOADER_PID:-/nonexistent}" ] && kill "$(cat "$LOADER_PID")" 2>/dev/null
  "$LOADER" stop 2>/dev/null || true
}
