# tests/security/battery.bash - the escape battery (tests/security/README.md),
# driven by tests/vm/60-escapes.bats in the QEMU guest.
#
# One --privileged-style container per runtime runs every attack of the
# static tests/security/escape tool ("escape all": one line per attack).
# The same spec runs three times, one after the other:
#   runc    plain runc (the control: every attack must escape)
#   moat    moat-runc with moat-loader's kernel policy and moat-fs (every
#           attack must be blocked), by create+start so that its start
#           mounts are protected
#   userns  the same with the kernel policy off (kernel_policy = optional,
#           no pins): informational, shows which attacks the user namespace
#           (and moat-fs) stop and which only the kernel policy does
# After each run the host looks for what the attacks leave behind (markers,
# changed settings, loaded modules, tokens the container could only have
# read on the host) and restores every setting. A private world under $T on
# the guest's ext4 disk; only containers in $T's runc roots are touched.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
OUT=${OUTPUT:-build}
case $OUT in /*) ;; *) OUT=$REPO/$OUT ;; esac
ESC=$OUT/tests/escape
MOATFS_BIN=$OUT/moat-fs
RUNTIMES=(runc moat userns)
# the modules the attacks load (and the ones they pull in)
ESC_MODULES=(dummy nlmon qnx4 appletalk psnap llc)
# the kernel's 6.1 capability set: Docker's --privileged gives them all
ALL_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID",
"CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_LINUX_IMMUTABLE","CAP_NET_BIND_SERVICE",
"CAP_NET_BROADCAST","CAP_NET_ADMIN","CAP_NET_RAW","CAP_IPC_LOCK","CAP_IPC_OWNER","CAP_SYS_MODULE",
"CAP_SYS_RAWIO","CAP_SYS_CHROOT","CAP_SYS_PTRACE","CAP_SYS_PACCT","CAP_SYS_ADMIN","CAP_SYS_BOOT",
"CAP_SYS_NICE","CAP_SYS_RESOURCE","CAP_SYS_TIME","CAP_SYS_TTY_CONFIG","CAP_MKNOD","CAP_LEASE",
"CAP_AUDIT_WRITE","CAP_AUDIT_CONTROL","CAP_SETFCAP","CAP_MAC_OVERRIDE","CAP_MAC_ADMIN",
"CAP_SYSLOG","CAP_WAKE_ALARM","CAP_BLOCK_SUSPEND","CAP_AUDIT_READ","CAP_PERFMON","CAP_BPF",
"CAP_CHECKPOINT_RESTORE"]'

note() { echo "# $*" >&3; }

# ---- setup -------------------------------------------------------------------

esc_setup_file() {
  grep -qw bpf /sys/kernel/security/lsm 2>/dev/null || skip "BPF-LSM is not active here (run in the guest)"
  [ -n "${MOAT_VM_DISK:-}" ] || skip "no ext4 disk (scripts/vm.sh --disk)"
  local b
  for b in "$ESC" "$MOAT_RUNC_BIN" "$LOADER" "$RUNC_BIN" "$MOATFS_BIN"; do
    [ -x "$b" ] || { note "$b is not built (make)"; return 1; }
  done
  export REL=esc.$$
  export T=$MOAT_VM_DISK/$REL R=$BATS_FILE_TMPDIR/results
  export PIDS=$BATS_FILE_TMPDIR/pids DENIALS=$BATS_FILE_TMPDIR/denials.log
  export LOADER_LOG=$BATS_FILE_TMPDIR/loader.log LOADER_PID=$BATS_FILE_TMPDIR/loader.pid
  export VICTIM_CG=moat-esc-victim-$$ KEY_DESC=moat-escape-key-$$
  mkdir -p "$T" "$R" && chmod 0711 "$T"
  esc_check_clean_start || return 1
  esc_tokens
  esc_save_host
  esc_fixtures
  esc_bundles
  start_loader
  start_moat_fs
  note "setup: $SECONDS s"
}

# The modules the attacks load must not be loaded yet: one an earlier suite
# left loaded (10-policy's control autoloads appletalk) is unloaded first.
esc_check_clean_start() {
  local m
  for m in "${ESC_MODULES[@]}"; do
    [ ! -d "/sys/module/$m" ] || rmmod "$m" 2>/dev/null || true
  done
  for m in "${ESC_MODULES[@]}"; do
    [ ! -d "/sys/module/$m" ] || { note "module $m is loaded and cannot be unloaded: cannot tell an escape"; return 1; }
  done
}

rand() { local u; read -r u </proc/sys/kernel/random/uuid; echo "${u//-/}"; }

esc_tokens() {
  DOCKER_TOKEN=$(rand) CFG_TOKEN=$(rand) SECRET_TOKEN=$(rand) KEY_TOKEN=$(rand)
  SYSLOG_TOKEN=$(rand)
  export DOCKER_TOKEN CFG_TOKEN SECRET_TOKEN KEY_TOKEN SYSLOG_TOKEN
}

# Host settings the attacks change; esc_restore puts them back.
esc_save_host() {
  read -r SAVED_CORE </proc/sys/kernel/core_pattern
  read -r SAVED_BURST </proc/sys/kernel/printk_ratelimit_burst
  read -r SAVED_SOMAXCONN </proc/sys/net/core/somaxconn
  read -r SAVED_HOSTNAME </proc/sys/kernel/hostname
  export SYSFS_KNOB=/sys/kernel/mm/ksm/pages_to_scan
  read -r SAVED_KNOB <"$SYSFS_KNOB"
  export SAVED_CORE SAVED_BURST SAVED_SOMAXCONN SAVED_HOSTNAME SAVED_KNOB
  printf '%s\n' "$SAVED_CORE" >"$BATS_FILE_TMPDIR/core_pattern.saved"
}

esc_fixtures() {
  local kdir r
  if [ ! -e /dev/fuse ]; then
    modprobe fuse && : >"$BATS_FILE_TMPDIR/fuse.loaded"
  fi
  mkdir -p "$T"/{markers,ro/remount,ro/setattr,ro/rebind,ro/opentree,rosb,secret/private,docker/etc,sock,tracefs,binfmt}
  mkdir -p "$T"/{bundles,runc-root,plain-root}
  chmod 0755 "$T/markers"
  : >"$T/empty"
  : >"$T/markers/getfd-target"
  printf 'host secret %s\n' "$SECRET_TOKEN" >"$T/secret/private/key"
  chmod 0600 "$T/secret/private/key"; chmod 0700 "$T/secret/private"
  printf '{"registry-auth": "%s"}\n' "$CFG_TOKEN" >"$T/docker/etc/daemon.json"
  cp "$T/docker/etc/daemon.json" "$T/daemon.json.orig"
  # a host filesystem whose superblock is read-only while its mount is not
  mount -t tmpfs -o ro,size=64k tmpfs "$T/rosb"
  mount -o remount,bind,rw "$T/rosb"
  # the victim cgroup (host's) and the kernel's trace buffer, seen by the host
  mkdir "/sys/fs/cgroup/$VICTIM_CG"
  mount -t tracefs nodev "$T/tracefs"
  : >"$T/tracefs/trace"
  # binfmt_misc (one instance for the whole kernel in 6.1), mounted by the
  # host so that a handler a container registers outlives its mount
  if [ ! -d /sys/module/binfmt_misc ]; then
    modprobe binfmt_misc && : >"$BATS_FILE_TMPDIR/binfmt.loaded"
  fi
  mount -t binfmt_misc binfmt_misc "$T/binfmt"
  # the host disk: device, numbers, the UUID only a reader of it knows
  read -r DISK_MAJMIN DISK_DEV < <(awk -v m="$MOAT_VM_DISK" '$5 == m { print $3, $(NF-1); exit }' /proc/self/mountinfo)
  export DISK_MAJMIN DISK_DEV
  DISK_UUID=$(od -An -tx1 -j1128 -N16 "$DISK_DEV" | tr -d ' \n')
  DEVMEM_HEX=$(od -An -tx1 -j$((0xF0000)) -N16 /dev/mem | tr -d ' \n')
  export DISK_UUID DEVMEM_HEX
  # a secret of host root's user keyring, and a token in the kernel log
  "$ESC" key-add "$KEY_DESC" "$KEY_TOKEN" >/dev/null
  echo "moat-escape-syslog-$SYSLOG_TOKEN" >/dev/kmsg
  # the fd server and fake Docker daemon (host namespaces, host root)
  "$ESC" serve "$T/sock/escape.sock" "$T/docker" "$DOCKER_TOKEN" "$T/markers/getfd-target" \
    </dev/null >"$BATS_FILE_TMPDIR/serve.log" 2>&1 &
  echo $! >>"$PIDS"
  if ! wait_for "$T/sock/escape.sock" || ! wait_for "$T/docker/docker.sock"; then
    note "escape serve did not start: $(cat "$BATS_FILE_TMPDIR/serve.log")"; return 1
  fi
  # one rootfs per runtime: payloads the host runs are written into it
  kdir=/lib/modules/$(uname -r)/kernel/drivers/net
  for r in "${RUNTIMES[@]}"; do
    rt_make_rootfs "$T/rootfs-$r"
    mkdir -p "$T/rootfs-$r/modules" "$T/rootfs-$r/var/run" "$T/rootfs-$r/etc/docker"
    cp "$ESC" "$T/rootfs-$r/escape"
    # plain ELF: init_module takes no compressed module (6.12 ships .ko.xz)
    for m in dummy nlmon; do
      if [ -e "$kdir/$m.ko" ]; then cp "$kdir/$m.ko" "$T/rootfs-$r/modules/"
      else xz -dc "$kdir/$m.ko.xz" >"$T/rootfs-$r/modules/$m.ko" || return 1; fi
    done
  done
  # moat-runc's configurations: our fake Docker paths are restricted like
  # /var/run/docker.sock and /etc/docker are by default
  # (moat-fs, the /proc emulation, is required in both moat runs)
  local common
  printf -v common 'state_dir = /run/moat\nrestricted_path = %s\nrestricted_path = %s\nfsemu = required\nfsemu_mountpoint = %s\n' \
    "$T/docker/docker.sock" "$T/docker/etc" "$T/fs/mnt"
  printf '%skernel_policy = required\n' "$common" >"$T/moat.conf"
  printf '%skernel_policy = optional\npin_dir = %s\n' "$common" "$T/no-pin" >"$T/userns.conf"
  export MOAT_CONF=$T/moat.conf
}

# moat-fs on a private mountpoint: the moat runs get the emulated /proc and
# /proc/sys files (runtime/emulate.c) as in production.
start_moat_fs() {
  local i
  mkdir -p "$T/fs/mnt" "$T/fs/state"
  "$MOATFS_BIN" --mountpoint "$T/fs/mnt" --state-dir "$T/fs/state" >>"$BATS_FILE_TMPDIR/moat-fs.log" 2>&1 3>&- || {
    note "moat-fs did not start: $(cat "$BATS_FILE_TMPDIR/moat-fs.log")"; return 1; }
  for ((i = 0; i < 100; i++)); do
    [ -r "$T/fs/mnt/proc/uptime" ] && return 0
    sleep 0.1
  done
  note "moat-fs did not come up: $(cat "$BATS_FILE_TMPDIR/moat-fs.log")"
  return 1
}

# Every host device, as Docker's --privileged passes them (linux.devices),
# except runc's defaults and the 64 virtual consoles.
devices_json() {
  local f ty maj min mode t
  stat -c '%n|%F|%t|%T|%a' /dev/* 2>/dev/null | while IFS='|' read -r f ty maj min mode; do
    case ${f#/dev/} in null|zero|full|random|urandom|tty|console|ptmx|tty[0-9]*) continue ;; esac
    case $ty in "block special file") t=b ;; "character special file") t=c ;; *) continue ;; esac
    printf '{"path":"%s","type":"%s","major":%d,"minor":%d,"fileMode":%d,"uid":0,"gid":0}\n' \
      "$f" "$t" $((16#$maj)) $((16#$min)) $((8#$mode))
  done | jq -s -c .
}

# The --privileged-style spec, for runtime $1 (binds $2: extra mounts JSON).
esc_spec() {
  local rt=$1 extra=${2:-[]}
  jq -c --arg T "$T" --arg rt "$rt" --argjson caps "$ALL_CAPS" --argjson devices "$DEVICES" \
    --argjson extra "$extra" --arg rel "$REL" --arg majmin "$DISK_MAJMIN" --arg dev "$DISK_DEV" \
    --arg victim "$VICTIM_CG" --arg knob "$SYSFS_KNOB" --arg key "$KEY_DESC" '
    .root = {path: ($T + "/rootfs-" + $rt), readonly: false}
    | .process.args = ["/escape", "all", "--then-sleep"]
    | .process.env += ["ESC_TAG=" + $rt, "ESC_HOST_ROOTFS=" + $T + "/rootfs-" + $rt,
        "ESC_HOST_MARKERS=" + $T + "/markers", "ESC_DISK_DEV=" + $dev, "ESC_DISK_MAJMIN=" + $majmin,
        "ESC_DISK_REL=" + $rel, "ESC_SOCK=/run/esc/escape.sock", "ESC_MODDIR=/modules",
        "ESC_VICTIM_CG=" + $victim, "ESC_SYSFS_KNOB=" + $knob, "ESC_KEY_DESC=" + $key]
    | .process.capabilities = {bounding: $caps, effective: $caps, inheritable: $caps, permitted: $caps}
    | .process.noNewPrivileges = false
    | del(.linux.seccomp) | .linux.maskedPaths = [] | .linux.readonlyPaths = []
    | .linux.namespaces |= map(select(.type != "cgroup"))
    | .mounts |= map(if .destination == "/sys" or .destination == "/sys/fs/cgroup"
                     then .options -= ["ro"] else . end)
    | .mounts += [
        {destination: "/hostro-remount", type: "bind", source: ($T + "/ro/remount"), options: ["rbind", "ro"]},
        {destination: "/hostro-setattr", type: "bind", source: ($T + "/ro/setattr"), options: ["rbind", "ro"]},
        {destination: "/hostro-rebind", type: "bind", source: ($T + "/ro/rebind"), options: ["rbind", "ro"]},
        {destination: "/hostro-opentree", type: "bind", source: ($T + "/ro/opentree"), options: ["rbind", "ro"]},
        {destination: "/rosb", type: "bind", source: ($T + "/rosb"), options: ["rbind", "ro"]},
        {destination: "/hostsecret", type: "bind", source: ($T + "/secret"), options: ["rbind"]},
        {destination: "/hostsecret/private", type: "tmpfs", source: "tmpfs", options: ["size=64k"]},
        {destination: "/hostsecret2", type: "bind", source: ($T + "/secret"), options: ["rbind"]},
        {destination: "/hostsecret2/private", type: "tmpfs", source: "tmpfs", options: ["size=64k"]},
        {destination: "/hostsecret3", type: "bind", source: ($T + "/secret"), options: ["rbind"]},
        {destination: "/hostsecret3/private", type: "tmpfs", source: "tmpfs", options: ["size=64k"]},
        {destination: "/run/esc", type: "bind", source: ($T + "/sock"), options: ["rbind"]}
      ] + $extra
    | .linux.devices = $devices
    | .linux.resources.devices = [{allow: true, access: "rwm"}]' "$T/base/config.json"
}

DOCKER_SOCK_BIND='[{"destination":"/var/run/docker.sock","type":"bind","source":"@T@/docker/docker.sock","options":["bind"]}]'
DOCKER_CFG_BIND='[{"destination":"/etc/docker","type":"bind","source":"@T@/docker/etc","options":["rbind"]}]'

esc_bundles() {
  local rt sock=${DOCKER_SOCK_BIND//@T@/$T} cfg=${DOCKER_CFG_BIND//@T@/$T}
  rt_make_base_bundle
  export DEVICES; DEVICES=$(devices_json)
  for rt in "${RUNTIMES[@]}"; do
    mkdir -p "$T/bundles/$rt"
    if [ "$rt" = runc ]; then
      esc_spec "$rt" "$(jq -c -n --argjson a "$sock" --argjson b "$cfg" '$a + $b')"
    else
      esc_spec "$rt"
    fi >"$T/bundles/$rt/config.json"
  done
  # what moat-runc must refuse at create: the moat spec plus one Docker bind
  mkdir -p "$T/bundles/docker-sock" "$T/bundles/docker-config"
  esc_spec moat "$sock" >"$T/bundles/docker-sock/config.json"
  esc_spec moat "$cfg" >"$T/bundles/docker-config/config.json"
}

# ---- running a battery -------------------------------------------------------
# Under TCG every fork costs 10-300 ms: the host side below uses shell
# builtins wherever it can.

# rt_cmd RUNTIME ARGS...: the runtime binary for a battery
rt_cmd() {
  local rt=$1; shift
  case $rt in
    runc) "$RUNC_BIN" --root "$T/plain-root" "$@" ;;
    moat) "$MOAT_RUNC_BIN" --config "$T/moat.conf" --root "$T/runc-root" "$@" ;;
    userns) "$MOAT_RUNC_BIN" --config "$T/userns.conf" --root "$T/runc-root" "$@" ;;
  esac
}

# slurp VAR FILE: the whole file into VAR (no fork)
slurp() { IFS= read -r -d '' "$1" <"$2" || true; }
# nap SECONDS: sleep without a fork (a read that never gets data)
nap() {
  [ -n "${NAP_FD:-}" ] || exec {NAP_FD}<> <(:)
  read -r -t "$1" -u "$NAP_FD" _ || true
}
vmstat_drop() {
  local k v
  DROP_NOW=0
  while read -r k v; do
    [ "$k" = drop_pagecache ] && { DROP_NOW=$v; return 0; }
  done </proc/vmstat
}
count_sysrq_help() {
  SYSRQ_NOW=$(dmesg | grep -c 'sysrq: HELP' || true)
}

# battery RUNTIME: create+start the container, wait for its "END", delete
# it, collect the host's evidence, restore the host.
battery() {
  local rt=$1 id=esc-$1 out=$R/$1.out i state t0=$SECONDS text=''
  count_sysrq_help; SYSRQ_BEFORE=$SYSRQ_NOW
  vmstat_drop; DROP_BEFORE=$DROP_NOW
  if ! rt_cmd "$rt" create --bundle "$T/bundles/$rt" "$id" <"$T/empty" >"$out" 2>"$R/$rt.err" ||
     ! rt_cmd "$rt" start "$id" >>"$R/$rt.err" 2>&1; then
    note "$rt: the battery container did not start: $(tail -n 3 "$R/$rt.err")"
  else
    for ((i = 1; i <= 600; i++)); do
      slurp text "$out"
      [[ $text == *$'\nEND\n'* ]] && break
      if [ $((i % 20)) -eq 0 ]; then
        state=$(rt_cmd "$rt" state "$id" 2>/dev/null | jq -r .status)
        [ "$state" = running ] || break
      fi
      nap 0.5
    done
    [[ $text == *$'\nEND\n'* ]] || note "$rt: the battery did not finish: $(tail -n 2 "$out")"
  fi
  rt_cmd "$rt" delete --force "$id" >/dev/null 2>&1 || true
  nap 1 # the loader logs denials asynchronously
  esc_collect "$rt"
  esc_restore
  note "$rt battery: $((SECONDS - t0)) s"
}

# ---- the host's evidence -----------------------------------------------------

has() { [ -e "$1" ]; }
file_has() { local c=''; [ -e "$1" ] && slurp c "$1"; [[ $c == *"$2"* ]]; }
detail_has() { [[ $DETAIL == *"$1"* ]]; }
differs() { local v; read -r v <"$1"; [ "$v" != "$2" ]; }

# the superblock options of $T/rosb (mountinfo's last field) contain rw
rosb_writable() {
  local -a f
  while read -r -a f; do
    [ "${f[4]}" = "$T/rosb" ] && { [[ ,${f[-1]}, == *,rw,* ]]; return; }
  done </proc/self/mountinfo
  return 1
}

binfmt_registered() {
  [ -e "$T/binfmt/moatesc-$1" ] || return 1
  echo -1 >"$T/binfmt/moatesc-$1"
}

# evidence NAME RUNTIME: EV=yes (the host shows the escape), no, or na (a
# permission probe: nothing on the host to look at). $DETAIL is the attack's line.
evidence() {
  local name=$1 rt=$2 M=$T/markers
  EV=na
  case $name in
    bpf-map-list|bpf-prog-load|cgroup-move-root|proc-kcore|kexec-file-load|kexec-load|iopl|ioperm|\
    perf-event-system|settimeofday|debugfs-mount|fanotify-global) return 0 ;;
    umount-emulated) differs /proc/sys/kernel/core_pattern "$SAVED_CORE" ;;
    mount-blockdev|setns-mnt-fd|cgroup-release-agent|core-pattern|open-by-handle)
      has "$M/$name.$rt" ;;
    mknod-blockdev|blockdev-read) detail_has "uuid=$DISK_UUID" ;;
    docker-sock-bind|docker-sock-fd) detail_has "$DOCKER_TOKEN" ;;
    docker-config-bind) file_has "$T/docker/etc/daemon.json" "escaped-$rt" ;;
    docker-config-fd) detail_has "$CFG_TOKEN" ;;
    remount-rw) has "$T/ro/remount/remount-rw.$rt" ;;
    mount-setattr-rw) has "$T/ro/setattr/mount-setattr-rw.$rt" ;;
    rebind-rw) has "$T/ro/rebind/rebind-rw.$rt" ;;
    open-tree-rw) has "$T/ro/opentree/open-tree-rw.$rt" ;;
    fspick-reconfigure) rosb_writable ;;
    umount-mask|move-mask|bind-under-mask) detail_has "$SECRET_TOKEN" ;;
    setns-net-fd) differs /proc/sys/net/core/somaxconn "$SAVED_SOMAXCONN" ;;
    setns-pidfd) differs /proc/sys/kernel/hostname "$SAVED_HOSTNAME" ;;
    pidfd-getfd) file_has "$M/getfd-target" "escaped-$rt" ;;
    cgroup-host-write) differs "/sys/fs/cgroup/$VICTIM_CG/pids.max" max ;;
    sysrq-trigger) [ "$SYSRQ_NOW" -gt "$SYSRQ_BEFORE" ] ;;
    dev-mem) detail_has "$DEVMEM_HEX" ;;
    dev-kmsg) file_has "$R/dmesg.$rt" "moat-escape-kmsg-$rt" ;;
    syslog-read) detail_has "$SYSLOG_TOKEN" ;;
    finit-module) has /sys/module/dummy ;;
    init-module) has /sys/module/nlmon ;;
    module-autoload-fs) has /sys/module/qnx4 ;;
    module-autoload-net) has /sys/module/appletalk ;;
    keyctl-host-key) detail_has "$KEY_TOKEN" ;;
    sysfs-write) differs "$SYSFS_KNOB" "$SAVED_KNOB" ;;
    sysctl-kernel) differs /proc/sys/kernel/printk_ratelimit_burst "$SAVED_BURST" ;;
    drop-caches) vmstat_drop; [ "$DROP_NOW" -gt "$DROP_BEFORE" ] ;;
    tracefs-mount) file_has "$T/tracefs/trace" "moat-escape-trace-$rt" ;;
    binfmt-misc) binfmt_registered "$rt" ;;
    *) return 0 ;;
  esac && EV=yes || EV=no
}

# The kernel policy's denials by attack index (the attacks' comm is esc-NN).
declare -gA RULES=()
load_denials() {
  local line rule idx
  RULES=()
  [ -e "$DENIALS" ] || return 0
  while IFS= read -r line; do
    [[ $line =~ denied\ rule=([a-z-]+)\ pid=[0-9]+\ comm=esc-([0-9]+)\  ]] || continue
    rule=${BASH_REMATCH[1]} idx=${BASH_REMATCH[2]}
    [[ ,${RULES[$idx]:-}, == *,$rule,* ]] || RULES[$idx]=${RULES[$idx]:+${RULES[$idx]},}$rule
  done <"$DENIALS"
}

declare -gA IDX=() VERDICT=() DETAILS=() KRULES=()
load_attacks() {
  local i n
  NAMES=()
  while read -r i n; do
    IDX[$n]=$i
    NAMES+=("$n")
  done <"$R/attacks"
}

# esc_collect RUNTIME: VERDICT[RUNTIME:NAME] = escaped | blocked | unconfirmed
# (the attack said ok, the host saw nothing) | error; DETAILS the attack's words.
esc_collect() {
  local rt=$1 line name status key
  dmesg >"$R/dmesg.$rt"
  count_sysrq_help
  [ "$rt" != moat ] || load_denials
  while IFS= read -r line; do
    [[ $line =~ ^([a-z0-9-]+)\ (ok|blocked|error):\ ?(.*)$ ]] || continue
    name=${BASH_REMATCH[1]} status=${BASH_REMATCH[2]} DETAIL=${BASH_REMATCH[3]}
    evidence "$name" "$rt"
    key=$rt:$name
    if [ "$EV" = yes ]; then VERDICT[$key]=escaped
    elif [ "$status" = ok ] && [ "$EV" = na ]; then VERDICT[$key]=escaped
    elif [ "$status" = ok ] && [ "$rt" = runc ]; then VERDICT[$key]=unconfirmed
    elif [ "$status" = ok ]; then
      # it worked in the container only: moat-fs's emulation took the write
      VERDICT[$key]=blocked DETAIL+=" (contained: the host is unchanged)"
    elif [ "$status" = error ]; then VERDICT[$key]=error
    else VERDICT[$key]=blocked
    fi
    [ "$EV" = na ] || DETAIL+=" [host: $EV]"
    DETAILS[$key]=$DETAIL
    [ "$rt" != moat ] || KRULES[$name]=${RULES[${IDX[$name]:-x}]:-}
  done <"$R/$rt.out"
}

# moat-runc must refuse a spec that binds Docker's socket or configuration:
# the moat verdict of those two attacks.
esc_create_refusals() {
  local what out key
  for what in docker-sock docker-config; do
    out=$R/refuse-$what.out key=moat:$what-bind
    if rt_cmd moat create --bundle "$T/bundles/$what" "refuse-$what" <"$T/empty" >"$out" 2>&1; then
      rt_cmd moat delete --force "refuse-$what" >/dev/null 2>&1 || true
      VERDICT[$key]=escaped DETAILS[$key]="moat-runc created the container"
    else
      VERDICT[$key]=blocked DETAILS[$key]="refused at create: $(tail -n1 "$out")"
    fi
  done
}

# Put back everything an escape changes on the host.
esc_restore() {
  local m cur
  read -r cur </proc/sys/kernel/core_pattern
  [ "$cur" = "$SAVED_CORE" ] || cat "$BATS_FILE_TMPDIR/core_pattern.saved" >/proc/sys/kernel/core_pattern
  echo "$SAVED_BURST" >/proc/sys/kernel/printk_ratelimit_burst
  echo "$SAVED_SOMAXCONN" >/proc/sys/net/core/somaxconn
  echo "$SAVED_HOSTNAME" >/proc/sys/kernel/hostname
  echo "$SAVED_KNOB" >"$SYSFS_KNOB"
  [ ! -d "/sys/fs/cgroup/$VICTIM_CG" ] || echo max >"/sys/fs/cgroup/$VICTIM_CG/pids.max"
  if rosb_writable; then
    mount -o remount,ro "$T/rosb" && mount -o remount,bind,rw "$T/rosb"
  fi
  [ ! -e "$T/tracefs/trace" ] || : >"$T/tracefs/trace"
  for m in "$T"/binfmt/moatesc-*; do [ ! -e "$m" ] || echo -1 >"$m"; done
  cp "$T/daemon.json.orig" "$T/docker/etc/daemon.json"
  # A cgroup v1 hierarchy the release_agent attack mounted and unmounted in
  # the container outlives it (the kernel does not kill it when the
  # container's mount namespace goes); mounting and unmounting it by name
  # from the host, now without child cgroups, ends it.
  slurp cur /proc/self/cgroup
  for m in "${RUNTIMES[@]}"; do
    [[ $cur == *:name=moatesc-$m:* ]] || continue
    mkdir -p "$T/cgv1"
    mount -t cgroup -o "none,name=moatesc-$m" cgroup "$T/cgv1" && umount "$T/cgv1"
  done
  # appletalk holds psnap and llc: unload in this order
  for m in "${ESC_MODULES[@]}"; do
    [ ! -d "/sys/module/$m" ] || rmmod "$m" 2>/dev/null || true
  done
}

# ---- the report --------------------------------------------------------------

# How moat stopped an attack: the kernel rules that fired, the user
# namespace alone (the userns-only run blocked it too), or nothing.
moat_layer() {
  local name=$1 rules=${KRULES[$1]:-} mv=${VERDICT[moat:$1]:-} uv=${VERDICT[userns:$1]:-}
  if [ "$mv" != blocked ]; then LAYER="NOT BLOCKED"; return; fi
  case $name in docker-sock-bind|docker-config-bind) LAYER="moat-runc refuses the spec"; return ;; esac
  case ${DETAILS[moat:$name]:-} in
    *"Function not implemented"*) LAYER="moat-runc's seccomp rule (ENOSYS)"; return ;;
    *"(contained"*|*"did not run"*) LAYER="moat-fs emulation + userns${rules:+ + kernel ($rules)}"; return ;;
  esac
  if [ -n "$rules" ] && [ "$uv" = blocked ]; then LAYER="kernel ($rules) + userns"
  elif [ -n "$rules" ]; then LAYER="kernel ($rules) only"
  elif [ "$uv" = blocked ]; then
    case $name in
      cgroup-host-write|cgroup-move-root) LAYER="private cgroup ns + userns" ;;
      *) LAYER="userns" ;;
    esac
  else LAYER="? (no kernel denial, userns alone does not block it)"
  fi
}

# The table (TAP comments and build/test-logs/escapes.txt) and $R/final,
# one line per attack: NAME runc moat layer runc-detail moat-detail userns.
esc_report() {
  local name rv mv uv log=$OUT/test-logs/escapes.txt n=0 good=0 bad=0 S=$'\x1f'
  mkdir -p "$(dirname "$log")"
  : >"$R/final"
  {
    printf '%-20s | %-11s | %-11s | %-11s | %s\n' attack runc moat "userns only" "what blocks it under moat"
    printf -- '---------------------+-------------+-------------+-------------+--------------------------\n'
    for name in "${NAMES[@]}"; do
      rv=${VERDICT[runc:$name]:-missing} mv=${VERDICT[moat:$name]:-missing} uv=${VERDICT[userns:$name]:-missing}
      case $name in docker-sock-bind|docker-config-bind) uv=refused ;; esac
      moat_layer "$name"
      n=$((n + 1))
      [ "$rv" = escaped ] && [ "$mv" = blocked ] && good=$((good + 1))
      [ "$mv" = blocked ] || bad=$((bad + 1))
      printf '%-20s | %-11s | %-11s | %-11s | %s\n' "$name" "$rv" "$mv" "$uv" "$LAYER"
      printf '%s\n' "$name$S$rv$S$mv$S$LAYER$S${DETAILS[runc:$name]:-}$S${DETAILS[moat:$name]:-}$S$uv" >>"$R/final"
    done
    printf '%d attacks: %d escape plain runc and are blocked by moat; %d not blocked by moat\n' "$n" "$good" "$bad"
  } >"$log.table"
  {
    cat "$log.table"
    echo
    echo "What each attack did (runc / moat / userns only):"
    for name in "${NAMES[@]}"; do
      printf '%s\n  runc:   %s\n  moat:   %s\n  userns: %s\n' "$name" "${DETAILS[runc:$name]:-}" \
        "${DETAILS[moat:$name]:-}" "${DETAILS[userns:$name]:-}"
    done
  } >"$log"
  while IFS= read -r line; do note "$line"; done <"$log.table"
  rm -f "$log.table"
}

# The bats test of one attack: escaped under runc, blocked under moat.
check_attack() {
  local name=$1 n rv mv layer rd md uv
  while IFS=$'\x1f' read -r n rv mv layer rd md uv; do
    [ "$n" = "$name" ] && break
  done <"$R/final"
  [ "$n" = "$name" ] || { echo "no result for $name (setup failed?)"; return 1; }
  echo "attack:      $name"
  echo "plain runc:  $rv: $rd"
  echo "moat:        $mv: $md"
  echo "userns only: $uv; what blocks it under moat: $layer"
  [ "$rv" = escaped ] && [ "$mv" = blocked ]
}

# known_hole NAME WHY: an attack moat does not stop yet. The control must
# still escape (or the test fails); if moat blocks it the test passes (the
# hole was closed: drop the known_hole); if moat does not, the test is
# skipped with the hole named, so the table and the TAP stream keep saying
# so instead of a pass.
known_hole() {
  local name=$1 why=$2 n rv mv rest
  while IFS=$'\x1f' read -r n rv mv rest; do
    [ "$n" = "$name" ] && break
  done <"$R/final"
  [ "$n" = "$name" ] || { echo "no result for $name (setup failed?)"; return 1; }
  [ "$rv" = escaped ] || { echo "control: $name did not escape plain runc ($rv)"; return 1; }
  [ "$mv" = blocked ] && return 0
  skip "KNOWN HOLE: $name escapes moat: $why"
}

# ---- teardown ------------------------------------------------------------------

esc_teardown_file() {
  local id root cg
  [ -n "${T:-}" ] && [ -d "$T" ] || return 0
  for root in "$T/plain-root" "$T/runc-root"; do
    for id in $("$RUNC_BIN" --root "$root" list -q 2>/dev/null); do
      if [ "$root" = "$T/runc-root" ]; then
        rt_cmd moat delete --force "$id" >/dev/null 2>&1 || "$RUNC_BIN" --root "$root" delete --force "$id" >/dev/null 2>&1
      else
        "$RUNC_BIN" --root "$root" delete --force "$id" >/dev/null 2>&1
      fi
    done
  done
  [ -f "${PIDS:-/nonexistent}" ] && xargs -r kill -9 <"$PIDS" 2>/dev/null
  [ -f "${LOADER_PID:-/nonexistent}" ] && kill "$(cat "$LOADER_PID")" 2>/dev/null
  "$LOADER" stop 2>/dev/null || true
  [ ! -d "$T/fs/mnt" ] || "$MOATFS_BIN" --mountpoint "$T/fs/mnt" --state-dir "$T/fs/state" --stop >/dev/null 2>&1 || true
  "$ESC" key-del "$KEY_DESC" 2>/dev/null || true
  # the host's settings were saved: put them back
  [ ! -e "$BATS_FILE_TMPDIR/core_pattern.saved" ] || esc_restore 2>/dev/null || true
  umount "$T/binfmt" "$T/tracefs" "$T/rosb" 2>/dev/null || true
  [ ! -e "$BATS_FILE_TMPDIR/binfmt.loaded" ] || rmmod binfmt_misc 2>/dev/null || true
  [ ! -e "$BATS_FILE_TMPDIR/fuse.loaded" ] || rmmod fuse 2>/dev/null || true
  cg=/sys/fs/cgroup/$VICTIM_CG
  [ ! -d "$cg" ] || rmdir "$cg" 2>/dev/null || true
  sleep 0.2
  rt_umount_below "$T"
  rm -rf "$T"
  [ ! -e "$BATS_FILE_TMPDIR/core_pattern.saved" ] || esc_host_intact
}

# After everything: the host as it was before the battery.
esc_host_intact() {
  local bad=() v m f
  [ "$(stat -c '%u:%g %t:%T' /dev/null)" = "0:0 1:3" ] || bad+=("/dev/null is $(stat -c '%u:%g %t:%T' /dev/null)")
  for f in /dev/*; do
    [ -b "$f" ] || [ -c "$f" ] || continue
    [ "$(stat -c %u:%g "$f")" != 0:0 ] || continue
    case $f in /dev/tty*|/dev/pts*|/dev/console) ;; *) bad+=("$f is owned by $(stat -c %u:%g "$f")") ;; esac
  done
  read -r v </proc/sys/kernel/core_pattern; [ "$v" = "$SAVED_CORE" ] || bad+=("core_pattern is $v")
  read -r v </proc/sys/kernel/printk_ratelimit_burst; [ "$v" = "$SAVED_BURST" ] || bad+=("printk_ratelimit_burst is $v")
  read -r v </proc/sys/net/core/somaxconn; [ "$v" = "$SAVED_SOMAXCONN" ] || bad+=("somaxconn is $v")
  read -r v </proc/sys/kernel/hostname; [ "$v" = "$SAVED_HOSTNAME" ] || bad+=("hostname is $v")
  read -r v <"$SYSFS_KNOB"; [ "$v" = "$SAVED_KNOB" ] || bad+=("$SYSFS_KNOB is $v")
  for m in "${ESC_MODULES[@]}"; do [ ! -d "/sys/module/$m" ] || bad+=("module $m is loaded"); done
  ! grep -q 'name=moatesc' /proc/self/cgroup || bad+=("a cgroup v1 hierarchy is left: $(grep moatesc /proc/self/cgroup)")
  ! grep -q "$KEY_DESC" /proc/keys || bad+=("key $KEY_DESC is left")
  [ ${#bad[@]} -eq 0 ] && return 0
  for v in "${bad[@]}"; do note "host not restored: $v"; done
  return 1
}
